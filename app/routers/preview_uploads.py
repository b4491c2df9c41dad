"""Preview uploads: adding a preview to a comment, the upload itself, serving preview pictures.

`stored_file_response` streams any stored file the way Zou's `send_file` answers: content type
and length, `Last-Modified`, `ETag`, `Cache-Control: max-age=604800, private`, `Expires`,
conditional requests (304) and single byte ranges (206, 416); other file routes may use it.
"""

from __future__ import annotations

import importlib
import logging
import re
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import APIRouter, BackgroundTasks, FastAPI, Request
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.responses import Response, StreamingResponse

from app.core.errors import NotFound, WrongParameter
from app.core.responses import JSONResponse
from app.core.storage import Storage
from app.domain import preview_uploads
from app.domain.preview_uploads import ServedFile, StillProcessing
from app.routers.bodies import read_body
from app.routers.deps import CurrentUser, DbSession, FileStorage
from app.routers.uploads import NO_FILE, receive_uploads

log = logging.getLogger(__name__)
router = APIRouter(tags=["preview-uploads"])

CLIENT_CACHE_MAX_AGE = 604800
"""Zou's CLIENT_CACHE_MAX_AGE: a week, private (the files are behind a login)."""
PROCESSING_RETRY_AFTER = 5
_TOKEN = re.compile(r"^[A-Za-z0-9!#$&+\-.^_`|~]+$")


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
    return await stored_file_response(request, storage, served)


# --- responses ---


def _quality(accept: str, media_type: str) -> float:
    """The quality an Accept header gives a media type (exact, then `type/*`, then `*/*`)."""
    main = media_type.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        kind = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        rank = 2 if kind == media_type else 1 if kind == f"{main}/*" else 0 if kind == "*/*" else -1
        if rank > best[0]:
            best = (rank, q)
    return best[1]


def processing_response(request: Request, preview_file_id: str) -> Response:
    """A preview whose files are still being built: 202 for a client that prefers JSON
    (come back in a few seconds), the usual 404 otherwise; never cached."""
    accept = request.headers.get("accept", "*/*")
    if _quality(accept, "application/json") > _quality(accept, "image/png"):
        return JSONResponse(
            {"status": "processing", "preview_file_id": preview_file_id},
            status_code=202,
            headers={"Retry-After": str(PROCESSING_RETRY_AFTER), "Cache-Control": "no-store"},
        )
    return JSONResponse(
        {"error": True, "message": "Preview file was not found."},
        status_code=404,
        headers={"Cache-Control": "no-store"},
    )


def _http_date(value: datetime) -> str:
    return format_datetime(value.replace(tzinfo=UTC) if value.tzinfo is None else value, usegmt=True)


def content_disposition(name: str) -> str:
    """`attachment; filename=...` as werkzeug writes it (quoted when needed, RFC 5987 for non-ASCII)."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        import unicodedata
        from urllib.parse import quote

        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        return f"attachment; filename={_quote(simple)}; filename*=UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"
    return f"attachment; filename={_quote(name)}"


def _quote(value: str) -> str:
    if _TOKEN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None | bool:
    """(start, end) of a single `bytes=` range; None for no (or an ignored multi-) range;
    False when unsatisfiable."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].strip().partition("-")
    try:
        if first == "":
            length = int(last)
            if length <= 0:
                return False
            return max(0, size - length), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        return False
    return start, min(end, size - 1)


async def stored_file_response(request: Request, storage: Storage, served: ServedFile) -> Response:
    """Stream a stored file with Zou's headers; 404 when the storage does not hold it."""
    size = await storage.size(served.bucket, served.key)
    if size is None:
        raise NotFound("Stored file not found.")
    modified = served.last_modified or datetime.now(UTC).replace(tzinfo=None)
    stamp = modified.replace(tzinfo=UTC).timestamp()
    etag = f'"{stamp}-{size}-{zlib.adler32(f"{served.bucket}/{served.key}".encode())}"'
    headers = {
        "Last-Modified": _http_date(modified),
        "Cache-Control": f"max-age={CLIENT_CACHE_MAX_AGE}, private",
        "Expires": _http_date(datetime.now(UTC) + timedelta(seconds=CLIENT_CACHE_MAX_AGE)),
        "ETag": etag,
        "Accept-Ranges": "bytes",
    }
    if served.download_name is not None:
        headers["Content-Disposition"] = content_disposition(served.download_name)
    if _not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    byte_range = _byte_range(request.headers.get("range"), size)
    if byte_range is False:
        return JSONResponse(
            {"error": True, "message": "The server cannot provide the requested range."},
            status_code=416,
            headers={"Content-Range": f"bytes */{size}"},
        )
    if byte_range is None:
        start, end, status = 0, size - 1, 200
    else:
        (start, end), status = byte_range, 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1 if size else 0)
    body = storage.stream(served.bucket, served.key, start, end) if size else _empty()
    return StreamingResponse(body, status_code=status, media_type=served.media_type, headers=headers)


async def _empty():
    return
    yield b""


def _not_modified(request: Request, etag: str, modified: datetime) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return modified.replace(tzinfo=UTC, microsecond=0) <= when
    return False
