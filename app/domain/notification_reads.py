"""Reading notifications: a person's inbox with what each notification points at, marking them
read, and the admins' project listing.

The inbox is Zou's `get_last_notifications`: the caller's last 100 notifications, newest first,
each with its task, project, comment (text, mentions, first preview), the reply it is about, the
full name of the task's entity ("Episode / Sequence / Shot", "Asset type / Asset") or the playlist
it announces. An artist reads the comments and replies written by clients blank.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, WrongParameter
from app.domain import events
from app.domain.access import project_scope
from app.domain.entity_kinds import EPISODE, SEQUENCE, SHOT, entity_kinds
from app.domain.entity_tasks import is_valid_id
from app.domain.permissions import CLIENT, USER, Caller, require_admin
from app.repositories.notification_reads import InboxFilters, NotificationReadRepository

TYPE = "Notification"
REPLY_TYPES = ("reply", "reply-mention")
PAGE_SIZE = 100


def present_notification(row: Mapping[str, Any]) -> dict[str, Any]:
    """A notification row as Zou serializes the model: the `type` column is answered as
    `notification_type` (last), `type` being the model name."""
    out = dict(row)
    kind = out.get("type")
    out["type"] = TYPE
    out["notification_type"] = kind
    return out


# --- the caller's inbox ------------------------------------------------------


def _check_id(name: str, value: str | None) -> str | None:
    if value is not None and not is_valid_id(value):
        raise WrongParameter(f"Invalid UUID format for {name}: {value}")
    return value


def _parse_moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise WrongParameter("Wrong date format for after or before.") from None
    return moment.replace(tzinfo=None)


def _flag(params: Mapping[str, str], name: str) -> bool | None:
    """Zou's boolean query values: absent means no filter, only `true` (any case) is true."""
    value = params.get(name)
    return None if value is None else value.lower() == "true"


def inbox_filters(params: Mapping[str, str]) -> InboxFilters:
    """The inbox filters of a query string: `after`, `before`, `task_type_id`, `task_status_id`,
    `type`, `read`, `watching`."""
    return InboxFilters(
        after=_parse_moment(params.get("after")),
        before=_parse_moment(params.get("before")),
        task_type_id=_check_id("task_type_id", params.get("task_type_id")),
        task_status_id=_check_id("task_status_id", params.get("task_status_id")),
        notification_type=params.get("type"),
        read=_flag(params, "read"),
        watching=_flag(params, "watching"),
    )


def _entity_name(row: dict[str, Any], kinds: dict[str, str]) -> tuple[str, str | None, str | None]:
    """(full name, episode id, preview file id) of the task's entity, as Zou builds them."""
    if row["entity_id"] is None:
        return "", None, None
    kind = kinds.get(row["entity_type_id"])
    name = row["entity_name"]
    episode_id = None
    if kind == SHOT:
        if row["parent_id"] is None:
            full = name
        elif row["parent_parent_id"] is None:
            full = f"{row['parent_name']} / {name}"
        elif row["grandparent_id"] is not None:
            episode_id = row["grandparent_id"]
            full = f"{row['grandparent_name']} / {row['parent_name']} / {name}"
        else:
            full = f"{row['parent_name']} / {name}"
    elif kind == EPISODE:
        full = name
    elif kind == SEQUENCE:
        if row["parent_id"] is None:
            full = name
        else:
            episode_id = row["parent_id"]
            full = f"{row['parent_name']} / {name}"
    else:  # assets, and the other kinds Zou names like assets (scenes, edits, concepts)
        episode_id = row["entity_source_id"]
        full = f"{row['entity_type_name']} / {name}" if row["entity_type_name"] else name
    return full, episode_id, row["entity_preview_file_id"]


