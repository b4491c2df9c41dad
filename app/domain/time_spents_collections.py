"""CRUD registry entry of time spents (`/data/time-spents`)."""

from __future__ import annotations

from typing import Any

from app.domain import time_spents
from app.domain.collections import register
from app.domain.crud import Collection, CrudContext, Hooks
from app.domain.permissions import admin_only, anyone
from app.repositories.tables import tasks


class TimeSpentHooks(Hooks):
    """Date range filter on lists; writes keep the task's duration in step (Zou's post hooks)."""

    def list_scope(self, ctx: CrudContext) -> list[Any]:
        return time_spents.date_range_conditions(ctx.params.get("start_date"), ctx.params.get("end_date"))

    async def after_create(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        await time_spents.refresh_task(ctx.session, ctx.caller, row["task_id"])

    async def after_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> None:
        await time_spents.refresh_task(ctx.session, ctx.caller, row["task_id"])

    async def before_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        await time_spents.check_row_access(ctx.session, ctx.caller, row)

    async def after_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        await time_spents.refresh_task(ctx.session, ctx.caller, row["task_id"])


register(
    Collection(
        "time-spents",
        tasks.TimeSpent,
        "TimeSpent",
        read=admin_only,
        delete=anyone,
        hooks=TimeSpentHooks(),
    )
)
