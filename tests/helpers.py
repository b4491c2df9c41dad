"""Values and small row helpers several test modules share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

UNKNOWN = "11111111-1111-1111-1111-111111111111"
"""A well-formed id that names no row."""
TEAM_ROLES = ("manager", "supervisor", "user", "client", "vendor")
"""The roles a production team holds besides admins (keys of the `people` fixture)."""


async def add(db: AsyncSession, model, **values: Any) -> dict[str, Any]:
    """Insert one row of the model's table as it is given; answers the stored row."""
    table = model.__table__
    return dict((await db.execute(insert(table).values(**values).returning(table))).mappings().one())
