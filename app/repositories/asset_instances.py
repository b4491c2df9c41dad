"""Queries over asset instances: an asset placed in a layout scene, in a shot or inside another asset."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.entities import AssetInstance, AssetInstanceLink, Entity

instance = AssetInstance.__table__
instance_link = AssetInstanceLink.__table__
entity = Entity.__table__

ORDER = (instance.c.asset_id, instance.c.number, instance.c.id)


class AssetInstanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, stmt) -> list[dict[str, Any]]:
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    async def get(self, instance_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(instance).where(instance.c.id == instance_id))).mappings().first()
        return dict(row) if row is not None else None

    # --- listings (one statement each) ----------------------------------

    async def in_shot(self, shot_id: str) -> list[dict[str, Any]]:
        """Instances cast in a shot (through the instance casting links)."""
        stmt = (
            select(instance)
            .join(instance_link, instance_link.c.asset_instance_id == instance.c.id)
            .where(instance_link.c.entity_id == shot_id)
            .order_by(*ORDER)
        )
        return await self._rows(stmt)

    async def in_scene(self, scene_id: str, asset_type_id: str | None = None) -> list[dict[str, Any]]:
        stmt = select(instance).where(instance.c.scene_id == scene_id)
        if asset_type_id is not None:
            stmt = stmt.join(entity, entity.c.id == instance.c.asset_id).where(entity.c.entity_type_id == asset_type_id)
        return await self._rows(stmt.order_by(*ORDER))

    async def in_asset(self, target_asset_id: str) -> list[dict[str, Any]]:
        """Instances placed inside an asset (an environment holding props...)."""
        stmt = select(instance).where(instance.c.target_asset_id == target_asset_id).order_by(*ORDER)
        return await self._rows(stmt)

    async def of_asset(self, asset_id: str) -> list[dict[str, Any]]:
        """Every instance of an asset, by number."""
        stmt = select(instance).where(instance.c.asset_id == asset_id).order_by(*ORDER)
        return await self._rows(stmt)

    async def of_asset_in_shots(self, asset_id: str) -> list[dict[str, Any]]:
        """Instances of an asset cast in shots: one row per (instance, shot), the shot id as `_shot_id`."""
        stmt = (
            select(instance, instance_link.c.entity_id.label("_shot_id"))
            .join(instance_link, instance_link.c.asset_instance_id == instance.c.id)
            .where(instance.c.asset_id == asset_id)
            .order_by(*ORDER, instance_link.c.entity_id)
        )
        return await self._rows(stmt)

    # --- writes -----------------------------------------------------------

    async def next_number(self, asset_id: str, *, scene_id: str | None = None, target_asset_id: str | None = None):
        """1 + the highest number of the asset's instances in the scene (or inside the target asset)."""
        stmt = select(func.max(instance.c.number)).where(instance.c.asset_id == asset_id)
        if scene_id is not None:
            stmt = stmt.where(instance.c.scene_id == scene_id)
        if target_asset_id is not None:
            stmt = stmt.where(instance.c.target_asset_id == target_asset_id)
        highest = (await self.session.execute(stmt)).scalar_one()
        return (highest or 0) + 1

    async def insert(self, values: dict[str, Any]) -> dict[str, Any]:
        now = utc_now()
        values = {"id": new_id(), "created_at": now, "updated_at": now, "active": True, **values}
        stmt = insert(instance).values(**values).returning(instance)
        return dict((await self.session.execute(stmt)).mappings().one())

    async def link_to_entity(self, entity_id: str, instance_id: str) -> None:
        stmt = pg_insert(instance_link).values(entity_id=entity_id, asset_instance_id=instance_id)
        await self.session.execute(stmt.on_conflict_do_nothing())

    async def unlink_from_entity(self, entity_id: str, instance_id: str) -> None:
        await self.session.execute(
            instance_link.delete().where(
                instance_link.c.entity_id == entity_id, instance_link.c.asset_instance_id == instance_id
            )
        )

    async def unlink_all(self, instance_id: str) -> None:
        """Drop every casting link of an instance (before deleting it)."""
        await self.session.execute(instance_link.delete().where(instance_link.c.asset_instance_id == instance_id))

    async def touch_entity(self, entity_id: str) -> dict[str, Any]:
        """Stamp the entity's updated_at (Zou saves the shot when its instance casting changes)."""
        stmt = update(entity).where(entity.c.id == entity_id).values(updated_at=utc_now()).returning(entity)
        return dict((await self.session.execute(stmt)).mappings().one())
