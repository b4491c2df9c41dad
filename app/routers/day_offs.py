"""Day offs by person and period, desktop login logs and the presence sheet.

The `/data/day-offs` CRUD itself comes from the registry (app/domain/day_offs_collections.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from app.core.responses import JSONResponse
from app.domain import day_offs
from app.routers.bodies import json_or_args
from app.routers.deps import CurrentUser, DbSession

router = APIRouter(tags=["day-offs"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id, date or body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not read or write these"},
    404: {"description": "Unknown person or project"},
}


def _date_value(payload: Any) -> Any:
    return payload.get("date") if isinstance(payload, dict) else None


# --- studio-wide and own ---------------------------------------------


@router.get("/data/persons/presence-logs/{month_date}", summary="Presence sheet of a month (CSV)", responses=ERRORS)
async def presence_logs(month_date: str, session: DbSession, caller: CurrentUser) -> Response:
    content = await day_offs.presence_csv(session, caller, month_date)
    return Response(
        content,
        media_type="text/csv",
        headers={"Content-Disposition": "attachment; filename=kitsu_export.csv"},
    )


@router.get("/data/persons/day-offs/{year}/{month}", summary="Day offs of a month", responses=ERRORS)
async def month_day_offs(year: str, month: str, session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await day_offs.studio_day_offs(session, caller, day_offs.month_interval(year, month)))


@router.get("/data/persons/day-offs/{year}", summary="Day offs of a year", responses=ERRORS)
async def year_day_offs(year: str, session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await day_offs.studio_day_offs(session, caller, day_offs.year_interval(year)))


@router.get("/data/user/day-offs/{date}", summary="The caller's day off covering a date", responses=ERRORS)
async def own_day_off(date: str, session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await day_offs.own_day_off_at(session, caller, date))


@router.get("/data/user/desktop-login-logs", summary="The caller's desktop logins", responses=ERRORS)
async def own_login_logs(session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await day_offs.own_desktop_login_logs(session, caller))


@router.post(
    "/data/user/desktop-login-logs", summary="Log a desktop login of the caller", status_code=201, responses=ERRORS
)
async def add_own_login_log(request: Request, session: DbSession, caller: CurrentUser) -> Response:
    when = _date_value(await json_or_args(request))
    return JSONResponse(await day_offs.add_desktop_login_log(session, caller, caller.id, when), status_code=201)


# --- per person ----------------------------------------------------------


@router.get("/data/persons/{person_id}/desktop-login-logs", summary="A person's desktop logins", responses=ERRORS)
async def login_logs(person_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await day_offs.desktop_login_logs(session, caller, str(person_id)))


@router.post(
    "/data/persons/{person_id}/desktop-login-logs",
    summary="Log a desktop login of a person",
    status_code=201,
    responses=ERRORS,
)
async def add_login_log(person_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser) -> Response:
    when = _date_value(await json_or_args(request))
    row = await day_offs.add_desktop_login_log(session, caller, str(person_id), when)
    return JSONResponse(row, status_code=201)


@router.get("/data/persons/{person_id}/day-offs", summary="All day offs of a person", responses=ERRORS)
async def person_day_offs(person_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await day_offs.person_day_offs(session, caller, str(person_id)))


@router.get(
    "/data/persons/{person_id}/day-offs/week/{year}/{week}", summary="A person's day offs of a week", responses=ERRORS
)
async def person_week_day_offs(
    person_id: uuid.UUID, year: str, week: str, session: DbSession, caller: CurrentUser
) -> Response:
    interval = day_offs.week_interval(year, week)
    return JSONResponse(await day_offs.person_day_offs(session, caller, str(person_id), interval))


@router.get(
    "/data/persons/{person_id}/day-offs/month/{year}/{month}",
    summary="A person's day offs of a month",
    responses=ERRORS,
)
async def person_month_day_offs(
    person_id: uuid.UUID, year: str, month: str, session: DbSession, caller: CurrentUser
) -> Response:
    interval = day_offs.month_interval(year, month)
    return JSONResponse(await day_offs.person_day_offs(session, caller, str(person_id), interval))


@router.get("/data/persons/{person_id}/day-offs/year/{year}", summary="A person's day offs of a year", responses=ERRORS)
async def person_year_day_offs(person_id: uuid.UUID, year: str, session: DbSession, caller: CurrentUser) -> Response:
    interval = day_offs.year_interval(year)
    return JSONResponse(await day_offs.person_day_offs(session, caller, str(person_id), interval))


@router.get("/data/persons/{person_id}/day-offs/{date}", summary="A person's day off covering a date", responses=ERRORS)
async def person_day_off_at(person_id: uuid.UUID, date: str, session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await day_offs.person_day_off_at(session, caller, str(person_id), date))


# --- per project -----------------------------------------------------------


@router.get("/data/projects/{project_id}/day-offs", summary="Day offs of a production's team", responses=ERRORS)
async def project_day_offs(
    project_id: uuid.UUID,
    session: DbSession,
    caller: CurrentUser,
    start_date: str | None = None,
    end_date: str | None = None,
) -> Response:
    return JSONResponse(await day_offs.project_day_offs(session, caller, str(project_id), start_date, end_date))
