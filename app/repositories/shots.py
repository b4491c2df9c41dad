"""Queries behind shots, sequences, episodes and scenes: rows of the `entity` table.

Every listing is one statement whatever the number of rows: parent names come from
joins, relation id lists from correlated `array_agg` subqueries, vendor scoping from
an `IN (assigned entities)` condition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.access import assigned_entity_ids_select
from app.repositories.entities import column_conditions, relation_id_lists
from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import EntityType
from app.repositories.tables.entities import Entity, EntityVersion
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.projects import Project
from app.repositories.tables.tasks import Task

entity = Entity.__table__
entity_type = EntityType.__table__
project = Project.__table__
version = EntityVersion.__table__
task = Task.__table__
preview_file = PreviewFile.__table__

RELATION_NAMES = ("entities_in", "entities_out", "entity_concept_links", "instance_casting")


@dataclass(slots=True)
class EntityCriteria:
    """Filters read from a query string, already typed by the domain."""

    equal: dict[str, Any] = field(default_factory=dict)
    """column -> value (a list means IN)."""
    name_patterns: list[str] = field(default_factory=list)
    """ILIKE patterns on `name`."""
    related: list[tuple[str, str]] = field(default_factory=list)
    """(relation name, entity id): rows linked to that entity through the relation."""


def _criteria_conditions(owner, criteria: EntityCriteria | None) -> list[ColumnElement]:
    if criteria is None:
        return []
    return column_conditions(owner, criteria.equal, criteria.name_patterns, criteria.related)


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
            columns.extend(relation_id_lists(entity))
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
            columns += relation_id_lists(entity)
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
