"""Preview uploads: a preview slot on a comment, the upload that fills it, and who may see its pictures.

- `add_preview`: a new `preview_file` row for a task (the next revision, or the comment's
  revision with the next position), linked to the comment; `preview-file:new`, `comment:update`.
- `upload_preview`: the file of a preview. Pictures (png, jpg) are decoded by Pillow outside the
  event loop into the four stored pictures (`originals`, `previews`, `thumbnails`,
  `thumbnails-square`, key `<id>.png`); the preview is `ready` at once and becomes the task's
  last preview. Movies are stored as they came (`movies-source`, key `<id>`) and stay
  `processing`: the router hands them to the movie worker after the commit. Other known file
  kinds (pdf, zip, glb...) are stored as `originals/<id>.<ext>`. A file that is not what its
  extension says is refused with nothing stored; an unknown extension removes the preview as
  Zou does.
- `served_file`: the stored file behind a `GET /pictures/.../preview-files/...` route, after
  the access check (one query): a thumbnail that is the main preview of a shared entity is
  public to every logged-in non-vendor, as in Zou.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import slugify
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from app.core.errors import DomainError, NotFound, PermissionDenied, WrongParameter
from app.core.storage import Storage
from app.domain import events
from app.domain.access import ProjectScope
from app.domain.entity_kinds import EPISODE, SEQUENCE, SHOT, TEMPORAL_KINDS
from app.domain.permissions import ADMIN, Caller
from app.domain.pictures_processing import NotAPicture, process_picture
from app.domain.task_access import check_task_action_access, load_task
from app.repositories.preview_uploads import PreviewUploadRepository

TYPE = "PreviewFile"
ALLOWED_PICTURE_EXTENSIONS = frozenset({"jpe", "jpeg", "jpg", "png"})
ALLOWED_MOVIE_EXTENSIONS = frozenset({"avi", "m4v", "mkv", "mov", "mp4", "webm", "wmv"})
ALLOWED_FILE_EXTENSIONS = frozenset(
    {
        "ae", "ai", "blend", "clip", "comp", "diff", "exr", "fbx", "fla", "flv", "gif", "glb", "gltf", "hip",
        "kra", "ma", "mb", "md", "mp3", "obj", "pdf", "psd", "psb", "rar", "rev", "riv", "sai", "sai2", "sbbkp",
        "svg", "swf", "tvpp", "wav", "zip",
    }
)  # fmt: skip
"""Zou's lists: what a preview upload accepts, by the extension of the client's file name."""

PICTURE_BUCKETS = ("originals", "previews", "thumbnails", "thumbnails-square")
MOVIE_SOURCE_BUCKET = "movies-source"
MOVIE_BUCKETS = ("movies-high", "movies-low", "movies-source")
PICTURE_MEDIA_TYPE = "image/png"
EMPTY_MOVIE = (
    "Uploaded movie could not be written to temporary storage or is empty; aborting before dispatching normalization."
)
REUPLOAD = "The browser (or proxy) sent a request that this server could not understand."
FILE_NOT_PROVIDED = "File not provided."


class BadRequest(DomainError):
    """Zou's plain 400 (a werkzeug BadRequest): `error` and `message`, no `data`."""

    def body(self) -> dict:
        return {"error": True, "message": self.message}


def picture_key(preview_file_id: str) -> str:
    """The storage key of a preview's pictures (every bucket of `PICTURE_BUCKETS`)."""
    return f"{preview_file_id}.png"


def file_key(preview_file_id: str, extension: str) -> str:
    """The storage key of a non-picture, non-movie preview file (bucket `originals`)."""
    return f"{preview_file_id}.{extension}"


def present(row: dict[str, Any], comment_ids: list[str] | None = None) -> dict[str, Any]:
    """A preview file as Zou serializes it (columns in table order, `comments` when asked)."""
    out = dict(row)
    if comment_ids is not None:
        out["comments"] = comment_ids
    out["type"] = TYPE
    return out


# --- add-preview ---


