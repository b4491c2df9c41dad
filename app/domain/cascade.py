"""Deleting production structure: projects, entities of every kind, batches of entities.

Rules, as Zou 1.0.97 applies them (`cascade_deletion_service` and the resources):

- shots, assets, edits and concepts: with tasks and without `force`, the entity is only
  marked canceled (`<kind>:update`); otherwise it goes with its tasks and everything
  hanging off them (`task:delete` per task, then `<kind>:delete`). Removing or canceling
  an asset recounts the casting of the shots it is cast in (`shot:casting-update`).
- scenes: deleted when nothing references them, canceled otherwise; `scene:delete` both ways.
- sequences and episodes: without `force` a plain delete, refused (400) while anything
  references them; with `force` their whole subtree goes (shots, scenes, sequences, edits,
  and the assets whose source is the episode).
- concept folders (supervisors): their concepts go back to the project root, the folder goes.
- `/data/entities/{id}`: Zou's generic delete: the entity's links go, the entity too unless
  something else references it (400).
- projects (admins): only closed ones; `force` removes every row of the project.
- the batch (`delete-entities`) dispatches shots, assets, edits and concepts, skips the rest;
  an entity already canceled, and any concept, goes for real.

Who may delete an entity: its creator when on the project's team, else a manager of the
project. (Zou lets a creator through without looking at the team, and inverts the test for
sequences; we keep one consistent rule.)

Every removal is set-based: a fixed number of statements whatever the number of rows. The
stored files of the previews, attachments and working files removed go once committed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, DomainError, NotFound, PermissionDenied, WrongParameter
from app.domain import events as events_module
from app.domain import stored_files
from app.domain.access import PROJECT_NOT_FOUND, project_scope, require_manager, require_member, require_supervisor
from app.domain.entity_kinds import (
    ASSET,
    CONCEPT,
    CONCEPT_FOLDER,
    EDIT,
    EPISODE,
    SCENE,
    SEQUENCE,
    SHOT,
    EntityKinds,
    entity_kinds,
)
from app.domain.permissions import Caller, require_admin
from app.repositories.cascade import CascadeRepository
from app.repositories.persons import PersonRepository

OPEN_STATUS = "Open"
LABELS = {
    ASSET: "Asset",
    SHOT: "Shot",
    SEQUENCE: "Sequence",
    EPISODE: "Episode",
    SCENE: "Scene",
    EDIT: "Edit",
    CONCEPT: "Concept",
    CONCEPT_FOLDER: "Concept folder",
}
EVENT_PREFIX = {
    ASSET: "asset",
    SHOT: "shot",
    SEQUENCE: "sequence",
    EPISODE: "episode",
    SCENE: "scene",
    EDIT: "edit",
    CONCEPT: "concept",
    CONCEPT_FOLDER: "concept-folder",
}
CANCELABLE = (SHOT, ASSET, EDIT, CONCEPT)
"""The kinds a delete without force only cancels while they have tasks."""
BATCH_KINDS = CANCELABLE
NOT_A_LIST = "Request body must be a JSON array."
NOT_IDS = "Request body must only contain valid UUIDs."
STILL_OPEN = "Only closed projects can be deleted"
REFERENCED = "The change conflicts with records referencing this one."


class Refused(DomainError):
    """A deletion the data forbids (400 `{"error": true, "message": ...}`, no `data`)."""

    def body(self) -> dict:
        return {"error": True, "message": self.message}


# --- events -------------------------------------------------------------------------


def _entity_event(kind: str, action: str, row: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    prefix = EVENT_PREFIX[kind]
    return f"{prefix}:{action}", {f"{prefix.replace('-', '_')}_id": row["id"]}, row["project_id"]


async def _emit(session: AsyncSession, caller: Caller, items: list[tuple[str, dict[str, Any], str | None]]) -> None:
    await events_module.emit_many(session, items, user_id=caller.id)


# --- loading and access ----------------------------------------------------------------


async def _load(session: AsyncSession, kinds: EntityKinds, kind: str | None, entity_id: str) -> dict[str, Any]:
    """The entity, when it exists and is of the kind (any kind for None)."""
    row = await CascadeRepository(session).entity(entity_id)
    if row is None or (kind is not None and kinds.kind_of(row["entity_type_id"]) != kind):
        raise NotFound(f"{LABELS[kind] if kind else 'Entity'} not found.")
    return row


async def _check_delete_access(session: AsyncSession, caller: Caller, row: dict[str, Any]) -> None:
    """The creator of an entity may delete it while on the team; anyone else needs to manage the project."""
    if row["created_by"] == caller.id:
        await require_member(session, caller, row["project_id"])
    else:
        await require_manager(session, caller, row["project_id"])


# --- the removal of a set of entities -------------------------------------------------------


async def _execute(
    session: AsyncSession,
    caller: Caller,
    kinds: EntityKinds,
    *,
    cancel: list[dict[str, Any]] = (),
    remove: list[dict[str, Any]] = (),
) -> None:
    """Cancel some entities and remove others (with their tasks and dependents), then
    recount the casting of the shots casting an asset among them, and tell the clients."""
    repo = CascadeRepository(session)
    remove_ids = [row["id"] for row in remove]
    asset_ids = [row["id"] for row in (*cancel, *remove) if kinds.kind_of(row["entity_type_id"]) == ASSET]
    shots = await repo.casting_targets(asset_ids, exclude=remove_ids)
    await repo.cancel([row["id"] for row in cancel])
    tasks = await repo.task_summaries(remove_ids)
    if remove_ids:
        stored_files.discard_removed(session, await repo.purge(remove_ids))
    changed = await repo.refresh_casting(shots)

    events = [_entity_event(kinds.kind_of(row["entity_type_id"]), "update", row) for row in cancel]
    events += [
        (
            "task:delete",
            {"task_id": t["id"], "entity_id": t["entity_id"], "task_type_id": t["task_type_id"]},
            t["project_id"],
        )
        for t in tasks
    ]
    events += [_entity_event(kinds.kind_of(row["entity_type_id"]), "delete", row) for row in remove]
    events += [
        (
            "shot:casting-update",
            {
                "shot_id": shot["id"],
                "nb_entities_out": shot["nb_entities_out"],
                "added_asset_ids": [],
                "removed_asset_ids": [],
            },
            shot["project_id"],
        )
        for shot in changed
    ]
    await _emit(session, caller, events)


# --- routes -----------------------------------------------------------------------------------


async def delete_entity(session: AsyncSession, caller: Caller, kind: str, entity_id: str, force: bool) -> None:
    """DELETE /data/<kind>s/{id}: the removal rules of the entity's kind (see the module doc)."""
    kinds = await entity_kinds(session)
    row = await _load(session, kinds, kind, entity_id)
    if kind == CONCEPT_FOLDER:
        await _delete_concept_folder(session, caller, kinds, row)
        return
    await _check_delete_access(session, caller, row)
    if kind in CANCELABLE:
        if row["has_tasks"] and not force:
            await _execute(session, caller, kinds, cancel=[row])
        else:
            await _execute(session, caller, kinds, remove=[row])
    elif kind == SCENE:
        await _delete_scene(session, caller, row)
    elif force:  # sequences and episodes
        below = await CascadeRepository(session).descendants([row["id"]], sourced=kind == EPISODE)
        await _execute(session, caller, kinds, remove=[*below, row])
    elif await CascadeRepository(session).try_delete_entity(row["id"]):
        await _emit(session, caller, [_entity_event(kind, "delete", row)])
    else:
        raise Refused(f"Some data are still linked to this {kind.lower()}.")


