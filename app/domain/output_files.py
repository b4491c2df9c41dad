"""Output files: publications of an entity (or of an asset instance inside a shot or scene).

An output file is one revision of a (name, output type, task type, representation) series;
`new` takes the next revision unless one is given, renders its path with the project's file
tree, then writes the row (a path that cannot be rendered is a 400 with nothing written).
Reading needs access to the project; listing a whole project needs its manager.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import DomainError, NotFound, PermissionDenied, WrongParameter
from app.domain import events, file_tree
from app.domain.access import require_entity_access, require_manager, require_member
from app.domain.file_tree import is_id
from app.domain.permissions import Caller
from app.repositories.access import AccessRepository
from app.repositories.output_files import OutputFileRepository, file_filters
from app.repositories.tables.files import OutputFile

TYPE = "OutputFile"
WORKING_FILE_TYPE = "WorkingFile"
DEFAULT_FILE_STATUS = "To review"
QUALITIES = ("low", "mid", "high")
_COLUMN_NAMES = frozenset(c.name for c in OutputFile.__table__.columns)
FILTER_PARAMS = ("output_type_id", "task_type_id", "representation", "file_status_id", "name")
ID_FILTERS = ("output_type_id", "task_type_id", "file_status_id", "temporal_entity_id")


class FileError(DomainError):
    """Zou's 400 of the publication routes: `{"error": message}` (entity routes)."""

    def body(self) -> dict:
        return {"error": self.message}


class InstanceFileError(DomainError):
    """The same 400 on the asset instance routes, where Zou names it `message`."""

    def body(self) -> dict:
        return {"message": self.message}


class NewOutputFileBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = "main"
    mode: str = "output"
    output_type_id: str = Field(..., min_length=1)
    task_type_id: str = Field(..., min_length=1)
    person_id: str | None = None
    working_file_id: str | None = None
    comment: str = ""
    revision: int = 0
    extension: str = ""
    representation: str = ""
    nb_elements: int = 1
    sep: str = "/"
    file_status_id: str | None = None


class NextRevisionBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = "main"
    output_type_id: str = Field(..., min_length=1)
    task_type_id: str = Field(..., min_length=1)


# --- presentation ---------------------------------------------------------


def present_working_file(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in ("outputs", "task_project_id")}
    out["type"] = WORKING_FILE_TYPE
    return out


def present(row: dict[str, Any]) -> dict[str, Any]:
    """Zou's serialization: the columns in model order, `source_file` (the working file) after
    `source_file_id`, then the base columns and `type`."""
    out: dict[str, Any] = {}
    source = row.get("source_file")
    for key, value in row.items():
        if key == "source_file":
            continue
        out[key] = value
        if key == "source_file_id":
            out["source_file"] = present_working_file(source) if source else None
    out["type"] = TYPE
    return out


