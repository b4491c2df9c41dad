"""Reading a task's comments, replies, acknowledgements, a project's comments."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from app.core.responses import JSONResponse
from app.domain import comment_threads
from app.routers.bodies import json_or_args
from app.routers.deps import CurrentUser, DbSession

router = APIRouter(tags=["comment-threads"])


@router.get("/data/tasks/{task_id}/comments")
async def task_comments(task_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await comment_threads.task_comments(session, caller, str(task_id)))


@router.get("/data/tasks/{task_id}/comments/{comment_id}")
async def task_comment(task_id: uuid.UUID, comment_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await comment_threads.task_comment(session, caller, str(task_id), str(comment_id)))


@router.post("/data/tasks/{task_id}/comments/{comment_id}/ack")
async def acknowledge_comment(task_id: uuid.UUID, comment_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await comment_threads.acknowledge(session, caller, str(task_id), str(comment_id)))


@router.post("/data/tasks/{task_id}/comments/{comment_id}/reply")
async def reply_comment(
    task_id: uuid.UUID, comment_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    payload = await json_or_args(request)
    return JSONResponse(await comment_threads.reply(session, caller, str(task_id), str(comment_id), payload))


@router.delete("/data/tasks/{task_id}/comments/{comment_id}/reply/{reply_id}")
async def delete_reply(
    task_id: uuid.UUID, comment_id: uuid.UUID, reply_id: str, session: DbSession, caller: CurrentUser
):
    return JSONResponse(await comment_threads.delete_reply(session, caller, str(task_id), str(comment_id), reply_id))


@router.get("/data/projects/{project_id}/comments")
async def project_comments(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    params = dict(request.query_params)
    return JSONResponse(await comment_threads.project_comments(session, caller, str(project_id), params))
