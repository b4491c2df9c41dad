"""Shots, sequences, episodes and scenes: listing, reading, creating, updating, scene links.

All four kinds are rows of the `entity` table. Access follows Zou route by route:
reading needs project membership (`require_member`), and a vendor reaches an entity
only through a task assigned to them; creating, updating a shot and recomputing
frame counts need a manager of the project. The checks run in Zou's order (body,
then existence, then access, or existence first where Zou reads the row first), so
that each failure answers with the same status as Zou.

Vendors only list what they are assigned to, and the metadata fields restricted to
departments they are not in are stripped from what they list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.core.validation import validate
from app.domain import events
from app.domain.access import (
    PROJECT_NOT_FOUND,
    ProjectScope,
    require_entity_access,
    require_manager,
    require_member,
)
from app.domain.entity_kinds import EPISODE, SCENE, SEQUENCE, SHOT, EntityKinds, entity_kinds
from app.domain.metadata_descriptors import check_entity_data, mask_for_vendor
from app.domain.permissions import Caller
from app.domain.task_fields import SHOT_TASK_FIELDS, present_task
from app.repositories.entities import EntityRepository
from app.repositories.shots import RELATION_NAMES, EntityCriteria, ShotRepository, entity

SHOT_NOT_FOUND = "Shot not found."
SEQUENCE_NOT_FOUND = "Sequence not found."
EPISODE_NOT_FOUND = "Episode not found."
SCENE_NOT_FOUND = "Scene not found."
NOT_FOUND = {SHOT: SHOT_NOT_FOUND, SEQUENCE: SEQUENCE_NOT_FOUND, EPISODE: EPISODE_NOT_FOUND, SCENE: SCENE_NOT_FOUND}
ENTITY_STATUSES = ("standby", "running", "complete", "canceled")
GENERIC_TYPE = "Entity"
"""The `type` Zou gives rows it serializes without naming their kind (some vendor lists, shot writes)."""

_UUID = re.compile(r"\A[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}\Z")
_TRUE = ("y", "yes", "t", "true", "on", "1")
_FALSE = ("n", "no", "f", "false", "off", "0")
# Fields a shot update never writes (read-only or relations).
READ_ONLY_ON_UPDATE = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "instance_casting",
        "project_id",
        "entities_in",
        "entities_out",
        "entity_concept_links",
        "type",
        "shotgun_id",
        "created_by",
    }
)
ENTITY_COLUMNS = frozenset(c.name for c in entity.columns)


# --- request bodies ---------------------------------------------------------------


class BodySchema(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NewShotSchema(BodySchema):
    """Body of POST /data/projects/{project_id}/shots."""

    name: str = Field(..., min_length=1, description="Shot name")
    sequence_id: UUID | None = None
    data: dict | None = None
    nb_frames: int | None = None
    description: str | None = None


class NewSequenceSchema(BodySchema):
    """Body of POST /data/projects/{project_id}/sequences."""

    name: str = Field(..., min_length=1, description="Sequence name")
    episode_id: UUID | None = None
    description: str | None = ""
    data: dict | None = Field(default_factory=dict)


class NewEpisodeSchema(BodySchema):
    """Body of POST /data/projects/{project_id}/episodes (an unknown status becomes `running`)."""

    name: str = Field(..., min_length=1, description="Episode name")
    status: str | None = "running"
    description: str | None = ""
    data: dict | None = Field(default_factory=dict)


class NewSceneSchema(BodySchema):
    """Body of POST /data/projects/{project_id}/scenes."""

    name: str = Field(..., min_length=1, description="Scene name")
    sequence_id: UUID | None = None


class UpdateShotSchema(BodySchema):
    """Body of PUT /data/shots/{shot_id}: any entity column; read-only fields and unknown keys are ignored.

    `data` replaces the shot's metadata as a whole, as Zou does on this route.
    """

    model_config = ConfigDict(extra="allow")

    name: str | None = Field(default=None, min_length=1)
    code: str | None = None
    description: str | None = None
    nb_frames: int | None = None
    data: dict | None = None
    parent_id: UUID | None = None
    source_id: UUID | None = None
    preview_file_id: UUID | None = None
    entity_type_id: UUID | None = None
    ready_for: UUID | None = None
    canceled: bool | None = None
    is_casting_standby: bool | None = None
    is_shared: bool | None = None
    nb_entities_out: int | None = None
    status: Literal["standby", "running", "complete", "canceled"] | None = None


class AddShotToSceneSchema(BodySchema):
    """Body of POST /data/scenes/{scene_id}/shots."""

    shot_id: UUID = Field(..., description="Shot unique identifier")


# --- query-string filters ---------------------------------------------------------------


class WrongIdFormat(WrongParameter):
    """A filter value the database cannot read as its column's type (Zou answers without `data`)."""

    def __init__(self) -> None:
        super().__init__("One of the ID sent in parameter is not properly formatted.")

    def body(self) -> dict:
        return {"error": True, "message": self.message}


