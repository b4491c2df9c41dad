"""Metadata descriptors of a production, and the all-projects variants for studio managers.

The generic `/data/metadata-descriptors[/{id}]` routes come from the CRUD registry
(`app/domain/template_collections.py`).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from app.core.responses import JSONResponse
from app.domain import metadata_descriptors as descriptors
from app.routers.bodies import read_body
from app.routers.deps import CurrentUser, DbSession
from app.schemas.catalog import request_body
from app.schemas.projects import Schema

router = APIRouter(tags=["metadata-descriptors"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id or invalid body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
    404: {"description": "Unknown project or metadata descriptor"},
}


class DescriptorBody(Schema):
    entity_type: str = "Asset"
    task_type_id: str | None = None
    name: str = Field(..., min_length=1)
    data_type: str = Field("string", min_length=1)
    for_client: bool | None = False
    choices: list[str] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)

    def values(self) -> descriptors.DescriptorInput:
        return descriptors.DescriptorInput(**self.model_dump())


class DescriptorUpdateBody(Schema):
    name: str | None = None
    for_client: bool | None = False
    data_type: str = Field("string", min_length=1)
    choices: list[str] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)

    def changes(self) -> descriptors.DescriptorChanges:
        return descriptors.DescriptorChanges(**self.model_dump(include=set(descriptors.DescriptorChanges.__slots__)))


class AllProjectsUpdateBody(DescriptorUpdateBody):
    entity_type: str = Field(..., min_length=1)


class ReorderBody(Schema):
    entity_type: str = Field(..., min_length=1)
    descriptor_ids: list[str] = Field(..., min_length=1)


class AllProjectsReorderBody(Schema):
    entity_type: str = Field(..., min_length=1)
    field_order: list[str] = Field(..., min_length=1)


class DescriptorRead(BaseModel):
    id: str
    project_id: str
    entity_type: str
    task_type_id: str | None = None
    name: str
    field_name: str
    data_type: str | None = None
    choices: Any = None
    for_client: bool | None = None
    position: int | None = None
    departments: list[str] = []
    type: str = "MetadataDescriptor"


async def studio_managers_first(caller: CurrentUser) -> None:
    """The all-projects routes refuse non-managers before reading the body (Zou's order)."""
    descriptors.check_studio_manager(caller)


MANAGERS = [Depends(studio_managers_first)]


# --- one production --------------------------------------------------------------------------------


@router.get(
    "/data/projects/{project_id}/metadata-descriptors",
    summary="Get metadata descriptors",
    responses={200: {"model": list[DescriptorRead]}, **ERRORS},
)
async def list_descriptors(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await descriptors.list_for_project(session, caller, str(project_id)))


@router.post(
    "/data/projects/{project_id}/metadata-descriptors",
    summary="Create metadata descriptor",
    status_code=201,
    responses={201: {"model": DescriptorRead}, **ERRORS},
    openapi_extra=request_body(DescriptorBody),
)
async def create_descriptor(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, DescriptorBody)
    row = await descriptors.create_for_project(session, caller, str(project_id), body.values())
    return JSONResponse(row, status_code=201)


@router.post(
    "/data/projects/{project_id}/metadata-descriptors/reorder",
    summary="Reorder metadata descriptors",
    responses={200: {"model": list[DescriptorRead]}, **ERRORS},
    openapi_extra=request_body(ReorderBody),
)
async def reorder_descriptors(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, ReorderBody)
    rows = await descriptors.reorder_for_project(
        session, caller, str(project_id), body.entity_type, body.descriptor_ids
    )
    return JSONResponse(rows)


@router.get(
    "/data/projects/{project_id}/metadata-descriptors/{metadata_descriptor_id}",
    summary="Get metadata descriptor",
    responses={200: {"model": DescriptorRead}, **ERRORS},
)
async def get_descriptor(
    project_id: uuid.UUID, metadata_descriptor_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    return JSONResponse(
        await descriptors.get_for_project(session, caller, str(project_id), str(metadata_descriptor_id))
    )


@router.put(
    "/data/projects/{project_id}/metadata-descriptors/{metadata_descriptor_id}",
    summary="Update metadata descriptor",
    responses={200: {"model": DescriptorRead}, **ERRORS},
    openapi_extra=request_body(DescriptorUpdateBody),
)
async def update_descriptor(
    project_id: uuid.UUID,
    metadata_descriptor_id: uuid.UUID,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
):
    body = await read_body(request, DescriptorUpdateBody)
    row = await descriptors.update_for_project(
        session, caller, str(project_id), str(metadata_descriptor_id), body.changes()
    )
    return JSONResponse(row)


@router.delete(
    "/data/projects/{project_id}/metadata-descriptors/{metadata_descriptor_id}",
    summary="Delete metadata descriptor",
    status_code=204,
    responses=ERRORS,
)
async def delete_descriptor(
    project_id: uuid.UUID, metadata_descriptor_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await descriptors.delete_for_project(session, caller, str(project_id), str(metadata_descriptor_id))
    return Response(status_code=204)


# --- every open project the caller manages ---------------------------------------------------------


@router.post(
    "/data/metadata-descriptors/all-projects",
    summary="Create a metadata descriptor on all accessible projects",
    status_code=201,
    dependencies=MANAGERS,
    responses={201: {"model": list[DescriptorRead]}, **ERRORS},
    openapi_extra=request_body(DescriptorBody),
)
async def create_on_all_projects(request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, DescriptorBody)
    rows = await descriptors.create_on_all_projects(session, caller, body.values())
    return JSONResponse(rows, status_code=201)


@router.put(
    "/data/metadata-descriptors/all-projects/{field_name}",
    summary="Update a metadata descriptor on all accessible projects",
    dependencies=MANAGERS,
    responses={200: {"model": list[DescriptorRead]}, **ERRORS},
    openapi_extra=request_body(AllProjectsUpdateBody),
)
async def update_on_all_projects(field_name: str, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, AllProjectsUpdateBody)
    rows = await descriptors.update_on_all_projects(session, caller, field_name, body.entity_type, body.changes())
    return JSONResponse(rows)


@router.delete(
    "/data/metadata-descriptors/all-projects/{field_name}",
    summary="Delete a metadata descriptor from all accessible projects",
    dependencies=MANAGERS,
    responses={200: {"model": list[str]}, **ERRORS},
)
async def delete_on_all_projects(
    field_name: str,
    session: DbSession,
    caller: CurrentUser,
    entity_type: str | None = Query(None, description="Asset, Shot, Edit, Episode, Sequence or Project"),
):
    return JSONResponse(await descriptors.delete_on_all_projects(session, caller, field_name, entity_type))


@router.post(
    "/actions/metadata-descriptors/all-projects/reorder",
    summary="Reorder metadata descriptors on all accessible projects",
    dependencies=MANAGERS,
    responses={200: {"model": list[DescriptorRead]}, **ERRORS},
    openapi_extra=request_body(AllProjectsReorderBody),
)
async def reorder_on_all_projects(request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, AllProjectsReorderBody)
    rows = await descriptors.reorder_on_all_projects(session, caller, body.entity_type, body.field_order)
    return JSONResponse(rows)
