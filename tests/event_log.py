"""Reading the events a test wrote.

Live-server tests commit their events, so a test reads only the rows of its own transaction:
those created since the transaction began (`now()` is the start of the test's transaction).
"""

from __future__ import annotations

from sqlalchemy import func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.events import ApiEvent

_table = ApiEvent.__table__


def this_test(stmt):
    """Restrict a select over `api_event` to the rows written by the running test."""
    return stmt.where(_table.c.created_at >= func.timezone("utc", func.now()))


async def events_named(db: AsyncSession, name: str) -> list[dict]:
    """The test's events of that name, in the order they were written."""
    stmt = this_test(select(_table).where(_table.c.name == name))
    rows = await db.execute(stmt.order_by(_table.c.created_at, literal_column("ctid")))
    return [dict(m) for m in rows.mappings()]
