"""First-run set-up: default studio data (idempotent) and the first admin."""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.security import hash_password
from app.domain.person_hooks import check_email
from app.repositories.catalog import insert_missing
from app.repositories.crud import TableRepository
from app.repositories.organisations import OrganisationRepository
from app.repositories.persons import PersonRepository
from app.repositories.tables.catalog import EntityType, ProjectStatus, TaskStatus, TaskType
from app.repositories.tables.people import Department, Person


def default_data() -> dict:
    return json.loads(resources.files("app.data").joinpath("init_data.json").read_text())


async def init_data(session: AsyncSession) -> dict[str, int]:
    data = default_data()
    added = {
        "project_status": await insert_missing(session, ProjectStatus, data["project_status"], ("name",)),
        "departments": await insert_missing(session, Department, data["departments"], ("name",)),
        "entity_types": await insert_missing(
            session, EntityType, [{"name": n} for n in data["entity_types"]], ("name",)
        ),
    }
    dept = Department.__table__
    ids = dict((await session.execute(select(dept.c.name, dept.c.id))).all())
    task_types = [
        {**{k: v for k, v in t.items() if k != "department"}, "department_id": ids.get(t["department"])}
        for t in data["task_types"]
    ]
    added["task_types"] = await insert_missing(session, TaskType, task_types, ("name", "for_entity"))
    added["task_status"] = await insert_missing(session, TaskStatus, data["task_status"], ("short_name",))
    await OrganisationRepository(session).get_or_create()
    return added


async def ensure_admin(session: AsyncSession, settings: Settings, email: str, password: str) -> bool:
    """Create an admin with these credentials unless one with this email exists; True if created."""
    email = check_email(email)
    if await PersonRepository(session).by_email(email) is not None:
        return False
    await TableRepository(session, Person.__table__).insert(
        {
            "first_name": "Super",
            "last_name": "Admin",
            "email": email,
            "role": "admin",
            "password": await hash_password(password, settings.bcrypt_rounds),
            "timezone": settings.default_timezone,
            "locale": settings.default_locale,
            "phone": "",
            "desktop_login": "",
        }
    )
    return True
