"""Preview files: the registry entry, main previews, annotations, positions, comment links, listings."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from app.core.responses import JSONResponse
from app.domain import preview_files
from app.routers.bodies import read_body
from app.routers.deps import CurrentUser, DbSession, FileStorage

router = APIRouter(tags=["preview-files"])


class MainPreviewBody(BaseModel):
    frame_number: int | None = None


class TasksMainPreviewBody(BaseModel):
    task_ids: list[str] = Field(min_length=1)


class PositionBody(BaseModel):
    position: int = Field(0, ge=0)


class AnnotationsBody(BaseModel):
    additions: list = Field(default_factory=list)
    updates: list = Field(default_factory=list)
    deletions: list = Field(default_factory=list)


def _force(request: Request) -> bool:
    return request.query_params.get("force", "").lower() in ("true", "1", "yes")


# --- the registry's delete (its stored files go after the commit) ---


@router.delete("/data/preview-files/{instance_id}", status_code=204)
async def delete_preview_file(instance_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    await preview_files.delete_preview_file(session, caller, str(instance_id))
    return Response(status_code=204)


# --- main previews ---


@router.put("/actions/preview-files/{preview_file_id}/set-main-preview")
async def set_main_preview(
    preview_file_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    body = await read_body(request, MainPreviewBody)
    row = await preview_files.set_main_preview(session, storage, caller, str(preview_file_id), body.frame_number)
    return JSONResponse(row)


@router.put("/actions/tasks/set-main-preview")
async def set_tasks_main_preview(request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, TasksMainPreviewBody)
    return JSONResponse(await preview_files.set_tasks_main_preview(session, caller, body.task_ids))


@router.put("/actions/tasks/{task_id}/set-main-preview")
async def set_task_main_preview(task_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await preview_files.set_task_main_preview(session, caller, str(task_id)))


# --- annotations and positions ---


@router.put("/actions/preview-files/{preview_file_id}/update-annotations")
async def update_annotations(preview_file_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    # Zou checks the rights before reading the body: a refused caller gets 403 whatever it sent.
    ctx = await preview_files.check_annotations_access(session, caller, str(preview_file_id))
    body = await read_body(request, AnnotationsBody)
    row = await preview_files.update_annotations(session, caller, ctx, body.additions, body.updates, body.deletions)
    return JSONResponse(row)


@router.put("/actions/preview-files/{preview_file_id}/update-position")
async def update_position(preview_file_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, PositionBody)
    return JSONResponse(await preview_files.update_position(session, caller, str(preview_file_id), body.position))


# --- previews of comments ---


@router.post("/actions/tasks/{task_id}/comments/{comment_id}/preview-files/{preview_file_id}")
async def add_preview_to_comment(
    task_id: uuid.UUID, comment_id: uuid.UUID, preview_file_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    row = await preview_files.add_preview_to_comment(
        session, caller, str(task_id), str(comment_id), str(preview_file_id)
    )
    return JSONResponse(row, status_code=201)


@router.delete("/actions/tasks/{task_id}/comments/{comment_id}/preview-files/{preview_file_id}", status_code=204)
async def remove_preview_from_comment(
    task_id: uuid.UUID,
    comment_id: uuid.UUID,
    preview_file_id: uuid.UUID,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
) -> Response:
    await preview_files.remove_preview_from_comment(
        session, caller, str(task_id), str(comment_id), str(preview_file_id), _force(request)
    )
    return Response(status_code=204)


# --- listings ---


@router.get("/data/entities/{entity_id}/preview-files")
async def entity_preview_files(entity_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await preview_files.entity_preview_files(session, caller, str(entity_id)))


@router.get("/data/shots/{shot_id}/preview-files")
async def shot_preview_files(shot_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await preview_files.shot_preview_files(session, caller, str(shot_id)))


@router.get("/data/edits/{edit_id}/preview-files")
async def edit_preview_files(edit_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await preview_files.edit_preview_files(session, caller, str(edit_id)))


@router.get("/data/concepts/{concept_id}/preview-files")
async def concept_preview_files(concept_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await preview_files.concept_preview_files(session, caller, str(concept_id)))


@router.get("/data/tasks/{task_id}/previews")
async def task_previews(task_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await preview_files.task_previews(session, caller, str(task_id)))


@router.get("/data/projects/{project_id}/preview-files")
async def project_preview_files(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    page = request.query_params.get("page")
    return JSONResponse(await preview_files.project_preview_files(session, caller, str(project_id), page))
