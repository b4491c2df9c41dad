"""Department members and department software licenses."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.persons import departments_subquery
from app.repositories.tables.catalog import Software, SoftwareDepartmentLink
from app.repositories.tables.people import Department, DepartmentLink, Person

department = Department.__table__
member = DepartmentLink.__table__.alias("member")  # the subquery of all department ids uses the table itself
person = Person.__table__
software = Software.__table__
license_link = SoftwareDepartmentLink.__table__


class DepartmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def existing(self, department_id: str, software_id: str | None = None) -> tuple[bool, bool]:
        """Whether the department (and the software, when given) exist, in one round trip."""
        checks = [exists().where(department.c.id == department_id)]
        if software_id is not None:
            checks.append(exists().where(software.c.id == software_id))
        row = (await self.session.execute(select(*checks))).one()
        software_found = bool(row[1]) if software_id is not None else False
        return bool(row[0]), software_found

    async def members(self, department_id: str) -> list[dict[str, Any]]:
        """Persons linked to the department, each with all their department ids, by name."""
        stmt = (
            select(person, departments_subquery().label("department_ids"))
            .join(member, member.c.person_id == person.c.id)
            .where(member.c.department_id == department_id)
            .order_by(person.c.first_name, person.c.last_name, person.c.id)
        )
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    async def software_by_department(self) -> dict[str, list[dict[str, Any]]]:
        """Every licensed software, grouped by the department holding the license."""
        stmt = (
            select(software, license_link.c.department_id.label("_department_id"))
            .join(license_link, license_link.c.software_id == software.c.id)
            .order_by(license_link.c.department_id, software.c.name, software.c.id)
        )
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in (await self.session.execute(stmt)).mappings():
            row = dict(m)
            grouped[row.pop("_department_id")].append(row)
        return dict(grouped)

    async def licensed_software(self, department_id: str, software_id: str) -> dict[str, Any] | None:
        stmt = (
            select(software)
            .join(license_link, license_link.c.software_id == software.c.id)
            .where(license_link.c.department_id == department_id, software.c.id == software_id)
            .limit(1)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def add_license(self, department_id: str, software_id: str) -> dict[str, Any]:
        """The department/software link, created when missing (get-or-create, race-safe)."""
        stmt = (
            insert(license_link)
            .values(department_id=department_id, software_id=software_id)
            .on_conflict_do_nothing(index_elements=[license_link.c.department_id, license_link.c.software_id])
            .returning(license_link)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        if row is None:
            stmt = select(license_link).where(
                license_link.c.department_id == department_id, license_link.c.software_id == software_id
            )
            row = (await self.session.execute(stmt)).mappings().one()
        return dict(row)

    async def remove_license(self, department_id: str, software_id: str) -> None:
        await self.session.execute(
            delete(license_link).where(
                license_link.c.department_id == department_id, license_link.c.software_id == software_id
            )
        )
