"""Edits: entities of kind "Edit", optionally under an episode (their `parent_id`).

- listings by criteria (`/data/edits`, `/data/edits/all`): admins list any project; anyone else
  must name a project whose team holds them. Vendors only get the edits holding a task assigned
  to them, without the metadata restricted to departments they are not in.
- by project and by episode: team members; vendors as above (by episode, a vendor also needs a
  task on the episode).
- one edit: its "full" shape (project and episode names, tasks with their assignees).
- creation: managers of the project; an edit of the same name under the same episode is
  returned as it is. Event `edit:new` carries the episode as `parent_id`.
- versions: the metadata history kept for the edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.domain import events
from app.domain.access import require_entity_access, require_manager, require_member
from app.domain.entities import (
    attach_relations,
    criteria_clauses,
    criteria_scope,
    typed,
)
from app.domain.entity_kinds import EDIT, EPISODE, entity_kinds
from app.domain.metadata_descriptors import mask_for_vendor
from app.domain.permissions import Caller
from app.domain.task_fields import EDIT_TASK_FIELDS, present_task
from app.repositories.entities import EntityRepository

TYPE_NAME = "Edit"
EDIT_NOT_FOUND = "Edit not found."
EPISODE_NOT_FOUND = "Episode not found."


async def _edit_type_id(session: AsyncSession) -> str:
    return (await entity_kinds(session)).id(EDIT)


async def _edit(session: AsyncSession, edit_id: str) -> dict[str, Any]:
    row = await EntityRepository(session).get_typed(edit_id, await _edit_type_id(session))
    if row is None:
        raise NotFound(EDIT_NOT_FOUND)
    return row


async def list_edits(session: AsyncSession, caller: Caller, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """Edits matching the query criteria (entity columns), by name, with their project's name."""
    scope = await criteria_scope(session, caller, params)
    vendor = scope is not None and scope.is_vendor
    clauses = criteria_clauses(params, exclude=("entity_type_id",))
    assigned = caller.id if vendor or "assigned_to" in params else None
    rows = await EntityRepository(session).list_with_project_name(
        await _edit_type_id(session), clauses, assigned_to=assigned
    )
    return await mask_for_vendor(session, caller, EDIT, typed(rows, TYPE_NAME), vendor=vendor)


async def get_edit(session: AsyncSession, caller: Caller, edit_id: str) -> dict[str, Any]:
    """The edit with its project and episode names and its tasks."""
    repo = EntityRepository(session)
    row = await repo.full_row(edit_id, await _edit_type_id(session))
    if row is None:
        raise NotFound(EDIT_NOT_FOUND)
    scope = await require_member(session, caller, row["project_id"])
    await require_entity_access(session, scope, edit_id)
    tasks = (await repo.tasks_of([edit_id])).get(edit_id, [])
    return {
        "canceled": row["canceled"],
        "data": row["data"] or {},
        "description": row["description"],
        "entity_type_id": row["entity_type_id"],
        "episode_id": row["episode_id"],
        "episode_name": row["episode_name"] or "",
        "id": row["id"],
        "name": row["name"],
        "parent_id": row["parent_id"],
        "preview_file_id": row["preview_file_id"],
        "project_id": row["project_id"],
        "project_name": row["project_name"],
        "source_id": row["source_id"],
        "nb_entities_out": row["nb_entities_out"],
        "tasks": [present_task(t, EDIT_TASK_FIELDS, client=caller.is_client) for t in tasks],
        "type": TYPE_NAME,
    }


async def edit_versions(session: AsyncSession, caller: Caller, edit_id: str) -> list[dict[str, Any]]:
    edit = await _edit(session, edit_id)
    scope = await require_member(session, caller, edit["project_id"])
    await require_entity_access(session, scope, edit_id)
    return typed(await EntityRepository(session).versions(edit_id), "EditVersion")


async def episode_edits(
    session: AsyncSession, caller: Caller, episode_id: str, *, relations: bool = False
) -> list[dict[str, Any]]:
    kinds = await entity_kinds(session)
    repo = EntityRepository(session)
    episode = await repo.get_typed(episode_id, kinds.id(EPISODE))
    if episode is None:
        raise NotFound(EPISODE_NOT_FOUND)
    scope = await require_member(session, caller, episode["project_id"])
    await require_entity_access(session, scope, episode_id)
    rows = typed(await repo.list_children(episode_id, kinds.id(EDIT)), TYPE_NAME)
    if relations:
        await attach_relations(session, rows)
    return await mask_for_vendor(session, caller, EDIT, rows, vendor=scope.is_vendor)


async def project_edits(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    scope = await require_member(session, caller, project_id)
    assigned = caller.id if scope.is_vendor else None
    rows = await EntityRepository(session).list_for_project(
        project_id, await _edit_type_id(session), assigned_to=assigned
    )
    return await mask_for_vendor(session, caller, EDIT, typed(rows, TYPE_NAME), vendor=scope.is_vendor)


async def create_edit(
    session: AsyncSession,
    caller: Caller,
    project_id: str,
    *,
    name: str,
    description: str | None = "",
    data: dict[str, Any] | None = None,
    episode_id: str | None = None,
) -> dict[str, Any]:
    """Create the edit, or return the one of that name already under that episode (no event)."""
    await require_manager(session, caller, project_id)
    repo = EntityRepository(session)
    type_id = await _edit_type_id(session)
    row = await repo.find_by_name(project_id, type_id, name, parent_id=episode_id)
    if row is None:
        row = await repo.insert(
            {
                "entity_type_id": type_id,
                "project_id": project_id,
                "parent_id": episode_id,
                "name": name,
                "data": data or {},
                "description": description,
                "created_by": caller.id,
            }
        )
        await events.emit(
            session,
            "edit:new",
            {"edit_id": row["id"], "parent_id": episode_id},
            project_id=project_id,
            user_id=caller.id,
        )
    row["type"] = TYPE_NAME
    return row
