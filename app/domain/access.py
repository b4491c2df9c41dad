"""Project-level access: who may read or change what inside a production.

Zou resolves, per request, the caller's *effective role* on a project: the role
set on their team link when there is one (never "admin"), their global role
otherwise. Every rule below reads that role from a `ProjectScope`, computed in
one query, so a route checks access with one call and no hidden state.

- member:     admins, and any person on the project's team;
- supervisor: admins, and team members whose effective role is manager or supervisor;
- manager:    admins, and team members whose effective role is manager.
Vendors reach an entity only through a task they are assigned to.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied
from app.domain.permissions import ADMIN, CLIENT, MANAGER, SUPERVISOR, VENDOR, Caller
from app.repositories.access import AccessRepository, in_team_projects

PROJECT_NOT_FOUND = "Project not found."


@dataclass(frozen=True, slots=True)
class ProjectScope:
    """The caller as seen from one project."""

    project_id: str
    caller: Caller
    on_team: bool
    role: str
    """Effective role on the project ("admin" only for global admins)."""

    @property
    def is_admin(self) -> bool:
        return self.caller.is_admin

    @property
    def is_member(self) -> bool:
        return self.is_admin or self.on_team

    @property
    def is_manager(self) -> bool:
        return self.is_admin or (self.on_team and self.role == MANAGER)

    @property
    def is_supervisor(self) -> bool:
        """Manager or supervisor on the project (or admin)."""
        return self.is_admin or (self.on_team and self.role in (MANAGER, SUPERVISOR))

    @property
    def is_client(self) -> bool:
        return self.role == CLIENT

    @property
    def is_vendor(self) -> bool:
        return self.role == VENDOR


async def project_scope(session: AsyncSession, caller: Caller, project_id: str) -> ProjectScope:
    """The caller's standing on a project; 404 when the project does not exist."""
    found, on_team, team_role = await AccessRepository(session).membership(project_id, caller.id)
    if not found:
        raise NotFound(PROJECT_NOT_FOUND)
    if caller.role == ADMIN:
        role = ADMIN
    else:
        role = team_role if on_team and team_role not in (None, ADMIN) else caller.role
    return ProjectScope(project_id, caller, on_team, role)


async def require_member(session: AsyncSession, caller: Caller, project_id: str) -> ProjectScope:
    """Zou's `check_project_access`: admins and team members."""
    scope = await project_scope(session, caller, project_id)
    if not scope.is_member:
        raise PermissionDenied()
    return scope


async def require_supervisor(session: AsyncSession, caller: Caller, project_id: str) -> ProjectScope:
    """Zou's `check_supervisor_project_access`."""
    scope = await project_scope(session, caller, project_id)
    if not scope.is_supervisor:
        raise PermissionDenied()
    return scope


async def require_manager(session: AsyncSession, caller: Caller, project_id: str) -> ProjectScope:
    """Zou's `check_manager_project_access`."""
    scope = await project_scope(session, caller, project_id)
    if not scope.is_manager:
        raise PermissionDenied()
    return scope


def block_vendor(scope: ProjectScope) -> None:
    if scope.is_vendor:
        raise PermissionDenied()


def block_client(scope: ProjectScope) -> None:
    if scope.is_client:
        raise PermissionDenied()


async def require_entity_access(session: AsyncSession, scope: ProjectScope, entity_id: str) -> None:
    """Zou's `check_entity_access`: a vendor needs a task assigned on the entity."""
    if scope.is_vendor and not await AccessRepository(session).is_assigned_on_entity(scope.caller.id, entity_id):
        raise PermissionDenied()


async def visible_project_ids(session: AsyncSession, caller: Caller) -> list[str] | None:
    """Projects whose content the caller may list: None means every project (admins)."""
    if caller.is_admin:
        return None
    return await AccessRepository(session).team_project_ids(caller.id)


def team_scope(column: ColumnElement, caller: Caller) -> list[ColumnElement]:
    """SQL conditions limiting a listing to the caller's team projects (none for admins).

    For CRUD `list_scope` hooks and repository queries: `column` is the project id column.
    """
    return [] if caller.is_admin else [in_team_projects(column, caller.id)]
