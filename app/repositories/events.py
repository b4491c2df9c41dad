"""The persisted event log (`api_event`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.events import ApiEvent


class EventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, name: str, data: dict[str, Any], project_id: str | None, user_id: str | None) -> dict:
        now = utc_now()
        row = {
            "id": new_id(),
            "name": name,
            "data": data,
            "project_id": project_id,
            "user_id": user_id,
            "created_at": now,
            "updated_at": now,
        }
        await self.session.execute(insert(ApiEvent.__table__).values(**row))
        return row

    async def add_many(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Persist many events (`name`, `data`, `project_id`, `user_id`) in one statement."""
        if not events:
            return []
        now = utc_now()
        rows = [{"id": new_id(), "created_at": now, "updated_at": now, **event} for event in events]
        await self.session.execute(insert(ApiEvent.__table__), rows)
        return rows
