"""Index routes: API identity, health, configuration and usage stats."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from app.core.responses import JSONResponse
from app.domain import status
from app.domain.auth import organisation
from app.domain.events import emit
from app.domain.permissions import require_admin
from app.routers.deps import AppSettings, CurrentUser, DbSession

router = APIRouter(tags=["index"])


@router.get("/", summary="API name and version")
async def index():
    return JSONResponse(status.identity())


@router.get("/status", summary="Health of the database and event bus")
async def get_status(request: Request, session: DbSession, settings: AppSettings):
    return JSONResponse(await status.health(session, request.app.state.bus, settings))


@router.get("/status.txt", summary="Health as text", response_class=PlainTextResponse)
async def get_status_text(request: Request, session: DbSession, settings: AppSettings):
    return PlainTextResponse(status.health_text(await status.health(session, request.app.state.bus, settings)))


@router.get("/status/influx", summary="Health as InfluxDB-friendly numbers")
async def get_status_influx(request: Request, session: DbSession, settings: AppSettings):
    return JSONResponse(status.influx(await status.health(session, request.app.state.bus, settings)))


@router.get("/status/resources", summary="CPU, memory and job usage")
async def get_resources():
    return JSONResponse(status.resources())


@router.get("/status/test-event", summary="Emit a test event")
async def test_event(session: DbSession):
    await emit(session, "test:event", {"message": "test"})
    return JSONResponse({"success": True})


@router.get("/config", summary="Instance configuration for the web UI")
async def get_config(session: DbSession, settings: AppSettings):
    return JSONResponse(status.config(settings, await organisation(session, False)))


@router.get("/stats", summary="Usage stats (admins)")
async def get_stats(session: DbSession, caller: CurrentUser):
    require_admin(caller)
    return JSONResponse(await status.usage(session))
