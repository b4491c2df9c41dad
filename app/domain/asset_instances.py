"""Asset instances: one occurrence of an asset in a layout scene, in a shot, or inside another asset.

An instance is numbered per (asset, scene) or per (asset, target asset) and named after
its asset (`<Slugged_Name>_0001`). Shots hold instances through casting links. Listings
answer `{<group id>: [instance, ...]}` as Zou does. Reading needs project access (and,
for a vendor, an assigned task on the shot or scene); writing needs project access.

The `/data/asset-instances` CRUD entry (see `app/domain/asset_collections.py`) lists for
admins only, shows one instance to whoever may read its asset, lets them update it
(`number` stays), and creates or deletes for admins only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slugify import slugify
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.domain import events
from app.domain.access import require_entity_access
from app.domain.assets import find_asset, get_or_create_asset_type, project_access
from app.domain.crud import CrudContext, Hooks
from app.domain.entity_kinds import SCENE, SHOT, EntityKinds, entity_kinds
from app.domain.permissions import Caller, Row
from app.repositories.asset_instances import AssetInstanceRepository
from app.repositories.assets import AssetRepository

TYPE = "AssetInstance"
INSTANCE_NOT_FOUND = "Asset instance not found."
NOT_FOUND = {SHOT: "Shot not found.", SCENE: "Scene not found."}
CAMERA = "Camera"


def present(row: dict[str, Any]) -> dict[str, Any]:
    row["type"] = TYPE
    return row


def grouped(rows: Iterable[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    """{str(row[key]): [instance, ...]} in row order (a missing key groups under "None", as in Zou)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        group = str(row.pop(key)) if key.startswith("_") else str(row[key])
        out.setdefault(group, []).append(present(row))
    return out


def slug(name: str) -> str:
    """ASCII slug of a name with `_` between words, case kept (Zou's instance name prefix)."""
    return slugify(name, separator="_", lowercase=False)


def instance_name(asset_name: str, number: int) -> str:
    return f"{slug(asset_name)}_{str(number).zfill(4)}"


async def _typed(session: AsyncSession, kinds: EntityKinds, entity_id: str, kind: str) -> dict[str, Any]:
    row = await AssetRepository(session).get_entity(entity_id)
    if row is None or row["entity_type_id"] != kinds.id(kind):
        raise NotFound(NOT_FOUND[kind])
    return row


async def _instance(repo: AssetInstanceRepository, instance_id: str) -> dict[str, Any]:
    row = await repo.get(instance_id)
    if row is None:
        raise NotFound(INSTANCE_NOT_FOUND)
    return row


async def _readable(session: AsyncSession, caller: Caller, kind: str, entity_id: str) -> dict[str, Any]:
    """The shot or scene, once the caller's project and (vendor) entity access are checked."""
    kinds = await entity_kinds(session)
    row = await _typed(session, kinds, entity_id, kind)
    scope = await project_access(session, caller, row["project_id"])
    await require_entity_access(session, scope, entity_id)
    return row


async def _readable_asset(session: AsyncSession, caller: Caller, asset_id: str) -> dict[str, Any]:
    kinds = await entity_kinds(session)
    asset = await find_asset(session, kinds, asset_id)
    await project_access(session, caller, asset["project_id"])
    return asset


async def _instantiated(session: AsyncSession, asset_id: str) -> dict[str, Any]:
    """The entity an instance is made from (Zou only asks that it exists)."""
    row = await AssetRepository(session).get_entity(asset_id)
    if row is None:
        raise NotFound("Asset not found.")
    return row


# --- shots ------------------------------------------------------------------


async def shot_instances(session: AsyncSession, caller: Caller, shot_id: str) -> dict[str, list]:
    await _readable(session, caller, SHOT, shot_id)
    return grouped(await AssetInstanceRepository(session).in_shot(shot_id), "asset_id")


async def add_to_shot(session: AsyncSession, caller: Caller, shot_id: str, instance_id: str) -> dict[str, Any]:
    """Cast an instance in a shot; answers the shot (typed "Entity", as Zou does)."""
    kinds = await entity_kinds(session)
    shot = await _typed(session, kinds, shot_id, SHOT)
    await project_access(session, caller, shot["project_id"])
    repo = AssetInstanceRepository(session)
    await _instance(repo, instance_id)
    await repo.link_to_entity(shot_id, instance_id)
    shot = await repo.touch_entity(shot_id)
    await events.emit(
        session, "asset_instance:add-to-shot", {"shot_id": shot_id, "asset_instance_id": instance_id}, user_id=caller.id
    )
    return {**shot, "type": "Entity"}


async def remove_from_shot(session: AsyncSession, caller: Caller, shot_id: str, instance_id: str) -> None:
    """Take an instance out of a shot's casting (nothing to do when it is not cast there)."""
    kinds = await entity_kinds(session)
    shot = await _typed(session, kinds, shot_id, SHOT)
    await project_access(session, caller, shot["project_id"])
    repo = AssetInstanceRepository(session)
    await _instance(repo, instance_id)
    await repo.unlink_from_entity(shot_id, instance_id)
    await repo.touch_entity(shot_id)
    await events.emit(
        session,
        "asset_instance:remove-from-shot",
        {"shot_id": shot_id, "asset_instance_id": instance_id},
        user_id=caller.id,
    )


