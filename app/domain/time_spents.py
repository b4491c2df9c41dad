"""Time spents: who may log whose time on a task, listings per task, entity, person, project and studio."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.domain import events
from app.domain.access import require_entity_access, require_manager, require_member
from app.domain.permissions import MANAGER, SUPERVISOR, Caller
from app.repositories.access import AccessRepository
from app.repositories.time_spents import TimeSpentRepository, date_between

TYPE = "TimeSpent"


def parse_date(value: str, message: str = "Wrong date format.") -> datetime.date:
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise WrongParameter(message) from None


FIELD_ORDER = ("duration", "date", "task_id", "person_id", "id", "created_at", "updated_at")
"""Zou's serialization order: the model's own columns, then the base ones."""


def _present(row: dict[str, Any]) -> dict[str, Any]:
    out = {key: row[key] for key in FIELD_ORDER if key in row}
    out.update((key, value) for key, value in row.items() if key not in out)
    out["type"] = TYPE
    return out


def _present_all(rows: list[dict]) -> list[dict]:
    return [_present(r) for r in rows]


async def _task(session: AsyncSession, task_id: str, person_id: str | None = None) -> dict[str, Any]:
    found = await TimeSpentRepository(session).task_context(task_id, person_id)
    if found is None:
        raise NotFound("Task not found.")
    return found


def _check_not_bot(ctx: dict[str, Any], allow_project_bots: bool) -> None:
    if ctx.get("is_bot") is None:
        raise NotFound("Person not found.")
    if ctx["is_bot"] and not (allow_project_bots and ctx["is_bot_collaboration_enabled"]):
        raise PermissionDenied()


async def _check_time_spent_access(session: AsyncSession, caller: Caller, ctx: dict[str, Any], person_id: str) -> None:
    """Zou's check_time_spent_access: the person is assigned, and the caller is that person,
    an admin or a manager on the project's team."""
    if person_id not in ctx["assignees"]:
        raise PermissionDenied()
    if caller.id == person_id or caller.is_admin:
        return
    if caller.role == MANAGER and ctx["project_id"] in await AccessRepository(session).team_project_ids(caller.id):
        return
    raise PermissionDenied()


async def set_time_spent(
    session: AsyncSession, caller: Caller, task_id: str, date: str, person_id: str, duration: float, *, add: bool
) -> dict[str, Any]:
    ctx = await _task(session, task_id, person_id)
    _check_not_bot(ctx, allow_project_bots=True)
    day = parse_date(date, "Invalid date format.")
    await _check_time_spent_access(session, caller, ctx, person_id)
    repo = TimeSpentRepository(session)
    project_id = str(ctx["project_id"])
    existing = await repo.get(task_id, person_id, day)
    if existing is None:
        row = await repo.insert(task_id, person_id, day, duration)
        await repo.touch_last_presence(person_id, datetime.date.today())
        name = "time-spent:new"
    else:
        row = await repo.set_duration(existing["id"], existing["duration"] + duration if add else duration)
        name = "time-spent:update"
    await events.emit(session, name, {"time_spent_id": row["id"]}, project_id=project_id, user_id=caller.id)
    await repo.refresh_task_duration(task_id)
    await events.emit(session, "task:update", {"task_id": task_id}, project_id=project_id, user_id=caller.id)
    return _present(row)


async def delete_time_spent(
    session: AsyncSession, caller: Caller, task_id: str, date: str, person_id: str
) -> dict[str, Any]:
    ctx = await _task(session, task_id, person_id)
    _check_not_bot(ctx, allow_project_bots=False)
    day = parse_date(date, "Invalid date format.")
    await _check_time_spent_access(session, caller, ctx, person_id)
    repo = TimeSpentRepository(session)
    existing = await repo.get(task_id, person_id, day)
    if existing is None:
        raise NotFound("Time spent not found.")
    project_id = str(ctx["project_id"])
    await repo.delete(existing["id"])
    await events.emit(
        session, "time-spent:delete", {"time_spent_id": existing["id"]}, project_id=project_id, user_id=caller.id
    )
    await repo.refresh_task_duration(task_id)
    await events.emit(session, "task:update", {"task_id": task_id}, project_id=project_id, user_id=caller.id)
    return _present({**existing, "duration": 0})


async def task_time_spents(session: AsyncSession, caller: Caller, task_id: str, date: str | None = None) -> dict:
    ctx = await _task(session, task_id)
    day = parse_date(date) if date is not None else None
    scope = await require_member(session, caller, str(ctx["project_id"]))
    await require_entity_access(session, scope, str(ctx["entity_id"]))
    result: dict[str, Any] = {"total": 0}
    for row in await TimeSpentRepository(session).for_task(task_id, day):
        result.setdefault(str(row["person_id"]), []).append(_present(row))
        result["total"] += row["duration"]
    return result


