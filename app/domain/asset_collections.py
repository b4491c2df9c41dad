"""CRUD registry entries of the assets area: `/data/asset-instances`."""

from __future__ import annotations

from app.domain.asset_instances import AssetInstanceHooks, admin_lists
from app.domain.collections import register
from app.domain.crud import Collection
from app.domain.permissions import anyone
from app.repositories.crud import Relation
from app.repositories.tables.entities import AssetInstance, AssetInstanceLink

register(
    Collection(
        "asset-instances",
        AssetInstance,
        "AssetInstance",
        read=admin_lists,
        update=anyone,  # narrowed to the asset's readers by the hooks
        relations=(Relation("shots", AssetInstanceLink.__table__, "asset_instance_id", "entity_id"),),
        hooks=AssetInstanceHooks(),
    )
)
