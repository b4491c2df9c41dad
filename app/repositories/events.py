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
