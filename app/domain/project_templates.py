"""Project templates: reusable production settings, links and custom columns.

A template holds a production's settings (fps, ratio, client visibility...), the task types,
task statuses, asset types, status automations and preview backgrounds it uses, and a JSON
snapshot of its metadata descriptors. It never holds production data (team, entities, tasks).
Templates are read by studio managers and written by admins only. Their routes answer missing
templates with `{"message": "Project template not found"}` and refusals with `{"message": ...}`,
as Zou's template routes do.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import DomainError, NotFound, WrongParameter
from app.domain import events
from app.domain.metadata_descriptors import PROJECT_ENTITY_TYPES, slugify
from app.domain.permissions import Caller, manager_up, require, require_admin
from app.repositories.metadata_descriptors import MetadataDescriptorRepository
from app.repositories.project_templates import (
    ProjectTemplateRepository,
    at_link,
    entity_type,
    sa_link,
    status_automation,
    task_status,
    task_type,
    ts_link,
    tt_link,
)

TYPE_NAME = "ProjectTemplate"
TEMPLATE_NOT_FOUND = "Project template not found"
PROJECT_NOT_FOUND = "Project not found"
NAME_TAKEN = "A project template with this name already exists"

# Settings copied between projects and templates (name, description, team, dates and production
# data never are; file_tree and data are handled on their own).
PRODUCTION_SETTING_FIELDS = (
    "fps",
    "ratio",
    "resolution",
    "production_type",
    "production_style",
    "max_retakes",
    "is_clients_isolated",
    "is_preview_download_allowed",
    "is_set_preview_automated",
    "is_publish_default_for_artists",
    "homepage",
    "hd_bitrate_compression",
    "ld_bitrate_compression",
    "is_client_stats_visible",
    "is_client_task_list_visible",
    "is_client_task_panel_visible",
)
CREATE_EXTRA_FIELDS = ("file_tree", "data", "metadata_descriptors")
UPDATE_PROTECTED = (
    "id",
    "type",
    "created_at",
    "updated_at",
    "task_types",
    "task_statuses",
    "asset_types",
    "status_automations",
)
UPDATABLE_COLUMNS = (
    "name",
    "description",
    *PRODUCTION_SETTING_FIELDS,
    "is_single_preview_per_revision",
    "is_frame_in_numbering",
    "revision_padding",
    "file_tree",
    "data",
    "metadata_descriptors",
    "default_preview_background_file_id",
)

MIN_MOVIE_BITRATE = 1
MOVIE_HIGHDEF_BITRATE = 28
MOVIE_LOWDEF_BITRATE = 6
BITRATE_KEYS = ("hd_bitrate_compression", "ld_bitrate_compression")


class TemplateNotFound(NotFound):
    """404 with Zou's template-route body: `{"message": ...}`."""

    def body(self) -> dict:
        return {"message": self.message}


class TemplateRefused(DomainError):
    """400 with Zou's template-route body: `{"message": ...}`."""

    def body(self) -> dict:
        return {"message": self.message}


# --- helpers -------------------------------------------------------------------------------------


def validate_movie_bitrates(
    data: Mapping[str, Any], current: Mapping[str, Any] | None = None, inherited: Mapping[str, Any] | None = None
) -> None:
    """Zou's bitrate rule: changed bitrates are integers in 1..28 Mbit/s, low definition <= high.

    The high definition bitrate resolves as the encoder does: the change, the object changed,
    then the level it inherits from, then the studio default.
    """
    current = current or {}
    changes = {k: data[k] for k in BITRATE_KEYS if k in data and data[k] != current.get(k)}
    for bitrate in changes.values():
        if bitrate is None:
            continue
        if (
            not isinstance(bitrate, int)
            or isinstance(bitrate, bool)
            or not MIN_MOVIE_BITRATE <= bitrate <= MOVIE_HIGHDEF_BITRATE
        ):
            raise TemplateRefused(
                f"Invalid bitrate {bitrate}. Expected an integer number of Mbit/s between "
                f"{MIN_MOVIE_BITRATE} and {MOVIE_HIGHDEF_BITRATE}."
            )
    lowdef = changes.get("ld_bitrate_compression")
    if lowdef is None:
        return
    resolved = {**current, **data}
    highdef = resolved.get("hd_bitrate_compression") or (inherited or {}).get("hd_bitrate_compression")
    highdef = highdef or MOVIE_HIGHDEF_BITRATE
    if lowdef > highdef:
        raise TemplateRefused(
            f"The low definition bitrate ({lowdef}) cannot exceed the high definition one ({highdef})."
        )


