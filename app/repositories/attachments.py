"""Attachment files: rows tied to comments (or chat messages), their access context, listings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.entities import Entity
from app.repositories.tables.files import AttachmentFile
from app.repositories.tables.tasks import Chat, ChatMessage, Comment, Task

attachment = AttachmentFile.__table__
comment = Comment.__table__
chat = Chat.__table__
chat_message = ChatMessage.__table__
task = Task.__table__
entity = Entity.__table__


class AttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, stmt) -> list[dict[str, Any]]:
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    async def _one(self, stmt) -> dict[str, Any] | None:
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else dict(row)

    async def get(self, attachment_id: str) -> dict[str, Any] | None:
        return await self._one(select(attachment).where(attachment.c.id == attachment_id))

    async def access_context(self, attachment_id: str) -> dict[str, Any] | None:
        """The attachment with what its read check needs, in one statement: the task of its comment
        (`task_id`), or the entity and project of its chat message (`chat_entity_id`, `chat_project_id`)."""
        stmt = (
            select(
                attachment,
                comment.c.object_id.label("task_id"),
                chat.c.object_id.label("chat_entity_id"),
                entity.c.project_id.label("chat_project_id"),
            )
            .outerjoin(comment, comment.c.id == attachment.c.comment_id)
            .outerjoin(chat_message, chat_message.c.id == attachment.c.chat_message_id)
            .outerjoin(chat, chat.c.id == chat_message.c.chat_id)
            .outerjoin(entity, entity.c.id == chat.c.object_id)
            .where(attachment.c.id == attachment_id)
        )
        return await self._one(stmt)

    async def comment(self, comment_id: str) -> dict[str, Any] | None:
        return await self._one(select(comment).where(comment.c.id == comment_id))

    async def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        if not rows:
            return []
        return await self._all(insert(attachment).values(list(rows)).returning(attachment))

    async def delete(self, attachment_id: str) -> None:
        await self.session.execute(delete(attachment).where(attachment.c.id == attachment_id))

    async def for_task(self, task_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(attachment)
            .join(comment, comment.c.id == attachment.c.comment_id)
            .where(comment.c.object_id == task_id)
            .order_by(attachment.c.created_at, attachment.c.id)
        )
        return await self._all(stmt)

    async def for_project(self, project_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(attachment)
            .join(comment, comment.c.id == attachment.c.comment_id)
            .join(task, task.c.id == comment.c.object_id)
            .where(task.c.project_id == project_id)
            .order_by(attachment.c.created_at, attachment.c.id)
        )
        return await self._all(stmt)

    async def comments(self, comment_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not comment_ids:
            return {}
        rows = await self._all(select(comment).where(comment.c.id.in_(list(set(comment_ids)))))
        return {str(r["id"]): r for r in rows}

    async def chat_messages(self, message_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not message_ids:
            return {}
        rows = await self._all(select(chat_message).where(chat_message.c.id.in_(list(set(message_ids)))))
        return {str(r["id"]): r for r in rows}