async def _delete_scene(session: AsyncSession, caller: Caller, row: dict[str, Any]) -> None:
    repo = CascadeRepository(session)
    if not await repo.try_delete_entity(row["id"]):
        await repo.cancel([row["id"]])
    await _emit(session, caller, [_entity_event(SCENE, "delete", row)])


async def _delete_concept_folder(
    session: AsyncSession, caller: Caller, kinds: EntityKinds, row: dict[str, Any]
) -> None:
    await require_supervisor(session, caller, row["project_id"])
    repo = CascadeRepository(session)
    moved = await repo.move_to_root(row["id"], kinds.id(CONCEPT))
    if not await repo.try_delete_entity(row["id"]):
        raise Refused("Some data are still linked to this concept folder.")
    events = [("concept:update", {"concept_id": concept_id}, row["project_id"]) for concept_id in moved]
    events.append(_entity_event(CONCEPT_FOLDER, "delete", row))
    await _emit(session, caller, events)


async def delete_any_entity(session: AsyncSession, caller: Caller, entity_id: str) -> None:
    """DELETE /data/entities/{id}: Zou's generic delete (no cancel, no force)."""
    kinds = await entity_kinds(session)
    row = await _load(session, kinds, None, entity_id)
    await _check_delete_access(session, caller, row)
    kind = kinds.kind_of(row["entity_type_id"])
    deleted = await CascadeRepository(session).try_delete_entity(
        row["id"], out_links=True, subscriptions=kind == SEQUENCE
    )
    if not deleted:
        raise Conflict(REFERENCED)
    await _emit(session, caller, [_entity_event(kind, "delete", row)])


