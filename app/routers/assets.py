"""Assets, asset types, shared assets and asset instances (the `/data/asset-instances` CRUD is in the registry).

`GET /data/assets/{asset_id}` uses the shared `item` path convertor (app/routers/paths.py).
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.core.responses import JSONResponse
from app.domain import asset_instances, assets
from app.routers import paths  # noqa: F401  (registers the `item` path convertor)
from app.routers.bodies import read_body
from app.routers.deps import CurrentUser, DbSession

router = APIRouter(tags=["assets"])
B = TypeVar("B", bound=BaseModel)

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id, bad filter or invalid body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Unknown id"}}

LISTING = "Query parameters filter on the asset's columns (`name` case-insensitive, JSON lists mean IN)."


# --- bodies -------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NewAssetBody(_Body):
    name: str = Field(min_length=1, description="The asset name")
    description: str | None = ""
    data: dict[str, Any] | None = Field(default_factory=dict, description="Metadata values")
    is_shared: bool | None = False
    episode_id: uuid.UUID | None = Field(default=None, description="The episode the asset comes from")


class ShareBody(_Body):
    is_shared: bool | None = True
    asset_ids: list[uuid.UUID] | None = None


class AssetInstanceBody(_Body):
    asset_to_instantiate_id: uuid.UUID = Field(description="The asset placed inside this one")
    description: str | None = None


class SceneInstanceBody(_Body):
    asset_id: uuid.UUID = Field(description="The asset to instantiate in the scene")
    description: str | None = None


class ShotInstanceBody(_Body):
    asset_instance_id: uuid.UUID = Field(description="The instance to cast in the shot")


def _ids(values: list[uuid.UUID] | None) -> list[str] | None:
    return [str(v) for v in values] if values else None


def _shared(body: ShareBody) -> bool:
    return True if body.is_shared is None else body.is_shared


# --- asset types ----------------------------------------------------------------


@router.get("/data/asset-types", summary="Get asset types", responses=ERRORS)
async def list_asset_types(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await assets.list_asset_types(session, caller, request.query_params))


@router.get("/data/asset-types/{asset_type_id}", summary="Get asset type", responses={**ERRORS, **NOT_FOUND})
async def get_asset_type(asset_type_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await assets.get_asset_type(session, caller, str(asset_type_id)))


# --- assets ---------------------------------------------------------------------


async def _all_assets(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await assets.all_assets(session, caller, request.query_params))


for _path in ("/data/assets", "/data/assets/all"):
    router.add_api_route(
        _path,
        _all_assets,
        methods=["GET"],
        summary="Get all assets",
        description=LISTING,
        responses=ERRORS,
        operation_id=f"all_assets{_path.replace('/', '_').replace('-', '_')}",
    )


@router.get("/data/assets/{asset_id:item}", summary="Get asset", responses={**ERRORS, **NOT_FOUND})
async def get_asset(asset_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await assets.get_full_asset(session, caller, str(asset_id)))


@router.get(
    "/data/assets/{asset_id}/asset-asset-instances", summary="Get asset instances", responses={**ERRORS, **NOT_FOUND}
)
async def get_asset_asset_instances(asset_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await asset_instances.asset_instances(session, caller, str(asset_id)))


@router.post(
    "/data/assets/{asset_id}/asset-asset-instances",
    summary="Create asset instance",
    status_code=201,
    responses={**ERRORS, **NOT_FOUND},
)
async def create_asset_asset_instance(asset_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, AssetInstanceBody)
    row = await asset_instances.add_to_asset(
        session, caller, str(asset_id), str(body.asset_to_instantiate_id), body.description
    )
    return JSONResponse(row, status_code=201)


@router.get(
    "/data/assets/{asset_id}/scene-asset-instances",
    summary="Get scene asset instances",
    responses={**ERRORS, **NOT_FOUND},
)
async def get_asset_scene_instances(asset_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await asset_instances.asset_scene_instances(session, caller, str(asset_id)))


@router.get(
    "/data/assets/{asset_id}/shot-asset-instances",
    summary="Get shot asset instances",
    responses={**ERRORS, **NOT_FOUND},
)
async def get_asset_shot_instances(asset_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await asset_instances.asset_shot_instances(session, caller, str(asset_id)))


# --- project assets ---------------------------------------------------------------


@router.get(
    "/data/projects/{project_id}/asset-types", summary="Get project asset types", responses={**ERRORS, **NOT_FOUND}
)
async def get_project_asset_types(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await assets.project_asset_types(session, caller, str(project_id)))


@router.get(
    "/data/projects/{project_id}/asset-types/{asset_type_id}/assets",
    summary="Get project asset type assets",
    description=LISTING,
    responses={**ERRORS, **NOT_FOUND},
)
async def get_project_asset_type_assets(
    project_id: uuid.UUID, asset_type_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    rows = await assets.project_assets(
        session, caller, str(project_id), request.query_params, asset_type_id=str(asset_type_id)
    )
    return JSONResponse(rows)


@router.post(
    "/data/projects/{project_id}/asset-types/{asset_type_id}/assets/new",
    summary="Create asset",
    status_code=201,
    responses={**ERRORS, **NOT_FOUND},
)
async def create_asset(
    project_id: uuid.UUID, asset_type_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, NewAssetBody)
    row = await assets.create_asset(
        session,
        caller,
        str(project_id),
        str(asset_type_id),
        name=body.name,
        description=body.description,
        data=body.data,
        is_shared=body.is_shared,
        episode_id=str(body.episode_id) if body.episode_id else None,
    )
    return JSONResponse(row, status_code=201)


@router.get(
    "/data/projects/{project_id}/assets",
    summary="Get project assets",
    description=LISTING,
    responses={**ERRORS, **NOT_FOUND},
)
async def get_project_assets(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await assets.project_assets(session, caller, str(project_id), request.query_params))


# --- sharing --------------------------------------------------------------------------


@router.post("/actions/assets/share", summary="Set assets shared", responses={**ERRORS, **NOT_FOUND})
async def share_assets(request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, ShareBody)
    rows = await assets.share_assets(session, caller, _ids(body.asset_ids) or [], _shared(body))
    return JSONResponse(rows)


@router.post(
    "/actions/projects/{project_id}/assets/share",
    summary="Set project assets shared",
    description="Without `asset_ids` (or with an empty list), every asset of the project.",
    responses={**ERRORS, **NOT_FOUND},
)
async def share_project_assets(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, ShareBody)
    rows = await assets.share_project_assets(
        session, caller, str(project_id), _shared(body), asset_ids=_ids(body.asset_ids)
    )
    return JSONResponse(rows)


async def share_managers_only(project_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> None:
    """Refuse non-managers before the body is read (Zou checks in that order on this route)."""
    await assets.check_share_access(session, caller, str(project_id))


@router.post(
    "/actions/projects/{project_id}/asset-types/{asset_type_id}/assets/share",
    summary="Set asset type assets shared",
    dependencies=[Depends(share_managers_only)],
    responses={**ERRORS, **NOT_FOUND},
)
async def share_asset_type_assets(
    project_id: uuid.UUID, asset_type_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, ShareBody)
    rows = await assets.share_project_assets(
        session, caller, str(project_id), _shared(body), asset_type_id=str(asset_type_id)
    )
    return JSONResponse(rows)


# --- scenes and shots ---------------------------------------------------------------------


@router.get(
    "/data/scenes/{scene_id}/asset-instances", summary="Get scene asset instances", responses={**ERRORS, **NOT_FOUND}
)
async def get_scene_instances(scene_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await asset_instances.scene_instances(session, caller, str(scene_id)))


@router.post(
    "/data/scenes/{scene_id}/asset-instances",
    summary="Create scene asset instance",
    status_code=201,
    responses={**ERRORS, **NOT_FOUND},
)
async def create_scene_instance(scene_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, SceneInstanceBody)
    row = await asset_instances.add_to_scene(session, caller, str(scene_id), str(body.asset_id), body.description)
    return JSONResponse(row, status_code=201)


@router.get(
    "/data/scenes/{scene_id}/camera-instances",
    summary="Get scene camera instances",
    responses={**ERRORS, **NOT_FOUND},
)
async def get_scene_camera_instances(scene_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await asset_instances.scene_camera_instances(session, caller, str(scene_id)))


@router.get(
    "/data/shots/{shot_id}/asset-instances", summary="Get shot asset instances", responses={**ERRORS, **NOT_FOUND}
)
async def get_shot_instances(shot_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await asset_instances.shot_instances(session, caller, str(shot_id)))


@router.post(
    "/data/shots/{shot_id}/asset-instances",
    summary="Add shot asset instance",
    status_code=201,
    responses={**ERRORS, **NOT_FOUND},
)
async def add_shot_instance(shot_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, ShotInstanceBody)
    shot = await asset_instances.add_to_shot(session, caller, str(shot_id), str(body.asset_instance_id))
    return JSONResponse(shot, status_code=201)


@router.delete(
    "/data/shots/{shot_id}/asset-instances/{asset_instance_id}",
    summary="Remove shot asset instance",
    status_code=204,
    responses={**ERRORS, **NOT_FOUND},
)
async def remove_shot_instance(
    shot_id: uuid.UUID, asset_instance_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await asset_instances.remove_from_shot(session, caller, str(shot_id), str(asset_instance_id))
    return Response(status_code=204)
