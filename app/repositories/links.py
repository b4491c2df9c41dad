"""Project settings links (task types, task statuses) and task type priorities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import Table, case, exists, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import TaskStatus, TaskType
from app.repositories.tables.projects import (
    Project,
    ProjectPersonLink,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
)

project = Project.__table__
team = ProjectPersonLink.__table__
task_type = TaskType.__table__


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """What a project link points at: its link table, the target table and column, its type names."""

    link: Table
    target: Table
    column: str
    type_name: str
    type_label: str


@dataclass(frozen=True, slots=True)
class ProjectAccess:
    project_exists: bool
    on_team: bool
    team_role: str | None


class LinkRepository:
    TASK_TYPE: ClassVar[LinkTarget] = LinkTarget(
        ProjectTaskTypeLink.__table__, task_type, "task_type_id", "ProjectTaskTypeLink", "Task type"
    )
    TASK_STATUS: ClassVar[LinkTarget] = LinkTarget(
        ProjectTaskStatusLink.__table__, TaskStatus.__table__, "task_status_id", "ProjectTaskStatusLink", "Task status"
    )

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def context(
        self, project_id: str | None, person_id: str, target: LinkTarget, target_id: str | None
    ) -> tuple[ProjectAccess, bool]:
        """In one round trip: does the project exist, is the person on its team (with which role),
        and does the link target exist."""
        if project_id is None:
            project_found = literal(False)
            membership = select(team.c.role).where(literal(False)).scalar_subquery()
            on_team = literal(False)
        else:
            project_found = exists().where(project.c.id == project_id)
            member = (team.c.project_id == project_id) & (team.c.person_id == person_id)
            on_team = exists().where(member)
            membership = select(team.c.role).where(member).limit(1).scalar_subquery()
        target_found = exists().where(target.target.c.id == target_id) if target_id is not None else literal(False)
        stmt = select(
            project_found.label("project_exists"),
            on_team.label("on_team"),
            membership.label("team_role"),
            target_found.label("target_exists"),
        )
        row = (await self.session.execute(stmt)).mappings().one()
        access = ProjectAccess(bool(row["project_exists"]), bool(row["on_team"]), row["team_role"])
        return access, bool(row["target_exists"])

    async def upsert(self, target: LinkTarget, project_id: str, target_id: str, **values: Any) -> dict[str, Any]:
        """Create the (project, target) link with `values`, or overwrite those values on the existing one."""
        link = target.link
        stmt = insert(link).values(project_id=project_id, **{target.column: target_id}, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[link.c.project_id, link.c[target.column]],
            set_={**{name: stmt.excluded[name] for name in values}, "updated_at": utc_now()},
        ).returning(link)
        return dict((await self.session.execute(stmt)).mappings().one())

    async def set_task_type_priorities(self, priorities: dict[str, int]) -> dict[str, dict[str, Any]]:
        """Set each task type's priority in one statement; answers the updated rows by id."""
        stmt = (
            update(task_type)
            .where(task_type.c.id.in_(list(priorities)))
            .values(
                priority=case(*((task_type.c.id == tid, position) for tid, position in priorities.items())),
                updated_at=utc_now(),
            )
            .returning(task_type)
        )
        return {m["id"]: dict(m) for m in (await self.session.execute(stmt)).mappings()}

    async def set_link_priorities(
        self, target: LinkTarget, project_id: str, priorities: dict[str, int]
    ) -> dict[str, dict[str, Any]]:
        """Set the priority of the project's existing links to the listed targets, in one statement.

        `priorities` maps target ids to their priority; answers the updated links by target id
        (targets the project is not linked to are left out: a reorder never creates a link)."""
        if not priorities:
            return {}
        link = target.link
        column = link.c[target.column]
        stmt = (
            update(link)
            .where(link.c.project_id == project_id, column.in_(list(priorities)))
            .values(
                priority=case(*((column == target_id, position) for target_id, position in priorities.items())),
                updated_at=utc_now(),
            )
            .returning(link)
        )
        return {m[target.column]: dict(m) for m in (await self.session.execute(stmt)).mappings()}
