"""Queries behind the "with tasks" boards, the per-entity task lists and task creation.

The boards are what the Kitsu UI loads for every production page: one row per entity
with its tasks nested. Each board is read with a fixed number of flat statements
whatever the production's size: the entities, then their tasks (assignees folded in
as an array, the caller's subscription as a flag), grouped in Python by the domain.
Ids are cast to text in SQL so that no UUID object is built per value.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Float,
    FromClause,
    Integer,
    Numeric,
    Select,
    String,
    Text,
    Uuid,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.json_text import json_array
from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.catalog import EntityType, ProjectStatus, TaskStatus, TaskType, TaskTypeAssetTypeLink
from app.repositories.tables.entities import Entity, EntityConceptLink, EntityLink
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.people import Person
from app.repositories.tables.projects import (
    Project,
    ProjectPersonLink,
    ProjectTaskTypeLink,
)
from app.repositories.tables.tasks import Subscription, Task, TaskPersonLink

task = Task.__table__
entity = Entity.__table__
project = Project.__table__
assignment = TaskPersonLink.__table__
subscription = Subscription.__table__
task_type = TaskType.__table__
task_status = TaskStatus.__table__
entity_type = EntityType.__table__
entity_link = EntityLink.__table__
concept_link = EntityConceptLink.__table__
preview_file = PreviewFile.__table__
team = ProjectPersonLink.__table__
project_status = ProjectStatus.__table__
person = Person.__table__
project_task_type = ProjectTaskTypeLink.__table__
workflow = TaskTypeAssetTypeLink.__table__

sequence = entity.alias("sequence")
episode = entity.alias("episode")

TASK_COLUMNS = [c.name for c in task.columns]


def text_id(column: ColumnElement) -> ColumnElement:
    return cast(column, Text)


def as_text(column: ColumnElement) -> ColumnElement:
    """A UUID column read as text (same label), any other column as it is."""
    return text_id(column).label(column.name) if isinstance(column.type, Uuid) else column


def assignee_ids(task_id: ColumnElement) -> ColumnElement:
    """`ARRAY(SELECT person_id::text ...)`: the task's assignees, an empty list when none."""
    ids = select(text_id(assignment.c.person_id)).where(assignment.c.task_id == task_id)
    # untyped on purpose: the driver already returns a list of str, no per-row processing
    return func.array(ids.scalar_subquery())


def assigned_task_ids(person_id: str) -> Select:
    return select(assignment.c.task_id).where(assignment.c.person_id == person_id)


# The task values a board may show, by Zou's field name. `priority` reads 0 when unset.
_BOARD_TASK_VALUES: dict[str, ColumnElement] = {
    "id": text_id(task.c.id),
    "entity_id": text_id(task.c.entity_id),
    "task_type_id": text_id(task.c.task_type_id),
    "task_status_id": text_id(task.c.task_status_id),
    "priority": func.coalesce(task.c.priority, 0),
    "estimation": task.c.estimation,
    "duration": task.c.duration,
    "retake_count": task.c.retake_count,
    "real_start_date": task.c.real_start_date,
    "end_date": task.c.end_date,
    "start_date": task.c.start_date,
    "due_date": task.c.due_date,
    "done_date": task.c.done_date,
    "last_comment_date": task.c.last_comment_date,
    "last_preview_file_id": text_id(task.c.last_preview_file_id),
    "nb_assets_ready": task.c.nb_assets_ready,
    "difficulty": task.c.difficulty,
    "nb_drawings": task.c.nb_drawings,
    "data": task.c.data,
    "assigner_id": text_id(task.c.assigner_id),
    "assignees": assignee_ids(task.c.id),
}

# What a client reads instead of the studio side of a task (Zou blanks these for clients).
CLIENT_BLANKS: dict[str, Any] = {
    "assignees": [],
    "assigner_id": None,
    "completion_rate": 0,
    "difficulty": None,
    "done_date": None,
    "due_date": None,
    "duration": 0,
    "end_date": None,
    "estimation": 0,
    "last_comment_date": None,
    "nb_assets_ready": 0,
    "nb_drawings": 0,
    "priority": 0,
    "real_start_date": None,
    "retake_count": 0,
    "start_date": None,
}
_CLIENT_BLANK_VALUES: dict[str, ColumnElement] = {
    name: literal_column("'{}'::text[]") if value == [] else null() if value is None else literal(value)
    for name, value in CLIENT_BLANKS.items()
}


