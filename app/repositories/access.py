"""Queries behind the project access rules: team membership, roles, assignments."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.projects import Project, ProjectPersonLink
from app.repositories.tables.tasks import Task, TaskPersonLink

project = Project.__table__
team = ProjectPersonLink.__table__
task = Task.__table__
assignment = TaskPersonLink.__table__


def team_project_ids_select(person_id: str) -> Select:
    """`SELECT project_id` of the projects whose team holds the person (for IN clauses)."""
    return select(team.c.project_id).where(team.c.person_id == person_id)


def assigned_entity_ids_select(person_id: str) -> Select:
    """`SELECT entity_id` of the entities on which the person has an assigned task."""
    return (
        select(task.c.entity_id)
        .join(assignment, assignment.c.task_id == task.c.id)
        .where(assignment.c.person_id == person_id)
    )


class AccessRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def membership(self, project_id: str, person_id: str) -> tuple[bool, bool, str | None]:
        """(project exists, person on its team, the team link's own role) in one round trip."""
        member = (team.c.project_id == project_id) & (team.c.person_id == person_id)
        stmt = select(
            exists().where(project.c.id == project_id).label("found"),
            exists().where(member).label("on_team"),
            select(team.c.role).where(member).limit(1).scalar_subquery().label("role"),
        )
        row = (await self.session.execute(stmt)).one()
        return bool(row.found), bool(row.on_team), row.role

    async def team_project_ids(self, person_id: str) -> list[str]:
        return list((await self.session.execute(team_project_ids_select(person_id))).scalars())

    async def is_assigned_on_entity(self, person_id: str, entity_id: str) -> bool:
        stmt = (
            select(literal(True))
            .where(task.c.entity_id == entity_id)
            .where(task.c.id.in_(select(assignment.c.task_id).where(assignment.c.person_id == person_id)))
        )
        return (await self.session.execute(stmt.limit(1))).first() is not None


def in_team_projects(column: ColumnElement, person_id: str) -> ColumnElement:
    """SQL condition: `column` (a project id) is one of the person's team projects."""
    return column.in_(team_project_ids_select(person_id))