def _typed(row: dict[str, Any], type_name: str) -> dict[str, Any]:
    row["type"] = type_name
    return row


async def _template(repo: ProjectTemplateRepository, template_id: str) -> dict[str, Any]:
    row = await repo.get(template_id)
    if row is None:
        raise TemplateNotFound(TEMPLATE_NOT_FOUND)
    return row


async def _notify(session: AsyncSession, caller: Caller, template_id: str, action: str = "update") -> None:
    await events.emit(session, f"project-template:{action}", {"project_template_id": template_id}, user_id=caller.id)


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _required_row(
    repo: ProjectTemplateRepository, table: Table, value: Any, field_name: str, label: str
) -> dict[str, Any]:
    """The row a body names by id: 400 when the id is malformed or unknown (Zou's checks)."""
    if not _is_uuid(value):
        raise TemplateRefused(f"{field_name} is required and must be a valid UUID")
    row = await repo.row_exists(table, value)
    if row is None:
        raise TemplateRefused(f"{label} {value} does not exist")
    return row


# --- templates -----------------------------------------------------------------------------------


async def create_template(session: AsyncSession, caller: Caller, data: Mapping[str, Any]) -> dict[str, Any]:
    require_admin(caller)
    name = data.get("name")
    if not name:
        raise TemplateRefused("name is required")
    if not isinstance(name, str):
        raise TemplateRefused("name must be a string")
    validate_movie_bitrates(data)
    values: dict[str, Any] = {"name": name, "description": data.get("description"), "metadata_descriptors": []}
    for key, value in data.items():
        if key in PRODUCTION_SETTING_FIELDS or key in CREATE_EXTRA_FIELDS:
            values[key] = value
    repo = ProjectTemplateRepository(session)
    if await repo.name_taken(name):
        raise TemplateRefused(NAME_TAKEN)
    row = await repo.insert(values)
    await _notify(session, caller, row["id"], "new")
    return _typed(row, TYPE_NAME)


async def update_template(
    session: AsyncSession, caller: Caller, template_id: str, changes: Mapping[str, Any]
) -> dict[str, Any]:
    require_admin(caller)
    repo = ProjectTemplateRepository(session)
    row = await _template(repo, template_id)
    validate_movie_bitrates(changes, current=row)
    values = {k: v for k, v in changes.items() if k not in UPDATE_PROTECTED and k in UPDATABLE_COLUMNS}
    if "name" in values:
        if not isinstance(values["name"], str):
            raise TemplateRefused("name must be a string")
        if await repo.name_taken(values["name"], except_id=template_id):
            raise TemplateRefused(NAME_TAKEN)
    updated = await repo.update(template_id, values) if values else row
    await _notify(session, caller, template_id)
    return _typed(updated, TYPE_NAME)


async def delete_template(session: AsyncSession, caller: Caller, template_id: str) -> None:
    require_admin(caller)
    repo = ProjectTemplateRepository(session)
    await _template(repo, template_id)
    await repo.delete(template_id)
    await _notify(session, caller, template_id, "delete")


