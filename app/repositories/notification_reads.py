"""Reading and marking notifications: the user's inbox in one statement, project listings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import String

from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import EntityType
from app.repositories.tables.entities import Entity
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.people import Person
from app.repositories.tables.playlists import Playlist
from app.repositories.tables.projects import Project
from app.repositories.tables.tasks import (
    Comment,
    CommentDepartmentMentions,
    CommentMentions,
    CommentPreviewLink,
    Notification,
    Subscription,
    Task,
)

notification = Notification.__table__
subscription = Subscription.__table__
task = Task.__table__
project = Project.__table__
comment = Comment.__table__
person = Person.__table__
entity = Entity.__table__
entity_type = EntityType.__table__
playlist = Playlist.__table__
preview_link = CommentPreviewLink.__table__
preview_file = PreviewFile.__table__
mention = CommentMentions.__table__
department_mention = CommentDepartmentMentions.__table__

INBOX_SIZE = 100


@dataclass(slots=True)
class InboxFilters:
    """What narrows a person's notification listing (values already parsed)."""

    notification_id: str | None = None
    after: datetime | None = None
    before: datetime | None = None
    task_type_id: str | None = None
    task_status_id: str | None = None
    notification_type: str | None = None
    read: bool | None = None
    watching: bool | None = None


def _ids(link_column, where) -> Any:
    """The ids of a link table for one comment, as a text array (NULL when there is none)."""
    return select(func.array_agg(link_column.cast(String))).where(where).scalar_subquery()


class NotificationReadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def inbox(self, person_id: str, filters: InboxFilters) -> list[dict[str, Any]]:
        """The person's last notifications with everything they point at: task, project, comment
        (text, replies, mentions, first preview), the entity and its parents for the full name, the
        playlist. One statement, newest first."""
        author = person.alias("author")
        parent = entity.alias("parent")
        grandparent = entity.alias("grandparent")
        playlist_project = project.alias("playlist_project")
        first_preview = (
            select(preview_link.c.preview_file)
            .join(preview_file, preview_file.c.id == preview_link.c.preview_file)
            .where(preview_link.c.comment == comment.c.id)
            .order_by(preview_file.c.created_at, preview_file.c.id)
            .limit(1)
            .scalar_subquery()
        )
        source = (
            notification.join(author, author.c.id == notification.c.author_id)
            .outerjoin(task, task.c.id == notification.c.task_id)
            .outerjoin(project, project.c.id == task.c.project_id)
            .outerjoin(
                subscription,
                and_(subscription.c.task_id == task.c.id, subscription.c.person_id == person_id),
            )
            .outerjoin(comment, comment.c.id == notification.c.comment_id)
            .outerjoin(entity, entity.c.id == task.c.entity_id)
            .outerjoin(entity_type, entity_type.c.id == entity.c.entity_type_id)
            .outerjoin(parent, parent.c.id == entity.c.parent_id)
            .outerjoin(grandparent, grandparent.c.id == parent.c.parent_id)
            .outerjoin(playlist, playlist.c.id == notification.c.playlist_id)
            .outerjoin(playlist_project, playlist_project.c.id == playlist.c.project_id)
        )
        stmt = select(
            notification.c.id,
            notification.c.type,
            notification.c.author_id,
            notification.c.comment_id,
            notification.c.task_id,
            notification.c.reply_id,
            notification.c.playlist_id,
            notification.c.created_at,
            notification.c.read,
            notification.c.change,
            author.c.role.label("author_role"),
            project.c.id.label("project_id"),
            project.c.name.label("project_name"),
            task.c.task_type_id,
            comment.c.id.label("joined_comment_id"),
            comment.c.task_status_id,
            comment.c.text.label("comment_text"),
            comment.c.replies.label("comment_replies"),
            _ids(mention.c.person, mention.c.comment == comment.c.id).label("mentions"),
            _ids(department_mention.c.department, department_mention.c.comment == comment.c.id).label(
                "department_mentions"
            ),
            first_preview.label("preview_file_id"),
            subscription.c.id.label("subscription_id"),
            entity.c.id.label("entity_id"),
            entity.c.name.label("entity_name"),
            entity.c.entity_type_id,
            entity.c.source_id.label("entity_source_id"),
            entity.c.preview_file_id.label("entity_preview_file_id"),
            entity_type.c.name.label("entity_type_name"),
            parent.c.id.label("parent_id"),
            parent.c.name.label("parent_name"),
            parent.c.parent_id.label("parent_parent_id"),
            grandparent.c.id.label("grandparent_id"),
            grandparent.c.name.label("grandparent_name"),
            playlist.c.name.label("playlist_name"),
            playlist.c.episode_id.label("playlist_episode_id"),
            playlist.c.project_id.label("playlist_project_id"),
            playlist.c.for_entity.label("playlist_for_entity"),
            playlist.c.is_for_all.label("playlist_is_for_all"),
            playlist_project.c.name.label("playlist_project_name"),
        ).select_from(source)
        stmt = stmt.where(notification.c.person_id == person_id, *self._conditions(filters))
        stmt = stmt.order_by(notification.c.created_at.desc(), notification.c.id).limit(INBOX_SIZE)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    @staticmethod
    def _conditions(f: InboxFilters) -> list[Any]:
        conditions: list[Any] = []
        if f.notification_id is not None:
            conditions.append(notification.c.id == f.notification_id)
        if f.after is not None:
            conditions.append(notification.c.created_at > f.after)
        if f.before is not None:
            conditions.append(notification.c.created_at < f.before)
        if f.task_type_id is not None:
            conditions.append(task.c.task_type_id == f.task_type_id)
        if f.task_status_id is not None:
            conditions.append(task.c.task_status_id == f.task_status_id)
        if f.notification_type is not None:
            conditions.append(notification.c.type == f.notification_type)
        if f.read is not None:
            conditions.append(notification.c.read.is_(f.read))
        if f.watching is not None:
            conditions.append(subscription.c.id.isnot(None) if f.watching else subscription.c.id.is_(None))
        return conditions

    async def set_read(self, notification_id: str, person_id: str, read: bool) -> dict[str, Any] | None:
        """Mark one of the person's notifications; None when the person has no such notification."""
        stmt = (
            update(notification)
            .where(notification.c.id == notification_id, notification.c.person_id == person_id)
            .values(read=read, updated_at=utc_now())
            .returning(notification)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else dict(row)

    async def mark_all_read(self, person_id: str) -> None:
        await self.session.execute(
            update(notification)
            .where(notification.c.person_id == person_id, notification.c.read.is_(False))
            .values(read=True)
        )

    async def types_of(self, notification_ids: list[str]) -> dict[str, str]:
        stmt = select(notification.c.id, notification.c.type).where(notification.c.id.in_(notification_ids))
        return {r[0]: r[1] for r in (await self.session.execute(stmt)).all()}

    def _of_project(self, project_id: str):
        return task.c.project_id == project_id

    async def count_for_project(self, project_id: str) -> int:
        stmt = select(func.count()).select_from(notification.join(task, task.c.id == notification.c.task_id))
        return (await self.session.execute(stmt.where(self._of_project(project_id)))).scalar_one()

    async def for_project(self, project_id: str, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Notifications on the project's tasks, last updated first."""
        stmt = (
            select(notification)
            .select_from(notification.join(task, task.c.id == notification.c.task_id))
            .where(self._of_project(project_id))
            .order_by(notification.c.updated_at.desc(), notification.c.created_at.desc(), notification.c.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]
