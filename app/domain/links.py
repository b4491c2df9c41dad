"""Task type ordering and the project settings links (project <-> task type, project <-> task status).

Rules, as Zou 1.0.97 applies them:
- reordering task types is for admins; position i (from 1) becomes priority i, unknown ids
  keep their position number, no event;
- a link may be written by an admin, or by a member of the project's team whose effective
  role there is manager (policy `project_manager_on_team` below: the team link's own role
  when it has one, the global role otherwise); it is an upsert that answers 201 both ways
  and emits `project:update` for the project;
- reordering a project's task type (or task status) links is for the project's managers:
  position i (from 1) becomes the priority of the link, ids the project is not linked to
  are skipped (never created), and `project:update` is emitted.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.domain import events
from app.domain.access import require_manager
from app.domain.crud import parse_uuid
from app.domain.permissions import ADMIN, MANAGER, ROLES, Caller, require_admin
from app.repositories.links import LinkRepository, LinkTarget, ProjectAccess

PROJECT_NOT_FOUND = "Project not found."
REORDER_BODY = "The body must be a JSON object holding a 'task_type_ids' list."


# --- arguments ------------------------------------------------------------------


@dataclass(slots=True)
class LinkArgs:
    """Request arguments: query-string and form pairs first, then the JSON object body."""

    values: Sequence[tuple[str, Any]]
    body: dict[str, Any]

    def has(self, name: str) -> bool:
        return any(k == name for k, _ in self.values) or name in self.body

    def first(self, name: str) -> Any:
        for key, value in self.values:
            if key == name:
                return value
        return self.body.get(name)

    def all(self, name: str) -> list[Any]:
        found = [value for key, value in self.values if key == name]
        if found:
            return found
        value = self.body.get(name)
        return value if isinstance(value, list) else [value]

    def required(self, name: str) -> Any:
        if not self.has(name):
            raise WrongParameter(f"Missing required parameter: {name}")
        return self.first(name)

    def priority(self) -> int | None:
        """An int (default 1); an explicit JSON null stays null."""
        if not self.has("priority"):
            return 1
        value = self.first("priority")
        if value is None:
            return None
        try:
            if isinstance(value, (bool, int, float)):
                return int(value)
            if isinstance(value, str):
                return int(value.strip())
        except (ValueError, OverflowError):
            pass
        raise WrongParameter("Wrong value for parameter priority.")

    def roles_for_board(self) -> list[str]:
        """A role or a list of roles; omitted means none (not the column's default list)."""
        if not self.has("roles_for_board"):
            return []
        roles = self.all("roles_for_board")
        if any(role not in ROLES for role in roles):
            raise WrongParameter("Wrong value for parameter roles_for_board.")
        return list(roles)


def _id_text(value: Any) -> str | None:
    """A UUID as canonical text, or None when the value is not one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


# --- permissions ----------------------------------------------------------------


def effective_project_role(caller: Caller, access: ProjectAccess) -> str:
    """The caller's role on the project: the team link's role when set (never 'admin'), else the global one."""
    role = access.team_role
    return role if role not in (None, ADMIN) else caller.role


def project_manager_on_team(caller: Caller, access: ProjectAccess) -> bool:
    """Admins, and team members whose effective role on the project is manager."""
    if caller.is_admin:
        return True
    return access.on_team and effective_project_role(caller, access) == MANAGER


def check_link_access(caller: Caller, project_given: bool, access: ProjectAccess) -> None:
    if caller.is_admin:
        if not access.project_exists:
            raise NotFound(PROJECT_NOT_FOUND)
        return
    if project_given and not access.project_exists:
        raise NotFound(PROJECT_NOT_FOUND)
    if not project_manager_on_team(caller, access):
        raise PermissionDenied()


# --- links ----------------------------------------------------------------------


async def _link(
    session: AsyncSession, caller: Caller, args: LinkArgs, target: LinkTarget, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    raw_project = args.required("project_id")
    raw_target = args.required(target.column)
    priority = args.priority()
    values = dict(extra or {})
    if target.column == "task_status_id":
        values["roles_for_board"] = args.roles_for_board()
    project_id = _id_text(raw_project)
    target_id = _id_text(raw_target) if raw_target else None

    repo = LinkRepository(session)
    access, target_exists = await repo.context(project_id, caller.id, target, target_id)
    check_link_access(caller, raw_project is not None, access)
    if target_id is None:
        raise WrongParameter(f"{target.column} is required and must be a valid UUID")
    if not target_exists:
        raise NotFound(f"{target.type_label} not found.")

    row = await repo.upsert(target, project_id, target_id, priority=priority, **values)
    await events.emit(session, "project:update", {"project_id": project_id}, project_id=project_id, user_id=caller.id)
    return {**row, "type": target.type_name}


async def link_task_type(session: AsyncSession, caller: Caller, args: LinkArgs) -> dict[str, Any]:
    """Add a task type to a project's settings, or set the priority of the existing link."""
    return await _link(session, caller, args, LinkRepository.TASK_TYPE)


async def link_task_status(session: AsyncSession, caller: Caller, args: LinkArgs) -> dict[str, Any]:
    """Add a task status to a project's settings, or set the priority and board roles of the existing link."""
    return await _link(session, caller, args, LinkRepository.TASK_STATUS)


# --- task type order ------------------------------------------------------------


async def reorder_task_types(session: AsyncSession, caller: Caller, body: Any) -> list[dict[str, Any]]:
    """Give each listed task type its 1-based position as priority; answer the updated rows in list order.

    A repeated id is answered at each position with that position's priority (the last one is stored).
    """
    require_admin(caller)
    if not isinstance(body, dict) or not isinstance(body.get("task_type_ids"), list):
        raise WrongParameter(REORDER_BODY)
    ids = [parse_uuid(value) for value in body["task_type_ids"]]
    if not ids:
        return []
    final = {task_type_id: position for position, task_type_id in enumerate(ids, start=1)}
    updated = await LinkRepository(session).set_task_type_priorities(final)
    out = []
    for position, task_type_id in enumerate(ids, start=1):
        row = updated.get(task_type_id)
        if row is not None:
            out.append({**row, "priority": position, "type": "TaskType"})
    return out


# --- project link order -----------------------------------------------------------


def _id_list_body(body: Any, key: str) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise WrongParameter(f"Request body must be a JSON object with a '{key}' list.")
    return [parse_uuid(value) if isinstance(value, str) else parse_uuid(str(value)) for value in body[key]]


async def check_project_links_manager(session: AsyncSession, caller: Caller, project_id: str) -> None:
    """Reordering a project's links is for its managers (Zou checks it before reading the body)."""
    await require_manager(session, caller, project_id)


async def _reorder_project_links(
    session: AsyncSession, caller: Caller, project_id: str, body: Any, target: LinkTarget, key: str
) -> list[dict[str, Any]]:
    await require_manager(session, caller, project_id)
    ids = _id_list_body(body, key)
    final = {target_id: position for position, target_id in enumerate(ids, start=1)}
    updated = await LinkRepository(session).set_link_priorities(target, project_id, final)
    out = []
    for position, target_id in enumerate(ids, start=1):
        row = updated.get(target_id)
        if row is not None:
            out.append({**row, "priority": position, "type": target.type_name})
    await events.emit(session, "project:update", {}, project_id=project_id, user_id=caller.id)
    return out


async def reorder_project_task_type_links(
    session: AsyncSession, caller: Caller, project_id: str, body: Any
) -> list[dict[str, Any]]:
    """Give each listed task type's link on the project its 1-based position as priority.

    Ids the project is not linked to are skipped (no link is created); the updated links
    are answered in list order, a repeated id at each of its positions (the last one is
    stored). `project:update` is emitted even when nothing changed, as Zou does."""
    return await _reorder_project_links(session, caller, project_id, body, LinkRepository.TASK_TYPE, "task_type_ids")


async def reorder_project_task_status_links(
    session: AsyncSession, caller: Caller, project_id: str, body: Any
) -> list[dict[str, Any]]:
    """Same as the task type links, for the project's task status links (board roles are kept)."""
    return await _reorder_project_links(
        session, caller, project_id, body, LinkRepository.TASK_STATUS, "task_status_ids"
    )