async def set_metadata_descriptors(
    session: AsyncSession, caller: Caller, template_id: str, descriptors: list[Any] | None
) -> dict[str, Any]:
    """Replace the template's descriptor snapshot, each entry normalised to the snapshot shape."""
    require_admin(caller)
    repo = ProjectTemplateRepository(session)
    await _template(repo, template_id)
    if descriptors is None:
        descriptors = []
    if not isinstance(descriptors, list):
        raise TemplateRefused("metadata_descriptors must be a list")
    cleaned = []
    for entry in descriptors:
        if not isinstance(entry, dict):
            raise TemplateRefused("Each metadata descriptor must be an object")
        cleaned.append(_clean_descriptor(entry))
    updated = await repo.update(template_id, {"metadata_descriptors": cleaned})
    await _notify(session, caller, template_id)
    return _typed(updated, TYPE_NAME)


def _clean_descriptor(entry: Mapping[str, Any]) -> dict[str, Any]:
    name = entry.get("name", "")
    task_type_id = entry.get("task_type_id")
    return {
        "name": name,
        "field_name": entry.get("field_name") or slugify(str(name or "")),
        "entity_type": entry.get("entity_type"),
        "task_type_id": str(task_type_id) if task_type_id else None,
        "data_type": entry.get("data_type"),
        "choices": entry.get("choices") or [],
        "for_client": bool(entry.get("for_client", False)),
        "departments": [str(d) for d in (entry.get("departments") or []) if d is not None],
        "position": entry.get("position"),
    }


# --- task types ----------------------------------------------------------------------------------


async def list_task_types(session: AsyncSession, caller: Caller, template_id: str) -> list[dict[str, Any]]:
    """The template's task types with the priority, bitrates and visibility of their links."""
    require(manager_up, caller)
    repo = ProjectTemplateRepository(session)
    await _template(repo, template_id)
    rows = []
    for row in await repo.task_types(template_id):
        link = row.pop("_link")
        rows.append({**_typed(row, "TaskType"), **link})
    rows.sort(key=lambda r: (r.get("priority") or 0, r.get("name", "")))
    return rows


async def add_task_type(
    session: AsyncSession,
    caller: Caller,
    template_id: str,
    task_type_id: Any,
    priority: int | None = None,
    bitrates: dict[str, Any] | None = None,
    is_client_visible: bool | None = None,
) -> dict[str, Any]:
    """Link a task type, or update the link's priority, bitrates and visibility when they are given."""
    require_admin(caller)
    repo = ProjectTemplateRepository(session)
    await _required_row(repo, task_type, task_type_id, "task_type_id", "Task type")
    row = await _template(repo, template_id)
    if bitrates is not None:
        validate_movie_bitrates(bitrates, inherited=row)
    link = await repo.task_type_link(template_id, task_type_id)
    visibility = {} if is_client_visible is None else {"is_client_visible": is_client_visible}
    if link is None:
        values = {"project_template_id": template_id, "task_type_id": task_type_id, "priority": priority}
        values.update(bitrates or {})
        values.update(visibility)
        link = await repo.insert_link(tt_link, values)
    else:
        changes = {**(bitrates or {}), **visibility}
        if priority is not None:
            changes["priority"] = priority
        if changes:
            link = await repo.update_link(tt_link, link["id"], changes)
    await _notify(session, caller, template_id)
    return _typed(link, "ProjectTemplateTaskTypeLink")


async def remove_task_type(session: AsyncSession, caller: Caller, template_id: str, task_type_id: str) -> None:
    """Unlink a task type; nothing to do when it is not linked (no template check, as Zou)."""
    require_admin(caller)
    await ProjectTemplateRepository(session).delete_link(tt_link, template_id, "task_type_id", task_type_id)
    await _notify(session, caller, template_id)


# --- task statuses -------------------------------------------------------------------------------

UNSET: Any = object()


