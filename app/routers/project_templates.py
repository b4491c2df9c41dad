"""Project templates: writes, links, descriptor snapshot, reorder, from-project and apply-template.

Reads of the templates themselves (`GET /data/project-templates[/{id}]`) come from the CRUD
registry (`app/domain/template_collections.py`).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from app.core.responses import JSONResponse
from app.domain import project_templates as templates
from app.routers.bodies import json_or_args, read_body, validate
from app.routers.catalog import admin_first, json_or_none
from app.routers.deps import CurrentUser, DbSession
from app.schemas.catalog import request_body
from app.schemas.projects import AssetTypeBody, Schema, StatusAutomationBody, TaskTypeBody

router = APIRouter(tags=["project-templates"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id or invalid body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
    404: {"description": "Unknown project template or project"},
}
ADMIN = [Depends(admin_first)]


class AddTaskStatusBody(Schema):
    task_status_id: str = Field(..., min_length=1, description="Task status UUID")
    priority: int | None = None
    roles_for_board: list[str] = Field(default_factory=list)
    is_client_allowed: bool | None = None


class ReorderTaskTypesBody(Schema):
    task_type_ids: list[str]


class ReorderTaskStatusesBody(Schema):
    task_status_ids: list[str]


class MetadataDescriptorsBody(Schema):
    metadata_descriptors: list[Any] | None = None


class FromProjectBody(Schema):
    name: str = Field(..., min_length=1, description="Template name")
    description: str | None = None


class TemplateBody(Schema):
    """Documentation only: the body is read loosely (unknown fields are ignored)."""

    name: str
    description: str | None = None


async def loose_body(request: Request) -> dict[str, Any]:
    """Zou's `request.json or {}`: anything but a JSON object counts as empty."""
    payload = await json_or_none(request)
    return payload if isinstance(payload, dict) else {}


# --- templates -------------------------------------------------------------------------------------


async def create_template(request: Request, session: DbSession, caller: CurrentUser) -> Response:
    row = await templates.create_template(session, caller, await loose_body(request))
    return JSONResponse(row, status_code=201)


for _path, _shown in (("/data/project-templates", True), ("/data/project-templates/", False)):
    router.add_api_route(
        _path,
        create_template,
        methods=["POST"],
        summary="Create project template",
        status_code=201,
        responses=ERRORS,
        include_in_schema=_shown,
        openapi_extra=request_body(TemplateBody),
    )


@router.post(
    "/data/project-templates/from-project/{project_id}",
    summary="Create a new project template from an existing project's",
    status_code=201,
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=request_body(FromProjectBody),
)
async def from_project(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, FromProjectBody)
    row = await templates.create_from_project(session, caller, str(project_id), body.name, body.description)
    return JSONResponse(row, status_code=201)


