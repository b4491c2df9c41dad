"""Generic entities (`/data/entities`) and the helpers edits and concepts share.

Every production object (asset, shot, sequence, episode, scene, edit, concept, concept folder)
is a row of the `entity` table. `/data/entities` exposes them through the CRUD engine:

- list: anyone; non-admins see the entities of the open projects whose team holds them, and
  vendors only those of the projects where they hold an assigned task (as Zou's join of the
  tasks on the project scopes them). Rows are typed by kind.
- get: team members (admins: any); a vendor needs a task assigned on the entity.
- create: managers of the entity's project (admins: any). The answer is typed "Entity", as Zou
  answers; the event is `<kind>:new`.
- update: managers and the entity's creator on the team may change anything, supervisors only
  `data` keys of their departments (see `metadata_descriptors.check_entity_data`). `data` is
  merged into the stored one; name, type and parent must stay unique; a shot whose frame range
  or name changes gets a version (bursts of changes by one person are folded into one); an
  asset whose `ready_for` changes refreshes the ready counts of the shots casting it. The event
  is `<kind>:update`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.domain import events
from app.domain.access import ProjectScope, project_scope, require_entity_access, require_manager, require_member
from app.domain.crud import Collection, CrudContext, CrudService, Hooks, parse_filter_param, parse_filter_value
from app.domain.entity_kinds import ASSET, SHOT, entity_kinds
from app.domain.metadata_descriptors import check_entity_data
from app.domain.permissions import VENDOR, Caller, anyone
from app.repositories.casting import CastingRepository
from app.repositories.entities import (
    CONCEPT_LINKS,
    ENTITY_RELATIONS,
    RELATIONS_BY_NAME,
    EntityRepository,
    assigned_projects_scope,
    entity,
    filter_clauses,
    open_team_projects_scope,
)
from app.repositories.tables.entities import Entity

PROJECT_NOT_FOUND = "Project not found."
ENTITY_NOT_FOUND = "Entity not found."
ENTITY_STATUSES = ("standby", "running", "complete", "canceled")
INVALID_STATUS = "Invalid status"
# Body keys a PUT never writes (Zou's protected fields of the entity resource).
PROTECTED_ON_UPDATE = ("instance_casting", "entities_in", "entities_out", "type", "shotgun_id", "created_by")
# A shot version takes the next change of its author up to a minute after its last change,
# and up to five minutes after its creation.
VERSION_FOLD_DELAY = 60
VERSION_FOLD_MAX_DURATION = 5 * 60
IGNORED_CRITERIA = ("page", "relations")


class MalformedIdParameter(WrongParameter):
    """An id given as a query parameter that is not a UUID (Zou answers without `data`)."""

    def __init__(self) -> None:
        super().__init__("One of the ID sent in parameter is not properly formatted.")

    def body(self) -> dict:
        return {"error": True, "message": self.message}


def event_words(kind: str) -> list[str]:
    """ "ConceptFolder" -> ["concept", "folder"]: the words of a kind's event name."""
    return [word.lower() for word in re.findall("[A-Z][a-z]*", kind)]


async def emit_kind_event(session: AsyncSession, caller: Caller, kind: str, action: str, row: Mapping) -> None:
    """`<kind>:<action>` with `<kind>_id`, e.g. `concept-folder:update` and `concept_folder_id`."""
    words = event_words(kind)
    await events.emit(
        session,
        f"{'-'.join(words)}:{action}",
        {f"{'_'.join(words)}_id": row["id"]},
        project_id=row["project_id"],
        user_id=caller.id,
    )