async def list_task_statuses(session: AsyncSession, caller: Caller, template_id: str) -> list[dict[str, Any]]:
    require(manager_up, caller)
    repo = ProjectTemplateRepository(session)
    await _template(repo, template_id)
    rows = []
    for row in await repo.task_statuses(template_id):
        link = row.pop("_link")
        rows.append(
            {
                **_typed(row, "TaskStatus"),
                "priority": link["priority"],
                "roles_for_board": list(link["roles_for_board"] or []),
                "link_is_client_allowed": link["is_client_allowed"],
            }
        )
    rows.sort(key=lambda r: (r.get("priority") or 0, r.get("name", "")))
    return rows


async def add_task_status(
    session: AsyncSession,
    caller: Caller,
    template_id: str,
    task_status_id: Any,
    priority: int | None = None,
    roles_for_board: list[str] | None = None,
    is_client_allowed: Any = UNSET,
) -> dict[str, Any]:
    """Link a task status, or update the fields given on an existing link.

    `is_client_allowed` left UNSET keeps the link's value; None resets it to the studio's.
    """
    require_admin(caller)
    repo = ProjectTemplateRepository(session)
    await _required_row(repo, task_status, task_status_id, "task_status_id", "Task status")
    await _template(repo, template_id)
    link = await repo.task_status_link(template_id, task_status_id)
    if link is None:
        values: dict[str, Any] = {
            "project_template_id": template_id,
            "task_status_id": task_status_id,
            "priority": priority,
            "is_client_allowed": None if is_client_allowed is UNSET else is_client_allowed,
        }
        if roles_for_board is not None:
            values["roles_for_board"] = roles_for_board
        link = await repo.insert_link(ts_link, values)
    else:
        changes: dict[str, Any] = {}
        if priority is not None:
            changes["priority"] = priority
        if roles_for_board is not None:
            changes["roles_for_board"] = roles_for_board
        if is_client_allowed is not UNSET:
            changes["is_client_allowed"] = is_client_allowed
        if changes:
            link = await repo.update_link(ts_link, link["id"], changes)
    await _notify(session, caller, template_id)
    return _typed(link, "ProjectTemplateTaskStatusLink")


async def remove_task_status(session: AsyncSession, caller: Caller, template_id: str, task_status_id: str) -> None:
    require_admin(caller)
    await ProjectTemplateRepository(session).delete_link(ts_link, template_id, "task_status_id", task_status_id)
    await _notify(session, caller, template_id)


# --- reorder -------------------------------------------------------------------------------------


async def _reorder(
    session: AsyncSession,
    caller: Caller,
    template_id: str,
    ids: Sequence[Any],
    table: Table,
    link: Table,
    column: str,
    label: str,
    type_name: str,
) -> list[dict[str, Any]]:
    """Priorities 1..n in the given order; a row not linked yet is linked (Zou adds it too).

    Errors keep Zou's generic bodies here (the reorder routes have no handler of their own).
    """
    require_admin(caller)
    if not ids:
        return []
    repo = ProjectTemplateRepository(session)
    valid = [i for i in ids if _is_uuid(i)]
    known = await repo.existing_ids(table, valid)
    checked_template = False
    for row_id in ids:
        if not _is_uuid(row_id):
            raise WrongParameter(f"{column} is required and must be a valid UUID")
        if row_id not in known:
            raise WrongParameter(f"{label} {row_id} does not exist")
        if not checked_template:
            if await repo.get(template_id) is None:
                raise NotFound(TEMPLATE_NOT_FOUND)
            checked_template = True
    priorities = {str(uuid.UUID(i)): position for position, i in enumerate(ids, start=1)}
    links = await repo.set_priorities(link, column, template_id, priorities)
    await _notify(session, caller, template_id)
    return [_typed(row, type_name) for row in links]


async def reorder_task_types(
    session: AsyncSession, caller: Caller, template_id: str, task_type_ids: Sequence[Any]
) -> list[dict[str, Any]]:
    return await _reorder(
        session,
        caller,
        template_id,
        task_type_ids,
        task_type,
        tt_link,
        "task_type_id",
        "Task type",
        "ProjectTemplateTaskTypeLink",
    )


