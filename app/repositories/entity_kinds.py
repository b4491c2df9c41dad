"""Lookup (and lazy creation) of the entity types that name the non-asset kinds."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.catalog import EntityType

entity_type = EntityType.__table__


async def ids_by_name(session: AsyncSession, names: Iterable[str]) -> dict[str, str]:
    """Ids of the named entity types, creating the missing ones (as Zou does on first use)."""
    names = list(names)
    stmt = select(entity_type.c.name, entity_type.c.id).where(entity_type.c.name.in_(names))
    found = {name: id_ for name, id_ in (await session.execute(stmt)).all()}
    missing = [name for name in names if name not in found]
    if missing:
        await session.execute(insert(entity_type).values([{"name": name} for name in missing]).on_conflict_do_nothing())
        found = {name: id_ for name, id_ in (await session.execute(stmt)).all()}
    return found
