"""Movies: normalisation in a worker, serving with ranges, frames, tiles and annotated frames."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from app.core.errors import WrongParameter
from app.core.responses import JSONResponse
from app.domain import movies
from app.routers.deps import CurrentUser, DbSession, FileStorage

router = APIRouter(tags=["movies"])

MAX_AGE = 604800  # Zou's CLIENT_CACHE_MAX_AGE
RETRY_AFTER = 5
RANGE_ERROR = {"error": True, "message": "The server cannot provide the requested range."}


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
    return _send(request, storage, bucket, movies.movie_key(str(instance_id)), size, preview, "video/mp4")


@router.get("/movies/originals/preview-files/{instance_id}/download")
async def download_movie(
    instance_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    preview = await movies.readable_preview(session, caller, str(instance_id))
    name = await movies.download_name(session, str(instance_id))
    return await _serve_movie(request, storage, preview, lowdef=False, download_name=name)


@router.get("/movies/tiles/preview-files/{instance_id}.png")
async def tile(instance_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage):
    preview = await movies.readable_preview(session, caller, str(instance_id))
    if preview["status"] == "processing":
        return _processing(request, str(instance_id))
    key = movies.picture_key(str(instance_id))
    bucket, size = await movies.locate(storage, [movies.TILES], key)
    return _send(request, storage, bucket, key, size, preview, "image/png")


async def _serve_movie(
    request: Request, storage, preview: dict[str, Any], *, lowdef: bool, download_name: str | None = None
) -> Response:
    try:
        buckets = movies.movie_buckets(preview, lowdef)
    except movies.MovieProcessing as processing:
        return _processing(request, processing.preview_file_id)
    key = movies.movie_key(str(preview["id"]))
    bucket, size = await movies.locate(storage, buckets, key)
    return _send(request, storage, bucket, key, size, preview, "video/mp4", download_name)


def _wants_json(request: Request) -> bool:
    """Whether the Accept header ranks application/json above image/png (Zou's test)."""
    ranks = {"application/json": 0.0, "image/png": 0.0}
    specific = {key: -1 for key in ranks}  # how specific the matching range was
    for part in request.headers.get("accept", "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        for wanted in ranks:
            kind = wanted.split("/")[0]
            level = 2 if media == wanted else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
            if level > specific[wanted]:
                specific[wanted], ranks[wanted] = level, q
    return ranks["application/json"] > ranks["image/png"]


def _processing(request: Request, preview_file_id: str) -> Response:
    if _wants_json(request):
        body = {"status": "processing", "preview_file_id": preview_file_id}
        headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
        return JSONResponse(body, status_code=202, headers=headers)
    body = {"error": True, "message": "Preview file was not found."}
    return JSONResponse(body, status_code=404, headers={"Cache-Control": "no-store"})


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The single byte range asked for, clipped to the file; None when it cannot be served."""
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    first, last = first.strip(), last.strip()
    if first == "":
        if not last.isdigit() or int(last) == 0:
            return None
        return max(size - int(last), 0), size - 1
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end


def _send(
    request: Request,
    storage,
    bucket: str,
    key: str,
    size: int,
    preview: dict[str, Any],
    media_type: str,
    download_name: str | None = None,
) -> Response:
    """Stream a stored file as Zou's send_file does: validators, private caching, byte ranges."""
    updated = preview.get("updated_at") or datetime(1970, 1, 1)
    stamp = updated.replace(tzinfo=UTC)
    etag = f'"{bucket}-{stamp.timestamp():.6f}-{size}"'
    now = datetime.now(UTC)
    disposition = f"attachment; filename={download_name}" if download_name else 'inline; filename=""'
    headers = {
        "Content-Disposition": disposition,
        "Last-Modified": format_datetime(stamp, usegmt=True),
        "Cache-Control": f"max-age={MAX_AGE}, private",
        "Expires": format_datetime(now + timedelta(seconds=MAX_AGE), usegmt=True),
        "ETag": etag,
        "Accept-Ranges": "bytes",
    }
    if _not_modified(request, etag, stamp):
        return Response(status_code=304, headers=headers)
    start, end, status = 0, size - 1, 200
    asked = request.headers.get("range")
    if asked and _if_range_holds(request, etag, stamp):
        found = _parse_range(asked, size)
        if found is None:
            return JSONResponse(RANGE_ERROR, status_code=416, headers={"Content-Range": f"bytes */{size}"})
        start, end = found
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1 if size else 0)
    body = storage.stream(bucket, key, start, end) if size else _empty()
    return StreamingResponse(body, status_code=status, media_type=media_type, headers=headers)


async def _empty():
    if False:  # pragma: no cover - an empty async generator
        yield b""


def _not_modified(request: Request, etag: str, stamp: datetime) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        return match.strip() == "*" or etag in [tag.strip().removeprefix("W/") for tag in match.split(",")]
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return stamp.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _if_range_holds(request: Request, etag: str, stamp: datetime) -> bool:
    condition = request.headers.get("if-range")
    if not condition:
        return True
    if condition.strip().startswith(('"', "W/")):
        return condition.strip() == etag
    try:
        return stamp.replace(microsecond=0) <= parsedate_to_datetime(condition)
    except (TypeError, ValueError):
        return False


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
