"""The event log, the login log and the news feed, with Zou's permissions.

- last events: managers (global role, or the role held on the asked project) read the
  events of their team projects; admins read everything;
- event names: managers;
- login logs: admins only (they carry IP addresses);
- news: team members of a project (not clients for a project's feed, not vendors for
  one item); the open-projects feed lists the caller's open projects.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.domain.access import block_client, block_vendor, require_entity_access, require_member
from app.domain.entity_kinds import entity_kinds
from app.domain.entity_tasks import OPEN_STATUS, is_valid_id
from app.domain.permissions import ADMIN, MANAGER, Caller, require_admin
from app.repositories.access import AccessRepository
from app.repositories.event_log import EventLogRepository, NewsQuery

FILE_EVENTS = ("preview-file:add-file", "organisation:set-thumbnail", "person:set-thumbnail", "project:set-thumbnail")
NAME_PART = re.compile(r"[a-z0-9-]+")
MAX_LIMIT = 1000
DATE_ERROR = "Wrong date format for before argument.Expected format: 2020-01-05T13:23:10 or 2020-01-05"

Params = Mapping[str, Any]


def _one(params: Params, name: str) -> str | None:
    value = params.get(name)
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _many(params: Params, name: str) -> list[str]:
    value = params.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _int(params: Params, name: str, default: int) -> int:
    raw = _one(params, name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise WrongParameter(f"Wrong value for parameter {name}.") from None


def parse_date(raw: str | None) -> datetime | None:
    """Zou's `2020-01-05T13:23:10` or `2020-01-05`."""
    if raw is None:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise WrongParameter(DATE_ERROR)


def _check_ids(values: list[str], parameter: str) -> None:
    for value in values:
        if not is_valid_id(value):
            raise WrongParameter(f"The {parameter} parameter contains an invalid id")


def _check_name_parts(values: list[str], parameter: str) -> None:
    for value in values:
        if not NAME_PART.fullmatch(value or ""):
            raise WrongParameter(f"The {parameter} parameter contains an invalid value")


# --- events -------------------------------------------------------------


async def last_events(session: AsyncSession, caller: Caller, params: Params) -> list[dict[str, Any]]:
    project_id = _one(params, "project_id")
    if project_id is not None and not is_valid_id(project_id):
        raise WrongParameter("The project_id parameter is not a valid id")
    role = caller.role
    access = AccessRepository(session)
    if project_id is not None and role not in (ADMIN, MANAGER):
        found, on_team, team_role = await access.membership(project_id, caller.id)
        if not found:
            raise PermissionDenied()
        if on_team and team_role not in (None, ADMIN):
            role = team_role
    if role not in (ADMIN, MANAGER):
        raise PermissionDenied()

    before = parse_date(_one(params, "before"))
    after = parse_date(_one(params, "after"))
    limit = max(min(_int(params, "limit", 100), MAX_LIMIT), 0)
    only_files = _one(params, "only_files") == "true"
    cursor_id = _one(params, "cursor_event_id")
    if cursor_id is not None and not is_valid_id(cursor_id):
        raise WrongParameter("The cursor_event_id parameter is not a valid id")

    project_ids = None
    if not caller.is_admin:
        project_ids = await access.team_project_ids(caller.id)
        if project_id is not None and project_id not in project_ids:
            raise PermissionDenied()

    person_ids = _many(params, "person_ids")
    prefixes = _many(params, "name_prefixes")
    suffixes = _many(params, "name_suffixes")
    _check_ids(person_ids, "person_ids")
    _check_name_parts(prefixes, "name_prefixes")
    _check_name_parts(suffixes, "name_suffixes")

    repo = EventLogRepository(session)
    cursor = None
    if cursor_id is not None:
        cursor = await repo.event_created_at(cursor_id)
        if cursor is None:
            raise WrongParameter(f"No event found with id: {cursor_id}")
    return await repo.last_events(
        after=after,
        before=before,
        cursor=cursor,
        limit=limit,
        names=FILE_EVENTS if only_files else None,
        project_id=project_id,
        project_ids=project_ids,
        name=_one(params, "name"),
        name_prefixes=prefixes,
        name_suffixes=suffixes,
        person_ids=person_ids,
    )


