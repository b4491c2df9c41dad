"""Entity chats: the chat row of an entity, its participants and its messages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import EntityType, ProjectStatus
from app.repositories.tables.entities import Entity
from app.repositories.tables.files import AttachmentFile
from app.repositories.tables.projects import Project
from app.repositories.tables.tasks import Chat, ChatMessage, ChatParticipant

chat = Chat.__table__
message = ChatMessage.__table__
participant = ChatParticipant.__table__
attachment = AttachmentFile.__table__
entity = Entity.__table__
entity_type = EntityType.__table__
project = Project.__table__
project_status = ProjectStatus.__table__

OPEN_STATUS = "Open"


def _attachments_subquery():
    """The light attachment list of a message, as a JSON array (one per message row)."""
    return (
        select(
            func.coalesce(
                func.json_agg(
                    func.json_build_object(
                        "id", attachment.c.id, "name", attachment.c.name, "extension", attachment.c.extension
                    )
                ),
                func.json_build_array(),
            )
        )
        .where(attachment.c.chat_message_id == message.c.id)
        .scalar_subquery()
    )


class ChatRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def entity(self, entity_id: str) -> dict[str, Any] | None:
        row = (
            (await self.session.execute(select(entity.c.id, entity.c.project_id).where(entity.c.id == entity_id)))
            .mappings()
            .first()
        )
        return dict(row) if row else None

    async def chat_of(self, entity_id: str) -> dict[str, Any]:
        """The entity's chat with its participant ids, created on first use (as Zou does)."""
        row = (await self.session.execute(select(chat).where(chat.c.object_id == entity_id))).mappings().first()
        if row is None:
            row = (
                (await self.session.execute(insert(chat).values(object_id=entity_id).returning(*chat.c)))
                .mappings()
                .one()
            )
        found = dict(row)
        ids = await self.session.execute(
            select(participant.c.person_id)
            .where(participant.c.chat_id == found["id"])
            .order_by(participant.c.person_id)
        )
        found["participants"] = [str(i) for i in ids.scalars()]
        return found

    async def add_participant(self, chat_id: str, person_id: str) -> None:
        await self.session.execute(
            insert(participant).values(chat_id=chat_id, person_id=person_id).on_conflict_do_nothing()
        )

    async def remove_participant(self, chat_id: str, person_id: str) -> None:
        await self.session.execute(
            delete(participant).where(participant.c.chat_id == chat_id, participant.c.person_id == person_id)
        )

    async def messages(self, chat_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(message, _attachments_subquery().label("attachment_files"))
            .where(message.c.chat_id == chat_id)
            .order_by(message.c.created_at, message.c.id)
        )
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    async def message(self, chat_message_id: str) -> dict[str, Any] | None:
        stmt = select(message, _attachments_subquery().label("attachment_files")).where(message.c.id == chat_message_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def add_message(self, chat_id: str, person_id: str, text: str) -> dict[str, Any]:
        row = (
            (
                await self.session.execute(
                    insert(message).values(chat_id=chat_id, person_id=person_id, text=text).returning(*message.c)
                )
            )
            .mappings()
            .one()
        )
        await self.session.execute(
            update(chat).where(chat.c.id == chat_id).values(last_message=row["created_at"], updated_at=utc_now())
        )
        return dict(row)

    async def delete_message(self, chat_message_id: str) -> list[str]:
        """Delete the message and its attachment files; answers the ids of those files."""
        removed = await self.session.execute(
            delete(attachment).where(attachment.c.chat_message_id == chat_message_id).returning(attachment.c.id)
        )
        await self.session.execute(delete(message).where(message.c.id == chat_message_id))
        return [str(attachment_id) for attachment_id in removed.scalars()]

    async def chats_of_person(self, person_id: str) -> list[dict[str, Any]]:
        """Chats the person takes part in on open projects, with what names their entity."""
        parent = entity.alias("parent")
        grand = entity.alias("grand")
        stmt = (
            select(
                chat.c.id,
                chat.c.object_id,
                chat.c.last_message,
                entity.c.project_id,
                entity.c.preview_file_id,
                entity.c.name.label("entity_name"),
                entity.c.entity_type_id,
                entity_type.c.name.label("entity_type_name"),
                parent.c.name.label("parent_name"),
                grand.c.name.label("grand_name"),
            )
            .join(participant, participant.c.chat_id == chat.c.id)
            .join(entity, entity.c.id == chat.c.object_id)
            .join(entity_type, entity_type.c.id == entity.c.entity_type_id)
            .join(project, project.c.id == entity.c.project_id)
            .join(project_status, project_status.c.id == project.c.project_status_id)
            .outerjoin(parent, parent.c.id == entity.c.parent_id)
            .outerjoin(grand, grand.c.id == parent.c.parent_id)
            .where(participant.c.person_id == person_id, project_status.c.name == OPEN_STATUS)
            .order_by(chat.c.created_at, chat.c.id)
        )
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]
