"""Department members and software licenses (the CRUD itself comes from the registry)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from app.core.responses import JSONResponse
from app.domain import departments
from app.routers.bodies import read_body
from app.routers.deps import CurrentUser, DbSession
from app.schemas.catalog import (
    DepartmentMember,
    SoftwareDepartmentLinkRead,
    SoftwareLicenseBody,
    SoftwareRead,
    request_body,
)

router = APIRouter(tags=["departments"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id or invalid body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
}
NOT_FOUND = {404: {"description": "Unknown department or software"}}


async def license_managers_only(caller: CurrentUser) -> None:
    """Refuse callers who may not manage licenses before the body is read (Zou checks in that order)."""
    departments.check_license_access(caller)


async def license_body(request: Request) -> SoftwareLicenseBody:
    """A JSON object body, else the query/form values, validated by the schema."""
    return await read_body(request, SoftwareLicenseBody)


@router.get(
    "/data/departments/software-licenses",
    summary="Software licenses of every department",
    dependencies=[Depends(license_managers_only)],
    responses={200: {"model": dict[str, list[SoftwareRead]]}, **ERRORS},
)
async def all_software_licenses(session: DbSession, caller: CurrentUser):
    return JSONResponse(await departments.all_licenses(session, caller))


@router.get(
    "/data/departments/{department_id}/persons",
    summary="Members of a department",
    responses={200: {"model": list[DepartmentMember]}, **ERRORS, **NOT_FOUND},
)
async def department_persons(department_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await departments.members(session, caller, str(department_id)))


@router.post(
    "/data/departments/{department_id}/software-licenses",
    summary="Give a department a software license",
    status_code=201,
    dependencies=[Depends(license_managers_only)],
    responses={201: {"model": SoftwareDepartmentLinkRead}, **ERRORS, **NOT_FOUND},
    openapi_extra=request_body(SoftwareLicenseBody),
)
async def add_software_license(department_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await license_body(request)
    link = await departments.add_license(session, caller, str(department_id), str(body.software_id))
    return JSONResponse(link, status_code=201)


@router.get(
    "/data/departments/{department_id}/software-licenses/{software_id}",
    summary="A software the department holds a license for",
    dependencies=[Depends(license_managers_only)],
    responses={200: {"model": SoftwareRead}, **ERRORS, **NOT_FOUND},
)
async def get_software_license(
    department_id: uuid.UUID, software_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    return JSONResponse(await departments.get_license(session, caller, str(department_id), str(software_id)))


@router.delete(
    "/data/departments/{department_id}/software-licenses/{software_id}",
    summary="Withdraw a department's software license",
    status_code=204,
    dependencies=[Depends(license_managers_only)],
    responses={**ERRORS, **NOT_FOUND},
)
async def remove_software_license(
    department_id: uuid.UUID, software_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await departments.remove_license(session, caller, str(department_id), str(software_id))
    return Response(status_code=204)
