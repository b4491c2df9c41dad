"""Preview uploads: adding a preview to a comment, the upload itself, serving preview pictures
(through `app.routers.file_responses`)."""

from __future__ import annotations

import importlib
import logging
import uuid

from fastapi import APIRouter, BackgroundTasks, FastAPI, Request
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.responses import Response

from app.core.errors import WrongParameter
from app.core.responses import JSONResponse
from app.core.storage import Storage
from app.domain import preview_uploads
from app.domain.preview_uploads import ServedFile, StillProcessing
from app.routers.bodies import read_body
from app.routers.deps import CurrentUser, DbSession, FileStorage
from app.routers.file_responses import processing_response, send_stored_file
from app.routers.uploads import NO_FILE, receive_uploads

log = logging.getLogger(__name__)
router = APIRouter(tags=["preview-uploads"])


class AddPreviewBody(BaseModel):
    revision: int | None = Field(None, ge=0)


# --- add-preview and the upload ---


@router.post("/actions/tasks/{task_id}/comments/{comment_id}/add-preview")
async def add_preview(
    task_id: uuid.UUID, comment_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, AddPreviewBody)
    row = await preview_uploads.add_preview(session, caller, str(task_id), str(comment_id), body.revision)
    return JSONResponse(row, status_code=201)


@router.post("/pictures/preview-files/{instance_id}")
async def upload_preview_file(
    instance_id: uuid.UUID,
    request: Request,
    background: BackgroundTasks,
    session: DbSession,
    storage: FileStorage,
    caller: CurrentUser,
):
    async def receive() -> UploadFile | None:
        try:
            files, _ = await receive_uploads(request)
        except WrongParameter as exc:
            if exc.message == NO_FILE:
                return None
            raise
        named = (await request.form()).get("file")
        return named if isinstance(named, UploadFile) else (files[0] if files else None)

    preview_file_id = str(instance_id)
    outcome = await preview_uploads.upload_preview(session, storage, caller, preview_file_id, receive)
    if outcome.refused is not None:  # the preview was removed (committed), as Zou does
        return JSONResponse(outcome.refused.body(), status_code=outcome.refused.status_code)
    if outcome.movie:
        background.add_task(hand_movie_over, request.app, preview_file_id)
    return JSONResponse(outcome.preview, status_code=201)


async def hand_movie_over(app: FastAPI, preview_file_id: str) -> None:
    """After the commit: the movie worker normalises the stored source movie."""
    try:
        schedule = importlib.import_module("app.domain.movies").schedule_movie
    except (ImportError, AttributeError):
        log.warning("no movie worker: preview file %s stays processing", preview_file_id)
        return
    await schedule(app, preview_file_id)


# --- serving (the literal .png routes before the any-extension one) ---


@router.get("/pictures/originals/preview-files/{instance_id}.png")
async def original_picture(
    instance_id: uuid.UUID, request: Request, session: DbSession, storage: FileStorage, caller: CurrentUser
):
    served = await preview_uploads.served_picture(session, caller, str(instance_id), "originals")
    return await _answer(request, storage, served)


@router.get("/pictures/originals/preview-files/{instance_id}/download")
async def download_original(
    instance_id: uuid.UUID, request: Request, session: DbSession, storage: FileStorage, caller: CurrentUser
):
    served = await preview_uploads.served_download(session, storage, caller, str(instance_id))
    return await _answer(request, storage, served)


@router.get("/pictures/originals/preview-files/{instance_id}.{extension}")
async def original_file(
    instance_id: uuid.UUID,
    extension: str,
    request: Request,
    session: DbSession,
    storage: FileStorage,
    caller: CurrentUser,
):
    served = await preview_uploads.served_original(session, caller, str(instance_id), extension)
    return await _answer(request, storage, served)


@router.get("/pictures/previews/preview-files/{instance_id}.png")
async def preview_picture(
    instance_id: uuid.UUID, request: Request, session: DbSession, storage: FileStorage, caller: CurrentUser
):
    served = await preview_uploads.served_picture(session, caller, str(instance_id), "previews")
    return await _answer(request, storage, served)


@router.get("/pictures/thumbnails/preview-files/{instance_id}.png")
async def thumbnail(
    instance_id: uuid.UUID, request: Request, session: DbSession, storage: FileStorage, caller: CurrentUser
):
    served = await preview_uploads.served_picture(session, caller, str(instance_id), "thumbnails")
    return await _answer(request, storage, served)


@router.get("/pictures/thumbnails-square/preview-files/{instance_id}.png")
async def square_thumbnail(
    instance_id: uuid.UUID, request: Request, session: DbSession, storage: FileStorage, caller: CurrentUser
):
    served = await preview_uploads.served_picture(session, caller, str(instance_id), "thumbnails-square")
    return await _answer(request, storage, served)


async def _answer(request: Request, storage: Storage, served: ServedFile | StillProcessing) -> Response:
    if isinstance(served, StillProcessing):
        return processing_response(request, served.preview_file_id)
    return await send_stored_file(
        request,
        storage,
        served.bucket,
        served.key,
        media_type=served.media_type,
        last_modified=served.last_modified,
        download_name=served.download_name or "",
        attachment=served.download_name is not None,
    )
