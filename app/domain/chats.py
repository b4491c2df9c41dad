"""Entity chats: one chat per entity, joined by the people who want to talk in it.

Reading or writing a chat needs Zou's project access on the entity's project (vendors
also need a task assigned on the entity). Only participants may post; a message is
deleted by its author or an admin. Zou sends the chat events to listeners without
storing them (`persist=False`), and so do we.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.domain import events, stored_files
from app.domain.access import require_entity_access, require_member
from app.domain.entity_kinds import entity_kinds
from app.domain.permissions import Caller
from app.repositories.chats import ChatRepository

ENTITY_NOT_FOUND = "Entity not found."
MESSAGE_NOT_FOUND = "Chat message not found."
NOT_PARTICIPANT = "You are not a participant of this chat"


def present_chat(row: dict[str, Any], *, participants: bool = True) -> dict[str, Any]:
    data = {**row, "type": "Chat"}
    if not participants:
        data.pop("participants", None)
    return data


def present_message(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "type": "ChatMessage"}


async def _entity_chat(session: AsyncSession, caller: Caller, entity_id: str) -> tuple[ChatRepository, dict[str, Any]]:
    """The entity's chat once the caller's access to the entity is checked."""
    repo = ChatRepository(session)
    entity = await repo.entity(entity_id)
    if entity is None:
        raise NotFound(ENTITY_NOT_FOUND)
    scope = await require_member(session, caller, entity["project_id"])
    await require_entity_access(session, scope, entity_id)
    return repo, await repo.chat_of(entity_id)


async def get_chat(session: AsyncSession, caller: Caller, entity_id: str) -> dict[str, Any]:
    _, chat = await _entity_chat(session, caller, entity_id)
    # Zou looks the messages up by the entity id instead of the chat id: the list is always empty.
    return {**present_chat(chat), "messages": []}


async def list_messages(session: AsyncSession, caller: Caller, entity_id: str) -> list[dict[str, Any]]:
    repo, chat = await _entity_chat(session, caller, entity_id)
    return [present_message(m) for m in await repo.messages(chat["id"])]


async def post_message(session: AsyncSession, caller: Caller, entity_id: str, text: str) -> dict[str, Any]:
    repo, chat = await _entity_chat(session, caller, entity_id)
    if caller.id not in chat["participants"]:
        raise WrongParameter(NOT_PARTICIPANT)
    row = await repo.add_message(chat["id"], caller.id, text)
    events.publish_only(
        session,
        "chat:new-message",
        {"chat_id": chat["id"], "chat_message_id": row["id"], "last_message": row["created_at"]},
        user_id=caller.id,
    )
    return present_message(row)


async def _message_of(repo: ChatRepository, chat: dict[str, Any], chat_message_id: str) -> dict[str, Any]:
    row = await repo.message(chat_message_id)
    if row is None:
        raise NotFound(MESSAGE_NOT_FOUND)
    if row["chat_id"] != chat["id"]:
        raise PermissionDenied()
    return row


async def get_message(session: AsyncSession, caller: Caller, entity_id: str, chat_message_id: str) -> dict[str, Any]:
    repo, chat = await _entity_chat(session, caller, entity_id)
    return present_message(await _message_of(repo, chat, chat_message_id))


async def delete_message(session: AsyncSession, caller: Caller, entity_id: str, chat_message_id: str) -> None:
    repo, chat = await _entity_chat(session, caller, entity_id)
    row = await _message_of(repo, chat, chat_message_id)
    if row["person_id"] != caller.id and not caller.is_admin:
        raise PermissionDenied()
    for attachment_id in await repo.delete_message(chat_message_id):
        stored_files.discard_many(session, stored_files.attachment_keys(attachment_id))
    events.publish_only(
        session, "chat:deleted-message", {"chat_id": chat["id"], "chat_message_id": chat_message_id}, user_id=caller.id
    )


async def join(session: AsyncSession, caller: Caller, entity_id: str) -> dict[str, Any]:
    repo, chat = await _entity_chat(session, caller, entity_id)
    await repo.add_participant(chat["id"], caller.id)
    events.publish_only(session, "chat:joined", {"chat_id": chat["id"], "person_id": caller.id}, user_id=caller.id)
    return present_chat(chat, participants=False)


async def leave(session: AsyncSession, caller: Caller, entity_id: str) -> None:
    repo, chat = await _entity_chat(session, caller, entity_id)
    await repo.remove_participant(chat["id"], caller.id)
    events.publish_only(session, "chat:left", {"chat_id": chat["id"], "person_id": caller.id}, user_id=caller.id)


def _entity_name(row: dict[str, Any], kind: str | None) -> str:
    """Zou's full entity name: "[Episode / ]Sequence / Shot", "[Episode / ]Sequence", "Episode"
    or "Asset type / Asset" for anything else."""
    name = row["entity_name"]
    if kind == "Shot":
        parts = [row["grand_name"], row["parent_name"], name]
    elif kind == "Episode":
        parts = [name]
    elif kind == "Sequence":
        parts = [row["parent_name"], name]
    else:
        parts = [row["entity_type_name"], name]
    return " / ".join(p for p in parts if p is not None)


async def my_chats(session: AsyncSession, caller: Caller) -> list[dict[str, Any]]:
    kinds = await entity_kinds(session)
    rows = await ChatRepository(session).chats_of_person(caller.id)
    return [
        {
            "id": row["id"],
            "object_id": row["object_id"],
            "last_message": row["last_message"],
            "entity_name": _entity_name(row, kinds.kind_of(row["entity_type_id"])),
            "project_id": row["project_id"],
            "preview_file_id": row["preview_file_id"],
        }
        for row in rows
    ]
