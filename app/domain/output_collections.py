"""Registry entries of the files area: output files and output types.

`/data/output-types` is a studio catalogue: anyone logged in reads it, admins write it.

`/data/output-files` follows Zou: vendors may not list; other non-admins list the files of
the entities of the open projects whose team they are on. Reading one needs access to its
entity's project (and, for a vendor, a task on the entity). Creating and deleting are for
admins; updating is for a manager of the project or a person assigned to a task of the
(temporal) entity. `quality` is one of low/mid/high. Events name the entity's project.
Rows come out with their source working file nested as `source_file`, as Zou serializes them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select

from app.core.errors import NotFound, PermissionDenied
from app.domain import output_files
from app.domain.collections import register
from app.domain.crud import Collection, CrudContext, Hooks
from app.domain.entity_tasks import OPEN_STATUS
from app.domain.permissions import VENDOR, anyone
from app.repositories.entity_tasks import open_team_projects
from app.repositories.tables.catalog import OutputType
from app.repositories.tables.entities import Entity
from app.repositories.tables.files import OutputFile

output_file = OutputFile.__table__
entity = Entity.__table__


class OutputFileHooks(Hooks):
    def list_scope(self, ctx: CrudContext) -> list[ColumnElement]:
        if ctx.caller.role == VENDOR:
            raise PermissionDenied()
        if ctx.caller.is_admin:
            return []
        projects = open_team_projects(ctx.caller.id, OPEN_STATUS)
        return [output_file.c.entity_id.in_(select(entity.c.id).where(entity.c.project_id.in_(projects)))]

    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        await output_files.check_read(ctx.session, ctx.caller, row)

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        return await output_files.add_sources(ctx.session, rows)

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        output_files.check_quality(data)
        project_id = await output_files.entity_project(ctx.session, data.get("entity_id"))
        if project_id is None:
            raise NotFound("Entity not found.")
        ctx.state["project_id"] = project_id
        return data

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        await output_files.check_update(ctx.session, ctx.caller, row)
        output_files.check_quality(data)
        return data

    async def event(self, ctx: CrudContext, action: str, row: dict[str, Any]) -> tuple[dict, str | None] | None:
        project_id = ctx.state.get("project_id")
        if project_id is None:
            project_id = await output_files.entity_project(ctx.session, row.get("entity_id"))
        return {"output_file_id": row["id"]}, project_id


register(
    Collection(
        "output-files",
        OutputFile,
        "OutputFile",
        update=anyone,
        hooks=OutputFileHooks(),
    )
)
register(Collection("output-types", OutputType, "OutputType"))
