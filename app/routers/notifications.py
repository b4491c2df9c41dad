"""Notifications and subscriptions: the registry entries' companions, the user's notifications, subscribing."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from app.core.responses import JSONResponse
from app.domain import notification_reads, subscriptions
from app.routers.bodies import read_body
from app.routers.deps import CurrentUser, DbSession

router = APIRouter(tags=["notifications"])


class ReadBody(BaseModel):
    read: bool


class TaskIdsBody(BaseModel):
    task_ids: list[str] = Field(min_length=1)


# --- projects (admins) ---


@router.get("/data/projects/{project_id}/notifications")
async def project_notifications(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(
        await notification_reads.project_notifications(session, caller, str(project_id), request.query_params)
    )


@router.get("/data/projects/{project_id}/subscriptions")
async def project_subscriptions(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await subscriptions.project_subscriptions(session, caller, str(project_id)))


# --- the caller's notifications ---


@router.get("/data/user/notifications")
async def my_notifications(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await notification_reads.my_notifications(session, caller, request.query_params))


@router.get("/data/user/notifications/{notification_id}")
async def my_notification(notification_id: str, session: DbSession, caller: CurrentUser):
    return JSONResponse(await notification_reads.my_notification(session, caller, notification_id))


@router.put("/data/user/notifications/{notification_id}")
async def update_my_notification(notification_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, ReadBody)
    return JSONResponse(await notification_reads.set_read(session, caller, str(notification_id), body.read))


@router.post("/actions/user/notifications/mark-all-as-read")
async def mark_all_as_read(session: DbSession, caller: CurrentUser):
    return JSONResponse(await notification_reads.mark_all_read(session, caller))


# --- the caller's subscriptions: tasks ---


@router.get("/data/user/tasks/{task_id}/subscribed")
async def task_subscribed(task_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await subscriptions.is_subscribed_to_task(session, caller, str(task_id)))


@router.post("/actions/user/tasks/subscribe")
async def subscribe_to_tasks(request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, TaskIdsBody)
    return JSONResponse(await subscriptions.subscribe_to_tasks(session, caller, body.task_ids), status_code=201)


@router.post("/actions/user/tasks/unsubscribe")
async def unsubscribe_from_tasks(request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, TaskIdsBody)
    return JSONResponse(await subscriptions.unsubscribe_from_tasks(session, caller, body.task_ids))


@router.post("/actions/user/tasks/{task_id}/subscribe")
async def subscribe_to_task(task_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await subscriptions.subscribe_to_task(session, caller, str(task_id)), status_code=201)


@router.delete("/actions/user/tasks/{task_id}/unsubscribe")
async def unsubscribe_from_task(task_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await subscriptions.unsubscribe_from_task(session, caller, str(task_id))
    return Response(status_code=204)


# --- the caller's subscriptions: sequences ---


async def _sequence_subscribed(sequence_id: uuid.UUID, task_type_id: uuid.UUID, session, caller) -> JSONResponse:
    found = await subscriptions.is_subscribed_to_sequence(session, caller, str(sequence_id), str(task_type_id))
    return JSONResponse(found)


@router.get("/data/user/sequences/{sequence_id}/task-types/{task_type_id}/subscribed")
async def sequence_subscribed(sequence_id: uuid.UUID, task_type_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return await _sequence_subscribed(sequence_id, task_type_id, session, caller)


@router.get("/data/user/entities/{sequence_id}/task-types/{task_type_id}/subscribed")
async def entity_subscribed(sequence_id: uuid.UUID, task_type_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return await _sequence_subscribed(sequence_id, task_type_id, session, caller)


@router.post("/actions/user/sequences/{sequence_id}/task-types/{task_type_id}/subscribe")
async def subscribe_to_sequence(
    sequence_id: uuid.UUID, task_type_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    row = await subscriptions.subscribe_to_sequence(session, caller, str(sequence_id), str(task_type_id))
    return JSONResponse(row, status_code=201)


@router.delete("/actions/user/sequences/{sequence_id}/task-types/{task_type_id}/unsubscribe")
async def unsubscribe_from_sequence(
    sequence_id: uuid.UUID, task_type_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await subscriptions.unsubscribe_from_sequence(session, caller, str(sequence_id), str(task_type_id))
    return Response(status_code=204)
