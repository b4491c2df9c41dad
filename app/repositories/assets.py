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
from app.repositories.entities import column_conditions, ids_array, relation_id_lists
from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.catalog import EntityType, TaskTypeAssetTypeLink
from app.repositories.tables.entities import Entity, EntityLink
from app.repositories.tables.projects import Project, ProjectPersonLink
from app.repositories.tables.tasks import Task

entity = Entity.__table__
entity_link = EntityLink.__table__
entity_type = EntityType.__table__
task_type_link = TaskTypeAssetTypeLink.__table__
project = Project.__table__
team = ProjectPersonLink.__table__
task = Task.__table__

# Zou's many-to-many relations of an entity, usable as "linked to" filters.
ENTITY_RELATIONS = ("entities_out", "entities_in", "instance_casting", "entity_concept_links")


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
        conditions.extend(column_conditions(entity, f.equals, f.names, f.linked.items()))
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
                *relation_id_lists(entity),
                casting_episodes.label("casting_episode_ids"),
            )
            .join(project, project.c.id == entity.c.project_id)
            .join(entity_type, entity_type.c.id == entity.c.entity_type_id)
            .where(entity.c.id == asset_id, entity.c.entity_type_id.not_in(list(temporal_ids)))
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

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

    # --- asset types ----------------------------------------------------

    def _asset_type_select(self, temporal_ids: Sequence[str], with_task_types: bool):
        columns = [entity_type]
        if with_task_types:
            columns.append(
                ids_array(task_type_link.c.task_type_id, task_type_link.c.asset_type_id == entity_type.c.id).label(
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
