"""Day offs (leave), desktop login logs and the monthly presence sheet.

Reading a person's day offs: admins, the person and the managers of a
production the person is on the team of get the whole record; supervisors of
such a production (sharing a department with the person, or attached to none)
get the dates only. Writing stays between the person and the admins.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import InvalidBody, NotFound, PermissionDenied, WrongParameter
from app.domain.access import block_client, block_vendor, require_member
from app.domain.permissions import ADMIN, MANAGER, Caller
from app.repositories.day_offs import DayOffRepository

DAY_OFF_TYPE = "DayOff"
LOGIN_LOG_TYPE = "DesktopLoginLog"
OVERLAP = "Day off already exists for this period"
WRONG_DATE = "Wrong date format."
INVALID_DATE = "Invalid date format."
INTEGRITY = "The data conflicts with database integrity rules."


# --- shaping -----------------------------------------------------------


def _typed(rows: list[dict[str, Any]], type_name: str = DAY_OFF_TYPE) -> list[dict[str, Any]]:
    for row in rows:
        row["type"] = type_name
    return rows


def dates_only(day_off: dict[str, Any]) -> dict[str, Any]:
    """What a supervisor sees of a day off: everything but the description."""
    return {k: v for k, v in day_off.items() if k != "description"}


def _shape(rows: list[dict[str, Any]], with_description: bool) -> list[dict[str, Any]]:
    rows = _typed(rows)
    return rows if with_description else [dates_only(r) for r in rows]


# --- parsing -----------------------------------------------------------


def parse_day(raw: str, message: str = INVALID_DATE) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise WrongParameter(message) from None


def _int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise WrongParameter(WRONG_DATE) from None


def year_interval(year: str) -> tuple[date, date]:
    y = _int(year)
    if not 1 <= y <= 9999:
        raise WrongParameter(WRONG_DATE)
    return date(y, 1, 1), date(y, 12, 31)


def month_interval(year: str, month: str) -> tuple[date, date]:
    y, m = _int(year), _int(month)
    try:
        start = date(y, m, 1)
    except ValueError:
        raise WrongParameter(WRONG_DATE) from None
    return start, date(y, m, calendar.monthrange(y, m)[1])


def week_interval(year: str, week: str) -> tuple[date, date]:
    try:
        start = date.fromisocalendar(_int(year), _int(week), 1)
    except ValueError:
        raise WrongParameter(WRONG_DATE) from None
    return start, start + timedelta(days=6)


def parse_login_date(raw: Any) -> datetime | None:
    """Zou's desktop login date: `2020-01-05T13:23:10` or `2020-01-05`; empty means now."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
            try:
                return datetime.strptime(raw, fmt)
            except ValueError:
                continue
    raise WrongParameter(
        "Validation error.",
        data={
            "errors": [
                {
                    "field": "date",
                    "message": "Value error, Wrong date format. Expected: 2020-01-05T13:23:10 or 2020-01-05",
                }
            ]
        },
    )


# --- permissions -------------------------------------------------------


def check_write_access(caller: Caller, person_id: str | None) -> None:
    """Zou's check_day_off_access: admins, or the person the day off is for."""
    if not (caller.is_admin or caller.id == person_id):
        raise PermissionDenied()


async def read_access(
    session: AsyncSession, caller: Caller, person_id: str | None, *, person_route: bool = True
) -> bool:
    """Whether the caller reads the person's day offs with descriptions; 403 when not at all.

    The person routes first check that the person exists (404) and is no bot (403); reading one
    day off through the CRUD entry applies the rule alone, as Zou does."""
    repo = DayOffRepository(session)
    if person_route:
        target = await repo.person_flags(person_id)
        if target is None:
            raise NotFound("Person not found.")
        if target["is_bot"]:
            raise PermissionDenied()
    if caller.is_admin or caller.id == person_id:
        return True
    scope = (await repo.read_scopes(caller.id, caller.role)).get(person_id)
    if scope is not None and scope["manager"]:
        return True
    if scope is not None and scope["supervisor"] and scope["shares_department"]:
        return False
    raise PermissionDenied()


async def readable_persons(session: AsyncSession, caller: Caller) -> dict[str, bool] | None:
    """Person id -> with description, for every person the caller reads; None for admins (everybody)."""
    if caller.is_admin:
        return None
    readable = {caller.id: True}
    for person_id, scope in (await DayOffRepository(session).read_scopes(caller.id, caller.role)).items():
        if scope["manager"]:
            readable[person_id] = True
        elif scope["shares_department"]:
            readable.setdefault(person_id, False)
    return readable


# --- day off reads -----------------------------------------------------


async def person_day_offs(
    session: AsyncSession, caller: Caller, person_id: str, interval: tuple[date, date] | None = None
) -> list[dict[str, Any]]:
    with_description = await read_access(session, caller, person_id)
    start, end = interval or (None, None)
    rows = await DayOffRepository(session).between(start, end, person_id=person_id)
    return _shape(rows, with_description)


