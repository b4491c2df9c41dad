"""Who may read, act on, assign or comment a task: Zou's task rules over one `TaskContext`.

Every task route starts with `load_task` (one query: the task, its assignee ids, its
task type's department and its entity's creator), then calls the check it needs. Each
check answers the caller's `ProjectScope`, so later role tests read the effective role
on the task's project, never the global one.

- `check_task_access`: read a task (project member; a vendor needs an assignment on the entity).
- `check_task_action_access`: comment, change status, act on a task: admins; on the team,
  managers and clients; assignees; supervisors of the task type's department (or with no
  department); the creator of the task's entity.
- `check_task_mention_access`: answer a conversation one was mentioned in (team, not vendor).
- `check_supervisor_task_access`: change a task's fields (managers; supervisors of the
  department for planning fields only).
- `check_task_department_access` / `..._for_unassign`: assign or unassign a person.
- `check_task_status_access`: artists use artist-allowed statuses, clients client-allowed ones.
- `check_comment_access`: read a comment (clients see client comments only).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied
from app.domain.access import ProjectScope, project_scope, require_entity_access, require_member
from app.domain.permissions import CLIENT, MANAGER, SUPERVISOR, USER, Caller
from app.repositories.task_access import TaskAccessRepository

TaskContext = dict[str, Any]
"""A task row plus `assignee_ids`, `task_type_department_id` and `entity_created_by`."""

SUPERVISOR_TASK_FIELDS = frozenset({"priority", "start_date", "due_date", "estimation", "difficulty", "data"})
"""The task fields a department supervisor may change (Zou's `check_supervisor_task_access`)."""


async def load_task(session: AsyncSession, task_id: str) -> TaskContext:
    """The task and what the access checks read; 404 when it does not exist."""
    found = await TaskAccessRepository(session).task_context(task_id)
    if found is None:
        raise NotFound("Task not found.")
    return found


def in_department(caller: Caller, department_id: str | None) -> bool:
    """Zou's department test for supervisors: no department means every department."""
    return not caller.department_ids or department_id in caller.department_ids


async def check_task_access(session: AsyncSession, caller: Caller, task: TaskContext) -> ProjectScope:
    """Zou's `check_task_access`: project member, and vendors need an assignment on the entity."""
    scope = await require_member(session, caller, task["project_id"])
    if task["entity_id"] is not None:
        await require_entity_access(session, scope, task["entity_id"])
    return scope


async def check_task_action_access(session: AsyncSession, caller: Caller, task: TaskContext) -> ProjectScope:
    """Zou's `check_task_action_access` (comment, change status, post a preview)."""
    scope = await project_scope(session, caller, task["project_id"])
    if scope.is_admin:
        return scope
    if scope.on_team:
        if scope.role in (MANAGER, CLIENT):
            return scope
        if caller.id in task["assignee_ids"]:
            return scope
        if scope.role == SUPERVISOR and in_department(caller, task["task_type_department_id"]):
            return scope
        if task["entity_created_by"] == caller.id:
            return scope
    raise PermissionDenied()


async def check_task_mention_access(session: AsyncSession, caller: Caller, task: TaskContext) -> ProjectScope:
    """Zou's `check_task_mention_access`: a team member (not a vendor) mentioned on the task."""
    scope = await project_scope(session, caller, task["project_id"])
    if not scope.on_team or scope.is_vendor:
        raise PermissionDenied()
    repo = TaskAccessRepository(session)
    if not await repo.is_mentioned_on_task(caller.id, caller.department_ids, task["id"]):
        raise PermissionDenied()
    return scope


async def check_supervisor_task_access(
    session: AsyncSession, caller: Caller, task: TaskContext, new_data: Iterable[str] = ()
) -> ProjectScope:
    """Zou's `check_supervisor_task_access`: managers; department supervisors for planning fields."""
    scope = await project_scope(session, caller, task["project_id"])
    if scope.is_manager:
        return scope
    if (
        scope.on_team
        and scope.role == SUPERVISOR
        and set(new_data) <= SUPERVISOR_TASK_FIELDS
        and in_department(caller, task["task_type_department_id"])
    ):
        return scope
    raise PermissionDenied()


async def check_task_department_access(
    session: AsyncSession, caller: Caller, task: TaskContext, person_id: str
) -> ProjectScope:
    """Zou's `check_task_department_access` (assign `person_id` to the task): managers;
    supervisors of the task's department assigning someone of their departments; an
    artist of the task's department assigning themselves."""
    scope = await project_scope(session, caller, task["project_id"])
    if scope.is_manager:
        return scope
    if scope.on_team:
        department = task["task_type_department_id"]
        if scope.role == SUPERVISOR:
            if not caller.department_ids:
                return scope
            if department in caller.department_ids:
                theirs = await TaskAccessRepository(session).person_departments(person_id)
                if set(theirs) & set(caller.department_ids):
                    return scope
        if department in caller.department_ids and person_id == caller.id:
            return scope
    raise PermissionDenied()


async def check_task_department_access_for_unassign(
    session: AsyncSession, caller: Caller, task: TaskContext, person_id: str | None = None
) -> ProjectScope:
    """Zou's `check_task_department_access_for_unassign`: managers, supervisors of the
    department, or an assignee removing themselves."""
    scope = await project_scope(session, caller, task["project_id"])
    if scope.is_manager:
        return scope
    if scope.on_team:
        if scope.role == SUPERVISOR and in_department(caller, task["task_type_department_id"]):
            return scope
        if caller.id in task["assignee_ids"] and person_id == caller.id:
            return scope
    raise PermissionDenied()


def check_task_status_access(scope: ProjectScope, status: dict[str, Any], client_allowed: bool | None = None) -> None:
    """Zou's `check_task_status_access`, on the effective role: artists may set only
    artist-allowed statuses, clients only client-allowed ones (`client_allowed` is the
    project's override when the caller has resolved it, the status's own flag otherwise)."""
    if scope.is_admin:
        return
    if scope.role == USER and not status.get("is_artist_allowed"):
        raise PermissionDenied()
    if scope.role == CLIENT:
        allowed = status.get("is_client_allowed") if client_allowed is None else client_allowed
        if not allowed:
            raise PermissionDenied()


async def check_comment_access(
    session: AsyncSession, caller: Caller, comment: dict[str, Any], task: TaskContext, clients_isolated: bool = False
) -> ProjectScope | None:
    """Zou's `check_comment_access`: readers of the task see its comments, except that a
    client sees only client comments and comments marked `for_client` (in a project with
    isolated clients, only their own and `for_client` ones); artists and vendors do not
    see comments written by clients; supervisors and managers see everything."""
    if caller.is_admin:
        return None
    scope = await check_task_access(session, caller, task)
    if scope.is_supervisor:
        return scope
    repo = TaskAccessRepository(session)
    author_role = await repo.project_role(comment["person_id"], task["project_id"])
    if scope.is_client:
        if clients_isolated and comment["person_id"] != caller.id and not comment.get("for_client"):
            raise PermissionDenied()
        if author_role == CLIENT or comment.get("for_client"):
            return scope
        raise PermissionDenied()
    if author_role == CLIENT:
        raise PermissionDenied()
    return scope