def present_all(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [present(r) for r in rows]


def present_output_type(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "type": "OutputType"}


# --- helpers ----------------------------------------------------------------


def listing_filters(params: dict[str, str | None]) -> dict[str, str | None]:
    """The optional filters of a listing; a malformed id is a 400 (Zou lets the database fail)."""
    out: dict[str, str | None] = {}
    for name, value in params.items():
        if value and name in ID_FILTERS and not is_id(value):
            raise WrongParameter(f"Invalid UUID value: {value}")
        out[name] = value or None
    return out


def _conditions(filters: dict[str, str | None]) -> list:
    return file_filters(**{k: filters.get(k) for k in FILTER_PARAMS})


async def _entity(repo: OutputFileRepository, entity_id: str) -> dict[str, Any]:
    found = await repo.entity(entity_id)
    if found is None:
        raise NotFound("Entity not found.")
    return found


async def _instance(repo: OutputFileRepository, instance_id: str) -> dict[str, Any]:
    found = await repo.instance(instance_id)
    if found is None:
        raise NotFound("Asset instance not found.")
    if found["project_id"] is None:
        raise NotFound("Asset not found.")
    return found


async def _output_type(repo: OutputFileRepository, output_type_id: str) -> dict[str, Any]:
    found = await repo.output_type(output_type_id) if is_id(output_type_id) else None
    if found is None:
        raise NotFound("Output type not found.")
    return found


async def _task_type(repo: OutputFileRepository, task_type_id: str) -> dict[str, Any]:
    found = await repo.task_type(task_type_id) if is_id(task_type_id) else None
    if found is None:
        raise NotFound("Task type not found.")
    return found


# --- per entity -------------------------------------------------------------


async def entity_files(session: AsyncSession, caller: Caller, entity_id: str, params: dict) -> list[dict]:
    filters = listing_filters(params)
    repo = OutputFileRepository(session)
    found = await _entity(repo, entity_id)
    await require_member(session, caller, found["project_id"])
    return present_all(await repo.for_entity(entity_id, _conditions(filters)))


async def entity_last_revisions(session: AsyncSession, caller: Caller, entity_id: str, params: dict) -> list[dict]:
    filters = listing_filters(params)
    repo = OutputFileRepository(session)
    found = await _entity(repo, entity_id)
    await require_member(session, caller, found["project_id"])
    rows = await repo.last_revisions(_conditions(filters), bool(filters.get("file_status_id")), entity_id=entity_id)
    return present_all(rows)


async def entity_output_types(session: AsyncSession, caller: Caller, entity_id: str) -> list[dict]:
    repo = OutputFileRepository(session)
    found = await _entity(repo, entity_id)
    await require_member(session, caller, found["project_id"])
    return [present_output_type(r) for r in await repo.output_types_used(entity_id=entity_id)]


async def entity_output_type_files(
    session: AsyncSession, caller: Caller, entity_id: str, output_type_id: str, representation: str | None
) -> list[dict]:
    repo = OutputFileRepository(session)
    found = await _entity(repo, entity_id)
    await _output_type(repo, output_type_id)
    await require_member(session, caller, found["project_id"])
    rows = await repo.for_output_type(output_type_id, representation, entity_id=entity_id)
    return present_all(rows)


async def next_entity_revision(session: AsyncSession, caller: Caller, entity_id: str, body: NextRevisionBody) -> dict:
    repo = OutputFileRepository(session)
    found = await _entity(repo, entity_id)
    output_type = await _output_type(repo, body.output_type_id)
    task_type = await _task_type(repo, body.task_type_id)
    await require_member(session, caller, found["project_id"])
    last = await repo.last_revision_number(output_type["id"], task_type["id"], body.name, entity_id=entity_id)
    return {"next_revision": (last or 0) + 1}


# --- per asset instance -----------------------------------------------------


async def instance_files(session: AsyncSession, caller: Caller, instance_id: str, params: dict) -> list[dict]:
    filters = listing_filters(params)
    repo = OutputFileRepository(session)
    instance = await _instance(repo, instance_id)
    await require_member(session, caller, instance["project_id"])
    rows = await repo.for_instance(instance_id, filters.get("temporal_entity_id"), _conditions(filters))
    return present_all(rows)


async def instance_last_revisions(
    session: AsyncSession, caller: Caller, instance_id: str, temporal_entity_id: str, params: dict
) -> list[dict]:
    filters = listing_filters(params)
    repo = OutputFileRepository(session)
    instance = await _instance(repo, instance_id)
    await require_member(session, caller, instance["project_id"])
    rows = await repo.last_revisions(
        _conditions(filters),
        bool(filters.get("file_status_id")),
        instance_id=instance_id,
        temporal_entity_id=temporal_entity_id,
    )
    return present_all(rows)


async def instance_output_types(
    session: AsyncSession, caller: Caller, instance_id: str, temporal_entity_id: str
) -> list[dict]:
    repo = OutputFileRepository(session)
    instance = await _instance(repo, instance_id)
    await require_member(session, caller, instance["project_id"])
    rows = await repo.output_types_used(instance_id=instance_id, temporal_entity_id=temporal_entity_id)
    return [present_output_type(r) for r in rows]


async def instance_output_type_files(
    session: AsyncSession,
    caller: Caller,
    instance_id: str,
    temporal_entity_id: str,
    output_type_id: str,
    representation: str | None,
) -> list[dict]:
    repo = OutputFileRepository(session)
    instance = await _instance(repo, instance_id)
    await require_member(session, caller, instance["project_id"])
    await _output_type(repo, output_type_id)
    rows = await repo.for_output_type(
        output_type_id, representation, instance_id=instance_id, temporal_entity_id=temporal_entity_id
    )
    return present_all(rows)


async def next_instance_revision(
    session: AsyncSession, caller: Caller, instance_id: str, temporal_entity_id: str, body: NextRevisionBody
) -> dict:
    repo = OutputFileRepository(session)
    instance = await _instance(repo, instance_id)
    output_type = await _output_type(repo, body.output_type_id)
    task_type = await _task_type(repo, body.task_type_id)
    await require_member(session, caller, instance["project_id"])
    last = await repo.last_revision_number(
        output_type["id"],
        task_type["id"],
        body.name,
        instance_id=instance_id,
        temporal_entity_id=temporal_entity_id,
    )
    return {"next_revision": (last or 0) + 1}


# --- per project --------------------------------------------------------------


async def project_files(session: AsyncSession, caller: Caller, project_id: str, params: dict) -> list[dict]:
    """Zou's check_manager_project_access: an admin passes whatever the id (an unknown project lists nothing)."""
    filters = listing_filters(params)
    if not caller.is_admin:
        await require_manager(session, caller, project_id)
    return present_all(await OutputFileRepository(session).for_project(project_id, _conditions(filters)))


# --- one file -----------------------------------------------------------------


async def get_file(session: AsyncSession, caller: Caller, file_id: str) -> dict:
    """A working file (with its outputs' ids) or else an output file, after the project check."""
    repo = OutputFileRepository(session)
    working = await repo.working_file(file_id)
    if working is not None:
        if working["task_project_id"] is None:
            raise NotFound("Task not found.")
        await require_member(session, caller, working["task_project_id"])
        out: dict[str, Any] = {}
        for key, value in working.items():
            if key in ("outputs", "task_project_id"):
                continue
            out[key] = value
            if key == "software_id":
                out["outputs"] = [str(i) for i in working["outputs"]]
        out["type"] = WORKING_FILE_TYPE
        return out
    row = await repo.get(file_id)
    if row is None:
        raise NotFound("Output file not found.")
    entity = await _entity(repo, row["entity_id"]) if row["entity_id"] else None
    if entity is None:
        raise NotFound("Entity not found.")
    await require_member(session, caller, entity["project_id"])
    return present(row)


# --- publishing -------------------------------------------------------------


async def _publish(
    session: AsyncSession,
    caller: Caller,
    body: NewOutputFileBody,
    *,
    entity: dict[str, Any],
    instance: dict[str, Any] | None,
    temporal_entity: dict[str, Any] | None,
    error: type[DomainError],
) -> dict[str, Any]:
    repo = OutputFileRepository(session)
    working_file_id = await repo.working_file_id(body.working_file_id) if is_id(body.working_file_id) else None
    await require_member(session, caller, entity["project_id"])
    output_type = await repo.output_type(body.output_type_id) if is_id(body.output_type_id) else None
    if output_type is None:
        raise error("Cannot find given output type.")
    task_type = await file_tree.load_task_type(session, body.task_type_id)  # with its department
    person_id = caller.id
    if body.person_id is not None:
        if not is_id(body.person_id) or not await repo.person_exists(body.person_id):
            raise error("Cannot find given person.")
        person_id = body.person_id
    instance_id = instance["id"] if instance else None
    temporal_entity_id = temporal_entity["id"] if temporal_entity else None
    revision = body.revision
    if revision < 1:
        last = await repo.last_revision_number(
            output_type["id"],
            task_type["task_type"]["id"],
            body.name,
            entity_id=entity["id"],
            instance_id=instance_id,
            temporal_entity_id=temporal_entity_id,
        )
        revision = (last or 0) + 1
    if body.file_status_id is not None:
        if not is_id(body.file_status_id) or not await repo.file_status_exists(body.file_status_id):
            raise error("Cannot find given file status.")
        file_status_id = body.file_status_id
    else:
        file_status_id = await repo.default_file_status_id(DEFAULT_FILE_STATUS)
    key = {
        "name": body.name,
        "entity_id": entity["id"],
        "asset_instance_id": instance_id,
        "output_type_id": output_type["id"],
        "task_type_id": task_type["task_type"]["id"],
        "temporal_entity_id": temporal_entity_id,
        "representation": body.representation,
        "revision": revision,
    }
    if await repo.exists(key):
        raise error("The given output file already exists.")
    try:
        folder_path, file_name = await _render_path(
            session,
            body,
            revision,
            entity=entity,
            output_type=output_type,
            task_type=task_type,
            instance=instance,
            temporal_entity=temporal_entity,
        )
    except file_tree.MalformedFileTree as exc:
        raise error(exc.message) from None
    values = {
        **key,
        "comment": body.comment,
        "extension": body.extension,
        "person_id": person_id,
        "source_file_id": working_file_id,
        "file_status_id": file_status_id,
        "nb_elements": body.nb_elements,
        "path": f"{folder_path}{body.sep}{file_name}{body.extension}",
    }
    new_id = await repo.insert(values)
    await events.emit(
        session, "output-file:new", {"output_file_id": new_id}, project_id=entity["project_id"], user_id=caller.id
    )
    row = await repo.get(new_id)
    return {**present(row), "folder_path": folder_path, "file_name": file_name}


async def _render_path(
    session: AsyncSession,
    body: NewOutputFileBody,
    revision: int,
    *,
    entity: dict[str, Any],
    output_type: dict[str, Any],
    task_type: dict[str, Any],
    instance: dict[str, Any] | None,
    temporal_entity: dict[str, Any] | None,
) -> tuple[str, str]:
    """The folder and file name of the new revision, from the project's file tree (mode `output`)."""
    values = {
        "output_type": output_type,
        "task_type": task_type,
        "mode": "output",
        "name": body.name,
        "representation": body.representation,
        "revision": revision,
        "nb_elements": body.nb_elements,
        "sep": body.sep,
    }
    if instance is None:
        return await file_tree.output_file_path(session, entity["id"], **values)
    return await file_tree.instance_output_file_path(session, instance["id"], temporal_entity["id"], **values)


async def new_entity_file(session: AsyncSession, caller: Caller, entity_id: str, body: NewOutputFileBody) -> dict:
    repo = OutputFileRepository(session)
    entity = await _entity(repo, entity_id)
    return await _publish(session, caller, body, entity=entity, instance=None, temporal_entity=None, error=FileError)


async def new_instance_file(
    session: AsyncSession, caller: Caller, instance_id: str, temporal_entity_id: str, body: NewOutputFileBody
) -> dict:
    repo = OutputFileRepository(session)
    instance = await repo.instance(instance_id)
    if instance is None:
        raise NotFound("Asset instance not found.")
    temporal_entity = await _entity(repo, temporal_entity_id)
    asset = await _entity(repo, instance["asset_id"])
    return await _publish(
        session,
        caller,
        body,
        entity=asset,
        instance=instance,
        temporal_entity=temporal_entity,
        error=InstanceFileError,
    )


# --- CRUD hooks (`/data/output-files`) ----------------------------------------


def check_quality(data: dict[str, Any]) -> None:
    if data.get("quality") is not None and data["quality"] not in QUALITIES:
        raise WrongParameter("Invalid quality")


async def entity_project(session: AsyncSession, entity_id: str | None) -> str | None:
    if not entity_id:
        return None
    found = await OutputFileRepository(session).entity(entity_id)
    return None if found is None else found["project_id"]


async def check_read(session: AsyncSession, caller: Caller, row: dict[str, Any]) -> None:
    """Zou: access to the entity's project, and for a vendor a task on the entity."""
    project_id = await entity_project(session, row.get("entity_id"))
    if project_id is None:
        raise NotFound("Entity not found.")
    scope = await require_member(session, caller, project_id)
    await require_entity_access(session, scope, row["entity_id"])


async def check_update(session: AsyncSession, caller: Caller, row: dict[str, Any]) -> None:
    """A manager of the project, or someone assigned to a task of the (temporal) entity."""
    project_id = await entity_project(session, row.get("entity_id"))
    if project_id is None:
        raise NotFound("Entity not found.")
    if caller.is_admin:
        return
    try:
        await require_manager(session, caller, project_id)
        return
    except PermissionDenied:
        pass
    target = row.get("temporal_entity_id") or row["entity_id"]
    if not await AccessRepository(session).is_assigned_on_entity(caller.id, target):
        raise PermissionDenied()


async def add_sources(session: AsyncSession, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the generic engine with their `source_file` nested (one query for all), in Zou's order."""
    ids = sorted({r["source_file_id"] for r in rows if r.get("source_file_id")})
    sources = await OutputFileRepository(session).sources(ids)
    out = []
    for row in rows:
        source = sources.get(row.get("source_file_id"))
        extra = {k: row[k] for k in row if k not in _COLUMN_NAMES and k != "type"}
        base = {k: row[k] for k in row if k in _COLUMN_NAMES}
        presented = present({**base, "source_file": source})
        out.append({**presented, **extra} if extra else presented)
    return out
