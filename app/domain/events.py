"""Emitting `<model>:<action>` events: persisted in the request's transaction, published after commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.events import EventRepository
from app.repositories.tables.base import utc_now

PENDING = "pending_events"


async def emit(
    session: AsyncSession,
    name: str,
    data: dict[str, Any],
    *,
    project_id: str | None = None,
    user_id: str | None = None,
) -> None:
    if project_id is not None:
        data = {**data, "project_id": project_id}
    row = await EventRepository(session).add(name, data, project_id, user_id)
    session.info.setdefault(PENDING, []).append(
        {"name": name, "data": data, "project_id": project_id, "user_id": user_id, "created_at": row["created_at"]}
    )


async def emit_many(
    session: AsyncSession, items: list[tuple[str, dict[str, Any], str | None]], *, user_id: str | None = None
) -> None:
    """Emit many `(name, data, project_id)` events with one insert (bulk deletions, batch writes)."""
    rows = [
        {
            "name": name,
            "data": {**data, "project_id": project_id} if project_id is not None else data,
            "project_id": project_id,
            "user_id": user_id,
        }
        for name, data, project_id in items
    ]
    written = await EventRepository(session).add_many(rows)
    session.info.setdefault(PENDING, []).extend(
        {key: row[key] for key in ("name", "data", "project_id", "user_id", "created_at")} for row in written
    )


def publish_only(
    session: AsyncSession, name: str, data: dict[str, Any], *, project_id: str | None = None, user_id: str | None = None
) -> None:
    """An event sent to listeners after commit but not stored (Zou's `persist=False`, e.g. live counters)."""
    if project_id is not None:
        data = {**data, "project_id": project_id}
    session.info.setdefault(PENDING, []).append(
        {"name": name, "data": data, "project_id": project_id, "user_id": user_id, "created_at": utc_now()}
    )


def take_pending(session: AsyncSession) -> list[dict[str, Any]]:
    return session.info.pop(PENDING, [])
