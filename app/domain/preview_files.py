"""Preview files: main previews, annotations, positions, comment links, removal and listings.

Zou's rules, route by route:
- set a preview (or a task's last preview, or the last preview of several tasks) as its
  entity's main preview: project members with access to the entity, clients excepted;
  emits `preview-file:set-main` and `<asset|shot|...>:update`; answers the entity typed
  "Entity" with the preview's `preview_file_status`.
- annotations: managers, clients and supervisors of the task type's department; the
  additions, updates and deletions are merged as Zou merges them;
  `preview-file:annotation-update`.
- position: task action access; reorders the previews of the revision.
- add an extra preview to a comment: task action access; a new preview row waiting for its
  file, at the revision of the given preview (`preview-file:new`, `comment:update`).
- remove a preview (CRUD delete: project managers; from a comment: task action access and
  comment access, managers for `?force=true`): rows and references go, the task and the
  entity get their previous main preview back, and the stored files are removed once the
  removal is committed (`stored_files`).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.core.storage import Storage
from app.domain import events, movies, stored_files
from app.domain.access import ProjectScope, project_scope, require_entity_access, require_manager, require_member
from app.domain.entity_kinds import ASSET, CONCEPT, EDIT, SHOT, entity_kinds
from app.domain.permissions import CLIENT, MANAGER, SUPERVISOR, Caller
from app.domain.task_access import (
    check_comment_access,
    check_task_access,
    check_task_action_access,
    in_department,
    load_task,
)
from app.repositories.preview_files import PreviewFileRepository

TYPE = "PreviewFile"
DEFAULT_PAGE_SIZE = 100


def present(row: Mapping[str, Any], comments: list[str] | None = None) -> dict[str, Any]:
    """A preview row as Zou serializes it: its columns, `comments` when asked, then `type`."""
    out = dict(row)
    if comments is not None:
        out["comments"] = comments
    out["type"] = TYPE
    return out


def present_entity(row: Mapping[str, Any]) -> dict[str, Any]:
    """An entity as Zou's `Entity.serialize()` (typed "Entity") plus `preview_file_status`."""
    out: dict[str, Any] = {"id": row["id"]}
    out.update((k, v) for k, v in row.items() if k not in ("id", "created_at", "updated_at", "preview_file_status"))
    out["created_at"] = row["created_at"]
    out["updated_at"] = row["updated_at"]
    out["type"] = "Entity"
    out["preview_file_status"] = row.get("preview_file_status")
    return out


def _datetime(value: Any) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%S") if value is not None else None


async def _context(session: AsyncSession, preview_file_id: str) -> dict[str, Any]:
    found = await PreviewFileRepository(session).context(preview_file_id)
    if found is None:
        raise NotFound("Preview file not found.")
    if found["project_id"] is None:  # a preview without a task: nothing to check access against
        raise NotFound("Task not found.")
    return found


async def _entity_access(session: AsyncSession, caller: Caller, project_id: str, entity_id: str | None) -> ProjectScope:
    """Zou's check_project_access + check_entity_access."""
    scope = await require_member(session, caller, project_id)
    if entity_id is not None:
        await require_entity_access(session, scope, entity_id)
    return scope


# --- main previews ---------------------------------------------------------


async def announce_entity_previews(session: AsyncSession, caller: Caller, entities: list[dict[str, Any]]) -> None:
    """`preview-file:set-main` then `<kind>:update` for each entity whose main preview changed."""
    kinds = await entity_kinds(session)
    items: list[tuple[str, dict[str, Any], str | None]] = []
    for row in entities:
        project_id = str(row["project_id"])
        items.append(
            (
                "preview-file:set-main",
                {
                    "entity_id": row["id"],
                    "preview_file_id": row["preview_file_id"],
                    "preview_file_status": row.get("preview_file_status"),
                },
                project_id,
            )
        )
        kind = kinds.kind_of(row["entity_type_id"])
        name = "asset" if kind == ASSET else kind.lower()
        items.append((f"{name}:update", {f"{name}_id": row["id"]}, project_id))
    if items:
        await events.emit_many(session, items, user_id=caller.id)


