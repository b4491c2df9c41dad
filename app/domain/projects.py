"""Projects: listings, the production team, the production settings and the CRUD hooks.

Rules, as Zou 1.0.97 applies them:
- `GET /data/projects` lists every project for admins, the open ("Open" status) projects
  whose team holds the caller for everyone else; `/data/projects/all` lists every project
  for admins (with the project status name and the Project-scoped metadata descriptors),
  the caller's team projects, open or not, otherwise; `/data/projects/open` lists the open
  projects (for admins any status named Active/open/Open) with their extra data: id lists,
  metadata descriptors (narrowed for clients and vendors on the role held on each project),
  task type and task status links, and the first episode of tv shows.
- A project is read by its team members (and admins); it is changed by admins and by team
  members whose effective role on it is manager; it is created by admins only.
- Team and settings changes are for managers of the project; each one saves the project
  (its `updated_at` moves) and emits `project:update`, except adding something already there.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import InvalidBody, NotFound, WrongParameter
from app.domain import events, project_templates
from app.domain.access import ProjectScope, require_manager, require_member
from app.domain.crud import CrudContext, Hooks
from app.domain.departments import minimal_person
from app.domain.permissions import ADMIN, CLIENT, MANAGER, VENDOR, Caller, require_admin
from app.domain.person_hooks import CLIENT_FIELDS
from app.domain.persons import present_person
from app.repositories.projects import RELATIONS, ProjectRepository, open_team_projects

PROJECT_NOT_FOUND = "Project not found."
PROJECT_STYLES = (
    "2d",
    "2dpaper",
    "3d",
    "2d3d",
    "ar",
    "vfx",
    "stop-motion",
    "motion-design",
    "archviz",
    "commercial",
    "catalog",
    "immersive",
    "nft",
    "video-game",
    "vr",
)
PROJECT_ROLES = ("user", "supervisor", "manager", "client", "vendor")
"""Roles a team link may carry: every role but admin, which is global only."""
MIN_MOVIE_BITRATE = 1
RESOLUTION = re.compile(r"^(\d{3,4})?x\d{3,4}$")
BITRATE_KEYS = ("hd_bitrate_compression", "ld_bitrate_compression")
LINK_RELATIONS = ("asset_types", "task_statuses", "task_types", "status_automations", "preview_background_files")
AUTOMATION_FIELD_TYPES = ("status", "ready_for")


def present(row: Mapping[str, Any]) -> dict[str, Any]:
    """A project row as Zou serializes it (columns and `type`), without private helper columns."""
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    out["type"] = "Project"
    return out


def _valid_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


# --- validation ------------------------------------------------------------------


def check_resolution(value: Any) -> None:
    """`1920x1080` or `x1080`; an empty value is allowed (movies then fall back to 1080p)."""
    if value in (None, ""):
        return
    if not isinstance(value, str) or not RESOLUTION.match(value):
        raise WrongParameter(f"Invalid resolution {value}. Expected format: '1920x1080' or 'x1080'.")


def check_production_style(data: dict[str, Any]) -> None:
    """A null style becomes the default one; an unknown one is refused."""
    if "production_style" not in data:
        return
    if data["production_style"] is None:
        data["production_style"] = "2d3d"
    if data["production_style"] not in PROJECT_STYLES:
        raise WrongParameter("Invalid production_style")


def _check_bitrate(settings: Settings, value: Any) -> None:
    if value is None:
        return
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not (MIN_MOVIE_BITRATE <= value <= settings.movie_highdef_bitrate)
    ):
        raise WrongParameter(
            f"Invalid bitrate {value}. Expected an integer number of Mbit/s between "
            f"{MIN_MOVIE_BITRATE} and {settings.movie_highdef_bitrate}."
        )


def check_bitrates(
    settings: Settings,
    data: Mapping[str, Any],
    current: Mapping[str, Any] | None = None,
    inherited: Mapping[str, Any] | None = None,
) -> None:
    """The movie bitrates a change sets: each within bounds, and the low definition one never above
    the high definition bitrate movies get (data, then current, then inherited, then the config).
    Bitrates the change leaves as they are are not checked."""
    current = current or {}
    changes = {k: data[k] for k in BITRATE_KEYS if k in data and data[k] != current.get(k)}
    for value in changes.values():
        _check_bitrate(settings, value)
    lowdef = changes.get("ld_bitrate_compression")
    if lowdef is None:
        return
    merged = {**current, **data}
    highdef = merged.get("hd_bitrate_compression") or (inherited or {}).get("hd_bitrate_compression")
    highdef = min(highdef or settings.movie_highdef_bitrate, settings.movie_highdef_bitrate)
    if lowdef > highdef:
        raise WrongParameter(
            f"The low definition bitrate ({lowdef}) cannot exceed the high definition one ({highdef})."
        )


# --- metadata descriptors in project answers ----------------------------------------


def descriptor_visibility(caller: Caller, role: str) -> tuple[bool, list[str] | None]:
    """(for_client, vendor_departments) narrowing the descriptors served to a holder of `role`."""
    if role == CLIENT:
        return True, None
    if role == VENDOR:
        return False, list(caller.department_ids)
    return False, None


def _visible(row: Mapping[str, Any], for_client: bool, vendor_departments: Sequence[str] | None) -> bool:
    if for_client:
        return bool(row.get("for_client"))
    if vendor_departments is not None:
        departments = row.get("departments") or []
        return not departments or any(d in vendor_departments for d in departments)
    return True


def present_descriptor(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "field_name": row["field_name"],
        "data_type": row["data_type"],
        "choices": row["choices"],
        "for_client": row["for_client"] or False,
        "entity_type": row["entity_type"],
        "task_type_id": row["task_type_id"],
        "position": row["position"],
        "departments": list(row.get("departments") or []),
    }


def _effective_role(caller: Caller, team_role: str | None) -> str:
    if caller.is_admin:
        return ADMIN
    return team_role if team_role not in (None, ADMIN) else caller.role


EXTRA_KEYS = ("descriptors", "task_type_links", "task_types_priority", "task_statuses_link", "first_episode_id")


def _with_extra_data(
    rows: list[dict[str, Any]],
    descriptors: Mapping[str, list[dict[str, Any]]],
    caller: Caller,
    role: str | None = None,
) -> list[dict[str, Any]]:
    """Zou's open-project shape: the row, its id lists, descriptors, links and first episode.

    Descriptors are narrowed on `role`, else on the role the caller holds on each project."""
    out = []
    for row in rows:
        held = role or _effective_role(caller, row.get("_team_role"))
        for_client, vendor_departments = descriptor_visibility(caller, held)
        first_episode_id = row.pop("first_episode_id", None)
        type_links = row.pop("task_type_links", None) or {}
        status_links = row.pop("task_statuses_link", None) or {}
        item = present(row)
        item["descriptors"] = [
            present_descriptor(d) for d in descriptors.get(row["id"], []) if _visible(d, for_client, vendor_departments)
        ]
        item["task_type_links"] = type_links
        item["task_types_priority"] = {tid: link["priority"] for tid, link in type_links.items()}
        item["task_statuses_link"] = status_links
        if row.get("production_type") == "tvshow" and first_episode_id is not None:
            item["first_episode_id"] = first_episode_id
        out.append(item)
    return out


# --- listings -------------------------------------------------------------------------


async def open_projects(session: AsyncSession, caller: Caller, name: str | None = None) -> list[dict[str, Any]]:
    """Open projects with their extra data: every open one for admins, the caller's team ones otherwise."""
    repo = ProjectRepository(session)
    where = repo.open_projects_where(
        any_open_name=caller.is_admin, name=name, member_id=None if caller.is_admin else caller.id
    )
    rows = await repo.listing(
        where=where,
        relations=True,
        extra=True,
        team_role_of=None if caller.is_admin else caller.id,
    )
    descriptors = await repo.descriptors([r["id"] for r in rows])
    return _with_extra_data(rows, descriptors, caller)