def is_valid_id(value: Any) -> bool:
    return isinstance(value, str) and _UUID.match(value) is not None


def criterions_from(params: Mapping[str, str]) -> dict[str, Any]:
    """Query-string values as Zou's criterions (every parameter but `page`)."""
    return {key: value for key, value in params.items() if key != "page"}


def _typed(column, raw: str) -> Any:
    ctype = column.type
    if isinstance(ctype, Boolean):
        lowered = raw.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise WrongParameter(f"Invalid boolean value: {raw}")
    if isinstance(ctype, Uuid):
        if raw and not is_valid_id(raw):
            raise WrongParameter(f"Invalid UUID value: {raw}")
        if not raw:
            raise WrongIdFormat()
        return raw.lower()
    try:
        if isinstance(ctype, Integer):
            return int(raw)
        if isinstance(ctype, Float):
            return float(raw)
        if isinstance(ctype, DateTime):
            return datetime.fromisoformat(raw)
        if isinstance(ctype, Date):
            return date.fromisoformat(raw)
        if isinstance(ctype, JSONB):
            return orjson.loads(raw)
    except (ValueError, orjson.JSONDecodeError):
        raise WrongIdFormat() from None
    return raw


def build_criteria(criterions: Mapping[str, Any]) -> EntityCriteria:
    """Typed filters from criterions: entity columns (JSON lists mean IN), `name` as ILIKE, relations."""
    criteria = EntityCriteria()
    for key, value in criterions.items():
        if key in ("relations", "entity_type_id") or value is None:
            continue
        if key in RELATION_NAMES:
            if not is_valid_id(value):
                raise WrongIdFormat()
            criteria.related.append((key, value.lower()))
            continue
        if key not in ENTITY_COLUMNS:
            continue
        column = entity.c[key]
        if key == "name":
            criteria.name_patterns.append(value)
        elif value.startswith("["):
            try:
                items = orjson.loads(value)
            except orjson.JSONDecodeError:
                raise WrongIdFormat() from None
            if not isinstance(items, list):
                raise WrongIdFormat()
            criteria.equal[key] = [
                _typed(column, item if isinstance(item, str) else orjson.dumps(item).decode()) for item in items
            ]
        else:
            criteria.equal[key] = _typed(column, value)
    return criteria


# --- shared helpers ----------------------------------------------------------------


def _with_type(rows: list[dict[str, Any]], type_name: str) -> list[dict[str, Any]]:
    for row in rows:
        row["type"] = type_name
    return rows


async def _typed_or_404(repo: ShotRepository, kind: str, entity_id: Any) -> dict[str, Any]:
    """The entity of that kind, or 404 (a malformed id is unknown too, as in Zou)."""
    row = await repo.get_of_kind(str(entity_id).lower(), kind) if is_valid_id(str(entity_id)) else None
    if row is None:
        raise NotFound(NOT_FOUND[kind])
    return row


async def _listing_scope(session: AsyncSession, caller: Caller, project_id: Any) -> ProjectScope | None:
    """Zou's `check_project_access(criterions.get("project_id"))`: None for admins, who need no project."""
    if caller.is_admin:
        return None
    if project_id is None:
        raise PermissionDenied()
    if not is_valid_id(project_id):
        raise NotFound(PROJECT_NOT_FOUND)
    return await require_member(session, caller, project_id.lower())


def _is_vendor(scope: ProjectScope | None) -> bool:
    return scope is not None and scope.is_vendor


