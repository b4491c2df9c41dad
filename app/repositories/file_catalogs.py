"""Queries behind the files catalogues: task-type softwares of a production and its preview account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.catalog import Software, TaskType
from app.repositories.tables.people import Person
from app.repositories.tables.projects import (
    Project,
    ProjectPersonLink,
    ProjectTaskTypeLink,
    ProjectTaskTypeSoftwareLink,
)

software_link = ProjectTaskTypeSoftwareLink.__table__
task_type_link = ProjectTaskTypeLink.__table__
software = Software.__table__
task_type = TaskType.__table__
person = Person.__table__
project = Project.__table__
team = ProjectPersonLink.__table__

LINK_COLUMNS = (software_link.c.project_id, software_link.c.task_type_id, software_link.c.software_id)
ACCOUNT_COLUMNS = (person.c.id, person.c.email, person.c.first_name, person.c.last_name, person.c.preview_open_until)


class FileCatalogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- task-type softwares ---------------------------------------------------------

    async def task_type_software_links(self, project_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(*LINK_COLUMNS)
            .where(software_link.c.project_id == project_id)
            .order_by(software_link.c.task_type_id, software_link.c.software_id)
        )
        return [dict(row) for row in (await self.session.execute(stmt)).mappings()]

    async def task_type_department(self, task_type_id: str) -> tuple[bool, str | None]:
        """(task type exists, its department id)."""
        stmt = select(task_type.c.department_id).where(task_type.c.id == task_type_id)
        row = (await self.session.execute(stmt)).first()
        return (False, None) if row is None else (True, row.department_id)

    async def link_context(self, project_id: str, task_type_id: str, software_id: str) -> dict[str, Any]:
        """In one round trip: is the task type one of the project's, does the software exist and is it
        archived, is the link already there."""
        in_project = exists().where(
            task_type_link.c.project_id == project_id, task_type_link.c.task_type_id == task_type_id
        )
        linked = exists().where(
            software_link.c.project_id == project_id,
            software_link.c.task_type_id == task_type_id,
            software_link.c.software_id == software_id,
        )
        archived = select(software.c.archived).where(software.c.id == software_id).scalar_subquery()
        found = exists().where(software.c.id == software_id)
        stmt = select(
            in_project.label("in_project"),
            found.label("software_found"),
            archived.label("archived"),
            linked.label("linked"),
        )
        return dict((await self.session.execute(stmt)).mappings().one())

    async def add_link(self, project_id: str, task_type_id: str, software_id: str) -> bool:
        """Insert the link; False when it was already there (a concurrent request won)."""
        now = utc_now()
        stmt = (
            pg_insert(software_link)
            .values(
                id=new_id(),
                project_id=project_id,
                task_type_id=task_type_id,
                software_id=software_id,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["project_id", "task_type_id", "software_id"])
            .returning(software_link.c.id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def remove_link(self, project_id: str, task_type_id: str, software_id: str) -> bool:
        stmt = (
            delete(software_link)
            .where(
                software_link.c.project_id == project_id,
                software_link.c.task_type_id == task_type_id,
                software_link.c.software_id == software_id,
            )
            .returning(software_link.c.id)
        )
        return (await self.session.execute(stmt)).first() is not None

    # --- preview account -------------------------------------------------------------

    async def preview_account(self, project_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        stmt = select(*ACCOUNT_COLUMNS, person.c.preview_opened_at).where(person.c.preview_project_id == project_id)
        if lock:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else dict(row)

    async def project_name(self, project_id: str) -> str | None:
        return (await self.session.execute(select(project.c.name).where(project.c.id == project_id))).scalar()

    async def create_preview_account(self, project_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Insert the account person and put it on the project's team."""
        now = utc_now()
        stmt = (
            insert(person)
            .values(id=new_id(), created_at=now, updated_at=now, preview_project_id=project_id, **values)
            .returning(*ACCOUNT_COLUMNS)
        )
        row = dict((await self.session.execute(stmt)).mappings().one())
        await self.session.execute(
            pg_insert(team).values(project_id=project_id, person_id=row["id"]).on_conflict_do_nothing()
        )
        return row

    async def update_preview_account(self, person_id: str, values: dict[str, Any]) -> dict[str, Any]:
        stmt = (
            update(person)
            .where(person.c.id == person_id)
            .values(updated_at=utc_now(), **values)
            .returning(*ACCOUNT_COLUMNS)
        )
        return dict((await self.session.execute(stmt)).mappings().one())
