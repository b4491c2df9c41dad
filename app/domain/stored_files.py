"""Stored files follow their rows: files are removed only once the rows' deletion is committed.

A domain function deleting rows that own stored files calls `discard` / `discard_many` (or
`discard_removed` with what a repository's set-based delete answered); the (bucket, key)
pairs wait in `session.info`, like pending events. The request's session dependency
(`app.routers.deps.get_session`) takes them after a successful commit and removes them from
the app's storage, best-effort: a file that cannot go is logged, never fails the request. A
rolled-back transaction drops them, so no row ever loses its files.

The keys of each kind of row, built from ids and fixed suffixes only:
- preview files: movies (`movies-source|high|low/<id>`), pictures (`originals|previews|
  thumbnails|thumbnails-square|tiles/<id>.png`) and other files (`originals/<id>.<ext>`);
- attachment files: `attachments/<id>` and the picture thumbnail `thumbnails/<id>.png`;
- working files: `working-files/<id>`;
- avatars: `avatars/<id>.png`; preview backgrounds: `backgrounds/<id>.<ext>` and `<id>.png`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.storage import Storage, StorageKeyError, check_key

log = logging.getLogger(__name__)

PENDING = "pending_file_removals"
PREVIEW_MOVIE_BUCKETS = ("movies-source", "movies-high", "movies-low")
PREVIEW_PICTURE_BUCKETS = ("originals", "previews", "thumbnails", "thumbnails-square", "tiles")
BACKGROUND_EXTENSIONS = ("hdr",)
CONCURRENCY = 16
"""Removals running at once after a commit (a whole project may own thousands of files)."""

StoredKey = tuple[str, str]


# --- the keys of each kind of row --------------------------------------------------------------


def preview_file_keys(preview_file_id: Any, extension: str | None = None) -> list[StoredKey]:
    """Every (bucket, key) a preview's files may be stored under."""
    pid = str(preview_file_id)
    keys = [(bucket, pid) for bucket in PREVIEW_MOVIE_BUCKETS]
    keys += [(bucket, f"{pid}.png") for bucket in PREVIEW_PICTURE_BUCKETS]
    if extension and extension.lower() not in ("png", "mp4"):
        keys.append(("originals", f"{pid}.{extension.lower()}"))
    return keys


def attachment_keys(attachment_id: Any) -> list[StoredKey]:
    return [("attachments", str(attachment_id)), ("thumbnails", f"{attachment_id}.png")]


def working_file_keys(working_file_id: Any) -> list[StoredKey]:
    return [("working-files", str(working_file_id))]


def background_keys(background_id: Any) -> list[StoredKey]:
    return [("backgrounds", f"{background_id}.{ext}") for ext in ("png", *BACKGROUND_EXTENSIONS)]


# --- recording ---------------------------------------------------------------------------------


def discard(session: AsyncSession, bucket: str, key: str) -> None:
    """Remove `bucket/key` from the storage once the session's transaction has committed."""
    discard_many(session, [(bucket, key)])


def discard_many(session: AsyncSession, keys: Iterable[StoredKey]) -> None:
    pending: list[StoredKey] = session.info.setdefault(PENDING, [])
    for bucket, key in keys:
        try:
            check_key(bucket, key)
        except StorageKeyError:  # never client-controlled: a bug worth a log line, not a failed request
            log.warning("not discarding refused storage key %s/%s", bucket, key)
            continue
        pending.append((bucket, key))


def discard_removed(session: AsyncSession, removed: Mapping[str, Iterable[Mapping[str, Any]]]) -> None:
    """Discard the files of rows a repository deleted, as it answers them: `preview_files` (rows
    with `id` and `extension`), `attachment_files` and `working_files` (rows with `id`)."""
    keys: list[StoredKey] = []
    for row in removed.get("preview_files", ()):
        keys += preview_file_keys(row["id"], row.get("extension"))
    for row in removed.get("attachment_files", ()):
        keys += attachment_keys(row["id"])
    for row in removed.get("working_files", ()):
        keys += working_file_keys(row["id"])
    discard_many(session, keys)


def take_pending(session: AsyncSession) -> list[StoredKey]:
    """The removals recorded in the session (and forgets them)."""
    return list(dict.fromkeys(session.info.pop(PENDING, [])))


# --- removing, after the commit ------------------------------------------------------------------


async def remove(storage: Storage, keys: list[StoredKey]) -> None:
    """Remove the files, a few at a time; failures are logged and skipped."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(bucket: str, key: str) -> None:
        async with limit:
            try:
                await storage.delete(bucket, key)
            except Exception:  # noqa: BLE001 - the rows are gone; a leftover file must not fail the request
                log.warning("could not remove stored file %s/%s", bucket, key, exc_info=True)

    await asyncio.gather(*(one(bucket, key) for bucket, key in keys))
