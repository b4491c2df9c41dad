"""CRUD registry entry of day offs: Zou's overlap checks and check_day_off_access rules."""

from __future__ import annotations

from typing import Any

from app.core.errors import PermissionDenied
from app.domain import day_offs
from app.domain.collections import register
from app.domain.crud import Collection, CrudContext, Hooks
from app.domain.permissions import Caller, Row, anyone
from app.repositories.tables.tasks import DayOff


def admins_list_anyone_reads(caller: Caller, row: Row = None) -> bool:
    """Listing every day off is for admins; one day off is checked by the hooks."""
    return row is not None or caller.is_admin


class DayOffHooks(Hooks):
    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        ctx.state["with_description"] = await day_offs.read_access(
            ctx.session, ctx.caller, row["person_id"], person_route=False
        )

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        if mode == "get" and not ctx.state.get("with_description", True):
            return [day_offs.dates_only(r) for r in rows]
        return rows

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        day_offs.require_fields(data)
        day_offs.check_write_access(ctx.caller, str(data["person_id"]))
        await day_offs.check_overlap(ctx.session, data["date"], data["end_date"], str(data["person_id"]))
        return data

    async def after_create(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        await day_offs.remove_covered_time_spents(ctx.session, row)

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        new_person = data.get("person_id")
        if new_person is not None and str(new_person) != row["person_id"] and not ctx.caller.is_admin:
            raise PermissionDenied()
        day_offs.check_write_access(ctx.caller, row["person_id"])
        await day_offs.check_overlap(
            ctx.session,
            data.get("date") or row["date"],
            data.get("end_date") or row["end_date"],
            str(new_person) if new_person is not None else row["person_id"],
            exclude_id=row["id"],
        )
        return data

    async def after_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> None:
        await day_offs.remove_covered_time_spents(ctx.session, row)

    async def before_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        day_offs.check_write_access(ctx.caller, row["person_id"])


register(
    Collection(
        "day-offs",
        DayOff,
        "DayOff",
        read=admins_list_anyone_reads,
        create=anyone,
        update=anyone,
        delete=anyone,
        hooks=DayOffHooks(),
    )
)
