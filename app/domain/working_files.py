"""Working files: revisions per task and name, paths from the file tree, the stored binary,
comment and modification date; plus the path routes of the file tree (working and output
paths, guessing from a path).

Access follows the reference: reading needs the task (`check_task_access`) or, for entity
listings and paths, the project (`require_member`, vendors only on entities they work on);
changing a working file needs `check_task_action_access` on its task.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import DomainError, NotFound, PermissionDenied, WrongParameter
from app.core.storage import Storage
from app.domain import events, file_tree
from app.domain.access import require_entity_access, require_member
from app.domain.file_tree import is_id
from app.domain.permissions import Caller
from app.domain.task_access import check_task_access, check_task_action_access, load_task
from app.repositories.tasks import TaskRepository
from app.repositories.working_files import FileTreeRepository, WorkingFileRepository

TYPE = "WorkingFile"
BUCKET = "working-files"
VALIDATION_STATUSES = ("validated", "rejected", "neutral")
BLENDER = {"name": "Blender", "short_name": "blender", "file_extension": ".blend"}
MAX = {"name": "3ds Max", "short_name": "max", "file_extension": ".max"}


class WorkingFileExists(DomainError):
    """A revision that already exists for that task and name (the reference's 400 body)."""

    def body(self) -> dict:
        return {"error": self.message}


class StoredFileMissing(DomainError):
    status_code = 404

    def body(self) -> dict:
        return {"error": True, "message": self.message}


def present(row: dict[str, Any], outputs: list[str] | None = None) -> dict[str, Any]:
    """The row in the reference's field order; `outputs` (ids of the output files made from it)
    sits after `software_id` when relations are asked for."""
    if outputs is None:
        return {**row, "type": TYPE}
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value
        if key == "software_id":
            out["outputs"] = outputs
    out.setdefault("outputs", outputs)
    out["type"] = TYPE
    return out


async def present_with_outputs(session: AsyncSession, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    outputs = await WorkingFileRepository(session).outputs_of([r["id"] for r in rows])
    return [present(r, outputs.get(str(r["id"]), [])) for r in rows]


def check_validation_status(data: dict[str, Any]) -> None:
    if "validation_status" in data and data["validation_status"] not in VALIDATION_STATUSES:
        raise WrongParameter("Invalid validation_status")


async def get_row(session: AsyncSession, working_file_id: str) -> dict[str, Any]:
    found = await WorkingFileRepository(session).get(working_file_id) if is_id(working_file_id) else None
    if found is None:
        raise NotFound("Working file not found.")
    return found


async def check_read(session: AsyncSession, caller: Caller, row: dict[str, Any]) -> None:
    """The reference's read check of a working file: access to its task."""
    if row.get("task_id") is None:
        if not caller.is_admin:
            raise PermissionDenied()
        return
    await check_task_access(session, caller, await load_task(session, str(row["task_id"])))


async def check_action(session: AsyncSession, caller: Caller, row: dict[str, Any]) -> dict[str, Any] | None:
    """The reference's write check of a working file: action access on its task; answers the task."""
    if row.get("task_id") is None:
        if not caller.is_admin:
            raise PermissionDenied()
        return None
    task = await load_task(session, str(row["task_id"]))
    await check_task_action_access(session, caller, task)
    return task


async def _updated(session: AsyncSession, caller: Caller, working_file_id: str, values: dict[str, Any]) -> dict:
    row = await get_row(session, working_file_id)
    task = await check_action(session, caller, row)
    updated = await WorkingFileRepository(session).update(working_file_id, values)
    await events.emit(
        session,
        "working-file:update",
        {"working_file_id": working_file_id},
        project_id=None if task is None else str(task["project_id"]),
        user_id=caller.id,
    )
    return present(updated)


# --- listings ---


async def last_revisions(session: AsyncSession, caller: Caller, task_id: str) -> dict[str, dict[str, Any]]:
    """The last revision of each working file name of the task, keyed by name."""
    await check_task_access(session, caller, await load_task(session, task_id))
    result: dict[str, dict[str, Any]] = {}
    for row in await WorkingFileRepository(session).last_revisions(task_id):
        result.setdefault(row["name"], present(row))
    return result


async def task_working_files(session: AsyncSession, caller: Caller, task_id: str) -> list[dict[str, Any]]:
    await check_task_access(session, caller, await load_task(session, task_id))
    return [present(r) for r in await WorkingFileRepository(session).for_task(task_id)]


async def entity_working_files(
    session: AsyncSession,
    caller: Caller,
    entity_id: str,
    *,
    task_id: str | None = None,
    name: str | None = None,
    relations: bool = False,
) -> list[dict[str, Any]]:
    project_id = await TaskRepository(session).entity_project(entity_id)
    if project_id is None:
        raise NotFound("Entity not found.")
    await require_member(session, caller, str(project_id))
    if task_id and not is_id(task_id):
        raise WrongParameter("Malformed ID.")
    rows = await WorkingFileRepository(session).for_entity(entity_id, task_id or None, name or None)
    if relations:
        return await present_with_outputs(session, rows)
    return [present(r) for r in rows]


# --- revisions and paths ---


async def _software(session: AsyncSession, software_id: str | None, default: dict[str, Any]) -> dict[str, Any]:
    if software_id is None:
        return await file_tree.get_or_create(session, "software", default)
    return await file_tree.load_software(session, software_id)


async def _next_revision(session: AsyncSession, task_id: str, name: str) -> int:
    last = await WorkingFileRepository(session).last_revision(task_id, name)
    return 1 if last is None else last + 1


async def _task_with_access(session: AsyncSession, caller: Caller, task_id: str):
    task, ctx = await file_tree.task_context(session, task_id)
    scope = await require_member(session, caller, str(task["project_id"]))
    await require_entity_access(session, scope, str(task["entity_id"]))
    return task, ctx


async def working_file_path(
    session: AsyncSession,
    caller: Caller,
    task_id: str,
    *,
    name: str,
    mode: str,
    software_id: str | None,
    revision: int,
    sep: str,
) -> dict[str, str]:
    """`{"path": folder, "name": file name}` of the task's next (or given) working revision."""
    _, ctx = await _task_with_access(session, caller, task_id)
    software = await _software(session, software_id, MAX)
    if revision == 0:
        revision = await _next_revision(session, task_id, name)
    folder, file_name = await file_tree.working_file_path(
        session, task_id, mode=mode, software=software, name=name, revision=revision, sep=sep, context=ctx
    )
    return {"path": folder, "name": file_name}


async def new_working_file(
    session: AsyncSession,
    caller: Caller,
    task_id: str,
    *,
    name: str,
    mode: str,
    comment: str,
    person_id: str | None,
    software_id: str | None,
    revision: int,
    sep: str,
) -> dict[str, Any]:
    """A new working revision of the task, its path built from the tree; the caller is assigned
    to the task, as the reference does."""
    task, ctx = await _task_with_access(session, caller, task_id)
    software = await _software(session, software_id, BLENDER)
    repo = WorkingFileRepository(session)
    if person_id is not None and (not is_id(person_id) or not await repo.person_exists(person_id)):
        raise WrongParameter("Person not found.")
    project_id = str(task["project_id"])
    await TaskRepository(session).add_assignees([(task_id, caller.id)])
    await events.emit_many(
        session,
        [
            ("task:assign", {"task_id": task_id, "person_id": caller.id}, project_id),
            ("task:update", {"task_id": task_id}, project_id),
        ],
        user_id=caller.id,
    )
    if revision == 0:
        revision = await _next_revision(session, task_id, name)
    folder, file_name = await file_tree.working_file_path(
        session, task_id, mode=mode, software=software, name=name, revision=revision, context=ctx
    )
    entity_id = task["entity_id"]
    if await repo.revision_exists(task_id, entity_id, name, revision):
        raise WorkingFileExists("The given working file already exists.")
    row = await repo.insert(
        {
            "comment": comment,
            "name": name,
            "revision": revision,
            "path": f"{folder}{sep}{file_name}",
            "task_id": task_id,
            "software_id": software["id"],
            "entity_id": entity_id,
            "person_id": person_id or caller.id,
        }
    )
    await events.emit(
        session, "working-file:new", {"working_file_id": row["id"]}, project_id=project_id, user_id=caller.id
    )
    return present(row)


async def update_comment(session: AsyncSession, caller: Caller, working_file_id: str, comment: str) -> dict:
    return await _updated(session, caller, working_file_id, {"comment": comment})


async def touch_modified(session: AsyncSession, caller: Caller, working_file_id: str) -> dict:
    return await _updated(session, caller, working_file_id, {})


# --- the stored file ---


async def readable_file(session: AsyncSession, caller: Caller, working_file_id: str) -> dict[str, Any]:
    """The working file, once the caller may read it (404, then 403)."""
    row = await get_row(session, working_file_id)
    await check_read(session, caller, row)
    return row


async def store_file(
    session: AsyncSession, storage: Storage, caller: Caller, row: dict[str, Any], chunks: AsyncIterator[bytes]
) -> dict[str, Any]:
    """Keep the uploaded binary of a working file (key: its id); answers the working file."""
    await storage.write(BUCKET, str(row["id"]), chunks)
    project_id = await TaskRepository(session).entity_project(str(row["entity_id"])) if row["entity_id"] else None
    await events.emit(
        session,
        "working-file:update",
        {"working_file_id": str(row["id"])},
        project_id=None if project_id is None else str(project_id),
        user_id=caller.id,
    )
    return (await present_with_outputs(session, [row]))[0]


async def stored_size(storage: Storage, row: dict[str, Any]) -> int:
    """The stored binary's size; 404 with the reference's message when none was uploaded."""
    size = await storage.size(BUCKET, str(row["id"]))
    if size is None:
        raise StoredFileMissing(f"Working file not found for: {row['id']}")
    return size


# --- output paths and guesses ---


async def entity_output_file_path(
    session: AsyncSession, caller: Caller, entity_id: str, body: dict[str, Any]
) -> dict[str, str]:
    """`{"folder_path", "file_name"}` of an output of the entity. As in the reference, the name
    carries the next revision when none is given, the folder the revision as given."""
    repo = FileTreeRepository(session)
    found = await repo.entity_context(entity_id) if is_id(entity_id) else None
    if found is None:
        raise NotFound("Entity not found.")
    scope = await require_member(session, caller, str(found["entity"]["project_id"]))
    await require_entity_access(session, scope, entity_id)
    output_type = await file_tree.load_output_type(session, body["output_type_id"])
    task_type = await file_tree.load_task_type(session, body["task_type_id"])
    revision = body["revision"]
    if revision == 0:
        revision = await file_tree.next_output_revision(
            session, entity_id, output_type["id"], task_type["task_type"]["id"], body["name"]
        )
    folder, file_name = await file_tree.output_file_path(
        session,
        entity_id,
        output_type=output_type,
        task_type=task_type,
        mode=body["mode"],
        name=body["name"],
        representation=body["representation"],
        revision=revision,
        folder_revision=body["revision"],
        sep=body["separator"],
    )
    return {"folder_path": folder, "file_name": file_name}


async def instance_output_file_path(
    session: AsyncSession, caller: Caller, asset_instance_id: str, temporal_entity_id: str, body: dict[str, Any]
) -> dict[str, str]:
    """`{"folder_path", "file_name"}` of an output of an asset instance in a shot or scene."""
    _, asset, ctx = await file_tree.instance_context(session, asset_instance_id, temporal_entity_id)
    output_type = await file_tree.load_output_type(session, body["output_type_id"])
    task_type = await file_tree.load_task_type(session, body["task_type_id"])
    scope = await require_member(session, caller, str(asset["entity"]["project_id"]))
    await require_entity_access(session, scope, str(asset["entity"]["id"]))
    folder, file_name = await file_tree.instance_output_file_path(
        session,
        asset_instance_id,
        temporal_entity_id,
        output_type=output_type,
        task_type=task_type,
        mode=body["mode"],
        name=body["name"],
        representation=body["representation"],
        revision=body["revision"],
        sep=body["separator"],
        context=ctx,
    )
    return {"folder_path": folder, "file_name": file_name}


async def guess_from_path(
    session: AsyncSession, caller: Caller, project_id: str, file_path: str, sep: str
) -> list[dict[str, str]]:
    project = await FileTreeRepository(session).project(project_id) if is_id(project_id) else None
    if project is None:
        raise NotFound("Project not found.")
    await require_member(session, caller, project_id)
    return await file_tree.guess_from_path(session, project, file_path, sep)
