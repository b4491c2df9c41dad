"""Person lookups used by authentication and the person rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables import metadata
from app.repositories.tables.auth import RevokedToken
from app.repositories.tables.catalog import ProjectStatus
from app.repositories.tables.people import DepartmentLink, LoginLog, Person
from app.repositories.tables.projects import Project, ProjectPersonLink
from app.repositories.tables.tasks import Comment

person = Person.__table__
link = DepartmentLink.__table__


def departments_subquery():
    return (
        select(func.coalesce(func.array_agg(link.c.department_id), []))
        .where(link.c.person_id == person.c.id)
        .scalar_subquery()
    )


def client_team_ids(client_id: str):
    """Ids of the persons on the teams of the open projects a client belongs to."""
    team = ProjectPersonLink.__table__
    project = Project.__table__
    status = ProjectStatus.__table__
    open_projects = (
        select(team.c.project_id)
        .join(project, project.c.id == team.c.project_id)
        .join(status, status.c.id == project.c.project_status_id)
        .where(team.c.person_id == client_id, status.c.name == "Open")
    )
    return select(team.c.person_id).where(team.c.project_id.in_(open_projects))


# Rows that point at a person, and what a forced deletion does with them: delete them or clear the column.
PERSON_REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("department_link", "person_id", "delete"),
    ("project_person_link", "person_id", "delete"),
    ("task_person_link", "person_id", "delete"),
    ("login_log", "person_id", "delete"),
    ("desktop_login_log", "person_id", "delete"),
    ("notification", "person_id", "delete"),
    ("notification", "author_id", "delete"),
    ("subscription", "person_id", "delete"),
    ("time_spent", "person_id", "delete"),
    ("day_off", "person_id", "delete"),
    ("search_filter", "person_id", "delete"),
    ("search_filter_group", "person_id", "delete"),
    ("comment_mentions", "person", "delete"),
    ("comment_acknoledgments", "person", "delete"),
    ("chat_participant", "person_id", "delete"),
    ("chat_message", "person_id", "delete"),
    ("news", "author_id", "delete"),
    ("api_event", "user_id", "null"),
    ("task", "assigner_id", "null"),
    ("preview_file", "person_id", "null"),
    ("working_file", "person_id", "null"),
    ("output_file", "person_id", "null"),
    ("entity", "created_by", "null"),
    ("playlist", "created_by", "null"),
    ("entity_version", "person_id", "null"),
    ("budget_entry", "person_id", "null"),
    ("comment", "editor_id", "null"),
    ("password_reset_token", "person_id", "delete"),
)


class PersonRepository:
    @staticmethod
    def client_visible_clause(client_id: str):
        return person.c.id.in_(client_team_ids(client_id))

    async def client_can_see(self, client_id: str, person_id: str) -> bool:
        team = client_team_ids(client_id).subquery()
        stmt = select(exists().where(team.c.person_id == person_id))
        return bool((await self.session.execute(stmt)).scalar())

    async def is_referenced(self, person_id: str) -> bool:
        """Whether any row (team, task, comment, log...) still points at the person."""
        checks = [exists().where(col == person_id) for col in _reference_columns()]
        checks.append(exists().where(Comment.__table__.c.person_id == person_id))
        stmt = select(or_(*checks))
        return bool((await self.session.execute(stmt)).scalar())

    async def detach(self, person_id: str) -> None:
        """Remove or clear everything pointing at a person before a forced deletion."""
        comments = Comment.__table__
        own = select(comments.c.id).where(comments.c.person_id == person_id)
        for table in (
            "comment_mentions",
            "comment_acknoledgments",
            "comment_department_mentions",
            "comment_preview_link",
        ):
            link = metadata.tables[table]
            await self.session.execute(delete(link).where(link.c.comment.in_(own)))
        for name in ("notification", "news"):
            t = metadata.tables[name]
            await self.session.execute(delete(t).where(t.c.comment_id.in_(own)))
        for col, how in ((c, h) for c, h in zip(_reference_columns(), _reference_modes(), strict=True)):
            if how == "delete":
                await self.session.execute(delete(col.table).where(col == person_id))
            else:
                await self.session.execute(update(col.table).where(col == person_id).values({col.name: None}))
        await self.session.execute(delete(comments).where(comments.c.person_id == person_id))

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

    async def token_state(self, person_id: str, jti: str, all_key: str) -> dict[str, Any] | None:
        """For checking a token in one round trip: the person with their department ids, whether
        `jti` is revoked, and the purge instant of the person's "all tokens revoked" marker
        (`all_key` in revoked_token), or None when there is no such person."""
        revoked = RevokedToken.__table__
        stmt = select(
            person,
            departments_subquery().label("department_ids"),
            exists().where(revoked.c.jti == jti).label("revoked"),
            select(revoked.c.expires_at).where(revoked.c.jti == all_key).scalar_subquery().label("all_revoked_until"),
        ).where(person.c.id == person_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def for_login(self, login: str) -> dict[str, Any] | None:
        """The person logging in, by email (case-insensitive) or else by desktop login (exact);
        bots never match. The row is locked until the end of the transaction, so that parallel
        attempts on one account are counted one after the other."""
        base = select(person, departments_subquery().label("department_ids")).where(person.c.is_bot.is_(False))
        for condition in (func.lower(person.c.email) == login.lower(), person.c.desktop_login == login):
            stmt = base.where(condition).order_by(person.c.created_at).limit(1).with_for_update(of=person)
            row = (await self.session.execute(stmt)).mappings().first()
            if row is not None:
                return dict(row)
        return None

    async def lock_by_id(self, person_id: str) -> dict[str, Any] | None:
        """The person with their department ids, locked until the end of the transaction."""
        stmt = (
            select(person, departments_subquery().label("department_ids"))
            .where(person.c.id == person_id)
            .with_for_update(of=person)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def count_failed_login(self, person_id: str, when: datetime) -> int:
        """Add one failed attempt (atomically) and return the new count."""
        stmt = (
            update(person)
            .where(person.c.id == person_id)
            .values(login_failed_attemps=func.coalesce(person.c.login_failed_attemps, 0) + 1, last_login_failed=when)
            .returning(person.c.login_failed_attemps)
        )
        return int((await self.session.execute(stmt)).scalar() or 0)

    async def add_department(self, person_id: str, department_id: str) -> None:
        """Link the person to the department (nothing happens when they already are)."""
        stmt = pg_insert(link).values(person_id=person_id, department_id=department_id).on_conflict_do_nothing()
        await self.session.execute(stmt)

    async def remove_department(self, person_id: str, department_id: str) -> None:
        await self.session.execute(
            delete(link).where(link.c.person_id == person_id, link.c.department_id == department_id)
        )

    async def admin_exists(self) -> bool:
        stmt = select(exists().where(person.c.role == "admin", person.c.active.is_(True)))
        return bool((await self.session.execute(stmt)).scalar())


def _reference_columns():
    return [metadata.tables[table].c[column] for table, column, _ in PERSON_REFERENCES]


def _reference_modes():
    return [how for _, _, how in PERSON_REFERENCES]
