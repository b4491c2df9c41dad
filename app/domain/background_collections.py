"""Registry entries of the files area: the preview background files catalogue.

Anyone logged in reads the catalogue (the review player lists it); admins write it. Names are
unique, one background at most is the studio default, a background a production or a template
still uses cannot be deleted, and deleting one removes its stored files once committed.
"""

from __future__ import annotations

from typing import Any

from app.domain import pictures
from app.domain.collections import register
from app.domain.crud import Collection, CrudContext, Hooks
from app.repositories.pictures import PictureRepository
from app.repositories.tables.catalog import PreviewBackgroundFile


class PreviewBackgroundFileHooks(Hooks):
    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        await pictures.check_background_name(ctx.session, data.get("name"))
        if data.get("is_default"):
            await PictureRepository(ctx.session).clear_default_backgrounds()
        return data

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        if data.get("name") is not None:
            await pictures.check_background_name(ctx.session, data["name"], except_id=row["id"])
        if data.get("is_default", row.get("is_default")):
            await PictureRepository(ctx.session).clear_default_backgrounds(except_id=row["id"])
        return data

    async def before_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        await pictures.check_background_unused(ctx.session, row["id"])

    async def after_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        pictures.discard_background_files(ctx.session, row["id"])


register(
    Collection(
        "preview-background-files",
        PreviewBackgroundFile,
        "PreviewBackgroundFile",
        hooks=PreviewBackgroundFileHooks(),
    )
)
