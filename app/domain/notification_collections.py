"""Registry entries of notifications and subscriptions (admin-only, as Zou's generic resources).

A notification has a `type` column (comment, mention, assignation...): Zou answers it as
`notification_type`, after the base columns, while `type` holds the model name.
"""

from __future__ import annotations

from typing import Any

from app.domain.collections import register
from app.domain.crud import Collection, CrudContext, Hooks
from app.domain.permissions import admin_only
from app.repositories.notification_reads import NotificationReadRepository
from app.repositories.tables.tasks import Notification, Subscription


class NotificationHooks(Hooks):
    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        """The engine has replaced the `type` column by the model name: read the column back (one query)."""
        if not rows:
            return rows
        kinds = await NotificationReadRepository(ctx.session).types_of([r["id"] for r in rows])
        for row in rows:
            row["notification_type"] = kinds.get(row["id"])
        return rows


register(
    Collection(
        "notifications",
        Notification,
        "Notification",
        read=admin_only,
        create=admin_only,
        update=admin_only,
        delete=admin_only,
        hooks=NotificationHooks(),
    )
)
register(
    Collection(
        "subscriptions",
        Subscription,
        "Subscription",
        read=admin_only,
        create=admin_only,
        update=admin_only,
        delete=admin_only,
    )
)
