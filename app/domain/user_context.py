"""The user's context: what the logged-in person works on, as Zou 1.0.97 shows it.

Rules, as Zou applies them:
- The per-entity and per-project routes (`/data/user/shots/{id}/tasks`, `/data/user/projects/
  {id}/sequences`...) only list what carries a task assigned to the caller in an open project
  (status named "Open"): a person reads nothing of a production they do not work on. The
  entity (of the kind the route names) or project must exist, else 404.
- `/data/user/projects/open` lists the open projects of the caller's teams (every open one for
  admins) with their extra data, as `/data/projects/open` does.
- `/data/user/tasks` (the to-do list) and `/data/user/done-tasks` list the tasks assigned to the
  caller in the open projects of their teams, not done or done, each with the names and colours
  of what it points at, its assignees, its last comment not written by a client and, for cast
  assets, the episodes casting them.
- `/data/user/tasks-to-check` lists the tasks waiting for feedback (status `is_feedback_request`):
  every open project for admins, the caller's open team projects for managers, and for
  supervisors only those of their departments' task types. Other roles get an empty answer.
  With `page` it answers a page envelope with stats; `filter-values` lists the ids a filter
  may take on that same pool.
- `/data/user/context` is what Kitsu loads at login: the studio's catalog (asset types, task
  types and statuses, departments, studios...), the persons the caller may see (managers: the
  full view; clients: the people of their teams only; others: the short view), the open
  projects, the caller's unread notification count, project roles and search filters.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import NotFound, WrongParameter
from app.domain import search_filters
from app.domain.departments import minimal_person
from app.domain.entity_kinds import ASSET, EPISODE, SEQUENCE, SHOT, TEMPORAL_KINDS, entity_kinds
from app.domain.entity_tasks import is_valid_id, present_task
from app.domain.permissions import ADMIN, MANAGER, SUPERVISOR, Caller
from app.domain.person_hooks import CLIENT_FIELDS
from app.domain.persons import SECRET_FIELDS, full_name
from app.domain.projects import _with_extra_data
from app.repositories.projects import ProjectRepository
from app.repositories.user_context import (
    CATALOG_TABLES,
    ToCheckFilters,
    UserContextRepository,
    open_team_project_ids,
)

PROJECT_NOT_FOUND = "Project not found."
WRONG_UUID = "Wrong UUID format."
WRONG_DATE = "Wrong date format for before argument.Expected format: 2020-01-05T13:23:10 or 2020-01-05"
DEFAULT_LIMIT = 100
CATALOG_TYPES = {
    "custom_actions": "CustomAction",
    "status_automations": "StatusAutomation",
    "departments": "Department",
    "studios": "Studio",
    "project_status": "ProjectStatus",
    "task_types": "TaskType",
    "task_status": "TaskStatus",
    "preview_background_files": "PreviewBackgroundFile",
}
PLUGIN_FIELDS = (
    "id",
    "plugin_id",
    "name",
    "description",
    "version",
    "maintainer_name",
    "maintainer_email",
    "frontend_project_enabled",
    "frontend_studio_enabled",
    "icon",
)


# --- presentation -------------------------------------------------------------------


def _typed(row: Mapping[str, Any], type_name: str) -> dict[str, Any]:
    return {**row, "type": type_name}


def _asset_type(row: Mapping[str, Any]) -> dict[str, Any]:
    """An asset type with its workflow (`task_types`) where Zou puts it: after `description`."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key == "task_types":
            continue
        out[key] = value
        if key == "description":
            out["task_types"] = list(row["task_types"] or [])
    out["type"] = "AssetType"
    return out


