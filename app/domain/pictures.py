"""Pictures of persons, organisations and projects; preview background files.

Avatars (Zou calls them thumbnails) are one 400x400 PNG per person, organisation or project,
stored in the `avatars` bucket under `<id>.png`; the row's `has_avatar` says one exists.
Preview background files are HDR environment pictures the review player lights 3D previews
with: a catalogue row, its file in the `backgrounds` bucket (`<id>.hdr`) and a 300x200 PNG
thumbnail beside it (`<id>.png`); studios pick them per production and per project template.

Pillow runs in a worker thread, never on the event loop; so does the small Radiance (RGBE)
decoder below, which reads only every n-th pixel of a large file to build the thumbnail.
"""

from __future__ import annotations

import asyncio
import functools
import math
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, NotFound, PermissionDenied, WrongParameter
from app.core.storage import Storage
from app.domain import events, stored_files
from app.domain.access import require_manager, require_member
from app.domain.permissions import Caller, manager_up, require, require_admin
from app.domain.pictures_processing import BIG_RECTANGLE_SIZE, BIG_SQUARE_SIZE, NotAPicture, fit_thumbnail, open_picture
from app.domain.project_templates import TEMPLATE_NOT_FOUND, TemplateNotFound, TemplateRefused
from app.domain.projects import present as present_project
from app.repositories.pictures import PictureRepository
from app.repositories.project_templates import ProjectTemplateRepository, bg_link
from app.repositories.projects import ProjectRepository

AVATAR_BUCKET = "avatars"
BACKGROUND_BUCKET = "backgrounds"
BACKGROUND_EXTENSIONS = frozenset(stored_files.BACKGROUND_EXTENSIONS)
"""What a preview background may be (Zou's list): the extension also names the stored file."""
CONTENT_TYPES = {"png": "image/png", "hdr": "image/vnd.radiance"}
FILE_NOT_PROVIDED = "File not provided."
IN_USE = "The change conflicts with records referencing this one."
NAME_TAKEN = "A preview background file with similar name already exists"
NOT_LINKED = "Preview background file is not linked to this template"
BACKGROUND_TYPE = "PreviewBackgroundFile"

# kind (URL segment) -> (event prefix, event key)
AVATAR_KINDS = {
    "persons": ("person", "person_id"),
    "organisations": ("organisation", "organisation_id"),
    "projects": ("project", "project_id"),
}


@dataclass(frozen=True, slots=True)
class StoredPicture:
    """A stored file to send: where it is, what it is, when its row was last saved."""

    bucket: str
    key: str
    content_type: str
    last_modified: datetime | None
    download_name: str = ""


class RefusedUpload(WrongParameter):
    """A refused background upload whose cleanup (the row is removed, as Zou does) must still be
    committed: the router answers it without raising, so the request's transaction commits."""


def avatar_key(instance_id: str) -> str:
    return f"{instance_id}.png"


# --- avatars -------------------------------------------------------------------------------------


async def check_avatar_upload(session: AsyncSession, caller: Caller, kind: str, instance_id: str) -> None:
    """Zou's order: an unknown row is a 404, then who may upload (403), before the body is read.
    Persons: themselves or an admin; organisations: admins; projects: the production's managers."""
    repo = PictureRepository(session)
    if kind == "projects":
        await require_manager(session, caller, instance_id)
        return
    if not await repo.exists(kind, instance_id):
        raise NotFound(f"{kind} {instance_id} not found")
    if kind == "persons" and caller.id == instance_id:
        return
    require_admin(caller)


async def save_avatar(
    session: AsyncSession, storage: Storage, caller: Caller, kind: str, instance_id: str, source: BinaryIO
) -> dict[str, str]:
    """Turn the upload into the 400x400 PNG, store it, then set `has_avatar` (only once the
    picture is stored, so the flag never announces a missing file)."""
    try:
        data = await asyncio.to_thread(_avatar_png, source)
    except NotAPicture as exc:
        raise WrongParameter(str(exc)) from None
    await storage.write_bytes(AVATAR_BUCKET, avatar_key(instance_id), data)
    await PictureRepository(session).set_avatar(kind, instance_id, True)
    prefix, key = AVATAR_KINDS[kind]
    if kind == "projects":
        await events.emit(session, "project:update", {}, project_id=instance_id, user_id=caller.id)
    else:
        await events.emit(session, f"{prefix}:update", {key: instance_id}, user_id=caller.id)
    await events.emit(session, f"{prefix}:set-thumbnail", {key: instance_id}, user_id=caller.id)
    return {"thumbnail_path": f"pictures/thumbnails/{kind}/{instance_id}.png"}