async def set_entity_previews(
    session: AsyncSession, caller: Caller, previews: Mapping[str, str | None]
) -> list[dict[str, Any]]:
    """Make each preview the main one of its entity (entity id -> preview id), tell the clients."""
    rows = await PreviewFileRepository(session).set_entity_previews(previews)
    await announce_entity_previews(session, caller, rows)
    return [present_entity(r) for r in rows]


async def set_main_preview(
    session: AsyncSession, storage: Storage, caller: Caller, preview_file_id: str, frame_number: int | None
) -> dict[str, Any]:
    ctx = await _context(session, preview_file_id)
    scope = await _entity_access(session, caller, ctx["project_id"], ctx["entity_id"])
    if scope.is_client:
        raise PermissionDenied()
    if frame_number is not None and ctx["extension"] != "mp4":
        raise WrongParameter("Can't use a given frame on non movie preview")
    if frame_number is not None:
        # The chosen frame becomes the movie's pictures; a frame that cannot be read leaves them
        # as they are (Zou: "nothing is broken, only unchanged").
        fps = movies.encoding_fps(
            ctx["project_fps"], ctx["entity_data"] if isinstance(ctx["entity_data"], dict) else None
        )
        await movies.replace_thumbnail_from_frame(storage, {"id": preview_file_id}, fps, frame_number)
    return (await set_entity_previews(session, caller, {ctx["entity_id"]: preview_file_id}))[0]


async def _check_set_main_access(session: AsyncSession, caller: Caller, task: Mapping[str, Any]) -> None:
    scope = await _entity_access(session, caller, str(task["project_id"]), task["entity_id"])
    if scope.is_client:
        raise PermissionDenied()


async def set_task_main_preview(session: AsyncSession, caller: Caller, task_id: str) -> dict[str, Any]:
    task = await load_task(session, task_id)
    await _check_set_main_access(session, caller, task)
    last = (await PreviewFileRepository(session).last_previews_of_tasks([task_id])).get(task_id)
    if last is None:
        raise WrongParameter("This task has no preview file to set as the main preview.")
    return (await set_entity_previews(session, caller, {task["entity_id"]: last}))[0]


def _parse_ids(values: list[str]) -> list[str]:
    ids = []
    for value in values:
        try:
            ids.append(str(uuid.UUID(value)))
        except (ValueError, AttributeError, TypeError):
            raise WrongParameter("Malformed ID.") from None
    return list(dict.fromkeys(ids))


async def set_tasks_main_preview(session: AsyncSession, caller: Caller, task_ids: list[str]) -> list[dict[str, Any]]:
    """The bulk form: every task is checked first, then the entities are updated at once."""
    ids = _parse_ids(task_ids)
    repo = PreviewFileRepository(session)
    tasks = await repo.tasks(ids)
    for task_id in ids:
        if task_id not in tasks:
            raise NotFound("Task not found.")
    scopes: dict[str, ProjectScope] = {}
    for task_id in ids:
        task = tasks[task_id]
        project_id = str(task["project_id"])
        if project_id not in scopes:
            scopes[project_id] = await require_member(session, caller, project_id)
        scope = scopes[project_id]
        if task["entity_id"] is not None:
            await require_entity_access(session, scope, task["entity_id"])
        if scope.is_client:
            raise PermissionDenied()
    last = await repo.last_previews_of_tasks(ids)
    previews: dict[str, str | None] = {}
    for task_id in ids:
        if task_id in last and tasks[task_id]["entity_id"] is not None:
            previews[tasks[task_id]["entity_id"]] = last[task_id]
    return await set_entity_previews(session, caller, previews)


# --- annotations -------------------------------------------------------------


def _objects(annotation: dict[str, Any]) -> list[dict[str, Any]]:
    drawing = annotation.get("drawing")
    if not isinstance(drawing, dict):
        return []
    objects = drawing.get("objects")
    return [o for o in objects if isinstance(o, dict)] if isinstance(objects, list) else []


def _set_objects(annotation: dict[str, Any], objects: list[dict[str, Any]]) -> None:
    if not isinstance(annotation.get("drawing"), dict):
        annotation["drawing"] = {}
    annotation["drawing"]["objects"] = objects


