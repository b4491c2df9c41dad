"""The task workflow: updating and removing tasks, bulk creation and deletion, assignment,
priorities, the full task view, a person's tasks, open tasks and their aggregates.

Rules follow Zou 1.0.97 (`blueprints/tasks`, `blueprints/crud/task.py`, `tasks_service`,
`todos_service`, `deletion_service`), with these choices where Zou is loose:

- removals are set-based (one statement per dependent table for the whole batch); an entity
  showing a removed preview loses it rather than getting the newest other one back;
- vendors listing a project's tasks see only the tasks assigned to them (Zou scopes them only
  when an episode is given);
- the open tasks `total` is the size of the whole pool (Zou counts the rows after the page offset).
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, DomainError, NotFound, PermissionDenied, WrongParameter
from app.domain import events, notifications, stored_files
from app.domain.access import require_entity_access, require_manager, require_member, team_scope
from app.domain.entity_kinds import ASSET, CONCEPT, EPISODE, entity_kinds
from app.domain.entity_tasks import _created_task, _default_status
from app.domain.permissions import CLIENT, MANAGER, SUPERVISOR, VENDOR, Caller
from app.domain.persons import SECRET_FIELDS, full_name
from app.domain.task_access import (
    check_supervisor_task_access,
    check_task_department_access,
    check_task_department_access_for_unassign,
    load_task,
)
from app.domain.task_fields import blank_for_client
from app.repositories import tasks as q
from app.repositories.entity_tasks import EntityTasksRepository
from app.repositories.tables.tasks import Task
from app.repositories.tasks import TaskRepository

TASK_NOT_FOUND = "Task not found."
REFERENCED = "The change conflicts with records referencing this one."
NOT_A_LIST = "Request body must be a JSON array."
NOT_IDS = "Request body must only contain valid UUIDs."
_BASE = ("id", "created_at", "updated_at")


class AssigneeNotFound(DomainError):
    """Zou's answer when the person to assign does not exist (400 `{"error": ...}`)."""

    def __init__(self) -> None:
        super().__init__("Assignee doesn't exist in database.")

    def body(self) -> dict:
        return {"error": self.message}


