"""Working files and the file tree: revisions, storage, paths and names, guessing from a path."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response, StreamingResponse

from app.core.responses import JSONResponse
from app.domain import working_files
from app.domain.file_tree import MalformedFileTree
from app.routers.bodies import json_or_args, validate
from app.routers.deps import CurrentUser, DbSession, FileStorage
from app.routers.uploads import receive_upload, upload_chunks

router = APIRouter(tags=["working-files"])

CACHE_MAX_AGE = 604800  # the reference's CLIENT_CACHE_MAX_AGE (one week)


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


def _with_received(exc: MalformedFileTree, payload: Any) -> MalformedFileTree:
    exc.data = payload
    return exc


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
    try:
        row = await working_files.new_working_file(
            session,
            caller,
            str(task_id),
            name=body.name,
            mode=body.mode,
            comment=body.comment,
            person_id=body.person_id,
            software_id=body.software_id,
            revision=body.revision,
            sep=body.sep,
        )
    except MalformedFileTree as exc:
        raise _with_received(exc, payload) from None
    return JSONResponse(row, status_code=201)


@router.post("/data/tasks/{task_id}/working-file-path")
async def working_file_path(task_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    payload, body = await _body(request, WorkingFilePathBody)
    try:
        result = await working_files.working_file_path(
            session,
            caller,
            str(task_id),
            name=body.name,
            mode=body.mode,
            software_id=body.software_id,
            revision=body.revision,
            sep=body.sep,
        )
    except MalformedFileTree as exc:
        raise _with_received(exc, payload) from None
    return JSONResponse(result)


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
@router.post("/data/entities/guess_from_path")
async def guess_from_path(request: Request, session: DbSession, caller: CurrentUser):
    payload, body = await _body(request, GuessBody)
    try:
        result = await working_files.guess_from_path(session, caller, body.project_id, body.file_path, body.sep)
    except MalformedFileTree as exc:
        raise _with_received(exc, payload) from None
    return JSONResponse(result)


@router.post("/data/entities/{entity_id}/output-file-path")
async def entity_output_file_path(entity_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    payload, body = await _body(request, OutputFilePathBody)
    try:
        result = await working_files.entity_output_file_path(session, caller, str(entity_id), body.model_dump())
    except MalformedFileTree as exc:
        raise _with_received(exc, payload) from None
    return JSONResponse(result)


@router.post("/data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}/output-file-path")
async def instance_output_file_path(
    asset_instance_id: uuid.UUID,
    temporal_entity_id: uuid.UUID,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
):
    payload, body = await _body(request, OutputFilePathBody)
    try:
        result = await working_files.instance_output_file_path(
            session, caller, str(asset_instance_id), str(temporal_entity_id), body.model_dump()
        )
    except MalformedFileTree as exc:
        raise _with_received(exc, payload) from None
    return JSONResponse(result)


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
    return serve_stored(request, storage, working_files.BUCKET, str(row["id"]), size, row.get("updated_at"))


def _http_date(value: datetime) -> str:
    return format_datetime(value.replace(tzinfo=UTC, microsecond=0), usegmt=True)


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None | bool:
    """The (start, end) of a single `bytes=` range; None without one; False when unsatisfiable."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].strip().partition("-")
    try:
        if first == "":
            length = int(last)
            if length <= 0:
                return False
            return max(size - length, 0), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        return False
    return start, min(end, size - 1)


def serve_stored(request: Request, storage, bucket: str, key: str, size: int, modified: datetime | None) -> Response:
    """Stream a stored binary as the reference's `send_file` does: octet-stream, one week of
    client cache, ETag and Last-Modified (304 on a match), single byte ranges (206)."""
    now = datetime.now(UTC)
    stamp = modified.timestamp() if modified is not None else 0
    etag = f'"{key}-{size}-{int(stamp)}"'
    headers = {
        "Content-Disposition": 'inline; filename=""',
        "Cache-Control": f"public, max-age={CACHE_MAX_AGE}",
        "Expires": format_datetime(now + timedelta(seconds=CACHE_MAX_AGE), usegmt=True),
        "ETag": etag,
        "Accept-Ranges": "bytes",
    }
    if modified is not None:
        headers["Last-Modified"] = _http_date(modified)
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    span = _byte_range(request.headers.get("range"), size)
    if span is False:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if span:
        start, end = span
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(end - start + 1)
        return StreamingResponse(
            storage.stream(bucket, key, start, end),
            status_code=206,
            media_type="application/octet-stream",
            headers=headers,
        )
    headers["Content-Length"] = str(size)
    return StreamingResponse(storage.stream(bucket, key), media_type="application/octet-stream", headers=headers)
