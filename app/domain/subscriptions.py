"""Following tasks and sequences: the caller subscribes to a task (or to a sequence for one task
type) to be notified of its comments, as Zou's `subscriptions_service`.

Subscribing needs read access to the task (or membership of the sequence's project); checking
and unsubscribing touch only the caller's own rows and never fail on an unknown id, as in Zou.
Zou emits no event for these writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.domain.access import ProjectScope, project_scope, require_entity_access, require_member
from app.domain.entity_kinds import SEQUENCE, entity_kinds
from app.domain.entity_tasks import is_valid_id
from app.domain.permissions import Caller, require_admin
from app.domain.task_access import check_task_access, load_task
from app.repositories.subscriptions import SubscriptionRepository

TYPE = "Subscription"


def present(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "type": TYPE}


# --- tasks -------------------------------------------------------------------


async def is_subscribed_to_task(session: AsyncSession, caller: Caller, task_id: str) -> bool:
    return await SubscriptionRepository(session).has_task(caller.id, task_id)


async def subscribe_to_task(session: AsyncSession, caller: Caller, task_id: str) -> dict[str, Any]:
    task = await load_task(session, task_id)
    await check_task_access(session, caller, task)
    return present((await SubscriptionRepository(session).subscribe_tasks(caller.id, [task_id]))[0])


async def unsubscribe_from_task(session: AsyncSession, caller: Caller, task_id: str) -> None:
    await SubscriptionRepository(session).unsubscribe_tasks(caller.id, [task_id])


async def subscribe_to_tasks(session: AsyncSession, caller: Caller, task_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Subscribe to several tasks: every one must exist and be readable, else nothing is written.
    A fixed number of queries per distinct project."""
    if not all(is_valid_id(t) for t in task_ids):
        raise NotFound("Task not found.")
    ids = [t.lower() for t in task_ids]
    repo = SubscriptionRepository(session)
    tasks = await repo.task_contexts(ids)
    if len(tasks) != len(set(ids)):
        raise NotFound("Task not found.")
    scopes: dict[str, ProjectScope] = {}
    for task in tasks.values():
        scope = scopes.get(task["project_id"])
        if scope is None:
            scope = scopes[task["project_id"]] = await require_member(session, caller, task["project_id"])
        if task["entity_id"] is not None:
            await require_entity_access(session, scope, task["entity_id"])
    return [present(row) for row in await repo.subscribe_tasks(caller.id, ids)]


async def unsubscribe_from_tasks(session: AsyncSession, caller: Caller, task_ids: Sequence[str]) -> list[str]:
    """Drop the caller's subscriptions to the tasks; answers the ids as given (Zou ignores unknown ones)."""
    valid = [t for t in task_ids if is_valid_id(t)]
    await SubscriptionRepository(session).unsubscribe_tasks(caller.id, valid)
    return list(task_ids)


# --- sequences ---------------------------------------------------------------


async def is_subscribed_to_sequence(session: AsyncSession, caller: Caller, sequence_id: str, task_type_id: str) -> bool:
    return await SubscriptionRepository(session).has_sequence(caller.id, sequence_id, task_type_id)


async def subscribe_to_sequence(
    session: AsyncSession, caller: Caller, sequence_id: str, task_type_id: str
) -> dict[str, Any]:
    """Follow the tasks of one type of a sequence's shots (project members)."""
    repo = SubscriptionRepository(session)
    kinds = await entity_kinds(session)
    project_id = await repo.sequence_project(sequence_id, kinds.id(SEQUENCE))
    if project_id is None:
        raise NotFound("Sequence not found.")
    await require_member(session, caller, project_id)
    if not await repo.task_type_exists(task_type_id):
        raise NotFound("Task type not found.")
    return present(await repo.subscribe_sequence(caller.id, sequence_id, task_type_id))


async def unsubscribe_from_sequence(session: AsyncSession, caller: Caller, sequence_id: str, task_type_id: str) -> None:
    await SubscriptionRepository(session).unsubscribe_sequence(caller.id, sequence_id, task_type_id)


# --- admins: a project's subscriptions -----------------------------------------


async def project_subscriptions(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    require_admin(caller)
    await project_scope(session, caller, project_id)
    return [present(row) for row in await SubscriptionRepository(session).for_project(project_id)]
