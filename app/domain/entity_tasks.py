"""Entities with their tasks: the production boards, per-entity task lists, task creation.

Boards (`/data/<kinds>/with-tasks`) are what the Kitsu UI loads for every production
page: each entity row with its tasks nested, in Zou's exact shapes (each kind has its
own entity keys and task keys). A board costs a fixed number of statements whatever the
production's size: the entities, then their tasks, which PostgreSQL renders as one JSON
list per entity (assignees and the caller's subscriptions folded in) that the answer
embeds as is (`orjson.Fragment`). Thousands of tasks thus never become Python objects.
A caller that needs a board as data rather than as an answer decodes it whole:
`orjson.loads(app.core.responses.dumps(rows))`.

Access follows Zou: a board filtered on a project needs the caller on its team (admins
need nothing, even for an unknown project); without a project only admins may list,
except assets, which non-admins list across their own projects. Vendors only see what
they are assigned to, without the metadata of departments that are not theirs; clients
get the studio side of each task blank.

The shot and asset boards also answer Kitsu's conditional GETs: with a `project_id` they
carry an ETag built from a cheap fingerprint of the project, and `If-None-Match` with
that ETag answers 304 without building the board. `compact=true` turns rows into value
lists (field names in the header) and `stream=true` into NDJSON lines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import InvalidBody, NotFound, PermissionDenied, WrongParameter
from app.domain import events
from app.domain.access import ProjectScope, require_entity_access, require_member
from app.domain.entity_kinds import (
    ASSET,
    CONCEPT,
    EDIT,
    EPISODE,
    SCENE,
    SEQUENCE,
    SHOT,
    entity_kinds,
)
from app.domain.metadata_descriptors import vendor_hidden_fields, without_hidden
from app.domain.permissions import ADMIN, CLIENT, VENDOR, Caller
from app.domain.task_fields import (
    ASSET_TASK_FIELDS,
    CONCEPT_TASK_FIELDS,
    EDIT_TASK_FIELDS,
    ENTITY_TASK_FIELDS,
    SHOT_TASK_FIELDS,
    blank_for_client,
)
from app.repositories import entity_tasks as q
from app.repositories.entity_tasks import TASK_COLUMNS, EntityTasksRepository, Selection, TaskQuery

OPEN_STATUS = "Open"
EPISODE_SENTINELS = ("all", "main")
_UUID = re.compile(r"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")

# Entity keys of the compact encodings (the header names them, rows hold the values).
SHOT_FIELDS = (
    "canceled",
    "data",
    "description",
    "entity_type_id",
    "episode_id",
    "episode_name",
    "fps",
    "frame_in",
    "frame_out",
    "id",
    "name",
    "nb_frames",
    "parent_id",
    "preview_file_id",
    "project_id",
    "project_name",
    "sequence_id",
    "sequence_name",
    "source_id",
    "nb_entities_out",
    "is_casting_standby",
    "type",
    "tasks",
)
_SHOT_COLUMNS = SHOT_FIELDS[:-2]  # the shot's own keys, before `type` and `tasks`
ASSET_FIELDS = (
    "id",
    "name",
    "preview_file_id",
    "description",
    "asset_type_name",
    "asset_type_id",
    "canceled",
    "ready_for",
    "episode_id",
    "casting_episode_ids",
    "is_casting_standby",
    "is_shared",
    "data",
    "tasks",
)


@dataclass(slots=True)
class Board:
    """A board ready to send: plain rows, or (`header` set) the compact/streamed form."""

    rows: list[Any] = field(default_factory=list)
    header: dict[str, Any] | None = None
    stream: bool = False
    etag: str | None = None
    not_modified: bool = False

    def body(self) -> Any:
        """The JSON body when not streamed."""
        return self.rows if self.header is None else {**self.header, "rows": self.rows}


# --- helpers ---------------------------------------------------------------


def is_valid_id(value: Any) -> bool:
    return isinstance(value, str) and _UUID.match(value) is not None


def _criterions(params: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in params.items() if key != "page"}


def _check_id_format(criterions: Mapping[str, Any], names: Sequence[str] = ("id", "project_id", "episode_id")) -> None:
    """Zou's `check_criterion_id_format`: id filters must be UUIDs (episode: also all/main)."""
    for name in names:
        value = criterions.get(name)
        if value is None or (name == "episode_id" and value in EPISODE_SENTINELS):
            continue
        if not is_valid_id(value):
            raise WrongParameter(f"Invalid UUID format for {name}: {value}")