async def all_projects(session: AsyncSession, caller: Caller, name: str | None = None) -> list[dict[str, Any]]:
    """Every project for admins (with status name and Project descriptors), the caller's team ones otherwise.

    With `name`, the one project of that name (admins: matched with ILIKE; others: any case) or 404."""
    repo = ProjectRepository(session)
    if caller.is_admin:
        if name is not None:
            row = await repo.named_like(name)
            if row is None:
                raise NotFound(PROJECT_NOT_FOUND)
            return [present(row)]
        rows = await repo.listing(where=repo.with_status_where(), status_name=True)
        descriptors = await repo.descriptors([r["id"] for r in rows], entity_type_name="Project")
        out = []
        for row in rows:
            item = present(row)
            item["descriptors"] = [present_descriptor(d) for d in descriptors.get(row["id"], [])]
            out.append(item)
        return out
    rows = await repo.listing(where=repo.team_projects_where(caller.id, name))
    if name is not None and not rows:
        raise NotFound(PROJECT_NOT_FOUND)
    return [present(row) for row in rows[:1]] if name is not None else [present(row) for row in rows]


async def project_extra(session: AsyncSession, scope: ProjectScope, row: dict[str, Any], relations: bool) -> dict:
    """GET one project: the open-listing shape when relations are wanted, and `project_status_name`."""
    repo = ProjectRepository(session)
    extra = await repo.listing(where=repo.id_where(row["id"]), extra=relations, status_name=True)
    if not extra:
        raise NotFound(PROJECT_NOT_FOUND)
    fetched = extra[0]
    status_name = fetched.pop("project_status_name", None)
    out = dict(row)
    if relations:
        descriptors = await repo.descriptors([row["id"]])
        shaped = _with_extra_data([fetched], descriptors, scope.caller, role=scope.role)[0]
        out.update({key: shaped[key] for key in EXTRA_KEYS if key in shaped})
    out["project_status_name"] = status_name
    return out


