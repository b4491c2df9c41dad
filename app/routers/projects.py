"""Projects beyond their CRUD entry: listings, creation, team, production settings, link order.

Bodies are read the way Zou reads them: a JSON object, else the form and query values,
validated by a schema before the caller's rights are checked (400 before 403), except
for the reorder actions, which check the rights first.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Depends, Request, Response
from pydantic import BaseModel, Field, create_model

from app.core.responses import JSONResponse
from app.domain import links, projects
from app.domain.crud import CrudContext, CrudService
from app.domain.project_collections import PROJECTS
from app.routers.bodies import read_body
from app.routers.catalog import admin_first, is_json
from app.routers.deps import AppSettings, CurrentUser, DbSession
from app.schemas.crud import body_values, create_schema, read_schema
from app.schemas.projects import AssetTypeBody, Schema, StatusAutomationBody, TaskTypeBody

router = APIRouter(tags=["projects"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id or invalid body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
    404: {"description": "Unknown project"},
}
NOT_JSON = "The request Content-Type must be application/json."
BAD_JSON = "The request body is not valid JSON."

ProjectRead = read_schema(PROJECTS)
ProjectRole = Literal["user", "supervisor", "manager", "client", "vendor"]


# --- bodies -------------------------------------------------------------------------


class TeamBody(Schema):
    person_id: str = Field(..., min_length=1)
    role: ProjectRole | None = None


class TeamRoleBody(Schema):
    """A null (or absent) role makes the member inherit their global role again."""

    role: ProjectRole | None = None


class TaskStatusBody(Schema):
    task_status_id: str = Field(..., min_length=1)


class ClientAllowedBody(Schema):
    """Required; a null reverts to the studio's value of the task status."""

    is_client_allowed: bool | None = Field(...)


class SettingsBatchBody(Schema):
    task_types: list[TaskTypeBody] = Field(default_factory=list)
    task_status_ids: list[str] = Field(default_factory=list)
    asset_type_ids: list[str] = Field(default_factory=list)
    replace_task_types: bool = False


class TeamRoleRead(BaseModel):
    project_id: str
    person_id: str
    role: str | None


ProjectCreate = create_model(
    "ProjectCreateBody",
    __base__=create_schema(PROJECTS),
    project_template_id=(uuid.UUID | None, None),
)


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with its local `$defs` references replaced by the definitions themselves."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` documenting a body the route reads itself (JSON, or form and query values)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    return {"requestBody": {"content": {"application/json": {"schema": _inline(schema, defs)}}}}


async def json_body(request: Request) -> Any:
    """The JSON body of an action (415 when the request does not declare JSON, 400 when it does not parse)."""
    if not is_json(request):
        return JSONResponse({"error": True, "message": NOT_JSON}, status_code=415)
    try:
        return orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return JSONResponse({"error": True, "message": BAD_JSON}, status_code=400)


# --- listings and creation ------------------------------------------------------------


@router.get(
    "/data/projects/all",
    summary="Every project (admins), or the caller's team projects",
    responses={200: {"model": list[ProjectRead]}, **ERRORS},
)
async def all_projects(session: DbSession, caller: CurrentUser, name: str | None = None):
    return JSONResponse(await projects.all_projects(session, caller, name))


@router.get(
    "/data/projects/open",
    summary="Open projects with their settings and metadata descriptors",
    responses={200: {"model": list[ProjectRead]}, **ERRORS},
)
async def open_projects(session: DbSession, caller: CurrentUser, name: str | None = None):
    return JSONResponse(await projects.open_projects(session, caller, name))


async def create_project(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    caller: CurrentUser,
    body: Annotated[ProjectCreate, Body()],
) -> Response:
    service = CrudService(PROJECTS, CrudContext(session, caller, settings, dict(request.query_params)))
    return JSONResponse(await service.create(body_values(body)), status_code=201)


for _path in ("/data/projects", "/data/projects/"):
    router.add_api_route(
        _path,
        create_project,
        methods=["POST"],
        summary="Create a project (admins), optionally from a project template",
        status_code=201,
        dependencies=[Depends(admin_first)],
        responses={201: {"model": ProjectRead}, **ERRORS},
        include_in_schema=not _path.endswith("/"),
        operation_id=f"create_projects_{int(not _path.endswith('/'))}",
    )


