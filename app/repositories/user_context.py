"""Queries behind the `/data/user/*` context routes: what the logged-in person works on.

Everything here is scoped on the person's assignments or team links and on the open
("Open" status) projects. Listings are single set-based statements; the task lists
(to-do, done, to check) cost a fixed number of statements whatever their length: the
tasks with every joined name, then the last comments and the episodes casting their
assets, each for the whole list at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, exists, func, not_, or_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.entity_tasks import assignee_ids
from app.repositories.persons import client_team_ids, departments_subquery
from app.repositories.tables.catalog import (
    CustomAction,
    EntityType,
    Plugin,
    PreviewBackgroundFile,
    ProjectStatus,
    StatusAutomation,
    TaskStatus,
    TaskType,
    TaskTypeAssetTypeLink,
)
from app.repositories.tables.entities import Entity, EntityLink
from app.repositories.tables.people import Department, Person, Studio
from app.repositories.tables.projects import Project, ProjectPersonLink
from app.repositories.tables.tasks import Comment, Notification, Task, TaskPersonLink

task = Task.__table__
entity = Entity.__table__
entity_link = EntityLink.__table__
project = Project.__table__
project_status = ProjectStatus.__table__
team = ProjectPersonLink.__table__
task_type = TaskType.__table__
task_status = TaskStatus.__table__
entity_type = EntityType.__table__
workflow = TaskTypeAssetTypeLink.__table__
assignment = TaskPersonLink.__table__
comment = Comment.__table__
notification = Notification.__table__
person = Person.__table__

sequence = entity.alias("sequence")
episode = entity.alias("episode")
source = entity.alias("source")
source_type = entity_type.alias("source_type")

OPEN_STATUS = "Open"
CLIENT = "client"

# Studio-wide tables the context lists whole, by key.
CATALOG_TABLES: dict[str, Table] = {
    "custom_actions": CustomAction.__table__,
    "status_automations": StatusAutomation.__table__,
    "departments": Department.__table__,
    "studios": Studio.__table__,
    "project_status": project_status,
    "task_types": task_type,
    "task_status": task_status,
    "preview_background_files": PreviewBackgroundFile.__table__,
}
PLUGIN = Plugin.__table__

# The extra values of a task row of the to-do lists, by the label the domain reads.
_TASK_EXTRAS: dict[str, ColumnElement] = {
    "_project_name": project.c.name,
    "_project_has_avatar": project.c.has_avatar,
    "_entity_name": entity.c.name,
    "_entity_description": entity.c.description,
    "_entity_data": entity.c.data,
    "_entity_preview_file_id": entity.c.preview_file_id,
    "_entity_type_name": entity_type.c.name,
    "_entity_canceled": entity.c.canceled,
    "_entity_parent_id": entity.c.parent_id,
    "_entity_source_id": entity.c.source_id,
    "_sequence_name": sequence.c.name,
    "_episode_id": episode.c.id,
    "_episode_name": episode.c.name,
    "_source_episode_name": source.c.name,
    "_task_type_name": task_type.c.name,
    "_task_type_for_entity": task_type.c.for_entity,
    "_task_status_name": task_status.c.name,
    "_task_type_color": task_type.c.color,
    "_task_status_color": task_status.c.color,
    "_task_status_short_name": task_status.c.short_name,
    "_assignees": assignee_ids(task.c.id),
}


def open_project_ids() -> Select:
    """`SELECT id` of the open projects (status named "Open")."""
    return (
        select(project.c.id)
        .join(project_status, project_status.c.id == project.c.project_status_id)
        .where(project_status.c.name == OPEN_STATUS)
    )


def open_team_project_ids(person_id: str) -> Select:
    """`SELECT id` of the open projects whose team holds the person."""
    return open_project_ids().where(project.c.id.in_(select(team.c.project_id).where(team.c.person_id == person_id)))


def _assigned_open_tasks(person_id: str) -> list[ColumnElement]:
    """Conditions on `task`: assigned to the person, in an open project."""
    return [
        task.c.id.in_(select(assignment.c.task_id).where(assignment.c.person_id == person_id)),
        task.c.project_id.in_(open_project_ids()),
    ]


def assigned_entity_ids(person_id: str) -> Select:
    """`SELECT entity_id` of the tasks assigned to the person in open projects."""
    return select(task.c.entity_id).where(*_assigned_open_tasks(person_id))


def _task_source():
    """Tasks joined to everything their to-do rows show (entity chain, type, status, project)."""
    episode_type = select(entity_type.c.id).where(entity_type.c.name == "Episode").scalar_subquery()
    return (
        task.join(project, project.c.id == task.c.project_id)
        .join(task_type, task_type.c.id == task.c.task_type_id)
        .join(task_status, task_status.c.id == task.c.task_status_id)
        .join(entity, entity.c.id == task.c.entity_id)
        .join(entity_type, entity_type.c.id == entity.c.entity_type_id)
        .outerjoin(sequence, sequence.c.id == entity.c.parent_id)
        .outerjoin(episode, episode.c.id == sequence.c.parent_id)
        .outerjoin(source, and_(source.c.id == entity.c.source_id, source.c.entity_type_id == episode_type))
    )


@dataclass(slots=True)
class ToCheckFilters:
    """The narrowing a tasks-to-check listing may carry (values already validated)."""

    project_id: str | None = None
    task_type_id: str | None = None
    task_status_id: str | None = None
    person_ids: list[str] | None = None
    unassigned: bool = False
    episode_id: str | None = None
    due_date_since: datetime | None = None
    due_date_until: datetime | None = None


NAME_ORDER = (project.c.name, episode.c.name, sequence.c.name, entity_type.c.name, entity.c.name, task_type.c.name)
TO_CHECK_ORDERS: dict[str, tuple] = {
    "priority": (task.c.priority.desc().nulls_last(), task.c.due_date.asc().nulls_last(), *NAME_ORDER),
    "due_date": (task.c.due_date.asc().nulls_last(), *NAME_ORDER),
    "estimation": (task.c.estimation.desc().nulls_last(), *NAME_ORDER),
    "entity_name": (project.c.name, task_type.c.name, episode.c.name, sequence.c.name, entity.c.name),
}


class UserContextRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _dicts(self, stmt) -> list[dict[str, Any]]:
        return [dict(row) for row in (await self.session.execute(stmt)).mappings()]

    # --- single rows --------------------------------------------------------

    async def entity(self, entity_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(entity).where(entity.c.id == entity_id))).mappings().first()
        return dict(row) if row else None

    async def entity_type(self, type_id: str) -> dict[str, Any] | None:
        stmt = select(entity_type).where(entity_type.c.id == type_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def project_exists(self, project_id: str) -> bool:
        return bool((await self.session.execute(select(exists().where(project.c.id == project_id)))).scalar())

    # --- what the person is assigned to ---------------------------------------

    async def assigned_tasks(self, entity_id: str, person_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(task)
            .where(task.c.entity_id == entity_id, *_assigned_open_tasks(person_id))
            .order_by(task.c.created_at, task.c.id)
        )
        return await self._dicts(stmt)

    async def assigned_task_types(self, entity_id: str, person_id: str) -> list[dict[str, Any]]:
        used = select(task.c.task_type_id).where(task.c.entity_id == entity_id, *_assigned_open_tasks(person_id))
        stmt = select(task_type).where(task_type.c.id.in_(used)).order_by(task_type.c.priority, task_type.c.name)
        return await self._dicts(stmt)

    async def _entities(self, *where: ColumnElement) -> list[dict[str, Any]]:
        """Entities (id first, as Zou serializes them) matching `where`, by name."""
        columns = [entity.c.id, *(c for c in entity.columns if c.name != "id")]
        stmt = select(*columns).where(*where).order_by(entity.c.name, entity.c.id)
        return await self._dicts(stmt)

    async def assigned_entities(
        self, person_id: str, type_id: str, *, project_id: str | None = None, parent_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Entities of the type (in the project, or children of the parent) with a task assigned to the person."""
        where = [entity.c.entity_type_id == type_id, entity.c.id.in_(assigned_entity_ids(person_id))]
        if project_id is not None:
            where.append(entity.c.project_id == project_id)
        if parent_id is not None:
            where.append(entity.c.parent_id == parent_id)
        return await self._entities(*where)

    async def assigned_parents(self, person_id: str, project_id: str, type_id: str, child_type_id: str):
        """Entities of the project (sequences) with a child (a shot) carrying a task assigned to the person."""
        child = entity.alias("child")
        parents = select(child.c.parent_id).where(
            child.c.entity_type_id == child_type_id, child.c.id.in_(assigned_entity_ids(person_id))
        )
        return await self._entities(
            entity.c.project_id == project_id, entity.c.entity_type_id == type_id, entity.c.id.in_(parents)
        )

    async def assigned_grandparents(
        self, person_id: str, project_id: str, type_id: str, child_type_id: str, grandchild_type_id: str
    ) -> list[dict[str, Any]]:
        """Entities of the project (episodes) with a grandchild (a shot of one of their sequences)
        carrying a task assigned to the person."""
        child, grandchild = entity.alias("child"), entity.alias("grandchild")
        grandparents = (
            select(child.c.parent_id)
            .join(grandchild, grandchild.c.parent_id == child.c.id)
            .where(
                child.c.entity_type_id == child_type_id,
                grandchild.c.entity_type_id == grandchild_type_id,
                grandchild.c.id.in_(assigned_entity_ids(person_id)),
            )
        )
        return await self._entities(
            entity.c.project_id == project_id, entity.c.entity_type_id == type_id, entity.c.id.in_(grandparents)
        )

    async def assigned_asset_types(self, project_id: str, person_id: str, temporal_ids: Sequence[str]):
        used = select(entity.c.entity_type_id).where(
            entity.c.project_id == project_id,
            entity.c.entity_type_id.not_in(list(temporal_ids)),
            entity.c.id.in_(assigned_entity_ids(person_id)),
        )
        stmt = select(entity_type).where(entity_type.c.id.in_(used)).order_by(entity_type.c.name)
        return await self._dicts(stmt)

    # --- task lists with their context -------------------------------------------

    async def detailed_tasks(
        self, where: Sequence[ColumnElement], order_by: Sequence[Any] = (), limit: int | None = None, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Task rows with every value the to-do lists show, in one statement."""
        stmt = (
            select(*task.columns, *(expr.label(name) for name, expr in _TASK_EXTRAS.items()))
            .select_from(_task_source())
            .where(*where)
            .order_by(*order_by, task.c.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return await self._dicts(stmt)

    async def task_stats(self, where: Sequence[ColumnElement]) -> tuple[int, float | None, float | None]:
        stmt = (
            select(func.count(task.c.id), func.sum(task.c.duration), func.sum(task.c.estimation))
            .select_from(_task_source())
            .where(*where)
        )
        total, duration, estimation = (await self.session.execute(stmt)).one()
        return total, duration, estimation

    async def last_comments(self, task_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Task id -> its latest comment not written by a client of the project (text, date, author)."""
        if not task_ids:
            return {}
        link = team.alias("author_link")
        stmt = (
            select(comment.c.object_id, comment.c.text, comment.c.created_at, comment.c.person_id)
            .ext(distinct_on(comment.c.object_id))
            .join(person, person.c.id == comment.c.person_id)
            .join(task, task.c.id == comment.c.object_id)
            .outerjoin(link, and_(link.c.person_id == person.c.id, link.c.project_id == task.c.project_id))
            .where(comment.c.object_id.in_(list(task_ids)), func.coalesce(link.c.role, person.c.role) != CLIENT)
            .order_by(comment.c.object_id, comment.c.created_at.desc())
        )
        return {
            row.object_id: {"text": row.text, "date": row.created_at, "person_id": row.person_id}
            for row in (await self.session.execute(stmt))
        }

    async def casting_episodes(self, entity_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        """Asset id -> (id, name) of the episodes casting it, by episode name."""
        if not entity_ids:
            return {}
        stmt = (
            select(entity_link.c.entity_out_id, episode.c.id, episode.c.name)
            .join(episode, episode.c.id == entity_link.c.entity_in_id)
            .join(entity_type, entity_type.c.id == episode.c.entity_type_id)
            .where(entity_type.c.name == "Episode", entity_link.c.entity_out_id.in_(list(entity_ids)))
            .order_by(episode.c.name, episode.c.id)
        )
        grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for asset_id, episode_id, name in await self.session.execute(stmt):
            grouped[asset_id].append((episode_id, name))
        return grouped

    # --- conditions of the task lists ---------------------------------------------

    @staticmethod
    def person_tasks_where(person_id: str, done: bool) -> list[ColumnElement]:
        """Tasks assigned to the person in the open projects of their teams, done or not."""
        return [
            task.c.id.in_(select(assignment.c.task_id).where(assignment.c.person_id == person_id)),
            task.c.project_id.in_(open_team_project_ids(person_id)),
            task_status.c.is_done.is_(True) if done else task_status.c.is_done.is_(False),
        ]

    @staticmethod
    def done_order() -> tuple:
        return (task.c.end_date.desc(), task_type.c.name, entity.c.name)

    @staticmethod
    def todo_order() -> tuple:
        return NAME_ORDER

    @staticmethod
    def to_check_order(order_by: str | None) -> tuple:
        return TO_CHECK_ORDERS.get(order_by or "", NAME_ORDER)

    @staticmethod
    def to_check_where(
        project_ids: Select | None, department_ids: Sequence[str] | None, filters: ToCheckFilters
    ) -> list[ColumnElement]:
        """Tasks waiting for feedback, in the given projects (None: every open one), of the departments."""
        where: list[ColumnElement] = [task_status.c.is_feedback_request.is_(True)]
        where.append(task.c.project_id.in_(project_ids if project_ids is not None else open_project_ids()))
        if department_ids:
            where.append(task_type.c.department_id.in_(list(department_ids)))
        if filters.project_id is not None:
            where.append(task.c.project_id == filters.project_id)
        if filters.task_type_id is not None:
            where.append(task.c.task_type_id == filters.task_type_id)
        if filters.task_status_id is not None:
            where.append(task.c.task_status_id == filters.task_status_id)
        if filters.unassigned:
            where.append(not_(exists().where(assignment.c.task_id == task.c.id)))
        elif filters.person_ids:
            where.append(
                exists().where(assignment.c.task_id == task.c.id, assignment.c.person_id.in_(filters.person_ids))
            )
        if filters.episode_id is not None:
            where.append(
                or_(
                    episode.c.id == filters.episode_id,
                    entity.c.source_id == filters.episode_id,
                    entity.c.parent_id == filters.episode_id,
                )
            )
        if filters.due_date_since is not None:
            where.append(task.c.due_date >= filters.due_date_since)
        if filters.due_date_until is not None:
            where.append(task.c.due_date <= filters.due_date_until)
        return where

    async def to_check_filter_values(self, where: Sequence[ColumnElement]) -> tuple[list, list[str]]:
        """(distinct (project, task type, status, episode, source, parent, entity type name) rows, assignee ids)."""
        stmt = (
            select(
                task.c.project_id,
                task.c.task_type_id,
                task.c.task_status_id,
                episode.c.id,
                entity.c.source_id,
                entity.c.parent_id,
                entity_type.c.name,
            )
            .select_from(_task_source())
            .where(*where)
            .distinct()
        )
        rows = list((await self.session.execute(stmt)).all())
        assignees = (
            select(assignment.c.person_id)
            .join(task, task.c.id == assignment.c.task_id)
            .where(task.c.id.in_(select(task.c.id).select_from(_task_source()).where(*where)))
            .distinct()
        )
        return rows, list((await self.session.execute(assignees)).scalars())

    # --- the context -----------------------------------------------------------------

    async def catalog(self, table: Table) -> list[dict[str, Any]]:
        stmt = select(table).order_by(table.c.created_at, table.c.id)
        return await self._dicts(stmt)

    async def asset_types(self, temporal_names: Sequence[str]) -> list[dict[str, Any]]:
        """Asset types with their workflow's task type ids (`task_types`)."""
        linked = (
            select(func.coalesce(func.array_agg(workflow.c.task_type_id), []))
            .where(workflow.c.asset_type_id == entity_type.c.id)
            .scalar_subquery()
        )
        stmt = (
            select(entity_type, linked.label("task_types"))
            .where(entity_type.c.name.not_in(list(temporal_names)))
            .order_by(entity_type.c.name, entity_type.c.id)
        )
        return await self._dicts(stmt)

    async def plugins(self) -> list[dict[str, Any]]:
        return await self.catalog(PLUGIN)

    async def unread_notification_count(self, person_id: str) -> int:
        stmt = select(func.count()).where(notification.c.person_id == person_id, notification.c.read.is_(False))
        return int((await self.session.execute(stmt)).scalar_one())

    async def persons(self, client_id: str | None = None) -> list[dict[str, Any]]:
        """Studio persons (no guests, no preview accounts) with their department ids; for a
        client, the persons of the teams of their open projects."""
        stmt = select(person, departments_subquery().label("department_ids"))
        if client_id is not None:
            stmt = stmt.where(person.c.id.in_(client_team_ids(client_id)))
        else:
            stmt = stmt.where(person.c.preview_project_id.is_(None), person.c.is_guest.is_(False))
        stmt = stmt.order_by(person.c.first_name, person.c.last_name, person.c.id)
        return await self._dicts(stmt)

    async def project_roles(self, person_id: str) -> dict[str, str]:
        stmt = select(team.c.project_id, team.c.role).where(team.c.person_id == person_id, team.c.role.is_not(None))
        return {project_id: role for project_id, role in await self.session.execute(stmt)}

    async def related_project_ids(self, person_id: str) -> list[str]:
        return list((await self.session.execute(open_team_project_ids(person_id))).scalars())