def _id_list(body: Any) -> list[str]:
    if not isinstance(body, list):
        raise WrongParameter(NOT_A_LIST)
    ids = []
    for value in body:
        try:
            if not isinstance(value, str):
                raise ValueError
            ids.append(str(uuid.UUID(value)))
        except ValueError:
            raise WrongParameter(NOT_IDS) from None
    return ids


async def delete_entities(session: AsyncSession, caller: Caller, project_id: str, body: Any, force: bool) -> list[str]:
    """POST /actions/projects/{id}/delete-entities: answers the ids removed (or canceled), in order."""
    repo = CascadeRepository(session)
    if await repo.project(project_id) is None:
        raise NotFound(PROJECT_NOT_FOUND)
    ids = list(dict.fromkeys(_id_list(body)))
    found = {row["id"]: row for row in await repo.entities(ids)}
    if found:
        scope = await project_scope(session, caller, project_id)
        rows = found.values()
        if any(row["created_by"] != caller.id for row in rows) and not scope.is_manager:
            raise PermissionDenied()
        if any(row["created_by"] == caller.id for row in rows) and not scope.is_member:
            raise PermissionDenied()

    kinds = await entity_kinds(session)
    cancel, remove, done = [], [], []
    for entity_id in ids:
        row = found.get(entity_id)
        if row is None or row["project_id"] != project_id:
            continue
        kind = kinds.kind_of(row["entity_type_id"])
        if kind not in BATCH_KINDS:
            continue
        entity_force = force or bool(row["canceled"]) or kind == CONCEPT
        (cancel if row["has_tasks"] and not entity_force else remove).append(row)
        done.append(entity_id)
    await _execute(session, caller, kinds, cancel=cancel, remove=remove)
    return done


async def delete_project(session: AsyncSession, caller: Caller, project_id: str, force: bool) -> None:
    """DELETE /data/projects/{id}: closed projects only, by admins; `force` takes every row of it."""
    repo = CascadeRepository(session)
    project = await repo.project(project_id)
    if project is None:
        raise NotFound(PROJECT_NOT_FOUND)
    if project["status_name"] == OPEN_STATUS:
        raise Refused(STILL_OPEN)
    require_admin(caller)

    events: list[tuple[str, dict[str, Any], str | None]] = []
    for person_id in await repo.preview_account_ids(project_id):
        await PersonRepository(session).detach(person_id)
        await repo.delete_person(person_id)
        events.append(("person:delete", {"person_id": person_id}, None))
    if force:
        stored_files.discard_removed(session, await repo.purge_project(project_id))
    elif not await repo.try_delete_project(project_id):
        raise Refused("Some data are still linked to this project.")
    stored_files.discard(session, "avatars", f"{project_id}.png")
    events.append(("project:delete", {"project_id": project_id}, None))
    await _emit(session, caller, events)
