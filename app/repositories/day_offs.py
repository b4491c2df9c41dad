"""Day offs, desktop login logs and presence: plain queries returning dicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.people import DepartmentLink, DesktopLoginLog, Person
from app.repositories.tables.projects import Project, ProjectPersonLink
from app.repositories.tables.tasks import DayOff, TimeSpent

day_off = DayOff.__table__
login_log = DesktopLoginLog.__table__
person = Person.__table__
project = Project.__table__
team = ProjectPersonLink.__table__
dept_link = DepartmentLink.__table__
time_spent = TimeSpent.__table__


class DayOffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, stmt) -> list[dict[str, Any]]:
        return [dict(r) for r in (await self.session.execute(stmt)).mappings().all()]

    # --- day offs ------------------------------------------------------

    async def between(
        self,
        start: date | None = None,
        end: date | None = None,
        *,
        person_id: str | None = None,
        person_ids: Sequence[str] | None = None,
        exclude_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Day offs overlapping [start, end] (both inclusive), optionally for some persons."""
        stmt = select(day_off)
        if person_id is not None:
            stmt = stmt.where(day_off.c.person_id == person_id)
        if person_ids is not None:
            stmt = stmt.where(day_off.c.person_id.in_(list(person_ids)))
        if start is not None:
            stmt = stmt.where(day_off.c.end_date >= start)
        if end is not None:
            stmt = stmt.where(day_off.c.date <= end)
        if exclude_id is not None:
            stmt = stmt.where(day_off.c.id != exclude_id)
        return await self._rows(stmt.order_by(day_off.c.date, day_off.c.created_at))

    async def for_project_team(self, project_id: str, start: date | None, end: date | None) -> list[dict[str, Any]]:
        """Day offs of the persons on the project's team, by date."""
        members = select(team.c.person_id).where(team.c.project_id == project_id)
        stmt = select(day_off).where(day_off.c.person_id.in_(members))
        if start is not None:
            stmt = stmt.where(day_off.c.end_date >= start)
        if end is not None:
            stmt = stmt.where(day_off.c.date <= end)
        return await self._rows(stmt.order_by(day_off.c.date))

    async def at(self, person_id: str, day: date) -> dict[str, Any] | None:
        stmt = (
            select(day_off)
            .where(day_off.c.person_id == person_id, day_off.c.date <= day, day_off.c.end_date >= day)
            .limit(1)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def remove_time_spents(self, person_id: str | None, start: date, end: date) -> None:
        """A day off wipes the hours logged on the days it covers."""
        await self.session.execute(
            delete(time_spent).where(
                time_spent.c.person_id == person_id, time_spent.c.date >= start, time_spent.c.date <= end
            )
        )

    # --- persons -------------------------------------------------------

    async def person_flags(self, person_id: str) -> dict[str, Any] | None:
        stmt = select(person.c.id, person.c.is_bot).where(person.c.id == person_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def read_scopes(self, caller_id: str, caller_role: str) -> dict[str, dict[str, Any]]:
        """Persons on the teams where the caller is manager or supervisor, in one query.

        Answers {person_id: {"manager": bool, "supervisor": bool, "shares_department": bool}};
        `shares_department` is True as well when the caller belongs to no department.
        """
        mine = team.alias("mine")
        other = team.alias("other")
        role = func.coalesce(mine.c.role, caller_role)
        caller_depts = select(dept_link.c.department_id).where(dept_link.c.person_id == caller_id)
        shares = (
            select(func.count())
            .select_from(dept_link)
            .where(dept_link.c.person_id == other.c.person_id, dept_link.c.department_id.in_(caller_depts))
        )
        no_dept = ~select(dept_link.c.person_id).where(dept_link.c.person_id == caller_id).exists()
        stmt = (
            select(
                other.c.person_id,
                func.bool_or(role == "manager").label("manager"),
                func.bool_or(role == "supervisor").label("supervisor"),
                func.bool_or(no_dept | (shares.scalar_subquery() > 0)).label("shares_department"),
            )
            .select_from(mine.join(other, other.c.project_id == mine.c.project_id))
            .where(mine.c.person_id == caller_id, role.in_(("manager", "supervisor")))
            .group_by(other.c.person_id)
        )
        return {r["person_id"]: dict(r) for r in await self._rows(stmt)}

    # --- desktop logins ------------------------------------------------

    async def login_logs(self, person_id: str) -> list[dict[str, Any]]:
        stmt = select(login_log).where(login_log.c.person_id == person_id).order_by(login_log.c.date.desc())
        return await self._rows(stmt)

    async def add_login_log(self, person_id: str, when: datetime) -> dict[str, Any]:
        stmt = login_log.insert().values(person_id=person_id, date=when).returning(*login_log.c)
        return dict((await self.session.execute(stmt)).mappings().one())

    async def refresh_last_presence(self, person_id: str) -> None:
        """last_presence = the latest day among desktop logins and time spents, in one statement."""
        last_login = select(func.max(func.date(login_log.c.date))).where(login_log.c.person_id == person_id)
        last_spent = select(func.max(time_spent.c.date)).where(time_spent.c.person_id == person_id)
        latest = func.greatest(last_login.scalar_subquery(), last_spent.scalar_subquery())
        await self.session.execute(update(person).where(person.c.id == person_id).values(last_presence=latest))

    async def presence(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Active studio persons with the days of [start, end) they logged in, by name."""
        days = (
            select(func.array_agg(func.distinct(func.extract("day", login_log.c.date))))
            .where(login_log.c.person_id == person.c.id, login_log.c.date >= start, login_log.c.date < end)
            .scalar_subquery()
        )
        stmt = (
            select(person.c.id, person.c.first_name, person.c.last_name, days.label("days"))
            .where(
                and_(
                    person.c.active.is_(True),
                    person.c.is_guest.is_(False),
                    person.c.preview_project_id.is_(None),
                )
            )
            .order_by(person.c.first_name, person.c.last_name)
        )
        return await self._rows(stmt)

    async def project_exists(self, project_id: str) -> bool:
        stmt = select(project.c.id).where(project.c.id == project_id)
        return (await self.session.execute(stmt)).first() is not None
