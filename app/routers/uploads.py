"""Receiving uploaded files: size-limited, streamed, never trusted for names.

`receive_upload(request)` answers the uploaded file of a multipart request (field `file`,
else the first file part). The body is counted while it arrives: a declared or actual size
over `Settings.max_upload_mb` stops the request with 413 before anything is written.
python-multipart spools each file part to a temporary file past 1 MB, so memory stays
bounded whatever the upload size. The client's file name is kept only as data (Zou stores
the original name and extension); storage keys come from ids (`app/core/storage.py`).
"""

from __future__ import annotations

from pathlib import PurePath

from fastapi import Request
from starlette.datastructures import UploadFile

from app.core.errors import PayloadTooLarge, WrongParameter

NO_FILE = "No file was uploaded."


def _limit(request: Request) -> int:
    return request.app.state.settings.max_upload_mb * 1024 * 1024


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The upload is larger than the {limit // (1024 * 1024)} MB limit.")


def guard_size(request: Request) -> None:
    """Refuse a declared length over the limit, and count the body as it streams in."""
    limit = _limit(request)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    receive = request._receive
    seen = 0

    async def counting_receive():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _too_large(limit)
        return message

    request._receive = counting_receive


async def receive_uploads(request: Request) -> tuple[list[UploadFile], dict[str, str]]:
    """Every uploaded file part, and the plain form fields, of a size-checked multipart body."""
    guard_size(request)
    if "multipart/form-data" not in request.headers.get("content-type", ""):
        raise WrongParameter(NO_FILE)
    try:
        form = await request.form(max_files=100, max_fields=1000)
    except PayloadTooLarge:
        raise
    except Exception as exc:  # malformed multipart bodies
        raise WrongParameter(f"The upload could not be read: {exc}") from None
    files = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    return files, fields


async def receive_upload(request: Request, field: str = "file") -> UploadFile:
    """The uploaded file (the `field` part, else the first file part); 400 when none."""
    files, _ = await receive_uploads(request)
    if not files:
        raise WrongParameter(NO_FILE)
    form = await request.form()
    named = form.get(field)
    return named if isinstance(named, UploadFile) else files[0]


def extension_of(upload: UploadFile) -> str:
    """The lower-case extension of the client's file name, without the dot ('' when none).
    Only ever used as data or matched against a fixed list, never to build a path."""
    suffix = PurePath(upload.filename or "").suffix.lower().lstrip(".")
    return suffix if suffix.isalnum() and len(suffix) <= 8 else ""


async def upload_chunks(upload: UploadFile, size: int = 1024 * 1024):
    """The uploaded file's bytes in chunks, for `Storage.write`."""
    await upload.seek(0)
    while chunk := await upload.read(size):
        yield chunk
