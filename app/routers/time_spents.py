"""Time spents: set, add and delete per task, person and day; listings and studio tables."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.core.responses import JSONResponse
from app.domain import time_spents
from app.routers.bodies import read_body
from app.routers.deps import CurrentUser, DbSession

router = APIRouter(tags=["time-spents"])


class TimeSpentBody(BaseModel):
    duration: float = Field(gt=0)


# --- studio tables (literal paths before /data/persons/{person_id}/...) ---


@router.get("/data/persons/time-spents/year-table")
async def year_table(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.table(session, caller, "year", **_filters(request)))


@router.get("/data/persons/time-spents/month-table/{year}")
async def month_table(year: str, request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.table(session, caller, "month", year, **_filters(request)))


@router.get("/data/persons/time-spents/week-table/{year}")
async def week_table(year: str, request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.table(session, caller, "week", year, **_filters(request)))


@router.get("/data/persons/time-spents/day-table/{year}/{month}")
async def day_table(year: str, month: str, request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.table(session, caller, "day", year, month, **_filters(request)))


def _filters(request: Request) -> dict:
    q = request.query_params
    return {
        "project_id": q.get("project_id") or None,
        "department_id": q.get("department_id") or None,
        "studio_id": q.get("studio_id") or None,
    }


# --- per task ---


@router.get("/actions/tasks/{task_id}/time-spents")
async def task_time_spents(task_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.task_time_spents(session, caller, str(task_id)))


@router.get("/actions/tasks/{task_id}/time-spents/{date}")
async def task_date_time_spents(task_id: uuid.UUID, date: str, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.task_time_spents(session, caller, str(task_id), date))


@router.post("/actions/tasks/{task_id}/time-spents/{date}/persons/{person_id}")
async def set_time_spent(
    task_id: uuid.UUID, date: str, person_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, TimeSpentBody)
    row = await time_spents.set_time_spent(
        session, caller, str(task_id), date, str(person_id), body.duration, add=False
    )
    return JSONResponse(row, status_code=201)


@router.post("/actions/tasks/{task_id}/time-spents/{date}/persons/{person_id}/add")
async def add_time_spent(
    task_id: uuid.UUID, date: str, person_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, TimeSpentBody)
    row = await time_spents.set_time_spent(session, caller, str(task_id), date, str(person_id), body.duration, add=True)
    return JSONResponse(row, status_code=201)


@router.delete("/actions/tasks/{task_id}/time-spents/{date}/persons/{person_id}")
async def delete_time_spent(
    task_id: uuid.UUID, date: str, person_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    row = await time_spents.delete_time_spent(session, caller, str(task_id), date, str(person_id))
    return JSONResponse(row, status_code=201)


# --- per entity, project ---


@router.get("/data/entities/{entity_id}/time-spents")
async def entity_time_spents(entity_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.entity_time_spents(session, caller, str(entity_id)))


@router.get("/data/projects/{project_id}/time-spents")
async def project_time_spents(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.project_time_spents(session, caller, str(project_id)))


@router.get("/data/projects/{project_id}/task-types/{task_type_id}/time-spents")
async def project_task_type_time_spents(
    project_id: uuid.UUID, task_type_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    q = request.query_params
    return JSONResponse(
        await time_spents.project_task_type_time_spents(
            session, caller, str(project_id), str(task_type_id), q.get("start_date"), q.get("end_date")
        )
    )


# --- per person ---


@router.get("/data/persons/{person_id}/time-spents")
async def person_time_spents(person_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    q = request.query_params
    return JSONResponse(
        await time_spents.person_time_spents(session, caller, str(person_id), q.get("start_date"), q.get("end_date"))
    )


@router.get("/data/persons/{person_id}/time-spents/year/{year}")
async def person_year(person_id: uuid.UUID, year: str, request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(
        await time_spents.person_period_time_spents(
            session, caller, str(person_id), "year", year, project_id=request.query_params.get("project_id")
        )
    )


@router.get("/data/persons/{person_id}/time-spents/month/all/{year}/{month}")
async def person_month_all(person_id: uuid.UUID, year: str, month: str, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.person_month_all(session, caller, str(person_id), year, month))


@router.get("/data/persons/{person_id}/time-spents/month/{year}/{month}")
async def person_month(
    person_id: uuid.UUID, year: str, month: str, request: Request, session: DbSession, caller: CurrentUser
):
    return JSONResponse(
        await time_spents.person_period_time_spents(
            session, caller, str(person_id), "month", year, month, project_id=request.query_params.get("project_id")
        )
    )


@router.get("/data/persons/{person_id}/time-spents/week/{year}/{week}")
async def person_week(
    person_id: uuid.UUID, year: str, week: str, request: Request, session: DbSession, caller: CurrentUser
):
    return JSONResponse(
        await time_spents.person_period_time_spents(
            session, caller, str(person_id), "week", year, week, project_id=request.query_params.get("project_id")
        )
    )


@router.get("/data/persons/{person_id}/time-spents/day/{year}/{month}/{day}")
async def person_day(
    person_id: uuid.UUID, year: str, month: str, day: str, request: Request, session: DbSession, caller: CurrentUser
):
    return JSONResponse(
        await time_spents.person_period_time_spents(
            session, caller, str(person_id), "day", year, month, day, project_id=request.query_params.get("project_id")
        )
    )


@router.get("/data/persons/{person_id}/time-spents/{date}")
async def person_date(person_id: uuid.UUID, date: str, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.person_date_time_spents(session, caller, str(person_id), date))


# --- the caller's own ---


@router.get("/data/user/time-spents")
async def my_time_spents(request: Request, session: DbSession, caller: CurrentUser):
    q = request.query_params
    return JSONResponse(await time_spents.my_time_spents(session, caller, q.get("start_date"), q.get("end_date")))


@router.get("/data/user/time-spents/{date}")
async def my_date_time_spents(date: str, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.my_date_time_spents(session, caller, date))


@router.get("/data/user/tasks/{task_id}/time-spents/{date}")
async def my_task_time_spent(task_id: uuid.UUID, date: str, session: DbSession, caller: CurrentUser):
    return JSONResponse(await time_spents.my_task_time_spent(session, caller, str(task_id), date))
