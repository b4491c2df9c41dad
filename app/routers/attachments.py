"""Attachments: adding files to comments, downloads, thumbnails, listings, batch comments."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from fastapi import APIRouter, BackgroundTasks, Request, Response
from starlette.datastructures import UploadFile

from app.core.errors import WrongParameter
from app.core.responses import JSONResponse
from app.core.storage import Storage
from app.domain import attachments, preview_uploads
from app.routers.deps import CurrentUser, DbSession, FileStorage
from app.routers.file_responses import send_stored_file
from app.routers.preview_uploads import hand_movie_over
from app.routers.uploads import guard_size, receive_uploads

router = APIRouter(tags=["attachments"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id or bad body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
    404: {"description": "Unknown id"},
}


# --- comment attachments ----------------------------------------------------------------------


@router.post(
    "/actions/tasks/{task_id}/comments/{comment_id}/add-attachment",
    summary="Add comment attachments",
    status_code=201,
    responses=ERRORS,
)
async def add_attachment(
    task_id: uuid.UUID,
    comment_id: uuid.UUID,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    storage: FileStorage,
) -> Response:
    """Multipart upload of one or more files (any part name), stored under new ids."""
    uploads: list[UploadFile] = []
    if "multipart/form-data" in request.headers.get("content-type", ""):
        uploads, _ = await receive_uploads(request)
    else:
        guard_size(request)
    rows = await attachments.add_attachments(session, caller, storage, str(task_id), str(comment_id), uploads)
    return JSONResponse(rows, status_code=201)


@router.delete(
    "/data/tasks/{task_id}/comments/{comment_id}/attachments/{attachment_file_id}",
    summary="Delete comment attachment",
    status_code=204,
    responses=ERRORS,
)
async def delete_comment_attachment(
    task_id: uuid.UUID,
    comment_id: uuid.UUID,
    attachment_file_id: uuid.UUID,
    session: DbSession,
    caller: CurrentUser,
) -> Response:
    await attachments.remove_comment_attachment(session, caller, str(task_id), str(comment_id), str(attachment_file_id))
    return Response(status_code=204)


@router.get(
    "/data/attachment-files/{attachment_file_id}/file/{file_name}",
    summary="Download attachment file",
    responses=ERRORS,
)
async def download_attachment(
    attachment_file_id: uuid.UUID,
    file_name: str,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    storage: FileStorage,
) -> Response:
    """The stored file; the name in the path is only for the browser (as in Zou, it is not checked)."""
    row = await attachments.readable(session, caller, str(attachment_file_id))
    inline = attachments.is_inline_safe(row["mimetype"])
    return await send_stored_file(
        request,
        storage,
        attachments.BUCKET,
        str(row["id"]),
        media_type=row["mimetype"] or "application/octet-stream",
        last_modified=row["updated_at"],
        download_name=attachments.download_name(row["name"]),
        attachment=not inline,
        private=False,
    )


@router.get(
    "/pictures/thumbnails/attachment-files/{attachment_file_id}.png",
    summary="Get attachment thumbnail",
    responses=ERRORS,
)
async def attachment_thumbnail(
    attachment_file_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
) -> Response:
    """The 150x150 thumbnail of a picture attachment; 404 for other files."""
    row = await attachments.readable(session, caller, str(attachment_file_id))
    return await send_stored_file(
        request,
        storage,
        attachments.THUMBNAIL_BUCKET,
        f"{row['id']}.png",
        media_type="image/png",
        last_modified=row["updated_at"],
    )


@router.delete(
    "/data/attachment-files/{instance_id}", summary="Delete attachment file", status_code=204, responses=ERRORS
)
async def delete_attachment_file(instance_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    await attachments.delete_row(session, caller, str(instance_id))
    return Response(status_code=204)


@router.get("/data/tasks/{task_id}/attachment-files", summary="Get task attachment files", responses=ERRORS)
async def task_attachment_files(task_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await attachments.for_task(session, caller, str(task_id)))


@router.get("/data/projects/{project_id}/attachment-files", summary="Get project attachment files", responses=ERRORS)
async def project_attachment_files(project_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await attachments.for_project(session, caller, str(project_id)))


# --- batch comments ----------------------------------------------------------------------------


async def _batch_input(request: Request) -> tuple[Any, list[tuple[str, UploadFile]]]:
    """The `comments` list (JSON body, or a JSON-encoded form field) and the file parts by name."""
    content_type = request.headers.get("content-type", "")
    if "multipart/form-data" in content_type:
        await receive_uploads(request)  # size limit, then parse
        form = await request.form()
        files = [(name, value) for name, value in form.multi_items() if isinstance(value, UploadFile)]
        raw = form.get("comments")
        if isinstance(raw, UploadFile):  # sent as a file part holding JSON
            await raw.seek(0)
            raw = (await raw.read()).decode("utf-8", "replace")
        if raw is None:
            raise WrongParameter("Missing required parameter: comments")
        try:
            return orjson.loads(raw), [(n, f) for n, f in files if n != "comments"]
        except orjson.JSONDecodeError:
            raise WrongParameter("comments must be a JSON-encoded list.") from None
    guard_size(request)
    body = await request.body()
    payload = None
    if body.strip():
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            payload = None
    if not isinstance(payload, dict) or "comments" not in payload:
        raise WrongParameter("Missing required parameter: comments")
    return payload["comments"], []


async def _batch(
    request: Request, session, caller, storage: Storage, background: BackgroundTasks, task_id: str | None
) -> Response:
    items, files = await _batch_input(request)

    async def add_preview(comment: dict[str, Any], target_task_id: str, upload: UploadFile) -> dict[str, Any] | None:
        """A preview slot on the new comment, then the upload, as `add-preview` + `/pictures/preview-files`
        do; a refused file is skipped (Zou's batch does not abort on it), a movie goes to the worker."""
        slot = await preview_uploads.add_preview(session, caller, target_task_id, str(comment["id"]), None)

        async def receive() -> UploadFile:
            return upload

        outcome = await preview_uploads.upload_preview(session, storage, caller, str(slot["id"]), receive)
        if outcome.refused is not None:
            return None
        if outcome.movie:
            background.add_task(hand_movie_over, request.app, str(slot["id"]))
        return outcome.preview

    rows = await attachments.batch_comment(session, caller, storage, task_id, items, files, add_preview=add_preview)
    return JSONResponse(rows, status_code=201)


@router.post("/actions/tasks/batch-comment", summary="Add tasks batch comments", status_code=201, responses=ERRORS)
async def tasks_batch_comment(
    request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage, background: BackgroundTasks
):
    """Comments on several tasks (each with its `task_id`), as JSON or multipart with files."""
    return await _batch(request, session, caller, storage, background, None)


@router.post(
    "/actions/tasks/{task_id}/batch-comment", summary="Add task batch comments", status_code=201, responses=ERRORS
)
async def task_batch_comment(
    task_id: uuid.UUID,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    storage: FileStorage,
    background: BackgroundTasks,
):
    """Several comments on one task, as JSON or multipart with files (`attachment_file-<i>-<n>`,
    `preview_file-<i>-<n>`)."""
    return await _batch(request, session, caller, storage, background, str(task_id))
