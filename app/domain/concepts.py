"""Concepts (kind "Concept") and the concept folders (kind "ConceptFolder") holding them.

A concept is a piece of concept art of a production, linked to the assets it depicts
(`entity_concept_links`) and optionally filed in a folder of its project (`parent_id`).

- reading: team members, never clients nor vendors (admins: any project).
- creating a concept: team members but clients and vendors; a concept of the same name in
  the project is returned as it is; links to ids naming no entity are dropped.
- folders: created, renamed and filled (`move-concepts`) by the project's supervisors and
  managers; two folders of a project never share a name.
Events: `concept:new`, `concept:update` (a concept moved), `concept-folder:new|update`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.domain import events
from app.domain.access import ProjectScope, require_entity_access, require_member, require_supervisor
from app.domain.entities import (
    ENTITY_NOT_FOUND,
    attach_concept_links,
    attach_relations,
    criteria_clauses,
    criteria_scope,
    is_uuid,
    typed,
)
from app.domain.entity_kinds import CONCEPT, CONCEPT_FOLDER, entity_kinds
from app.domain.permissions import Caller
from app.domain.task_fields import CONCEPT_TASK_FIELDS, present_task
from app.repositories.entities import EntityRepository

TYPE_NAME = "Concept"
FOLDER_TYPE_NAME = "ConceptFolder"
CONCEPT_NOT_FOUND = "Concept not found."
FOLDER_NOT_FOUND = "Concept folder not found."
FOLDER_NAME_TAKEN = "A concept folder with this name already exists."


def block_clients_and_vendors(scope: ProjectScope | None) -> None:
    if scope is not None and (scope.is_client or scope.is_vendor):
        raise PermissionDenied()


async def _reader_scope(session: AsyncSession, caller: Caller, project_id: str) -> ProjectScope:
    scope = await require_member(session, caller, project_id)
    block_clients_and_vendors(scope)
    return scope


async def _project_folder(session: AsyncSession, project_id: str, folder_id: str) -> dict[str, Any]:
    """The concept folder, which must belong to the project."""
    kinds = await entity_kinds(session)
    folder = await EntityRepository(session).get_typed(folder_id, kinds.id(CONCEPT_FOLDER))
    if folder is None or folder["project_id"] != project_id:
        raise NotFound(FOLDER_NOT_FOUND)
    return folder


# --- concepts ------------------------------------------------------------------------------------


async def list_concepts(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """Concepts matching the query criteria (entity columns), by name, with their project's name."""
    scope = await criteria_scope(session, caller, params)
    block_clients_and_vendors(scope)
    clauses = criteria_clauses(params, exclude=("entity_type_id",))
    kinds = await entity_kinds(session)
    rows = await EntityRepository(session).list_with_project_name(
        kinds.id(CONCEPT), clauses, assigned_to=caller.id if "assigned_to" in params else None
    )
    await attach_concept_links(session, rows)
    return typed(rows, TYPE_NAME)


async def get_concept(session: AsyncSession, caller: Caller, concept_id: str) -> dict[str, Any]:
    """The concept with its relations, its project's name, its preview status and its tasks."""
    kinds = await entity_kinds(session)
    repo = EntityRepository(session)
    row = await repo.full_row(concept_id, kinds.id(CONCEPT))
    if row is None:
        raise NotFound(CONCEPT_NOT_FOUND)
    scope = await require_member(session, caller, row["project_id"])
    await require_entity_access(session, scope, concept_id)
    if scope.is_client:
        raise PermissionDenied()
    row.pop("episode_id")
    row.pop("episode_name")
    data = row["data"] or {}
    row.update(fps=data.get("fps"), frame_in=data.get("frame_in"), frame_out=data.get("frame_out"))
    tasks = (await repo.tasks_of([concept_id])).get(concept_id, [])
    row["tasks"] = [present_task(t, CONCEPT_TASK_FIELDS, client=caller.is_client) for t in tasks]
    await attach_relations(session, [row])
    row["type"] = TYPE_NAME
    return row


