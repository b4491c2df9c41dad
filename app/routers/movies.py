"""Movies: normalisation in a worker, serving with ranges, frames, tiles and annotated frames."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.core.errors import WrongParameter
from app.core.storage import Storage
from app.domain import movies, preview_uploads
from app.routers.deps import CurrentUser, DbSession, FileStorage
from app.routers.file_responses import processing_response, send_stored_file

router = APIRouter(tags=["movies"])


# --- serving stored movies and tiles ---


@router.get("/movies/originals/preview-files/{instance_id}.mp4")
async def movie(
    instance_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    preview = await movies.readable_preview(session, caller, str(instance_id))
    return await _serve_movie(request, storage, preview, lowdef=False)


@router.get("/movies/low/preview-files/{instance_id}.mp4")
async def low_movie(
    instance_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    preview = await movies.readable_preview(session, caller, str(instance_id))
    return await _serve_movie(request, storage, preview, lowdef=True)


@router.get("/movies/source/preview-files/{instance_id}.mp4")
async def source_movie(
    instance_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    preview = await movies.readable_preview(session, caller, str(instance_id))
    bucket, size = await movies.locate(storage, [movies.SOURCE], movies.movie_key(str(instance_id)))
    return await _send(request, storage, bucket, movies.movie_key(str(instance_id)), size, preview, "video/mp4")


@router.get("/movies/originals/preview-files/{instance_id}/download")
async def download_movie(
    instance_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    preview = await movies.readable_preview(session, caller, str(instance_id))
    name = await preview_uploads.download_name(session, str(instance_id))
    return await _serve_movie(request, storage, preview, lowdef=False, download_name=name)


@router.get("/movies/tiles/preview-files/{instance_id}.png")
async def tile(instance_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage):
    preview = await movies.readable_preview(session, caller, str(instance_id))
    if preview["status"] == "processing":
        return processing_response(request, str(instance_id))
    key = movies.picture_key(str(instance_id))
    bucket, size = await movies.locate(storage, [movies.TILES], key)
    return await _send(request, storage, bucket, key, size, preview, "image/png")


async def _serve_movie(
    request: Request, storage: Storage, preview: dict[str, Any], *, lowdef: bool, download_name: str | None = None
) -> Response:
    try:
        buckets = movies.movie_buckets(preview, lowdef)
    except movies.MovieProcessing as processing:
        return processing_response(request, processing.preview_file_id)
    key = movies.movie_key(str(preview["id"]))
    bucket, size = await movies.locate(storage, buckets, key)
    return await _send(request, storage, bucket, key, size, preview, "video/mp4", download_name)


async def _send(
    request: Request,
    storage: Storage,
    bucket: str,
    key: str,
    size: int,
    preview: dict[str, Any],
    media_type: str,
    download_name: str | None = None,
) -> Response:
    """A stored movie or tile, stamped with the preview's save time (downloads as attachments)."""
    return await send_stored_file(
        request,
        storage,
        bucket,
        key,
        media_type=media_type,
        last_modified=preview.get("updated_at"),
        download_name=download_name or "",
        attachment=download_name is not None,
        size=size,
    )


# --- frames, tiles and annotated frames ---


def _frame_number(request: Request, *, default: int | None, minimum: int | None = None) -> int | None:
    raw = request.query_params.get("frame_number")
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise WrongParameter("Wrong value for parameter frame_number.") from None
    if minimum is not None and value < minimum:
        raise WrongParameter(
            "Validation error.",
            {"errors": [{"field": "frame_number", "message": f"Input should be greater than or equal to {minimum}"}]},
        )
    return value


def _png(data: bytes, name: str) -> Response:
    headers = {"Content-Disposition": f"inline; filename={name}", "Cache-Control": "no-cache"}
    return Response(data, media_type="image/png", headers=headers)


def _attachment(data: bytes, name: str, media_type: str) -> Response:
    headers = {"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-cache"}
    return Response(data, media_type=media_type, headers=headers)


@router.get("/actions/preview-files/{preview_file_id}/extract-frame")
async def extract_frame(
    preview_file_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    number = _frame_number(request, default=0)
    data, name = await movies.extract_frame(session, storage, caller, str(preview_file_id), number)
    return _png(data, name)


@router.get("/actions/preview-files/{preview_file_id}/extract-tile")
async def extract_tile(preview_file_id: uuid.UUID, session: DbSession, caller: CurrentUser, storage: FileStorage):
    data = await movies.extract_tile(session, storage, caller, str(preview_file_id))
    return _png(data, f"{preview_file_id}_tile.png")


@router.get("/actions/preview-files/{preview_file_id}/extract-annotated-frame")
async def extract_annotated_frame(
    preview_file_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    number = _frame_number(request, default=None, minimum=1)
    data, name = await movies.extract_annotated_frame(session, storage, caller, str(preview_file_id), number)
    return _png(data, name)


@router.get("/actions/preview-files/{preview_file_id}/extract-annotated-frames")
async def extract_annotated_frames(
    preview_file_id: uuid.UUID, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    data, name = await movies.extract_annotated_frames_zip(session, storage, caller, str(preview_file_id))
    return _attachment(data, name, "application/zip")


@router.get("/actions/preview-files/{preview_file_id}/extract-annotated-frames-pdf")
async def extract_annotated_frames_pdf(
    preview_file_id: uuid.UUID, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    data, name = await movies.extract_annotated_frames_pdf(session, storage, caller, str(preview_file_id))
    return _attachment(data, name, "application/pdf")
