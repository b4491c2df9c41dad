"""Event log, login log and news routes (the `events` and `news` CRUD entries come from the registry)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from app.core.responses import JSONResponse
from app.domain import event_log
from app.routers.deps import CurrentUser, DbSession

router = APIRouter(tags=["events"])


def _params(request: Request) -> dict[str, Any]:
    """Query values; repeated keys become lists."""
    params: dict[str, Any] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        params[key] = values if len(values) > 1 else values[0]
    return params


@router.get("/data/events/last", summary="Last events of the log")
async def last_events(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await event_log.last_events(session, caller, _params(request)))


@router.get("/data/events/names", summary="Names of the logged events")
async def event_names(session: DbSession, caller: CurrentUser):
    return JSONResponse(await event_log.event_names(session, caller))


@router.get("/data/events/login-logs/last", summary="Last login logs")
async def last_login_logs(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await event_log.last_login_logs(session, caller, _params(request)))


@router.get("/data/projects/news", summary="News of the open projects")
async def open_projects_news(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await event_log.open_projects_news(session, caller, _params(request)))


@router.get("/data/projects/{project_id}/news", summary="Latest news of a project")
async def project_news(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await event_log.project_news(session, caller, str(project_id), _params(request)))


@router.get("/data/projects/{project_id}/news/{news_id}", summary="One news item of a project")
async def project_news_item(project_id: uuid.UUID, news_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await event_log.project_news_item(session, caller, str(project_id), str(news_id)))


@router.get("/data/entities/{entity_id}/news", summary="News of an entity")
async def entity_news(entity_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await event_log.entity_news(session, caller, str(entity_id)))
