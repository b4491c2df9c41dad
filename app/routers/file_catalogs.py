"""File catalogues: file statuses, softwares, task-type softwares, the preview account.

File statuses and softwares are `/data/<collection>` registry entries
(`app/domain/file_catalog_collections.py`); the project routes are here.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.core.responses import JSONResponse
from app.domain import file_catalogs
from app.routers.bodies import read_body
from app.routers.deps import AppSettings, CurrentUser, DbSession

router = APIRouter(tags=["file-catalogs"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id or invalid body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this on the project"},
    404: {"description": "Unknown project (or software, preview account)"},
}


class TaskTypeSoftwareLink(BaseModel):
    project_id: str
    task_type_id: str
    software_id: str


class TaskTypeSoftwareBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    software_id: str = Field(min_length=1)


class PreviewAccount(BaseModel):
    id: str
    email: str
    full_name: str
    preview_open_until: str | None


class NewPreviewAccount(PreviewAccount):
    password: str = Field(description="The clear password, answered only here")


class PreviewAccountOpenBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    is_open: bool


def _body_doc(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


# --- task-type softwares ---------------------------------------------------------------


@router.get(
    "/data/projects/{project_id}/task-type-softwares",
    summary="Get production task type softwares",
    responses={200: {"model": list[TaskTypeSoftwareLink]}, **ERRORS},
)
async def task_type_softwares(project_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await file_catalogs.task_type_softwares(session, caller, str(project_id)))


@router.post(
    "/data/projects/{project_id}/task-types/{task_type_id}/softwares",
    summary="Add software to production task type",
    status_code=201,
    responses={201: {"model": TaskTypeSoftwareLink}, **ERRORS},
    openapi_extra=_body_doc(TaskTypeSoftwareBody),
)
async def add_task_type_software(
    project_id: uuid.UUID, task_type_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
) -> Response:
    body = await read_body(request, TaskTypeSoftwareBody)
    link = await file_catalogs.add_task_type_software(
        session, caller, str(project_id), str(task_type_id), body.software_id
    )
    return JSONResponse(link, status_code=201)


@router.delete(
    "/data/projects/{project_id}/task-types/{task_type_id}/softwares/{software_id}",
    summary="Remove software from production task type",
    status_code=204,
    responses=ERRORS,
)
async def remove_task_type_software(
    project_id: uuid.UUID, task_type_id: uuid.UUID, software_id: uuid.UUID, session: DbSession, caller: CurrentUser
) -> Response:
    await file_catalogs.remove_task_type_software(session, caller, str(project_id), str(task_type_id), str(software_id))
    return Response(status_code=204)


# --- preview account -------------------------------------------------------------------

PREVIEW_ACCOUNT = "/data/projects/{project_id}/preview-account"


@router.get(
    PREVIEW_ACCOUNT,
    summary="Get the preview account of a production",
    responses={200: {"model": PreviewAccount | None}, **ERRORS},
)
async def get_preview_account(project_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await file_catalogs.get_preview_account(session, caller, str(project_id)))


@router.post(
    PREVIEW_ACCOUNT,
    summary="Create the preview account of a production or reset its password",
    status_code=201,
    responses={201: {"model": NewPreviewAccount}, **ERRORS},
)
async def create_preview_account(
    project_id: uuid.UUID, session: DbSession, settings: AppSettings, caller: CurrentUser
) -> Response:
    account = await file_catalogs.create_or_reset_preview_account(session, settings, caller, str(project_id))
    return JSONResponse(account, status_code=201)


@router.put(
    PREVIEW_ACCOUNT,
    summary="Open or close the access window of the preview account",
    responses={200: {"model": PreviewAccount}, **ERRORS},
    openapi_extra=_body_doc(PreviewAccountOpenBody),
)
async def open_preview_account(
    project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
) -> Response:
    body = await read_body(request, PreviewAccountOpenBody)
    return JSONResponse(await file_catalogs.set_preview_account_open(session, caller, str(project_id), body.is_open))


@router.delete(
    PREVIEW_ACCOUNT,
    summary="Delete the preview account of a production",
    status_code=204,
    responses=ERRORS,
)
async def delete_preview_account(project_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    await file_catalogs.delete_preview_account(session, caller, str(project_id))
    return Response(status_code=204)
