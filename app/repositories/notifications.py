"""Notification rows and the queries that decide who receives them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import String, cast, delete, select, union
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.entities import Entity
from app.repositories.tables.people import Department, DepartmentLink, Person
from app.repositories.tables.projects import ProjectPersonLink
from app.repositories.tables.tasks import Notification, Subscription, Task, TaskPersonLink

notification = Notification.__table__
subscription = Subscription.__table__
task = Task.__table__
assignment = TaskPersonLink.__table__
entity = Entity.__table__
team = ProjectPersonLink.__table__
department_link = DepartmentLink.__table__
person = Person.__table__
department = Department.__table__


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def task_followers(self, task_id: str) -> set[str]:
        """Assignees, subscribers of the task, and subscribers of the task's sequence for its
        task type: one query."""
        sequence_subscribers = (
            select(subscription.c.person_id)
            .select_from(task.join(entity, entity.c.id == task.c.entity_id))
            .where(
                task.c.id == task_id,
                subscription.c.entity_id == entity.c.parent_id,
                subscription.c.task_type_id == task.c.task_type_id,
            )
        )
        stmt = union(
            select(assignment.c.person_id).where(assignment.c.task_id == task_id),
            select(subscription.c.person_id).where(subscription.c.task_id == task_id),
            sequence_subscribers,
        )
        return {str(value) for value in (await self.session.execute(stmt)).scalars()}

    async def department_team(self, project_id: str, department_ids: Sequence[str]) -> list[str]:
        """Team members of the project who belong to one of the departments."""
        if not department_ids:
            return []
        stmt = (
            select(cast(team.c.person_id, String))
            .join(department_link, department_link.c.person_id == team.c.person_id)
            .where(team.c.project_id == project_id, department_link.c.department_id.in_(list(department_ids)))
            .distinct()
        )
        return list((await self.session.execute(stmt)).scalars())

    async def insert_many(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Insert notifications in one statement, skipping exact duplicates; answers the new rows."""
        rows = list(rows)
        if not rows:
            return []
        stmt = pg_insert(notification).values(rows).on_conflict_do_nothing().returning(notification)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    async def delete_where(self, **criteria: Any) -> None:
        stmt = delete(notification)
        for name, value in criteria.items():
            stmt = stmt.where(notification.c[name] == value)
        await self.session.execute(stmt)

    async def mentionable(self, project_id: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(id, full name) of the project's team (preview accounts excluded) and (id, name) of
        every department: what `@name` in a comment may refer to. Two queries."""
        full_name = person.c.first_name + " " + person.c.last_name
        people = (
            select(cast(person.c.id, String), full_name)
            .join(team, team.c.person_id == person.c.id)
            .where(team.c.project_id == project_id, person.c.preview_project_id.is_(None))
        )
        departments = select(cast(department.c.id, String), department.c.name)
        return (
            [tuple(r) for r in await self.session.execute(people)],
            [tuple(r) for r in await self.session.execute(departments)],
        )