# --- scenes -----------------------------------------------------------------


async def scene_instances(session: AsyncSession, caller: Caller, scene_id: str) -> dict[str, list]:
    await _readable(session, caller, SCENE, scene_id)
    return grouped(await AssetInstanceRepository(session).in_scene(scene_id), "asset_id")


async def scene_camera_instances(session: AsyncSession, caller: Caller, scene_id: str) -> dict[str, list]:
    """Instances of "Camera" assets in a scene (the Camera asset type is created on first use, as in Zou)."""
    await _readable(session, caller, SCENE, scene_id)
    camera = await get_or_create_asset_type(session, caller, CAMERA)
    return grouped(await AssetInstanceRepository(session).in_scene(scene_id, camera["id"]), "asset_id")


async def add_to_scene(
    session: AsyncSession, caller: Caller, scene_id: str, asset_id: str, description: str | None
) -> dict[str, Any]:
    kinds = await entity_kinds(session)
    scene = await _typed(session, kinds, scene_id, SCENE)
    await project_access(session, caller, scene["project_id"])
    asset = await _instantiated(session, asset_id)
    repo = AssetInstanceRepository(session)
    number = await repo.next_number(asset_id, scene_id=scene_id)
    row = await repo.insert(
        {
            "asset_id": asset_id,
            "scene_id": scene_id,
            "number": number,
            "name": instance_name(asset["name"], number),
            "description": description,
        }
    )
    await events.emit(
        session,
        "asset_instance:new",
        {"scene_id": scene_id, "asset_id": asset_id, "asset_instance_id": row["id"]},
        user_id=caller.id,
    )
    return present(row)


# --- assets -----------------------------------------------------------------


async def asset_instances(session: AsyncSession, caller: Caller, asset_id: str) -> dict[str, list]:
    """Instances placed inside the asset, by instantiated asset."""
    await _readable_asset(session, caller, asset_id)
    return grouped(await AssetInstanceRepository(session).in_asset(asset_id), "asset_id")


async def add_to_asset(
    session: AsyncSession, caller: Caller, asset_id: str, instantiated_id: str, description: str | None
) -> dict[str, Any]:
    """Place an instance of `instantiated_id` inside the asset."""
    await _readable_asset(session, caller, asset_id)
    instantiated = await _instantiated(session, instantiated_id)
    repo = AssetInstanceRepository(session)
    number = await repo.next_number(instantiated_id, target_asset_id=asset_id)
    row = await repo.insert(
        {
            "asset_id": instantiated_id,
            "target_asset_id": asset_id,
            "number": number,
            "name": instance_name(instantiated["name"], number),
            "description": description,
        }
    )
    await events.emit(
        session,
        "asset_instance:new",
        {"asset_id": asset_id, "asset_instantiated": instantiated_id, "asset_instance_id": row["id"]},
        user_id=caller.id,
    )
    return present(row)


async def asset_shot_instances(session: AsyncSession, caller: Caller, asset_id: str) -> dict[str, list]:
    """Instances of the asset cast in shots, by shot."""
    await _readable_asset(session, caller, asset_id)
    return grouped(await AssetInstanceRepository(session).of_asset_in_shots(asset_id), "_shot_id")


async def asset_scene_instances(session: AsyncSession, caller: Caller, asset_id: str) -> dict[str, list]:
    """Every instance of the asset, by scene ("None" for the ones outside any scene, as Zou answers)."""
    await _readable_asset(session, caller, asset_id)
    return grouped(await AssetInstanceRepository(session).of_asset(asset_id), "scene_id")


# --- the /data/asset-instances CRUD entry --------------------------------------


def admin_lists(caller: Caller, row: Row = None) -> bool:
    """Policy: listing is for admins; one instance is readable by anyone its asset is (checked by the hooks)."""
    return caller.is_admin or row is not None


async def check_instance_access(session: AsyncSession, caller: Caller, row: dict[str, Any]) -> None:
    """Zou's rule for reading or updating one instance: access to its asset's project (vendors: a task on it)."""
    if caller.is_admin:
        return
    kinds = await entity_kinds(session)
    asset = await find_asset(session, kinds, row["asset_id"])
    scope = await project_access(session, caller, asset["project_id"])
    await require_entity_access(session, scope, asset["id"])


class AssetInstanceHooks(Hooks):
    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        await check_instance_access(ctx.session, ctx.caller, row)

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        await check_instance_access(ctx.session, ctx.caller, row)
        data.pop("number", None)  # an instance keeps its number
        ctx.state["updating"] = True
        return data

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        if mode == "write" and ctx.state.get("updating"):
            for row in rows:  # Zou answers an update without the relations
                row.pop("shots", None)
        return rows

    async def before_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        await AssetInstanceRepository(ctx.session).unlink_all(row["id"])
