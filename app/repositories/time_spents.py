"""Time spent rows: one per person, task and day; listings and aggregate tables."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, delete, extract, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.catalog import EntityType, TaskType
from app.repositories.tables.entities import Entity
from app.repositories.tables.people import Person
from app.repositories.tables.projects import Project
from app.repositories.tables.tasks import Task, TaskPersonLink, TimeSpent

time_spent = TimeSpent.__table__
task = Task.__table__
task_type = TaskType.__table__
assignee = TaskPersonLink.__table__
person = Person.__table__
project = Project.__table__
entity = Entity.__table__
entity_type = EntityType.__table__

UNITS = {"year": "year", "month": "month", "week": "week", "day": "day"}


def _scope(
    stmt,
    *,
    person_id: str | None = None,
    project_ids: list[str] | None = None,
    department_ids: list[str] | None = None,
    studio_id: str | None = None,
):
    """Restrict a select over time_spent joined to task (and task_type) to the given scope."""
    if person_id is not None:
        stmt = stmt.where(time_spent.c.person_id == person_id)
    if project_ids is not None:
        stmt = stmt.where(task.c.project_id.in_(project_ids))
    if department_ids:
        stmt = stmt.where(task_type.c.department_id.in_(department_ids))
    if studio_id is not None:
        stmt = stmt.where(
            time_spent.c.person_id.in_(select(person.c.id).where(person.c.studio_id == studio_id).scalar_subquery())
        )
    return stmt


_joined = time_spent.join(task, task.c.id == time_spent.c.task_id).join(
    task_type, task_type.c.id == task.c.task_type_id
)


class TimeSpentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def task_context(self, task_id: str, person_id: str | None = None) -> dict[str, Any] | None:
        """The task's project and entity, its assignee ids and, when asked, whether the person is a bot
        (None for an unknown person) and whether the project lets bots log time."""
        assignees = (
            select(func.coalesce(func.array_agg(assignee.c.person_id), []))
            .where(assignee.c.task_id == task.c.id)
            .scalar_subquery()
        )
        cols = [
            task.c.id,
            task.c.project_id,
            task.c.entity_id,
            assignees.label("assignees"),
            project.c.is_bot_collaboration_enabled,
        ]
        if person_id is not None:
            cols.append(select(person.c.is_bot).where(person.c.id == person_id).scalar_subquery().label("is_bot"))
        stmt = select(*cols).join(project, project.c.id == task.c.project_id).where(task.c.id == task_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else {**row, "assignees": [str(a) for a in row["assignees"]]}

    async def person_is_bot(self, person_id: str) -> bool | None:
        return (await self.session.execute(select(person.c.is_bot).where(person.c.id == person_id))).scalar()

    async def entity_project(self, entity_id: str) -> str | None:
        return (await self.session.execute(select(entity.c.project_id).where(entity.c.id == entity_id))).scalar()

    async def get(self, task_id: str, person_id: str, date: datetime.date) -> dict[str, Any] | None:
        stmt = select(time_spent).where(
            time_spent.c.task_id == task_id, time_spent.c.person_id == person_id, time_spent.c.date == date
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else dict(row)

    async def insert(self, task_id: str, person_id: str, date: datetime.date, duration: float) -> dict[str, Any]:
        stmt = (
            insert(time_spent)
            .values(task_id=task_id, person_id=person_id, date=date, duration=duration)
            .returning(time_spent)
        )
        return dict((await self.session.execute(stmt)).mappings().one())

    async def set_duration(self, time_spent_id: str, duration: float) -> dict[str, Any]:
        stmt = (
            update(time_spent)
            .where(time_spent.c.id == time_spent_id)
            .values(duration=duration, updated_at=func.timezone("utc", func.now()))
            .returning(time_spent)
        )
        return dict((await self.session.execute(stmt)).mappings().one())

    async def delete(self, time_spent_id: str) -> None:
        await self.session.execute(delete(time_spent).where(time_spent.c.id == time_spent_id))

    async def refresh_task_duration(self, task_id: str) -> None:
        """The task's duration becomes the sum of its time spents (one statement)."""
        total = (
            select(func.coalesce(func.sum(time_spent.c.duration), 0))
            .where(time_spent.c.task_id == task_id)
            .scalar_subquery()
        )
        await self.session.execute(update(task).where(task.c.id == task_id).values(duration=total))

    async def touch_last_presence(self, person_id: str, day: datetime.date) -> None:
        await self.session.execute(update(person).where(person.c.id == person_id).values(last_presence=day))

    async def rows(self, *conditions: ColumnElement, order_desc: bool = False, join: bool = False) -> list[dict]:
        source = _joined if join else time_spent
        stmt = select(time_spent).select_from(source).where(*conditions)
        stmt = stmt.order_by(time_spent.c.date.desc() if order_desc else time_spent.c.date, time_spent.c.id)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    async def for_task(self, task_id: str, date: datetime.date | None = None) -> list[dict]:
        conds = [time_spent.c.task_id == task_id]
        if date is not None:
            conds.append(time_spent.c.date == date)
        return await self.rows(*conds)

    async def for_entity(self, entity_id: str) -> list[dict]:
        return await self.rows(task.c.entity_id == entity_id, order_desc=True, join=True)

    async def for_project(self, project_id: str) -> list[dict]:
        return await self.rows(task.c.project_id == project_id, join=True)

    async def for_project_task_type(
        self, project_id: str, task_type_id: str, start: datetime.date | None, end: datetime.date | None
    ) -> list[dict]:
        conds = [task.c.project_id == project_id, task.c.task_type_id == task_type_id]
        if start is not None:
            conds.append(time_spent.c.date >= start)
        if end is not None:
            conds.append(time_spent.c.date <= end)
        return await self.rows(*conds, order_desc=True, join=True)

    async def for_person(
        self,
        person_id: str,
        start: datetime.date,
        end: datetime.date,
        *,
        project_ids: list[str] | None = None,
        department_ids: list[str] | None = None,
        with_task: bool = False,
    ) -> list[dict]:
        """A person's rows from start to end (both included), optionally with project and task type ids."""
        cols = [time_spent]
        if with_task:
            cols += [task.c.project_id, task.c.task_type_id]
        stmt = select(*cols).select_from(_joined).where(time_spent.c.date.between(start, end))
        stmt = _scope(stmt, person_id=person_id, project_ids=project_ids, department_ids=department_ids)
        stmt = stmt.order_by(time_spent.c.date, time_spent.c.id)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    async def task_totals(
        self,
        person_id: str,
        start: datetime.date,
        end: datetime.date,
        *,
        project_ids: list[str] | None = None,
        department_ids: list[str] | None = None,
    ) -> list[dict]:
        """Per task totals of a person over [start, end[, with the names a timesheet shows."""
        sequence = entity.alias("sequence")
        episode = entity.alias("episode")
        stmt = (
            select(
                task.c.id.label("task_id"),
                task.c.task_type_id,
                project.c.id.label("project_id"),
                project.c.name.label("project_name"),
                entity.c.name.label("entity_name"),
                entity_type.c.name.label("entity_type_name"),
                sequence.c.name.label("sequence_name"),
                episode.c.name.label("episode_name"),
                func.sum(time_spent.c.duration).label("duration"),
            )
            .select_from(
                _joined.join(entity, entity.c.id == task.c.entity_id)
                .join(project, project.c.id == task.c.project_id)
                .join(entity_type, entity_type.c.id == entity.c.entity_type_id)
                .outerjoin(sequence, sequence.c.id == entity.c.parent_id)
                .outerjoin(episode, episode.c.id == sequence.c.parent_id)
            )
            .where(time_spent.c.date >= start, time_spent.c.date < end)
            .group_by(
                task.c.id,
                task.c.task_type_id,
                project.c.id,
                project.c.name,
                entity.c.name,
                entity_type.c.name,
                sequence.c.name,
                episode.c.name,
            )
            .order_by(project.c.name, entity.c.name, task.c.id)
        )
        stmt = _scope(stmt, person_id=person_id, project_ids=project_ids, department_ids=department_ids)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    async def table(
        self,
        unit: str,
        start: datetime.date | None,
        end: datetime.date | None,
        **scope: Any,
    ) -> list[dict]:
        """Durations summed by period unit and person, in one GROUP BY."""
        field = "week" if unit == "week" else unit
        period = extract(field, time_spent.c.date).cast(Integer).label("unit")
        stmt = select(period, time_spent.c.person_id, func.sum(time_spent.c.duration).label("duration")).select_from(
            _joined
        )
        if start is not None:
            stmt = stmt.where(time_spent.c.date >= start)
        if end is not None:
            stmt = stmt.where(time_spent.c.date < end)
        stmt = _scope(stmt, **scope).group_by(period, time_spent.c.person_id).order_by(period)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]


def date_between(start: datetime.date, end: datetime.date) -> ColumnElement:
    """Rows dated from start to end, both included."""
    return time_spent.c.date.between(start, end)