# --- team -----------------------------------------------------------------------------


@router.get(
    "/data/projects/{project_id}/team",
    summary="The production team, each member with their role on the project",
    responses={200: {"model": list[dict[str, Any]]}, **ERRORS},
)
async def get_team(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await projects.team(session, caller, str(project_id)))


@router.post(
    "/data/projects/{project_id}/team",
    summary="Add a person to the production team",
    status_code=201,
    responses={201: {"model": ProjectRead}, **ERRORS},
    openapi_extra=body_doc(TeamBody),
)
async def add_team_member(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, TeamBody)
    row = await projects.add_team_member(session, caller, str(project_id), body.person_id, body.role)
    return JSONResponse(row, status_code=201)


@router.put(
    "/data/projects/{project_id}/team/{person_id}",
    summary="Set the role of a team member on this project",
    responses={200: {"model": TeamRoleRead}, **ERRORS},
    openapi_extra=body_doc(TeamRoleBody),
)
async def set_team_member_role(
    project_id: uuid.UUID, person_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, TeamRoleBody)
    return JSONResponse(
        await projects.set_team_member_role(session, caller, str(project_id), str(person_id), body.role)
    )


@router.delete(
    "/data/projects/{project_id}/team/{person_id}",
    summary="Remove a person from the production team",
    status_code=204,
    responses=ERRORS,
)
async def remove_team_member(project_id: uuid.UUID, person_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await projects.remove_team_member(session, caller, str(project_id), str(person_id))
    return Response(status_code=204)


# --- settings -------------------------------------------------------------------------


@router.get(
    "/data/projects/{project_id}/task-types",
    summary="Task types of the production",
    responses={200: {"model": list[dict[str, Any]]}, **ERRORS},
)
async def get_task_types(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await projects.task_types(session, caller, str(project_id)))


@router.post(
    "/data/projects/{project_id}/settings/asset-types",
    summary="Add an asset type to the production",
    status_code=201,
    responses={201: {"model": ProjectRead}, **ERRORS},
    openapi_extra=body_doc(AssetTypeBody),
)
async def add_asset_type(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, AssetTypeBody)
    row = await projects.add_asset_type(session, caller, str(project_id), body.asset_type_id)
    return JSONResponse(row, status_code=201)


@router.delete(
    "/data/projects/{project_id}/settings/asset-types/{asset_type_id}",
    summary="Remove an asset type from the production",
    status_code=204,
    responses=ERRORS,
)
async def remove_asset_type(project_id: uuid.UUID, asset_type_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await projects.remove_asset_type(session, caller, str(project_id), str(asset_type_id))
    return Response(status_code=204)


@router.post(
    "/data/projects/{project_id}/settings/task-types",
    summary="Add a task type to the production (or set its link's bitrates and client visibility)",
    status_code=201,
    responses={201: {"model": ProjectRead}, **ERRORS},
    openapi_extra=body_doc(TaskTypeBody),
)
async def add_task_type(
    project_id: uuid.UUID, request: Request, session: DbSession, settings: AppSettings, caller: CurrentUser
):
    body = await read_body(request, TaskTypeBody)
    row = await projects.add_task_type(
        session,
        caller,
        settings,
        str(project_id),
        body.task_type_id,
        priority=body.priority,
        bitrates=body.bitrates(),
        is_client_visible=body.is_client_visible,
    )
    return JSONResponse(row, status_code=201)


@router.delete(
    "/data/projects/{project_id}/settings/task-types/{task_type_id}",
    summary="Remove a task type from the production",
    status_code=204,
    responses=ERRORS,
)
async def remove_task_type(project_id: uuid.UUID, task_type_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await projects.remove_task_type(session, caller, str(project_id), str(task_type_id))
    return Response(status_code=204)


@router.get(
    "/data/projects/{project_id}/settings/task-status",
    summary="Task statuses of the production",
    responses={200: {"model": list[dict[str, Any]]}, **ERRORS},
)
async def get_task_statuses(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await projects.task_statuses(session, caller, str(project_id)))


@router.post(
    "/data/projects/{project_id}/settings/task-status",
    summary="Add a task status to the production",
    status_code=201,
    responses={201: {"model": ProjectRead}, **ERRORS},
    openapi_extra=body_doc(TaskStatusBody),
)
async def add_task_status(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, TaskStatusBody)
    row = await projects.add_task_status(session, caller, str(project_id), body.task_status_id)
    return JSONResponse(row, status_code=201)


@router.put(
    "/data/projects/{project_id}/settings/task-status/{task_status_id}",
    summary="Set whether the production's clients may use a task status",
    responses={200: {"model": dict[str, Any]}, **ERRORS},
    openapi_extra=body_doc(ClientAllowedBody),
)
async def set_task_status_client_allowed(
    project_id: uuid.UUID, task_status_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, ClientAllowedBody)
    link = await projects.set_task_status_client_allowed(
        session, caller, str(project_id), str(task_status_id), body.is_client_allowed
    )
    return JSONResponse(link)


@router.delete(
    "/data/projects/{project_id}/settings/task-status/{task_status_id}",
    summary="Remove a task status from the production",
    status_code=204,
    responses=ERRORS,
)
async def remove_task_status(project_id: uuid.UUID, task_status_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await projects.remove_task_status(session, caller, str(project_id), str(task_status_id))
    return Response(status_code=204)


@router.post(
    "/data/projects/{project_id}/settings/batch",
    summary="Add task types, task statuses and asset types to the production at once",
    responses={200: {"model": ProjectRead}, **ERRORS},
    openapi_extra=body_doc(SettingsBatchBody),
)
async def batch_settings(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, SettingsBatchBody)
    row = await projects.batch_settings(
        session,
        caller,
        str(project_id),
        task_types=[entry.model_dump() for entry in body.task_types],
        task_status_ids=body.task_status_ids,
        asset_type_ids=body.asset_type_ids,
        replace_task_types=body.replace_task_types,
    )
    return JSONResponse(row)


@router.get(
    "/data/projects/{project_id}/settings/status-automations",
    summary="Status automations of the production",
    responses={200: {"model": list[dict[str, Any]]}, **ERRORS},
)
async def get_status_automations(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await projects.status_automations(session, caller, str(project_id)))


@router.post(
    "/data/projects/{project_id}/settings/status-automations",
    summary="Add a status automation to the production",
    status_code=201,
    responses={201: {"model": ProjectRead}, **ERRORS},
    openapi_extra=body_doc(StatusAutomationBody),
)
async def add_status_automation(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, StatusAutomationBody)
    row = await projects.add_status_automation(session, caller, str(project_id), body.status_automation_id)
    return JSONResponse(row, status_code=201)


@router.delete(
    "/data/projects/{project_id}/settings/status-automations/{status_automation_id}",
    summary="Remove a status automation from the production",
    status_code=204,
    responses=ERRORS,
)
async def remove_status_automation(
    project_id: uuid.UUID, status_automation_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await projects.remove_status_automation(session, caller, str(project_id), str(status_automation_id))
    return Response(status_code=204)


# --- link order -------------------------------------------------------------------------


async def project_manager_first(project_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> None:
    """Refuse non-managers before the body is read (Zou checks in that order)."""
    await links.check_project_links_manager(session, caller, str(project_id))


@router.post(
    "/actions/projects/{project_id}/task-type-links/reorder",
    summary="Set the priorities of the production's task type links from their order in a list",
    dependencies=[Depends(project_manager_first)],
    responses={200: {"model": list[dict[str, Any]]}, 415: {"description": "Body is not JSON"}, **ERRORS},
    openapi_extra=body_doc(create_model("TaskTypeLinksOrder", task_type_ids=(list[uuid.UUID], ...))),
)
async def reorder_task_type_links(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await json_body(request)
    if isinstance(body, Response):
        return body
    return JSONResponse(await links.reorder_project_task_type_links(session, caller, str(project_id), body))


@router.post(
    "/actions/projects/{project_id}/task-status-links/reorder",
    summary="Set the priorities of the production's task status links from their order in a list",
    dependencies=[Depends(project_manager_first)],
    responses={200: {"model": list[dict[str, Any]]}, 415: {"description": "Body is not JSON"}, **ERRORS},
    openapi_extra=body_doc(create_model("TaskStatusLinksOrder", task_status_ids=(list[uuid.UUID], ...))),
)
async def reorder_task_status_links(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await json_body(request)
    if isinstance(body, Response):
        return body
    return JSONResponse(await links.reorder_project_task_status_links(session, caller, str(project_id), body))
