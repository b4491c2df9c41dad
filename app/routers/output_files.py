"""Output files and output types: per entity, per asset instance, per project; revisions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from app.core.responses import JSONResponse
from app.domain import output_files
from app.domain.output_files import FILTER_PARAMS, NewOutputFileBody, NextRevisionBody
from app.routers.bodies import read_body
from app.routers.deps import CurrentUser, DbSession

router = APIRouter(tags=["output-files"])


def _filters(request: Request, *extra: str) -> dict[str, str | None]:
    q = request.query_params
    return {name: q.get(name) for name in (*extra, *FILTER_PARAMS)}


# --- per entity ---


@router.get("/data/entities/{entity_id}/output-files")
async def entity_output_files(entity_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await output_files.entity_files(session, caller, str(entity_id), _filters(request)))


@router.get("/data/entities/{entity_id}/output-files/last-revisions")
async def entity_last_output_files(entity_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await output_files.entity_last_revisions(session, caller, str(entity_id), _filters(request)))


@router.post("/data/entities/{entity_id}/output-files/new")
async def new_entity_output_file(entity_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, NewOutputFileBody)
    row = await output_files.new_entity_file(session, caller, str(entity_id), body)
    return JSONResponse(row, status_code=201)


@router.post("/data/entities/{entity_id}/output-files/next-revision")
async def next_entity_output_revision(entity_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, NextRevisionBody)
    return JSONResponse(await output_files.next_entity_revision(session, caller, str(entity_id), body))


@router.get("/data/entities/{entity_id}/output-types")
async def entity_output_types(entity_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await output_files.entity_output_types(session, caller, str(entity_id)))


@router.get("/data/entities/{entity_id}/output-types/{output_type_id}/output-files")
async def entity_output_type_files(
    entity_id: uuid.UUID, output_type_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    representation = request.query_params.get("representation")
    return JSONResponse(
        await output_files.entity_output_type_files(
            session, caller, str(entity_id), str(output_type_id), representation
        )
    )


# --- per asset instance ---


@router.get("/data/asset-instances/{asset_instance_id}/output-files")
async def instance_output_files(
    asset_instance_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    filters = _filters(request, "temporal_entity_id")
    return JSONResponse(await output_files.instance_files(session, caller, str(asset_instance_id), filters))


INSTANCE = "/data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}"


@router.get(INSTANCE + "/output-files/last-revisions")
async def instance_last_output_files(
    asset_instance_id: uuid.UUID,
    temporal_entity_id: uuid.UUID,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
):
    return JSONResponse(
        await output_files.instance_last_revisions(
            session, caller, str(asset_instance_id), str(temporal_entity_id), _filters(request)
        )
    )


@router.post(INSTANCE + "/output-files/new")
async def new_instance_output_file(
    asset_instance_id: uuid.UUID,
    temporal_entity_id: uuid.UUID,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
):
    body = await read_body(request, NewOutputFileBody)
    row = await output_files.new_instance_file(session, caller, str(asset_instance_id), str(temporal_entity_id), body)
    return JSONResponse(row, status_code=201)


@router.post(INSTANCE + "/output-files/next-revision")
async def next_instance_output_revision(
    asset_instance_id: uuid.UUID,
    temporal_entity_id: uuid.UUID,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
):
    body = await read_body(request, NextRevisionBody)
    return JSONResponse(
        await output_files.next_instance_revision(
            session, caller, str(asset_instance_id), str(temporal_entity_id), body
        )
    )


@router.get(INSTANCE + "/output-types")
async def instance_output_types(
    asset_instance_id: uuid.UUID, temporal_entity_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    return JSONResponse(
        await output_files.instance_output_types(session, caller, str(asset_instance_id), str(temporal_entity_id))
    )


@router.get(INSTANCE + "/output-types/{output_type_id}/output-files")
async def instance_output_type_files(
    asset_instance_id: uuid.UUID,
    temporal_entity_id: uuid.UUID,
    output_type_id: uuid.UUID,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
):
    return JSONResponse(
        await output_files.instance_output_type_files(
            session,
            caller,
            str(asset_instance_id),
            str(temporal_entity_id),
            str(output_type_id),
            request.query_params.get("representation"),
        )
    )


# --- per project, one file ---


@router.get("/data/projects/{project_id}/output-files")
async def project_output_files(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await output_files.project_files(session, caller, str(project_id), _filters(request)))


@router.get("/data/files/{file_id}")
async def get_file(file_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await output_files.get_file(session, caller, str(file_id)))