async def add_preview(
    session: AsyncSession, caller: Caller, task_id: str, comment_id: str, revision: int | None
) -> dict[str, Any]:
    """Zou's `add_preview_file_to_comment`: a processing preview slot on the comment."""
    task = await load_task(session, task_id)
    await check_task_action_access(session, caller, task)
    repo = PreviewUploadRepository(session)
    await repo.lock_task_revisions(task_id)
    comment = await repo.comment_with_previews(comment_id)
    if comment is None or comment["object_id"] != task_id:
        raise NotFound("Comment not found.")
    project_id = task["project_id"]
    position = 1
    if revision is None and not comment["nb_previews"]:
        revision = await repo.next_revision(task_id)
    elif revision is None:
        revision = comment["first_revision"]
        position = await repo.next_position(task_id, revision)
    else:
        if not comment["nb_previews"] and await repo.revision_taken(task_id, revision):
            raise BadRequest(
                f"Revision {revision} already exists for this task. Choose a different revision number, "
                "or omit it to let the revision auto-increment."
            )
        position = await repo.next_position(task_id, revision)
    if position > 1 and await repo.single_preview_per_revision(project_id):
        raise BadRequest("Only one preview file is allowed per revision for this project.")
    row = await repo.insert(
        {"name": _short_name(), "revision": revision, "task_id": task_id, "person_id": caller.id, "position": position}
    )
    await events.emit(
        session,
        "preview-file:new",
        {"preview_file_id": row["id"], "comment_id": comment_id},
        project_id=project_id,
        user_id=caller.id,
    )
    await repo.link_to_comment(comment_id, row["id"])
    await events.emit(session, "comment:update", _comment_payload(comment), project_id=project_id, user_id=caller.id)
    return present(row, [comment_id])


def _short_name() -> str:
    return str(uuid.uuid4())[:13]


def _comment_payload(comment: dict[str, Any]) -> dict[str, Any]:
    return {
        "comment_id": comment["id"],
        "task_id": comment["object_id"],
        "person_id": comment["person_id"],
        "for_client": bool(comment["for_client"]),
    }


# --- the upload ---


@dataclass
class UploadOutcome:
    """What the upload did: the preview as answered, or (`refused`) the 400 to answer after
    the preview was removed; `movie` when the worker must take the source movie over."""

    preview: dict[str, Any] | None = None
    refused: WrongParameter | None = None
    movie: bool = False


def split_file_name(name: str | None) -> tuple[str, str]:
    """(original name, lower-case extension) of a client's file name, read as Zou does:
    everything after the last dot is the extension. Data only, never a path."""
    parts = (name or "").split(".")
    extension = parts.pop().lower()
    return ".".join(parts)[:250], extension


async def upload_preview(
    session: AsyncSession,
    storage: Storage,
    caller: Caller,
    preview_file_id: str,
    receive: Callable[[], Awaitable[UploadFile | None]],
) -> UploadOutcome:
    """Zou's `POST /pictures/preview-files/<id>`: check, read the upload, store its files."""
    repo = PreviewUploadRepository(session)
    ctx = await repo.upload_context(preview_file_id)
    if ctx is None:
        raise NotFound("Preview file not found.")
    if ctx["original_name"]:
        raise BadRequest(REUPLOAD)
    await check_task_action_access(session, caller, await load_task(session, ctx["task_id"]))
    upload = await receive()
    if upload is None:
        raise WrongParameter(FILE_NOT_PROVIDED)
    original_name, extension = split_file_name(upload.filename)
    if extension in ALLOWED_PICTURE_EXTENSIONS:
        row = await _store_picture(session, storage, caller, ctx, upload, original_name)
        movie = False
    elif extension in ALLOWED_MOVIE_EXTENSIONS:
        size = await storage.write(MOVIE_SOURCE_BUCKET, preview_file_id, _chunks(upload))
        if size == 0:
            await storage.delete(MOVIE_SOURCE_BUCKET, preview_file_id)
            await repo.delete_fresh_preview(preview_file_id)
            return UploadOutcome(refused=WrongParameter(EMPTY_MOVIE))
        row = await repo.update(preview_file_id, {"extension": "mp4", "original_name": original_name})
        await _emit_update(session, caller, row, ctx["project_id"])
        movie = True
    elif extension in ALLOWED_FILE_EXTENSIONS:
        size = await storage.write("originals", file_key(preview_file_id, extension), _chunks(upload))
        row = await repo.update(
            preview_file_id,
            {"extension": extension, "original_name": original_name, "status": "ready", "file_size": size},
        )
        await _emit_update(session, caller, row, ctx["project_id"])
        movie = False
    else:
        await repo.delete_fresh_preview(preview_file_id)
        return UploadOutcome(refused=WrongParameter(f"Wrong file format, extension: {extension[:50]}"))
    await _emit_added(session, caller, ctx, row)
    return UploadOutcome(preview=present(row), movie=movie)


async def _chunks(upload: UploadFile, size: int = 1024 * 1024):
    await upload.seek(0)
    while chunk := await upload.read(size):
        yield chunk


