"""Generic async access to one table, used by the CRUD engine and by specific repositories.

Reads are Core selects returning plain dicts (no ORM instances): on large lists
building objects costs more than the query itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import utc_now


@dataclass(frozen=True)
class Relation:
    """A many-to-many list exposed on a row, e.g. a project's `team` (person ids)."""

    name: str
    link: Table
    local: str  # link column pointing at the owner row
    remote: str  # link column pointing at the listed rows


class TableRepository:
    def __init__(self, session: AsyncSession, table: Table, columns: Sequence[Column] | None = None) -> None:
        self.session = session
        self.table = table
        self.columns = list(columns) if columns is not None else list(table.columns)

    def _where(
        self,
        filters: Mapping[str, Any],
        insensitive: Iterable[str] = (),
        relations: Mapping[str, Relation] | None = None,
    ) -> list[ColumnElement]:
        """Equality filters; lists mean IN, `insensitive` columns use ILIKE, relations mean "linked to"."""
        clauses: list[ColumnElement] = []
        insensitive = set(insensitive)
        relations = relations or {}
        for name, value in filters.items():
            if name in relations:
                rel = relations[name]
                linked = select(rel.link.c[rel.local]).where(rel.link.c[rel.remote] == value)
                clauses.append(self.table.c.id.in_(linked))
                continue
            col = self.table.c[name]
            if isinstance(value, list):
                clauses.append(col.in_(value))
            elif value is None:
                clauses.append(col.is_(None))
            elif name in insensitive:
                clauses.append(col.ilike(value))
            else:
                clauses.append(col == value)
        return clauses

    def _select(self, columns: Sequence[Column] | None):
        return select(*(columns or self.columns))

    async def list(
        self,
        filters: Mapping[str, Any] | None = None,
        *,
        insensitive: Iterable[str] = (),
        relations: Mapping[str, Relation] | None = None,
        extra: Sequence[ColumnElement] = (),
        columns: Sequence[Column] | None = None,
        paged: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        stmt = self._select(columns).where(*self._where(filters or {}, insensitive, relations), *extra)
        c = self.table.c
        if paged:
            stmt = stmt.order_by(c.updated_at.desc(), c.created_at.desc(), c.id)
        elif "created_at" in c:
            stmt = stmt.order_by(c.created_at, c.id)
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        result = await self.session.execute(stmt)
        return [dict(m) for m in result.mappings()]

    async def count(
        self,
        filters: Mapping[str, Any] | None = None,
        *,
        insensitive: Iterable[str] = (),
        relations: Mapping[str, Relation] | None = None,
        extra: Sequence = (),
    ) -> int:
        where = self._where(filters or {}, insensitive, relations)
        stmt = select(func.count()).select_from(self.table).where(*where, *extra)
        return (await self.session.execute(stmt)).scalar_one()

    async def get(self, row_id: str, columns: Sequence[Column] | None = None) -> dict[str, Any] | None:
        stmt = self._select(columns).where(self.table.c.id == row_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def get_by(self, **filters: Any) -> dict[str, Any] | None:
        stmt = self._select(None).where(*self._where(filters)).limit(1)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def insert(self, values: Mapping[str, Any]) -> dict[str, Any]:
        stmt = insert(self.table).values(**values).returning(*self.columns)
        return dict((await self.session.execute(stmt)).mappings().one())

    async def update(self, row_id: str, values: Mapping[str, Any]) -> dict[str, Any] | None:
        values = dict(values)
        if "updated_at" in self.table.c:
            values.setdefault("updated_at", utc_now())
        stmt = update(self.table).where(self.table.c.id == row_id).values(**values).returning(*self.columns)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def delete(self, row_id: str) -> bool:
        result = await self.session.execute(delete(self.table).where(self.table.c.id == row_id))
        return result.rowcount > 0

    async def related_ids(self, relation: Relation, owner_ids: Sequence[str]) -> dict[str, list[str]]:
        """One query for a relation's ids over many owner rows."""
        out: dict[str, list[str]] = defaultdict(list)
        if not owner_ids:
            return out
        local, remote = relation.link.c[relation.local], relation.link.c[relation.remote]
        stmt = select(local, remote).where(local.in_(list(owner_ids)))
        for owner, target in (await self.session.execute(stmt)).all():
            out[owner].append(target)
        return out

    async def replace_links(self, relation: Relation, owner_id: str, target_ids: Sequence[str]) -> None:
        link = relation.link
        await self.session.execute(delete(link).where(link.c[relation.local] == owner_id))
        targets = list(dict.fromkeys(target_ids))
        if targets:
            await self.session.execute(insert(link), [{relation.local: owner_id, relation.remote: t} for t in targets])
