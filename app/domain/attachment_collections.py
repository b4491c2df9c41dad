"""Registry entries of the files area: `attachment-files`.

- listing and creating are for admins (Zou's generic resources); reading one attachment
  follows the comment's task access (or the chat's entity access), as Zou's `check_read_permissions`;
- every answer embeds the comment and the chat message the attachment hangs on, as Zou
  serializes the model's many-to-one relations;
- `DELETE /data/attachment-files/{id}` is served by `app/routers/attachments.py`, which also
  removes the stored files once the row is gone.
"""

from __future__ import annotations

from typing import Any

from app.domain import attachments
from app.domain.collections import register
from app.domain.crud import Collection, CrudContext, Hooks
from app.domain.permissions import Caller, Row, admin_only
from app.repositories.attachments import AttachmentRepository
from app.repositories.tables.files import AttachmentFile


def admin_list_or_row(caller: Caller, row: Row = None) -> bool:
    """Listing is for admins; reading one attachment is decided by `check_read`."""
    return caller.is_admin or row is not None


class AttachmentFileHooks(Hooks):
    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        if ctx.caller.is_admin:
            return
        context = await AttachmentRepository(ctx.session).access_context(str(row["id"]))
        await attachments.check_read(ctx.session, ctx.caller, context or row)

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        if not rows:
            return rows
        presented = await attachments.present_many(ctx.session, rows)
        # `?fields=` and relation lists added by the engine stay as they are.
        return [{**p, **{k: v for k, v in r.items() if k not in p}} for p, r in zip(presented, rows, strict=True)]


register(
    Collection(
        "attachment-files",
        AttachmentFile,
        attachments.TYPE,
        read=admin_list_or_row,
        create=admin_only,
        update=admin_only,
        delete=admin_only,
        hooks=AttachmentFileHooks(),
        routes=frozenset({"list", "create", "get", "update"}),
    )
)