@dataclass(slots=True)
class Selection:
    """Which entities a board lists: a FROM clause rooted at `entity` and its conditions."""

    source: FromClause
    where: list[ColumnElement] = field(default_factory=list)

    def ids(self) -> Select:
        return select(entity.c.id).select_from(self.source).where(*self.where)


@dataclass(slots=True)
class TaskQuery:
    """How to read the tasks of a board: which fields, in which order, and for whom."""

    fields: Sequence[str]
    person_id: str
    subscriptions: bool = False
    """Read the caller's subscriptions (`is_subscribed`); False everywhere otherwise."""
    assigned_only: bool = False
    blank_for_client: bool = False


def _json_ready(expr: ColumnElement) -> ColumnElement:
    """The value as Zou's JSON shows it once PostgreSQL renders it: datetimes to the second,
    floats with their decimal point (`0.0`, as Python prints a float, not `0`)."""
    if isinstance(expr.type, DateTime):
        return func.date_trunc("second", expr)
    if isinstance(expr.type, Float):
        whole = and_(expr == func.trunc(expr), func.abs(expr) < 1e15)
        zero = literal_column("0.0", Numeric)  # the usual value, without a conversion per row
        return case((expr == 0, zero), (whole, cast(expr, Numeric(20, 1))), else_=cast(expr, Numeric))
    return expr


def board_task_columns(query: TaskQuery) -> list[ColumnElement]:
    columns = []
    for name in query.fields:
        if query.blank_for_client and name in _CLIENT_BLANK_VALUES:
            expr = _CLIENT_BLANK_VALUES[name]
        elif name == "is_subscribed":
            expr = (
                task.c.id.in_(select(subscription.c.task_id).where(subscription.c.person_id == query.person_id))
                if query.subscriptions
                else false()
            )
        else:
            expr = _json_ready(_BOARD_TASK_VALUES[name])
        columns.append(expr.label(name))
    return columns


def kind_filter(type_ids: Sequence[str], asset: bool) -> ColumnElement:
    """Entities of the given types, or (asset=True) of any type but those."""
    return entity.c.entity_type_id.not_in(type_ids) if asset else entity.c.entity_type_id.in_(type_ids)


class EntityTasksRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, stmt) -> list:
        return list((await self.session.execute(stmt)).all())

    async def _board_rows(self, selection: Selection, columns: tuple, *order_by) -> list:
        """One board's entity rows: the columns Zou shows on it, in its order, sorted by `order_by`."""
        stmt = select(*columns).select_from(selection.source).where(*selection.where).order_by(*order_by)
        return await self._all(stmt)

    async def _dicts(self, stmt) -> list[dict[str, Any]]:
        return [dict(row) for row in (await self.session.execute(stmt)).mappings()]

    # --- single rows ------------------------------------------------------

    async def entity(self, entity_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(entity).where(entity.c.id == entity_id))).mappings().first()
        return dict(row) if row else None

    # --- boards -----------------------------------------------------------

    async def board_tasks(self, selection: Selection, query: TaskQuery, compact: bool = False) -> dict[str, str]:
        """Entity id -> the JSON text of its tasks: objects with `query.fields` in order, or
        (compact) value lists. PostgreSQL renders the JSON, grouped by entity, in one statement:
        the rows never go through Python one by one."""
        rows = select(*board_task_columns(query)).where(task.c.entity_id.in_(selection.ids()))
        if query.assigned_only:
            rows = rows.where(task.c.id.in_(assigned_task_ids(query.person_id)))
        t = rows.subquery("t")
        item = (
            func.json_build_array(*(t.c[name] for name in query.fields))
            if compact
            else func.row_to_json(t.table_valued())
        )
        # no whitespace between items (json_agg puts line breaks there, which NDJSON streaming cannot carry)
        tasks = json_array(cast(item, Text))
        stmt = select(t.c.entity_id, tasks).group_by(t.c.entity_id)
        return dict((await self.session.execute(stmt)).all())

    async def shot_rows(self, selection: Selection) -> list:
        columns = (
            entity.c.canceled,
            entity.c.data,
            entity.c.description,
            text_id(entity.c.entity_type_id),
            text_id(episode.c.id),
            episode.c.name,
            text_id(entity.c.id),
            entity.c.name,
            entity.c.nb_frames,
            text_id(entity.c.parent_id),
            text_id(entity.c.preview_file_id),
            text_id(entity.c.project_id),
            project.c.name,
            text_id(sequence.c.id),
            sequence.c.name,
            text_id(entity.c.source_id),
            entity.c.nb_entities_out,
            entity.c.is_casting_standby,
        )
        return await self._board_rows(selection, columns, sequence.c.name, entity.c.name)

    async def asset_rows(self, selection: Selection) -> list:
        columns = (
            text_id(entity.c.id),
            entity.c.name,
            text_id(entity.c.preview_file_id),
            entity.c.description,
            entity_type.c.name,
            text_id(entity.c.entity_type_id),
            entity.c.canceled,
            text_id(entity.c.ready_for),
            text_id(entity.c.source_id),
            entity.c.is_casting_standby,
            entity.c.is_shared,
            entity.c.data,
            text_id(entity.c.project_id),
        )
        return await self._board_rows(selection, columns, entity_type.c.name, entity.c.name)

    async def edit_rows(self, selection: Selection) -> list:
        columns = (
            entity.c.canceled,
            entity.c.data,
            entity.c.description,
            text_id(entity.c.entity_type_id),
            text_id(episode.c.id),
            episode.c.name,
            text_id(entity.c.id),
            entity.c.name,
            text_id(entity.c.parent_id),
            text_id(entity.c.preview_file_id),
            text_id(entity.c.project_id),
            project.c.name,
            text_id(entity.c.source_id),
            entity.c.nb_entities_out,
        )
        return await self._board_rows(selection, columns, entity.c.name)

    async def concept_rows(self, selection: Selection) -> list:
        columns = (
            entity.c.canceled,
            entity.c.data,
            entity.c.description,
            text_id(entity.c.entity_type_id),
            text_id(entity.c.id),
            entity.c.name,
            entity.c.nb_frames,
            text_id(entity.c.parent_id),
            text_id(entity.c.preview_file_id),
            preview_file.c.status,
            text_id(entity.c.project_id),
            project.c.name,
            text_id(entity.c.source_id),
            entity.c.nb_entities_out,
            entity.c.is_casting_standby,
            entity.c.created_at,
            entity.c.updated_at,
            text_id(entity.c.created_by),
        )
        return await self._board_rows(selection, columns, entity.c.name)

    async def plain_rows(self, selection: Selection) -> list:
        """Sequences, episodes, scenes: the columns of Zou's generic entities board."""
        columns = (
            text_id(entity.c.id),
            entity.c.name,
            entity.c.status,
            text_id(entity.c.parent_id),
            entity.c.description,
            entity.c.data,
            text_id(entity.c.preview_file_id),
            entity.c.canceled,
            text_id(entity.c.project_id),
        )
        return await self._board_rows(selection, columns, entity.c.name)

    async def casting_episode_ids(
        self, episode_type_id: str, project_id: str, episode_id: str | None, asset_id: str | None
    ) -> dict[str, list[str]]:
        """Asset id -> ids of the episodes of the project casting it, ordered by episode name."""
        stmt = (
            select(text_id(entity_link.c.entity_out_id), text_id(entity_link.c.entity_in_id))
            .join(episode, episode.c.id == entity_link.c.entity_in_id)
            .where(episode.c.entity_type_id == episode_type_id, episode.c.project_id == project_id)
            .order_by(episode.c.name)
        )
        if episode_id is not None:
            stmt = stmt.where(entity_link.c.entity_in_id == episode_id)
        if asset_id is not None:
            stmt = stmt.where(entity_link.c.entity_out_id == asset_id)
        grouped: dict[str, list[str]] = {}
        for asset, in_id in await self._all(stmt):
            grouped.setdefault(asset, []).append(in_id)
        return grouped

    async def concept_links(self, selection: Selection) -> dict[str, list[str]]:
        stmt = select(text_id(concept_link.c.entity_in_id), text_id(concept_link.c.entity_out_id)).where(
            concept_link.c.entity_in_id.in_(selection.ids())
        )
        grouped: dict[str, list[str]] = {}
        for in_id, out_id in await self._all(stmt):
            grouped.setdefault(in_id, []).append(out_id)
        return grouped

    async def board_fingerprint(self, project_id: str, person_id: str) -> str:
        """A cheap change signal for a project's boards, in one statement: what the boards embed
        (entities, tasks, entity types, the project row) and the caller's subscriptions."""

        def signal(table, *where) -> tuple[ColumnElement, ColumnElement]:
            return (
                select(func.max(table.c.updated_at)).where(*where).scalar_subquery(),
                select(func.count()).select_from(table).where(*where).scalar_subquery(),
            )

        parts = [
            *signal(entity, entity.c.project_id == project_id),
            *signal(task, task.c.project_id == project_id),
            *signal(entity_type),
            *signal(subscription, subscription.c.person_id == person_id),
            select(project.c.updated_at).where(project.c.id == project_id).scalar_subquery(),
        ]
        row = (await self.session.execute(select(*parts))).one()
        return "|".join(str(value) for value in row)

    # --- detailed task lists ------------------------------------------------

    async def detailed_tasks(self, where: Sequence[ColumnElement], relations: bool) -> list[dict[str, Any]]:
        """Tasks with every column, their project, type, status, entity type and entity names."""
        columns = [
            *(as_text(c) for c in task.columns),
            project.c.name.label("project_name"),
            task_type.c.name.label("task_type_name"),
            task_status.c.name.label("task_status_name"),
            entity_type.c.name.label("entity_type_name"),
            entity.c.name.label("entity_name"),
        ]
        if relations:
            columns.append(assignee_ids(task.c.id).label("assignees"))
        stmt = (
            select(*columns)
            .select_from(
                task.join(project, project.c.id == task.c.project_id)
                .join(task_type, task_type.c.id == task.c.task_type_id)
                .join(task_status, task_status.c.id == task.c.task_status_id)
                .join(entity, entity.c.id == task.c.entity_id)
                .join(entity_type, entity_type.c.id == entity.c.entity_type_id)
            )
            .where(*where)
        )
        return await self._dicts(stmt)

    async def assigned_open_tasks(self, entity_id: str, person_id: str, open_status: str) -> list[dict[str, Any]]:
        """The person's tasks on the entity, in open projects only (what a vendor lists)."""
        stmt = (
            select(task)
            .join(project, project.c.id == task.c.project_id)
            .join(project_status, project_status.c.id == project.c.project_status_id)
            .where(
                task.c.entity_id == entity_id,
                task.c.id.in_(assigned_task_ids(person_id)),
                project_status.c.name == open_status,
            )
        )
        return await self._dicts(stmt)

    async def task_types_of(self, entity_ids: Select) -> list[dict[str, Any]]:
        """Task types having a task on the given entities (a select of entity ids)."""
        used = select(task.c.task_type_id).where(task.c.entity_id.in_(entity_ids))
        stmt = select(task_type).where(task_type.c.id.in_(used)).order_by(task_type.c.priority, task_type.c.name)
        return await self._dicts(stmt)

    # --- entities linked to concepts ---------------------------------------

    async def concept_linked_entities(self, entity_id: str) -> list[dict[str, Any]]:
        """The entities a concept link ties to the given one (as `entity_out`), with project names."""
        linked = select(concept_link.c.entity_in_id).where(concept_link.c.entity_out_id == entity_id)
        stmt = (
            select(
                *(as_text(c) for c in entity.columns),
                project.c.name.label("project_name"),
                entity_type.c.name.label("entity_type_name"),
            )
            .join(project, project.c.id == entity.c.project_id)
            .join(entity_type, entity_type.c.id == entity.c.entity_type_id)
            .where(entity.c.id.in_(linked))
            .order_by(entity.c.name)
        )
        return await self._dicts(stmt)

    async def linked_entity_tasks(self, entity_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not entity_ids:
            return []
        values = {
            name: _BOARD_TASK_VALUES[name]
            for name in (
                "id",
                "duration",
                "due_date",
                "end_date",
                "entity_id",
                "estimation",
                "last_comment_date",
                "nb_assets_ready",
                "priority",
                "real_start_date",
                "retake_count",
                "start_date",
                "task_status_id",
                "task_type_id",
                "assigner_id",
                "assignees",
            )
        }
        stmt = select(*(expr.label(name) for name, expr in values.items())).where(task.c.entity_id.in_(entity_ids))
        return await self._dicts(stmt)

    async def concept_links_of(self, entity_ids: Sequence[str]) -> dict[str, list[str]]:
        if not entity_ids:
            return {}
        stmt = select(text_id(concept_link.c.entity_in_id), text_id(concept_link.c.entity_out_id)).where(
            concept_link.c.entity_in_id.in_(entity_ids)
        )
        grouped: dict[str, list[str]] = {}
        for in_id, out_id in await self._all(stmt):
            grouped.setdefault(in_id, []).append(out_id)
        return grouped

    # --- task creation ------------------------------------------------------

    async def creation_context(self, project_id: str, asset_type_id: str | None) -> tuple[set[str], set[str]]:
        """(task types enabled in the project, task types of the asset type's workflow) in one query."""
        enabled = select(literal("project"), text_id(project_task_type.c.task_type_id)).where(
            project_task_type.c.project_id == project_id
        )
        stmt = enabled
        if asset_type_id is not None:
            stmt = enabled.union_all(
                select(literal("workflow"), text_id(workflow.c.task_type_id)).where(
                    workflow.c.asset_type_id == asset_type_id
                )
            )
        found: dict[str, set[str]] = {"project": set(), "workflow": set()}
        for origin, type_id in await self._all(stmt):
            found[origin].add(type_id)
        return found["project"], found["workflow"]

    async def task_types(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        ids = list(ids)
        if not ids:
            return []
        return await self._dicts(select(task_type).where(task_type.c.id.in_(ids)))

    async def existing_main_task_types(self, entity_id: str, type_ids: Sequence[str]) -> set[str]:
        stmt = select(text_id(task.c.task_type_id)).where(
            task.c.entity_id == entity_id, task.c.task_type_id.in_(list(type_ids)), task.c.name == "main"
        )
        return {row[0] for row in await self._all(stmt)}

    async def default_task_status(self, for_concept: bool) -> dict[str, Any] | None:
        stmt = (
            select(task_status)
            .where(task_status.c.is_default.is_(True), func.coalesce(task_status.c.for_concept, False) == for_concept)
            .order_by(task_status.c.created_at)
            .limit(1)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def task_status_by(self, *, name: str, short_name: str, for_concept: bool) -> dict[str, Any] | None:
        stmt = (
            select(task_status)
            .where(
                or_(task_status.c.name == name, task_status.c.short_name == short_name),
                func.coalesce(task_status.c.for_concept, False) == for_concept,
            )
            .limit(1)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def insert_task_status(self, values: Mapping[str, Any]) -> dict[str, Any]:
        now = utc_now()
        row = {"id": new_id(), "created_at": now, "updated_at": now, **values}
        stmt = insert(task_status).values(row).returning(*task_status.columns)
        return dict((await self.session.execute(stmt)).mappings().one())

    async def insert_tasks(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Insert the tasks in one statement; returns them in the given order."""
        if not rows:
            return []
        now = utc_now()
        values = [{"id": new_id(), "created_at": now, "updated_at": now, **row} for row in rows]
        stmt = insert(task).returning(*task.columns, sort_by_parameter_order=True)
        return [dict(row) for row in (await self.session.execute(stmt, values)).mappings()]

    async def set_assignees(self, task_id: str, person_ids: Sequence[str]) -> None:
        if person_ids:
            await self.session.execute(
                insert(assignment), [{"task_id": task_id, "person_id": pid} for pid in person_ids]
            )

    async def existing_person_ids(self, person_ids: Sequence[str]) -> tuple[list[str], bool]:
        """(the ids that are persons, whether one of them is a preview account) in one query."""
        if not person_ids:
            return [], False
        stmt = select(text_id(person.c.id), person.c.preview_project_id.is_not(None)).where(
            person.c.id.in_(list(person_ids))
        )
        rows = await self._all(stmt)
        return [row[0] for row in rows], any(row[1] for row in rows)

    async def task_exists(self, name: str, project_id: str | None, task_type_id: str, entity_id: str) -> bool:
        project_match = task.c.project_id.is_(None) if project_id is None else task.c.project_id == project_id
        stmt = select(
            exists().where(
                task.c.name == name,
                project_match,
                task.c.task_type_id == task_type_id,
                task.c.entity_id == entity_id,
            )
        )
        return bool((await self.session.execute(stmt)).scalar())


def open_team_projects(person_id: str, open_status: str) -> Select:
    """`SELECT project_id` of the open projects whose team holds the person."""
    return (
        select(team.c.project_id)
        .join(project, project.c.id == team.c.project_id)
        .join(project_status, project_status.c.id == project.c.project_status_id)
        .where(team.c.person_id == person_id, project_status.c.name == open_status)
    )


def team_exists(project_column: ColumnElement, person_id: str) -> ColumnElement:
    return exists().where(team.c.project_id == project_column, team.c.person_id == person_id)


def has_assigned_task(person_id: str) -> ColumnElement:
    """The listed entity has a task assigned to the person."""
    work = task.alias("work")
    return exists().where(work.c.entity_id == entity.c.id, work.c.id.in_(assigned_task_ids(person_id)))


def cast_in_episode(episode_id: str) -> ColumnElement:
    return exists().where(entity_link.c.entity_out_id == entity.c.id, entity_link.c.entity_in_id == episode_id)


def shot_source() -> FromClause:
    return (
        entity.join(project, project.c.id == entity.c.project_id)
        .join(sequence, sequence.c.id == entity.c.parent_id)
        .outerjoin(episode, episode.c.id == sequence.c.parent_id)
    )


def edit_source() -> FromClause:
    return entity.join(project, project.c.id == entity.c.project_id).outerjoin(
        episode, episode.c.id == entity.c.parent_id
    )


def asset_source() -> FromClause:
    return entity.join(entity_type, entity_type.c.id == entity.c.entity_type_id)


def concept_source() -> FromClause:
    return entity.join(project, project.c.id == entity.c.project_id).outerjoin(
        preview_file, preview_file.c.id == entity.c.preview_file_id
    )


def plain_source() -> FromClause:
    return entity


def children_of(parent_id: str) -> Select:
    """`SELECT id` of the entities whose parent is the given one (a sequence's shots)."""
    return select(entity.c.id).where(entity.c.parent_id == parent_id)


def grandchildren_of(grandparent_id: str) -> Select:
    """`SELECT id` of the entities whose parent's parent is the given entity (an episode's shots)."""
    return (
        select(entity.c.id)
        .join(sequence, sequence.c.id == entity.c.parent_id)
        .where(sequence.c.parent_id == grandparent_id)
    )


def single(entity_id: str) -> Select:
    return select(entity.c.id).where(entity.c.id == entity_id)


def child_has_assigned_task(person_id: str) -> ColumnElement:
    """The listed entity (a sequence) has a child (a shot) with a task assigned to the person."""
    child, work = entity.alias("child"), task.alias("work")
    return exists().where(
        child.c.parent_id == entity.c.id,
        work.c.entity_id == child.c.id,
        work.c.id.in_(assigned_task_ids(person_id)),
    )


def episode_has_assigned_task(person_id: str) -> ColumnElement:
    """The listed entity (an episode) has a shot of one of its sequences, or an asset made for
    it, with a task assigned to the person."""
    child, shot, work = entity.alias("child"), entity.alias("shot"), task.alias("work")
    on_shot = exists().where(
        child.c.parent_id == entity.c.id,
        shot.c.parent_id == child.c.id,
        work.c.entity_id == shot.c.id,
        work.c.id.in_(assigned_task_ids(person_id)),
    )
    on_asset = exists().where(
        child.c.source_id == entity.c.id,
        work.c.entity_id == child.c.id,
        work.c.id.in_(assigned_task_ids(person_id)),
    )
    return or_(on_shot, on_asset)


def coerce_task_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Body values typed for the task table's columns (ISO dates parsed, numbers checked).

    Raises ValueError naming the first value its column cannot hold."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        column = task.c[name]
        if value is None:
            out[name] = None
            continue
        kind = column.type
        try:
            if isinstance(kind, Uuid):
                out[name] = str(uuid.UUID(str(value)))
            elif isinstance(kind, DateTime):
                out[name] = (
                    value
                    if isinstance(value, datetime)
                    else datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=None)
                )
            elif isinstance(kind, Integer):
                if isinstance(value, bool) or not isinstance(value, int | float | str):
                    raise ValueError
                out[name] = int(value)
            elif isinstance(kind, Float):
                if isinstance(value, bool) or not isinstance(value, int | float | str):
                    raise ValueError
                out[name] = float(value)
            elif isinstance(kind, String | Text):
                if not isinstance(value, str):
                    raise ValueError
                out[name] = value
            else:
                out[name] = value
        except (TypeError, ValueError):
            raise ValueError(name) from None
    return out
