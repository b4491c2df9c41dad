"""Queries of the event log (`api_event`), the login log and the news feed.

Every listing runs a fixed number of statements whatever the row count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.repositories.tables.catalog import EntityType, ProjectStatus
from app.repositories.tables.entities import Entity
from app.repositories.tables.events import ApiEvent
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.people import LoginLog, Person
from app.repositories.tables.projects import Project, ProjectPersonLink
from app.repositories.tables.tasks import Comment, News, Task

event = ApiEvent.__table__
login_log = LoginLog.__table__
news = News.__table__
task = Task.__table__
project = Project.__table__
project_status = ProjectStatus.__table__
team = ProjectPersonLink.__table__
entity = Entity.__table__
entity_type = EntityType.__table__
comment = Comment.__table__
preview_file = PreviewFile.__table__
person = Person.__table__


@dataclass(slots=True)
class NewsQuery:
    """Filters of a news listing (Zou's NewsFilters plus the single-row lookups)."""

    project_ids: list[str] | None = None
    project_id: str | None = None
    member_id: str | None = None
    """Non-admin callers without explicit projects only see their team projects."""
    news_id: str | None = None
    entity_id: str | None = None
    task_status_id: str | None = None
    task_type_id: str | None = None
    author_id: str | None = None
    episode_id: str | None = None
    only_preview: bool = False
    after: datetime | None = None
    before: datetime | None = None


class EventLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- api_event ------------------------------------------------------

    async def event_created_at(self, event_id: str) -> datetime | None:
        stmt = select(event.c.created_at).where(event.c.id == event_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def last_events(
        self,
        *,
        after: datetime | None,
        before: datetime | None,
        cursor: datetime | None,
        limit: int,
        names: tuple[str, ...] | None,
        project_id: str | None,
        project_ids: list[str] | None,
        name: str | None,
        name_prefixes: list[str],
        name_suffixes: list[str],
        person_ids: list[str],
    ) -> list[dict[str, Any]]:
        stmt = select(
            event.c.id, event.c.created_at, event.c.name, event.c.user_id, event.c.project_id, event.c.data
        ).order_by(event.c.created_at.desc())
        conditions: list[ColumnElement] = []
        if after is not None:
            conditions.append(event.c.created_at > after)
        if before is not None:
            conditions.append(event.c.created_at < before)
        if names is not None:
            conditions.append(event.c.name.in_(names))
        if project_id is not None:
            conditions.append(event.c.project_id == project_id)
        if project_ids is not None:
            conditions.append(event.c.project_id.in_(project_ids))
        if person_ids:
            conditions.append(event.c.user_id.in_(person_ids))
        if name is not None:
            conditions.append(event.c.name == name)
        if name_prefixes:
            conditions.append(or_(*[event.c.name.like(f"{p}:%") for p in name_prefixes]))
        if name_suffixes:
            conditions.append(or_(*[event.c.name.like(f"%:{s}") for s in name_suffixes]))
        if cursor is not None:
            conditions.append(event.c.created_at < cursor)
        rows = await self.session.execute(stmt.where(*conditions).limit(limit))
        return [dict(r) for r in rows.mappings()]

    async def event_names(self) -> list[str]:
        rows = await self.session.execute(select(event.c.name).distinct())
        return sorted(rows.scalars())

    # --- login_log ------------------------------------------------------

    async def login_log_created_at(self, log_id: str) -> datetime | None:
        stmt = select(login_log.c.created_at).where(login_log.c.id == log_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def last_login_logs(
        self,
        *,
        after: datetime | None,
        before: datetime | None,
        cursor: datetime | None,
        limit: int,
        person_ids: list[str],
    ) -> list[dict[str, Any]]:
        stmt = select(
            login_log.c.id, login_log.c.created_at, login_log.c.ip_address, login_log.c.person_id, login_log.c.origin
        ).order_by(login_log.c.created_at.desc())
        conditions: list[ColumnElement] = []
        if person_ids:
            conditions.append(login_log.c.person_id.in_(person_ids))
        if after is not None:
            conditions.append(login_log.c.created_at > after)
        if before is not None:
            conditions.append(login_log.c.created_at < before)
        if cursor is not None:
            conditions.append(login_log.c.created_at < cursor)
        rows = await self.session.execute(stmt.where(*conditions).limit(limit))
        return [dict(r) for r in rows.mappings()]

    # --- news -------------------------------------------------------------

    async def entity_project_id(self, entity_id: str) -> tuple[bool, str | None]:
        """(entity exists, its project id)."""
        stmt = select(entity.c.project_id).where(entity.c.id == entity_id)
        row = (await self.session.execute(stmt)).first()
        return (row is not None, row[0] if row is not None else None)

    async def open_project_ids(self, member_id: str | None, open_status: str) -> list[str]:
        """Open projects (all of them, or those whose team holds `member_id`)."""
        stmt = (
            select(project.c.id)
            .join(project_status, project_status.c.id == project.c.project_status_id)
            .where(project_status.c.name == open_status)
        )
        if member_id is not None:
            stmt = stmt.where(project.c.id.in_(select(team.c.project_id).where(team.c.person_id == member_id)))
        return list((await self.session.execute(stmt)).scalars())

    @staticmethod
    def _news_base(q: NewsQuery, *, comment_outer: bool = True) -> Select:
        stmt = (
            select(news.c.id)
            .select_from(news)
            .join(task, task.c.id == news.c.task_id)
            .join(project, project.c.id == task.c.project_id)
            .join(entity, entity.c.id == task.c.entity_id)
            .join(comment, comment.c.id == news.c.comment_id, isouter=comment_outer)
            .join(preview_file, preview_file.c.id == news.c.preview_file_id, isouter=True)
        )
        conditions: list[ColumnElement] = []
        if q.news_id is not None:
            conditions.append(news.c.id == q.news_id)
        if q.entity_id is not None:
            conditions.append(entity.c.id == q.entity_id)
        if q.project_id is not None:
            conditions.append(task.c.project_id == q.project_id)
        if q.project_ids:
            conditions.append(project.c.id.in_(q.project_ids))
        elif q.member_id is not None:
            conditions.append(project.c.id.in_(select(team.c.project_id).where(team.c.person_id == q.member_id)))
        if q.episode_id is not None:
            sequence = aliased(entity, name="sequence")
            stmt = stmt.join(sequence, sequence.c.id == entity.c.parent_id)
            conditions.append(sequence.c.parent_id == q.episode_id)
        if q.task_status_id is not None:
            conditions.append(comment.c.task_status_id == q.task_status_id)
        if q.task_type_id is not None:
            conditions.append(task.c.task_type_id == q.task_type_id)
        if q.author_id is not None:
            conditions.append(news.c.author_id == q.author_id)
        if q.only_preview:
            conditions.append(news.c.preview_file_id.is_not(None))
        if q.after is not None:
            conditions.append(news.c.created_at > q.after)
        if q.before is not None:
            conditions.append(news.c.created_at < q.before)
        return stmt.where(*conditions)

    async def count_news(self, q: NewsQuery) -> int:
        stmt = self._news_base(q).with_only_columns(func.count(news.c.id))
        return int((await self.session.execute(stmt)).scalar_one())

    async def news_page(self, q: NewsQuery, *, limit: int, offset: int) -> list[dict[str, Any]]:
        """One page of news with their task, project, comment, preview and entity naming data."""
        parent = aliased(entity, name="parent")
        grandparent = aliased(entity, name="grandparent")
        base = self._news_base(q)
        stmt = (
            base.with_only_columns(
                news.c.id,
                news.c.author_id,
                news.c.comment_id,
                news.c.task_id,
                task.c.task_type_id,
                comment.c.task_status_id,
                task.c.entity_id.label("task_entity_id"),
                news.c.preview_file_id,
                preview_file.c.extension.label("preview_file_extension"),
                preview_file.c.revision.label("preview_file_revision"),
                project.c.id.label("project_id"),
                project.c.name.label("project_name"),
                news.c.created_at,
                news.c.change,
                entity.c.preview_file_id.label("entity_preview_file_id"),
                entity.c.name.label("entity_name"),
                entity.c.entity_type_id.label("entity_type_id"),
                entity.c.source_id.label("entity_source_id"),
                entity_type.c.name.label("entity_type_name"),
                parent.c.id.label("parent_id"),
                parent.c.name.label("parent_name"),
                parent.c.parent_id.label("parent_parent_id"),
                grandparent.c.id.label("grandparent_id"),
                grandparent.c.name.label("grandparent_name"),
                person.c.first_name.label("author_first_name"),
                person.c.last_name.label("author_last_name"),
                person.c.has_avatar.label("author_has_avatar"),
                person.c.role.label("author_role"),
            )
            .join(entity_type, entity_type.c.id == entity.c.entity_type_id, isouter=True)
            .join(parent, parent.c.id == entity.c.parent_id, isouter=True)
            .join(grandparent, grandparent.c.id == parent.c.parent_id, isouter=True)
            .join(person, person.c.id == news.c.author_id, isouter=True)
            .order_by(news.c.created_at.desc(), news.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    async def news_stats(self, q: NewsQuery) -> dict[str, int]:
        """Changes per task status (news joined to their comment)."""
        base = self._news_base(q, comment_outer=False)
        stmt = (
            base.with_only_columns(comment.c.task_status_id, func.count(entity.c.id))
            .where(news.c.change.is_(True))
            .group_by(comment.c.task_status_id)
        )
        rows = await self.session.execute(stmt)
        return {str(status_id): count for status_id, count in rows.all() if status_id is not None}

    async def preview_files_for(self, task_ids: list[str], revisions: list[int]) -> list[dict[str, Any]]:
        stmt = (
            select(
                preview_file.c.id,
                preview_file.c.task_id,
                preview_file.c.name,
                preview_file.c.extension,
                preview_file.c.revision,
                preview_file.c.position,
                preview_file.c.status,
            )
            .where(preview_file.c.task_id.in_(task_ids), preview_file.c.revision.in_(revisions))
            .order_by(preview_file.c.task_id, preview_file.c.revision, preview_file.c.position)
        )
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]