async def event_names(session: AsyncSession, caller: Caller) -> list[str]:
    if caller.role not in (ADMIN, MANAGER):
        raise PermissionDenied()
    return await EventLogRepository(session).event_names()


async def last_login_logs(session: AsyncSession, caller: Caller, params: Params) -> list[dict[str, Any]]:
    require_admin(caller)
    before = parse_date(_one(params, "before"))
    after = parse_date(_one(params, "after"))
    limit = max(min(_int(params, "limit", 100), MAX_LIMIT), 0)
    cursor_id = _one(params, "cursor_login_log_id")
    if cursor_id is not None and not is_valid_id(cursor_id):
        raise WrongParameter("The cursor_login_log_id parameter is not a valid id")
    person_ids = _many(params, "person_ids")
    _check_ids(person_ids, "person_ids")
    repo = EventLogRepository(session)
    cursor = None
    if cursor_id is not None:
        cursor = await repo.login_log_created_at(cursor_id)
        if cursor is None:
            raise WrongParameter(f"No login log found with id: {cursor_id}")
    return await repo.last_login_logs(after=after, before=before, cursor=cursor, limit=limit, person_ids=person_ids)


# --- news ---------------------------------------------------------------


def _bool(raw: str | None) -> bool:
    return raw is not None and raw.lower() in ("true", "1", "yes", "y", "t", "on")


def _news_filters(params: Params, **extra: Any) -> NewsQuery:
    return NewsQuery(
        only_preview=_bool(_one(params, "only_preview")),
        task_type_id=_one(params, "task_type_id"),
        task_status_id=_one(params, "task_status_id"),
        episode_id=_one(params, "episode_id"),
        author_id=_one(params, "person_id"),
        after=parse_date(_one(params, "after")),
        before=parse_date(_one(params, "before")),
        **extra,
    )


def _check_filter_ids(q: NewsQuery) -> None:
    for name in ("task_type_id", "task_status_id", "episode_id", "author_id"):
        value = getattr(q, name)
        if value is not None and not is_valid_id(value):
            raise WrongParameter(f"Invalid UUID value: {value}")


def _entity_name(row: dict[str, Any], kinds: dict[str, str]) -> tuple[str, str | None]:
    kind = kinds.get(row["entity_type_id"])
    name = row["entity_name"]
    if kind == "Shot":
        if row["parent_id"] is None:
            return name, None
        if row["parent_parent_id"] is None or row["grandparent_id"] is None:
            return f"{row['parent_name']} / {name}", None
        return f"{row['grandparent_name']} / {row['parent_name']} / {name}", row["grandparent_id"]
    if kind == "Episode":
        return name, None
    if kind == "Sequence":
        if row["parent_id"] is None:
            return name, None
        return f"{row['parent_name']} / {name}", row["parent_id"]
    type_name = row["entity_type_name"]
    return (f"{type_name} / {name}" if type_name else name), row["entity_source_id"]


def _short_person(row: dict[str, Any]) -> dict[str, Any] | None:
    if row["author_first_name"] is None and row["author_last_name"] is None and row["author_role"] is None:
        return None
    first, last = row["author_first_name"], row["author_last_name"]
    full = f"{first} {last}" if first and last else f"{first or ''}{last or ''}"
    return {
        "id": row["author_id"],
        "first_name": first,
        "last_name": last,
        "full_name": full,
        "has_avatar": row["author_has_avatar"],
        "role": row["author_role"],
    }


