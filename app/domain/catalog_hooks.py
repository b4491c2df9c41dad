"""CRUD rules for the studio catalogues: organisation, task types, task statuses, entity types."""

from __future__ import annotations

from typing import Any

from app.core.errors import WrongParameter
from app.domain.crud import CrudContext, Hooks
from app.repositories.catalog import CatalogRepository

ORGANISATION_PRIVATE = frozenset({"chat_token_slack", "chat_webhook_mattermost", "chat_token_discord"})


class OrganisationHooks(Hooks):
    def filterable(self, ctx: CrudContext, collection) -> frozenset[str] | None:
        return None if ctx.caller.is_admin else collection.column_names - ORGANISATION_PRIVATE

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        if "hours_by_day" in data and data["hours_by_day"] is None:
            raise WrongParameter("hours_by_day must be a number.")
        return data

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
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
    """Task type names are unique whatever their case, across entities and departments."""

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        if await CatalogRepository(ctx.session).task_type_named(data["name"]):
            raise WrongParameter("A task type with similar name already exists")
        return data

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        name = data.get("name")
        if name is not None and name != row["name"]:
            if await CatalogRepository(ctx.session).task_type_named(name, except_id=row["id"]):
                raise WrongParameter("A task type with similar name already exists")
        return data

    async def before_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        repo = CatalogRepository(ctx.session)
        if ctx.flag("force"):
            await repo.detach_task_type(row["id"])
            return
        blockers = await repo.task_type_usage(row["id"])
        if blockers:
            raise WrongParameter(
                f"Task type is attached to {' and '.join(blockers)}. Re-issue the request with force=true to detach."
            )


class EntityTypeHooks(Hooks):
    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        if await CatalogRepository(ctx.session).entity_type_named(data["name"]):
            raise WrongParameter("Entity type with this name already exists.")
        return data