async def _store_picture(
    session: AsyncSession,
    storage: Storage,
    caller: Caller,
    ctx: dict[str, Any],
    upload: UploadFile,
    original_name: str,
) -> dict[str, Any]:
    """Decode and resize outside the event loop, store the four pictures (all or none), then
    mark the preview ready, make it the task's last preview and, when the project automates
    it, its entity's main preview."""
    preview_file_id = ctx["id"]
    folder = await asyncio.to_thread(tempfile.mkdtemp, prefix="tsubame-picture-")
    written: list[str] = []
    try:
        await upload.seek(0)
        try:
            pictures = await asyncio.to_thread(process_picture, upload.file, folder)
        except NotAPicture as exc:
            raise WrongParameter(str(exc)) from None
        key = picture_key(preview_file_id)
        try:
            for bucket in PICTURE_BUCKETS:
                written.append(bucket)
                await storage.write_file(bucket, key, pictures.paths[bucket])
        except BaseException:
            for bucket in written:
                await storage.delete(bucket, key)
            raise
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)
    repo = PreviewUploadRepository(session)
    row = await repo.update(
        preview_file_id,
        {
            "extension": "png",
            "original_name": original_name,
            "width": pictures.width,
            "height": pictures.height,
            "file_size": pictures.file_size,
            "status": "ready",
        },
    )
    project_id = ctx["project_id"]
    await _emit_update(session, caller, row, project_id)
    if row["position"] == 1:
        await repo.set_task_last_preview(row["task_id"], preview_file_id)
        if ctx["is_set_preview_automated"] and ctx["entity_id"] is not None:
            entity = await repo.set_entity_preview(ctx["entity_id"], preview_file_id)
            await _emit_set_main(session, caller, entity, preview_file_id, row["status"])
    return row


async def _emit_update(session: AsyncSession, caller: Caller, row: dict[str, Any], project_id: str) -> None:
    await events.emit(
        session,
        "preview-file:update",
        {"preview_file_id": row["id"], "status": row["status"]},
        project_id=project_id,
        user_id=caller.id,
    )


async def _emit_set_main(
    session: AsyncSession, caller: Caller, entity: dict[str, Any], preview_file_id: str, status: str
) -> None:
    project_id = entity["project_id"]
    await events.emit(
        session,
        "preview-file:set-main",
        {"entity_id": entity["id"], "preview_file_id": preview_file_id, "preview_file_status": status},
        project_id=project_id,
        user_id=caller.id,
    )
    kind = entity["entity_type_name"]
    prefix = kind.lower() if kind in TEMPORAL_KINDS else "asset"
    await events.emit(
        session, f"{prefix}:update", {f"{prefix}_id": entity["id"]}, project_id=project_id, user_id=caller.id
    )


async def _emit_added(session: AsyncSession, caller: Caller, ctx: dict[str, Any], row: dict[str, Any]) -> None:
    """Zou's `emit_app_preview_event`: the comment changed, a file arrived on the preview."""
    if ctx["comment_id"] is None:
        return
    project_id = ctx["project_id"]
    comment = {
        "id": ctx["comment_id"],
        "object_id": ctx["comment_object_id"],
        "person_id": ctx["comment_person_id"],
        "for_client": ctx["comment_for_client"],
    }
    await events.emit(session, "comment:update", _comment_payload(comment), project_id=project_id, user_id=caller.id)
    await events.emit(
        session,
        "preview-file:add-file",
        {
            "comment_id": ctx["comment_id"],
            "task_id": row["task_id"],
            "preview_file_id": row["id"],
            "revision": row["revision"],
            "extension": row["extension"],
            "status": row["status"],
        },
        project_id=project_id,
        user_id=caller.id,
    )


# --- serving ---


@dataclass
class ServedFile:
    """A stored file to stream: where it is, how to label it."""

    bucket: str
    key: str
    media_type: str
    last_modified: datetime | None
    download_name: str | None = None
    """Set for downloads (an attachment disposition)."""


@dataclass
class StillProcessing:
    """The preview's files are not built yet."""

    preview_file_id: str


THUMBNAIL_RULE = "thumbnail"
"""Zou's rule for thumbnails and the original picture: a shared entity's main preview is
visible to every logged-in person but vendors; otherwise project and entity access."""
TASK_RULE = "task"
"""Zou's `check_task_access`: project and entity access."""


async def _access(session: AsyncSession, caller: Caller, preview_file_id: str, rule: str) -> dict[str, Any]:
    ctx = await PreviewUploadRepository(session).access_context(preview_file_id, caller.id)
    if ctx is None:
        raise NotFound("Preview file not found.")
    if caller.role == ADMIN:
        return ctx
    team_role = ctx["team_role"]
    role = team_role if ctx["on_team"] and team_role not in (None, ADMIN) else caller.role
    scope = ProjectScope(ctx["project_id"], caller, bool(ctx["on_team"]), role)
    if (
        rule == THUMBNAIL_RULE
        and ctx["entity_preview_file_id"] == preview_file_id
        and ctx["is_shared"]
        and not scope.is_vendor
    ):
        return ctx
    if not scope.is_member:
        raise PermissionDenied()
    if scope.is_vendor and not ctx["assigned_on_entity"]:
        raise PermissionDenied()
    return ctx


