"""CRUD rules for the studio catalogues: organisation, task types, task statuses, entity types."""

from __future__ import annotations

from typing import Any

from app.core.errors import WrongParameter
from app.domain.crud import CrudContext, Hooks
from app.repositories.catalog import CatalogRepository

ORGANISATION_PRIVATE = frozenset({"chat_token_slack", "chat_webhook_mattermost", "chat_token_discord"})


class OrganisationHooks(Hooks):
    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if ctx.caller.is_admin:
            return rows
        return [{k: v for k, v in row.items() if k not in ORGANISATION_PRIVATE} for row in rows]


class TaskStatusHooks(Hooks):
    """Only one task status may be the default one."""

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("is_default"):
            await CatalogRepository(ctx.session).clear_default_task_status()
        return data

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        if data.get("is_default"):
            await CatalogRepository(ctx.session).clear_default_task_status(except_id=row["id"])
        return data


class TaskTypeHooks(Hooks):
    async def before_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        repo = CatalogRepository(ctx.session)
        if ctx.flag("force"):
            await repo.detach_task_type(row["id"])
            return
        blockers = await repo.task_type_usage(row["id"])
        if blockers:
            raise WrongParameter(f"This task type is still used by {', '.join(blockers)}. Use force=true to delete it.")


class EntityTypeHooks(Hooks):
    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        if await CatalogRepository(ctx.session).entity_type_named(data["name"]):
            raise WrongParameter("Entity type with this name already exists.")
        return data