async def _mask_for_vendor(
    repo: ShotRepository,
    scope: ProjectScope | None,
    entity_type: str,
    rows: list[dict[str, Any]],
    project_id: str | None = None,
) -> list[dict[str, Any]]:
    """Strip the metadata fields restricted to departments a vendor is not in (others keep everything)."""
    if not _is_vendor(scope):
        return rows
    return await mask_for_vendor(repo.session, scope.caller, entity_type, rows, project_id)


def _entity(row: Mapping[str, Any], type_name: str) -> dict[str, Any]:
    """The entity's own columns (no helper `_` keys) with its `type`."""
    out = {key: value for key, value in row.items() if not key.startswith("_")}
    out["type"] = type_name
    return out


async def _shot_rows(
    repo: ShotRepository,
    kinds: EntityKinds,
    scope: ProjectScope | None,
    criterions: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """Zou's `get_shots`: shots with project and sequence names, sorted by name, scoped for vendors."""
    vendor = _is_vendor(scope)
    rows = await repo.list_entities(
        kinds.id(SHOT),
        criteria=build_criteria(criterions),
        assigned_to=scope.caller.id if vendor else None,
        with_names=True,
    )
    rows.sort(key=lambda row: row["name"].casefold())
    return await _mask_for_vendor(repo, scope, SHOT, _with_type(rows, SHOT))


# --- reading ------------------------------------------------------------------------


async def list_shots(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """GET /data/shots (and /data/shots/all): shots matching the filters; `sequence_id` selects a sequence."""
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    criterions = criterions_from(params)
    if "sequence_id" in criterions:
        sequence = await _typed_or_404(repo, SEQUENCE, criterions.pop("sequence_id"))
        criterions["project_id"] = sequence["project_id"]
        criterions["parent_id"] = sequence["id"]
    scope = await _listing_scope(session, caller, criterions.get("project_id"))
    return await _shot_rows(repo, kinds, scope, criterions)


async def list_scenes(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """GET /data/scenes/all: scenes with project and sequence names; never for vendors."""
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    criterions = criterions_from(params)
    scope = await _listing_scope(session, caller, criterions.get("project_id"))
    if _is_vendor(scope):
        raise PermissionDenied()
    rows = await repo.list_entities(kinds.id(SCENE), criteria=build_criteria(criterions), with_names=True)
    return _with_type(rows, SCENE)


async def list_episodes(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """GET /data/episodes: episodes matching the filters; a vendor gets those holding their work."""
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    criterions = criterions_from(params)
    project_id = criterions.get("project_id")
    scope = await _listing_scope(session, caller, project_id)
    if _is_vendor(scope):
        rows = await repo.episodes_with_assigned_work(kinds.id(EPISODE), caller.id, scope.project_id)
        return await _mask_for_vendor(repo, scope, EPISODE, _with_type(rows, GENERIC_TYPE), scope.project_id)
    rows = await repo.list_entities(kinds.id(EPISODE), criteria=build_criteria(criterions))
    return _with_type(rows, EPISODE)


async def list_sequences(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """GET /data/sequences: sequences matching the filters; `episode_id` selects an episode."""
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    criterions = criterions_from(params)
    if "episode_id" in criterions:
        episode = await _typed_or_404(repo, EPISODE, criterions.pop("episode_id"))
        criterions["project_id"] = episode["project_id"]
        criterions["parent_id"] = episode["id"]
    scope = await _listing_scope(session, caller, criterions.get("project_id"))
    if _is_vendor(scope):
        rows = await repo.parents_with_assigned_children(kinds.id(SEQUENCE), caller.id, project_id=scope.project_id)
        return await _mask_for_vendor(repo, scope, SEQUENCE, _with_type(rows, GENERIC_TYPE), scope.project_id)
    rows = await repo.list_entities(kinds.id(SEQUENCE), criteria=build_criteria(criterions))
    return _with_type(rows, SEQUENCE)


async def project_entities(session: AsyncSession, caller: Caller, project_id: str, kind: str) -> list[dict[str, Any]]:
    """GET /data/projects/{project_id}/shots|scenes|sequences|episodes: a vendor gets their assigned ones."""
    repo = ShotRepository(session)
    scope = await require_member(session, caller, project_id)
    kinds = await entity_kinds(session)
    vendor = scope.is_vendor
    if vendor and kind == SEQUENCE:
        rows = _with_type(
            await repo.parents_with_assigned_children(kinds.id(SEQUENCE), caller.id, project_id=project_id),
            GENERIC_TYPE,
        )
    elif vendor and kind == EPISODE:
        rows = _with_type(
            await repo.episodes_with_assigned_work(kinds.id(EPISODE), caller.id, project_id), GENERIC_TYPE
        )
    else:
        rows = await repo.list_entities(
            kinds.id(kind), project_id=project_id, assigned_to=caller.id if vendor else None
        )
        rows = _with_type(rows, kind)
    return await _mask_for_vendor(repo, scope, kind, rows, project_id)


async def get_shot(session: AsyncSession, caller: Caller, shot_id: str) -> dict[str, Any]:
    """GET /data/shots/{shot_id}: the full shot (names of its project, sequence and episode, its tasks).

    As in Zou, a shot outside any sequence is not found here.
    """
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    row = await repo.get_with_parents(shot_id, kinds.id(SHOT), relations=True)
    if row is None or row["_parent_id"] is None:
        raise NotFound(SHOT_NOT_FOUND)
    scope = await require_member(session, caller, row["project_id"])
    await require_entity_access(session, scope, shot_id)
    tasks = [
        present_task(task, SHOT_TASK_FIELDS, client=scope.is_client)
        for task in (await EntityRepository(session).tasks_of([shot_id])).get(shot_id, [])
    ]
    data = row["data"] if isinstance(row["data"], dict) else {}
    shot = _entity(row, SHOT)
    shot.update(
        {
            "episode_id": row["_grand_id"],
            "episode_name": row["_grand_name"] or "",
            "sequence_id": row["_parent_id"],
            "sequence_name": row["_parent_name"],
            "fps": data.get("fps"),
            "frame_in": data.get("frame_in"),
            "frame_out": data.get("frame_out"),
            "tasks": tasks,
        }
    )
    return shot


async def get_sequence(session: AsyncSession, caller: Caller, sequence_id: str) -> dict[str, Any]:
    """GET /data/sequences/{sequence_id}: the sequence with its project's and episode's names."""
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    row = await repo.get_with_parents(sequence_id, kinds.id(SEQUENCE))
    if row is None:
        raise NotFound(SEQUENCE_NOT_FOUND)
    if row["parent_id"] is not None and row["_parent_type_id"] != kinds.id(EPISODE):
        raise NotFound(EPISODE_NOT_FOUND)
    scope = await require_member(session, caller, row["project_id"])
    await require_entity_access(session, scope, sequence_id)
    sequence = _entity(row, SEQUENCE)
    if row["parent_id"] is not None:
        sequence["episode_id"] = row["_parent_id"]
        sequence["episode_name"] = row["_parent_name"]
    return sequence


async def get_episode(session: AsyncSession, caller: Caller, episode_id: str) -> dict[str, Any]:
    """GET /data/episodes/{episode_id}: the episode with its project's name."""
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    row = await repo.get_with_parents(episode_id, kinds.id(EPISODE))
    if row is None:
        raise NotFound(EPISODE_NOT_FOUND)
    scope = await require_member(session, caller, row["project_id"])
    await require_entity_access(session, scope, episode_id)
    return _entity(row, EPISODE)


async def get_scene(session: AsyncSession, caller: Caller, scene_id: str) -> dict[str, Any]:
    """GET /data/scenes/{scene_id}: the scene with its project's, sequence's and episode's names.

    As in Zou, a scene outside any sequence is not found here.
    """
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    row = await repo.get_with_parents(scene_id, kinds.id(SCENE))
    if row is None:
        raise NotFound(SCENE_NOT_FOUND)
    if row["_parent_id"] is None or row["_parent_type_id"] != kinds.id(SEQUENCE):
        raise NotFound(SEQUENCE_NOT_FOUND)
    if row["_parent_parent_id"] is not None and row["_grand_type_id"] != kinds.id(EPISODE):
        raise NotFound(EPISODE_NOT_FOUND)
    scope = await require_member(session, caller, row["project_id"])
    await require_entity_access(session, scope, scene_id)
    scene = _entity(row, SCENE)
    scene["sequence_id"] = row["_parent_id"]
    scene["sequence_name"] = row["_parent_name"]
    if row["_parent_parent_id"] is not None:
        scene["episode_id"] = row["_grand_id"]
        scene["episode_name"] = row["_grand_name"]
    return scene


async def episode_sequences(
    session: AsyncSession, caller: Caller, episode_id: str, params: Mapping[str, str]
) -> list[dict[str, Any]]:
    """GET /data/episodes/{episode_id}/sequences (filters allowed); a vendor gets their assigned ones."""
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    episode = await _typed_or_404(repo, EPISODE, episode_id)
    scope = await require_member(session, caller, episode["project_id"])
    if scope.is_vendor:
        rows = await repo.parents_with_assigned_children(kinds.id(SEQUENCE), caller.id, parent_id=episode_id)
        return await _mask_for_vendor(repo, scope, SEQUENCE, _with_type(rows, GENERIC_TYPE))
    criterions = criterions_from(params)
    criterions["parent_id"] = episode_id
    rows = await repo.list_entities(kinds.id(SEQUENCE), criteria=build_criteria(criterions))
    return _with_type(rows, SEQUENCE)


async def episode_shots(
    session: AsyncSession, caller: Caller, episode_id: str, relations: bool
) -> list[dict[str, Any]]:
    """GET /data/episodes/{episode_id}/shots: the shots of the episode's sequences."""
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    episode = await _typed_or_404(repo, EPISODE, episode_id)
    scope = await require_member(session, caller, episode["project_id"])
    await require_entity_access(session, scope, episode_id)
    rows = await repo.list_entities(kinds.id(SHOT), episode_id=episode_id, relations=relations)
    return await _mask_for_vendor(repo, scope, SHOT, _with_type(rows, SHOT))


async def sequence_shots(
    session: AsyncSession, caller: Caller, sequence_id: str, params: Mapping[str, str]
) -> list[dict[str, Any]]:
    """GET /data/sequences/{sequence_id}/shots (filters allowed): as GET /data/shots for one sequence."""
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    sequence = await _typed_or_404(repo, SEQUENCE, sequence_id)
    scope = await require_member(session, caller, sequence["project_id"])
    criterions = criterions_from(params)
    criterions["parent_id"] = sequence_id
    return await _shot_rows(repo, kinds, scope, criterions)


async def sequence_scenes(session: AsyncSession, caller: Caller, sequence_id: str) -> list[dict[str, Any]]:
    """GET /data/sequences/{sequence_id}/scenes."""
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    sequence = await _typed_or_404(repo, SEQUENCE, sequence_id)
    scope = await require_member(session, caller, sequence["project_id"])
    await require_entity_access(session, scope, sequence_id)
    rows = await repo.list_entities(kinds.id(SCENE), parent_id=sequence_id)
    return await _mask_for_vendor(repo, scope, SCENE, _with_type(rows, SCENE))


async def scene_shots(session: AsyncSession, caller: Caller, scene_id: str) -> list[dict[str, Any]]:
    """GET /data/scenes/{scene_id}/shots: the shots whose source is the scene."""
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    scene = await _typed_or_404(repo, SCENE, scene_id)
    scope = await require_member(session, caller, scene["project_id"])
    await require_entity_access(session, scope, scene_id)
    return await _shot_rows(repo, kinds, None, {"source_id": scene_id})


async def shot_versions(session: AsyncSession, caller: Caller, shot_id: str) -> list[dict[str, Any]]:
    """GET /data/shots/{shot_id}/versions: the shot's recorded versions, newest first."""
    repo = ShotRepository(session)
    shot = await _typed_or_404(repo, SHOT, shot_id)
    scope = await require_member(session, caller, shot["project_id"])
    await require_entity_access(session, scope, shot_id)
    return _with_type(await repo.versions_of(shot_id), "ShotVersion")


# --- creating --------------------------------------------------------------------------


async def _get_or_create(
    repo: ShotRepository,
    type_id: str,
    project_id: str,
    name: str,
    parent_id: str | None,
    values: dict[str, Any],
    *,
    any_parent: bool = False,
) -> tuple[dict[str, Any], bool]:
    """The entity of that name under that parent, created when missing: (row, created)."""
    existing = await repo.find_by_name(type_id, project_id, name, parent_id=parent_id, any_parent=any_parent)
    if existing is not None:
        return existing, False
    row = await repo.insert(
        {"entity_type_id": type_id, "project_id": project_id, "name": name, "parent_id": parent_id, **values}
    )
    if row is None:  # created concurrently
        row = await repo.find_by_name(type_id, project_id, name, parent_id=parent_id, any_parent=any_parent)
        return row, False
    return row, True


async def _parent_in_project(
    repo: ShotRepository, kind: str, parent_id: UUID | None, project_id: str
) -> dict[str, Any] | None:
    if parent_id is None:
        return None
    parent = await _typed_or_404(repo, kind, str(parent_id))
    if parent["project_id"] != project_id:
        raise NotFound(NOT_FOUND[kind])
    return parent


async def create_episode(session: AsyncSession, caller: Caller, project_id: str, payload: Any) -> dict[str, Any]:
    """POST /data/projects/{project_id}/episodes: returns the episode of that name when it exists."""
    body = validate(NewEpisodeSchema, payload)
    await require_manager(session, caller, project_id)
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    values = {
        "status": body.status if body.status in ENTITY_STATUSES else "running",
        "description": body.description,
        "data": body.data if body.data is not None else {},
        "created_by": caller.id,
    }
    row, created = await _get_or_create(repo, kinds.id(EPISODE), project_id, body.name, None, values, any_parent=True)
    if created:
        await events.emit(session, "episode:new", {"episode_id": row["id"]}, project_id=project_id, user_id=caller.id)
    return _entity(row, EPISODE)


async def create_sequence(session: AsyncSession, caller: Caller, project_id: str, payload: Any) -> dict[str, Any]:
    """POST /data/projects/{project_id}/sequences: in an episode of the project, or at the top."""
    body = validate(NewSequenceSchema, payload)
    await require_manager(session, caller, project_id)
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    episode = await _parent_in_project(repo, EPISODE, body.episode_id, project_id)
    values = {
        "description": body.description,
        "data": body.data if body.data is not None else {},
        "created_by": caller.id,
    }
    parent_id = episode["id"] if episode else None
    row, created = await _get_or_create(repo, kinds.id(SEQUENCE), project_id, body.name, parent_id, values)
    if created:
        await events.emit(session, "sequence:new", {"sequence_id": row["id"]}, project_id=project_id, user_id=caller.id)
    return _entity(row, SEQUENCE)


async def create_shot(session: AsyncSession, caller: Caller, project_id: str, payload: Any) -> dict[str, Any]:
    """POST /data/projects/{project_id}/shots: in a sequence of the project, or outside any."""
    body = validate(NewShotSchema, payload)
    await require_manager(session, caller, project_id)
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    sequence = await _parent_in_project(repo, SEQUENCE, body.sequence_id, project_id)
    values = {
        "data": body.data if body.data is not None else {},
        "nb_frames": body.nb_frames,
        "description": body.description,
        "created_by": caller.id,
    }
    parent_id = sequence["id"] if sequence else None
    row, created = await _get_or_create(repo, kinds.id(SHOT), project_id, body.name, parent_id, values)
    if created:
        payload = {"shot_id": row["id"], "episode_id": sequence["parent_id"] if sequence else None}
        await events.emit(session, "shot:new", payload, project_id=project_id, user_id=caller.id)
    return _entity(row, SHOT)


async def create_scene(session: AsyncSession, caller: Caller, project_id: str, payload: Any) -> dict[str, Any]:
    """POST /data/projects/{project_id}/scenes: in a sequence of the project, or outside any."""
    body = validate(NewSceneSchema, payload)
    await require_manager(session, caller, project_id)
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    sequence = await _parent_in_project(repo, SEQUENCE, body.sequence_id, project_id)
    parent_id = sequence["id"] if sequence else None
    values = {"data": {}, "created_by": caller.id}
    row, created = await _get_or_create(repo, kinds.id(SCENE), project_id, body.name, parent_id, values)
    if created:
        await events.emit(session, "scene:new", {"scene_id": row["id"]}, project_id=project_id, user_id=caller.id)
    return _entity(row, SCENE)


# --- updating ----------------------------------------------------------------------------


async def update_shot(session: AsyncSession, caller: Caller, shot_id: str, payload: Any) -> dict[str, Any]:
    """PUT /data/shots/{shot_id}: managers of the project set any writable column of the shot.

    Three statements besides access: read, update, event. `data` replaces the stored
    metadata as a whole (Zou merges it only on PUT /data/entities/{id}) and goes through
    `check_entity_data`, the one rule for metadata writes. Zou answers this route with
    the generic `"type": "Entity"`, and so do we.
    """
    repo = ShotRepository(session)
    shot = await _typed_or_404(repo, SHOT, shot_id)
    scope = await require_manager(session, caller, shot["project_id"])
    body = validate(UpdateShotSchema, payload)
    values = {
        key: value
        for key, value in body.model_dump(mode="json", exclude_unset=True).items()
        if key in ENTITY_COLUMNS and key not in READ_ONLY_ON_UPDATE
    }
    if values.get("data") is not None:
        # Zou replaces `data` on this route (no merge with the stored value): no `previous`.
        values["data"] = await check_entity_data(
            session,
            scope,
            SHOT,
            shot["project_id"],
            values["data"],
            None,
            other_fields=[key for key in values if key != "data"],
            created_by=shot["created_by"],
        )
    updated = await repo.update(shot_id, values)
    await events.emit(session, "shot:update", {"shot_id": shot_id}, project_id=shot["project_id"], user_id=caller.id)
    return _entity(updated, GENERIC_TYPE)


async def _set_shot_source(
    session: AsyncSession, caller: Caller, scene_id: str, shot_id: Any, *, link: bool
) -> dict[str, Any]:
    repo = ShotRepository(session)
    scene = await _typed_or_404(repo, SCENE, scene_id)
    await require_member(session, caller, scene["project_id"])
    shot = await _typed_or_404(repo, SHOT, shot_id)
    updated = await repo.update(shot["id"], {"source_id": scene_id if link else None})
    project_id = updated["project_id"]
    await events.emit(session, "shot:update", {"shot_id": shot["id"]}, project_id=project_id, user_id=caller.id)
    name = "shot:add-to-scene" if link else "shot:remove-from-scene"
    await events.emit(
        session, name, {"scene_id": scene_id, "shot_id": shot["id"]}, project_id=project_id, user_id=caller.id
    )
    return _entity(updated, GENERIC_TYPE)


async def add_shot_to_scene(session: AsyncSession, caller: Caller, scene_id: str, payload: Any) -> dict[str, Any]:
    """POST /data/scenes/{scene_id}/shots: the scene becomes the shot's source (any project member may)."""
    body = validate(AddShotToSceneSchema, payload)
    return await _set_shot_source(session, caller, scene_id, str(body.shot_id), link=True)


async def remove_shot_from_scene(session: AsyncSession, caller: Caller, scene_id: str, shot_id: str) -> None:
    """DELETE /data/scenes/{scene_id}/shots/{shot_id}: the shot no longer has a source."""
    await _set_shot_source(session, caller, scene_id, shot_id, link=False)


async def set_shot_nb_frames(
    session: AsyncSession, caller: Caller, project_id: str, task_type_id: str, episode_id: str | None
) -> list[dict[str, Any]]:
    """POST .../task-types/{task_type_id}/set-shot-nb-frames: frame counts from the newest previews.

    Each shot of the project (of the episode, when given) with a preview on a task of that
    type gets `nb_frames = round(duration * project fps)` from its newest such preview.
    Set in one statement; as in Zou, no event is emitted.
    """
    await require_manager(session, caller, project_id)
    if episode_id == "":
        episode_id = None
    if episode_id is not None and not is_valid_id(episode_id):
        raise WrongParameter("Invalid episode id")
    repo = ShotRepository(session)
    kinds = await entity_kinds(session)
    durations = await repo.latest_preview_durations(
        project_id, task_type_id, kinds.id(SHOT), episode_id.lower() if episode_id else None
    )
    durations = [(shot_id, duration) for shot_id, duration in durations if duration is not None]
    if not durations:
        return []
    _, fps = await repo.project_fps(project_id)
    try:
        frames_per_second = float(fps)
    except (TypeError, ValueError):
        raise WrongParameter("The project has no valid fps.") from None
    updates = [{"id": shot_id, "nb_frames": round(duration * frames_per_second)} for shot_id, duration in durations]
    await repo.set_nb_frames([(u["id"], u["nb_frames"]) for u in updates])
    return updates