UUID_PATTERN = re.compile(r"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def is_uuid(value: Any) -> bool:
    """A UUID in its canonical text form (any case), as Zou accepts ids."""
    return isinstance(value, str) and UUID_PATTERN.match(value) is not None


def canonical_id(value: str) -> str:
    return str(uuid.UUID(value))


# --- listings built from query criteria (GET /data/edits, /data/concepts) ------------------------


async def criteria_scope(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> ProjectScope | None:
    """Zou's `check_project_access(project_id criterion)`: the scope, None for admins.

    Without a `project_id` only admins may list; a malformed or unknown project is a 404.
    """
    project_id = params.get("project_id")
    if caller.is_admin:
        return None
    if project_id is None:
        raise PermissionDenied()
    if not is_uuid(project_id):
        raise NotFound(PROJECT_NOT_FOUND)
    return await require_member(session, caller, canonical_id(project_id))


def criteria_clauses(params: Mapping[str, str], *, exclude: Iterable[str] = ()) -> list:
    """SQL conditions for the query criteria naming entity columns or relations (others ignored)."""
    filters: dict[str, Any] = {}
    relation_filters: dict[str, str] = {}
    skipped = set(IGNORED_CRITERIA) | set(exclude)
    for name, raw in params.items():
        if name in skipped:
            continue
        if name in RELATIONS_BY_NAME:
            if not is_uuid(raw):
                raise MalformedIdParameter()
            relation_filters[name] = canonical_id(raw)
        elif name in entity.c:
            filters[name] = raw if name == "name" else parse_filter_value(entity.c[name], parse_filter_param(name, raw))
    return filter_clauses(filters, relation_filters)


# --- serialization -------------------------------------------------------------------------------


def typed(rows: list[dict[str, Any]], type_name: str) -> list[dict[str, Any]]:
    for row in rows:
        row["type"] = type_name
    return rows


async def attach_relations(session: AsyncSession, rows: list[dict[str, Any]], relations=ENTITY_RELATIONS) -> None:
    """Add the id lists of the relations to each row (one statement per relation)."""
    if not rows:
        return
    grouped = await EntityRepository(session).related_ids(relations, [r["id"] for r in rows])
    for rel in relations:
        by_entity = grouped[rel.name]
        for row in rows:
            row[rel.name] = list(by_entity.get(row["id"], []))


async def attach_concept_links(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await attach_relations(session, rows, (CONCEPT_LINKS,))


# --- the /data/entities collection ---------------------------------------------------------------


def frame_range(data: Mapping[str, Any] | None) -> tuple[Any, Any]:
    data = data or {}
    return data.get("frame_in", 0), data.get("frame_out", 0)


class EntityHooks(Hooks):
    def list_scope(self, ctx: CrudContext) -> list[Any]:
        caller = ctx.caller
        if caller.is_admin:
            return []
        scope = [open_team_projects_scope(caller.id)]
        if caller.role == VENDOR:
            scope.append(assigned_projects_scope(caller.id))
        return scope

    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        scope = await require_member(ctx.session, ctx.caller, row["project_id"])
        await require_entity_access(ctx.session, scope, row["id"])

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        if mode == "write" and not ctx.state.get("updating"):
            return rows  # a created entity is answered as "Entity", as Zou does
        kinds = await entity_kinds(ctx.session)
        return kinds.typed(rows)

    async def _known_links(self, ctx: CrudContext, data: dict[str, Any]) -> None:
        """Relation ids naming no entity are dropped, as Zou does."""
        names = [name for name in data if name in RELATIONS_BY_NAME and name != "instance_casting"]
        if not names:
            return
        repo = EntityRepository(ctx.session)
        for name in names:
            data[name] = await repo.existing_ids(str(v) for v in (data[name] or []))

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        if not ctx.caller.is_admin:  # an admin's unknown project fails on its reference (400), as in Zou
            await require_manager(ctx.session, ctx.caller, data["project_id"])
        check_status(data)
        data["created_by"] = ctx.caller.id
        await self._known_links(ctx, data)
        kinds = await entity_kinds(ctx.session)
        ctx.state["kind"] = kinds.kind_of(data["entity_type_id"])
        return data

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        session, caller = ctx.session, ctx.caller
        kinds = await entity_kinds(session)
        kind = kinds.kind_of(row["entity_type_id"])
        ctx.state.update(updating=True, kind=kind, previous=dict(row))
        scope = await project_scope(session, caller, row["project_id"])
        body_keys = ctx.state.get("body_keys", list(data))
        new_data = data.get("data")
        if new_data is not None and not isinstance(new_data, dict):
            raise WrongParameter("data must be an object.")
        data["data"] = await check_entity_data(
            session,
            scope,
            kind,
            row["project_id"],
            new_data,
            row["data"],
            other_fields=[key for key in body_keys if key != "data"],
            created_by=row["created_by"],
        )
        await check_unique_key(session, row, data)
        for key in PROTECTED_ON_UPDATE:
            data.pop(key, None)
        check_status(data)
        await self._known_links(ctx, data)
        ctx.state["ready_for_changed"] = "ready_for" in data and row["ready_for"] != data["ready_for"]
        return data

    async def after_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> None:
        kind = ctx.state["kind"]
        if kind == SHOT:
            await save_shot_version(ctx.session, ctx.caller, row, ctx.state["previous"])
        elif kind == ASSET and ctx.state.get("ready_for_changed"):
            await refresh_casting_stats(ctx.session, ctx.caller, row)
        return None


def check_status(data: Mapping[str, Any]) -> None:
    if "status" in data and data["status"] not in ENTITY_STATUSES:
        raise WrongParameter(INVALID_STATUS)


async def check_unique_key(session: AsyncSession, row: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """Name, project, type and parent stay unique among entities (Zou's rule before the update)."""

    def blank(value: Any) -> Any:
        return None if value in ("", "null") else value

    name = data.get("name", row["name"])
    type_id = data.get("entity_type_id", row["entity_type_id"])
    parent_id = blank(data.get("parent_id", row["parent_id"]))
    if (name, type_id, parent_id) == (row["name"], row["entity_type_id"], blank(row["parent_id"])):
        return
    if await EntityRepository(session).namesake_exists(row["id"], name, row["project_id"], type_id, parent_id):
        raise WrongParameter(
            f"An entity named '{name}' already exists in project '{row['project_id']}' with entity type "
            f"'{type_id}' and parent '{parent_id}': name, project, entity type and parent must be unique together."
        )


async def save_shot_version(session: AsyncSession, caller: Caller, shot: dict[str, Any], previous: dict[str, Any]):
    """Record a version of the shot when its frame range or name changed, folding bursts."""
    frames, previous_frames = frame_range(shot.get("data")), frame_range(previous.get("data"))
    if frames == previous_frames and shot["name"] == previous["name"]:
        return None
    repo = EntityRepository(session)
    last = await repo.last_version(shot["id"])
    if last is not None and _folds_into(last, shot, previous, caller.id):
        await repo.update_version_data(last["id"], shot["data"], shot["updated_at"])
        return last["id"]
    created = await repo.insert_version(
        {"entity_id": shot["id"], "name": previous["name"], "data": shot["data"], "person_id": caller.id}
    )
    return created["id"]


def _folds_into(version: dict[str, Any], shot: dict[str, Any], previous: dict[str, Any], person_id: str) -> bool:
    """Whether this change by `person_id` extends the shot's last version instead of starting one.

    The version must be the person's; keep the frame values this change leaves alone as the shot
    had them (and the shot's previous name when the frames change); and be recent: changed within
    a minute, created within five.
    """
    if version["person_id"] != person_id:
        return False
    frames, previous_frames = frame_range(shot.get("data")), frame_range(previous.get("data"))
    if frames != previous_frames and version["name"] != previous["name"]:
        return False
    version_frames = frame_range(version.get("data"))
    for frame, previous_frame, version_frame in zip(frames, previous_frames, version_frames, strict=True):
        if frame == previous_frame and version_frame != previous_frame:
            return False
    now = shot["updated_at"].replace(microsecond=0)
    changed = version["updated_at"].replace(microsecond=0)
    created = version["created_at"].replace(microsecond=0)
    return (
        abs((now - changed).total_seconds()) <= VERSION_FOLD_DELAY
        and abs((now - created).total_seconds()) <= VERSION_FOLD_MAX_DURATION
    )


async def refresh_casting_stats(session: AsyncSession, caller: Caller, asset: dict[str, Any]) -> None:
    """After an asset's `ready_for` changed: the casting counters of the shots casting it.

    Each shot's `nb_entities_out` is brought back to its number of live assets (announced by
    `shot:casting-update` when it changed), then every task of those shots gets its
    `nb_assets_ready` recomputed (announced to listeners only, as Zou does not store it).
    """
    shot_ids = await EntityRepository(session).shots_casting(asset["id"])
    if not shot_ids:
        return
    changed = await EntityRepository(session).refresh_live_counts(shot_ids)
    await events.emit_many(
        session,
        [
            (
                "shot:casting-update",
                {"shot_id": shot_id, "nb_entities_out": count, "added_asset_ids": [], "removed_asset_ids": []},
                asset["project_id"],
            )
            for shot_id, count in changed.items()
        ],
        user_id=caller.id,
    )
    for row in await CastingRepository(session).refresh_ready_counts(shot_ids):
        events.publish_only(
            session,
            "task:update-casting-stats",
            {"task_id": row["id"], "nb_assets_ready": row["nb_assets_ready"]},
            project_id=row["project_id"],
            user_id=caller.id,
        )


ENTITIES = Collection(
    "entities",
    Entity,
    "Entity",
    read=anyone,
    create=anyone,  # checked per project by the hooks
    update=anyone,  # checked per project by the hooks
    relations=ENTITY_RELATIONS,
    hooks=EntityHooks(),
    routes=frozenset({"list", "get"}),  # POST and PUT are served by app.routers.entities (kind events)
)


class EntityCrudService(CrudService):
    """The CRUD engine on entities, emitting Zou's per-kind events (`shot:update`, `asset:new`...)."""

    async def _event(self, action: str, row: dict[str, Any]) -> None:
        kind = self.ctx.state.get("kind")
        if kind is None:
            kind = (await entity_kinds(self.ctx.session)).kind_of(row["entity_type_id"])
        await emit_kind_event(self.ctx.session, self.ctx.caller, kind, action, row)


def entity_service(session: AsyncSession, caller: Caller, settings: Settings, params: Mapping[str, str]):
    return EntityCrudService(ENTITIES, CrudContext(session, caller, settings, dict(params)))


async def create_entity(
    session: AsyncSession, caller: Caller, settings: Settings, data: dict[str, Any]
) -> dict[str, Any]:
    return await entity_service(session, caller, settings, {}).create(data)


async def update_entity(
    session: AsyncSession,
    caller: Caller,
    settings: Settings,
    entity_id: str,
    data: dict[str, Any],
    *,
    body_keys: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Update the entity; `body_keys` are the keys the client sent (a supervisor may send `data` only)."""
    service = entity_service(session, caller, settings, {})
    service.ctx.state["body_keys"] = list(data if body_keys is None else body_keys)
    return await service.update(entity_id, data)
