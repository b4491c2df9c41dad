"""Queries behind reading a task's comments, their replies and acknowledgements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, cast, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB, array
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import TaskStatus
from app.repositories.tables.files import AttachmentFile, PreviewFile
from app.repositories.tables.people import Person
from app.repositories.tables.projects import Project, ProjectPersonLink
from app.repositories.tables.tasks import (
    Comment,
    CommentAcknoledgments,
    CommentDepartmentMentions,
    CommentMentions,
    CommentPreviewLink,
    Notification,
    Task,
)

comment = Comment.__table__
acks = CommentAcknoledgments.__table__
mentions = CommentMentions.__table__
department_mentions = CommentDepartmentMentions.__table__
preview_link = CommentPreviewLink.__table__
preview = PreviewFile.__table__
attachment = AttachmentFile.__table__
notification = Notification.__table__
person = Person.__table__
editor = aliased(Person.__table__, name="editor")
team = ProjectPersonLink.__table__
task_status = TaskStatus.__table__
task = Task.__table__
project = Project.__table__

COMMENT_COLUMNS = (
    "shotgun_id",
    "object_id",
    "object_type",
    "text",
    "data",
    "replies",
    "checklist",
    "pinned",
    "for_client",
    "links",
    "task_status_id",
    "person_id",
    "editor_id",
    "preview_file_id",
    "id",
    "created_at",
    "updated_at",
)
"""Zou's serialization order of a comment's columns."""


def _ids(table, value_column: str):
    """Correlated subquery: the ids a link table holds for the outer comment, as text[]."""
    return (
        select(func.coalesce(func.array_agg(cast(table.c[value_column], String)), array([], type_=String)))
        .where(table.c.comment == comment.c.id)
        .scalar_subquery()
    )


def _relation_ids() -> list:
    return [
        _ids(preview_link, "preview_file").label("previews"),
        _ids(mentions, "person").label("mentions"),
        _ids(department_mentions, "department").label("department_mentions"),
        _ids(acks, "person").label("acknowledgements"),
        select(func.coalesce(func.array_agg(cast(attachment.c.id, String)), array([], type_=String)))
        .where(attachment.c.comment_id == comment.c.id)
        .scalar_subquery()
        .label("attachment_files"),
    ]


_SHORT_PERSON = (
    person.c.id,
    person.c.first_name,
    person.c.last_name,
    person.c.has_avatar,
    person.c.role,
)


class CommentThreadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- one comment ----------------------------------------------------

    async def get(self, comment_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        stmt = select(comment).where(comment.c.id == comment_id)
        if lock:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def get_with_relations(self, comment_id: str) -> dict[str, Any] | None:
        """The comment plus the id lists of its previews, mentions, department mentions,
        acknowledgements and attachment files (one query)."""
        stmt = select(comment, *_relation_ids()).where(comment.c.id == comment_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def toggle_acknowledgement(self, comment_id: str, person_id: str) -> bool:
        """Add the person to the comment's acknowledgements, or remove them when already
        there; answers True when the comment is now acknowledged by them."""
        removed = await self.session.execute(
            delete(acks).where(acks.c.comment == comment_id, acks.c.person == person_id).returning(acks.c.person)
        )
        if removed.first() is not None:
            acknowledged = False
        else:
            await self.session.execute(insert(acks).values(comment=comment_id, person=person_id))
            acknowledged = True
        await self.touch(comment_id)
        return acknowledged

    async def touch(self, comment_id: str) -> None:
        await self.session.execute(update(comment).where(comment.c.id == comment_id).values(updated_at=utc_now()))

    async def set_replies(self, comment_id: str, replies: list[dict[str, Any]]) -> dict[str, Any]:
        stmt = (
            update(comment)
            .where(comment.c.id == comment_id)
            .values(replies=cast(replies, JSONB), updated_at=utc_now())
            .returning(comment)
        )
        return dict((await self.session.execute(stmt)).mappings().one())

    async def delete_reply_traces(self, comment_id: str, reply_id: str) -> list[str]:
        """Remove the attachment files and the notifications of a reply (`reply_id` a well-formed id);
        answers the ids of the attachment files removed."""
        removed = await self.session.execute(
            delete(attachment)
            .where(attachment.c.comment_id == comment_id, attachment.c.reply_id == reply_id)
            .returning(attachment.c.id)
        )
        await self.session.execute(delete(notification).where(notification.c.reply_id == reply_id))
        return [str(attachment_id) for attachment_id in removed.scalars()]

    async def person_studio(self, person_id: str) -> str | None:
        stmt = select(person.c.studio_id).where(person.c.id == person_id)
        return (await self.session.execute(stmt)).scalar()

    async def short_persons(self, person_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Minimal author dicts (id, names, avatar flag, role) by id (well-formed ids), in one query."""
        if not person_ids:
            return {}
        stmt = select(*_SHORT_PERSON).where(person.c.id.in_(list(person_ids)))
        return {str(r["id"]): dict(r) for r in (await self.session.execute(stmt)).mappings()}

    # --- a task's thread ------------------------------------------------

    async def task_comments(self, task_id: str, project_id: str, *, hide_client_authors: bool) -> list[dict[str, Any]]:
        """The task's comments, newest first, with their author, editor and status (comments
        without a status are left out), plus the id lists of their acknowledgements, mentions
        and department mentions. `hide_client_authors` leaves out the comments written by
        people whose role on the project is client."""
        stmt = (
            select(
                comment,
                person.c.first_name.label("person_first_name"),
                person.c.last_name.label("person_last_name"),
                person.c.has_avatar.label("person_has_avatar"),
                person.c.role.label("person_role"),
                editor.c.first_name.label("editor_first_name"),
                editor.c.last_name.label("editor_last_name"),
                editor.c.has_avatar.label("editor_has_avatar"),
                editor.c.role.label("editor_role"),
                task_status.c.name.label("task_status_name"),
                task_status.c.short_name.label("task_status_short_name"),
                task_status.c.color.label("task_status_color"),
                _ids(acks, "person").label("acknowledgements"),
                _ids(mentions, "person").label("mentions"),
                _ids(department_mentions, "department").label("department_mentions"),
            )
            .join(person, person.c.id == comment.c.person_id)
            .join(task_status, task_status.c.id == comment.c.task_status_id)
            .outerjoin(editor, editor.c.id == comment.c.editor_id)
            .where(comment.c.object_id == task_id)
            .order_by(comment.c.created_at.desc())
        )
        if hide_client_authors:
            stmt = stmt.outerjoin(team, (team.c.person_id == person.c.id) & (team.c.project_id == project_id)).where(
                func.coalesce(team.c.role, person.c.role) != "client"
            )
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    async def previews_for(self, comment_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The preview files attached to the comments, each with its `comment_id`."""
        stmt = (
            select(
                cast(preview_link.c.comment, String).label("comment_id"),
                preview.c.id,
                preview.c.task_id,
                preview.c.revision,
                preview.c.extension,
                preview.c.width,
                preview.c.height,
                preview.c.duration,
                preview.c.status,
                preview.c.validation_status,
                preview.c.original_name,
                preview.c.position,
                preview.c.annotations,
            )
            .join(preview, preview.c.id == preview_link.c.preview_file)
            .where(preview_link.c.comment.in_(list(comment_ids)))
        )
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    async def attachments_for(self, comment_ids: Sequence[str]) -> list[dict[str, Any]]:
        stmt = select(
            attachment.c.comment_id,
            attachment.c.id,
            attachment.c.name,
            attachment.c.extension,
            attachment.c.reply_id,
            attachment.c.size,
        ).where(attachment.c.comment_id.in_(list(comment_ids)))
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    async def clients_isolated(self, project_id: str) -> bool:
        stmt = select(project.c.is_clients_isolated).where(project.c.id == project_id)
        return bool((await self.session.execute(stmt)).scalar())

    # --- a project's comments -------------------------------------------

    def _project_query(self, project_id: str):
        return comment.join(task, task.c.id == comment.c.object_id), task.c.project_id == project_id

    async def project_count(self, project_id: str) -> int:
        joined, condition = self._project_query(project_id)
        stmt = select(func.count()).select_from(joined).where(condition)
        return int((await self.session.execute(stmt)).scalar_one())

    async def project_comments(
        self, project_id: str, *, limit: int | None = None, offset: int = 0
    ) -> list[dict[str, Any]]:
        """The project's task comments, last updated first, with their relation id lists."""
        joined, condition = self._project_query(project_id)
        stmt = (
            select(comment, *_relation_ids())
            .select_from(joined)
            .where(condition)
            .order_by(comment.c.updated_at.desc(), comment.c.created_at.desc(), comment.c.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]