def is_id(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- presentation -------------------------------------------------------------------------


def present(row: Mapping[str, Any], assignees: list[str] | None = None) -> dict[str, Any]:
    """A task as Zou serializes it: its columns (`assignees` before the base ones when given), `type`."""
    out = {name: row[name] for name in q.TASK_COLUMNS if name not in _BASE}
    if assignees is not None:
        out["assignees"] = list(assignees)
    out.update((name, row[name]) for name in _BASE)
    out["type"] = "Task"
    return out


def _typed(row: Mapping[str, Any] | None, type_name: str) -> dict[str, Any] | None:
    return None if row is None else {**row, "type": type_name}


def _entity(row: Mapping[str, Any], type_name: str) -> dict[str, Any]:
    """An entity as `entities_service.get_entity` answers it: `id` first."""
    out = {"id": row["id"]}
    out.update((k, v) for k, v in row.items() if k not in _BASE)
    out["created_at"], out["updated_at"], out["type"] = row["created_at"], row["updated_at"], type_name
    return out


def _person(row: Mapping[str, Any], departments: list[str] | None = None) -> dict[str, Any]:
    """A person without secrets; `departments` (before `studio_id`) when given, `full_name` before `id`."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in SECRET_FIELDS or key in _BASE:
            continue
        if key == "studio_id" and departments is not None:
            out["departments"] = departments
        out[key] = value
    out["full_name"] = full_name(dict(row))
    out.update((k, row[k]) for k in _BASE)
    out["type"] = "Person"
    return out


# --- reading one task ------------------------------------------------------------------------


async def full_task(session: AsyncSession, caller: Caller, task_id: str) -> dict[str, Any]:
    """`GET /data/tasks/{id}/full`: the task with everything its page shows."""
    repo = TaskRepository(session)
    found = await repo.full(task_id, caller.id)
    if found is None:
        raise NotFound(TASK_NOT_FOUND)
    row = found["task"]
    scope = await require_member(session, caller, row["project_id"])
    if row["entity_id"] is not None:
        await require_entity_access(session, scope, row["entity_id"])
    task = present(row, found["assignees"])
    entity, entity_type = found["entity"], found["entity_type"]
    task.update(
        {
            "entity": _entity(entity, "Entity") if entity else None,
            "entity_type": _typed(entity_type, "EntityType"),
            "is_subscribed": found["is_subscribed"],
            "persons": [_person(p) for p in await repo.person_rows(found["assignees"])],
            "project": _typed(found["project"], "Project"),
            "task_status": _typed(found["task_status"], "TaskStatus"),
            "task_type": _typed(found["task_type"], "TaskType"),
            "type": "Task",
        }
    )
    if found["assigner"] is not None:
        task["assigner"] = _person(found["assigner"], found["assigner_departments"])
    parent = found["parent"]
    if entity and entity["parent_id"] is not None and parent is not None:
        kind = entity_type["name"] if entity_type else None
        sequence = None
        if kind == "Sequence":
            sequence, episode = task["entity"], parent
        elif kind in ("Shot", "Scene"):
            sequence, episode = _entity(parent, "Sequence"), found["grand"]
        if sequence is not None:
            task["sequence"] = sequence
            if sequence["parent_id"] is not None and episode is not None:
                task["episode"] = _entity(episode, "Episode")
    if scope.is_client:
        task = blank_for_client(task)
        task["persons"] = []
        task.pop("assigner", None)
    return task


# --- PUT /data/tasks/{id} (hooks of the CRUD entry) ----------------------------------------------


async def before_update(
    session: AsyncSession, caller: Caller, row: dict[str, Any], data: dict[str, Any], state: dict[str, Any]
) -> dict[str, Any]:
    """Zou's `TaskResource.put` checks: managers, or department supervisors for planning
    fields; no preview account among the assignees (unknown persons are dropped); metadata
    merged into the stored `data`."""
    context = await load_task(session, row["id"])
    await check_supervisor_task_access(session, caller, context, data.keys())
    if "assignees" in data:
        wanted = [str(p) for p in data["assignees"] or []]
        known = await TaskRepository(session).persons(wanted)
        if any(p["preview"] for p in known.values()):
            raise WrongParameter("A preview account can't be assigned")
        data["assignees"] = [p for p in dict.fromkeys(wanted) if p in known]
        state["previous_assignees"] = list(context["assignee_ids"])
        state["assignees"] = data["assignees"]
    if isinstance(data.get("data"), dict) and data["data"]:
        data["data"] = {**(row.get("data") or {}), **data["data"]}
    return data


async def after_update(
    session: AsyncSession, caller: Caller, row: dict[str, Any], data: dict[str, Any], state: dict[str, Any]
) -> None:
    """Assignees changed through PUT: `task:assign` (and an assignation notification) per new
    assignee, `task:unassign` per removed one, before the `task:update` the engine emits."""
    if "previous_assignees" not in state:
        return
    previous = state["previous_assignees"]
    current = state["assignees"]
    added = [p for p in current if p not in previous]
    removed = [p for p in previous if p not in current]
    project_id = row["project_id"]
    items = [("task:assign", {"task_id": row["id"], "person_id": p}, project_id) for p in added]
    items += [("task:unassign", {"task_id": row["id"], "person_id": p}, project_id) for p in removed]
    if items:
        await events.emit_many(session, items, user_id=caller.id)
    if added:
        await notifications.notify_assignation(session, row, added, caller.id)


# --- removal -----------------------------------------------------------------------------------


def delete_event(row: Mapping[str, Any]) -> tuple[str, dict[str, Any], str | None]:
    """Zou's `task:delete`: it names the entity and the task type too."""
    return (
        "task:delete",
        {"task_id": row["id"], "entity_id": row["entity_id"], "task_type_id": row["task_type_id"]},
        row["project_id"],
    )


async def _purge(
    session: AsyncSession, caller: Caller, rows: list[dict[str, Any]], *, task_events: bool = True
) -> None:
    """Remove the tasks with everything hanging off them; `news:delete` then `task:delete` events."""
    if not rows:
        return
    projects = {row["id"]: row["project_id"] for row in rows}
    removed_news, removed_files = await TaskRepository(session).purge(list(projects))
    stored_files.discard_removed(session, removed_files)
    items = [("news:delete", {"news_id": n["id"]}, projects.get(n["task_id"])) for n in removed_news]
    if task_events:
        items += [delete_event(row) for row in rows]
    if items:
        await events.emit_many(session, items, user_id=caller.id)


async def before_delete(session: AsyncSession, caller: Caller, row: dict[str, Any], force: bool) -> None:
    """`DELETE /data/tasks/{id}` (hook of the CRUD entry): managers of the project. The task goes
    here (the engine then finds nothing left to delete): with `force` with everything hanging
    off it, without only when nothing else (comments, time spents...) points at it (400)."""
    if row["project_id"] is None:
        if not caller.is_admin:
            raise PermissionDenied()
    else:
        await require_manager(session, caller, row["project_id"])
    if force:
        await _purge(session, caller, [row], task_events=False)
    elif not await TaskRepository(session).try_delete(row["id"]):
        raise Conflict(REFERENCED)


def id_list(body: Any, *, required: bool = True) -> list[str] | None:
    """Zou's `validate_id_list`: a JSON array of ids; without `required`, no body (or `{}`) is None."""
    if not isinstance(body, list):
        if not required and (body is None or body == {}):
            return None
        raise WrongParameter(NOT_A_LIST)
    for value in body:
        if not is_id(value):
            raise WrongParameter(NOT_IDS)
    return body


async def delete_tasks(session: AsyncSession, caller: Caller, project_id: str, body: Any) -> list[str]:
    """`POST /actions/projects/{id}/delete-tasks`: remove the given tasks of the project."""
    await require_manager(session, caller, project_id)
    ids = id_list(body)
    if ids:
        rows = await TaskRepository(session).task_ids(q.task.c.project_id == project_id, q.in_ids(q.task.c.id, ids))
        await _purge(session, caller, rows)
    return ids


async def delete_tasks_for_type(session: AsyncSession, caller: Caller, project_id: str, task_type_id: str) -> None:
    """`DELETE /actions/projects/{id}/task-types/{id}/delete-tasks`: admins only."""
    if not caller.is_admin:
        raise PermissionDenied()
    repo = TaskRepository(session)
    if not await repo.project_exists(project_id):
        raise NotFound("Project not found.")
    rows = await repo.task_ids(q.task.c.project_id == project_id, q.task.c.task_type_id == task_type_id)
    await _purge(session, caller, rows)


# --- bulk creation -------------------------------------------------------------------------------


async def create_tasks(
    session: AsyncSession,
    caller: Caller,
    project_id: str,
    task_type_id: str,
    kind: str,
    body: Any,
    episode_id: str | None = None,
    *,
    named: bool = False,
) -> list[dict[str, Any]]:
    """`POST /actions/projects/{id}/task-types/{id}/<kind>s/create-tasks` (and `create-tasks/{type}`):
    one `main` task of the type per entity (the given ones of the project, else all of the kind),
    skipping entities that already have a task of that type. `named`: `kind` is the name of an
    entity type (`create-tasks/{entity_type}`), any entity of the project may be given."""
    if episode_id is not None and not is_id(episode_id):
        raise WrongParameter("Wrong UUID format.")
    if kind == CONCEPT and not named:
        scope = await require_member(session, caller, project_id)
        if scope.is_vendor or scope.is_client:
            raise PermissionDenied()
    else:
        await require_manager(session, caller, project_id)
    entity_repo = EntityTasksRepository(session)
    found = await entity_repo.task_types([task_type_id])
    if not found:
        raise NotFound("Task type not found.")
    task_type = found[0]
    repo = TaskRepository(session)
    kinds = await entity_kinds(session)
    if not named:
        matches = kinds.is_asset_type if kind == ASSET else (lambda type_id: type_id == kinds.id(kind))
    else:
        entity_type = await repo.entity_type_by_name(kind.capitalize())
        if entity_type is None:
            raise NotFound("Entity type not found.")
        matches = None
        kind_type_id = entity_type["id"]
    ids = id_list(body, required=False)
    if ids:
        rows = {row["id"]: row for row in await repo.entities(ids)}
        entities = []
        for entity_id in ids:
            row = rows.get(entity_id)
            if row is None or (matches is not None and not matches(row["entity_type_id"])):
                raise NotFound("Entity not found.")
            if row["project_id"] == project_id:
                entities.append(row)
    elif matches is not None:
        if kind == ASSET:
            condition = q.entity_kind_condition(kinds.temporal_ids, exclude=True)
        else:
            condition = q.entity_kind_condition([kinds.id(kind)])
        entities = await repo.project_entities(project_id, condition)
    else:
        entities = await repo.project_entities(project_id, q.entity_kind_condition([kind_type_id]), episode_id)
    entities = list({row["id"]: row for row in entities}.values())
    if not entities:
        return []
    existing = await repo.entities_with_task_type([row["id"] for row in entities], task_type_id)
    new = [row for row in entities if row["id"] not in existing]
    status = await _default_status(entity_repo, entities[0]["entity_type_id"] == kinds.id(CONCEPT))
    if not new:
        return []
    rows = await entity_repo.insert_tasks(
        [
            {
                "name": "main",
                "duration": 0,
                "estimation": 0,
                "completion_rate": 0,
                "retake_count": 0,
                "sort_order": 0,
                "priority": 0,
                "difficulty": 3,
                "nb_assets_ready": 0,
                "nb_drawings": 0,
                "project_id": row["project_id"],
                "task_type_id": task_type_id,
                "task_status_id": status["id"],
                "entity_id": row["id"],
                "assigner_id": caller.id,
            }
            for row in new
        ]
    )
    await events.emit_many(
        session, [("task:new", {"task_id": row["id"]}, row["project_id"]) for row in rows], user_id=caller.id
    )
    return [_created_task(row, task_type, status) for row in rows]


# --- assignment ----------------------------------------------------------------------------------


async def _check_assignable(
    repo: TaskRepository, person_id: str, project_ids: Iterable[str]
) -> tuple[dict[str, Any], dict[str, bool]]:
    """The person to assign (400 when unknown) and, per project, whether a bot may be assigned."""
    person = (await repo.persons([person_id])).get(person_id) if is_id(person_id) else None
    if person is None:
        raise AssigneeNotFound()
    flags = await repo.project_flags(list(set(project_ids))) if person["is_bot"] else {}
    return person, flags


async def _assign(
    session: AsyncSession, caller: Caller, contexts: list[dict[str, Any]], person_id: str
) -> list[dict[str, Any]]:
    """Assign the person to the tasks the caller may assign them to (the others are skipped):
    links, assigner, events, notifications and team membership. Answers the tasks with assignees."""
    repo = TaskRepository(session)
    person, bot_projects = await _check_assignable(repo, person_id, [c["project_id"] for c in contexts])
    allowed = []
    for context in contexts:
        if person["is_bot"] and not bot_projects.get(context["project_id"]):
            continue
        try:
            await check_task_department_access(session, caller, context, person_id)
        except PermissionDenied:
            continue
        allowed.append(context)
    if not allowed:
        return []
    if person["preview"]:
        raise WrongParameter("A preview account can't be assigned")
    ids = [c["id"] for c in allowed]
    await repo.add_assignees([(task_id, person_id) for task_id in ids])
    rows = {row["id"]: row for row in await repo.update(ids, {"assigner_id": caller.id})}
    items = []
    for task_id in ids:
        project_id = rows[task_id]["project_id"]
        items.append(("task:assign", {"task_id": task_id, "person_id": person_id}, project_id))
        items.append(("task:update", {"task_id": task_id}, project_id))
    await events.emit_many(session, items, user_id=caller.id)
    for task_id in ids:
        await notifications.notify_assignation(session, rows[task_id], [person_id], caller.id)
    await repo.add_team_members([(rows[ids[0]]["project_id"], person_id)])
    assignees = await repo.assignees_of(ids)
    return [present(rows[task_id], assignees.get(task_id, [])) for task_id in ids]


async def assign_task(session: AsyncSession, caller: Caller, task_id: str, person_id: str) -> dict[str, Any]:
    """`PUT /actions/tasks/{id}/assign`: 404 for an unknown task, 400 for an unknown person, 403 when
    the caller may not assign that person."""
    context = await load_task(session, task_id)
    repo = TaskRepository(session)
    person, bot_projects = await _check_assignable(repo, person_id, [context["project_id"]])
    if person["is_bot"] and not bot_projects.get(context["project_id"]):
        raise PermissionDenied()
    await check_task_department_access(session, caller, context, person_id)
    done = await _assign(session, caller, [context], person_id)
    if not done:
        raise PermissionDenied()
    return done[0]


async def assign_tasks(
    session: AsyncSession, caller: Caller, person_id: str, task_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """`PUT /actions/persons/{id}/assign`: unknown tasks and tasks the caller may not assign are skipped."""
    contexts = await TaskRepository(session).contexts([t for t in dict.fromkeys(task_ids) if is_id(t)])
    if not contexts:
        return []
    order = {task_id: i for i, task_id in enumerate(task_ids)}
    contexts.sort(key=lambda c: order.get(c["id"], 0))
    for context in contexts:
        context["assignee_ids"] = list(context["assignee_ids"] or [])
    return await _assign(session, caller, contexts, person_id)


async def clear_assignation(
    session: AsyncSession, caller: Caller, task_ids: Sequence[str], person_id: str | None
) -> list[str]:
    """`PUT /actions/tasks/clear-assignation`: unassign the person (everyone when None) from the
    tasks the caller may; answers their ids. `task:unassign` per removal, then `task:update`."""
    repo = TaskRepository(session)
    contexts = await repo.contexts([t for t in dict.fromkeys(task_ids) if is_id(t)])
    order = {task_id: i for i, task_id in enumerate(task_ids)}
    contexts.sort(key=lambda c: order.get(c["id"], 0))
    allowed = []
    for context in contexts:
        context["assignee_ids"] = list(context["assignee_ids"] or [])
        try:
            await check_task_department_access_for_unassign(session, caller, context, person_id)
        except PermissionDenied:
            continue
        allowed.append(context)
    if not allowed:
        return []
    ids = [c["id"] for c in allowed]
    removed = await repo.remove_assignees(ids, person_id)
    rows = {row["id"]: row for row in await repo.update(ids, {})}
    by_task: dict[str, list[str]] = defaultdict(list)
    for task_id, removed_id in removed:
        by_task[task_id].append(removed_id)
    items = []
    for context in allowed:
        task_id, project_id = context["id"], context["project_id"]
        gone = [person_id] if person_id is not None else by_task.get(task_id, [])
        items += [("task:unassign", {"person_id": p, "task_id": task_id}, project_id) for p in gone]
        items.append(("task:update", {"task_id": task_id}, rows[task_id]["project_id"]))
    await events.emit_many(session, items, user_id=caller.id)
    return ids


async def set_priority(
    session: AsyncSession, caller: Caller, task_ids: Sequence[str], priority: int
) -> list[dict[str, Any]]:
    """`PUT /actions/tasks/set-priority`: the tasks the caller may plan get the priority."""
    repo = TaskRepository(session)
    contexts = await repo.contexts([t for t in dict.fromkeys(task_ids) if is_id(t)])
    order = {task_id: i for i, task_id in enumerate(task_ids)}
    contexts.sort(key=lambda c: order.get(c["id"], 0))
    allowed = []
    for context in contexts:
        try:
            await check_supervisor_task_access(session, caller, context, ("priority",))
        except PermissionDenied:
            continue
        allowed.append(context["id"])
    if not allowed:
        return []
    rows = {row["id"]: row for row in await repo.update(allowed, {"priority": priority})}
    await events.emit_many(
        session,
        [("task:update", {"task_id": t}, rows[t]["project_id"]) for t in allowed],
        user_id=caller.id,
    )
    return [present(rows[t]) for t in allowed]


# --- a person's tasks -----------------------------------------------------------------------------


async def _person_guard(session: AsyncSession, caller: Caller, person_id: str) -> str | None:
    """Zou's `check_person_is_not_bot` (404 unknown, 403 bot) and the vendor rule; the person's role."""
    exists, is_bot, role = await TaskRepository(session).person_exists_and_bot(person_id)
    if not exists:
        raise NotFound("Person not found.")
    if is_bot:
        raise PermissionDenied()
    if person_id != caller.id and caller.role == VENDOR:
        raise PermissionDenied()
    return role


def _detailed(row: dict[str, Any]) -> dict[str, Any]:
    """Zou's `resolve_episode_and_build_task_dict`: the task plus what a todo list shows."""
    task = present(row)
    preview_id = row["x_entity_preview_file_id"] or ""
    source_id = row["x_entity_source_id"] or ""
    episode_id, episode_name = row["x_episode_id"], row["x_episode_name"]
    if episode_id is None:
        episode_id = source_id
        if source_id:
            episode_name = row["x_source_name"] if row["x_source_name"] is not None else "MP"
    if row["x_entity_type_name"] == "Sequence" and row["x_entity_parent_id"] is not None:
        episode_id = row["x_entity_parent_id"]
        episode_name = row["x_sequence_name"]
    task.update(
        {
            "project_name": row["x_project_name"],
            "project_id": row["project_id"],
            "project_has_avatar": row["x_project_has_avatar"],
            "entity_id": row["entity_id"],
            "entity_name": row["x_entity_name"],
            "entity_description": row["x_entity_description"],
            "entity_data": row["x_entity_data"],
            "entity_preview_file_id": preview_id,
            "entity_source_id": source_id,
            "entity_type_name": row["x_entity_type_name"],
            "entity_canceled": row["x_entity_canceled"],
            "sequence_name": row["x_sequence_name"],
            "episode_id": str(episode_id),
            "episode_name": episode_name,
            "task_type_for_entity": row["x_task_type_for_entity"],
        }
    )
    return task


async def person_tasks(session: AsyncSession, caller: Caller, person_id: str, done: bool) -> list[dict[str, Any]]:
    """`GET /data/persons/{id}/tasks` (open ones) and `/done-tasks`, in the caller's open projects
    (every open project for admins). Clients, and vendors asking about a vendor, get nothing."""
    role = await _person_guard(session, caller, person_id)
    if caller.role == VENDOR and role == VENDOR:
        return []
    if caller.role == CLIENT:
        return []
    return await tasks_of_person(session, person_id, None if caller.is_admin else caller.id, done)


async def tasks_of_person(
    session: AsyncSession, person_id: str, viewer_id: str | None, done: bool = False
) -> list[dict[str, Any]]:
    """A person's open (or done) tasks in the open projects (of the viewer's teams, when given),
    as Zou's todo lists show them, in a fixed number of statements."""
    repo = TaskRepository(session)
    projects = q.open_project_ids() if viewer_id is None else q.team_open_project_ids(viewer_id)
    rows = await repo.person_tasks(person_id, projects, done)
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    kinds = await entity_kinds(session)
    castings = await repo.episode_castings(list({row["entity_id"] for row in rows}), kinds.by_kind.get(EPISODE))
    assignees = await repo.assignees_of(ids)
    comments = await repo.last_comments(ids)
    tasks = []
    for row in rows:
        task = _detailed(row)
        task.update(
            {
                "task_estimation": row["estimation"],
                "task_duration": row["duration"],
                "task_start_date": row["start_date"],
                "task_due_date": row["due_date"],
                "task_type_name": row["x_task_type_name"],
                "task_status_name": row["x_task_status_name"],
                "task_type_color": row["x_task_type_color"],
                "task_status_color": row["x_task_status_color"],
                "task_status_short_name": row["x_task_status_short_name"],
            }
        )
        cast_in = castings.get(row["entity_id"])
        if cast_in:
            task["episode_ids"] = [e[0] for e in cast_in]
            task["episode_names"] = [e[1] for e in cast_in]
        task["assignees"] = assignees.get(row["id"], [])
        task["last_comment"] = comments.get(row["id"], {})
        tasks.append(task)
    return tasks


async def related_tasks(session: AsyncSession, caller: Caller, person_id: str, task_type_id: str) -> list[dict]:
    """`GET /data/persons/{id}/related-tasks/{task_type_id}`: the tasks of that type on the entities
    the person works on (open projects). Unlike Zou, a non-admin sees only the projects whose team
    they are on: nobody reads another production's tasks through someone else's person id."""
    await _person_guard(session, caller, person_id)
    scope = team_scope(Task.__table__.c.project_id, caller)
    return [present(row) for row in await TaskRepository(session).related_tasks(person_id, task_type_id, scope)]


async def persons_task_dates(session: AsyncSession, caller: Caller, project_id: str | None) -> list[dict[str, Any]]:
    """`GET /data/persons/task-dates`: per active person, the first task start and last due date.
    Supervisors and managers see their open projects; the other open projects come back as
    anonymous busy periods."""
    project_id = (project_id or "").strip() or None
    if project_id is not None and not is_id(project_id):
        raise WrongParameter("Invalid project_id.")
    repo = TaskRepository(session)
    busy = None
    if project_id is not None:
        if not caller.is_admin:
            if caller.role not in (MANAGER, SUPERVISOR):
                raise PermissionDenied()
            if not (await require_member_or_none(session, caller, project_id)):
                raise PermissionDenied()
        projects: Any = [project_id]
    elif caller.is_admin:
        projects = q.open_project_ids()
    else:
        if caller.role not in (MANAGER, SUPERVISOR):
            raise PermissionDenied()
        projects = q.team_open_project_ids(caller.id)
        busy = q.open_project_ids().where(q.project.c.id.not_in(q.team_open_project_ids(caller.id)))
    entries: dict[str, dict[str, Any]] = {}
    for pid, min_date, max_date in await repo.persons_task_dates(projects):
        entries[pid] = {"person_id": pid, "min_date": min_date, "max_date": max_date, "busy_periods": []}
    if busy is not None:
        intervals: dict[str, list] = defaultdict(list)
        for pid, start, end in await repo.busy_periods(busy):
            intervals[pid].append((start, end))
        for pid, spans in intervals.items():
            entry = entries.setdefault(pid, {"person_id": pid, "min_date": None, "max_date": None, "busy_periods": []})
            entry["busy_periods"] = [{"start_date": str(s), "end_date": str(e)} for s, e in _merge(spans)]
    return list(entries.values())


async def require_member_or_none(session: AsyncSession, caller: Caller, project_id: str) -> bool:
    try:
        await require_member(session, caller, project_id)
    except (PermissionDenied, NotFound):
        return False
    return True


def _merge(intervals: list[tuple]) -> list[tuple]:
    merged: list[list] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


# --- project and entity listings ------------------------------------------------------------------


async def project_tasks(
    session: AsyncSession,
    caller: Caller,
    project_id: str,
    page: int,
    task_type_id: str | None,
    episode_id: str | None,
) -> list[dict[str, Any]] | dict[str, Any]:
    """`GET /data/projects/{id}/tasks`: the project's tasks with assignees, newest update first;
    `page` (>= 1) gives Zou's page envelope of 100."""
    repo = TaskRepository(session)
    if not await repo.project_exists(project_id):
        raise NotFound("Project not found.")
    scope = await require_member(session, caller, project_id)
    conds = q.project_task_conditions(project_id, task_type_id, episode_id, caller.id if scope.is_vendor else None)
    if page < 1:
        return [present(row, row["assignees"]) for row in await repo.project_tasks(conds)]
    limit = 100
    offset = (page - 1) * limit
    total = await repo.count(conds)
    rows = [] if total < offset else await repo.project_tasks(conds, limit=limit, offset=offset)
    return {
        "data": [present(row, row["assignees"]) for row in rows],
        "total": total,
        "nb_pages": -(-total // limit),
        "limit": limit,
        "offset": offset,
        "page": page,
    }


async def entity_task_type_tasks(
    session: AsyncSession, caller: Caller, entity_id: str, task_type_id: str
) -> list[dict[str, Any]]:
    """`GET /data/entities/{id}/task-types/{id}/tasks`: the entity's tasks of that type, by name."""
    repo = TaskRepository(session)
    project_id = await repo.entity_project(entity_id)
    if project_id is None:
        raise NotFound("Entity not found.")
    scope = await require_member(session, caller, project_id)
    rows = await repo.plain_tasks(
        q.task.c.entity_id == entity_id, q.task.c.task_type_id == task_type_id, order_by=(q.task.c.name,)
    )
    tasks = [present(row) for row in rows]
    return [blank_for_client(t) for t in tasks] if scope.is_client else tasks


# --- open tasks ----------------------------------------------------------------------------------


def _parse_date(value: str | None) -> datetime.datetime | None:
    if value is None:
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        raise WrongParameter(
            "Wrong date format for before argument.Expected format: 2020-01-05T13:23:10 or 2020-01-05"
        ) from None


def _parse_int(params: Mapping[str, str], name: str, default: int | None = None) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise WrongParameter(f"Wrong value for parameter {name}.") from None


async def _pool(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list:
    """The SQL conditions of the open tasks pool for the caller and Zou's filters (400 on bad values)."""
    ids = {}
    for name in ("project_id", "task_type_id", "task_status_id", "studio_id", "department_id"):
        value = params.get(name)
        if value is not None and not is_id(value):
            raise WrongParameter("Wrong UUID format.")
        ids[name] = value
    person = params.get("person_id")
    person_ids = None
    if person is not None and person != "unassigned":
        person_ids = person.split(",")
        if not all(is_id(p) for p in person_ids):
            raise WrongParameter("Wrong UUID format.")
    start, due = _parse_date(params.get("start_date")), _parse_date(params.get("due_date"))
    priority = _parse_int(params, "priority")
    project_ids = None
    if ids["project_id"] is not None:
        await require_member(session, caller, ids["project_id"])
    elif not caller.is_admin:
        project_ids = q.team_open_project_ids(caller.id)
    return q.pool_conditions(
        project_id=ids["project_id"],
        project_ids=project_ids,
        task_type_id=ids["task_type_id"],
        task_status_id=ids["task_status_id"],
        person_ids=person_ids,
        unassigned=person == "unassigned",
        studio_id=ids["studio_id"],
        department_id=ids["department_id"],
        start_date=start,
        due_date=due,
        priority=priority,
    )


async def open_tasks(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> dict[str, Any]:
    """`GET /data/tasks/open-tasks`: a page of the open tasks pool with its totals."""
    page = _parse_int(params, "page")
    limit = max(_parse_int(params, "limit", 100) or 0, 1)
    conds = await _pool(session, caller, params)
    offset = (page - 1) * limit if page is not None and page > 0 else 0
    rows, totals, per_status = await TaskRepository(session).open_tasks(conds, limit, offset)
    result: dict[str, Any] = {
        "data": [],
        "stats": {"total_duration": 0, "total_estimation": 0, "total": 0, "status": []},
        "limit": limit,
        "is_more": False,
        "page": page or 1,
    }
    if not rows:
        return result
    data = []
    for row in rows:
        task = _detailed(row)
        task.update(
            {
                "type_name": row["x_task_type_name"],
                "status_name": row["x_task_status_name"],
                "type_color": row["x_task_type_color"],
                "status_color": row["x_task_status_color"],
                "status_short_name": row["x_task_status_short_name"],
                "assignees": list(row["x_assignees"] or []),
            }
        )
        data.append(task)
    total = totals["total"]
    result.update(
        {
            "data": data,
            "stats": {
                "total_duration": totals["total_duration"],
                "total_estimation": totals["total_estimation"],
                "total": total,
                "status": per_status,
            },
            "is_more": (page or 1) * limit < total,
        }
    )
    return result


async def open_tasks_stats(session: AsyncSession, caller: Caller) -> dict[str, Any]:
    """`GET /data/tasks/open-tasks/stats`: per open project (of the caller's teams), the amounts
    per task type and status."""
    if caller.is_admin:
        conds = [q.project_status.c.name == q.OPEN]
    else:
        conds = [q.project.c.id.in_(q.team_open_project_ids(caller.id))]
    result: dict[str, Any] = {}
    for stat in await TaskRepository(session).open_tasks_stats(conds):
        project = result.setdefault(
            stat["project_id"],
            {"amount": 0, "amount_done": 0, "total_duration": 0, "total_estimation": 0, "task_types": []},
        )
        for key in ("amount", "amount_done", "total_duration", "total_estimation"):
            project[key] += stat[key] or 0
        project["task_types"].append(stat)
    return result


async def open_tasks_burndown(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> dict[str, Any]:
    """`GET /data/tasks/open-tasks/burndown`: totals, schedule bounds and tasks done per day."""
    conds = await _pool(session, caller, params)
    head, done_rows = await TaskRepository(session).burndown(conds)
    schedule_start = head["first_start"] or head["project_start"]
    planning = [d for d in (schedule_start, head["last_due"] or head["project_end"]) if d is not None]
    window_start = min(planning) if schedule_start is not None else None
    if window_start is not None and done_rows and done_rows[0][0] < window_start:
        early = [r for r in done_rows if r[0] <= window_start]
        folded = (window_start, sum(r[1] for r in early), sum(r[2] or 0 for r in early))
        done_rows = [folded] + [r for r in done_rows if r[0] > window_start]
    bounds = list(planning)
    if done_rows:
        bounds += [done_rows[0][0], done_rows[-1][0]]
    return {
        "total": head["total"],
        "total_estimation": head["total_estimation"] or 0,
        "start_date": min(bounds).isoformat() if bounds else None,
        "end_date": max(bounds).isoformat() if bounds else None,
        "done_by_day": [
            {"date": day.isoformat(), "done": count, "done_estimation": estimation or 0}
            for day, count, estimation in done_rows
        ],
    }