async def reorder_task_statuses(
    session: AsyncSession, caller: Caller, template_id: str, task_status_ids: Sequence[Any]
) -> list[dict[str, Any]]:
    return await _reorder(
        session,
        caller,
        template_id,
        task_status_ids,
        task_status,
        ts_link,
        "task_status_id",
        "Task status",
        "ProjectTemplateTaskStatusLink",
    )


# --- asset types and status automations ----------------------------------------------------------


async def list_asset_types(session: AsyncSession, caller: Caller, template_id: str) -> list[dict[str, Any]]:
    require(manager_up, caller)
    repo = ProjectTemplateRepository(session)
    await _template(repo, template_id)
    return await repo.asset_types(template_id)


async def add_asset_type(session: AsyncSession, caller: Caller, template_id: str, asset_type_id: Any):
    require_admin(caller)
    repo = ProjectTemplateRepository(session)
    row = await _required_row(repo, entity_type, asset_type_id, "asset_type_id", "Asset type")
    await _template(repo, template_id)
    await repo.add_plain_link(at_link, template_id, "asset_type_id", row["id"])
    await _notify(session, caller, template_id)
    return {"id": row["id"], "name": row["name"]}


async def remove_asset_type(session: AsyncSession, caller: Caller, template_id: str, asset_type_id: str) -> None:
    require_admin(caller)
    repo = ProjectTemplateRepository(session)
    await _template(repo, template_id)
    await repo.delete_link(at_link, template_id, "asset_type_id", asset_type_id)
    await _notify(session, caller, template_id)


async def list_status_automations(session: AsyncSession, caller: Caller, template_id: str) -> list[dict[str, Any]]:
    require(manager_up, caller)
    repo = ProjectTemplateRepository(session)
    await _template(repo, template_id)
    return [_typed(row, "StatusAutomation") for row in await repo.status_automations(template_id)]


async def add_status_automation(session: AsyncSession, caller: Caller, template_id: str, automation_id: Any):
    require_admin(caller)
    repo = ProjectTemplateRepository(session)
    row = await _required_row(repo, status_automation, automation_id, "status_automation_id", "Status automation")
    await _template(repo, template_id)
    await repo.add_plain_link(sa_link, template_id, "status_automation_id", row["id"])
    await _notify(session, caller, template_id)
    return _typed(row, "StatusAutomation")


async def remove_status_automation(session: AsyncSession, caller: Caller, template_id: str, automation_id: str) -> None:
    require_admin(caller)
    repo = ProjectTemplateRepository(session)
    await _template(repo, template_id)
    await repo.delete_link(sa_link, template_id, "status_automation_id", automation_id)
    await _notify(session, caller, template_id)


# --- snapshot a project, apply a template --------------------------------------------------------


async def _project(repo: ProjectTemplateRepository, project_id: str) -> dict[str, Any]:
    row = await repo.project(project_id)
    if row is None:
        raise TemplateNotFound(PROJECT_NOT_FOUND)
    return row


async def create_from_project(
    session: AsyncSession, caller: Caller, project_id: str, name: str, description: str | None
) -> dict[str, Any]:
    """A new template holding the project's settings, links and descriptors (no production data)."""
    require_admin(caller)
    repo = ProjectTemplateRepository(session)
    project = await _project(repo, project_id)
    values: dict[str, Any] = {"name": name, "description": description}
    for key in PRODUCTION_SETTING_FIELDS:
        values[key] = project[key]
    values["file_tree"] = project["file_tree"] or None
    values["data"] = project["data"] or None
    values["metadata_descriptors"] = await _snapshot_descriptors(session, project_id)
    values["default_preview_background_file_id"] = project["default_preview_background_file_id"]
    if await repo.name_taken(name):
        raise TemplateRefused(NAME_TAKEN)
    row = await repo.insert(values)
    await repo.copy_project_links(project_id, row["id"])
    await _notify(session, caller, row["id"], "new")
    return _typed(row, TYPE_NAME)


