"""Queries behind the task access rules: a task with what the checks read, in one round trip."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, exists, func, literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.catalog import TaskType
from app.repositories.tables.entities import Entity
from app.repositories.tables.people import DepartmentLink, Person
from app.repositories.tables.projects import ProjectPersonLink
from app.repositories.tables.tasks import (
    Comment,
    CommentDepartmentMentions,
    CommentMentions,
    Task,
    TaskPersonLink,
)

task = Task.__table__
assignment = TaskPersonLink.__table__
task_type = TaskType.__table__
entity = Entity.__table__
comment = Comment.__table__
mentions = CommentMentions.__table__
department_mentions = CommentDepartmentMentions.__table__
team = ProjectPersonLink.__table__
department_link = DepartmentLink.__table__
person = Person.__table__


class TaskAccessRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def task_context(self, task_id: str) -> dict[str, Any] | None:
        """The task row plus `assignees` (ids), `department_id` (of its type) and the
        entity's `entity_created_by`; None when the task does not exist."""
        stmt = (
            select(
                task,
                select(func.array_agg(cast(assignment.c.person_id, String)))
                .where(assignment.c.task_id == task.c.id)
                .scalar_subquery()
                .label("assignee_ids"),
                task_type.c.department_id.label("task_type_department_id"),
                entity.c.created_by.label("entity_created_by"),
            )
            .outerjoin(task_type, task_type.c.id == task.c.task_type_id)
            .outerjoin(entity, entity.c.id == task.c.entity_id)
            .where(task.c.id == task_id)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        if row is None:
            return None
        out = dict(row)
        out["assignee_ids"] = out["assignee_ids"] or []
        return out

    async def person_departments(self, person_id: str) -> list[str]:
        stmt = select(cast(department_link.c.department_id, String)).where(department_link.c.person_id == person_id)
        return list((await self.session.execute(stmt)).scalars())

    async def project_role(self, person_id: str, project_id: str) -> str | None:
        """The person's effective role on the project (team link role, else global role)."""
        link_role = (
            select(team.c.role)
            .where(team.c.project_id == project_id, team.c.person_id == person_id)
            .limit(1)
            .scalar_subquery()
        )
        stmt = select(person.c.role, link_role.label("link_role")).where(person.c.id == person_id)
        row = (await self.session.execute(stmt)).first()
        if row is None:
            return None
        return row.link_role if row.link_role not in (None, "admin") else row.role

    async def is_mentioned_on_task(self, person_id: str, department_ids: list[str], task_id: str) -> bool:
        """The person was mentioned in a comment or reply of the task, by name or department."""
        conditions = [
            exists().where(mentions.c.comment == comment.c.id, mentions.c.person == person_id),
            comment.c.replies.op("@>")(cast([{"mentions": [person_id]}], JSONB)),
        ]
        if department_ids:
            conditions.append(
                exists().where(
                    department_mentions.c.comment == comment.c.id,
                    department_mentions.c.department.in_(department_ids),
                )
            )
            conditions.extend(
                comment.c.replies.op("@>")(cast([{"department_mentions": [d]}], JSONB)) for d in department_ids
            )
        stmt = select(literal(True)).where(comment.c.object_id == task_id, or_(*conditions)).limit(1)
        return (await self.session.execute(stmt)).first() is not None
