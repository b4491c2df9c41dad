"""CRUD registry entries of entity chats (admin-only, as Zou's generic resources)."""

from __future__ import annotations

from typing import Any

from app.domain.collections import register
from app.domain.crud import Collection, CrudContext, Hooks
from app.domain.permissions import admin_only
from app.repositories.crud import Relation
from app.repositories.tables import tasks


class ChatMessageHooks(Hooks):
    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        """A single message lists its attachment ids (Zou serializes relations for one row)."""
        if mode != "get" or not rows:
            return rows
        from app.repositories.chats import ChatRepository

        found = await ChatRepository(ctx.session).message(rows[0]["id"])
        ids = [a["id"] for a in (found or {}).get("attachment_files") or []]
        return [{**rows[0], "attachment_files": ids}]


register(
    Collection(
        "chats",
        tasks.Chat,
        "Chat",
        read=admin_only,
        relations=(Relation("participants", tasks.ChatParticipant.__table__, "chat_id", "person_id"),),
    )
)
register(Collection("chat-messages", tasks.ChatMessage, "ChatMessage", read=admin_only, hooks=ChatMessageHooks()))
