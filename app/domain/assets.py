"""Assets and asset types: listings, the full asset view, creation and sharing.

An asset is a row of the `entity` table whose entity type is not one of the
temporal kinds; an asset type is such an entity type (`"type": "AssetType"`).

Access, as Zou checks it:
- reading inside a project needs project access (admins, team members); admins
  pass without the project being looked up, so an unknown project lists nothing;
- a vendor (effective role on the project) only lists the assets they hold an
  assigned task on, without the metadata restricted to other departments, and
  opens an asset only through such a task;
- creating and sharing assets needs manager access on the project.
Sharing emits no event (Zou does not either); creating emits `asset:new`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.domain import events
from app.domain.access import PROJECT_NOT_FOUND, ProjectScope, require_entity_access, require_manager, require_member
from app.domain.crud import parse_filter_param, parse_filter_value, parse_uuid
from app.domain.entity_kinds import ASSET, EPISODE, EntityKinds, entity_kinds
from app.domain.metadata_descriptors import mask_for_vendor
from app.domain.permissions import ADMIN, MANAGER, VENDOR, Caller
from app.domain.task_fields import ASSET_TASK_FIELDS, present_task
from app.repositories.assets import ENTITY_RELATIONS, AssetFilter, AssetRepository, entity, entity_type
from app.repositories.entities import EntityRepository

ASSET_NOT_FOUND = "Asset not found."
ASSET_TYPE_NOT_FOUND = "Asset type not found."
EPISODE_NOT_FOUND = "Episode not found."
ASSET_TYPE = "AssetType"

# Query parameters that are never filters.
IGNORED_PARAMS = frozenset({"page", "relations"})

# --- access ---------------------------------------------------------------


async def project_access(session: AsyncSession, caller: Caller, project_id: str) -> ProjectScope:
    """Zou's `check_project_access`: admins pass without a lookup, others must be on the team (404 if no project)."""
    if caller.is_admin:
        return ProjectScope(project_id, caller, False, ADMIN)
    return await require_member(session, caller, project_id)


async def manager_access(session: AsyncSession, caller: Caller, project_id: str) -> ProjectScope:
    """Zou's `check_manager_project_access`, with the same admin shortcut."""
    if caller.is_admin:
        return ProjectScope(project_id, caller, False, ADMIN)
    return await require_manager(session, caller, project_id)


async def find_asset(session: AsyncSession, kinds: EntityKinds, asset_id: str) -> dict[str, Any]:
    row = await AssetRepository(session).get_asset(asset_id, kinds.temporal_ids)
    if row is None:
        raise NotFound(ASSET_NOT_FOUND)
    return row


# --- presentation -----------------------------------------------------------


def present_asset(row: dict[str, Any]) -> dict[str, Any]:
    row["type"] = ASSET
    return row


def present_asset_type(row: dict[str, Any], with_task_types: bool = True) -> dict[str, Any]:
    if with_task_types:
        row["task_types"] = row.get("task_types") or []
    row["type"] = ASSET_TYPE
    return row


def present_full_asset(row: dict[str, Any], tasks: list[dict[str, Any]], client: bool) -> dict[str, Any]:
    """Zou's full asset: the asset with its relations, names, casting episodes and tasks.

    As in Zou, the board fields override the plain ones: `preview_file_id` and `episode_id`
    are "" when unset, `ready_for` is the text of the value ("None" when unset), `data` an object.
    """
    asset = {k: v for k, v in row.items() if k not in ("source_id", "nb_frames", "casting_episode_ids")}
    for name in ("entities_in", "entities_out", "entity_concept_links", "instance_casting"):
        asset[name] = row[name] or []
    asset["type"] = ASSET
    asset["asset_type_id"] = row["entity_type_id"]
    asset.update(
        {
            "preview_file_id": row["preview_file_id"] or "",
            "ready_for": str(row["ready_for"]),
            "episode_id": row["source_id"] or "",
            "casting_episode_ids": row["casting_episode_ids"] or [],
            "data": row["data"] or {},
            "tasks": [present_task(t, ASSET_TASK_FIELDS, client=client) for t in tasks],
        }
    )
    return asset


# --- listing filters --------------------------------------------------------