async def entity_time_spents(session: AsyncSession, caller: Caller, entity_id: str) -> list[dict]:
    repo = TimeSpentRepository(session)
    project_id = await repo.entity_project(entity_id)
    if project_id is None:
        raise NotFound("Entity not found.")
    scope = await require_member(session, caller, str(project_id))
    await require_entity_access(session, scope, entity_id)
    return _present_all(await repo.for_entity(entity_id))


async def project_time_spents(session: AsyncSession, caller: Caller, project_id: str) -> list[dict]:
    scope = await require_member(session, caller, project_id)
    if scope.is_client:
        raise PermissionDenied()
    return _present_all(await TimeSpentRepository(session).for_project(project_id))


async def project_task_type_time_spents(
    session: AsyncSession, caller: Caller, project_id: str, task_type_id: str, start: str | None, end: str | None
) -> dict[str, list]:
    await require_manager(session, caller, project_id)
    try:
        start_day = datetime.date.fromisoformat(start) if start else None
        end_day = datetime.date.fromisoformat(end) if end else None
    except ValueError:
        raise WrongParameter(f"Wrong date format for {start} and/or {end}") from None
    rows = await TimeSpentRepository(session).for_project_task_type(project_id, task_type_id, start_day, end_day)
    result: dict[str, list] = defaultdict(list)
    for row in rows:
        result[str(row["person_id"])].append(_present(row))
    return dict(result)


# --- per person ---


async def _person_access(
    session: AsyncSession, caller: Caller, person_id: str
) -> tuple[list[str] | None, list[str] | None]:
    """(project_ids, department_ids) restricting what the caller sees of the person's time."""
    is_bot = await TimeSpentRepository(session).person_is_bot(person_id)
    if is_bot is None:
        raise NotFound("Person not found.")
    if is_bot:
        raise PermissionDenied()
    if caller.is_admin or caller.id == person_id:
        return None, None
    if caller.role not in (MANAGER, SUPERVISOR):
        raise PermissionDenied()
    project_ids = await AccessRepository(session).team_project_ids(caller.id)
    department_ids = list(caller.department_ids) if caller.role == SUPERVISOR else None
    return project_ids, department_ids


async def person_time_spents(
    session: AsyncSession, caller: Caller, person_id: str, start: str | None = None, end: str | None = None
) -> list[dict]:
    project_ids, department_ids = await _person_access(session, caller, person_id)
    return await _time_spents_of(session, person_id, start, end, project_ids, department_ids)


async def _time_spents_of(session, person_id, start, end, project_ids=None, department_ids=None) -> list[dict]:
    if not start and not end:
        return []  # Zou filters on a null date: nothing matches
    if not start or not end:
        raise WrongParameter("If querying for a range of dates, both a `start_date` and an `end_date` must be given.")
    try:
        start_day, end_day = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    except ValueError:
        raise WrongParameter(f"Wrong date format for {start} and/or {end}") from None
    rows = await TimeSpentRepository(session).for_person(
        person_id, start_day, end_day, project_ids=project_ids, department_ids=department_ids, with_task=True
    )
    return _present_all(rows)


async def person_date_time_spents(session: AsyncSession, caller: Caller, person_id: str, date: str) -> list[dict]:
    project_ids, department_ids = await _person_access(session, caller, person_id)
    day = parse_date(date, "Invalid month or year.")
    rows = await TimeSpentRepository(session).for_person(
        person_id, day, day, project_ids=project_ids, department_ids=department_ids
    )
    return _present_all(rows)


def _interval(kind: str, year: str, a: str | None = None, b: str | None = None) -> tuple[datetime.date, datetime.date]:
    try:
        y = int(year)
        if kind == "year":
            return datetime.date(y, 1, 1), datetime.date(y + 1, 1, 1)
        if kind == "month":
            start = datetime.date(y, int(a), 1)
            return start, start + datetime.timedelta(days=calendar.monthrange(y, int(a))[1])
        if kind == "week":
            start = datetime.date.fromisocalendar(y, int(a), 1)
            return start, start + datetime.timedelta(days=7)
        start = datetime.date(y, int(a), int(b))
        return start, start + datetime.timedelta(days=1)
    except (ValueError, TypeError):
        raise WrongParameter(
            "Invalid date format." if kind in ("year", "month") else "Invalid month or year."
        ) from None


