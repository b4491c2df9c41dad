"""Queries over assets (entities whose type is an asset type) and asset types.

Every listing is one statement whatever the number of rows: many-to-many id lists
are aggregated in scalar subqueries, never fetched row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Text, case, cast, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.access import assigned_entity_ids_select, in_team_projects
from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.catalog import EntityType, TaskTypeAssetTypeLink
from app.repositories.tables.entities import AssetInstanceLink, Entity, EntityConceptLink, EntityLink
from app.repositories.tables.projects import (
    DepartmentMetadataDescriptorLink,
    MetadataDescriptor,
    Project,
    ProjectPersonLink,
)
from app.repositories.tables.tasks import Task, TaskPersonLink

entity = Entity.__table__
entity_link = EntityLink.__table__
concept_link = EntityConceptLink.__table__
instance_link = AssetInstanceLink.__table__
entity_type = EntityType.__table__
task_type_link = TaskTypeAssetTypeLink.__table__
project = Project.__table__
team = ProjectPersonLink.__table__
task = Task.__table__
assignment = TaskPersonLink.__table__
descriptor = MetadataDescriptor.__table__
descriptor_department = DepartmentMetadataDescriptorLink.__table__

# Zou's many-to-many relations of an entity, usable as "linked to" filters.
ENTITY_RELATIONS = ("entities_out", "entities_in", "instance_casting", "entity_concept_links")

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
    "difficulty",
    "data",
)


def _ids(column: ColumnElement, where: ColumnElement, order_by: ColumnElement | None = None):
    """A scalar subquery aggregating `column` (as text) over the rows matching `where`: NULL when none."""
    value = cast(column, Text)
    agg = func.array_agg(aggregate_order_by(value, order_by)) if order_by is not None else func.array_agg(value)
    return select(agg).where(where).scalar_subquery()


def _relation_lists(owner_id: ColumnElement) -> list:
    """The four id lists Zou adds to an entity serialized with its relations."""
    return [
        _ids(entity_link.c.entity_in_id, entity_link.c.entity_out_id == owner_id).label("entities_in"),
        _ids(entity_link.c.entity_out_id, entity_link.c.entity_in_id == owner_id).label("entities_out"),
        _ids(concept_link.c.entity_out_id, concept_link.c.entity_in_id == owner_id).label("entity_concept_links"),
        _ids(instance_link.c.asset_instance_id, instance_link.c.entity_id == owner_id).label("instance_casting"),
    ]


def _linked(name: str, target_id: str) -> ColumnElement:
    """SQL condition: the entity is linked to `target_id` through the named relation."""
    if name == "entities_out":
        return exists().where(entity_link.c.entity_in_id == entity.c.id, entity_link.c.entity_out_id == target_id)
    if name == "entities_in":
        return exists().where(entity_link.c.entity_out_id == entity.c.id, entity_link.c.entity_in_id == target_id)
    if name == "instance_casting":
        return exists().where(instance_link.c.entity_id == entity.c.id, instance_link.c.asset_instance_id == target_id)
    return exists().where(concept_link.c.entity_in_id == entity.c.id, concept_link.c.entity_out_id == target_id)


@dataclass
class AssetFilter:
    """What an asset listing is restricted to (all conditions are ANDed)."""

    temporal_ids: Sequence[str]
    equals: dict[str, Any] = field(default_factory=dict)
    """column -> value (a list means IN)."""
    names: list[str] = field(default_factory=list)
    """ILIKE patterns on the name."""
    linked: dict[str, str] = field(default_factory=dict)
    """relation name (see ENTITY_RELATIONS) -> id the asset must be linked to."""
    team_of: str | None = None
    """Only the projects whose team holds this person."""
    assigned_to: str | None = None
    """Only the assets on which this person has an assigned task."""
    episode_id: str | None = None
    """Assets of this episode (source) first, then the ones cast in it."""


class AssetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- assets --------------------------------------------------------

    async def list_assets(self, f: AssetFilter) -> list[dict[str, Any]]:
        conditions: list[ColumnElement] = [entity.c.entity_type_id.not_in(list(f.temporal_ids))]
        for name, value in f.equals.items():
            column = entity.c[name]
            conditions.append(column.in_(value) if isinstance(value, list) else column == value)
        conditions.extend(entity.c.name.ilike(pattern) for pattern in f.names)
        conditions.extend(_linked(name, target) for name, target in f.linked.items())
        if f.team_of is not None:
            conditions.append(in_team_projects(entity.c.project_id, f.team_of))
        if f.assigned_to is not None:
            conditions.append(entity.c.id.in_(assigned_entity_ids_select(f.assigned_to)))
        order: list = [entity.c.created_at, entity.c.id]
        if f.episode_id is not None:
            cast_in_episode = exists().where(
                entity_link.c.entity_in_id == f.episode_id, entity_link.c.entity_out_id == entity.c.id
            )
            from_episode = entity.c.source_id == f.episode_id
            conditions.append(from_episode | cast_in_episode)
            order.insert(0, case((from_episode, 0), else_=1))
        stmt = select(entity).where(*conditions).order_by(*order)
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    async def get_entity(self, entity_id: str) -> dict[str, Any] | None:
        """Any entity (asset, shot, scene, episode...) by id."""
        row = (await self.session.execute(select(entity).where(entity.c.id == entity_id))).mappings().first()
        return dict(row) if row is not None else None

    async def get_asset(self, asset_id: str, temporal_ids: Sequence[str]) -> dict[str, Any] | None:
        stmt = select(entity).where(entity.c.id == asset_id, entity.c.entity_type_id.not_in(list(temporal_ids)))
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def full_asset(self, asset_id: str, temporal_ids: Sequence[str], episode_type_id: str) -> dict | None:
        """The asset with its project and type names, relation id lists and casting episodes (one query)."""
        episode = entity.alias("episode")
        casting_episodes = (
            select(func.array_agg(aggregate_order_by(cast(entity_link.c.entity_in_id, Text), episode.c.name)))
            .join(episode, episode.c.id == entity_link.c.entity_in_id)
            .where(entity_link.c.entity_out_id == entity.c.id, episode.c.entity_type_id == episode_type_id)
            .scalar_subquery()
        )
        stmt = (
            select(
                entity,
                project.c.name.label("project_name"),
                entity_type.c.name.label("asset_type_name"),
                *_relation_lists(entity.c.id),
                casting_episodes.label("casting_episode_ids"),
            )
            .join(project, project.c.id == entity.c.project_id)
            .join(entity_type, entity_type.c.id == entity.c.entity_type_id)
            .where(entity.c.id == asset_id, entity.c.entity_type_id.not_in(list(temporal_ids)))
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def entity_tasks(self, entity_id: str) -> list[dict[str, Any]]:
        """The tasks of an entity with their assignee ids (one query)."""
        assignees = _ids(assignment.c.person_id, assignment.c.task_id == task.c.id).label("assignees")
        stmt = (
            select(*(task.c[name] for name in TASK_COLUMNS), assignees)
            .where(task.c.entity_id == entity_id)
            .order_by(task.c.created_at, task.c.id)
        )
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    async def creation_targets(self, project_id: str, asset_type_id: str, temporal_ids: Sequence[str]):
        """(project exists, asset type exists and is an asset type) in one round trip."""
        stmt = select(
            exists().where(project.c.id == project_id),
            exists().where(entity_type.c.id == asset_type_id, entity_type.c.id.not_in(list(temporal_ids))),
        )
        row = (await self.session.execute(stmt)).one()
        return bool(row[0]), bool(row[1])

    async def insert_asset(self, values: dict[str, Any]) -> dict[str, Any]:
        now = utc_now()
        values = {"id": new_id(), "created_at": now, "updated_at": now, **values}
        stmt = insert(entity).values(**values).returning(entity)
        return dict((await self.session.execute(stmt)).mappings().one())

    async def asset_projects(self, asset_ids: Sequence[str], temporal_ids: Sequence[str]) -> dict[str, str]:
        """asset id -> project id, for the given ids that are assets."""
        stmt = select(entity.c.id, entity.c.project_id).where(
            entity.c.id.in_(list(asset_ids)), entity.c.entity_type_id.not_in(list(temporal_ids))
        )
        return {row.id: row.project_id for row in (await self.session.execute(stmt)).all()}

    async def set_shared(
        self,
        is_shared: bool,
        temporal_ids: Sequence[str],
        *,
        project_id: str | None = None,
        asset_type_id: str | None = None,
        asset_ids: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Set `is_shared` on every matching asset in one statement; returns the updated rows."""
        conditions = [entity.c.entity_type_id.not_in(list(temporal_ids))]
        if project_id is not None:
            conditions.append(entity.c.project_id == project_id)
        if asset_type_id is not None:
            conditions.append(entity.c.entity_type_id == asset_type_id)
        if asset_ids is not None:
            conditions.append(entity.c.id.in_(list(asset_ids)))
        stmt = update(entity).where(*conditions).values(is_shared=is_shared, updated_at=utc_now()).returning(entity)
        rows = [dict(m) for m in (await self.session.execute(stmt)).mappings()]
        rows.sort(key=lambda r: (r["created_at"], r["id"]))
        return rows

    # --- access helpers -------------------------------------------------

    async def team_roles(self, person_id: str, project_ids: Sequence[str]) -> dict[str, str | None]:
        """project id -> the person's team link role, for the given projects whose team holds them."""
        stmt = select(team.c.project_id, team.c.role).where(
            team.c.person_id == person_id, team.c.project_id.in_(list(project_ids))
        )
        return {row.project_id: row.role for row in (await self.session.execute(stmt)).all()}

    async def restricted_descriptors(self, entity_type_name: str, project_ids: Sequence[str]) -> list[dict]:
        """Metadata descriptors limited to some departments: project id, field name and department ids."""
        departments = _ids(
            descriptor_department.c.department_id, descriptor_department.c.metadata_descriptor_id == descriptor.c.id
        ).label("departments")
        stmt = select(descriptor.c.project_id, descriptor.c.field_name, departments).where(
            descriptor.c.entity_type == entity_type_name,
            descriptor.c.project_id.in_(list(project_ids)),
            exists().where(descriptor_department.c.metadata_descriptor_id == descriptor.c.id),
        )
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    # --- asset types ----------------------------------------------------

    def _asset_type_select(self, temporal_ids: Sequence[str], with_task_types: bool):
        columns = [entity_type]
        if with_task_types:
            columns.append(
                _ids(task_type_link.c.task_type_id, task_type_link.c.asset_type_id == entity_type.c.id).label(
                    "task_types"
                )
            )
        return select(*columns).where(entity_type.c.id.not_in(list(temporal_ids)))

    async def list_asset_types(
        self,
        temporal_ids: Sequence[str],
        *,
        equals: dict[str, Any] | None = None,
        names: Sequence[str] = (),
        task_type_id: str | None = None,
        project_id: str | None = None,
        with_task_types: bool = True,
    ) -> list[dict[str, Any]]:
        stmt = self._asset_type_select(temporal_ids, with_task_types)
        for name, value in (equals or {}).items():
            column = entity_type.c[name]
            stmt = stmt.where(column.in_(value) if isinstance(value, list) else column == value)
        for pattern in names:
            stmt = stmt.where(entity_type.c.name.ilike(pattern))
        if task_type_id is not None:
            stmt = stmt.where(
                exists().where(
                    task_type_link.c.asset_type_id == entity_type.c.id, task_type_link.c.task_type_id == task_type_id
                )
            )
        if project_id is not None:
            used = select(entity.c.entity_type_id).where(entity.c.project_id == project_id)
            stmt = stmt.where(entity_type.c.id.in_(used))
        stmt = stmt.order_by(entity_type.c.created_at, entity_type.c.name, entity_type.c.id)
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    async def get_asset_type(self, asset_type_id: str, temporal_ids: Sequence[str]) -> dict[str, Any] | None:
        stmt = self._asset_type_select(temporal_ids, True).where(entity_type.c.id == asset_type_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def asset_type_named(self, name: str) -> dict[str, Any] | None:
        """The entity type with this name, whatever its case."""
        stmt = select(entity_type).where(func.lower(entity_type.c.name) == name.lower()).limit(1)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def insert_asset_type(self, name: str) -> dict[str, Any]:
        now = utc_now()
        stmt = (
            insert(entity_type)
            .values(id=new_id(), name=name, created_at=now, updated_at=now, archived=False)
            .returning(entity_type)
        )
        return dict((await self.session.execute(stmt)).mappings().one())