def _present_inbox_row(row: dict[str, Any], kinds: dict[str, str], caller_is_artist: bool) -> dict[str, Any]:
    project_id, project_name = row["project_id"], row["project_name"]
    playlist_name, playlist_for_entity, playlist_is_for_all = "", "", False
    if row["playlist_id"] is None:
        full_name, episode_id, entity_preview_file_id = _entity_name(row, kinds)
    else:
        full_name, entity_preview_file_id = "", None
        episode_id = row["playlist_episode_id"]
        project_id, project_name = row["playlist_project_id"], row["playlist_project_name"]
        playlist_name = row["playlist_name"]
        playlist_for_entity = row["playlist_for_entity"]
        playlist_is_for_all = row["playlist_is_for_all"]
    has_comment = row["joined_comment_id"] is not None
    mentions = (row["mentions"] or []) if has_comment else []
    department_mentions = (row["department_mentions"] or []) if has_comment else []
    comment_text = row["comment_text"]
    reply_text, reply_mentions, reply_department_mentions = "", [], []
    if row["type"] in REPLY_TYPES:
        reply_id = str(row["reply_id"])
        reply = next((r for r in row["comment_replies"] or [] if r.get("id") == reply_id), None)
        if reply is not None:
            reply_text = reply.get("text")
            reply_mentions = reply.get("mentions") or []
            reply_department_mentions = reply.get("department_mentions") or []
    if row["author_role"] == CLIENT and caller_is_artist:
        comment_text, reply_text = "", ""
    return {
        "id": row["id"],
        "type": TYPE,
        "notification_type": row["type"],
        "author_id": row["author_id"],
        "comment_id": row["comment_id"],
        "task_id": row["task_id"],
        "task_type_id": row["task_type_id"],
        "task_status_id": row["task_status_id"],
        "mentions": mentions,
        "department_mentions": department_mentions,
        "reply_mentions": reply_mentions,
        "reply_department_mentions": reply_department_mentions,
        "preview_file_id": row["preview_file_id"],
        "project_id": project_id,
        "project_name": project_name,
        "comment_text": comment_text,
        "reply_text": reply_text,
        "created_at": row["created_at"],
        "read": row["read"],
        "change": row["change"],
        "full_entity_name": full_name,
        "episode_id": episode_id,
        "entity_preview_file_id": entity_preview_file_id,
        "subscription_id": row["subscription_id"],
        "playlist_id": row["playlist_id"],
        "playlist_name": playlist_name,
        "playlist_for_entity": playlist_for_entity,
        "playlist_is_for_all": playlist_is_for_all,
    }


async def _inbox(session: AsyncSession, caller: Caller, filters: InboxFilters) -> list[dict[str, Any]]:
    rows = await NotificationReadRepository(session).inbox(caller.id, filters)
    kinds: dict[str, str] = {}
    if any(r["entity_type_id"] is not None for r in rows):
        known = await entity_kinds(session)
        kinds = {type_id: kind for kind, type_id in known.by_kind.items()}
    artist = caller.role == USER
    return [_present_inbox_row(r, kinds, artist) for r in rows]


async def my_notifications(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """The caller's last 100 notifications matching the query's filters."""
    return await _inbox(session, caller, inbox_filters(params))


async def my_notification(session: AsyncSession, caller: Caller, notification_id: str) -> dict[str, Any]:
    _check_id("notification_id", notification_id)
    found = await _inbox(session, caller, InboxFilters(notification_id=notification_id))
    if not found:
        raise NotFound("Notification not found.")
    return found[0]


async def set_read(session: AsyncSession, caller: Caller, notification_id: str, read: bool) -> dict[str, Any]:
    """Mark one of the caller's notifications read or unread (`notification:read` / `:unread`)."""
    row = await NotificationReadRepository(session).set_read(notification_id, caller.id, read)
    if row is None:
        raise NotFound("Notification not found.")
    name = "notification:read" if read else "notification:unread"
    await events.emit(session, name, {"person_id": caller.id, "notification_id": notification_id}, user_id=caller.id)
    return present_notification(row)


async def mark_all_read(session: AsyncSession, caller: Caller) -> dict[str, bool]:
    await NotificationReadRepository(session).mark_all_read(caller.id)
    await events.emit(session, "notification:all-read", {"person_id": caller.id}, user_id=caller.id)
    return {"success": True}


# --- admins: a project's notifications ----------------------------------------


def parse_page(params: Mapping[str, str]) -> int:
    raw = params.get("page")
    if raw is None:
        return -1
    try:
        return int(raw)
    except ValueError:
        raise WrongParameter("page must be an integer.") from None


async def project_notifications(
    session: AsyncSession, caller: Caller, project_id: str, params: Mapping[str, str]
) -> list[dict[str, Any]] | dict[str, Any]:
    """Every notification on the project's tasks (admins), last updated first; with `page`,
    Zou's page object of 100 rows."""
    require_admin(caller)
    await project_scope(session, caller, project_id)
    page = parse_page(params)
    repo = NotificationReadRepository(session)
    if page < 1:
        return [present_notification(r) for r in await repo.for_project(project_id)]
    limit = PAGE_SIZE
    offset = (page - 1) * limit
    total = await repo.count_for_project(project_id)
    rows = await repo.for_project(project_id, limit=limit, offset=offset) if offset < total else []
    return {
        "data": [present_notification(r) for r in rows],
        "total": total,
        "nb_pages": math.ceil(total / limit),
        "limit": limit,
        "offset": offset,
        "page": page,
    }
