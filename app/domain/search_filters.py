"""The user's saved search filters and filter groups.

Each person lists their own rows plus every shared one (of open projects, or of no
project), grouped by list type then project id ("all" when there is none); rows tied
to a department show only to its members and to managers. Sharing is a manager's
privilege on the project: a request to share that the caller may not make is silently
turned off, as Zou does. A row is changed or removed by its owner, or by an admin.
Zou emits no event for these rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, WrongParameter
from app.domain.access import project_scope
from app.domain.permissions import Caller
from app.repositories.search_filters import SearchFilterRepository, search_filter, search_filter_group

FILTER_NOT_FOUND = "Search filter not found."
GROUP_NOT_FOUND = "Search filter group not found."
SHARED_MISMATCH = "A search filter should have the same value for is_shared than its search filter group."


def _present(row: dict[str, Any], type_name: str) -> dict[str, Any]:
    return {**row, "type": type_name}


async def _can_share(session: AsyncSession, caller: Caller, project_id: str | None) -> bool:
    if project_id is None:
        return False
    return (await project_scope(session, caller, project_id)).is_manager


async def _check_department(repo: SearchFilterRepository, department_id: str | None) -> None:
    if department_id is not None and not await repo.department_exists(department_id):
        raise WrongParameter(f"No department found with id: {department_id}")


async def _grouped(session: AsyncSession, caller: Caller, table, type_name: str) -> dict[str, Any]:
    repo = SearchFilterRepository(session)
    rows = await repo.visible(table, caller.id)
    departments = await repo.department_ids(caller.id)
    result: dict[str, dict[str, list]] = {}
    for row in rows:
        dept = row["department_id"]
        if table is search_filter_group:
            result.setdefault(row["list_type"], {})  # Zou adds the list type before the department check
        if dept is None or caller.is_manager or str(dept) in departments:
            project_key = "all" if row["project_id"] is None else str(row["project_id"])
            result.setdefault(row["list_type"], {}).setdefault(project_key, []).append(_present(row, type_name))
    return result


async def _own_or_as_admin(repo: SearchFilterRepository, table, row_id: str, caller: Caller, missing: str):
    row = await repo.get(table, row_id, caller.id)
    if row is None and caller.is_admin:
        row = await repo.get(table, row_id)
    if row is None:
        raise NotFound(missing)
    return row


async def _deny_sharing(session: AsyncSession, caller: Caller, data: dict[str, Any], row: dict[str, Any]) -> None:
    if (
        data.get("is_shared") is not None
        and row["is_shared"] != data["is_shared"]
        and not await _can_share(session, caller, data.get("project_id"))
    ):
        data["is_shared"] = False


# --- filters -------------------------------------------------------------------------------------


async def list_filters(session: AsyncSession, caller: Caller) -> dict[str, Any]:
    return await _grouped(session, caller, search_filter, "SearchFilter")


async def create_filter(session: AsyncSession, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    repo = SearchFilterRepository(session)
    is_shared = bool(body.get("is_shared"))
    if not await _can_share(session, caller, body.get("project_id")):
        is_shared = False
    group_id = body.get("search_filter_group_id")
    if group_id is not None:
        group = await repo.get(search_filter_group, group_id)
        if group is None:
            raise NotFound(GROUP_NOT_FOUND)
        if is_shared != group["is_shared"]:
            raise WrongParameter(SHARED_MISMATCH)
    await _check_department(repo, body.get("department_id"))
    row = await repo.create(
        search_filter,
        {
            "list_type": body["list_type"],
            "name": body["name"],
            "search_query": body["query"],
            "project_id": body.get("project_id"),
            "person_id": caller.id,
            "entity_type": body.get("entity_type"),
            "is_shared": is_shared,
            "search_filter_group_id": group_id,
            "department_id": body.get("department_id"),
        },
    )
    return _present(row, "SearchFilter")


async def update_filter(session: AsyncSession, caller: Caller, filter_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` holds the fields sent (None values dropped, except an explicit group id)."""
    repo = SearchFilterRepository(session)
    row = await _own_or_as_admin(repo, search_filter, filter_id, caller, FILTER_NOT_FOUND)
    await _check_department(repo, data.get("department_id"))
    await _deny_sharing(session, caller, data, row)
    group_id = data.get("search_filter_group_id", row["search_filter_group_id"])
    if group_id is not None:
        group = await repo.get(search_filter_group, group_id)
        if group is None:
            raise NotFound(GROUP_NOT_FOUND)
        if data.get("is_shared", row["is_shared"]) != group["is_shared"]:
            raise WrongParameter(SHARED_MISMATCH)
    if data:
        row = await repo.update(search_filter, filter_id, data)
    return _present(row, "SearchFilter")


async def delete_filter(session: AsyncSession, caller: Caller, filter_id: str) -> None:
    repo = SearchFilterRepository(session)
    await _own_or_as_admin(repo, search_filter, filter_id, caller, FILTER_NOT_FOUND)
    await repo.delete(search_filter, filter_id)


# --- filter groups -------------------------------------------------------------------------------


async def list_groups(session: AsyncSession, caller: Caller) -> dict[str, Any]:
    return await _grouped(session, caller, search_filter_group, "SearchFilterGroup")


async def create_group(session: AsyncSession, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    repo = SearchFilterRepository(session)
    is_shared = bool(body.get("is_shared"))
    if not await _can_share(session, caller, body.get("project_id")):
        is_shared = False
    await _check_department(repo, body.get("department_id"))
    row = await repo.create(
        search_filter_group,
        {
            "list_type": body["list_type"],
            "name": body["name"],
            "color": body.get("color"),
            "project_id": body.get("project_id"),
            "person_id": caller.id,
            "entity_type": body.get("entity_type"),
            "is_shared": is_shared,
            "department_id": body.get("department_id"),
        },
    )
    return _present(row, "SearchFilterGroup")


async def get_group(session: AsyncSession, caller: Caller, group_id: str) -> dict[str, Any]:
    repo = SearchFilterRepository(session)
    return _present(
        await _own_or_as_admin(repo, search_filter_group, group_id, caller, GROUP_NOT_FOUND), "SearchFilterGroup"
    )


async def update_group(session: AsyncSession, caller: Caller, group_id: str, data: dict[str, Any]) -> dict[str, Any]:
    repo = SearchFilterRepository(session)
    row = await _own_or_as_admin(repo, search_filter_group, group_id, caller, GROUP_NOT_FOUND)
    await _deny_sharing(session, caller, data, row)
    if data:
        row = await repo.update(search_filter_group, group_id, data)
    if data.get("is_shared") is not None:
        # the group's filters follow its sharing, or they could never be changed again
        await repo.share_group_filters(group_id, row["is_shared"])
    return _present(row, "SearchFilterGroup")


async def delete_group(session: AsyncSession, caller: Caller, group_id: str) -> None:
    repo = SearchFilterRepository(session)
    await _own_or_as_admin(repo, search_filter_group, group_id, caller, GROUP_NOT_FOUND)
    await repo.delete_group_filters(group_id)
    await repo.delete(search_filter_group, group_id)
