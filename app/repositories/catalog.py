"""Queries specific to the studio catalogues."""

from __future__ import annotations

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.catalog import EntityType, TaskStatus, TaskType, TaskTypeAssetTypeLink
from app.repositories.tables.projects import (
    ProjectTaskTypeLink,
    ProjectTemplateTaskTypeLink,
    ScheduleItem,
)

# Tables whose rows point at a task type, with the label used in error messages.
TASK_TYPE_USERS = (
    (ScheduleItem.__table__, "schedule items"),
    (ProjectTaskTypeLink.__table__, "projects"),
)


class CatalogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def clear_default_task_status(self, except_id: str | None = None) -> None:
        t = TaskStatus.__table__
        stmt = update(t).where(t.c.is_default.is_(True)).values(is_default=False)
        if except_id:
            stmt = stmt.where(t.c.id != except_id)
        await self.session.execute(stmt)

    async def task_type_usage(self, task_type_id: str) -> list[str]:
        checks = [exists().where(table.c.task_type_id == task_type_id).label(label) for table, label in TASK_TYPE_USERS]
        row = (await self.session.execute(select(*checks))).mappings().one()
        return [label for label, used in row.items() if used]

    async def detach_task_type(self, task_type_id: str) -> None:
        """Remove the links that reference a task type (forced deletion). Tasks stay blocking."""
        for table in (
            ScheduleItem.__table__,
            ProjectTaskTypeLink.__table__,
            ProjectTemplateTaskTypeLink.__table__,
        ):
            await self.session.execute(delete(table).where(table.c.task_type_id == task_type_id))
        link = TaskTypeAssetTypeLink.__table__
        await self.session.execute(delete(link).where(link.c.task_type_id == task_type_id))

    async def entity_type_named(self, name: str) -> bool:
        t = EntityType.__table__
        stmt = select(exists().where(t.c.name.ilike(name)))
        return bool((await self.session.execute(stmt)).scalar())

    async def task_type_named(self, name: str, except_id: str | None = None) -> bool:
        t = TaskType.__table__
        cond = [func.lower(t.c.name) == name.lower()]
        if except_id:
            cond.append(t.c.id != except_id)
        return bool((await self.session.execute(select(exists().where(*cond)))).scalar())

    async def task_types_by_ids(self, ids: list[str]) -> list[dict]:
        t = TaskType.__table__
        rows = await self.session.execute(select(t).where(t.c.id.in_(ids)))
        return [dict(m) for m in rows.mappings()]


async def insert_missing(session: AsyncSession, model: type, rows: list[dict], keys: tuple[str, ...]) -> int:
    """Insert the rows whose `keys` values are not in the table yet; returns how many were added."""
    from sqlalchemy import insert, tuple_

    from app.repositories.tables.base import new_id, utc_now

    table = model.__table__
    if not rows:
        return 0
    key_cols = [table.c[k] for k in keys]
    wanted = {tuple(r[k] for k in keys) for r in rows}
    existing = await session.execute(select(*key_cols).where(tuple_(*key_cols).in_(list(wanted))))
    have = {tuple(r) for r in existing.all()}
    new = [r for r in rows if tuple(r[k] for k in keys) not in have]
    if new:
        now = utc_now()
        await session.execute(insert(table), [{"id": new_id(), "created_at": now, "updated_at": now, **r} for r in new])
    return len(new)