async def _board_role(session: AsyncSession, caller: Caller, project_id: str | None) -> str:
    """Zou's `check_project_access` on a board's project: the caller's effective role there.

    Admins pass whatever the project (an unknown one gives an empty board); anyone else
    needs a project whose team they are on."""
    if caller.is_admin:
        return ADMIN
    if project_id is None:
        raise PermissionDenied()
    return (await require_member(session, caller, project_id)).role


def _task_query(caller: Caller, role: str, fields: Sequence[str], project_id: str | None) -> TaskQuery:
    return TaskQuery(
        fields=fields,
        person_id=caller.id,
        subscriptions=project_id is not None,
        assigned_only=role == VENDOR,
        blank_for_client=role == CLIENT,
    )


EMPTY_TASKS = orjson.Fragment(b"[]")


def _fragments(tasks: dict[str, str]) -> dict[str, orjson.Fragment]:
    """Each entity's tasks as JSON rendered by PostgreSQL, embedded as is in the answer."""
    return {entity_id: orjson.Fragment(text) for entity_id, text in tasks.items()}


async def _hidden_fields(session: AsyncSession, caller: Caller, role: str, kind: str, project_ids: set[str]):
    """For a vendor: project id -> the metadata fields they may not read; None for anyone else."""
    if role != VENDOR:
        return None
    return await vendor_hidden_fields(session, caller, kind, project_ids)


def _data(value: Any, hidden: dict[str, set[str]] | None, project_id: str) -> dict[str, Any]:
    return without_hidden(value, hidden.get(project_id) if hidden else None)