def _ensure_id(drawing_object: dict[str, Any]) -> None:
    if not drawing_object.get("id"):
        drawing_object["id"] = str(uuid.uuid4())


def _check_entries(name: str, entries: list[Any]) -> None:
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("time", []), int | float | str | None):
            raise WrongParameter(f"Each entry of {name} needs a time.")


def merge_annotations(
    previous: list[dict[str, Any]] | None,
    additions: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    deletions: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Zou's merge: objects get ids; additions add new times or new objects (never overwrite one);
    updates replace the objects they name (moved to the end); deletions drop objects by id;
    times left without objects are dropped."""
    annotations = [a for a in copy.deepcopy(previous or []) if isinstance(a, dict)]
    for annotation in annotations:
        for drawing_object in _objects(annotation):
            _ensure_id(drawing_object)
    by_time = {a.get("time"): a for a in annotations}

    for addition in copy.deepcopy(additions):
        new_objects = _objects(addition)
        for drawing_object in new_objects:
            _ensure_id(drawing_object)
        existing = by_time.get(addition["time"])
        if existing is None:
            annotations.append(addition)
            by_time[addition["time"]] = addition
            continue
        objects = _objects(existing)
        known = {o["id"] for o in objects}
        _set_objects(existing, objects + [o for o in new_objects if o.get("id", "") not in known])

    for change in updates:
        existing = by_time.get(change["time"])
        if existing is None:
            continue
        objects = _objects(existing)
        known = {o["id"] for o in objects if "id" in o}
        updated = [o for o in _objects(change) if "id" in o]
        replaced = {o["id"] for o in updated}
        kept = [o for o in objects if o.get("id") not in replaced]
        _set_objects(existing, kept + [copy.deepcopy(o) for o in updated if o["id"] in known])

    for deletion in deletions:
        existing = by_time.get(deletion["time"])
        if existing is None:
            continue
        gone = deletion.get("objects") or []
        gone = set(gone) if isinstance(gone, list) and all(isinstance(g, str) for g in gone) else set()
        _set_objects(existing, [o for o in _objects(existing) if o.get("id", "") not in gone])

    return [a for a in annotations if _objects(a)]


async def check_annotations_access(session: AsyncSession, caller: Caller, preview_file_id: str) -> dict[str, Any]:
    """Project members who are managers, clients, or supervisors of the task type's department."""
    ctx = await _context(session, preview_file_id)
    scope = await require_member(session, caller, ctx["project_id"])
    allowed = scope.is_manager or scope.role == CLIENT
    if not allowed and scope.role == SUPERVISOR:
        allowed = in_department(caller, ctx["task_type_department_id"])
    if not allowed:
        raise PermissionDenied()
    return ctx


async def update_annotations(
    session: AsyncSession,
    caller: Caller,
    ctx: Mapping[str, Any],
    additions: list[Any],
    updates: list[Any],
    deletions: list[Any],
) -> dict[str, Any]:
    """Merge the changes into the preview's annotations (`ctx` from `check_annotations_access`)."""
    preview_file_id = ctx["id"]
    for name, entries in (("additions", additions), ("updates", updates), ("deletions", deletions)):
        _check_entries(name, entries)
    repo = PreviewFileRepository(session)
    previous = await repo.lock_annotations(preview_file_id)  # concurrent edits of a preview queue up here
    merged = merge_annotations(previous if isinstance(previous, list) else [], additions, updates, deletions)
    row = await repo.update(preview_file_id, {"annotations": merged})
    await events.emit(
        session,
        "preview-file:annotation-update",
        {"preview_file_id": preview_file_id, "person_id": caller.id, "updated_at": _datetime(row["updated_at"])},
        project_id=ctx["project_id"],
        user_id=caller.id,
    )
    return present(row)


# --- positions -----------------------------------------------------------------


async def update_position(session: AsyncSession, caller: Caller, preview_file_id: str, position: int) -> list[dict]:
    """Move the preview to `position` among the previews of its revision (1-based); answers the
    revision's previews in their new order. A position out of range changes nothing."""
    ctx = await _context(session, preview_file_id)
    task = await load_task(session, ctx["task_id"])
    await check_task_action_access(session, caller, task)
    repo = PreviewFileRepository(session)
    await repo.lock_task_revisions(ctx["task_id"])
    previews = await repo.revision_previews(ctx["task_id"], ctx["revision"])
    if 0 < position <= len(previews):
        moved = next(p for p in previews if p["id"] == preview_file_id)
        ordered = [p for p in previews if p["id"] != preview_file_id]
        ordered.insert(position - 1, moved)
        await repo.set_positions({p["id"]: i for i, p in enumerate(ordered, start=1)})
        previews = await repo.revision_previews(ctx["task_id"], ctx["revision"])
        rank = {p["id"]: i for i, p in enumerate(ordered)}
        previews.sort(key=lambda p: rank[p["id"]])
    return [present(p) for p in previews]


# --- comments ------------------------------------------------------------------


async def _comment_on_task(repo: PreviewFileRepository, comment_id: str, task_id: str) -> dict[str, Any]:
    found = await repo.comment(comment_id)
    if found is None or str(found["object_id"]) != task_id:
        raise NotFound("Comment not found.")
    return found


async def add_preview_to_comment(
    session: AsyncSession, caller: Caller, task_id: str, comment_id: str, preview_file_id: str
) -> dict[str, Any]:
    """A new preview on the comment at the revision of the given one (an extra preview of that
    revision), waiting for its file (`POST /pictures/preview-files/{id}`)."""
    task = await load_task(session, task_id)
    await check_task_action_access(session, caller, task)
    repo = PreviewFileRepository(session)
    found = await _comment_on_task(repo, comment_id, task_id)
    related = await repo.get(preview_file_id)
    if related is None or related["task_id"] != task_id:
        raise NotFound("Preview file not found.")
    revision = related["revision"]
    project_id = str(task["project_id"])
    await repo.lock_task_revisions(task_id)
    if found["nb_previews"] == 0 and await repo.revision_taken(task_id, revision):
        raise WrongParameter(
            f"Revision {revision} already exists for this task. Choose a different revision number, "
            "or omit it to let the revision auto-increment."
        )
    position = await repo.next_position(task_id, revision)
    if position > 1 and await repo.single_preview_per_revision(project_id):
        raise WrongParameter("Only one preview file is allowed per revision for this project.")
    row = await repo.insert(
        {
            "name": str(uuid.uuid4())[:13],
            "revision": revision,
            "position": position,
            "task_id": task_id,
            "person_id": caller.id,
        }
    )
    await repo.link_to_comment(comment_id, row["id"])
    await events.emit(
        session,
        "preview-file:new",
        {"preview_file_id": row["id"], "comment_id": comment_id},
        project_id=project_id,
        user_id=caller.id,
    )
    await events.emit(
        session,
        "comment:update",
        {
            "comment_id": comment_id,
            "task_id": task_id,
            "person_id": found["person_id"],
            "for_client": found["for_client"],
        },
        project_id=project_id,
        user_id=caller.id,
    )
    return present(row, await repo.comment_ids(row["id"]))


async def remove_preview_from_comment(
    session: AsyncSession,
    caller: Caller,
    task_id: str,
    comment_id: str,
    preview_file_id: str,
    force: bool,
) -> None:
    task = await load_task(session, task_id)
    await check_task_action_access(session, caller, task)
    repo = PreviewFileRepository(session)
    found = await _comment_on_task(repo, comment_id, task_id)
    ctx = await repo.context(preview_file_id)
    if ctx is None or ctx["task_id"] != task_id or not await repo.is_linked(comment_id, preview_file_id):
        raise NotFound("Preview file not found.")
    isolated = await repo.clients_isolated(str(task["project_id"]))
    await check_comment_access(session, caller, found, task, isolated)
    if force:
        await require_manager(session, caller, str(task["project_id"]))
    await remove_preview_file(session, caller, ctx)


# --- removal -------------------------------------------------------------------


async def check_delete(session: AsyncSession, caller: Caller, preview_file_id: str) -> dict[str, Any]:
    """`DELETE /data/preview-files/{id}`: managers of the preview's project."""
    ctx = await _context(session, preview_file_id)
    await require_manager(session, caller, ctx["project_id"])
    return ctx


async def delete_preview_file(session: AsyncSession, caller: Caller, preview_file_id: str) -> None:
    ctx = await check_delete(session, caller, preview_file_id)
    await remove_preview_file(session, caller, ctx)
    await events.emit(session, "preview-file:delete", {"preview_file_id": preview_file_id}, user_id=caller.id)


async def remove_preview_file(session: AsyncSession, caller: Caller, ctx: Mapping[str, Any]) -> None:
    """Remove a preview (a `context` row): its row and every reference to it; the task and the
    entity that showed it get their previous main preview back (Zou's restore rules); its
    stored files go once the removal is committed."""
    repo = PreviewFileRepository(session)
    preview_file_id = ctx["id"]
    project_id = str(ctx["project_id"])
    await repo.remove(preview_file_id)
    if ctx["task_last_preview_file_id"] == preview_file_id:
        last = await repo.last_main_preview(task_id=ctx["task_id"])
        await repo.set_task_last_preview(ctx["task_id"], last["id"] if last else None)
        await events.emit(session, "task:update", {"task_id": ctx["task_id"]}, project_id=project_id, user_id=caller.id)
    if ctx["entity_preview_file_id"] == preview_file_id:
        main = None
        if ctx["is_set_preview_automated"]:
            main = await repo.last_main_preview(entity_id=ctx["entity_id"])
        await set_entity_previews(session, caller, {ctx["entity_id"]: main["id"] if main else None})
    stored_files.discard_many(session, stored_files.preview_file_keys(preview_file_id, ctx.get("extension")))


# --- listings --------------------------------------------------------------------


async def entity_preview_files(session: AsyncSession, caller: Caller, entity_id: str) -> list[dict[str, Any]]:
    repo = PreviewFileRepository(session)
    found = await repo.entity_project(entity_id)
    if found is None:
        raise NotFound("Entity not found.")
    await _entity_access(session, caller, str(found["project_id"]), entity_id)
    return await repo.for_entity(entity_id)


def _short(row: Mapping[str, Any]) -> dict[str, Any]:
    data = row["data"] if isinstance(row["data"], dict) else {}
    return {
        "id": row["id"],
        "revision": row["revision"],
        "position": row["position"],
        "original_name": row["original_name"],
        "extension": row["extension"],
        "width": row["width"],
        "height": row["height"],
        "duration": float(row["duration"] or 0),
        "status": row["status"],
        "annotations": row["annotations"],
        "created_at": row["created_at"],
        "task_id": row["task_id"],
        "task_type_id": row["task_type_id"],
        "original_width": data.get("original_width"),
        "original_height": data.get("original_height"),
        "original_duration": data.get("original_duration"),
        "original_file_size": data.get("original_file_size"),
    }


def group_by_task_type(rows: list[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Zou's playlist shape: per task type, one entry per revision (the other previews of that
    revision in its `previews`), newest revision first."""
    by_task: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_task.setdefault(row["task_id"], []).append(_short(row))
    result: dict[str, list[dict[str, Any]]] = {}
    for previews in by_task.values():
        revisions: dict[Any, dict[str, Any]] = {}
        mains: list[dict[str, Any]] = []
        for p in previews:
            if p["revision"] in revisions:
                revisions[p["revision"]]["previews"].append(p)
            else:
                main = {**p, "previews": []}
                revisions[p["revision"]] = main
                mains.append(main)
        result[previews[0]["task_type_id"]] = [
            {
                "id": m["id"],
                "revision": m["revision"],
                "original_name": m["original_name"],
                "extension": m["extension"],
                "width": m["width"],
                "height": m["height"],
                "duration": m["duration"],
                "status": m["status"],
                "annotations": m["annotations"],
                "previews": m["previews"],
                "created_at": m["created_at"],
                "task_id": m["task_id"],
                "original_width": m["original_width"],
                "original_height": m["original_height"],
                "original_duration": m["original_duration"],
                "original_file_size": m["original_file_size"],
            }
            for m in mains
        ]
    return result


async def kind_preview_files(
    session: AsyncSession, caller: Caller, entity_id: str, kind: str
) -> dict[str, list[dict[str, Any]]]:
    """The previews of a shot, an edit or a concept, by task type (404 for another kind)."""
    repo = PreviewFileRepository(session)
    found = await repo.entity_project(entity_id)
    kinds = await entity_kinds(session)
    if found is None or kinds.kind_of(found["entity_type_id"]) != kind:
        raise NotFound(f"{kind} not found.")
    scope = await _entity_access(session, caller, str(found["project_id"]), entity_id)
    if kind == CONCEPT and scope.is_client:
        raise PermissionDenied()
    return group_by_task_type(await repo.for_entity_by_task_type(entity_id))


async def shot_preview_files(session: AsyncSession, caller: Caller, shot_id: str) -> dict:
    return await kind_preview_files(session, caller, shot_id, SHOT)


async def edit_preview_files(session: AsyncSession, caller: Caller, edit_id: str) -> dict:
    return await kind_preview_files(session, caller, edit_id, EDIT)


async def concept_preview_files(session: AsyncSession, caller: Caller, concept_id: str) -> dict:
    return await kind_preview_files(session, caller, concept_id, CONCEPT)


async def task_previews(session: AsyncSession, caller: Caller, task_id: str) -> list[dict[str, Any]]:
    task = await load_task(session, task_id)
    scope = await check_task_access(session, caller, task)
    rows = await PreviewFileRepository(session).for_task(task_id, hide_rejected=scope.is_client)
    return [present(r) for r in rows]


async def project_preview_files(
    session: AsyncSession, caller: Caller, project_id: str, page: str | None
) -> list[dict[str, Any]] | dict[str, Any]:
    """Admins only; with `?page=N` a page of 100, newest change first."""
    if not caller.is_admin:
        raise PermissionDenied()
    try:
        page_number = int(page) if page is not None else -1
    except ValueError:
        raise WrongParameter("page must be an integer.") from None
    repo = PreviewFileRepository(session)
    if not await repo.project_exists(project_id):
        raise NotFound("Project not found.")
    if page_number < 1:
        return [present(r) for r in await repo.for_project(project_id)]
    limit = DEFAULT_PAGE_SIZE
    offset = (page_number - 1) * limit
    total = await repo.count_for_project(project_id)
    rows = await repo.for_project(project_id, limit, offset) if offset < total else []
    return {
        "data": [present(r) for r in rows],
        "total": total,
        "nb_pages": -(-total // limit),
        "limit": limit,
        "offset": offset,
        "page": page_number,
    }


# --- CRUD hooks (`/data/preview-files`) --------------------------------------------


async def check_read(session: AsyncSession, caller: Caller, row: Mapping[str, Any]) -> None:
    """GET one: vendors need to work on the preview's task, others to be on its project."""
    if caller.is_admin:
        return
    if row.get("task_id") is None:
        raise PermissionDenied()
    task = await load_task(session, row["task_id"])
    scope = await project_scope(session, caller, task["project_id"])
    if scope.is_vendor:
        if caller.id not in task["assignee_ids"]:
            raise PermissionDenied()
        return
    if not scope.is_member:
        raise PermissionDenied()


async def check_update(session: AsyncSession, caller: Caller, row: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """PUT: project members; non-managers must work on the task or supervise its department.
    A new revision of a main preview must be free, and its extra previews follow it."""
    if row.get("task_id") is None:
        if not caller.is_admin:
            raise PermissionDenied()
        return
    task = await load_task(session, row["task_id"])
    scope = await require_member(session, caller, task["project_id"])
    if not scope.is_manager and caller.id not in task["assignee_ids"]:
        supervisor = scope.on_team and scope.role in (MANAGER, SUPERVISOR)
        if not (supervisor and in_department(caller, task["task_type_department_id"])):
            raise PermissionDenied()
    revision = data.get("revision")
    if revision is not None and row.get("position") == 1 and revision != row["revision"]:
        repo = PreviewFileRepository(session)
        if await repo.revision_taken(row["task_id"], revision, exclude_id=row["id"]):
            raise WrongParameter(
                f"Revision {revision} already exists for this task. Choose a different revision number, "
                "or omit it to let the revision auto-increment."
            )
        await repo.move_revision(row["task_id"], row["revision"], revision, row["id"])