async def person_day_off_at(session: AsyncSession, caller: Caller, person_id: str, raw_day: str) -> dict[str, Any]:
    with_description = await read_access(session, caller, person_id)
    row = await DayOffRepository(session).at(person_id, parse_day(raw_day))
    if row is None:
        return {}
    return _shape([row], with_description)[0]


async def own_day_off_at(session: AsyncSession, caller: Caller, raw_day: str) -> dict[str, Any]:
    row = await DayOffRepository(session).at(caller.id, parse_day(raw_day, WRONG_DATE))
    return _typed([row])[0] if row is not None else {}


async def studio_day_offs(session: AsyncSession, caller: Caller, interval: tuple[date, date]) -> list[dict[str, Any]]:
    """The period's day offs of the persons the caller may read."""
    readable = await readable_persons(session, caller)
    repo = DayOffRepository(session)
    if readable is None:
        return _typed(await repo.between(*interval))
    rows = _typed(await repo.between(*interval, person_ids=list(readable)))
    return [r if readable[r["person_id"]] else dates_only(r) for r in rows]


async def project_day_offs(
    session: AsyncSession, caller: Caller, project_id: str, start_date: str | None, end_date: str | None
) -> dict[str, list[dict[str, Any]]]:
    """Day offs of a production's team, by person; descriptions for managers and one's own."""
    scope = await require_member(session, caller, project_id)
    block_client(scope)
    block_vendor(scope)
    try:
        start = date.fromisoformat(start_date) if start_date else None
        end = date.fromisoformat(end_date) if end_date else None
    except ValueError:
        raise WrongParameter(f"Wrong date format for {start_date} and/or {end_date}") from None
    safe = scope.role in (ADMIN, MANAGER)
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _typed(await DayOffRepository(session).for_project_team(project_id, start, end)):
        result[row["person_id"]].append(row if safe or row["person_id"] == caller.id else dates_only(row))
    return dict(result)


# --- day off writes (CRUD hooks) ---------------------------------------


def require_fields(data: dict[str, Any]) -> None:
    for name in ("person_id", "date", "end_date"):
        if data.get(name) is None:
            raise InvalidBody(f"'{name}'")


async def check_overlap(
    session: AsyncSession, start: date, end: date, person_id: str | None, exclude_id: str | None = None
) -> None:
    if await DayOffRepository(session).between(start, end, person_id=person_id, exclude_id=exclude_id):
        raise WrongParameter(OVERLAP)
    if start > end:  # Zou's day_off_date_check constraint
        raise InvalidBody(INTEGRITY)


async def remove_covered_time_spents(session: AsyncSession, row: dict[str, Any]) -> None:
    await DayOffRepository(session).remove_time_spents(row["person_id"], row["date"], row["end_date"])


# --- desktop logins and presence ---------------------------------------


async def desktop_login_logs(session: AsyncSession, caller: Caller, person_id: str) -> list[dict[str, Any]]:
    if caller.id != person_id and not caller.is_manager:
        raise PermissionDenied()
    repo = DayOffRepository(session)
    if await repo.person_flags(person_id) is None:
        raise NotFound("Person not found.")
    return _typed(await repo.login_logs(person_id), LOGIN_LOG_TYPE)


async def own_desktop_login_logs(session: AsyncSession, caller: Caller) -> list[dict[str, Any]]:
    return _typed(await DayOffRepository(session).login_logs(caller.id), LOGIN_LOG_TYPE)


async def add_desktop_login_log(session: AsyncSession, caller: Caller, person_id: str, raw_date: Any) -> dict[str, Any]:
    when = parse_login_date(raw_date)
    if caller.id != person_id and not caller.is_admin:
        raise PermissionDenied()
    repo = DayOffRepository(session)
    if await repo.person_flags(person_id) is None:
        raise NotFound("Person not found.")
    row = await repo.add_login_log(person_id, when or datetime.now(UTC).replace(tzinfo=None, microsecond=0))
    await repo.refresh_last_presence(person_id)
    return _typed([row], LOGIN_LOG_TYPE)[0]


def _full_name(first: str | None, last: str | None) -> str:
    return f"{first} {last}" if first and last else f"{first or ''}{last or ''}"


async def presence_csv(session: AsyncSession, caller: Caller, month_date: str) -> str:
    """The month's presence sheet: a header of day numbers, one row per active person, `X` on login days."""
    if not caller.is_admin:
        raise PermissionDenied()
    try:
        start = datetime.strptime(month_date, "%Y-%m")
    except ValueError:
        raise WrongParameter("Invalid month or year.") from None
    days = calendar.monthrange(start.year, start.month)[1]
    end = (start + timedelta(days=days)).replace(day=1)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([str(start.year), *(str(d) for d in range(1, days + 1))])
    for person in await DayOffRepository(session).presence(start, end):
        row = [_full_name(person["first_name"], person["last_name"])] + [""] * days
        for day in person["days"] or []:
            row[int(day)] = "X"
        writer.writerow(row)
    return out.getvalue()
