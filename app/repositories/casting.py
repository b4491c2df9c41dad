"""Casting (breakdown) queries: the `entity_link` rows tying an entity (shot, episode, asset...)
to the entities cast in it, with the counters that hang from them.

Every read is a fixed number of statements whatever the size of the production (the
castings of a whole project, episode, sequence or asset type come as JSON text rendered by
PostgreSQL); every write is set-based (one statement for all the entities of a request).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.json_text import json_array, json_object, json_row
from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.catalog import EntityType, TaskType
from app.repositories.tables.entities import Entity, EntityLink
from app.repositories.tables.projects import ProjectTaskTypeLink
from app.repositories.tables.tasks import Task

entity = Entity.__table__
link = EntityLink.__table__
entity_type = EntityType.__table__
task = Task.__table__
task_type = TaskType.__table__
project_task_type = ProjectTaskTypeLink.__table__

# For the rest of the transaction: plan each statement for its parameters and the tables as
# they are now, never with a generic plan cached earlier (see `_casting_statement`).
CUSTOM_PLAN = text("SET LOCAL plan_cache_mode = force_custom_plan")

LINK_COLUMNS = (
    link.c.id,
    link.c.entity_in_id,
    link.c.entity_out_id,
    link.c.nb_occurences,
    link.c.label,
    link.c.data,
)


def _live(asset) -> ColumnElement:
    """The asset is not canceled (Zou's `canceled != True`, which also drops a NULL flag)."""
    return asset.c.canceled != True  # noqa: E712


def _rows(result) -> list[dict[str, Any]]:
    return [dict(m) for m in result.mappings()]


class CastingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, stmt) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(stmt))

    # --- entities ------------------------------------------------------------

    async def entity(self, entity_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(entity).where(entity.c.id == entity_id))).mappings().first()
        return dict(row) if row is not None else None

    async def entities(self, entity_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Id, project, type, parent and grand-parent (a shot's episode) of each entity, by id."""
        ids = list(dict.fromkeys(entity_ids))
        if not ids:
            return {}
        parent = entity.alias("parent")
        stmt = (
            select(
                entity.c.id,
                entity.c.project_id,
                entity.c.entity_type_id,
                entity.c.parent_id,
                parent.c.parent_id.label("grand_parent_id"),
            )
            .outerjoin(parent, parent.c.id == entity.c.parent_id)
            .where(entity.c.id.in_(ids))
        )
        return {row["id"]: row for row in await self._all(stmt)}

    async def existing_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(set(ids))
        if not ids:
            return set()
        stmt = select(entity.c.id).where(entity.c.id.in_(ids))
        return set((await self.session.execute(stmt)).scalars())

    async def entity_type(self, entity_type_id: str) -> dict[str, Any] | None:
        stmt = select(entity_type).where(entity_type.c.id == entity_type_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    # --- casting reads -------------------------------------------------------

    async def casting_of(self, entity_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The live assets cast in the entities, by asset type then name; `entity_in_id` says where."""
        asset = entity.alias("asset")
        stmt = (
            select(
                link.c.entity_in_id,
                link.c.entity_out_id.label("asset_id"),
                asset.c.name.label("asset_name"),
                entity_type.c.name.label("asset_type_name"),
                asset.c.ready_for,
                asset.c.source_id.label("episode_id"),
                asset.c.preview_file_id,
                link.c.nb_occurences,
                link.c.label,
                asset.c.is_shared,
                asset.c.project_id,
            )
            .join(asset, asset.c.id == link.c.entity_out_id)
            .join(entity_type, entity_type.c.id == asset.c.entity_type_id)
            .where(link.c.entity_in_id.in_(list(entity_ids)), _live(asset))
            .order_by(entity_type.c.name, asset.c.name, link.c.entity_in_id)
        )
        return await self._all(stmt)

    async def shots_casting(
        self,
        *,
        project_id: str | None = None,
        sequence_id: str | None = None,
        episode_id: str | None = None,
    ) -> str:
        """JSON text of `{shot_id: [cast assets]}` for the entities hanging from a sequence (shots),
        by sequence then shot (by shot only for one sequence), each asset with the sequence name."""
        params = {"project_id": project_id, "sequence_id": sequence_id, "episode_id": episode_id}
        stmt = _shots_casting(*(value is not None for value in params.values()))
        return await self._json(stmt, {name: value for name, value in params.items() if value is not None})

    async def project_links_casting(self, project_id: str) -> str:
        """JSON text of `{entity_id: [cast assets]}` for every entity of the project (Zou's
        "episodes casting" reads them all)."""
        return await self._json(_project_links_casting(), {"project_id": project_id})

    async def asset_type_casting(self, project_id: str, asset_type_id: str) -> str:
        """JSON text of `{asset_id: [cast assets]}` for the project's assets of one type (set dressing)."""
        return await self._json(_asset_type_casting(), {"project_id": project_id, "asset_type_id": asset_type_id})

    async def _json(self, stmt: Select, params: dict[str, str]) -> str:
        """Run a casting statement (see `_casting_statement`), planned for the data at hand."""
        await self.session.execute(CUSTOM_PLAN)
        return (await self.session.execute(stmt, params)).scalar_one()

    async def entities_out(self, entity_id: str) -> list[dict[str, Any]]:
        """Full rows of every entity cast in the given one (canceled ones included)."""
        stmt = (
            select(entity)
            .join(link, link.c.entity_out_id == entity.c.id)
            .where(link.c.entity_in_id == entity_id)
            .order_by(entity.c.name, entity.c.id)
        )
        return await self._all(stmt)

    async def asset_types_out(self, entity_id: str) -> list[dict[str, Any]]:
        """The entity types of the entities cast in the given one."""
        used = (
            select(entity.c.entity_type_id)
            .join(link, link.c.entity_out_id == entity.c.id)
            .where(link.c.entity_in_id == entity_id)
        )
        stmt = select(entity_type).where(entity_type.c.id.in_(used)).order_by(entity_type.c.name, entity_type.c.id)
        return await self._all(stmt)

    async def cast_in_shots(self, asset_id: str) -> list[dict[str, Any]]:
        """Where the asset is cast among entities hanging from a sequence (shots), by episode, sequence, shot."""
        shot, sequence, episode = entity.alias("shot"), entity.alias("sequence"), entity.alias("episode")
        stmt = (
            select(
                link.c.entity_in_id.label("shot_id"),
                shot.c.name.label("shot_name"),
                sequence.c.name.label("sequence_name"),
                episode.c.id.label("episode_id"),
                episode.c.name.label("episode_name"),
                shot.c.preview_file_id,
                link.c.nb_occurences,
            )
            .join(shot, shot.c.id == link.c.entity_in_id)
            .join(sequence, sequence.c.id == shot.c.parent_id)
            .outerjoin(episode, episode.c.id == sequence.c.parent_id)
            .where(link.c.entity_out_id == asset_id, _live(shot))
            .order_by(episode.c.name, sequence.c.name, shot.c.name, shot.c.id)
        )
        return await self._all(stmt)

    async def cast_in_assets(self, asset_id: str, temporal_type_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Where the asset is cast among other assets, by asset type then name."""
        owner = entity.alias("owner")
        stmt = (
            select(
                link.c.entity_in_id.label("asset_id"),
                owner.c.name.label("asset_name"),
                entity_type.c.name.label("asset_type_name"),
                owner.c.preview_file_id,
                link.c.nb_occurences,
            )
            .join(owner, owner.c.id == link.c.entity_in_id)
            .join(entity_type, entity_type.c.id == owner.c.entity_type_id)
            .where(
                link.c.entity_out_id == asset_id,
                _live(owner),
                entity_type.c.id.not_in(list(temporal_type_ids)),
            )
            .order_by(entity_type.c.name, owner.c.name, owner.c.id)
        )
        return await self._all(stmt)

    async def shared_assets_used(
        self, project_id: str, temporal_type_ids: Sequence[str], episode_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Shared assets of other projects cast in the shots of this project (of one episode)."""
        shot, sequence = entity.alias("shot"), entity.alias("sequence")
        used = (
            select(literal(1))
            .select_from(link)
            .join(shot, shot.c.id == link.c.entity_in_id)
            .join(sequence, sequence.c.id == shot.c.parent_id)
            .where(link.c.entity_out_id == entity.c.id, shot.c.project_id == project_id)
        )
        if episode_id is not None:
            used = used.where(sequence.c.parent_id == episode_id)
        stmt = (
            select(entity)
            .where(
                entity.c.entity_type_id.not_in(list(temporal_type_ids)),
                entity.c.is_shared.is_(True),
                _live(entity),
                entity.c.project_id != project_id,
                exists(used),
            )
            .order_by(entity.c.name, entity.c.id)
        )
        return await self._all(stmt)

    # --- entity links of a project ------------------------------------------

    def _project_links(self, project_id: str):
        owner = entity.alias("owner")
        return (
            select(link)
            .join(owner, owner.c.id == link.c.entity_in_id)
            .where(owner.c.project_id == project_id)
            .order_by(link.c.created_at, link.c.id)
        )

    async def project_links(
        self, project_id: str, *, limit: int | None = None, offset: int = 0, after: datetime | None = None
    ) -> list[dict[str, Any]]:
        stmt = self._project_links(project_id)
        if after is not None:
            stmt = (
                stmt.where(link.c.created_at > after)
                .order_by(None)
                .order_by(link.c.created_at, link.c.updated_at, link.c.id)
            )
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return await self._all(stmt)

    async def count_project_links(self, project_id: str) -> int:
        owner = entity.alias("owner")
        stmt = (
            select(func.count())
            .select_from(link)
            .join(owner, owner.c.id == link.c.entity_in_id)
            .where(owner.c.project_id == project_id)
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def link(self, link_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(link).where(link.c.id == link_id))).mappings().first()
        return dict(row) if row is not None else None

    # --- casting writes ------------------------------------------------------

    async def links_of(self, entity_ids: Sequence[str], asset_id: str | None = None) -> list[dict[str, Any]]:
        """Current links of the entities (to one asset only, when given)."""
        stmt = select(*LINK_COLUMNS).where(link.c.entity_in_id.in_(list(entity_ids)))
        if asset_id is not None:
            stmt = stmt.where(link.c.entity_out_id == asset_id)
        return await self._all(stmt.order_by(link.c.created_at, link.c.id))

    async def links_between(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of the (entity in, entity out) pairs are linked."""
        pairs = list(set(pairs))
        if not pairs:
            return set()
        stmt = select(link.c.entity_in_id, link.c.entity_out_id).where(
            tuple_(link.c.entity_in_id, link.c.entity_out_id).in_(pairs)
        )
        return {(a, b) for a, b in (await self.session.execute(stmt)).all()}

    async def delete_links_of(self, entity_ids: Sequence[str]) -> None:
        await self.session.execute(delete(link).where(link.c.entity_in_id.in_(list(entity_ids))))

    async def delete_links(self, link_ids: Sequence[str]) -> None:
        if link_ids:
            await self.session.execute(delete(link).where(link.c.id.in_(list(link_ids))))

    async def insert_links(self, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Insert links (entity_in_id, entity_out_id, nb_occurences, label, data); returns them with their ids."""
        if not rows:
            return []
        now = utc_now()
        # one microsecond apart: listings ordered by creation date keep the order of the casting
        full = [
            {
                "id": new_id(),
                "created_at": now + timedelta(microseconds=index),
                "updated_at": now + timedelta(microseconds=index),
                "data": None,
                **row,
            }
            for index, row in enumerate(rows)
        ]
        stmt = insert(link).values(full).returning(*LINK_COLUMNS)
        return await self._all(stmt)

    async def update_links(self, rows: Sequence[dict[str, Any]]) -> None:
        """Set `nb_occurences` and `label` of the links given by id, in one statement."""
        if not rows:
            return
        stmt = (
            update(link)
            .where(link.c.id.in_([row["id"] for row in rows]))
            .values(
                nb_occurences=case(*((link.c.id == row["id"], row["nb_occurences"]) for row in rows)),
                label=case(*((link.c.id == row["id"], row["label"]) for row in rows)),
                updated_at=utc_now(),
            )
        )
        await self.session.execute(stmt)

    async def recount(self, entity_ids: Sequence[str]) -> dict[str, int]:
        """Store in `nb_entities_out` the number of live assets cast in each entity; returns the counts."""
        ids = list(dict.fromkeys(entity_ids))
        if not ids:
            return {}
        asset = entity.alias("asset")
        live = (
            select(func.count())
            .select_from(link)
            .join(asset, asset.c.id == link.c.entity_out_id)
            .where(link.c.entity_in_id == entity.c.id, _live(asset))
            .scalar_subquery()
        )
        stmt = (
            update(entity)
            .where(entity.c.id.in_(ids))
            .values(nb_entities_out=live, updated_at=utc_now())
            .returning(entity.c.id, entity.c.nb_entities_out)
        )
        return {row.id: row.nb_entities_out for row in (await self.session.execute(stmt)).all()}

    async def shift_counts(self, deltas: dict[str, int]) -> dict[str, int]:
        """Add a delta to each entity's `nb_entities_out` (never below zero); returns the new counts."""
        if not deltas:
            return {}
        delta = case(*((entity.c.id == entity_id, value) for entity_id, value in deltas.items()))
        stmt = (
            update(entity)
            .where(entity.c.id.in_(list(deltas)))
            .values(
                nb_entities_out=func.greatest(func.coalesce(entity.c.nb_entities_out, 0) + delta, 0),
                updated_at=utc_now(),
            )
            .returning(entity.c.id, entity.c.nb_entities_out)
        )
        return {row.id: row.nb_entities_out for row in (await self.session.execute(stmt)).all()}

    async def delete_episode_shot_links(
        self, pairs: Iterable[tuple[str, str]], shot_type_id: str
    ) -> list[dict[str, Any]]:
        """Uncast each (episode, asset) pair's asset from every shot of the episode; returns what was
        removed (shot, asset, episode, whether the asset is canceled, project)."""
        pairs = list(set(pairs))
        if not pairs:
            return []
        shot, sequence, asset = entity.alias("shot"), entity.alias("sequence"), entity.alias("asset")
        stmt = (
            delete(link)
            .where(
                link.c.entity_in_id == shot.c.id,
                shot.c.entity_type_id == shot_type_id,
                shot.c.parent_id == sequence.c.id,
                asset.c.id == link.c.entity_out_id,
                tuple_(sequence.c.parent_id, link.c.entity_out_id).in_(pairs),
            )
            .returning(
                link.c.entity_in_id.label("shot_id"),
                link.c.entity_out_id.label("asset_id"),
                sequence.c.parent_id.label("episode_id"),
                asset.c.canceled.is_(True).label("canceled"),
                shot.c.project_id,
            )
        )
        return await self._all(stmt)

    async def delete_unused_episode_links(
        self, pairs: Iterable[tuple[str, str]], shot_type_id: str
    ) -> list[dict[str, Any]]:
        """Remove the automatic (episode, asset) links no shot of the episode still justifies."""
        pairs = list(set(pairs))
        if not pairs:
            return []
        other, shot, sequence = link.alias("other"), entity.alias("shot"), entity.alias("sequence")
        still_cast = (
            select(literal(1))
            .select_from(other)
            .join(shot, shot.c.id == other.c.entity_in_id)
            .join(sequence, sequence.c.id == shot.c.parent_id)
            .where(
                shot.c.entity_type_id == shot_type_id,
                sequence.c.parent_id == link.c.entity_in_id,
                other.c.entity_out_id == link.c.entity_out_id,
            )
        )
        stmt = (
            delete(link)
            .where(
                tuple_(link.c.entity_in_id, link.c.entity_out_id).in_(pairs),
                link.c.data.op("@>")(literal({"auto": True}, JSONB)),
                ~exists(still_cast),
            )
            .returning(link.c.entity_in_id.label("episode_id"), link.c.entity_out_id.label("asset_id"))
        )
        return await self._all(stmt)

    async def refresh_ready_counts(self, shot_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Recompute `nb_assets_ready` of every task of the shots; returns (id, project_id, nb_assets_ready).

        An asset is ready for a task when it is a shared asset of another project, or when the
        pipeline step it is ready for comes at or after the task's own step (project priorities
        of the shot task types).
        """
        if not shot_ids:
            return []
        asset = entity.alias("asset")

        def priority(task_type_id) -> ColumnElement:
            return (
                select(project_task_type.c.priority)
                .join(task_type, task_type.c.id == project_task_type.c.task_type_id)
                .where(
                    project_task_type.c.project_id == task.c.project_id,
                    project_task_type.c.task_type_id == task_type_id,
                    task_type.c.for_entity == "Shot",
                )
                .correlate(task, asset)
                .limit(1)
                .scalar_subquery()
            )

        task_rank = func.coalesce(priority(task.c.task_type_id), 0)
        ready_rank = func.coalesce(func.nullif(priority(asset.c.ready_for), 0), -1)
        ready = (
            select(func.count())
            .select_from(link)
            .join(asset, asset.c.id == link.c.entity_out_id)
            .where(
                link.c.entity_in_id == task.c.entity_id,
                asset.c.canceled.is_not(True),
                or_(
                    and_(asset.c.is_shared.is_(True), asset.c.project_id != task.c.project_id),
                    and_(asset.c.ready_for.is_not(None), task_rank <= ready_rank),
                ),
            )
            .correlate(task)
            .scalar_subquery()
        )
        stmt = (
            update(task)
            .where(task.c.entity_id.in_(list(dict.fromkeys(shot_ids))))
            .values(nb_assets_ready=ready, updated_at=utc_now())
            .returning(task.c.id, task.c.project_id, task.c.nb_assets_ready)
        )
        return await self._all(stmt)


# --- whole castings as JSON text -------------------------------------------------
# Each statement is built once, its values bound at execution: building one costs more than
# running its cached compiled form.


@cache
def _shots_casting(by_project: bool, by_sequence: bool, by_episode: bool) -> Select:
    shot, sequence = entity.alias("shot"), entity.alias("sequence")
    owners = select(
        shot.c.id,
        shot.c.name,
        sequence.c.id.label("sequence_id"),
        sequence.c.name.label("sequence_name"),
    ).join(sequence, sequence.c.id == shot.c.parent_id)
    if by_project:
        owners = owners.where(shot.c.project_id == bindparam("project_id"))
    if by_sequence:
        owners = owners.where(shot.c.parent_id == bindparam("sequence_id"))
    if by_episode:
        owners = owners.where(sequence.c.parent_id == bindparam("episode_id"))

    def fields(links, assets) -> list[ColumnElement]:
        return [
            links.c.asset_id,
            assets.c.name.label("name"),
            assets.c.name.label("asset_name"),
            assets.c.asset_type_name,
            links.c.sequence_name,
            assets.c.preview_file_id,
            links.c.nb_occurences,
            links.c.label,
            assets.c.is_shared,
            assets.c.project_id,
        ]

    def order(per_owner) -> list[ColumnElement]:
        shot_order = [per_owner.c.name, per_owner.c.id]
        if not by_project and not by_episode:
            return shot_order
        return [per_owner.c.sequence_name, per_owner.c.sequence_id, *shot_order]

    return _casting_statement(owners, fields, order)


@cache
def _project_links_casting() -> Select:
    target = entity.alias("target")
    owners = select(target.c.id).where(target.c.project_id == bindparam("project_id"))

    def fields(links, assets) -> list[ColumnElement]:
        return [
            links.c.asset_id,
            assets.c.name.label("name"),
            assets.c.name.label("asset_name"),
            assets.c.asset_type_name,
            assets.c.preview_file_id,
            links.c.nb_occurences,
            links.c.label,
            assets.c.is_shared,
            assets.c.project_id,
        ]

    return _casting_statement(owners, fields, _by_first_asset)


@cache
def _asset_type_casting() -> Select:
    owner = entity.alias("owner")
    owners = select(owner.c.id).where(
        owner.c.project_id == bindparam("project_id"), owner.c.entity_type_id == bindparam("asset_type_id")
    )

    def fields(links, assets) -> list[ColumnElement]:
        return [
            links.c.asset_id,
            assets.c.name.label("name"),
            assets.c.name.label("asset_name"),
            assets.c.asset_type_name,
            assets.c.preview_file_id,
            links.c.nb_occurences,
            links.c.label,
        ]

    return _casting_statement(owners, fields, _by_first_asset)


def _by_first_asset(per_owner) -> list[ColumnElement]:
    """Owners in the order their first rows come when every (owner, asset) row is sorted by
    asset type name, asset name, then owner id (how Zou lists them)."""
    return [per_owner.c.first_asset, per_owner.c.id]


def _casting_statement(owners: Select, fields, order) -> Select:
    """The castings of the owners (a select of entities: `id` then the columns the order or
    the fields need) as the JSON text of `{owner_id: [cast assets]}`, rendered by PostgreSQL.

    Each owner's live assets come by asset type name then asset name. `fields(links, assets)`
    names the JSON keys of an asset, in order; `order(per_owner)` orders the owners (columns
    of the owner select, plus `first_asset`: the rank of the owner's first asset).

    Built to stay fast whatever the statistics say:

    - the statement is planned for the data at hand each time (a custom plan, see
      `CUSTOM_PLAN`). Its driver keeps it prepared per connection, and after five runs
      PostgreSQL may settle on one generic plan. Made while the tables were nearly empty,
      that plan reads every table as a handful of rows (nested loops over sequential scans)
      and stays cached as the production grows, since inserts do not invalidate it (ANALYZE,
      or autovacuum's, does): each join then rescans a whole table for every row of the other;
    - every step is a MATERIALIZED CTE that runs once, and no join has more than two inputs,
      so even a bad plan never nests a whole join under a nested loop, run again for every
      outer row: at worst a table is rescanned per row of another (quadratic), never the
      product of three tables (cubic: minutes on 1,000 shots).
    """
    owners = owners.cte("owners").prefix_with("MATERIALIZED")
    links = (
        select(
            *owners.c,
            link.c.entity_out_id.label("asset_id"),
            link.c.nb_occurences,
            link.c.label,
        )
        .join(link, link.c.entity_in_id == owners.c.id)
        .cte("links")
        .prefix_with("MATERIALIZED")
    )
    asset = entity.alias("asset")
    assets = (
        select(
            asset.c.id,
            asset.c.name,
            entity_type.c.name.label("asset_type_name"),
            asset.c.preview_file_id,
            asset.c.is_shared,
            asset.c.project_id,
            # one rank per (type name, asset name): the order of the assets without sorting text again
            func.dense_rank().over(order_by=(entity_type.c.name, asset.c.name)).label("rank"),
        )
        .join(entity_type, entity_type.c.id == asset.c.entity_type_id)
        .where(asset.c.id.in_(select(links.c.asset_id)), _live(asset))
        .cte("assets")
        .prefix_with("MATERIALIZED")
    )
    item, item_json = json_row("item", fields(links, assets), (links, assets))
    owner_columns = [links.c[column.name] for column in owners.c]
    per_owner = (
        select(
            *owner_columns,
            func.min(assets.c.rank).label("first_asset"),
            json_array(item_json, assets.c.rank, assets.c.id).label("cast_json"),
        )
        .select_from(links.join(assets, assets.c.id == links.c.asset_id).join(item, true()))
        .group_by(*owner_columns)
        .subquery("per_owner")
    )
    return select(json_object(per_owner.c.id, per_owner.c.cast_json, *order(per_owner)))