# --- team -----------------------------------------------------------------------------


def _client_view(row: dict[str, Any]) -> dict[str, Any]:
    """Zou's `present_client()`: who the person is, for a client."""
    person = present_person(row)
    return {key: person.get(key) for key in CLIENT_FIELDS}


def _minimal_view(row: dict[str, Any]) -> dict[str, Any]:
    """Zou's `present_minimal()` on the team: the short view, departments not loaded (empty)."""
    return {**minimal_person(row), "departments": []}


async def team(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    """The team, each person with their `project_role`, seen as the caller's role on the project allows:
    managers get the full safe view, clients the client view, everyone else the minimal one."""
    scope = await require_member(session, caller, project_id)
    out = []
    for row in await ProjectRepository(session).team_members(project_id):
        project_role = row.pop("_project_role", None)
        if scope.role in (ADMIN, MANAGER):
            person = present_person(row)
        elif scope.role == CLIENT:
            person = _client_view(row)
        else:
            person = _minimal_view(row)
        person["project_role"] = project_role
        out.append(person)
    return out


def check_project_role(role: str | None) -> None:
    if role is None:
        return
    if role == ADMIN:
        raise WrongParameter("admin is a global role and cannot be set per project")
    if role not in PROJECT_ROLES:
        raise WrongParameter(f"{role} is not a role")


async def _saved(session: AsyncSession, caller: Caller, project_id: str) -> dict[str, Any]:
    """Save the project after a settings change: `updated_at` moves and `project:update` is emitted."""
    row = await ProjectRepository(session).touch(project_id)
    if row is None:
        raise NotFound(PROJECT_NOT_FOUND)
    await events.emit(session, "project:update", {}, project_id=project_id, user_id=caller.id)
    return present(row)


async def _project_row(repo: ProjectRepository, project_id: str) -> dict[str, Any]:
    row = await repo.get(project_id)
    if row is None:
        raise NotFound(PROJECT_NOT_FOUND)
    return row


async def _set_role(
    session: AsyncSession, caller: Caller, project_id: str, person_id: str, role: str | None, preview: Any
) -> dict[str, Any]:
    if preview is not None:
        raise WrongParameter("A preview account keeps its client role")
    link = await ProjectRepository(session).set_member_role(project_id, person_id, role)
    if link is None:
        raise WrongParameter("Person is not a member of the project team")
    await events.emit(session, "project:update", {}, project_id=project_id, user_id=caller.id)
    return link


async def add_team_member(
    session: AsyncSession, caller: Caller, project_id: str, person_id: str, role: str | None = None
) -> dict[str, Any]:
    """Put a person on the team, with an optional role on this project; answers the project."""
    await require_manager(session, caller, project_id)
    check_project_role(role)
    repo = ProjectRepository(session)
    row = await _project_row(repo, project_id)
    valid_id = _valid_id(person_id)
    state = await repo.person_state(project_id, valid_id) if valid_id else None
    if state is None:
        raise WrongParameter(f"Person with id {person_id} not found")
    if state["preview_project_id"] is not None and state["preview_project_id"] != project_id:
        raise WrongParameter("A preview account can only belong to its own project")
    out = present(row)
    if await repo.add_member(project_id, valid_id):
        out = await _saved(session, caller, project_id)
    if role is not None:
        await _set_role(session, caller, project_id, valid_id, role, state["preview_project_id"])
        out = present(await _project_row(repo, project_id))
    return out


async def set_team_member_role(
    session: AsyncSession, caller: Caller, project_id: str, person_id: str, role: str | None
) -> dict[str, Any]:
    """Set (or, with null, clear) the role a team member holds on this project only."""
    await require_manager(session, caller, project_id)
    check_project_role(role)
    state = await ProjectRepository(session).person_state(project_id, person_id)
    link = await _set_role(session, caller, project_id, person_id, role, state and state["preview_project_id"])
    return {"project_id": link["project_id"], "person_id": link["person_id"], "role": link["role"]}


async def remove_team_member(session: AsyncSession, caller: Caller, project_id: str, person_id: str) -> None:
    """Take the person off the team; the project is saved (and the event sent) even if they were not on it."""
    await require_manager(session, caller, project_id)
    await ProjectRepository(session).remove_member(project_id, person_id)
    await _saved(session, caller, project_id)


# --- settings -------------------------------------------------------------------------

TARGET_NAMES = {
    "asset_types": "EntityType",
    "task_statuses": "TaskStatus",
    "task_types": "TaskType",
    "status_automations": "StatusAutomation",
}


async def _add_setting(
    session: AsyncSession, caller: Caller, project_id: str, relation: str, target_id: str
) -> dict[str, Any]:
    await require_manager(session, caller, project_id)
    repo = ProjectRepository(session)
    row = await _project_row(repo, project_id)
    valid_id = _valid_id(target_id)
    if valid_id is None or not await repo.target_exists(relation, valid_id):
        raise WrongParameter(f"{TARGET_NAMES[relation]} with id {target_id} not found")
    if await repo.add_link(relation, project_id, valid_id):
        return await _saved(session, caller, project_id)
    return present(row)


async def _remove_setting(
    session: AsyncSession, caller: Caller, project_id: str, relation: str, target_id: str
) -> None:
    await require_manager(session, caller, project_id)
    await ProjectRepository(session).remove_links(relation, project_id, [target_id])
    await _saved(session, caller, project_id)


async def add_asset_type(session: AsyncSession, caller: Caller, project_id: str, asset_type_id: str) -> dict:
    return await _add_setting(session, caller, project_id, "asset_types", asset_type_id)


async def remove_asset_type(session: AsyncSession, caller: Caller, project_id: str, asset_type_id: str) -> None:
    await _remove_setting(session, caller, project_id, "asset_types", asset_type_id)


async def add_task_status(session: AsyncSession, caller: Caller, project_id: str, task_status_id: str) -> dict:
    return await _add_setting(session, caller, project_id, "task_statuses", task_status_id)


async def remove_task_status(session: AsyncSession, caller: Caller, project_id: str, task_status_id: str) -> None:
    await _remove_setting(session, caller, project_id, "task_statuses", task_status_id)


async def add_status_automation(session: AsyncSession, caller: Caller, project_id: str, automation_id: str) -> dict:
    return await _add_setting(session, caller, project_id, "status_automations", automation_id)


async def remove_status_automation(session: AsyncSession, caller: Caller, project_id: str, automation_id: str) -> None:
    await _remove_setting(session, caller, project_id, "status_automations", automation_id)


async def remove_task_type(session: AsyncSession, caller: Caller, project_id: str, task_type_id: str) -> None:
    await _remove_setting(session, caller, project_id, "task_types", task_type_id)


async def add_task_type(
    session: AsyncSession,
    caller: Caller,
    settings: Settings,
    project_id: str,
    task_type_id: str,
    *,
    priority: int | None = None,
    bitrates: dict[str, int | None] | None = None,
    is_client_visible: bool | None = None,
) -> dict[str, Any]:
    """Add a task type to the project. An existing link keeps its priority and takes the bitrates
    (when the body names them) and the client visibility (when given). The project is saved either way."""
    await require_manager(session, caller, project_id)
    valid_id = _valid_id(task_type_id)
    if valid_id is None:
        raise WrongParameter("task_type_id is required and must be a valid UUID")
    repo = ProjectRepository(session)
    row = await _project_row(repo, project_id)
    if bitrates is not None:
        check_bitrates(settings, bitrates, inherited=row)
    if not await repo.target_exists("task_types", valid_id):
        raise WrongParameter(f"TaskType with id {task_type_id} not found")
    visibility = {} if is_client_visible is None else {"is_client_visible": is_client_visible}
    created = await repo.add_link(
        "task_types", project_id, valid_id, priority=priority, **(bitrates or {}), **visibility
    )
    if not created and (bitrates is not None or visibility):
        await repo.update_task_type_link(project_id, valid_id, {**(bitrates or {}), **visibility})
    return await _saved(session, caller, project_id)


async def task_types(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    """The task types of the production (team members)."""
    await require_member(session, caller, project_id)
    rows = await ProjectRepository(session).project_settings("task_types", project_id)
    return [{**r, "type": "TaskType"} for r in rows]


async def task_statuses(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    """The task statuses of the production (team members)."""
    await require_member(session, caller, project_id)
    rows = await ProjectRepository(session).project_settings("task_statuses", project_id)
    return [{**r, "type": "TaskStatus"} for r in rows]


async def status_automations(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    """The status automations of the production (managers of the project)."""
    await require_manager(session, caller, project_id)
    rows = await ProjectRepository(session).project_settings("status_automations", project_id)
    return [{**r, "type": "StatusAutomation"} for r in rows]


async def set_task_status_client_allowed(
    session: AsyncSession, caller: Caller, project_id: str, task_status_id: str, value: bool | None
) -> dict[str, Any]:
    """Override whether the project's clients may set the status (null: the studio value applies)."""
    await require_manager(session, caller, project_id)
    link = await ProjectRepository(session).set_task_status_client_allowed(project_id, task_status_id, value)
    if link is None:
        raise NotFound("Task status not found.")
    await events.emit(session, "project:update", {}, project_id=project_id, user_id=caller.id)
    return {**link, "type": "ProjectTaskStatusLink"}


async def batch_settings(
    session: AsyncSession,
    caller: Caller,
    project_id: str,
    *,
    task_types: Sequence[Mapping[str, Any]] = (),
    task_status_ids: Sequence[str] = (),
    asset_type_ids: Sequence[str] = (),
    replace_task_types: bool = False,
) -> dict[str, Any]:
    """Add task types (with priority and client visibility), task statuses and asset types at once.

    Unknown (or malformed) ids are skipped. An existing task type link takes the given priority and
    visibility; with `replace_task_types` the links of task types absent from the list are removed."""
    await require_manager(session, caller, project_id)
    repo = ProjectRepository(session)
    wanted: dict[str, Mapping[str, Any]] = {}
    for entry in task_types:
        valid_id = _valid_id(entry.get("task_type_id"))
        if valid_id is not None:
            wanted[valid_id] = entry
    existing = await repo.task_type_links(project_id)
    known_types = await repo.existing_targets("task_types", [t for t in wanted if t not in existing])
    new_links, changes = [], {}
    for task_type_id, entry in wanted.items():
        visible = entry.get("is_client_visible")
        visibility = {} if visible is None else {"is_client_visible": visible}
        link = existing.get(task_type_id)
        if link is None:
            if task_type_id in known_types:
                # every row carries the same keys (one multi-row insert); omitted visibility is the default
                row = {"task_type_id": task_type_id, "priority": entry.get("priority")}
                new_links.append({**row, "is_client_visible": visible is not False})
            continue
        change = dict(visibility)
        priority = entry.get("priority")
        if priority is not None and link["priority"] != priority:
            change["priority"] = priority
        if change:
            changes[task_type_id] = change
    await repo.add_links("task_types", project_id, new_links)
    await repo.update_task_type_links(project_id, changes)
    if replace_task_types:
        await repo.remove_links("task_types", project_id, [t for t in existing if t not in wanted])

    for relation, ids in (("task_statuses", task_status_ids), ("asset_types", asset_type_ids)):
        valid = [v for v in (_valid_id(i) for i in ids) if v is not None]
        known = await repo.existing_targets(relation, valid)
        remote = RELATIONS[relation][2]
        await repo.add_links(relation, project_id, [{remote: i} for i in dict.fromkeys(valid) if i in known])
    return await _saved(session, caller, project_id)


# --- CRUD hooks -------------------------------------------------------------------------


async def _apply_template(ctx: CrudContext, project_id: str, template_id: str, overrides: dict[str, Any]) -> None:
    """Apply the project template chosen at creation; the values the caller gave explicitly win."""
    await project_templates.apply_template(ctx.session, ctx.caller, project_id, template_id)
    if overrides:
        await ProjectRepository(ctx.session).update(project_id, overrides)


class ProjectHooks(Hooks):
    """`/data/projects`: who lists and reads what, creation defaults, manager updates, answer shapes."""

    def list_scope(self, ctx: CrudContext) -> list[Any]:
        return [] if ctx.caller.is_admin else [open_team_projects(ctx.caller.id)]

    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        ctx.state["scope"] = await require_member(ctx.session, ctx.caller, row["id"])

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        if mode == "get":
            relations = str(ctx.params.get("relations", "true")).lower() != "false"
            return [await project_extra(ctx.session, ctx.state["scope"], rows[0], relations)]
        if mode == "write" and ctx.state.get("op") == "update":
            return [{k: v for k, v in row.items() if k not in RELATIONS} for row in rows]
        return rows

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        ctx.state["op"] = "create"
        check_production_style(data)
        if "resolution" in data:
            check_resolution(data["resolution"])
        check_bitrates(ctx.settings, data)
        template_id = data.pop("project_template_id", None)
        if template_id:
            overrides = {k: v for k, v in data.items() if v is not None and k not in RELATIONS}
            ctx.state["template"] = (str(template_id), overrides)
        repo = ProjectRepository(ctx.session)
        if "project_status_id" not in data:
            data["project_status_id"] = await repo.status_id("Open")
        for relation in RELATIONS:
            if relation in data and relation != "preview_background_files":
                wanted = [str(i) for i in data[relation] or []]
                known = await repo.existing_targets(relation, wanted)
                data[relation] = [i for i in wanted if i in known]
        backgrounds = [str(i) for i in data.get("preview_background_files") or []]
        if backgrounds:
            known = await repo.existing_targets("preview_background_files", backgrounds)
            if any(b not in known for b in backgrounds):
                raise NotFound("Preview background file not found.")
        default_background = data.get("default_preview_background_file_id")
        if default_background is not None and str(default_background) not in backgrounds:
            raise WrongParameter("Invalid default_preview_background_file_id")
        return data

    async def after_create(self, ctx: CrudContext, row: dict[str, Any]) -> dict[str, Any] | None:
        extra: dict[str, Any] = {}
        repo = ProjectRepository(ctx.session)
        template = ctx.state.get("template")
        if template is not None:
            await _apply_template(ctx, row["id"], *template)
            extra.update(await _project_row(repo, row["id"]))
        production_type = extra.get("production_type", row["production_type"])
        if production_type == "tvshow":
            episode = await repo.create_episode(row["id"], "E01", ctx.caller.id)
            await events.emit(
                ctx.session,
                "episode:new",
                {"episode_id": episode["id"]},
                project_id=row["id"],
                user_id=ctx.caller.id,
            )
            extra["first_episode_id"] = episode["id"]
        copied = await repo.copy_project_descriptors(row["id"])
        await events.emit_many(
            ctx.session,
            [("metadata-descriptor:new", {"metadata_descriptor_id": i}, row["id"]) for i in copied],
            user_id=ctx.caller.id,
        )
        return extra or None

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        await require_manager(ctx.session, ctx.caller, row["id"])
        ctx.state["op"] = "update"
        if "resolution" in data:
            check_resolution(data["resolution"])
        check_bitrates(ctx.settings, data, current=row)
        check_production_style(data)
        data.pop("team", None)
        repo = ProjectRepository(ctx.session)
        for relation in LINK_RELATIONS:
            if relation not in data:
                continue
            wanted = list(dict.fromkeys(str(i) for i in data.pop(relation) or []))
            known = await repo.existing_targets(relation, wanted)
            current = await repo.linked_ids(relation, row["id"])
            await repo.remove_links(relation, row["id"], [i for i in current if i not in known])
            remote = RELATIONS[relation][2]
            await repo.add_links(relation, row["id"], [{remote: i} for i in wanted if i in known and i not in current])
        return data

    async def after_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
        if row.get("production_type") != "tvshow":
            return None
        repo = ProjectRepository(ctx.session)
        episode = await repo.first_episode(row["id"])
        if episode is None:
            episode = await repo.create_episode(row["id"], "E01", ctx.caller.id)
            await events.emit(
                ctx.session, "episode:new", {"episode_id": episode["id"]}, project_id=row["id"], user_id=ctx.caller.id
            )
        return {"first_episode_id": episode["id"]}


def not_vendor(caller: Caller, row: Mapping[str, Any] | None = None) -> bool:
    """Anyone but vendors (their global role)."""
    return caller.role != VENDOR


def _check_field_type(data: Mapping[str, Any]) -> None:
    value = data.get("out_field_type")
    if "out_field_type" in data and value not in AUTOMATION_FIELD_TYPES:
        raise InvalidBody(f"Invalid out_field_type: {value!r}. Expected one of: status, ready_for.")


class StatusAutomationHooks(Hooks):
    """`/data/status-automations`: listed by all but vendors, read one and written by admins;
    an automation a project uses cannot be deleted."""

    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        require_admin(ctx.caller)

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        _check_field_type(data)
        return data

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        _check_field_type(data)
        return data

    async def before_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        # Zou looks at the project links before the caller's rights.
        if await ProjectRepository(ctx.session).automation_in_use(row["id"]):
            raise InvalidBody("This automation is used in a project.")
        require_admin(ctx.caller)