async def served_picture(
    session: AsyncSession, caller: Caller, preview_file_id: str, bucket: str
) -> ServedFile | StillProcessing:
    """One of the preview's pictures (`originals`, `previews`, `thumbnails`, `thumbnails-square`)."""
    rule = TASK_RULE if bucket == "previews" else THUMBNAIL_RULE
    ctx = await _access(session, caller, preview_file_id, rule)
    if ctx["status"] == "processing":
        return StillProcessing(preview_file_id)
    return ServedFile(bucket, picture_key(preview_file_id), PICTURE_MEDIA_TYPE, ctx["updated_at"])


async def served_original(
    session: AsyncSession, caller: Caller, preview_file_id: str, extension: str
) -> ServedFile | StillProcessing:
    """`GET /pictures/originals/preview-files/<id>.<extension>`: the original of any kind."""
    ctx = await _access(session, caller, preview_file_id, TASK_RULE)
    extension = extension.lower()
    if extension not in ALLOWED_PICTURE_EXTENSIONS | ALLOWED_FILE_EXTENSIONS:
        raise WrongParameter(f"Extension not allowed: {extension[:50]}")
    if ctx["status"] == "processing":
        return StillProcessing(preview_file_id)
    if extension == "png":
        return ServedFile("originals", picture_key(preview_file_id), PICTURE_MEDIA_TYPE, ctx["updated_at"])
    media_type = "application/pdf" if extension == "pdf" else "application/octet-stream"
    return ServedFile("originals", file_key(preview_file_id, extension), media_type, ctx["updated_at"])


async def served_download(
    session: AsyncSession, storage: Storage, caller: Caller, preview_file_id: str
) -> ServedFile | StillProcessing:
    """`GET /pictures/originals/preview-files/<id>/download`: the original as an attachment
    named after the project, entity, task type and revision."""
    ctx = await _access(session, caller, preview_file_id, TASK_RULE)
    if ctx["status"] == "processing":
        return StillProcessing(preview_file_id)
    extension = ctx["extension"] or ""
    name = await download_name(session, preview_file_id)
    if extension == "png":
        served = ServedFile("originals", picture_key(preview_file_id), PICTURE_MEDIA_TYPE, ctx["updated_at"])
    elif extension == "mp4":
        served = await _stored_movie(storage, preview_file_id, ctx["updated_at"])
    elif extension in ALLOWED_FILE_EXTENSIONS:
        media_type = "application/pdf" if extension == "pdf" else "application/octet-stream"
        served = ServedFile("originals", file_key(preview_file_id, extension), media_type, ctx["updated_at"])
    else:
        raise NotFound("Preview file not found.")
    served.download_name = name
    return served


async def _stored_movie(storage: Storage, preview_file_id: str, updated_at: datetime | None) -> ServedFile:
    """The best movie stored for the preview: high definition, low definition, then the source."""
    for bucket in MOVIE_BUCKETS:
        for key in (f"{preview_file_id}.mp4", preview_file_id):
            if await storage.exists(bucket, key):
                return ServedFile(bucket, key, "video/mp4", updated_at)
    raise NotFound("Movie file not found.")


async def download_name(session: AsyncSession, preview_file_id: str) -> str:
    """Zou's download name: `<project>_<entity>_<task type>_v<revision>[-<position>].<ext>`,
    slugified, or the original name when the organisation says so."""
    parts = await PreviewUploadRepository(session).download_name_parts(preview_file_id)
    if parts is None:
        raise NotFound("Preview file not found.")
    if parts["use_original_file_name"] and parts["original_name"] is not None:
        name = parts["original_name"]
    else:
        raw = f"{parts['project_name']}_{_entity_full_name(parts)}_{parts['task_type_name']}_v{parts['revision']}"
        name = slugify.slugify(raw, separator="_")
    if (parts["position"] or 0) > 1:
        name = f"{name}-{parts['position']}"
    return f"{name}.{parts['extension']}"


def _entity_full_name(parts: dict[str, Any]) -> str:
    kind, name = parts["entity_type_name"], parts["entity_name"]
    if kind == SHOT:
        if parts["grandparent_name"] is None:
            return f"{parts['parent_name']} / {name}"
        return f"{parts['grandparent_name']} / {parts['parent_name']} / {name}"
    if kind == EPISODE:
        return name
    if kind == SEQUENCE:
        return name if parts["parent_name"] is None else f"{parts['parent_name']} / {name}"
    return f"{kind} / {name}"
