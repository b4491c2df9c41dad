"""Search filters and search filter groups saved by users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import ProjectStatus
from app.repositories.tables.people import Department, DepartmentLink
from app.repositories.tables.projects import Project
from app.repositories.tables.tasks import SearchFilter, SearchFilterGroup

search_filter = SearchFilter.__table__
search_filter_group = SearchFilterGroup.__table__
project = Project.__table__
project_status = ProjectStatus.__table__
department = Department.__table__
department_link = DepartmentLink.__table__

OPEN_STATUS = "Open"


class SearchFilterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def visible(self, table: Table, person_id: str) -> list[dict[str, Any]]:
        """The person's rows and every shared one, of open projects or of no project."""
        stmt = (
            select(table)
            .outerjoin(project, project.c.id == table.c.project_id)
            .outerjoin(project_status, project_status.c.id == project.c.project_status_id)
            .where(
                or_(table.c.person_id == person_id, table.c.is_shared.is_(True)),
                or_(project_status.c.name == OPEN_STATUS, table.c.project_id.is_(None)),
            )
        )
        if table is search_filter_group:
            stmt = stmt.order_by(table.c.created_at.desc(), table.c.id)
        else:
            stmt = stmt.order_by(table.c.created_at, table.c.id)
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    async def department_ids(self, person_id: str) -> set[str]:
        rows = await self.session.execute(
            select(department_link.c.department_id).where(department_link.c.person_id == person_id)
        )
        return {str(i) for i in rows.scalars()}

    async def department_exists(self, department_id: str) -> bool:
        return bool((await self.session.execute(select(exists().where(department.c.id == department_id)))).scalar())

    async def get(self, table: Table, row_id: str, person_id: str | None = None) -> dict[str, Any] | None:
        stmt = select(table).where(table.c.id == row_id)
        if person_id is not None:
            stmt = stmt.where(table.c.person_id == person_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def create(self, table: Table, values: dict[str, Any]) -> dict[str, Any]:
        row = (await self.session.execute(insert(table).values(**values).returning(*table.c))).mappings().one()
        return dict(row)

    async def update(self, table: Table, row_id: str, values: dict[str, Any]) -> dict[str, Any]:
        stmt = update(table).where(table.c.id == row_id).values(**values, updated_at=utc_now()).returning(*table.c)
        return dict((await self.session.execute(stmt)).mappings().one())

    async def delete(self, table: Table, row_id: str) -> None:
        await self.session.execute(delete(table).where(table.c.id == row_id))

    async def share_group_filters(self, group_id: str, is_shared: bool) -> None:
        await self.session.execute(
            update(search_filter).where(search_filter.c.search_filter_group_id == group_id).values(is_shared=is_shared)
        )

    async def delete_group_filters(self, group_id: str) -> None:
        await self.session.execute(delete(search_filter).where(search_filter.c.search_filter_group_id == group_id))
