"""Queries behind shots, sequences, episodes and scenes: rows of the `entity` table.

Every listing is one statement whatever the number of rows: parent names come from
joins, relation id lists from correlated `array_agg` subqueries, vendor scoping from
an `IN (assigned entities)` condition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, bindparam, cast, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.access import assigned_entity_ids_select
from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import EntityType
from app.repositories.tables.entities import (
    AssetInstanceLink,
    Entity,
    EntityConceptLink,
    EntityLink,
    EntityVersion,
)
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.projects import DepartmentMetadataDescriptorLink, MetadataDescriptor, Project
from app.repositories.tables.tasks import Task, TaskPersonLink

entity = Entity.__table__
entity_type = EntityType.__table__
project = Project.__table__
entity_link = EntityLink.__table__
concept_link = EntityConceptLink.__table__
instance_link = AssetInstanceLink.__table__
version = EntityVersion.__table__
task = Task.__table__
assignment = TaskPersonLink.__table__
preview_file = PreviewFile.__table__
descriptor = MetadataDescriptor.__table__
descriptor_department = DepartmentMetadataDescriptorLink.__table__

RELATION_NAMES = ("entities_in", "entities_out", "entity_concept_links", "instance_casting")
TASK_COLUMNS = (
    "id",
    "entity_id",
    "task_type_id",
    "task_status_id",
    "priority",
    "estimation",
    "duration",
    "retake_count",
    "real_start_date",
    "end_date",
    "start_date",
    "due_date",
    "done_date",
    "last_comment_date",
    "last_preview_file_id",
    "nb_assets_ready",
    "difficulty",
    "nb_drawings",
    "data",
)


@dataclass(slots=True)
class EntityCriteria:
    """Filters read from a query string, already typed by the domain."""

    equal: dict[str, Any] = field(default_factory=dict)
    """column -> value (a list means IN)."""
    name_patterns: list[str] = field(default_factory=list)
    """ILIKE patterns on `name`."""
    related: list[tuple[str, str]] = field(default_factory=list)
    """(relation name, entity id): rows linked to that entity through the relation."""


def _relation_condition(owner, name: str, target_id: str) -> ColumnElement:
    if name == "entities_out":
        return exists().where(entity_link.c.entity_in_id == owner.c.id, entity_link.c.entity_out_id == target_id)
    if name == "entities_in":
        return exists().where(entity_link.c.entity_out_id == owner.c.id, entity_link.c.entity_in_id == target_id)
    if name == "entity_concept_links":
        return exists().where(concept_link.c.entity_in_id == owner.c.id, concept_link.c.entity_out_id == target_id)
    return exists().where(instance_link.c.entity_id == owner.c.id, instance_link.c.asset_instance_id == target_id)


def _criteria_conditions(owner, criteria: EntityCriteria | None) -> list[ColumnElement]:
    if criteria is None:
        return []
    conditions: list[ColumnElement] = []
    for name, value in criteria.equal.items():
        column = owner.c[name]
        if isinstance(value, list):
            conditions.append(column.in_(value))
        elif value is None:
            conditions.append(column.is_(None))
        else:
            conditions.append(column == value)
    conditions.extend(owner.c.name.ilike(pattern) for pattern in criteria.name_patterns)
    conditions.extend(_relation_condition(owner, name, target) for name, target in criteria.related)
    return conditions


def _ids_array(column, where: ColumnElement):
    """A correlated `array_agg` of ids as text (NULL when there is none)."""
    return select(func.array_agg(cast(column, Text))).where(where).scalar_subquery()


def _relation_columns(owner) -> list:
    return [
        _ids_array(entity_link.c.entity_in_id, entity_link.c.entity_out_id == owner.c.id).label("entities_in"),
        _ids_array(entity_link.c.entity_out_id, entity_link.c.entity_in_id == owner.c.id).label("entities_out"),
        _ids_array(concept_link.c.entity_out_id, concept_link.c.entity_in_id == owner.c.id).label(
            "entity_concept_links"
        ),
        _ids_array(instance_link.c.asset_instance_id, instance_link.c.entity_id == owner.c.id).label(
            "instance_casting"
        ),
    ]


def _rows(result) -> list[dict[str, Any]]:
    return [dict(m) for m in result.mappings()]


def _fill_relations(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        for name in RELATION_NAMES:
            row[name] = row.get(name) or []
    return rows


class ShotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- one entity ----------------------------------------------------------

    async def get_of_kind(self, entity_id: str, kind: str) -> dict[str, Any] | None:
        """The entity when its entity type has that name ("Shot", "Sequence"...), in one statement."""
        stmt = (
            select(entity)
            .join(entity_type, entity_type.c.id == entity.c.entity_type_id)
            .where(entity.c.id == entity_id, entity_type.c.name == kind)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def get_with_parents(self, entity_id: str, type_id: str, *, relations: bool = False) -> dict[str, Any] | None:
        """The entity with its project's name, its parent and its grandparent (prefixed `_parent_*`, `_grand_*`)."""
        parent = entity.alias("parent")
        grand = entity.alias("grand")
        columns = [
            entity,
            project.c.name.label("project_name"),
            parent.c.id.label("_parent_id"),
            parent.c.name.label("_parent_name"),
            parent.c.entity_type_id.label("_parent_type_id"),
            parent.c.parent_id.label("_parent_parent_id"),
            grand.c.id.label("_grand_id"),
            grand.c.name.label("_grand_name"),
            grand.c.entity_type_id.label("_grand_type_id"),
        ]
        if relations:
            columns.extend(_relation_columns(entity))
        stmt = (
            select(*columns)
            .select_from(
                entity.join(project, project.c.id == entity.c.project_id)
                .outerjoin(parent, parent.c.id == entity.c.parent_id)
                .outerjoin(grand, grand.c.id == parent.c.parent_id)
            )
            .where(entity.c.id == entity_id, entity.c.entity_type_id == type_id)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        if row is None:
            return None
        out = dict(row)
        return _fill_relations([out])[0] if relations else out

    async def tasks_of(self, entity_id: str) -> list[dict[str, Any]]:
        """The tasks of an entity, each with its assignee ids, in one statement."""
        assignees = _ids_array(assignment.c.person_id, assignment.c.task_id == task.c.id).label("assignees")
        stmt = (
            select(*(task.c[name] for name in TASK_COLUMNS), assignees)
            .where(task.c.entity_id == entity_id)
            .order_by(task.c.created_at, task.c.id)
        )
        rows = _rows(await self.session.execute(stmt))
        for row in rows:
            row["assignees"] = row["assignees"] or []
        return rows

    async def versions_of(self, entity_id: str) -> list[dict[str, Any]]:
        stmt = select(version).where(version.c.entity_id == entity_id).order_by(version.c.created_at.desc())
        return _rows(await self.session.execute(stmt))

    # --- listings ------------------------------------------------------------

    async def list_entities(
        self,
        type_id: str,
        *,
        criteria: EntityCriteria | None = None,
        project_id: str | None = None,
        parent_id: str | None = None,
        episode_id: str | None = None,
        assigned_to: str | None = None,
        with_names: bool = False,
        relations: bool = False,
        order_by_name: bool = True,
    ) -> list[dict[str, Any]]:
        """Entities of one type.

        `with_names` adds `project_name` and `sequence_name` and keeps only rows that have a
        parent (Zou's inner join on the sequence); `episode_id` keeps rows whose parent's
        parent is that episode; `assigned_to` keeps rows holding a task assigned to the person.
        """
        parent = entity.alias("parent")
        columns: list = [entity]
        source = entity
        if with_names:
            columns += [project.c.name.label("project_name"), parent.c.name.label("sequence_name")]
            source = source.join(project, project.c.id == entity.c.project_id).join(
                parent, parent.c.id == entity.c.parent_id
            )
        elif episode_id is not None:
            source = source.join(parent, parent.c.id == entity.c.parent_id)
        if relations:
            columns += _relation_columns(entity)
        conditions = [entity.c.entity_type_id == type_id, *_criteria_conditions(entity, criteria)]
        if project_id is not None:
            conditions.append(entity.c.project_id == project_id)
        if parent_id is not None:
            conditions.append(entity.c.parent_id == parent_id)
        if episode_id is not None:
            conditions.append(parent.c.parent_id == episode_id)
        if assigned_to is not None:
            conditions.append(entity.c.id.in_(assigned_entity_ids_select(assigned_to)))
        stmt = select(*columns).select_from(source).where(*conditions)
        if order_by_name:
            stmt = stmt.order_by(entity.c.name, entity.c.id)
        rows = _rows(await self.session.execute(stmt))
        return _fill_relations(rows) if relations else rows

    async def parents_with_assigned_children(
        self, parent_type_id: str, person_id: str, *, project_id: str | None = None, parent_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Entities of a type (sequences) having a child entity with a task assigned to the person."""
        child = entity.alias("child")
        assigned_child = select(child.c.parent_id).where(child.c.id.in_(assigned_entity_ids_select(person_id)))
        conditions = [entity.c.entity_type_id == parent_type_id, entity.c.id.in_(assigned_child)]
        if project_id is not None:
            conditions.append(entity.c.project_id == project_id)
        if parent_id is not None:
            conditions.append(entity.c.parent_id == parent_id)
        stmt = select(entity).where(*conditions).order_by(entity.c.name, entity.c.id)
        return _rows(await self.session.execute(stmt))

    async def episodes_with_assigned_work(
        self, episode_type_id: str, person_id: str, project_id: str
    ) -> list[dict[str, Any]]:
        """Episodes holding a shot (through a sequence) or an asset (by source) assigned to the person."""
        sequence = entity.alias("sequence")
        shot = entity.alias("shot")
        asset = entity.alias("asset")
        assigned = assigned_entity_ids_select(person_id)
        through_shots = (
            select(sequence.c.parent_id)
            .join(shot, shot.c.parent_id == sequence.c.id)
            .where(shot.c.id.in_(assigned), sequence.c.parent_id.is_not(None))
        )
        through_assets = select(asset.c.source_id).where(asset.c.id.in_(assigned), asset.c.source_id.is_not(None))
        stmt = (
            select(entity)
            .where(
                entity.c.entity_type_id == episode_type_id,
                entity.c.project_id == project_id,
                entity.c.id.in_(through_shots.union(through_assets)),
            )
            .order_by(entity.c.name, entity.c.id)
        )
        return _rows(await self.session.execute(stmt))

    async def restricted_metadata_fields(
        self, project_ids: Iterable[str], entity_type: str
    ) -> dict[str, list[tuple[str, list[str]]]]:
        """Per project, the metadata fields of an entity type restricted to departments: (field, departments)."""
        project_ids = [p for p in dict.fromkeys(project_ids) if p]
        if not project_ids:
            return {}
        departments = func.array_agg(cast(descriptor_department.c.department_id, Text))
        stmt = (
            select(descriptor.c.project_id, descriptor.c.field_name, departments.label("departments"))
            .join(descriptor_department, descriptor_department.c.metadata_descriptor_id == descriptor.c.id)
            .where(descriptor.c.project_id.in_(project_ids), descriptor.c.entity_type == entity_type)
            .group_by(descriptor.c.id, descriptor.c.project_id, descriptor.c.field_name)
        )
        out: dict[str, list[tuple[str, list[str]]]] = {}
        for project_id, field_name, department_ids in (await self.session.execute(stmt)).all():
            out.setdefault(project_id, []).append((field_name, list(department_ids or [])))
        return out

    # --- writes --------------------------------------------------------------

    async def find_by_name(
        self, type_id: str, project_id: str, name: str, *, parent_id: str | None, any_parent: bool = False
    ) -> dict[str, Any] | None:
        conditions = [entity.c.entity_type_id == type_id, entity.c.project_id == project_id, entity.c.name == name]
        if not any_parent:
            conditions.append(entity.c.parent_id.is_(None) if parent_id is None else entity.c.parent_id == parent_id)
        stmt = select(entity).where(*conditions).order_by(entity.c.created_at, entity.c.id).limit(1)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def insert(self, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """Insert an entity; None when a row with the same name, project, type and parent exists."""
        now = utc_now()
        stmt = (
            insert(entity)
            .values(
                canceled=False,
                nb_entities_out=0,
                is_casting_standby=False,
                is_shared=False,
                status="running",
                created_at=now,
                updated_at=now,
            )
            .values(**values)
            .on_conflict_do_nothing()
            .returning(entity)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def update(self, entity_id: str, values: Mapping[str, Any]) -> dict[str, Any] | None:
        stmt = (
            update(entity)
            .where(entity.c.id == entity_id)
            .values(**{**values, "updated_at": utc_now()})
            .returning(entity)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    # --- frames from previews ----------------------------------------------------

    async def latest_preview_durations(
        self, project_id: str, task_type_id: str, shot_type_id: str, episode_id: str | None
    ) -> list[tuple[str, float | None]]:
        """(shot id, duration) of the newest preview of the task type's tasks, for every shot that has one."""
        shot = entity.alias("shot")
        sequence = entity.alias("sequence")
        latest_source = preview_file.join(task, preview_file.c.task_id == task.c.id).join(
            shot, task.c.entity_id == shot.c.id
        )
        latest_conditions = [
            shot.c.project_id == project_id,
            shot.c.entity_type_id == shot_type_id,
            task.c.task_type_id == task_type_id,
        ]
        if episode_id is not None:
            latest_source = latest_source.join(sequence, sequence.c.id == shot.c.parent_id)
            latest_conditions.append(sequence.c.parent_id == episode_id)
        latest = (
            select(shot.c.id.label("entity_id"), func.max(preview_file.c.created_at).label("max_created_at"))
            .select_from(latest_source)
            .where(*latest_conditions)
            .group_by(shot.c.id)
            .subquery("latest")
        )
        stmt = (
            select(entity.c.id, preview_file.c.duration)
            .select_from(
                entity.join(task, task.c.entity_id == entity.c.id)
                .join(latest, latest.c.entity_id == entity.c.id)
                .join(
                    preview_file,
                    and_(preview_file.c.task_id == task.c.id, preview_file.c.created_at == latest.c.max_created_at),
                )
            )
            .where(task.c.task_type_id == task_type_id, entity.c.project_id == project_id)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(stmt)).all()]

    async def set_nb_frames(self, frames: Sequence[tuple[str, int]]) -> None:
        """Set `nb_frames` of many entities in one statement."""
        if not frames:
            return
        stmt = (
            update(entity).where(entity.c.id == bindparam("target_id")).values(nb_frames=bindparam("target_nb_frames"))
        )
        await self.session.execute(stmt, [{"target_id": entity_id, "target_nb_frames": nb} for entity_id, nb in frames])

    async def project_fps(self, project_id: str) -> tuple[bool, str | None]:
        row = (await self.session.execute(select(project.c.fps).where(project.c.id == project_id))).first()
        return (row is not None, row[0] if row is not None else None)