def _column_filters(table, params: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Zou's criterions on a table's columns: equality (JSON lists mean IN), ILIKE on `name`."""
    equals: dict[str, Any] = {}
    names: list[str] = []
    for key, raw in params.items():
        if key in IGNORED_PARAMS or key not in table.c:
            continue
        if key == "name":
            names.append(raw)
            continue
        equals[key] = parse_filter_value(table.c[key], parse_filter_param(key, raw))
    return equals, names


def asset_filter(kinds: EntityKinds, params: Mapping[str, str]) -> tuple[AssetFilter, bool]:
    """The listing filter a query string asks for, and whether `assigned_to` was given."""
    params = dict(params)
    assigned = params.pop("assigned_to", None) is not None
    episode_id = params.pop("episode_id", None)
    linked = {name: parse_uuid(params.pop(name)) for name in ENTITY_RELATIONS if name in params}
    equals, names = _column_filters(entity, params)
    flt = AssetFilter(kinds.temporal_ids, equals=equals, names=names, linked=linked)
    if episode_id is not None:
        flt.episode_id = parse_uuid(episode_id)
    return flt, assigned


async def _scoped_listing(
    session: AsyncSession, caller: Caller, flt: AssetFilter, assigned: bool, role: str
) -> list[dict[str, Any]]:
    """Run an asset listing; vendors only get the assets they are assigned on, metadata masked."""
    vendor = role == VENDOR
    if assigned or vendor:
        flt.assigned_to = caller.id
    repo = AssetRepository(session)
    rows = await repo.list_assets(flt)
    if vendor:
        await mask_for_vendor(session, caller, ASSET, rows)
    return [present_asset(r) for r in rows]


# --- assets -----------------------------------------------------------------


async def all_assets(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """`/data/assets`: assets of the caller's projects (all of them for admins), filtered by the query."""
    kinds = await entity_kinds(session)
    flt, assigned = asset_filter(kinds, params)
    scope = None
    project_id = flt.equals.get("project_id")
    if isinstance(project_id, str):
        scope = await project_access(session, caller, project_id)
    elif flt.episode_id is not None:
        episode = await AssetRepository(session).get_entity(flt.episode_id)
        if episode is None or episode["entity_type_id"] != kinds.id(EPISODE):
            raise NotFound(EPISODE_NOT_FOUND)
        scope = await project_access(session, caller, episode["project_id"])
    if not caller.is_admin:
        flt.team_of = caller.id
    return await _scoped_listing(session, caller, flt, assigned, scope.role if scope else caller.role)


async def project_assets(
    session: AsyncSession,
    caller: Caller,
    project_id: str,
    params: Mapping[str, str],
    asset_type_id: str | None = None,
) -> list[dict[str, Any]]:
    """Assets of a project (of one asset type when given), filtered by the query."""
    scope = await project_access(session, caller, project_id)
    kinds = await entity_kinds(session)
    flt, assigned = asset_filter(kinds, params)
    flt.equals["project_id"] = project_id
    if asset_type_id is not None:
        flt.equals["entity_type_id"] = asset_type_id
    return await _scoped_listing(session, caller, flt, assigned, scope.role)


async def get_full_asset(session: AsyncSession, caller: Caller, asset_id: str) -> dict[str, Any]:
    kinds = await entity_kinds(session)
    repo = AssetRepository(session)
    row = await repo.full_asset(asset_id, kinds.temporal_ids, kinds.id(EPISODE))
    if row is None:
        raise NotFound(ASSET_NOT_FOUND)
    scope = await project_access(session, caller, row["project_id"])
    await require_entity_access(session, scope, asset_id)
    tasks = (await EntityRepository(session).tasks_of([asset_id])).get(asset_id, [])
    return present_full_asset(row, tasks, client=scope.is_client)


async def create_asset(
    session: AsyncSession,
    caller: Caller,
    project_id: str,
    asset_type_id: str,
    *,
    name: str,
    description: str | None,
    data: dict[str, Any] | None,
    is_shared: bool | None,
    episode_id: str | None,
) -> dict[str, Any]:
    await manager_access(session, caller, project_id)
    kinds = await entity_kinds(session)
    repo = AssetRepository(session)
    project_found, type_found = await repo.creation_targets(project_id, asset_type_id, kinds.temporal_ids)
    if not project_found:
        raise NotFound(PROJECT_NOT_FOUND)
    if not type_found:
        raise NotFound(ASSET_TYPE_NOT_FOUND)
    if episode_id is not None:
        episode = await repo.get_entity(episode_id)
        if episode is None:
            raise WrongParameter("The episode does not exist.")
    row = await repo.insert_asset(
        {
            "project_id": project_id,
            "entity_type_id": asset_type_id,
            "name": name,
            "description": description,
            "data": data,
            "is_shared": bool(is_shared),
            "source_id": episode_id,
            "created_by": caller.id,
        }
    )
    await events.emit(
        session,
        "asset:new",
        {"asset_id": row["id"], "asset_type": asset_type_id},
        project_id=project_id,
        user_id=caller.id,
    )
    return present_asset(row)


# --- sharing ----------------------------------------------------------------


async def share_assets(
    session: AsyncSession, caller: Caller, asset_ids: list[str], is_shared: bool
) -> list[dict[str, Any]]:
    """Share (or unshare) the listed assets: the caller must manage every project they belong to."""
    if not asset_ids:
        return []
    kinds = await entity_kinds(session)
    repo = AssetRepository(session)
    projects = await repo.asset_projects(asset_ids, kinds.temporal_ids)
    if any(asset_id not in projects for asset_id in asset_ids):
        raise NotFound(ASSET_NOT_FOUND)
    if not caller.is_admin:
        project_ids = sorted(set(projects.values()))
        roles = await repo.team_roles(caller.id, project_ids)
        for project_id in project_ids:
            if project_id not in roles:
                raise PermissionDenied()
            link_role = roles[project_id]
            role = link_role if link_role not in (None, ADMIN) else caller.role
            if role != MANAGER:
                raise PermissionDenied()
    rows = await repo.set_shared(is_shared, kinds.temporal_ids, asset_ids=asset_ids)
    return [present_asset(r) for r in rows]


async def check_share_access(session: AsyncSession, caller: Caller, project_id: str) -> None:
    """Raise unless the caller may share the assets of the project (checked before the body is read)."""
    await manager_access(session, caller, project_id)


async def share_project_assets(
    session: AsyncSession,
    caller: Caller,
    project_id: str,
    is_shared: bool,
    *,
    asset_ids: list[str] | None = None,
    asset_type_id: str | None = None,
) -> list[dict[str, Any]]:
    """Share (or unshare) the assets of a project: all of them, those listed, or those of one type."""
    await manager_access(session, caller, project_id)
    kinds = await entity_kinds(session)
    rows = await AssetRepository(session).set_shared(
        is_shared, kinds.temporal_ids, project_id=project_id, asset_type_id=asset_type_id, asset_ids=asset_ids
    )
    return [present_asset(r) for r in rows]


# --- asset types --------------------------------------------------------------


async def list_asset_types(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every asset type (with its task type ids), filtered by the query; `project_id` keeps the used ones."""
    kinds = await entity_kinds(session)
    params = dict(params)
    project_id = params.pop("project_id", None)
    task_type_id = params.pop("task_types", None)
    equals, names = _column_filters(entity_type, params)
    rows = await AssetRepository(session).list_asset_types(
        kinds.temporal_ids,
        equals=equals,
        names=names,
        task_type_id=parse_uuid(task_type_id) if task_type_id is not None else None,
        project_id=parse_uuid(project_id) if project_id is not None else None,
    )
    return [present_asset_type(r) for r in rows]


async def get_asset_type(session: AsyncSession, caller: Caller, asset_type_id: str) -> dict[str, Any]:
    kinds = await entity_kinds(session)
    row = await AssetRepository(session).get_asset_type(asset_type_id, kinds.temporal_ids)
    if row is None:
        raise NotFound(ASSET_TYPE_NOT_FOUND)
    return present_asset_type(row)


async def project_asset_types(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    """The asset types of the project's assets (without their task types, as Zou answers)."""
    await project_access(session, caller, project_id)
    kinds = await entity_kinds(session)
    rows = await AssetRepository(session).list_asset_types(
        kinds.temporal_ids, project_id=project_id, with_task_types=False
    )
    return [present_asset_type(r, with_task_types=False) for r in rows]


async def get_or_create_asset_type(session: AsyncSession, caller: Caller, name: str) -> dict[str, Any]:
    """The asset type with this name (any case), created when missing (event `asset-type:new`)."""
    repo = AssetRepository(session)
    row = await repo.asset_type_named(name)
    if row is None:
        row = await repo.insert_asset_type(name)
        await events.emit(session, "asset-type:new", {"asset_type_id": row["id"]}, user_id=caller.id)
    return present_asset_type(row, with_task_types=False)