async def avatar_for_read(session: AsyncSession, caller: Caller, kind: str, instance_id: str) -> StoredPicture:
    """The avatar to send, after the one permission query: anyone logged in reads persons' and the
    organisation's pictures; a project's needs a studio manager or a member of its team."""
    state = await PictureRepository(session).avatar_state(kind, instance_id, caller.id)
    if state is None or not state["has_avatar"]:
        raise NotFound(f"no picture for {kind} {instance_id}")
    if kind == "projects" and not caller.is_manager and not state["on_team"]:
        raise PermissionDenied()
    return StoredPicture(AVATAR_BUCKET, avatar_key(instance_id), CONTENT_TYPES["png"], state["updated_at"])


def _png_bytes(im: Image.Image) -> bytes:
    out = BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def _avatar_png(source: BinaryIO) -> bytes:
    return _png_bytes(fit_thumbnail(open_picture(source), BIG_SQUARE_SIZE))


# --- preview background files: the files ------------------------------------------------------


async def check_background_upload(session: AsyncSession, caller: Caller, background_id: str) -> None:
    require_admin(caller)
    if await PictureRepository(session).background(background_id) is None:
        raise NotFound(f"PreviewBackgroundFile {background_id} not found")


def split_file_name(file_name: str | None) -> tuple[str, str]:
    """(name without extension, lower-case extension) of a client's file name, kept as data only
    (the stored file is named from the id and the allowed extension). Directories are dropped."""
    base = PurePosixPath((file_name or "").replace("\\", "/")).name
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = "", base
    return stem[:250], extension.lower()


async def save_background(
    session: AsyncSession,
    storage: Storage,
    caller: Caller,
    background_id: str,
    source: BinaryIO,
    file_name: str | None,
    chunks: AsyncIterator[bytes],
) -> dict[str, Any]:
    """Store an uploaded background and its thumbnail. A file that is not an HDR picture removes
    the background row (as Zou does: the UI creates the row, then uploads) and is refused."""
    repo = PictureRepository(session)
    original_name, extension = split_file_name(file_name)
    if extension not in BACKGROUND_EXTENSIONS:
        await _drop_background(session, background_id)
        raise RefusedUpload(f"Wrong file format, extension: {extension}")
    try:
        thumbnail = await asyncio.to_thread(_hdr_thumbnail_png, source)
    except NotAPicture:
        await _drop_background(session, background_id)
        raise RefusedUpload(f"Error while saving preview background file and thumbnail: {background_id}") from None
    size = await storage.write(BACKGROUND_BUCKET, f"{background_id}.{extension}", chunks)
    await storage.write_bytes(BACKGROUND_BUCKET, f"{background_id}.png", thumbnail)
    row = await repo.update_background(
        background_id, {"extension": extension, "original_name": original_name, "file_size": size}
    )
    await events.emit(
        session, "preview-background-file:update", {"preview_background_file_id": background_id}, user_id=caller.id
    )
    await events.emit(
        session,
        "preview-background-file:add-file",
        {"preview_background_file_id": background_id, "extension": extension},
        user_id=caller.id,
    )
    return present_background(row)


async def _drop_background(session: AsyncSession, background_id: str) -> None:
    """Remove a background whose upload failed, with its files (after the commit); one still in use stays."""
    repo = PictureRepository(session)
    if await repo.background_in_use(background_id):
        return
    await repo.delete_background(background_id)
    discard_background_files(session, background_id)


def discard_background_files(session: AsyncSession, background_id: str) -> None:
    """The background's stored files go once its removal is committed."""
    stored_files.discard_many(session, stored_files.background_keys(background_id))


async def background_file(session: AsyncSession, background_id: str, extension: str) -> StoredPicture:
    state = await PictureRepository(session).background_file_state(background_id)
    extension = extension.lower()
    if state is None or state["extension"] != extension or extension not in BACKGROUND_EXTENSIONS:
        raise NotFound(f"PreviewBackgroundFile {background_id} has no .{extension} file")
    name = f"{state['original_name'] or ''}.{extension}"
    return StoredPicture(
        BACKGROUND_BUCKET,
        f"{background_id}.{extension}",
        CONTENT_TYPES.get(extension, "application/octet-stream"),
        state["updated_at"],
        name,
    )


async def background_thumbnail(session: AsyncSession, background_id: str) -> StoredPicture:
    state = await PictureRepository(session).background_file_state(background_id)
    if state is None:
        raise NotFound(f"PreviewBackgroundFile {background_id} not found")
    return StoredPicture(BACKGROUND_BUCKET, f"{background_id}.png", CONTENT_TYPES["png"], state["updated_at"])