async def _snapshot_descriptors(session: AsyncSession, project_id: str) -> list[dict[str, Any]]:
    rows = await MetadataDescriptorRepository(session).for_project(project_id)
    return [
        {
            "name": row["name"],
            "field_name": row["field_name"],
            "entity_type": row["entity_type"],
            "task_type_id": row["task_type_id"],
            "data_type": row["data_type"],
            "choices": row["choices"] or [],
            "for_client": bool(row["for_client"]),
            "departments": list(row["departments"] or []),
            "position": row["position"],
        }
        for row in rows
    ]


async def apply_template(session: AsyncSession, caller: Caller, project_id: str, template_id: str) -> dict[str, Any]:
    """Write the template's settings to the project and add its links and descriptors.

    Additive: links and descriptors the project already has are kept; settings the template
    leaves empty are left as they are.
    """
    require_admin(caller)
    repo = ProjectTemplateRepository(session)
    project = await _project(repo, project_id)
    template = await _template(repo, template_id)
    settings = {key: template[key] for key in PRODUCTION_SETTING_FIELDS if template[key] is not None}
    for key in ("file_tree", "data"):
        if template[key] is not None:
            settings[key] = template[key]
    if template["default_preview_background_file_id"] and project["default_preview_background_file_id"] is None:
        settings["default_preview_background_file_id"] = template["default_preview_background_file_id"]
    await repo.apply_links(template_id, project_id)
    if settings:
        project = await repo.update_project(project_id, settings)
    await _apply_descriptors(session, caller, project_id, template["metadata_descriptors"] or [])
    await events.emit(session, "project:update", {}, project_id=project_id, user_id=caller.id)
    return _typed(project, "Project")


async def _apply_descriptors(session: AsyncSession, caller: Caller, project_id: str, snapshot: list[Any]) -> None:
    """Create the snapshot's descriptors the project lacks; entries that cannot be created are skipped."""
    entries = [e for e in snapshot if isinstance(e, dict)]
    if not entries:
        return
    repo = MetadataDescriptorRepository(session)
    existing = await repo.for_project(project_id)
    task_type_ids = {str(e["task_type_id"]) for e in entries if _is_uuid(str(e.get("task_type_id") or ""))}
    known_task_types = await ProjectTemplateRepository(session).existing_ids(task_type, list(task_type_ids))
    wanted_departments = [str(d) for e in entries for d in (e.get("departments") or []) if _is_uuid(str(d))]
    known_departments = set(await repo.existing_departments(wanted_departments))
    taken = [(d["entity_type"], d["task_type_id"], d["name"], d["field_name"]) for d in existing]
    rows = []
    for entry in entries:
        name = entry.get("name") or ""
        kind = entry.get("entity_type")
        task_type_id = entry.get("task_type_id")
        task_type_id = str(task_type_id) if task_type_id else None
        if not name or not kind or (kind == "Task" and task_type_id is None):
            continue
        if not isinstance(name, str) or not isinstance(kind, str) or kind not in PROJECT_ENTITY_TYPES:
            continue
        if task_type_id is not None and task_type_id not in known_task_types:
            continue
        field_name = slugify(name)
        if (
            any(k == kind and t == task_type_id and (n == name or f == field_name) for k, t, n, f in taken)
            or len(name) > 120
        ):
            continue
        taken.append((kind, task_type_id, name, field_name))
        rows.append(
            {
                "project_id": project_id,
                "entity_type": kind,
                "task_type_id": task_type_id,
                "name": name,
                "data_type": entry.get("data_type"),
                "field_name": field_name,
                "choices": entry.get("choices") or [],
                "for_client": bool(entry.get("for_client", False)),
                "position": None,
                "departments": [str(d) for d in entry.get("departments") or [] if str(d) in known_departments],
            }
        )
    new_ids = await repo.insert_rows(rows)
    await events.emit_many(
        session,
        [("metadata-descriptor:new", {"metadata_descriptor_id": i}, project_id) for i in new_ids],
        user_id=caller.id,
    )
