"""Working files and the file tree: revisions, storage, paths and names, guessing from a path."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from app.core.responses import JSONResponse
from app.domain import working_files
from app.domain.file_tree import MalformedFileTree
from app.routers.bodies import json_or_args, validate
from app.routers.deps import CurrentUser, DbSession, FileStorage
from app.routers.file_responses import send_stored_file
from app.routers.uploads import receive_upload, upload_chunks

router = APIRouter(tags=["working-files"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class WorkingFilePathBody(_Body):
    name: str = "main"
    mode: str = "working"
    software_id: str | None = None
    comment: str = ""
    revision: int = 0
    sep: str = "/"


class NewWorkingFileBody(_Body):
    name: str = Field(..., min_length=1)
    description: str = ""
    mode: str = "working"
    comment: str = ""
    person_id: str | None = None
    software_id: str | None = None
    revision: int = 0
    sep: str = "/"


class CommentBody(_Body):
    comment: str = Field(..., min_length=1)


class OutputFilePathBody(_Body):
    name: str = "main"
    mode: str = "output"
    output_type_id: str = Field(..., min_length=1)
    task_type_id: str = Field(..., min_length=1)
    revision: int = 0
    extension: str = ""
    representation: str = ""
    separator: str = "/"


class GuessBody(_Body):
    project_id: str = Field(..., min_length=1)
    file_path: str = Field(..., min_length=1)
    sep: str = "/"


async def _body(request: Request, model: type[_Body]) -> tuple[Any, Any]:
    payload = await json_or_args(request)
    return payload, validate(model, payload)


async def _tree_answer(payload: Any, computation: Awaitable[Any], status_code: int = 200) -> JSONResponse:
    """Await a file-tree computation; a malformed file tree error also carries the received body."""
    try:
        result = await computation
    except MalformedFileTree as exc:
        exc.data = payload
        raise
    return JSONResponse(result, status_code=status_code)


# --- per task ---


@router.get("/data/tasks/{task_id}/working-files/last-revisions")
async def last_revisions(task_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await working_files.last_revisions(session, caller, str(task_id)))


@router.get("/data/tasks/{task_id}/working-files")
async def task_working_files(task_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await working_files.task_working_files(session, caller, str(task_id)))


@router.post("/data/tasks/{task_id}/working-files/new")
async def new_working_file(task_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    payload, body = await _body(request, NewWorkingFileBody)
    fields = body.model_dump(exclude={"description"})
    return await _tree_answer(payload, working_files.new_working_file(session, caller, str(task_id), **fields), 201)


@router.post("/data/tasks/{task_id}/working-file-path")
async def working_file_path(task_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    payload, body = await _body(request, WorkingFilePathBody)
    fields = body.model_dump(exclude={"comment"})
    return await _tree_answer(payload, working_files.working_file_path(session, caller, str(task_id), **fields))


# --- per entity, asset instance, project ---


@router.get("/data/entities/{entity_id}/working-files")
async def entity_working_files(entity_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    q = request.query_params
    return JSONResponse(
        await working_files.entity_working_files(
            session,
            caller,
            str(entity_id),
            task_id=q.get("task_id") or None,
            name=q.get("name") or None,
            relations=q.get("relations", "").lower() in ("true", "1", "yes"),
        )
    )


@router.post("/data/entities/guess-from-path")
@router.post("/data/entities/guess_from_path", operation_id="guess_from_path_underscored")
async def guess_from_path(request: Request, session: DbSession, caller: CurrentUser):
    payload, body = await _body(request, GuessBody)
    guess = working_files.guess_from_path(session, caller, body.project_id, body.file_path, body.sep)
    return await _tree_answer(payload, guess)


@router.post("/data/entities/{entity_id}/output-file-path")
async def entity_output_file_path(entity_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    payload, body = await _body(request, OutputFilePathBody)
    path = working_files.entity_output_file_path(session, caller, str(entity_id), body.model_dump())
    return await _tree_answer(payload, path)


@router.post("/data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}/output-file-path")
async def instance_output_file_path(
    asset_instance_id: uuid.UUID,
    temporal_entity_id: uuid.UUID,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
):
    payload, body = await _body(request, OutputFilePathBody)
    path = working_files.instance_output_file_path(
        session, caller, str(asset_instance_id), str(temporal_entity_id), body.model_dump()
    )
    return await _tree_answer(payload, path)


# --- one working file ---


@router.put("/actions/working-files/{working_file_id}/comment")
async def comment_working_file(working_file_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    _, body = await _body(request, CommentBody)
    return JSONResponse(await working_files.update_comment(session, caller, str(working_file_id), body.comment))


@router.put("/actions/working-files/{working_file_id}/modified")
async def modified_working_file(working_file_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await working_files.touch_modified(session, caller, str(working_file_id)))


@router.post("/data/working-files/{working_file_id}/file")
async def store_working_file(
    working_file_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    row = await working_files.readable_file(session, caller, str(working_file_id))
    upload = await receive_upload(request)
    try:
        result = await working_files.store_file(session, storage, caller, row, upload_chunks(upload))
    finally:
        await upload.close()
    return JSONResponse(result, status_code=201)


@router.get("/data/working-files/{working_file_id}/file")
async def download_working_file(
    working_file_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    row = await working_files.readable_file(session, caller, str(working_file_id))
    size = await working_files.stored_size(storage, row)
    return await send_stored_file(
        request,
        storage,
        working_files.BUCKET,
        str(row["id"]),
        media_type="application/octet-stream",
        last_modified=row.get("updated_at"),
        private=False,
        size=size,
    )