async def person_period_time_spents(
    session: AsyncSession,
    caller: Caller,
    person_id: str,
    kind: str,
    year: str,
    a: str | None = None,
    b: str | None = None,
    project_id: str | None = None,
) -> list[dict]:
    project_ids, department_ids = await _person_access(session, caller, person_id)
    if project_id is not None:
        if project_ids is not None and project_id not in project_ids:
            raise PermissionDenied()
        project_ids = [project_id]
    start, end = _interval(kind, year, a, b)
    return await TimeSpentRepository(session).task_totals(
        person_id, start, end, project_ids=project_ids, department_ids=department_ids
    )


async def person_month_all(session: AsyncSession, caller: Caller, person_id: str, year: str, month: str) -> list:
    is_bot = await TimeSpentRepository(session).person_is_bot(person_id)
    if is_bot is None:
        raise NotFound("Person not found.")
    if is_bot:
        raise PermissionDenied()
    if not (caller.is_admin or caller.id == person_id):
        raise PermissionDenied()
    try:
        start, end = _interval("month", year, month)
    except WrongParameter:
        raise WrongParameter("Invalid month or year.") from None
    rows = await TimeSpentRepository(session).for_person(person_id, start, end - datetime.timedelta(days=1))
    return _present_all(rows)


# --- studio tables ---


async def table(
    session: AsyncSession,
    caller: Caller,
    unit: str,
    year: str | None = None,
    month: str | None = None,
    *,
    project_id: str | None = None,
    department_id: str | None = None,
    studio_id: str | None = None,
) -> dict[str, dict[str, float]]:
    person_id = None
    project_ids = [project_id] if project_id else None
    department_ids = [department_id] if department_id else None
    if not caller.is_admin:
        if caller.role in (MANAGER, SUPERVISOR):
            team = await AccessRepository(session).team_project_ids(caller.id)
            if project_id is None:
                project_ids = team
            elif project_id not in team:
                raise PermissionDenied()
            if caller.role == SUPERVISOR:
                if department_id is not None:
                    if department_id not in caller.department_ids:
                        raise WrongParameter("Supervisor not allowed to access this department")
                else:
                    department_ids = list(caller.department_ids)
        else:
            person_id = caller.id
    start = end = None
    try:
        if unit == "day":
            start, end = _interval("month", year, month)
        elif year is not None:
            y = int(year)
            start, end = datetime.date(y, 1, 1), datetime.date(y + 1, 1, 1)
    except (ValueError, WrongParameter):
        raise WrongParameter("Invalid month or year.") from None
    rows = await TimeSpentRepository(session).table(
        unit,
        start,
        end,
        person_id=person_id,
        project_ids=project_ids,
        department_ids=department_ids,
        studio_id=studio_id,
    )
    result: dict[str, dict[str, float]] = {}
    for row in rows:
        result.setdefault(str(row["unit"]), {})[str(row["person_id"])] = row["duration"]
    return result


# --- the caller's own ---


async def my_time_spents(session: AsyncSession, caller: Caller, start: str | None, end: str | None) -> list[dict]:
    return await _time_spents_of(session, caller.id, start, end)


async def my_date_time_spents(session: AsyncSession, caller: Caller, date: str) -> list[dict]:
    day = parse_date(date)
    return _present_all(await TimeSpentRepository(session).for_person(caller.id, day, day))


async def my_task_time_spent(session: AsyncSession, caller: Caller, task_id: str, date: str) -> dict | None:
    day = parse_date(date)
    row = await TimeSpentRepository(session).get(task_id, caller.id, day)
    return None if row is None else _present(row)


# --- CRUD hooks (`/data/time-spents`) ---


def date_range_conditions(start: str | None, end: str | None) -> list:
    if not start and not end:
        return []
    if not start or not end:
        raise WrongParameter("If querying for a range of dates, both a `start_date` and an `end_date` must be given.")
    try:
        start_day, end_day = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    except ValueError:
        raise WrongParameter(f"Wrong date format for {start} and/or {end}") from None
    return [date_between(start_day, end_day)]


async def refresh_task(session: AsyncSession, caller: Caller, task_id: str | None) -> None:
    """Set the task's duration to the sum of its time spents and tell clients."""
    if task_id is None:
        return
    ctx = await TimeSpentRepository(session).task_context(task_id)
    if ctx is None:
        return
    await TimeSpentRepository(session).refresh_task_duration(task_id)
    await events.emit(
        session, "task:update", {"task_id": task_id}, project_id=str(ctx["project_id"]), user_id=caller.id
    )


async def check_row_access(session: AsyncSession, caller: Caller, row: dict[str, Any]) -> None:
    """Zou's check_time_spent_access for a stored row."""
    ctx = await TimeSpentRepository(session).task_context(str(row["task_id"])) if row.get("task_id") else None
    if ctx is None:
        raise NotFound("Task not found.")
    await _check_time_spent_access(session, caller, ctx, str(row["person_id"]))
