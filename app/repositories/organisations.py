"""The organisation: a single row, created on first use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.people import Organisation

table = Organisation.__table__


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_or_create(self) -> dict[str, Any]:
        stmt = select(table).order_by(table.c.created_at).limit(1)
        row = (await self.session.execute(stmt)).mappings().first()
        if row is not None:
            return dict(row)
        now = utc_now()
        values = {c.name: c.default.arg for c in table.columns if c.default is not None and not callable(c.default.arg)}
        values.update(id=new_id(), name="Kitsu", created_at=now, updated_at=now)
        await self.session.execute(insert(table).values(**values).on_conflict_do_nothing())
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row)