async def project_concepts(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    await _reader_scope(session, caller, project_id)
    kinds = await entity_kinds(session)
    rows = await EntityRepository(session).list_for_project(project_id, kinds.id(CONCEPT))
    await attach_concept_links(session, rows)
    return typed(rows, TYPE_NAME)


def _link_ids(links: Sequence[Any]) -> list[str]:
    """Entity ids of `entity_concept_links` items ({"id": ...}); a malformed id is an unknown entity."""
    ids = []
    for link in links:
        value = link.get("id") if isinstance(link, Mapping) else link
        if not is_uuid(value):
            raise NotFound(ENTITY_NOT_FOUND)
        ids.append(str(value).lower())
    return ids


async def create_concept(
    session: AsyncSession,
    caller: Caller,
    project_id: str,
    *,
    name: str,
    data: dict[str, Any] | None = None,
    description: str | None = None,
    entity_concept_links: Sequence[Any] = (),
    parent_id: str | None = None,
) -> dict[str, Any]:
    """Create the concept (in the folder `parent_id`), or return the project's one of that name."""
    await _reader_scope(session, caller, project_id)
    if parent_id is not None:
        await _project_folder(session, project_id, parent_id)
    kinds = await entity_kinds(session)
    repo = EntityRepository(session)
    type_id = kinds.id(CONCEPT)
    row = await repo.find_by_name(project_id, type_id, name, any_parent=True)
    if row is None:
        linked = await repo.existing_ids(_link_ids(entity_concept_links))
        row = await repo.insert(
            {
                "entity_type_id": type_id,
                "project_id": project_id,
                "name": name,
                "data": data or {},
                "description": description,
                "created_by": caller.id,
                "parent_id": parent_id,
            }
        )
        await repo.add_concept_links(row["id"], linked)
        await events.emit(session, "concept:new", {"concept_id": row["id"]}, project_id=project_id, user_id=caller.id)
    await attach_concept_links(session, [row])
    row["type"] = TYPE_NAME
    return row


async def move_concepts(
    session: AsyncSession, caller: Caller, project_id: str, concept_ids: Sequence[str], folder_id: str | None
) -> list[str]:
    """File the project's concepts among `concept_ids` in the folder (None: the project's root).

    Ids naming no concept of the project are skipped; returns the ids of the moved concepts.
    """
    await require_supervisor(session, caller, project_id)
    if folder_id is not None:
        await _project_folder(session, project_id, folder_id)
    if not concept_ids:
        return []
    kinds = await entity_kinds(session)
    moved = await EntityRepository(session).move_concepts(project_id, kinds.id(CONCEPT), concept_ids, folder_id)
    await events.emit_many(
        session, [("concept:update", {"concept_id": i}, project_id) for i in moved], user_id=caller.id
    )
    return moved


# --- concept folders -----------------------------------------------------------------------------


async def project_folders(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    await _reader_scope(session, caller, project_id)
    kinds = await entity_kinds(session)
    rows = await EntityRepository(session).list_for_project(project_id, kinds.id(CONCEPT_FOLDER))
    return typed(rows, FOLDER_TYPE_NAME)


async def create_folder(session: AsyncSession, caller: Caller, project_id: str, name: str) -> dict[str, Any]:
    """Create the folder, or return the project's folder of that name as it is."""
    await require_supervisor(session, caller, project_id)
    kinds = await entity_kinds(session)
    repo = EntityRepository(session)
    type_id = kinds.id(CONCEPT_FOLDER)
    row = await repo.find_by_name(project_id, type_id, name, any_parent=True)
    if row is None:
        row = await repo.insert(
            {"entity_type_id": type_id, "project_id": project_id, "name": name, "created_by": caller.id}
        )
        await events.emit(
            session, "concept-folder:new", {"concept_folder_id": row["id"]}, project_id=project_id, user_id=caller.id
        )
    row["type"] = FOLDER_TYPE_NAME
    return row


async def rename_folder(session: AsyncSession, caller: Caller, folder_id: str, name: str) -> dict[str, Any]:
    kinds = await entity_kinds(session)
    repo = EntityRepository(session)
    type_id = kinds.id(CONCEPT_FOLDER)
    folder = await repo.get_typed(folder_id, type_id)
    if folder is None:
        raise NotFound(FOLDER_NOT_FOUND)
    project_id = folder["project_id"]
    await require_supervisor(session, caller, project_id)
    namesake = await repo.find_by_name(project_id, type_id, name, any_parent=True)
    if namesake is not None and namesake["id"] != folder_id:
        raise WrongParameter(FOLDER_NAME_TAKEN)
    row = await repo.update(folder_id, {"name": name})
    await events.emit(
        session, "concept-folder:update", {"concept_folder_id": folder_id}, project_id=project_id, user_id=caller.id
    )
    row["type"] = FOLDER_TYPE_NAME
    return row
