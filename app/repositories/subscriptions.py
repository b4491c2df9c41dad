"""Subscription rows: a person following a task, or a sequence for one task type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.catalog import TaskType
from app.repositories.tables.entities import Entity
from app.repositories.tables.tasks import Subscription, Task

subscription = Subscription.__table__
task = Task.__table__
entity = Entity.__table__
task_type = TaskType.__table__


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, *conditions: Any) -> list[dict[str, Any]]:
        stmt = select(subscription).where(*conditions).order_by(subscription.c.created_at, subscription.c.id)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    # --- tasks -----------------------------------------------------------

    async def has_task(self, person_id: str, task_id: str) -> bool:
        stmt = select(subscription.c.id).where(subscription.c.person_id == person_id, subscription.c.task_id == task_id)
        return (await self.session.execute(stmt.limit(1))).first() is not None

    async def task_contexts(self, task_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """id -> {id, project_id, entity_id} of the tasks that exist among `task_ids` (one query)."""
        stmt = select(task.c.id, task.c.project_id, task.c.entity_id).where(task.c.id.in_(list(task_ids)))
        return {r["id"]: dict(r) for r in (await self.session.execute(stmt)).mappings()}

    async def subscribe_tasks(self, person_id: str, task_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Subscribe the person to the tasks (existing subscriptions are kept); answers one row per
        task, in the order given. Two statements whatever the number of tasks."""
        ids = list(dict.fromkeys(task_ids))
        stmt = (
            pg_insert(subscription)
            .values([{"person_id": person_id, "task_id": t} for t in ids])
            .on_conflict_do_nothing()
        )
        await self.session.execute(stmt)
        rows = await self._rows(subscription.c.person_id == person_id, subscription.c.task_id.in_(ids))
        by_task = {r["task_id"]: r for r in rows}
        return [by_task[t] for t in task_ids if t in by_task]

    async def unsubscribe_tasks(self, person_id: str, task_ids: Sequence[str]) -> None:
        if not task_ids:
            return
        await self.session.execute(
            delete(subscription).where(subscription.c.person_id == person_id, subscription.c.task_id.in_(task_ids))
        )

    # --- sequences -------------------------------------------------------

    def _sequence_conditions(self, person_id: str, sequence_id: str, task_type_id: str) -> list[Any]:
        return [
            subscription.c.person_id == person_id,
            subscription.c.entity_id == sequence_id,
            subscription.c.task_type_id == task_type_id,
        ]

    async def has_sequence(self, person_id: str, sequence_id: str, task_type_id: str) -> bool:
        stmt = select(subscription.c.id).where(*self._sequence_conditions(person_id, sequence_id, task_type_id))
        return (await self.session.execute(stmt.limit(1))).first() is not None

    async def sequence_project(self, sequence_id: str, sequence_type_id: str) -> str | None:
        """The project of the sequence; None when no sequence has this id."""
        is_sequence = entity.c.entity_type_id == sequence_type_id
        stmt = select(entity.c.project_id).where(entity.c.id == sequence_id, is_sequence)
        return (await self.session.execute(stmt)).scalar()

    async def task_type_exists(self, task_type_id: str) -> bool:
        stmt = select(task_type.c.id).where(task_type.c.id == task_type_id)
        return (await self.session.execute(stmt)).first() is not None

    async def subscribe_sequence(self, person_id: str, sequence_id: str, task_type_id: str) -> dict[str, Any]:
        values = {"person_id": person_id, "entity_id": sequence_id, "task_type_id": task_type_id}
        await self.session.execute(pg_insert(subscription).values(values).on_conflict_do_nothing())
        return (await self._rows(*self._sequence_conditions(person_id, sequence_id, task_type_id)))[0]

    async def unsubscribe_sequence(self, person_id: str, sequence_id: str, task_type_id: str) -> None:
        await self.session.execute(
            delete(subscription).where(*self._sequence_conditions(person_id, sequence_id, task_type_id))
        )

    # --- listings --------------------------------------------------------

    async def for_project(self, project_id: str) -> list[dict[str, Any]]:
        """Task subscriptions of the project's tasks."""
        return await self._rows(
            subscription.c.task_id.in_(select(task.c.id).where(task.c.project_id == project_id).scalar_subquery())
        )