async def _news_listing(session: AsyncSession, q: NewsQuery, *, page: int, limit: int, stats: bool) -> dict[str, Any]:
    _check_filter_ids(q)
    if limit < 1:
        raise WrongParameter("limit must be a positive integer.")
    repo = EventLogRepository(session)
    offset = (page - 1) * limit
    total = await repo.count_news(q)
    rows = await repo.news_page(q, limit=limit, offset=max(offset, 0))
    kinds = {}
    if rows:
        known = await entity_kinds(session)
        kinds = {row["entity_type_id"]: known.kind_of(row["entity_type_id"]) for row in rows}
    data = []
    for row in rows:
        full_name, episode_id = _entity_name(row, kinds)
        data.append(
            {
                "id": row["id"],
                "type": "News",
                "author_id": row["author_id"],
                "comment_id": row["comment_id"],
                "task_id": row["task_id"],
                "task_type_id": row["task_type_id"],
                "task_status_id": row["task_status_id"],
                "task_entity_id": row["task_entity_id"],
                "preview_file_id": row["preview_file_id"],
                "preview_file_extension": row["preview_file_extension"],
                "preview_file_revision": row["preview_file_revision"],
                "project_id": row["project_id"],
                "project_name": row["project_name"],
                "created_at": row["created_at"],
                "change": row["change"],
                "full_entity_name": full_name,
                "episode_id": episode_id,
                "entity_preview_file_id": row["entity_preview_file_id"],
                "person": _short_person(row),
            }
        )
    if q.only_preview:
        previews: dict[str, list[dict[str, Any]]] = {}
        if data:
            task_ids = [n["task_id"] for n in data]
            revisions = [n["preview_file_revision"] for n in data if n["preview_file_revision"] is not None]
            for pf in await repo.preview_files_for(task_ids, revisions):
                key = f"{pf.pop('task_id')}-{pf['revision']}"
                previews.setdefault(key, []).append(pf)
        for n in data:
            n["preview_files"] = previews.get(f"{n['task_id']}-{n['preview_file_revision']}", [])
    result: dict[str, Any] = {
        "data": data,
        "total": total,
        "nb_pages": int(math.ceil(total / float(limit))),
        "limit": limit,
        "offset": offset,
        "page": page,
    }
    if stats:
        result["stats"] = await repo.news_stats(q)
    return result


async def project_news(session: AsyncSession, caller: Caller, project_id: str, params: Params) -> dict[str, Any]:
    scope = await require_member(session, caller, project_id)
    block_client(scope)
    q = _news_filters(params, project_ids=[project_id])
    return await _news_listing(session, q, page=_int(params, "page", 1), limit=_int(params, "limit", 50), stats=True)


async def open_projects_news(session: AsyncSession, caller: Caller, params: Params) -> dict[str, Any]:
    repo = EventLogRepository(session)
    open_ids = await repo.open_project_ids(None if caller.is_admin else caller.id, OPEN_STATUS)
    project_id = _one(params, "project_id")
    if project_id is not None and project_id in open_ids:
        open_ids = [project_id]
    q = _news_filters(params, project_ids=open_ids, member_id=None if caller.is_admin else caller.id)
    return await _news_listing(session, q, page=_int(params, "page", 1), limit=_int(params, "limit", 50), stats=True)


async def project_news_item(session: AsyncSession, caller: Caller, project_id: str, news_id: str) -> dict[str, Any]:
    scope = await require_member(session, caller, project_id)
    block_vendor(scope)
    q = NewsQuery(project_id=project_id, news_id=news_id)
    result = await _news_listing(session, q, page=1, limit=50, stats=False)
    if not result["data"]:
        raise NotFound("News not found.")
    return result["data"][0]


async def entity_news(session: AsyncSession, caller: Caller, entity_id: str) -> dict[str, Any]:
    found, project_id = await EventLogRepository(session).entity_project_id(entity_id)
    if not found:
        raise NotFound("Entity not found.")
    scope = await require_member(session, caller, project_id)
    await require_entity_access(session, scope, entity_id)
    return await _news_listing(session, NewsQuery(entity_id=entity_id), page=1, limit=2000, stats=False)
