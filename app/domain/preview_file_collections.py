"""Registry entries of the files area: `/data/preview-files`.

- list: anyone logged in; non-admins see the previews of the open projects they are on the
  team of (vendors: of the tasks assigned to them); `?project_id=` keeps one project's.
- get one: admins; vendors working on the task; other members of the project. The answer
  carries `comments` (the ids of the comments the preview hangs on).
- create: admins (Zou's default).
- update: project members who are managers, assignees of the task or supervisors of its
  department; a new revision of a main preview must be free, its extra previews follow.
- delete: served by `app/routers/preview_files.py` (it removes the stored files too).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.core.errors import WrongParameter
from app.domain import preview_files
from app.domain.collections import register
from app.domain.crud import Collection, CrudContext, Hooks
from app.domain.entity_tasks import is_valid_id
from app.domain.permissions import VENDOR, anyone
from app.repositories.crud import Relation
from app.repositories.preview_files import in_project_condition, visible_preview_condition
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.tasks import CommentPreviewLink

UPDATED = "preview_file_updated"


class PreviewFileHooks(Hooks):
    def list_scope(self, ctx: CrudContext) -> list[ColumnElement]:
        conditions: list[ColumnElement] = []
        project_id = ctx.params.get("project_id")
        if project_id is not None:
            if not is_valid_id(project_id):
                raise WrongParameter("Invalid project_id.")
            conditions.append(in_project_condition(project_id))
        if not ctx.caller.is_admin:
            conditions.append(visible_preview_condition(ctx.caller.id, ctx.caller.role == VENDOR))
        return conditions

    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        await preview_files.check_read(ctx.session, ctx.caller, row)

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        await preview_files.check_update(ctx.session, ctx.caller, row, data)
        ctx.state[UPDATED] = True
        return data

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        if mode == "write" and ctx.state.get(UPDATED):  # Zou answers an update without its relations
            return [{k: v for k, v in row.items() if k != "comments"} for row in rows]
        return rows


register(
    Collection(
        "preview-files",
        PreviewFile,
        "PreviewFile",
        read=anyone,
        update=anyone,
        relations=(Relation("comments", CommentPreviewLink.__table__, "preview_file", "comment"),),
        hooks=PreviewFileHooks(),
        routes=frozenset({"list", "create", "get", "update"}),
    )
)