async def _etag(repo: EntityTasksRepository, caller: Caller, role: str, criterions: Mapping[str, Any]) -> str | None:
    project_id = criterions.get("project_id")
    if project_id is None:
        return None
    fingerprint = await repo.board_fingerprint(project_id, caller.id)
    raw = "|".join(
        (
            fingerprint,
            caller.id,
            role,
            orjson.dumps(sorted(criterions.items()), option=orjson.OPT_NON_STR_KEYS).decode(),
        )
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an `If-None-Match` header holds the (strong) ETag, or `*`."""
    if not if_none_match:
        return False
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag == f'"{etag}"':
            return True
    return False


def _split_options(criterions: dict[str, str]) -> tuple[bool, bool]:
    """Pop Kitsu's response options (they are not filters): (stream, compact)."""
    stream = criterions.pop("stream", "false") == "true"
    compact = criterions.pop("compact", "false") == "true"
    return stream, compact


def _vendor_scope(criterions: dict[str, Any], caller: Caller, role: str) -> bool:
    """Zou's `scope_criterions_to_vendor`: a vendor lists what they are assigned to."""
    if role != VENDOR:
        return False
    criterions["assigned_to"] = caller.id
    criterions["vendor_departments"] = list(caller.department_ids)
    return True


def _selection(
    source: Any, kind: Any, criterions: Mapping[str, Any], episode_parent: Any = None, *, by_id: bool = True
) -> Selection:
    """The entities a board lists: those meeting `kind`, then Zou's `id` (unless `by_id` is
    False), `project_id` and, given the column naming the episode, `episode_id` criterions
    ("main": no episode, "all": any)."""
    selection = Selection(source, [kind])
    if by_id and "id" in criterions:
        selection.where.append(q.entity.c.id == criterions["id"])
    if criterions.get("project_id") is not None:
        selection.where.append(q.entity.c.project_id == criterions["project_id"])
    episode_id = criterions.get("episode_id") if episode_parent is not None else None
    if episode_id == "main":
        selection.where.append(episode_parent.is_(None))
    elif episode_id is not None and episode_id != "all":
        selection.where.append(episode_parent == episode_id)
    return selection


# --- shots -------------------------------------------------------------------


async def shots_with_tasks(
    session: AsyncSession, caller: Caller, params: Mapping[str, str], if_none_match: str | None = None
) -> Board:
    criterions = _criterions(params)
    stream, compact = _split_options(criterions)
    _check_id_format(criterions)
    project_id = criterions.get("project_id")
    role = await _board_role(session, caller, project_id)
    vendor = _vendor_scope(criterions, caller, role)
    repo = EntityTasksRepository(session)
    etag = await _etag(repo, caller, role, criterions)
    if etag is not None and etag_matches(if_none_match, etag):
        return Board(etag=etag, not_modified=True)

    kinds = await entity_kinds(session)
    shot_kind = q.entity.c.entity_type_id == kinds.id(SHOT)
    selection = _selection(q.shot_source(), shot_kind, criterions, q.sequence.c.parent_id)
    if vendor:
        selection.where.append(q.has_assigned_task(caller.id))

    shots = await repo.shot_rows(selection)
    query = _task_query(caller, role, SHOT_TASK_FIELDS, project_id)
    tasks = _fragments(await repo.board_tasks(selection, query, compact))
    hidden = await _hidden_fields(session, caller, role, SHOT, {row[11] for row in shots})
    rows = []
    for (
        canceled,
        raw_data,
        description,
        entity_type_id,
        episode_id_,
        episode_name,
        shot_id,
        name,
        nb_frames,
        parent_id,
        preview_file_id,
        shot_project_id,
        project_name,
        sequence_id,
        sequence_name,
        source_id,
        nb_entities_out,
        is_casting_standby,
    ) in shots:
        data = _data(raw_data, hidden, shot_project_id)
        values = (
            canceled,
            data,
            description,
            entity_type_id,
            episode_id_,
            episode_name or "",
            data.get("fps"),
            data.get("frame_in"),
            data.get("frame_out"),
            shot_id,
            name,
            nb_frames,
            parent_id,
            preview_file_id,
            shot_project_id,
            project_name,
            sequence_id,
            sequence_name,
            source_id,
            nb_entities_out,
            is_casting_standby,
        )
        shot_tasks = tasks.get(shot_id, EMPTY_TASKS)
        if compact:
            rows.append([*values, "Shot", shot_tasks])
        else:
            row = dict(zip(_SHOT_COLUMNS, values, strict=True))
            row["tasks"] = shot_tasks  # a board row ends with `tasks` then `type`, as Zou's does
            row["type"] = "Shot"
            rows.append(row)
    return _board(
        rows, stream, compact, etag, {"shot_fields": list(SHOT_FIELDS), "task_fields": list(SHOT_TASK_FIELDS)}
    )


def _board(rows: list, stream: bool, compact: bool, etag: str | None, fields: dict[str, list[str]]) -> Board:
    if not stream and not compact:
        return Board(rows, etag=etag)
    header: dict[str, Any] = {"compact": compact}
    if compact:
        header.update(fields)
    return Board(rows, header=header, stream=stream, etag=etag)


# --- assets ------------------------------------------------------------------


async def _typed_entity(session: AsyncSession, entity_id: str, kind: str | None) -> dict[str, Any]:
    """The entity of this kind ("Shot", "Asset" for any asset type...), or 404."""
    row = await EntityTasksRepository(session).entity(entity_id) if is_valid_id(entity_id) else None
    if row is not None:
        kinds = await entity_kinds(session)
        if kind is None or kinds.kind_of(row["entity_type_id"]) == kind:
            return row
    raise NotFound(f"{kind or 'Entity'} not found.")


async def assets_with_tasks(
    session: AsyncSession, caller: Caller, params: Mapping[str, str], if_none_match: str | None = None
) -> Board:
    criterions = _criterions(params)
    stream, compact = _split_options(criterions)
    _check_id_format(criterions)
    project_id = criterions.get("project_id")
    episode_id = criterions.get("episode_id")
    if project_id is not None:
        role = await _board_role(session, caller, project_id)
    elif episode_id is not None:
        episode = await _typed_entity(session, episode_id, EPISODE)
        role = await _board_role(session, caller, episode["project_id"])
    else:
        role = caller.role  # no project: the listing is narrowed to the caller's projects below
    vendor = _vendor_scope(criterions, caller, role)
    repo = EntityTasksRepository(session)
    etag = await _etag(repo, caller, role, criterions)
    if etag is not None and etag_matches(if_none_match, etag):
        return Board(etag=etag, not_modified=True)

    kinds = await entity_kinds(session)
    selection = _selection(q.asset_source(), q.kind_filter(kinds.temporal_ids, asset=True), criterions)
    if episode_id == "main":
        selection.where.append(q.entity.c.source_id.is_(None))
    elif episode_id is not None and episode_id != "all":
        selection.where.append(or_(q.entity.c.source_id == episode_id, q.cast_in_episode(episode_id)))
    if vendor:
        selection.where.append(q.has_assigned_task(caller.id))
    if not caller.is_admin:
        selection.where.append(q.team_exists(q.entity.c.project_id, caller.id))

    assets = await repo.asset_rows(selection)
    query = _task_query(caller, role, ASSET_TASK_FIELDS, project_id)
    tasks = _fragments(await repo.board_tasks(selection, query, compact))
    casting: dict[str, list[str]] = {}
    if project_id is not None:
        casting = await repo.casting_episode_ids(
            kinds.id(EPISODE),
            project_id,
            episode_id if episode_id not in (None, *EPISODE_SENTINELS) else None,
            criterions.get("id"),
        )
    hidden = await _hidden_fields(session, caller, role, ASSET, {row[12] for row in assets})
    rows = []
    for (
        asset_id,
        name,
        preview_file_id,
        description,
        asset_type_name,
        asset_type_id,
        canceled,
        ready_for,
        source_id,
        is_casting_standby,
        is_shared,
        raw_data,
        asset_project_id,
    ) in assets:
        values = (
            asset_id,
            name,
            preview_file_id or "",
            description,
            asset_type_name,
            asset_type_id,
            canceled,
            str(ready_for),  # Zou sends "None" for an asset ready for nothing
            source_id or "",
            casting.get(asset_id, []),
            is_casting_standby,
            is_shared,
            _data(raw_data, hidden, asset_project_id),
            tasks.get(asset_id, EMPTY_TASKS),
        )
        rows.append(list(values) if compact else dict(zip(ASSET_FIELDS, values, strict=True)))
    return _board(
        rows, stream, compact, etag, {"asset_fields": list(ASSET_FIELDS), "task_fields": list(ASSET_TASK_FIELDS)}
    )


# --- edits and concepts --------------------------------------------------------


async def edits_with_tasks(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict[str, Any]]:
    criterions = _criterions(params)
    _check_id_format(criterions)
    project_id = criterions.get("project_id")
    role = await _board_role(session, caller, project_id)
    vendor = _vendor_scope(criterions, caller, role)
    kinds = await entity_kinds(session)
    edit_kind = q.entity.c.entity_type_id == kinds.id(EDIT)
    selection = _selection(q.edit_source(), edit_kind, criterions, q.entity.c.parent_id)
    if vendor:
        selection.where.append(q.has_assigned_task(caller.id))

    repo = EntityTasksRepository(session)
    edits = await repo.edit_rows(selection)
    tasks = _fragments(await repo.board_tasks(selection, _task_query(caller, role, EDIT_TASK_FIELDS, project_id)))
    hidden = await _hidden_fields(session, caller, role, EDIT, {row[10] for row in edits})
    return [
        {
            "canceled": canceled,
            "data": _data(raw_data, hidden, edit_project_id),
            "description": description,
            "entity_type_id": entity_type_id,
            "episode_id": episode_id_,
            "episode_name": episode_name or "",
            "id": edit_id,
            "name": name,
            "parent_id": parent_id,
            "preview_file_id": preview_file_id,
            "project_id": edit_project_id,
            "project_name": project_name,
            "source_id": source_id,
            "nb_entities_out": nb_entities_out,
            "tasks": tasks.get(edit_id, EMPTY_TASKS),
            "type": "Edit",
        }
        for (
            canceled,
            raw_data,
            description,
            entity_type_id,
            episode_id_,
            episode_name,
            edit_id,
            name,
            parent_id,
            preview_file_id,
            edit_project_id,
            project_name,
            source_id,
            nb_entities_out,
        ) in edits
    ]


async def concepts_with_tasks(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict[str, Any]]:
    criterions = _criterions(params)
    _check_id_format(criterions, ("id", "project_id"))
    project_id = criterions.get("project_id")
    role = await _board_role(session, caller, project_id)
    if role in (VENDOR, CLIENT):
        raise PermissionDenied()
    kinds = await entity_kinds(session)
    selection = _selection(q.concept_source(), q.entity.c.entity_type_id == kinds.id(CONCEPT), criterions)

    repo = EntityTasksRepository(session)
    concepts = await repo.concept_rows(selection)
    query = _task_query(caller, role, CONCEPT_TASK_FIELDS, project_id)
    tasks = _fragments(await repo.board_tasks(selection, query))
    links = await repo.concept_links(selection)
    rows = []
    for (
        canceled,
        raw_data,
        description,
        entity_type_id,
        concept_id,
        name,
        nb_frames,
        parent_id,
        preview_file_id,
        preview_file_status,
        concept_project_id,
        project_name,
        source_id,
        nb_entities_out,
        is_casting_standby,
        created_at,
        updated_at,
        created_by,
    ) in concepts:
        data = raw_data or {}
        rows.append(
            {
                "canceled": canceled,
                "data": data,
                "description": description,
                "entity_type_id": entity_type_id,
                "fps": data.get("fps"),
                "frame_in": data.get("frame_in"),
                "frame_out": data.get("frame_out"),
                "id": concept_id,
                "name": name,
                "nb_frames": nb_frames,
                "parent_id": parent_id,
                "preview_file_id": preview_file_id,
                "preview_file_status": preview_file_status,
                "project_id": concept_project_id,
                "project_name": project_name,
                "source_id": source_id,
                "nb_entities_out": nb_entities_out,
                "is_casting_standby": is_casting_standby,
                "tasks": tasks.get(concept_id, EMPTY_TASKS),
                "entity_concept_links": links.get(concept_id, []),
                "type": "Concept",
                "updated_at": updated_at,
                "created_at": created_at,
                "created_by": created_by,
            }
        )
    return rows


# --- sequences, episodes, scenes ---------------------------------------------------


async def _entities_with_tasks(
    session: AsyncSession, caller: Caller, params: Mapping[str, str], kind: str
) -> list[dict[str, Any]]:
    """Zou's generic board (`get_entities_and_tasks`) for sequences, episodes and scenes."""
    criterions = _criterions(params)
    _check_id_format(criterions, ("project_id", "episode_id"))
    project_id = criterions.get("project_id")
    role = await _board_role(session, caller, project_id)
    if kind == SCENE and role == VENDOR:
        raise PermissionDenied()
    kinds = await entity_kinds(session)
    of_kind = q.entity.c.entity_type_id == kinds.id(kind)
    selection = _selection(q.plain_source(), of_kind, criterions, q.entity.c.parent_id, by_id=False)
    vendor = role == VENDOR
    if vendor:
        # Vendors see the sequences (episodes) holding a shot (or, for episodes, an asset)
        # with a task assigned to them, and only their own tasks there.
        assigned = q.episode_has_assigned_task if kind == EPISODE else q.child_has_assigned_task
        selection.where.append(assigned(caller.id))

    repo = EntityTasksRepository(session)
    entities = await repo.plain_rows(selection)
    query = _task_query(caller, role, ENTITY_TASK_FIELDS, project_id)
    tasks = _fragments(await repo.board_tasks(selection, query))
    hidden = await _hidden_fields(session, caller, role, kind, {row[8] for row in entities})
    rows = []
    for entity_id, name, status, parent_id, description, raw_data, preview_file_id, canceled, row_project in entities:
        data = _data(raw_data, hidden, row_project)
        rows.append(
            {
                "id": entity_id,
                "name": name,
                "status": status or "running",
                "episode_id": str(parent_id),  # "None" without a parent, as Zou sends it
                "description": description,
                "frame_in": data.get("frame_in"),
                "frame_out": data.get("frame_out"),
                "fps": data.get("fps"),
                "preview_file_id": preview_file_id or "",
                "canceled": canceled,
                "data": data,
                "tasks": tasks.get(entity_id, EMPTY_TASKS),
            }
        )
    return rows


async def sequences_with_tasks(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict]:
    return await _entities_with_tasks(session, caller, params, SEQUENCE)


async def episodes_with_tasks(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict]:
    return await _entities_with_tasks(session, caller, params, EPISODE)


async def scenes_with_tasks(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict]:
    return await _entities_with_tasks(session, caller, params, SCENE)


# --- one entity: its tasks and task types -------------------------------------------


async def _entity_access(
    session: AsyncSession, caller: Caller, entity_id: str, kind: str | None
) -> tuple[dict[str, Any], ProjectScope]:
    """The entity (of this kind) and the caller's scope on its project, after Zou's checks:
    project access, then entity access (a vendor needs a task assigned on it)."""
    row = await _typed_entity(session, entity_id, kind)
    scope = await require_member(session, caller, row["project_id"])
    await require_entity_access(session, scope, entity_id)
    return row, scope


def present_task(row: dict[str, Any]) -> dict[str, Any]:
    """A task row as Zou serializes it: its columns, then `type`."""
    return {**{name: row[name] for name in TASK_COLUMNS}, "type": "Task"}


def _detailed(rows: list[dict[str, Any]], scope: ProjectScope, relations: bool) -> list[dict[str, Any]]:
    tasks = []
    for row in rows:
        task = present_task(row)
        task["project_name"] = row["project_name"]
        task["task_type_name"] = row["task_type_name"]
        task["task_status_name"] = row["task_status_name"]
        task["entity_type_name"] = row["entity_type_name"]
        task["entity_name"] = row["entity_name"]
        if relations:
            task["assignees"] = row["assignees"] or []
        tasks.append(task)
    tasks.sort(
        key=lambda t: (
            t["name"].casefold(),
            t["project_name"].casefold(),
            t["task_type_name"].casefold(),
            t["entity_type_name"].casefold(),
            t["entity_name"].casefold(),
        )
    )
    if scope.is_client:
        return [blank_for_client(task) for task in tasks]
    return tasks


async def entity_tasks(
    session: AsyncSession, caller: Caller, kind: str, entity_id: str, relations: bool = False
) -> list[dict[str, Any]]:
    """`/data/<kinds>/{id}/tasks`: the entity's tasks with names of what they point at."""
    row, scope = await _entity_access(session, caller, entity_id, kind)
    if kind == CONCEPT and scope.is_client:
        raise PermissionDenied()
    repo = EntityTasksRepository(session)
    if kind in (SEQUENCE, EPISODE) and scope.is_vendor:
        rows = await repo.assigned_open_tasks(entity_id, caller.id, OPEN_STATUS)
        return [present_task(r) for r in rows]
    rows = await repo.detailed_tasks([q.task.c.entity_id == entity_id], relations)
    return _detailed(rows, scope, relations)


async def entity_task_types(session: AsyncSession, caller: Caller, kind: str, entity_id: str) -> list[dict[str, Any]]:
    """`/data/<kinds>/{id}/task-types`: the task types of the entity's tasks (for a sequence,
    of its shots' tasks; for an episode, of the tasks of its sequences' shots)."""
    _, scope = await _entity_access(session, caller, entity_id, kind)
    if kind == CONCEPT and scope.is_client:
        raise PermissionDenied()
    if kind == SEQUENCE:
        entity_ids = q.children_of(entity_id)
    elif kind == EPISODE:
        entity_ids = q.grandchildren_of(entity_id)
    else:
        entity_ids = q.single(entity_id)
    rows = await EntityTasksRepository(session).task_types_of(entity_ids)
    return [{**row, "type": "TaskType"} for row in rows]


async def child_tasks(
    session: AsyncSession, caller: Caller, kind: str, entity_id: str, children: str, relations: bool = False
) -> list[dict[str, Any]]:
    """Tasks of a sequence's shots, or of an episode's shots, edits or assets (no vendors)."""
    _, scope = await _entity_access(session, caller, entity_id, kind)
    if scope.is_vendor:
        raise PermissionDenied()
    kinds = await entity_kinds(session)
    where = {
        (SEQUENCE, SHOT): lambda: [q.entity.c.parent_id == entity_id],
        (EPISODE, SHOT): lambda: [q.entity.c.id.in_(q.grandchildren_of(entity_id))],
        (EPISODE, EDIT): lambda: [q.entity.c.entity_type_id == kinds.id(EDIT), q.entity.c.parent_id == entity_id],
        (EPISODE, ASSET): lambda: [
            q.kind_filter(kinds.temporal_ids, asset=True),
            q.entity.c.source_id == entity_id,
        ],
    }[(kind, children)]()
    rows = await EntityTasksRepository(session).detailed_tasks(where, relations)
    return _detailed(rows, scope, relations)


# --- entities linked to an entity through concepts ---------------------------------


async def linked_entities_with_tasks(session: AsyncSession, caller: Caller, entity_id: str) -> list[dict[str, Any]]:
    """The entities (concepts) linked to the given one, each with its tasks and links."""
    await _entity_access(session, caller, entity_id, None)
    repo = EntityTasksRepository(session)
    kinds = await entity_kinds(session)
    entities = await repo.concept_linked_entities(entity_id)
    ids = [row["id"] for row in entities]
    tasks: dict[str, list[dict[str, Any]]] = {}
    for row in await repo.linked_entity_tasks(ids):
        row["assignees"] = row["assignees"] or []
        tasks.setdefault(row["entity_id"], []).append(row)
    links = await repo.concept_links_of(ids)
    rows = []
    for row in entities:
        data = row["data"] or {}
        rows.append(
            {
                "canceled": row["canceled"],
                "data": data,
                "description": row["description"],
                "entity_type_id": row["entity_type_id"],
                "fps": data.get("fps"),
                "frame_in": data.get("frame_in"),
                "frame_out": data.get("frame_out"),
                "id": row["id"],
                "name": row["name"],
                "nb_frames": row["nb_frames"],
                "parent_id": row["parent_id"],
                "preview_file_id": row["preview_file_id"],
                "project_id": row["project_id"],
                "project_name": row["project_name"],
                "source_id": row["source_id"],
                "nb_entities_out": row["nb_entities_out"],
                "is_casting_standby": row["is_casting_standby"],
                "tasks": tasks.get(row["id"], []),
                "entity_concept_links": links.get(row["id"], []),
                "type": kinds.kind_of(row["entity_type_id"]),
                "updated_at": row["updated_at"],
                "created_at": row["created_at"],
                "created_by": row["created_by"],
            }
        )
    return rows


# --- task creation -----------------------------------------------------------------


async def _default_status(repo: EntityTasksRepository, for_concept: bool) -> dict[str, Any]:
    """The status new tasks start on (created on first use, as Zou does)."""
    status = await repo.default_task_status(for_concept)
    if status is None:
        name, short, color = ("Neutral", "neutral", "#CCCCCC") if for_concept else ("Todo", "todo", "#f5f5f5")
        status = await repo.task_status_by(name=name, short_name=short, for_concept=for_concept)
        if status is None:
            status = await repo.insert_task_status(
                {
                    "name": name,
                    "short_name": short,
                    "color": color,
                    "is_default": True,
                    "for_concept": for_concept,
                    "is_done": False,
                    "is_retake": False,
                    "is_feedback_request": False,
                    "is_wip": False,
                    "is_artist_allowed": True,
                    "is_client_allowed": True,
                }
            )
    return status


def _created_task(row: dict[str, Any], task_type: dict[str, Any], status: dict[str, Any]) -> dict[str, Any]:
    """What Zou answers for a task it just created."""
    return {
        **present_task(row),
        "assignees": [],
        "task_status_id": status["id"],
        "task_status_name": status["name"],
        "task_status_short_name": status["short_name"],
        "task_status_color": status["color"],
        "task_type_id": task_type["id"],
        "task_type_name": task_type.get("name", ""),
        "task_type_color": task_type.get("color", ""),
        "task_type_priority": task_type.get("priority", ""),
    }


async def create_entity_tasks(
    session: AsyncSession, caller: Caller, entity_id: str, task_type_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """`POST /data/entities/{id}/tasks`: one `main` task per task type, skipping existing ones.

    Without task types, every type valid for the entity is used: enabled in the project, in
    the asset type's workflow (assets whose type has one), meant for the entity's kind. Given
    task types must meet the same rules (400 otherwise)."""
    entity, scope = await _entity_access(session, caller, entity_id, None)
    if scope.is_vendor or scope.is_client:
        raise PermissionDenied()
    repo = EntityTasksRepository(session)
    kinds = await entity_kinds(session)
    entity_kind = kinds.kind_of(entity["entity_type_id"])
    is_asset = entity_kind == ASSET
    enabled, in_workflow = await repo.creation_context(
        entity["project_id"], entity["entity_type_id"] if is_asset else None
    )
    workflow = in_workflow or None  # an asset type without workflow accepts every task type

    wanted = list(dict.fromkeys(task_type_ids))
    if wanted:
        found = {row["id"]: row for row in await repo.task_types([i for i in wanted if is_valid_id(i)])}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise NotFound("Task type not found.")
        task_types = [found[i] for i in wanted]
        for tt in task_types:
            expected = tt.get("for_entity")
            if expected and expected != entity_kind:
                raise WrongParameter(f"Task type {tt['id']} is for {expected} entities, got {entity_kind}.")
            if tt["id"] not in enabled:
                raise WrongParameter(f"Task type {tt['id']} is not enabled in project {entity['project_id']}.")
            if workflow is not None and tt["id"] not in workflow:
                raise WrongParameter(
                    f"Task type {tt['id']} is not in the workflow of asset type {entity['entity_type_id']}."
                )
    else:
        candidates = enabled & workflow if workflow is not None else enabled
        task_types = [
            tt
            for tt in await repo.task_types(candidates)
            if not tt.get("for_entity") or tt["for_entity"] == entity_kind
        ]
        task_types.sort(key=lambda tt: (tt.get("priority") or 0, tt["name"]))
        if not task_types:
            return []

    existing = await repo.existing_main_task_types(entity_id, [tt["id"] for tt in task_types])
    new_types = [tt for tt in task_types if tt["id"] not in existing]
    if not new_types:
        return []
    status = await _default_status(repo, entity["entity_type_id"] == kinds.id(CONCEPT))
    rows = await repo.insert_tasks(
        [
            {
                "name": "main",
                "duration": 0,
                "estimation": 0,
                "completion_rate": 0,
                "retake_count": 0,
                "sort_order": 0,
                "priority": 0,
                "difficulty": 3,
                "nb_assets_ready": 0,
                "nb_drawings": 0,
                "project_id": entity["project_id"],
                "task_type_id": tt["id"],
                "task_status_id": status["id"],
                "entity_id": entity_id,
                "assigner_id": caller.id,
            }
            for tt in new_types
        ]
    )
    await events.emit_many(
        session, [("task:new", {"task_id": row["id"]}, row["project_id"]) for row in rows], user_id=caller.id
    )
    return [_created_task(row, tt, status) for row, tt in zip(rows, new_types, strict=True)]


# --- POST /data/tasks -----------------------------------------------------------------


class TaskTypeMismatch(WrongParameter):
    """The task type is meant for another kind of entity (Zou answers without `data`)."""

    def __init__(self) -> None:
        super().__init__("Task type of the task does not match entity type.")

    def body(self) -> dict:
        return {"error": True, "message": self.message}


_SERVER_SET = ("id", "created_at", "updated_at", "type")


async def create_task(session: AsyncSession, caller: Caller, body: Any) -> dict[str, Any]:
    """`POST /data/tasks`: one task on an entity, with its assignees; 201 with the task.

    Zou lets any logged-in person call it; here the caller needs what creating the tasks
    of an entity needs (`POST /data/entities/{id}/tasks`): access to the entity's project,
    not as a vendor or a client. The task always lands in its entity's project, and starts
    on the default status when none is given (Zou would store none)."""
    if not isinstance(body, dict):
        raise WrongParameter("A JSON object is expected.")
    for key in ("task_type_id", "entity_id"):
        if not is_valid_id(body.get(key)):
            raise WrongParameter(f"A valid {key} is required.")
    data = {key: value for key, value in body.items() if key not in _SERVER_SET}
    data["name"] = data.get("name") or "main"
    assignees = data.pop("assignees", None)
    if assignees is not None and not isinstance(assignees, list):
        raise WrongParameter("assignees must be a list.")
    unknown = [key for key in data if key not in TASK_COLUMNS]
    if unknown:
        raise InvalidBody(f"'{unknown[0]}' is an invalid keyword argument for Task")

    repo = EntityTasksRepository(session)
    found = await repo.task_types([data["task_type_id"]])
    if not found:
        raise NotFound("Task type not found.")
    task_type = found[0]
    entity, scope = await _entity_access(session, caller, data["entity_id"], None)
    if scope.is_vendor or scope.is_client:
        raise PermissionDenied()
    kinds = await entity_kinds(session)
    for_entity = task_type.get("for_entity")
    if for_entity == ASSET:
        matches = kinds.is_asset_type(entity["entity_type_id"])
    else:
        matches = for_entity is not None and kinds.by_kind.get(for_entity) == entity["entity_type_id"]
    if not matches:
        raise TaskTypeMismatch()

    person_ids: list[str] = []
    if assignees:
        wanted = [str(a["id"] if isinstance(a, dict) else a) for a in assignees]
        person_ids, has_preview_account = await repo.existing_person_ids([a for a in wanted if is_valid_id(a)])
        if has_preview_account:
            raise WrongParameter("A preview account can't be assigned")
    try:
        values = q.coerce_task_values(data)
    except ValueError as exc:
        raise InvalidBody(f"Invalid value for field {exc.args[0]}.") from None
    values["project_id"] = entity["project_id"]
    if values.get("task_status_id") is None:
        values["task_status_id"] = (await _default_status(repo, entity["entity_type_id"] == kinds.id(CONCEPT)))["id"]
    if await repo.task_exists(values["name"], values["project_id"], values["task_type_id"], values["entity_id"]):
        raise InvalidBody("Task already exists.")
    row = (await repo.insert_tasks([values]))[0]
    await repo.set_assignees(row["id"], person_ids)
    await events.emit(session, "task:new", {"task_id": row["id"]}, project_id=row["project_id"], user_id=caller.id)
    task = {name: row[name] for name in TASK_COLUMNS if name not in ("id", "created_at", "updated_at")}
    task["assignees"] = person_ids
    return {**task, "id": row["id"], "created_at": row["created_at"], "updated_at": row["updated_at"], "type": "Task"}