def present_background(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "type": BACKGROUND_TYPE}


# --- preview background files: productions ---------------------------------------------------


async def project_backgrounds(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    await require_member(session, caller, project_id)
    rows = await ProjectRepository(session).project_settings("preview_background_files", project_id)
    return [present_background(row) for row in rows]


async def add_project_background(
    session: AsyncSession, caller: Caller, project_id: str, background_id: str
) -> dict[str, Any]:
    """Link a background to the production; saving the project (and its event) only when the
    link is new, as Zou does."""
    await require_manager(session, caller, project_id)
    repo = ProjectRepository(session)
    row = await repo.get(project_id)
    if row is None:
        raise NotFound(f"Project {project_id} not found")
    valid = _uuid_or_none(background_id)
    if valid is None or not await repo.target_exists("preview_background_files", valid):
        raise WrongParameter(f"{BACKGROUND_TYPE} with id {background_id} not found")
    if not await repo.add_link("preview_background_files", project_id, valid):
        return present_project(row)
    return await _save_project(session, caller, project_id)


async def remove_project_background(session: AsyncSession, caller: Caller, project_id: str, background_id: str):
    await require_manager(session, caller, project_id)
    await ProjectRepository(session).remove_links("preview_background_files", project_id, [background_id])
    await _save_project(session, caller, project_id)


async def _save_project(session: AsyncSession, caller: Caller, project_id: str) -> dict[str, Any]:
    row = await ProjectRepository(session).touch(project_id)
    if row is None:
        raise NotFound(f"Project {project_id} not found")
    await events.emit(session, "project:update", {}, project_id=project_id, user_id=caller.id)
    return present_project(row)


def _uuid_or_none(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


# --- preview background files: project templates -------------------------------------------


async def _template(session: AsyncSession, template_id: str) -> dict[str, Any]:
    row = await ProjectTemplateRepository(session).get(template_id)
    if row is None:
        raise TemplateNotFound(TEMPLATE_NOT_FOUND)
    return row


async def _template_changed(session: AsyncSession, caller: Caller, template_id: str) -> None:
    await events.emit(session, "project-template:update", {"project_template_id": template_id}, user_id=caller.id)


async def template_backgrounds(session: AsyncSession, caller: Caller, template_id: str) -> list[dict[str, Any]]:
    require(manager_up, caller)
    await _template(session, template_id)
    return await PictureRepository(session).template_backgrounds(template_id)


async def add_template_background(
    session: AsyncSession, caller: Caller, template_id: str, background_id: Any
) -> dict[str, Any]:
    require_admin(caller)
    valid = _uuid_or_none(background_id)
    if valid is None:
        raise TemplateRefused("preview_background_file_id is required and must be a valid UUID")
    row = await PictureRepository(session).background(valid)
    if row is None:
        raise TemplateRefused(f"Preview background file {background_id} does not exist")
    await _template(session, template_id)
    await ProjectTemplateRepository(session).add_plain_link(bg_link, template_id, "preview_background_file_id", valid)
    await _template_changed(session, caller, template_id)
    return {"id": row["id"], "name": row["name"], "is_default": bool(row["is_default"])}


async def remove_template_background(session: AsyncSession, caller: Caller, template_id: str, background_id: str):
    require_admin(caller)
    await _template(session, template_id)
    await ProjectTemplateRepository(session).delete_link(
        bg_link, template_id, "preview_background_file_id", background_id
    )
    await PictureRepository(session).clear_template_default(template_id, background_id)
    await _template_changed(session, caller, template_id)


async def set_template_default_background(
    session: AsyncSession, caller: Caller, template_id: str, background_id: Any
) -> dict[str, Any]:
    require_admin(caller)
    await _template(session, template_id)
    if background_id is not None:
        valid = _uuid_or_none(background_id)
        if valid is None or not await PictureRepository(session).template_has_background(template_id, valid):
            raise TemplateRefused(NOT_LINKED)
        background_id = valid
    row = await ProjectTemplateRepository(session).update(
        template_id, {"default_preview_background_file_id": background_id}
    )
    await _template_changed(session, caller, template_id)
    return {**row, "type": "ProjectTemplate"}


# --- the catalogue's rules (used by the registry hooks) ------------------------------------


async def check_background_name(session: AsyncSession, name: Any, except_id: str | None = None) -> None:
    if isinstance(name, str) and await PictureRepository(session).background_named(name, except_id):
        raise WrongParameter(NAME_TAKEN)


async def check_background_unused(session: AsyncSession, background_id: str) -> None:
    if await PictureRepository(session).background_in_use(background_id):
        raise Conflict(IN_USE)


# --- Radiance HDR (RGBE) thumbnails ----------------------------------------------------------

_HDR_SAMPLE = 600
"""The decoded picture keeps about this many pixels on its long side before Pillow resizes it."""


class _Reader:
    """Buffered reads over the upload's file, a megabyte at a time."""

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self.buffer = b""
        self.pos = 0

    def take(self, size: int) -> bytes:
        end = self.pos + size
        if end > len(self.buffer):
            self.buffer = self.buffer[self.pos :] + self.source.read(max(size, 1 << 20))
            self.pos, end = 0, size
            if size > len(self.buffer):
                raise NotAPicture()
        out = self.buffer[self.pos : end]
        self.pos = end
        return out


@functools.cache
def _rgbe_to_srgb8() -> bytes:
    """8-bit display value of every (exponent, mantissa) pair: clipped to [0, 1], gamma 2.2."""
    table = bytearray(65536)
    for exponent in range(1, 256):
        scale = math.ldexp(1.0, exponent - 136)
        for mantissa in range(256):
            value = min(1.0, (mantissa + 0.5) * scale) if mantissa else 0.0
            table[(exponent << 8) | mantissa] = round(255 * value ** (1 / 2.2))
    return bytes(table)


def _scanline(reader: _Reader, width: int) -> tuple[bytes, bytes, bytes, bytes]:
    """The R, G, B and E bytes of one scanline (adaptive RLE, else flat pixels)."""
    head = reader.take(4)
    if 8 <= width < 32768 and head[0] == 2 and head[1] == 2 and not head[2] & 0x80:
        if (head[2] << 8) | head[3] != width:
            raise NotAPicture()
        channels = []
        for _ in range(4):
            out = bytearray()
            while len(out) < width:
                count = reader.take(1)[0]
                if count > 128:
                    out += reader.take(1) * (count - 128)
                elif count:
                    out += reader.take(count)
                else:
                    raise NotAPicture()
            if len(out) != width:
                raise NotAPicture()
            channels.append(bytes(out))
        return channels[0], channels[1], channels[2], channels[3]
    flat = head + reader.take(width * 4 - 4)
    return flat[0::4], flat[1::4], flat[2::4], flat[3::4]


def _read_hdr(source: BinaryIO) -> Image.Image:
    """A Radiance picture as 8-bit sRGB, sampled down to about `_HDR_SAMPLE` pixels wide."""
    source.seek(0)
    reader = _Reader(source)
    magic = reader.take(2)
    if magic != b"#?":
        raise NotAPicture()
    header = bytearray()
    while not header.endswith(b"\n\n"):
        header += reader.take(1)
        if len(header) > 65536:
            raise NotAPicture()
    for line in header.split(b"\n"):
        if line.startswith(b"FORMAT=") and line.strip() != b"FORMAT=32-bit_rle_rgbe":
            raise NotAPicture()
    resolution = bytearray()
    while not resolution.endswith(b"\n"):
        resolution += reader.take(1)
        if len(resolution) > 64:
            raise NotAPicture()
    parts = resolution.split()
    if len(parts) != 4 or parts[0] not in (b"-Y", b"+Y") or parts[2] != b"+X":
        raise NotAPicture()
    try:
        height, width = int(parts[1]), int(parts[3])
    except ValueError:
        raise NotAPicture() from None
    if not (0 < width <= 65535 and 0 < height <= 65535):
        raise NotAPicture()
    step = max(1, max(width, height) // _HDR_SAMPLE)
    lut = _rgbe_to_srgb8()
    red, green, blue = bytearray(), bytearray(), bytearray()
    rows = 0
    for y in range(height):
        r, g, b, e = _scanline(reader, width)
        if y % step:
            continue
        e = e[::step]
        red += bytes(lut[(x << 8) | m] for x, m in zip(e, r[::step], strict=True))
        green += bytes(lut[(x << 8) | m] for x, m in zip(e, g[::step], strict=True))
        blue += bytes(lut[(x << 8) | m] for x, m in zip(e, b[::step], strict=True))
        rows += 1
    size = (len(range(0, width, step)), rows)
    im = Image.merge("RGB", [Image.frombytes("L", size, bytes(channel)) for channel in (red, green, blue)])
    if parts[0] == b"+Y":
        im = im.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return im


def _hdr_thumbnail_png(source: BinaryIO) -> bytes:
    return _png_bytes(fit_thumbnail(_read_hdr(source), BIG_RECTANGLE_SIZE))
