"""Who may do what: the caller, the roles and the named policies every route uses.

A policy is a plain function `(caller, row) -> bool`; `row` is the target row
for instance routes and None for collection routes. Routes and CRUD entries
refer to policies by these names, and the permission-matrix test walks them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import PermissionDenied

ADMIN, MANAGER, SUPERVISOR, USER, CLIENT, VENDOR = "admin", "manager", "supervisor", "user", "client", "vendor"
ROLES = (ADMIN, MANAGER, SUPERVISOR, USER, CLIENT, VENDOR)


@dataclass(slots=True)
class Caller:
    """The authenticated person behind a request."""

    id: str
    role: str
    is_bot: bool = False
    person: dict[str, Any] = field(default_factory=dict)
    department_ids: list[str] = field(default_factory=list)
    jti: str | None = None
    identity_type: str = "person"
    """`person` (login session), `person_api` (API token of a person) or `bot`."""
    refresh_jti: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def is_manager(self) -> bool:
        """Admins and production managers."""
        return self.role in (ADMIN, MANAGER)

    @property
    def is_client(self) -> bool:
        return self.role == CLIENT


Row = Mapping[str, Any] | None
Policy = Callable[[Caller, Row], bool]


def anyone(caller: Caller, row: Row = None) -> bool:
    """Any authenticated person."""
    return True


def admin_only(caller: Caller, row: Row = None) -> bool:
    return caller.role == ADMIN


def manager_up(caller: Caller, row: Row = None) -> bool:
    return caller.role in (ADMIN, MANAGER)


def supervisor_up(caller: Caller, row: Row = None) -> bool:
    return caller.role in (ADMIN, MANAGER, SUPERVISOR)


def staff(caller: Caller, row: Row = None) -> bool:
    """Studio members who are neither clients nor vendors."""
    return caller.role in (ADMIN, MANAGER, SUPERVISOR, USER)


def self_or_admin(caller: Caller, row: Row = None) -> bool:
    return caller.role == ADMIN or (row is not None and row.get("id") == caller.id)


POLICIES: dict[str, Policy] = {
    "anyone": anyone,
    "admin_only": admin_only,
    "manager_up": manager_up,
    "supervisor_up": supervisor_up,
    "staff": staff,
    "self_or_admin": self_or_admin,
}


def require(policy: Policy, caller: Caller, row: Row = None) -> None:
    if not policy(caller, row):
        raise PermissionDenied()


def require_admin(caller: Caller) -> None:
    require(admin_only, caller)
