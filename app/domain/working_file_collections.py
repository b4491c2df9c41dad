"""Registry entry of working files (`/data/working-files`).

As the reference: anyone but vendors lists them (non-admins only those of their team's
projects); reading one needs access to its task and shows its `outputs`; updating one needs
action access on its task; creating and deleting are for admins. `validation_status` is one
of validated, rejected, neutral. Deleting one removes its stored file once committed.
"""

from __future__ import annotations

from typing import Any

from app.core.errors import PermissionDenied
from app.domain import stored_files, working_files
from app.domain.collections import register
from app.domain.crud import Collection, CrudContext, Hooks
from app.domain.permissions import VENDOR, admin_only, anyone
from app.repositories.tables import files
from app.repositories.working_files import team_working_files


class WorkingFileHooks(Hooks):
    def list_scope(self, ctx: CrudContext) -> list[Any]:
        if ctx.caller.role == VENDOR:
            raise PermissionDenied()
        return [] if ctx.caller.is_admin else [team_working_files(ctx.caller.id)]

    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        await working_files.check_read(ctx.session, ctx.caller, row)

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        """One working file read or created carries its `outputs` (the reference serializes
        relations there); lists and updates do not."""
        if mode == "get" or (mode == "write" and ctx.state.get("created")):
            return await working_files.present_with_outputs(ctx.session, [_row(r) for r in rows])
        return rows

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        working_files.check_validation_status(data)
        return data

    async def after_create(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        ctx.state["created"] = True

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        await working_files.check_action(ctx.session, ctx.caller, row)
        working_files.check_validation_status(data)
        return data

    async def after_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        stored_files.discard_many(ctx.session, stored_files.working_file_keys(row["id"]))


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "type"}


register(
    Collection(
        "working-files",
        files.WorkingFile,
        "WorkingFile",
        read=anyone,
        create=admin_only,
        update=anyone,
        delete=admin_only,
        hooks=WorkingFileHooks(),
    )
)
