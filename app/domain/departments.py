"""Department members and the software licenses a department holds.

Members are readable by anyone logged in; what they see of each person depends on
the caller's global role (admins get the full safe view, everyone else the
minimal one). License management is for admins only. Zou emits no event for
license changes, and neither do we.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.domain.permissions import Caller, admin_only, anyone, require
from app.domain.persons import full_name, present_person
from app.repositories.departments import DepartmentRepository

DEPARTMENT_NOT_FOUND = "Department not found."
SOFTWARE_NOT_FOUND = "Software not found."

# Named policies of this module (both come from app.domain.permissions).
read_members = anyone
manage_licenses = admin_only


def minimal_person(row: dict[str, Any]) -> dict[str, Any]:
    """The short person view non-admins get: who they are, not how they are employed."""
    return {
        "id": row["id"],
        "type": "Person",
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "full_name": full_name(row),
        "has_avatar": row["has_avatar"],
        "active": row["active"],
        "departments": list(row.get("department_ids") or []),
        "studio_id": row["studio_id"],
        "role": row["role"],
        "desktop_login": row["desktop_login"],
        "is_bot": row["is_bot"],
    }


def present_software(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "type": "Software"}


def check_license_access(caller: Caller) -> None:
    """Raise PermissionDenied unless the caller may manage department licenses."""
    require(manage_licenses, caller)


async def members(session: AsyncSession, caller: Caller, department_id: str) -> list[dict[str, Any]]:
    require(read_members, caller)
    repo = DepartmentRepository(session)
    found, _ = await repo.existing(department_id)
    if not found:
        raise NotFound(DEPARTMENT_NOT_FOUND)
    rows = await repo.members(department_id)
    if caller.is_admin:
        return [present_person(row) for row in rows]
    return [minimal_person(row) for row in rows]


async def all_licenses(session: AsyncSession, caller: Caller) -> dict[str, list[dict[str, Any]]]:
    """{department_id: [software, ...]} for every department holding at least one license."""
    check_license_access(caller)
    grouped = await DepartmentRepository(session).software_by_department()
    return {dept_id: [present_software(s) for s in items] for dept_id, items in grouped.items()}


async def get_license(session: AsyncSession, caller: Caller, department_id: str, software_id: str) -> dict[str, Any]:
    check_license_access(caller)
    row = await DepartmentRepository(session).licensed_software(department_id, software_id)
    if row is None:
        # an unknown department and a software the department does not hold answer alike
        raise NotFound(SOFTWARE_NOT_FOUND)
    return present_software(row)


async def _check_both_exist(repo: DepartmentRepository, department_id: str, software_id: str) -> None:
    department_found, software_found = await repo.existing(department_id, software_id)
    if not department_found:
        raise NotFound(DEPARTMENT_NOT_FOUND)
    if not software_found:
        raise NotFound(SOFTWARE_NOT_FOUND)


async def add_license(session: AsyncSession, caller: Caller, department_id: str, software_id: str) -> dict[str, Any]:
    """Give the department a license for the software; adding an existing one returns it unchanged."""
    check_license_access(caller)
    repo = DepartmentRepository(session)
    await _check_both_exist(repo, department_id, software_id)
    link = await repo.add_license(department_id, software_id)
    return {**link, "type": "SoftwareDepartmentLink"}


async def remove_license(session: AsyncSession, caller: Caller, department_id: str, software_id: str) -> None:
    """Withdraw the license; removing one the department does not hold is not an error."""
    check_license_access(caller)
    repo = DepartmentRepository(session)
    await _check_both_exist(repo, department_id, software_id)
    await repo.remove_license(department_id, software_id)
