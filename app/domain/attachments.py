"""Attachment files: files added to comments, their downloads and thumbnails, listings, batch comments.

An attachment is a row of `attachment_file` (the client's file name, extension and mime type
kept as data only) and a stored file in bucket `attachments` under the row's id. Image
attachments also get a 150x150 thumbnail (bucket `thumbnails`, key `<id>.png`, Pillow in a
thread); Zou only makes those for chat attachments, and answers 404 for the others.

Rules, as Zou's:
- adding files to a comment (`add-attachment`): the comment must belong to the task named in
  the path (else 403); its author may, anyone else must manage the task's project. Answer: the
  new attachments, short form (`id`, `name`, `extension`, `size`);
- removing one (`DELETE .../comments/{cid}/attachments/{aid}`): same rule, and the attachment
  must belong to the comment;
- reading one (download, thumbnail, `GET /data/attachment-files/{id}`): read access to the
  comment's task, or for chat attachments to the chat's entity; an attachment tied to neither
  is refused;
- the per-task and per-project listings are for admins.
Zou emits no event when files are added to or removed from a comment; here `comment:update`
(Zou's payload) tells the open views to refresh the comment.

Removing an attachment row discards its stored files (`stored_files`): they go once the
transaction has committed. Files written for a request that then fails are removed at once.
"""

from __future__ import annotations

import asyncio
import io
import mimetypes
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.core.storage import Storage
from app.domain import comments, events, stored_files
from app.domain.access import require_entity_access, require_manager, require_member
from app.domain.permissions import MANAGER, Caller, require_admin
from app.domain.task_access import check_task_access, check_task_action_access, load_task
from app.repositories.attachments import AttachmentRepository
from app.repositories.tables.files import AttachmentFile
from app.repositories.tables.tasks import ChatMessage

TYPE = "AttachmentFile"
BUCKET = "attachments"
THUMBNAIL_BUCKET = "thumbnails"
THUMBNAIL_SIZE = (150, 150)
COLUMNS = tuple(c.name for c in AttachmentFile.__table__.columns)
CHAT_MESSAGE_COLUMNS = tuple(c.name for c in ChatMessage.__table__.columns)
MAX_NAME = 250
MAX_EXTENSION = 6
MAX_MIMETYPE = 255
INLINE_SAFE_MIMETYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/avif"})
"""Raster images shown in the browser; everything else is sent as a download (an uploaded
HTML or SVG file served inline would run in the application's origin)."""
THUMBNAILED_MIMETYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"})

Removal = tuple[str, str]
"""A stored file to remove once the transaction has committed: (bucket, key)."""


class Upload(Protocol):
    """What the domain reads of an uploaded file (Starlette's `UploadFile`)."""

    filename: str | None
    content_type: str | None
    file: BinaryIO

    async def read(self, size: int = -1) -> bytes: ...

    async def seek(self, offset: int) -> None: ...


# --- presentation ---------------------------------------------------------------------------


def short(row: dict[str, Any]) -> dict[str, Any]:
    """The form a comment carries its attachments in."""
    return {"id": str(row["id"]), "name": row["name"], "extension": row["extension"], "size": row["size"]}


