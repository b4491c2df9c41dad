"""Person lookups used by authentication and the person rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.auth import RevokedToken
from app.repositories.tables.people import DepartmentLink, LoginLog, Person

person = Person.__table__
link = DepartmentLink.__table__


def departments_subquery():
    return (
        select(func.coalesce(func.array_agg(link.c.department_id), []))
        .where(link.c.person_id == person.c.id)
        .scalar_subquery()
    )


class PersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_token(self, person_id: str, jti: str) -> tuple[dict[str, Any], bool] | None:
        """The person, their department ids and whether `jti` is revoked, in one round trip."""
        revoked = exists().where(RevokedToken.__table__.c.jti == jti)
        stmt = select(
            person,
            departments_subquery().label("department_ids"),
            revoked.label("revoked"),
        ).where(person.c.id == person_id)
        row = (await self.session.execute(stmt)).mappings().first()
        if row is None:
            return None
        data = dict(row)
        return data, data.pop("revoked")

    async def by_email(self, email: str) -> dict[str, Any] | None:
        stmt = (
            select(person, departments_subquery().label("department_ids"))
            .where(func.lower(person.c.email) == email.lower(), person.c.is_bot.is_(False))
            .limit(1)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def by_id(self, person_id: str) -> dict[str, Any] | None:
        stmt = select(person, departments_subquery().label("department_ids")).where(person.c.id == person_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def set_fields(self, person_id: str, **values: Any) -> None:
        await self.session.execute(update(person).where(person.c.id == person_id).values(**values))

    async def add_login_log(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(LoginLog.__table__).values(**values))

    async def admin_exists(self) -> bool:
        stmt = select(exists().where(person.c.role == "admin", person.c.active.is_(True)))
        return bool((await self.session.execute(stmt)).scalar())