def _full_person(row: Mapping[str, Any]) -> dict[str, Any]:
    """Zou's safe person view with its departments, keys in Zou's order."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in SECRET_FIELDS or key == "department_ids":
            continue
        if key == "studio_id":
            out["departments"] = list(row["department_ids"] or [])
            out["studio_id"] = value
            out["full_name"] = full_name(row)
            continue
        out[key] = value
    out["type"] = "Person"
    return out


def _client_person(row: Mapping[str, Any]) -> dict[str, Any]:
    person = {**row, "full_name": full_name(row), "type": "Person"}
    return {key: person.get(key) for key in CLIENT_FIELDS}


def _detailed_task(row: Mapping[str, Any]) -> dict[str, Any]:
    """A task of the to-do lists: its columns, then what it points at, named (Zou's keys)."""
    source_id = row["_entity_source_id"] or ""
    episode_id, episode_name = row["_episode_id"], row["_episode_name"]
    if episode_id is None:
        episode_id = source_id
        if episode_id:
            # a source that is no episode reads as the main pack
            episode_name = row["_source_episode_name"] or "MP"
    if row["_entity_type_name"] == SEQUENCE and row["_entity_parent_id"] is not None:
        episode_id, episode_name = row["_entity_parent_id"], row["_sequence_name"]
    out = present_task(row)
    out.update(
        {
            "project_name": row["_project_name"],
            "project_id": row["project_id"],
            "project_has_avatar": row["_project_has_avatar"],
            "entity_id": row["entity_id"],
            "entity_name": row["_entity_name"],
            "entity_description": row["_entity_description"],
            "entity_data": row["_entity_data"],
            "entity_preview_file_id": row["_entity_preview_file_id"] or "",
            "entity_source_id": source_id,
            "entity_type_name": row["_entity_type_name"],
            "entity_canceled": row["_entity_canceled"],
            "sequence_name": row["_sequence_name"],
            "episode_id": episode_id,
            "episode_name": episode_name,
            "task_type_for_entity": row["_task_type_for_entity"],
            "task_estimation": row["estimation"],
            "task_duration": row["duration"],
            "task_start_date": row["start_date"],
            "task_due_date": row["due_date"],
            "task_type_name": row["_task_type_name"],
            "task_status_name": row["_task_status_name"],
            "task_type_color": row["_task_type_color"],
            "task_status_color": row["_task_status_color"],
            "task_status_short_name": row["_task_status_short_name"],
        }
    )
    return out


async def _task_list(repo: UserContextRepository, rows: list[dict[str, Any]], casting: bool) -> list[dict[str, Any]]:
    """Shape the rows, then add (for the whole list at once) casting episodes, assignees, last comments."""
    tasks = [_detailed_task(row) for row in rows]
    if not tasks:
        return tasks
    episodes = await repo.casting_episodes(list({t["entity_id"] for t in tasks})) if casting else {}
    comments = await repo.last_comments([t["id"] for t in tasks])
    for task, row in zip(tasks, rows, strict=True):
        cast_in = episodes.get(task["entity_id"])
        if cast_in:
            task["episode_ids"] = [episode_id for episode_id, _ in cast_in]
            task["episode_names"] = [name for _, name in cast_in]
        task["assignees"] = list(row["_assignees"] or [])
        task["last_comment"] = comments.get(task["id"], {})
    return tasks


# --- one entity: the caller's tasks and task types on it ------------------------------------


async def _entity_of_kind(session: AsyncSession, entity_id: str, kind: str) -> dict[str, Any]:
    row = await UserContextRepository(session).entity(entity_id)
    if row is None or (await entity_kinds(session)).kind_of(row["entity_type_id"]) != kind:
        raise NotFound(f"{kind} not found.")
    return row


async def entity_tasks(session: AsyncSession, caller: Caller, kind: str, entity_id: str) -> list[dict[str, Any]]:
    """The caller's tasks on the entity, in open projects."""
    await _entity_of_kind(session, entity_id, kind)
    rows = await UserContextRepository(session).assigned_tasks(entity_id, caller.id)
    return [present_task(row) for row in rows]


async def entity_task_types(session: AsyncSession, caller: Caller, kind: str, entity_id: str) -> list[dict[str, Any]]:
    """The task types of the caller's tasks on the entity, in open projects."""
    await _entity_of_kind(session, entity_id, kind)
    rows = await UserContextRepository(session).assigned_task_types(entity_id, caller.id)
    return [_typed(row, "TaskType") for row in rows]


# --- one project or sequence: the entities the caller works on --------------------------------


async def _project(repo: UserContextRepository, project_id: str) -> None:
    if not await repo.project_exists(project_id):
        raise NotFound(PROJECT_NOT_FOUND)


async def project_asset_types(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    repo = UserContextRepository(session)
    await _project(repo, project_id)
    kinds = await entity_kinds(session)
    rows = await repo.assigned_asset_types(project_id, caller.id, kinds.temporal_ids)
    return [_typed(row, "AssetType") for row in rows]


async def asset_type_assets(
    session: AsyncSession, caller: Caller, project_id: str, asset_type_id: str
) -> list[dict[str, Any]]:
    """Assets of the type in the project with a task assigned to the caller."""
    repo = UserContextRepository(session)
    await _project(repo, project_id)
    kinds = await entity_kinds(session)
    if await repo.entity_type(asset_type_id) is None or not kinds.is_asset_type(asset_type_id):
        raise NotFound("Asset type not found.")
    rows = await repo.assigned_entities(caller.id, asset_type_id, project_id=project_id)
    return [_typed(row, ASSET) for row in rows]


async def project_sequences(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    """Sequences of the project with a shot carrying a task assigned to the caller."""
    repo = UserContextRepository(session)
    await _project(repo, project_id)
    kinds = await entity_kinds(session)
    rows = await repo.assigned_parents(caller.id, project_id, kinds.id(SEQUENCE), kinds.id(SHOT))
    return [_typed(row, SEQUENCE) for row in rows]


async def project_episodes(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    """Episodes of the project with a shot (of one of their sequences) assigned to the caller."""
    repo = UserContextRepository(session)
    await _project(repo, project_id)
    kinds = await entity_kinds(session)
    rows = await repo.assigned_grandparents(
        caller.id, project_id, kinds.id(EPISODE), kinds.id(SEQUENCE), kinds.id(SHOT)
    )
    return [_typed(row, EPISODE) for row in rows]


async def sequence_children(session: AsyncSession, caller: Caller, sequence_id: str, kind: str) -> list[dict]:
    """Shots (or scenes) of the sequence with a task assigned to the caller."""
    await _entity_of_kind(session, sequence_id, SEQUENCE)
    kinds = await entity_kinds(session)
    rows = await UserContextRepository(session).assigned_entities(caller.id, kinds.id(kind), parent_id=sequence_id)
    return [_typed(row, kind) for row in rows]


# --- open projects ----------------------------------------------------------------------------


async def open_projects(session: AsyncSession, caller: Caller, name: str | None = None) -> list[dict[str, Any]]:
    """Open projects ("Open" status) of the caller's teams (all of them for admins), with their extra data."""
    repo = ProjectRepository(session)
    where = repo.open_projects_where(any_open_name=False, name=name, member_id=None if caller.is_admin else caller.id)
    rows = await repo.listing(
        where=where, relations=True, extra=True, team_role_of=None if caller.is_admin else caller.id
    )
    descriptors = await repo.descriptors([r["id"] for r in rows])
    return [_project_order(p) for p in _with_extra_data(rows, descriptors, caller)]


_PROJECT_RELATIONS = (
    "team",
    "asset_types",
    "task_statuses",
    "task_types",
    "status_automations",
    "preview_background_files",
)
_PROJECT_TAIL = ("id", "created_at", "updated_at", "type")
_PROJECT_EXTRA = ("descriptors", "task_type_links", "task_types_priority", "task_statuses_link", "first_episode_id")


def _project_order(row: dict[str, Any]) -> dict[str, Any]:
    """Zou's key order: the columns, the id lists, then id, dates, type, then the extra data."""
    placed = (*_PROJECT_RELATIONS, *_PROJECT_TAIL, *_PROJECT_EXTRA)
    keys = [*(k for k in row if k not in placed), *(k for k in placed if k in row)]
    return {key: row[key] for key in keys}


# --- the to-do lists ----------------------------------------------------------------------------


async def todos(session: AsyncSession, caller: Caller) -> list[dict[str, Any]]:
    """Tasks assigned to the caller, not done, in the open projects of their teams."""
    repo = UserContextRepository(session)
    rows = await repo.detailed_tasks(repo.person_tasks_where(caller.id, done=False), repo.todo_order())
    return await _task_list(repo, rows, casting=True)


async def done_tasks(session: AsyncSession, caller: Caller) -> list[dict[str, Any]]:
    """Tasks assigned to the caller, done, in the open projects of their teams, latest first."""
    repo = UserContextRepository(session)
    rows = await repo.detailed_tasks(repo.person_tasks_where(caller.id, done=True), repo.done_order())
    return await _task_list(repo, rows, casting=True)


def _check_scope(caller: Caller):
    """(allowed, projects (None: every open one), department ids) of the caller's tasks to check."""
    if caller.role == ADMIN:
        return True, None, None
    if caller.role == MANAGER:
        return True, open_team_project_ids(caller.id), None
    if caller.role == SUPERVISOR:
        return True, open_team_project_ids(caller.id), list(caller.department_ids)
    return False, None, None


def _int_param(params: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise WrongParameter(f"Wrong value for parameter {name}.") from None


def _id_param(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is not None and not is_valid_id(value):
        raise WrongParameter(WRONG_UUID)
    return value


def _date_param(params: Mapping[str, str], name: str) -> datetime | None:
    value = params.get(name)
    if value is None:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise WrongParameter(WRONG_DATE)


def parse_to_check(params: Mapping[str, str]) -> tuple[ToCheckFilters, str | None, int | None, int]:
    """The tasks-to-check query string: (filters, order_by, page, limit); 400 on a bad value."""
    page = _int_param(params, "page", None)
    limit = _int_param(params, "limit", DEFAULT_LIMIT)
    filters = ToCheckFilters(
        project_id=_id_param(params, "project_id"),
        task_type_id=_id_param(params, "task_type_id"),
        task_status_id=_id_param(params, "task_status_id"),
        episode_id=_id_param(params, "episode_id"),
    )
    person_id = params.get("person_id")
    if person_id == "unassigned":
        filters.unassigned = True
    elif person_id is not None:
        filters.person_ids = person_id.split(",")
        for value in filters.person_ids:
            if not is_valid_id(value):
                raise WrongParameter(WRONG_UUID)
    filters.due_date_since = _date_param(params, "due_date_since")
    filters.due_date_until = _date_param(params, "due_date_until")
    return filters, params.get("order_by"), page, limit if limit is not None else DEFAULT_LIMIT


async def tasks_to_check(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> Any:
    """Tasks waiting for feedback the caller may review: a list, or with `page` a page envelope."""
    filters, order_by, page, limit = parse_to_check(params)
    allowed, project_ids, department_ids = _check_scope(caller)
    if not allowed:
        if page is None:
            return []
        stats = {"total": 0, "total_duration": 0, "total_estimation": 0}
        return {"data": [], "stats": stats, "page": max(page, 1), "limit": max(limit, 1), "is_more": False}
    repo = UserContextRepository(session)
    where = repo.to_check_where(project_ids, department_ids, filters)
    order = repo.to_check_order(order_by)
    if page is None:
        rows = await repo.detailed_tasks(where, order)
        return await _task_list(repo, rows, casting=False)
    page, limit = max(page, 1), max(limit, 1)
    total, duration, estimation = await repo.task_stats(where)
    rows = await repo.detailed_tasks(where, order, limit=limit, offset=(page - 1) * limit)
    return {
        "data": await _task_list(repo, rows, casting=False),
        "stats": {"total": total, "total_duration": duration or 0, "total_estimation": estimation or 0},
        "page": page,
        "limit": limit,
        "is_more": page * limit < total,
    }


async def tasks_to_check_filter_values(session: AsyncSession, caller: Caller) -> dict[str, list[str]]:
    """The project, task type, status, episode and assignee ids found among the tasks to check."""
    keys = ("project_ids", "task_type_ids", "task_status_ids", "episode_ids", "person_ids")
    allowed, project_ids, department_ids = _check_scope(caller)
    if not allowed:
        return {key: [] for key in keys}
    repo = UserContextRepository(session)
    rows, person_ids = await repo.to_check_filter_values(
        repo.to_check_where(project_ids, department_ids, ToCheckFilters())
    )
    values: dict[str, set[str]] = {key: set() for key in keys}
    for project_id, task_type_id, task_status_id, episode_id, source_id, parent_id, type_name in rows:
        values["project_ids"].add(project_id)
        values["task_type_ids"].add(task_type_id)
        values["task_status_ids"].add(task_status_id)
        episode_id = episode_id or source_id
        if type_name == SEQUENCE and parent_id is not None:
            episode_id = parent_id
        if episode_id is not None:
            values["episode_ids"].add(episode_id)
    values["person_ids"] = set(person_ids)
    return {key: sorted(ids) for key, ids in values.items()}


# --- the context ------------------------------------------------------------------------------


async def _persons(repo: UserContextRepository, caller: Caller) -> list[dict[str, Any]]:
    if caller.is_client:
        rows = await repo.persons(client_id=caller.id)
        return sorted((_client_person(row) for row in rows), key=lambda p: p["full_name"])
    rows = await repo.persons()
    if caller.is_manager:
        return [_full_person(row) for row in rows]
    return [minimal_person(row) for row in rows]


async def context(session: AsyncSession, caller: Caller, settings: Settings) -> dict[str, Any]:
    """Everything Kitsu needs at login, scoped to the caller (Zou's keys and order)."""
    repo = UserContextRepository(session)
    catalog = {key: [_typed(r, CATALOG_TYPES[key]) for r in await repo.catalog(t)] for key, t in CATALOG_TABLES.items()}
    out: dict[str, Any] = {
        "asset_types": [_asset_type(row) for row in await repo.asset_types(TEMPORAL_KINDS)],
        "custom_actions": catalog["custom_actions"],
        "status_automations": catalog["status_automations"],
        "departments": catalog["departments"],
        "studios": catalog["studios"],
        "notification_count": await repo.unread_notification_count(caller.id),
        "persons": await _persons(repo, caller),
        "project_status": catalog["project_status"],
        "project_roles": await repo.project_roles(caller.id),
        "projects": await open_projects(session, caller),
        "task_types": catalog["task_types"],
        "task_status": catalog["task_status"],
        "search_filters": await search_filters.list_filters(session, caller),
        "search_filter_groups": await search_filters.list_groups(session, caller),
        "preview_background_files": catalog["preview_background_files"],
        "plugins": [{key: row[key] for key in PLUGIN_FIELDS} for row in await repo.plugins()],
    }
    if caller.is_admin:
        out["user_limit"] = settings.user_limit
    return out