@router.put(
    "/data/project-templates/{instance_id}",
    summary="Update project template",
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=request_body(TemplateBody),
)
async def update_template(instance_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    row = await templates.update_template(session, caller, str(instance_id), await loose_body(request))
    return JSONResponse(row)


@router.delete(
    "/data/project-templates/{instance_id}",
    summary="Delete project template",
    status_code=204,
    dependencies=ADMIN,
    responses=ERRORS,
)
async def delete_template(instance_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await templates.delete_template(session, caller, str(instance_id))
    return Response(status_code=204)


@router.put(
    "/data/project-templates/{project_template_id}/metadata-descriptors",
    summary="Replace the JSONB metadata descriptors snapshot on a project",
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=request_body(MetadataDescriptorsBody),
)
async def set_metadata_descriptors(
    project_template_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    payload = await json_or_args(request)
    if isinstance(payload, list):  # the legacy shape: the descriptors as a bare array
        descriptors = payload
    else:
        descriptors = validate(MetadataDescriptorsBody, payload).metadata_descriptors
    return JSONResponse(
        await templates.set_metadata_descriptors(session, caller, str(project_template_id), descriptors)
    )


# --- task types ------------------------------------------------------------------------------------


@router.get(
    "/data/project-templates/{project_template_id}/task-types",
    summary="List task types attached to a project template.",
    responses=ERRORS,
)
async def list_task_types(project_template_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await templates.list_task_types(session, caller, str(project_template_id)))


@router.post(
    "/data/project-templates/{project_template_id}/task-types",
    summary="Attach a task type to a project template.",
    status_code=201,
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=request_body(TaskTypeBody),
)
async def add_task_type(project_template_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, TaskTypeBody)
    link = await templates.add_task_type(
        session,
        caller,
        str(project_template_id),
        body.task_type_id,
        body.priority,
        bitrates=body.bitrates(),
        is_client_visible=body.is_client_visible,
    )
    return JSONResponse(link, status_code=201)


@router.delete(
    "/data/project-templates/{project_template_id}/task-types/{task_type_id}",
    summary="Detach a task type from a project template.",
    status_code=204,
    dependencies=ADMIN,
    responses=ERRORS,
)
async def remove_task_type(
    project_template_id: uuid.UUID, task_type_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await templates.remove_task_type(session, caller, str(project_template_id), str(task_type_id))
    return Response(status_code=204)


@router.post(
    "/actions/project-templates/{project_template_id}/task-types/reorder",
    summary="Reorder template task types",
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=request_body(ReorderTaskTypesBody),
)
async def reorder_task_types(project_template_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, ReorderTaskTypesBody)
    return JSONResponse(
        await templates.reorder_task_types(session, caller, str(project_template_id), body.task_type_ids)
    )


# --- task statuses ---------------------------------------------------------------------------------


@router.get(
    "/data/project-templates/{project_template_id}/task-statuses",
    summary="List task statuses attached to a project template.",
    responses=ERRORS,
)
async def list_task_statuses(project_template_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await templates.list_task_statuses(session, caller, str(project_template_id)))


@router.post(
    "/data/project-templates/{project_template_id}/task-statuses",
    summary="Attach a task status to a project template.",
    status_code=201,
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=request_body(AddTaskStatusBody),
)
async def add_task_status(project_template_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, AddTaskStatusBody)
    link = await templates.add_task_status(
        session,
        caller,
        str(project_template_id),
        body.task_status_id,
        body.priority,
        body.roles_for_board or None,
        is_client_allowed=(body.is_client_allowed if "is_client_allowed" in body.model_fields_set else templates.UNSET),
    )
    return JSONResponse(link, status_code=201)


@router.delete(
    "/data/project-templates/{project_template_id}/task-statuses/{task_status_id}",
    summary="Detach a task status from a project template.",
    status_code=204,
    dependencies=ADMIN,
    responses=ERRORS,
)
async def remove_task_status(
    project_template_id: uuid.UUID, task_status_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await templates.remove_task_status(session, caller, str(project_template_id), str(task_status_id))
    return Response(status_code=204)


@router.post(
    "/actions/project-templates/{project_template_id}/task-statuses/reorder",
    summary="Reorder template task statuses",
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=request_body(ReorderTaskStatusesBody),
)
async def reorder_task_statuses(
    project_template_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, ReorderTaskStatusesBody)
    return JSONResponse(
        await templates.reorder_task_statuses(session, caller, str(project_template_id), body.task_status_ids)
    )


# --- asset types -----------------------------------------------------------------------------------


@router.get(
    "/data/project-templates/{project_template_id}/asset-types",
    summary="List asset types attached to a project template.",
    responses=ERRORS,
)
async def list_asset_types(project_template_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await templates.list_asset_types(session, caller, str(project_template_id)))


@router.post(
    "/data/project-templates/{project_template_id}/asset-types",
    summary="Attach an asset type to a project template.",
    status_code=201,
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=request_body(AssetTypeBody),
)
async def add_asset_type(project_template_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, AssetTypeBody)
    row = await templates.add_asset_type(session, caller, str(project_template_id), body.asset_type_id)
    return JSONResponse(row, status_code=201)


@router.delete(
    "/data/project-templates/{project_template_id}/asset-types/{asset_type_id}",
    summary="Detach an asset type from a project template.",
    status_code=204,
    dependencies=ADMIN,
    responses=ERRORS,
)
async def remove_asset_type(
    project_template_id: uuid.UUID, asset_type_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await templates.remove_asset_type(session, caller, str(project_template_id), str(asset_type_id))
    return Response(status_code=204)


# --- status automations ----------------------------------------------------------------------------


@router.get(
    "/data/project-templates/{project_template_id}/status-automations",
    summary="List status automations attached to a project template.",
    responses=ERRORS,
)
async def list_status_automations(project_template_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await templates.list_status_automations(session, caller, str(project_template_id)))


@router.post(
    "/data/project-templates/{project_template_id}/status-automations",
    summary="Attach a status automation to a project template.",
    status_code=201,
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=request_body(StatusAutomationBody),
)
async def add_status_automation(
    project_template_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, StatusAutomationBody)
    row = await templates.add_status_automation(session, caller, str(project_template_id), body.status_automation_id)
    return JSONResponse(row, status_code=201)


@router.delete(
    "/data/project-templates/{project_template_id}/status-automations/{status_automation_id}",
    summary="Detach a status automation from a project template.",
    status_code=204,
    dependencies=ADMIN,
    responses=ERRORS,
)
async def remove_status_automation(
    project_template_id: uuid.UUID, status_automation_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await templates.remove_status_automation(session, caller, str(project_template_id), str(status_automation_id))
    return Response(status_code=204)


# --- apply -----------------------------------------------------------------------------------------


@router.post(
    "/data/projects/{project_id}/apply-template/{project_template_id}",
    summary="Apply a project template to an existing project. Admin only.",
    dependencies=ADMIN,
    responses=ERRORS,
)
async def apply_template(
    project_id: uuid.UUID, project_template_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    return JSONResponse(await templates.apply_template(session, caller, str(project_id), str(project_template_id)))
