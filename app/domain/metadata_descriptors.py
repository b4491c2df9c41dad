"""Metadata descriptors: the custom columns of a production and the values kept under them.

A descriptor names a key (`field_name`, slugified from its name) of the `data` JSON of the
project (entity type "Project"), of its entities ("Asset", "Shot", "Edit", "Episode",
"Sequence") or of its tasks of one task type ("Task"). Renaming a descriptor moves the stored
values to the new key; deleting it removes them. Clients read only the descriptors published to
them (`for_client`), vendors only the ones of no department or of one of theirs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from slugify import slugify as make_slug
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.domain import events
from app.domain.access import ProjectScope, project_scope, require_manager, require_member
from app.domain.crud import CrudContext, Hooks
from app.domain.entity_kinds import ASSET, EDIT, EPISODE, SCENE, SEQUENCE, SHOT, entity_kinds
from app.domain.permissions import CLIENT, VENDOR, Caller, manager_up, require
from app.repositories.metadata_descriptors import DataTarget, MetadataDescriptorRepository, listing_scope

TYPE_NAME = "MetadataDescriptor"
DATA_TYPES = ("string", "number", "list", "taglist", "boolean", "checklist", "date", "url", "textarea", "person")
PROJECT_ENTITY_TYPES = ("Asset", "Shot", "Edit", "Episode", "Sequence", "Project", "Task")
ALL_PROJECTS_ENTITY_TYPES = ("Asset", "Shot", "Edit", "Episode", "Sequence", "Project")
WRONG_ENTITY_TYPE = "Wrong entity type. Please select Asset, Shot, Sequence, Episode, Edit, Project, or Task."
WRONG_ALL_PROJECTS_ENTITY_TYPE = "Wrong entity type. Please select Asset, Shot, Sequence, Episode, Edit, or Project."
INVALID_DATA_TYPE = "Invalid data_type"
ALREADY_EXISTS = "Metadata descriptor already exists."
TOO_LONG = "Metadata descriptor name is too long."
NAME_MAX, FIELD_NAME_MAX = 120, 120
NOT_FOUND_MESSAGE = "Metadata descriptor not found."
DEPARTMENT_NOT_FOUND = "Department not found."
# Entity kinds whose supervisors may edit the values of the descriptors of their departments.
DEPARTMENT_SCOPED_KINDS = (SHOT, ASSET, EDIT)

# --- field names -----------------------------------------------------------------------------


def slugify(name: str) -> str:
    """Zou's field name for a descriptor name: python-slugify with `_` as separator.

    "Difficulté Level!" -> "difficulte_level"; other scripts are transliterated.
    """
    return make_slug(name, separator="_")


# --- entity data -------------------------------------------------------------------------------


async def check_entity_data(
    session: AsyncSession,
    scope: ProjectScope,
    entity_kind: str,
    project_id: str,
    data: dict[str, Any] | None,
    previous: dict[str, Any] | None,
    *,
    other_fields: Iterable[str] = (),
    created_by: str | None = None,
) -> dict[str, Any]:
    """Check who may write an entity's `data` and return the merged `data` to store.

    This is Zou's rule for `PUT /data/entities/{id}` (`check_metadata_department_access`):

    - admins, team members whose effective role is manager, and team members who created the
      entity (`created_by`) may change anything;
    - a team member whose effective role is supervisor may change `data` only, and nothing else
      (`other_fields` lists the other keys of the request body): a supervisor of no department
      may write any key; otherwise every key written must be the field name of a descriptor of
      `entity_kind` in the project listing one of the supervisor's departments. Only "Asset",
      "Shot" and "Edit" descriptors grant this; an empty `data` grants nothing;
    - anyone else is refused (PermissionDenied).

    Zou validates nothing else: values are neither checked against the descriptor's
    `data_type` nor against its `choices`, and keys without a descriptor are kept, so none of
    that is checked here either. The returned dict is `previous` updated with `data` (keys
    absent from `data` keep their stored value, as Zou merges them).
    """
    merged = {**(previous or {}), **(data or {})}
    caller = scope.caller
    if scope.is_admin or (scope.on_team and (scope.is_manager or (created_by and created_by == caller.id))):
        return merged
    if not (scope.on_team and scope.is_supervisor) or any(key != "data" for key in other_fields):
        raise PermissionDenied()
    departments = set(caller.department_ids)
    if not departments:
        return merged
    if entity_kind not in DEPARTMENT_SCOPED_KINDS or not data:
        raise PermissionDenied()
    descriptors = await MetadataDescriptorRepository(session).for_project(project_id, entity_type=entity_kind)
    allowed = {d["field_name"] for d in descriptors if departments & set(d["departments"])}
    if any(key not in allowed for key in data):
        raise PermissionDenied()
    return merged


# --- what a vendor reads ----------------------------------------------------------------------


async def vendor_hidden_fields(
    session: AsyncSession, caller: Caller, entity_type: str, project_ids: Iterable[str]
) -> dict[str, set[str]]:
    """Project id -> the `data` keys of that entity type the vendor may not read (Zou's
    `get_not_allowed_descriptors_fields_for_vendor`): descriptors restricted to other departments."""
    return await MetadataDescriptorRepository(session).hidden_fields(entity_type, caller.department_ids, project_ids)


def without_hidden(data: dict[str, Any] | None, hidden: Iterable[str] | None) -> dict[str, Any]:
    """The metadata without the hidden keys (no metadata reads `{}`)."""
    data = data if isinstance(data, dict) else {}
    return {key: value for key, value in data.items() if key not in hidden} if hidden else data


async def mask_for_vendor(
    session: AsyncSession,
    caller: Caller,
    entity_type: str,
    rows: list[dict[str, Any]],
    project_id: str | None = None,
    *,
    vendor: bool = True,
) -> list[dict[str, Any]]:
    """Zou's `remove_not_allowed_metadata_for_vendor`, in place: strip from each row's `data` the
    fields a vendor may not read (`project_id` stands for rows that do not carry theirs).
    `vendor=False` (the caller is not a vendor there) leaves the rows as they are."""
    if not vendor or not rows:
        return rows
    hidden = await vendor_hidden_fields(session, caller, entity_type, (r.get("project_id") or project_id for r in rows))
    for row in rows:
        row["data"] = without_hidden(row.get("data"), hidden.get(row.get("project_id") or project_id))
    return rows


# --- access ------------------------------------------------------------------------------------


def descriptor_visibility(scope: ProjectScope) -> tuple[bool, list[str] | None]:
    """(for_client, vendor_departments) narrowing what the caller reads on a project."""
    if scope.role == CLIENT:
        return True, None
    if scope.role == VENDOR:
        return False, list(scope.caller.department_ids)
    return False, None


async def check_all_departments_access(
    session: AsyncSession, caller: Caller, project_id: str, departments: Sequence[str]
) -> ProjectScope:
    """Zou's rule to write a project's descriptors.

    Admins and team managers may; a team supervisor may when the descriptor lists departments and
    every one of the supervisor's departments is among them (or the supervisor has none).
    """
    scope = await project_scope(session, caller, project_id)
    if scope.is_admin or scope.is_manager:
        return scope
    if scope.on_team and scope.is_supervisor:
        mine = caller.department_ids
        if departments and (not mine or all(d in departments for d in mine)):
            return scope
    raise PermissionDenied()


def _check_entity_type(entity_type: str | None, allowed: Sequence[str], message: str) -> None:
    if entity_type not in allowed:
        raise WrongParameter(message)


def _check_data_type(data_type: str | None) -> None:
    if data_type not in DATA_TYPES:
        raise WrongParameter(INVALID_DATA_TYPE)


def _department_ids(values: Iterable[Any]) -> list[str]:
    """Department ids of a body: a value that is not a UUID is an unknown department (404, as Zou)."""
    out = []
    for value in values:
        if value is None:
            continue
        try:
            out.append(str(uuid.UUID(str(value))))
        except ValueError:
            raise NotFound(DEPARTMENT_NOT_FOUND) from None
    return out


async def _known_departments(repo: MetadataDescriptorRepository, values: Iterable[Any]) -> list[str]:
    """The existing departments among the given ids (unknown ids are dropped, as Zou does)."""
    return await repo.existing_departments(_department_ids(values))


# --- values stored under a descriptor ------------------------------------------------------------


async def _data_target(session: AsyncSession, descriptor: dict[str, Any], project_ids: Sequence[str]) -> DataTarget:
    entity_type = descriptor["entity_type"]
    ids = tuple(project_ids)
    if entity_type == "Project":
        return DataTarget("project", ids)
    if entity_type == "Task":
        return DataTarget("task", ids, task_type_id=descriptor["task_type_id"])
    kinds = await entity_kinds(session)
    if entity_type == ASSET:
        return DataTarget("entity", ids, tuple(kinds.temporal_ids), exclude=True)
    if entity_type in (SHOT, SCENE, SEQUENCE, EPISODE, EDIT):
        return DataTarget("entity", ids, (kinds.id(entity_type),))
    return DataTarget("entity", ids, None)


# --- project routes ------------------------------------------------------------------------------


@dataclass(slots=True)
class DescriptorInput:
    """A descriptor as a create body gives it (Zou's defaults)."""

    name: str
    entity_type: str = "Asset"
    task_type_id: str | None = None
    data_type: str = "string"
    for_client: bool | None = False
    choices: list[Any] = field(default_factory=list)
    departments: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class DescriptorChanges:
    """A descriptor update body: Zou writes every field, with its default when not sent."""

    name: str | None = None
    for_client: bool | None = False
    data_type: str = "string"
    choices: list[Any] = field(default_factory=list)
    departments: list[Any] = field(default_factory=list)


async def list_for_project(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    scope = await require_member(session, caller, project_id)
    for_client, vendor_departments = descriptor_visibility(scope)
    rows = await MetadataDescriptorRepository(session).for_project(
        project_id, for_client=for_client, vendor_departments=vendor_departments
    )
    return _present(rows)


def _present(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["type"] = TYPE_NAME
        row["departments"] = list(row.get("departments") or [])
    return rows


async def _insert(
    session: AsyncSession,
    caller: Caller,
    project_ids: Sequence[str],
    body: DescriptorInput,
    department_ids: list[str],
) -> list[dict[str, Any]]:
    """Create the descriptor on each given project (one insert, one event per project)."""
    repo = MetadataDescriptorRepository(session)
    field_name = slugify(body.name)
    if await repo.conflicts(project_ids, body.entity_type, body.task_type_id, body.name, field_name):
        raise WrongParameter(ALREADY_EXISTS)
    if len(body.name) > NAME_MAX or len(field_name) > FIELD_NAME_MAX or len(body.entity_type) > 60:
        raise WrongParameter(TOO_LONG)
    values = {
        "entity_type": body.entity_type,
        "task_type_id": body.task_type_id,
        "name": body.name,
        "data_type": body.data_type,
        "choices": body.choices,
        "for_client": body.for_client,
        "field_name": field_name,
        "position": None,
    }
    ids = await repo.insert_many([{**values, "project_id": pid} for pid in project_ids], department_ids)
    rows = _present(await repo.by_ids(ids))
    await _emit(session, caller, "new", rows)
    return rows


async def _emit(session: AsyncSession, caller: Caller, action: str, rows: list[dict[str, Any]]) -> None:
    """One `metadata-descriptor:<action>` event per descriptor, written at once."""
    await events.emit_many(
        session,
        [(f"metadata-descriptor:{action}", {"metadata_descriptor_id": row["id"]}, row["project_id"]) for row in rows],
        user_id=caller.id,
    )


async def create_for_project(
    session: AsyncSession, caller: Caller, project_id: str, body: DescriptorInput
) -> dict[str, Any]:
    await check_all_departments_access(session, caller, project_id, [str(d) for d in body.departments])
    _check_entity_type(body.entity_type, PROJECT_ENTITY_TYPES, WRONG_ENTITY_TYPE)
    if body.entity_type == "Task":
        if body.task_type_id is None:
            raise WrongParameter("Task metadata descriptors require a task_type_id.")
        if not await _task_type_exists(session, body.task_type_id):
            raise WrongParameter("Task type not found.")
    elif body.task_type_id is not None:
        raise WrongParameter("task_type_id only applies to Task metadata descriptors.")
    _check_data_type(body.data_type)
    repo = MetadataDescriptorRepository(session)
    departments = await _known_departments(repo, body.departments)
    return (await _insert(session, caller, [project_id], body, departments))[0]


async def _task_type_exists(session: AsyncSession, task_type_id: str) -> bool:
    try:
        task_type_id = str(uuid.UUID(str(task_type_id)))
    except ValueError:
        return False
    return await MetadataDescriptorRepository(session).task_type_exists(task_type_id)


async def _project_descriptor(session: AsyncSession, project_id: str, descriptor_id: str) -> dict[str, Any]:
    row = await MetadataDescriptorRepository(session).get(descriptor_id)
    if row is None or row["project_id"] != project_id:
        raise NotFound(NOT_FOUND_MESSAGE)
    return _present([row])[0]


async def get_for_project(session: AsyncSession, caller: Caller, project_id: str, descriptor_id: str) -> dict[str, Any]:
    scope = await require_member(session, caller, project_id)
    row = await _project_descriptor(session, project_id, descriptor_id)
    for_client, vendor_departments = descriptor_visibility(scope)
    if (for_client or vendor_departments is not None) and not await MetadataDescriptorRepository(session).visible(
        descriptor_id, for_client, vendor_departments
    ):
        raise PermissionDenied()
    return row


async def update_for_project(
    session: AsyncSession, caller: Caller, project_id: str, descriptor_id: str, changes: DescriptorChanges
) -> dict[str, Any]:
    row = await _project_descriptor(session, project_id, descriptor_id)
    await check_all_departments_access(
        session, caller, project_id, row["departments"] + [str(d) for d in changes.departments]
    )
    if changes.name is not None and len(changes.name) == 0:
        raise WrongParameter("Name cannot be empty.")
    _check_data_type(changes.data_type)
    return (await _update(session, caller, [row], changes))[0]


async def _update(
    session: AsyncSession, caller: Caller, rows: list[dict[str, Any]], changes: DescriptorChanges
) -> list[dict[str, Any]]:
    """Apply the same changes to descriptors sharing entity type and field name (set-based)."""
    if not rows:
        return []
    repo = MetadataDescriptorRepository(session)
    ids = [r["id"] for r in rows]
    values: dict[str, Any] = {
        "for_client": changes.for_client,
        "data_type": changes.data_type,
        "choices": changes.choices,
    }
    departments = await _known_departments(repo, changes.departments)
    first = rows[0]
    if changes.name:
        field_name = slugify(changes.name)
        if len(changes.name) > NAME_MAX or len(field_name) > FIELD_NAME_MAX:
            raise WrongParameter(TOO_LONG)
        clashes = await repo.conflicts(
            [r["project_id"] for r in rows],
            first["entity_type"],
            first["task_type_id"],
            changes.name,
            field_name,
            except_ids=ids,
            any_task_type=first["task_type_id"] is None,
        )
        if clashes:
            raise WrongParameter(ALREADY_EXISTS)
        values["name"] = changes.name
        values["field_name"] = field_name
        moved = [r for r in rows if r["field_name"] != field_name]
        if moved:
            target = await _data_target(session, first, [r["project_id"] for r in moved])
            await repo.rename_values(target, first["field_name"], field_name)
    await repo.update_many(ids, values)
    await repo.set_departments(ids, departments)
    updated = _present(await repo.by_ids(ids))
    await _emit(session, caller, "update", updated)
    return updated


async def delete_for_project(session: AsyncSession, caller: Caller, project_id: str, descriptor_id: str) -> None:
    row = await _project_descriptor(session, project_id, descriptor_id)
    await check_all_departments_access(session, caller, project_id, row["departments"])
    await _delete(session, caller, [row])


async def _delete(session: AsyncSession, caller: Caller, rows: list[dict[str, Any]]) -> list[str]:
    """Remove descriptors sharing entity type and field name, with the values kept under them."""
    if not rows:
        return []
    repo = MetadataDescriptorRepository(session)
    first = rows[0]
    target = await _data_target(session, first, [r["project_id"] for r in rows])
    await repo.remove_values(target, first["field_name"])
    ids = [r["id"] for r in rows]
    await repo.delete_many(ids)
    await _emit(session, caller, "delete", rows)
    return ids


async def reorder_for_project(
    session: AsyncSession, caller: Caller, project_id: str, entity_type: str, descriptor_ids: list[str]
) -> list[dict[str, Any]]:
    await require_manager(session, caller, project_id)
    _check_entity_type(entity_type, PROJECT_ENTITY_TYPES, WRONG_ENTITY_TYPE)
    repo = MetadataDescriptorRepository(session)
    rows = await repo.for_project(project_id, entity_type=entity_type)
    return _present(await _reorder(repo, project_id, entity_type, rows, descriptor_ids))


async def _reorder(
    repo: MetadataDescriptorRepository,
    project_id: str,
    entity_type: str,
    rows: list[dict[str, Any]],
    descriptor_ids: list[str],
) -> list[dict[str, Any]]:
    """Listed descriptors take positions 1..n, the others follow by name; no event (as Zou)."""
    known = {r["id"] for r in rows}
    for descriptor_id in descriptor_ids:
        if descriptor_id not in known:
            raise WrongParameter(
                f"Descriptor {descriptor_id} not found for project {project_id} and entity type {entity_type}"
            )
    positions = {d: i for i, d in enumerate(descriptor_ids, start=1)}
    rest = sorted((r for r in rows if r["id"] not in positions), key=lambda r: r["name"])
    for offset, row in enumerate(rest):
        positions[row["id"]] = len(descriptor_ids) + 1 + offset
    await repo.set_positions(positions)
    for row in rows:
        row["position"] = positions[row["id"]]
    return sorted(rows, key=lambda r: (r["position"], r["name"]))


# --- all accessible projects ---------------------------------------------------------------------


async def _accessible_open_project_ids(session: AsyncSession, caller: Caller) -> list[str]:
    """Open projects an admin, or a team member whose effective role is manager, may reshape."""
    repo = MetadataDescriptorRepository(session)
    if caller.is_admin:
        return await repo.open_project_ids()
    return await repo.managed_open_project_ids(caller.id, caller.role)


def check_studio_manager(caller: Caller) -> None:
    """The all-projects routes are for studio managers and admins (global role)."""
    require(manager_up, caller)


async def create_on_all_projects(session: AsyncSession, caller: Caller, body: DescriptorInput) -> list[dict[str, Any]]:
    check_studio_manager(caller)
    _check_entity_type(body.entity_type, ALL_PROJECTS_ENTITY_TYPES, WRONG_ALL_PROJECTS_ENTITY_TYPE)
    _check_data_type(body.data_type)
    repo = MetadataDescriptorRepository(session)
    project_ids = await _accessible_open_project_ids(session, caller)
    field_name = slugify(body.name)
    owning = {r["project_id"] for r in await repo.for_projects(project_ids, body.entity_type, field_name)}
    targets = [pid for pid in project_ids if pid not in owning]
    if not targets:
        return []
    departments = await _known_departments(repo, body.departments)
    body.task_type_id = None
    return await _insert(session, caller, targets, body, departments)


async def update_on_all_projects(
    session: AsyncSession, caller: Caller, field_name: str, entity_type: str, changes: DescriptorChanges
) -> list[dict[str, Any]]:
    check_studio_manager(caller)
    _check_entity_type(entity_type, ALL_PROJECTS_ENTITY_TYPES, WRONG_ALL_PROJECTS_ENTITY_TYPE)
    _check_data_type(changes.data_type)
    project_ids = await _accessible_open_project_ids(session, caller)
    rows = await MetadataDescriptorRepository(session).for_projects(project_ids, entity_type, field_name)
    return await _update(session, caller, _present(rows), changes)


async def delete_on_all_projects(
    session: AsyncSession, caller: Caller, field_name: str, entity_type: str | None
) -> list[str]:
    check_studio_manager(caller)
    _check_entity_type(entity_type, ALL_PROJECTS_ENTITY_TYPES, WRONG_ALL_PROJECTS_ENTITY_TYPE)
    project_ids = await _accessible_open_project_ids(session, caller)
    rows = await MetadataDescriptorRepository(session).for_projects(project_ids, entity_type, field_name)
    return await _delete(session, caller, rows)


async def reorder_on_all_projects(
    session: AsyncSession, caller: Caller, entity_type: str, field_order: list[str]
) -> list[dict[str, Any]]:
    check_studio_manager(caller)
    _check_entity_type(entity_type, ALL_PROJECTS_ENTITY_TYPES, WRONG_ALL_PROJECTS_ENTITY_TYPE)
    repo = MetadataDescriptorRepository(session)
    project_ids = await _accessible_open_project_ids(session, caller)
    rows = await repo.for_projects(project_ids, entity_type)
    by_project: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_project.setdefault(row["project_id"], []).append(row)
    positions: dict[str, int] = {}
    updated: list[dict[str, Any]] = []
    for project_id in project_ids:
        project_rows = by_project.get(project_id, [])
        by_field = {r["field_name"]: r["id"] for r in project_rows}
        ordered = [by_field[name] for name in field_order if name in by_field]
        if not ordered:
            continue
        listed = {d: i for i, d in enumerate(ordered, start=1)}
        rest = sorted((r for r in project_rows if r["id"] not in listed), key=lambda r: r["name"])
        for offset, row in enumerate(rest):
            listed[row["id"]] = len(ordered) + 1 + offset
        positions.update(listed)
        for row in project_rows:
            row["position"] = listed[row["id"]]
        updated.extend(sorted(project_rows, key=lambda r: (r["position"], r["name"])))
    await repo.set_positions(positions)
    return _present(updated)


# --- generic CRUD entry (/data/metadata-descriptors) ---------------------------------------------


class MetadataDescriptorHooks(Hooks):
    """`/data/metadata-descriptors`: admins write; everyone lists what their projects show them.

    Non-admins list the descriptors of the open projects they are on the team of, narrowed on the
    role held on each (clients: published ones; vendors: no department or one of theirs). Reading
    one descriptor by id is for admins, as in Zou. The list carries the departments when no
    query parameter is given (Zou's default for this collection).
    """

    def list_scope(self, ctx: CrudContext) -> list[Any]:
        caller = ctx.caller
        if caller.is_admin:
            return []
        return [listing_scope(caller.id, caller.role, caller.department_ids)]

    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        if not ctx.caller.is_admin:
            raise PermissionDenied()

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        if "data_type" in data:
            _check_data_type(data["data_type"])
        return data

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        if "data_type" in data:
            _check_data_type(data["data_type"])
        return data

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        if mode == "list" and not ctx.params and rows:
            by_id = await MetadataDescriptorRepository(ctx.session).departments_by_descriptor([r["id"] for r in rows])
            for row in rows:
                row["departments"] = by_id.get(row["id"], [])
        return rows