def _chat_message(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {**{k: row.get(k) for k in CHAT_MESSAGE_COLUMNS}, "type": "ChatMessage"}


def present(row: dict[str, Any], comment: dict[str, Any] | None, message: dict[str, Any] | None) -> dict[str, Any]:
    """Zou's serialization: the columns, the comment and chat message it hangs on (plain), `type`."""
    out = {k: row.get(k) for k in COLUMNS}
    out["comment"] = comments.present_comment(comment) if comment is not None else None
    out["chat_message"] = _chat_message(message)
    out["type"] = TYPE
    return out


async def present_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Serialize rows with their comments and chat messages (two queries whatever the count)."""
    repo = AttachmentRepository(session)
    found = await repo.comments([str(r["comment_id"]) for r in rows if r.get("comment_id")])
    messages = await repo.chat_messages([str(r["chat_message_id"]) for r in rows if r.get("chat_message_id")])
    return [present(r, found.get(str(r.get("comment_id"))), messages.get(str(r.get("chat_message_id")))) for r in rows]


# --- file names -----------------------------------------------------------------------------


def extension_of(name: str) -> str:
    """The lower-case extension of a client's file name ('' when none or not a plain short word)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base:
        return ""
    ext = base.rsplit(".", 1)[-1].lower()
    return ext if ext.isascii() and ext.isalnum() and len(ext) <= MAX_EXTENSION else ""


def mimetype_of(upload: Upload) -> str:
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if not declared:
        declared = mimetypes.guess_type(upload.filename or "")[0] or "application/octet-stream"
    return declared[:MAX_MIMETYPE]


def is_inline_safe(mimetype: str | None) -> bool:
    return bool(mimetype) and mimetype.split(";")[0].strip().lower() in INLINE_SAFE_MIMETYPES


def download_name(name: str | None) -> str:
    """The name offered in `Content-Disposition`: the last path part of the stored name, without
    control characters or quotes (never a path, never a header injection)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"\r\n;')
    base = base.strip().strip(".")
    return base or "attachment"


# --- storing ------------------------------------------------------------------------------


def _thumbnail_png(source: BinaryIO) -> bytes | None:
    """A 150x150 centred crop of a picture, as PNG; None when it is not a readable picture."""
    from PIL import Image, ImageOps

    try:
        source.seek(0)
        with Image.open(source) as im:
            im.load()
            if im.mode not in ("RGB", "RGBA"):
                im = im.convert("RGBA" if "A" in im.getbands() or im.mode == "P" else "RGB")
            thumb = ImageOps.fit(im, THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            thumb.save(out, "PNG")
            return out.getvalue()
    except Exception:  # noqa: BLE001 - any unreadable picture simply gets no thumbnail
        return None


async def _chunks(upload: Upload, size: int = 1024 * 1024):
    await upload.seek(0)
    while chunk := await upload.read(size):
        yield chunk


@dataclass
class StoredAttachments:
    """Files written for new attachment rows; `discard` removes them if the request fails."""

    storage: Storage
    written: list[Removal]

    async def discard(self) -> None:
        for bucket, key in self.written:
            try:
                await self.storage.delete(bucket, key)
            except Exception:  # noqa: BLE001, S110 - best effort, the error being raised matters more
                pass


async def store_uploads(
    session: AsyncSession,
    storage: Storage,
    uploads: Iterable[Upload],
    *,
    comment_id: str | None = None,
    reply_id: str | None = None,
    chat_message_id: str | None = None,
    written: list[Removal] | None = None,
) -> list[dict[str, Any]]:
    """Store each upload under a new id (bucket `attachments`, plus a thumbnail for pictures)
    and insert their rows; answers the rows. The keys written are appended to `written` so
    that a caller can remove them when the request fails later on."""
    written = written if written is not None else []
    rows = []
    for upload in uploads:
        attachment_id = str(uuid.uuid4())
        name = (upload.filename or "")[:MAX_NAME]
        mimetype = mimetype_of(upload)
        size = await storage.write(BUCKET, attachment_id, _chunks(upload))
        written.append((BUCKET, attachment_id))
        if mimetype in THUMBNAILED_MIMETYPES:
            png = await asyncio.to_thread(_thumbnail_png, upload.file)
            if png is not None:
                await storage.write_bytes(THUMBNAIL_BUCKET, f"{attachment_id}.png", png)
                written.append((THUMBNAIL_BUCKET, f"{attachment_id}.png"))
        rows.append(
            {
                "id": attachment_id,
                "name": name,
                "size": size,
                "extension": extension_of(name),
                "mimetype": mimetype,
                "comment_id": comment_id,
                "reply_id": reply_id,
                "chat_message_id": chat_message_id,
            }
        )
    return await AttachmentRepository(session).insert_many(rows)


async def _emit_comment_update(session: AsyncSession, caller: Caller, comment: dict[str, Any], project_id: str) -> None:
    await events.emit(
        session,
        "comment:update",
        {
            "comment_id": str(comment["id"]),
            "task_id": str(comment["object_id"]),
            "person_id": str(comment["person_id"]),
            "for_client": comment.get("for_client"),
        },
        project_id=project_id,
        user_id=caller.id,
    )


# --- comment attachments -------------------------------------------------------------------


async def _comment_of_task(
    session: AsyncSession, caller: Caller, task_id: str, comment_id: str
) -> tuple[dict[str, Any], str]:
    """The comment, checked as Zou does before touching its attachments; and its project."""
    comment = await AttachmentRepository(session).comment(comment_id)
    if comment is None:
        raise NotFound("Comment not found.")
    if str(comment["object_id"]) != task_id:
        raise PermissionDenied()
    task = await load_task(session, task_id)
    if str(comment["person_id"]) != caller.id:
        await require_manager(session, caller, task["project_id"])
    return comment, str(task["project_id"])


async def add_attachments(
    session: AsyncSession,
    caller: Caller,
    storage: Storage,
    task_id: str,
    comment_id: str,
    uploads: Sequence[Upload],
) -> list[dict[str, Any]]:
    """`POST /actions/tasks/{task_id}/comments/{comment_id}/add-attachment`."""
    comment, project_id = await _comment_of_task(session, caller, task_id, comment_id)
    if not uploads:
        return []
    written: list[Removal] = []
    try:
        rows = await store_uploads(session, storage, uploads, comment_id=comment_id, written=written)
        await _emit_comment_update(session, caller, comment, project_id)
    except BaseException:
        await StoredAttachments(storage, written).discard()
        raise
    return [short(r) for r in rows]


async def remove_comment_attachment(
    session: AsyncSession, caller: Caller, task_id: str, comment_id: str, attachment_id: str
) -> None:
    """`DELETE /data/tasks/{task_id}/comments/{comment_id}/attachments/{attachment_file_id}`."""
    repo = AttachmentRepository(session)
    comment = await repo.comment(comment_id)
    if comment is None:
        raise NotFound("Comment not found.")
    if str(comment["object_id"]) != task_id:
        raise PermissionDenied()
    row = await repo.get(attachment_id)
    if row is None:
        raise NotFound("Attachment file not found.")
    if str(row["comment_id"]) != comment_id:
        raise PermissionDenied()
    task = await load_task(session, task_id)
    if str(comment["person_id"]) != caller.id:
        await require_manager(session, caller, task["project_id"])
    await repo.delete(attachment_id)
    stored_files.discard_many(session, stored_files.attachment_keys(attachment_id))
    await _emit_comment_update(session, caller, comment, str(task["project_id"]))


# --- reading ----------------------------------------------------------------------------------


async def check_read(session: AsyncSession, caller: Caller, row: dict[str, Any]) -> None:
    """Zou's read rule for one attachment (`row` from `access_context`)."""
    if row.get("comment_id") is not None:
        if row.get("task_id") is None:
            raise NotFound("Comment not found.")
        await check_task_access(session, caller, await load_task(session, str(row["task_id"])))
    elif row.get("chat_message_id") is not None:
        if row.get("chat_project_id") is None:
            raise NotFound("Entity not found.")
        scope = await require_member(session, caller, str(row["chat_project_id"]))
        await require_entity_access(session, scope, str(row["chat_entity_id"]))
    else:
        raise PermissionDenied()


async def readable(session: AsyncSession, caller: Caller, attachment_id: str) -> dict[str, Any]:
    """The attachment row once the caller may read it (404 unknown, 403 refused)."""
    row = await AttachmentRepository(session).access_context(attachment_id)
    if row is None:
        raise NotFound("Attachment file not found.")
    await check_read(session, caller, row)
    return row


async def for_task(session: AsyncSession, caller: Caller, task_id: str) -> list[dict[str, Any]]:
    """`GET /data/tasks/{task_id}/attachment-files` (admins)."""
    require_admin(caller)
    return await present_many(session, await AttachmentRepository(session).for_task(task_id))


async def for_project(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    """`GET /data/projects/{project_id}/attachment-files` (admins)."""
    require_admin(caller)
    return await present_many(session, await AttachmentRepository(session).for_project(project_id))


async def delete_row(session: AsyncSession, caller: Caller, attachment_id: str) -> None:
    """`DELETE /data/attachment-files/{id}` (admins): the row, `attachment-file:delete`, then its files."""
    repo = AttachmentRepository(session)
    row = await repo.get(attachment_id)
    if row is None:
        raise NotFound("Attachment file not found.")
    require_admin(caller)
    await repo.delete(attachment_id)
    stored_files.discard_many(session, stored_files.attachment_keys(attachment_id))
    await events.emit(
        session, "attachment-file:delete", {"attachment_file_id": attachment_id}, project_id=None, user_id=caller.id
    )


# --- batch comments ---------------------------------------------------------------------------


def _is_valid_id(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _check_items(items: Any, with_task: bool) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise WrongParameter("comments must be a list of comments.")
    for item in items:
        if not isinstance(item, dict):
            raise WrongParameter("Each comment must be an object.")
        if not with_task and not _is_valid_id(item.get("task_id")):
            raise WrongParameter("Each comment needs a valid task_id.")
        if not _is_valid_id(item.get("task_status_id")):
            raise WrongParameter("Each comment needs a valid task_status_id.")
        if not isinstance(item.get("text"), str):
            raise WrongParameter("Each comment needs a text.")
        for key in ("checklist", "links"):
            if item.get(key) is not None and not isinstance(item[key], list):
                raise WrongParameter(f"{key} must be a list.")
        for key in ("person_id", "created_at"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise WrongParameter(f"{key} must be a string.")
    return items


def files_of(kind: str, index: int, files: Sequence[tuple[str, Upload]]) -> list[Upload]:
    """The uploads of comment `index` for `kind` (`attachment_file` or `preview_file`): the parts
    named `<kind>-<index>` or `<kind>-<index>-<n>` (gazu's naming), in their order."""
    exact, prefix = f"{kind}-{index}", f"{kind}-{index}-"
    return [upload for name, upload in files if name == exact or name.startswith(prefix)]


class PreviewAdder(Protocol):
    """Adds one uploaded preview to a new comment and answers the preview as Zou presents it."""

    async def __call__(self, comment: dict[str, Any], task_id: str, upload: Upload) -> dict[str, Any] | None: ...


async def batch_comment(
    session: AsyncSession,
    caller: Caller,
    storage: Storage,
    task_id: str | None,
    items: Any,
    files: Sequence[tuple[str, Upload]] = (),
    add_preview: PreviewAdder | None = None,
) -> list[dict[str, Any]]:
    """`POST /actions/tasks/{task_id}/batch-comment` and `POST /actions/tasks/batch-comment`: each
    comment is posted on its task (the path's, else its own `task_id`) with its attachments
    (`attachment_file-<i>-<n>` parts) and previews (`preview_file-<i>-<n>`). Needs the rights to
    act on each task with each status; only managers post as someone else or back-date."""
    items = _check_items(items, with_task=task_id is not None)
    poster = comments.CommentPoster(session, caller)
    if task_id is not None:
        path_task = await load_task(session, task_id)
        await check_task_action_access(session, caller, path_task)
    written: list[Removal] = []
    results = []
    try:
        for index, item in enumerate(items):
            target_id = task_id or item["task_id"]
            task = await load_task(session, target_id)
            scope = await check_task_action_access(session, caller, task)
            status = await comments.check_status_access(session, scope, item["task_status_id"])
            is_manager = scope.is_admin or scope.role == MANAGER
            person_id = item.get("person_id") if is_manager else None
            created_at = item.get("created_at") if is_manager else None
            result = await poster.create(
                person_id or None,
                target_id,
                item["task_status_id"],
                item["text"],
                checklist=item.get("checklist") or [],
                created_at=created_at or None,
                links=item.get("links") or [],
                status=status,
            )
            uploads = files_of("attachment_file", index, files)
            rows = await store_uploads(session, storage, uploads, comment_id=result["id"], written=written)
            result["attachment_files"] = [short(r) for r in rows]
            result["preview_files"] = []
            for upload in files_of("preview_file", index, files):
                if add_preview is None:
                    raise WrongParameter("Preview uploads are not available.")
                preview = await add_preview(result, target_id, upload)
                if preview:
                    result["preview_files"].append(preview)
            results.append(result)
    except BaseException:
        await StoredAttachments(storage, written).discard()
        raise
    return results


async def attach_to_new_comment(
    session: AsyncSession, storage: Storage, comment: dict[str, Any], uploads: Sequence[Upload]
) -> list[dict[str, Any]]:
    """The files posted along with a new comment (`POST /actions/tasks/{id}/comment` as multipart):
    stored and answered in the comment's `attachment_files`, as Zou's `create_comment` does."""
    written: list[Removal] = []
    try:
        rows = await store_uploads(session, storage, uploads, comment_id=str(comment["id"]), written=written)
    except BaseException:
        await StoredAttachments(storage, written).discard()
        raise
    return [short(r) for r in rows]
