"""Casting (breakdown) routes, entity links of a project, and episode statistics.

The CRUD of `/data/entity-links` comes from the registry (app/domain/casting_collections.py).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from app.core.errors import MALFORMED_ID, WrongParameter
from app.core.responses import JSONResponse
from app.domain import casting, episode_stats
from app.routers.bodies import validation_failure
from app.routers.deps import CurrentUser, DbSession

router = APIRouter(tags=["casting"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id or invalid body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
    404: {"description": "Unknown project, entity, asset or link"},
}
UNREADABLE_BODY = "The browser (or proxy) sent a request that this server could not understand."
NOT_A_LIST = "Request body must be a JSON array"
NOT_A_MAPPING = "Request body must be a JSON object mapping entity ids to casting arrays"


class CastingEntry(BaseModel):
    """One asset of a casting: the asset, how many times it appears, a label."""

    model_config = ConfigDict(extra="ignore")

    asset_id: uuid.UUID
    nb_occurences: int = Field(default=1, ge=0)
    label: str = ""


class CastAssetBody(BaseModel):
    """Cast one asset in several entities at once."""

    model_config = ConfigDict(extra="ignore")

    entity_ids: list[uuid.UUID] = Field(..., min_length=1, description="Entities to cast the asset in")
    nb_occurences: int | None = Field(
        default=None, ge=0, description="Number of occurrences; 0 uncasts the asset, omitted keeps the current one"
    )
    label: str | None = Field(default=None, description="Casting label; omitted keeps the current one")


CASTING_ENTRIES = TypeAdapter(list[CastingEntry])


class LooseBodyError(WrongParameter):
    """Zou's plain 400 for a body of the wrong shape (no `data` key)."""

    def body(self) -> dict:
        return {"error": True, "message": self.message}


async def json_body(request: Request) -> Any:
    """The parsed JSON body; None when there is none; a 400 when it does not parse."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise LooseBodyError(UNREADABLE_BODY) from None


def episode_param(episode_id: str) -> str:
    """An episode id, or Zou's special episode names "main" and "all"."""
    if episode_id in (casting.MAIN_EPISODE, casting.ALL_EPISODES):
        return episode_id
    try:
        return str(uuid.UUID(episode_id))
    except ValueError:
        raise WrongParameter(MALFORMED_ID) from None


def integer_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise WrongParameter(f"{name} must be an integer.") from None


def request_body(model: Any) -> dict[str, Any]:
    schema = model.json_schema() if isinstance(model, TypeAdapter) else model.model_json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


# --- assets and shots ---------------------------------------------------------------


@router.get("/data/assets/{asset_id}/assets", summary="Get linked assets", responses=ERRORS)
async def linked_assets(asset_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await casting.linked_assets(session, caller, str(asset_id)))


@router.get("/data/assets/{asset_id}/cast-in", summary="Get shots casting asset", responses=ERRORS)
async def asset_cast_in(asset_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await casting.asset_cast_in(session, caller, str(asset_id)))


@router.get("/data/assets/{asset_id}/casting", summary="Get asset casting", responses=ERRORS)
async def asset_casting(asset_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await casting.asset_casting(session, caller, str(asset_id)))


@router.put(
    "/data/assets/{asset_id}/casting",
    summary="Update asset casting",
    responses=ERRORS,
    openapi_extra=request_body(CASTING_ENTRIES),
)
async def update_asset_casting(asset_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    payload = await json_body(request)
    if not isinstance(payload, list):
        raise WrongParameter("Request body must be a JSON array.")
    try:
        entries = CASTING_ENTRIES.validate_python(payload)
    except ValidationError as exc:
        raise validation_failure(exc) from None
    parsed = [casting.Entry(str(e.asset_id), e.nb_occurences, e.label) for e in entries]
    return JSONResponse(await casting.update_asset_casting(session, caller, str(asset_id), parsed))


@router.get("/data/shots/{shot_id}/asset-types", summary="Get shot asset types", responses=ERRORS)
async def shot_asset_types(shot_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await casting.shot_asset_types(session, caller, str(shot_id)))


@router.get("/data/shots/{shot_id}/assets", summary="Get shot assets", responses=ERRORS)
async def shot_assets(shot_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await casting.shot_assets(session, caller, str(shot_id)))


# --- project castings -------------------------------------------------------------------


@router.get(
    "/data/projects/{project_id}/asset-types/{asset_type_id}/casting",
    summary="Get asset type casting",
    responses=ERRORS,
)
async def asset_type_casting(project_id: uuid.UUID, asset_type_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await casting.asset_type_casting(session, caller, str(project_id), str(asset_type_id)))


@router.get(
    "/data/projects/{project_id}/assets/shared-used",
    summary="Get shared assets used in project",
    responses=ERRORS,
)
async def shared_assets_used(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await casting.shared_assets_used(session, caller, str(project_id)))


@router.put(
    "/data/projects/{project_id}/entities/casting",
    summary="Update several entity castings",
    responses=ERRORS,
    openapi_extra=request_body(TypeAdapter(dict[uuid.UUID, list[dict[str, Any]]])),
)
async def update_castings(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    payload = await json_body(request)
    if not isinstance(payload, dict) or not all(isinstance(value, list) for value in payload.values()):
        raise LooseBodyError(NOT_A_MAPPING)
    castings: dict[str, list[Any]] = {}
    for key, value in payload.items():
        try:
            castings[str(uuid.UUID(key))] = value
        except ValueError:
            raise WrongParameter(MALFORMED_ID) from None
    await casting.update_castings(session, caller, str(project_id), castings)
    return JSONResponse(payload)  # each casting as sent, under the id as sent


@router.put(
    "/data/projects/{project_id}/entities/casting/assets/{asset_id}",
    summary="Cast one asset in several entities",
    responses=ERRORS,
    openapi_extra=request_body(CastAssetBody),
)
async def cast_asset(
    project_id: uuid.UUID, asset_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    payload = await json_body(request)
    if payload is None:
        payload = dict(request.query_params)
    try:
        body = CastAssetBody.model_validate(payload)
    except ValidationError as exc:
        raise validation_failure(exc) from None
    result = await casting.cast_asset(
        session,
        caller,
        str(project_id),
        str(asset_id),
        [str(entity_id) for entity_id in body.entity_ids],
        body.nb_occurences,
        body.label,
    )
    return JSONResponse(result)


@router.get(
    "/data/projects/{project_id}/entities/{entity_id}/casting",
    summary="Get entity casting",
    responses=ERRORS,
)
async def entity_casting(project_id: uuid.UUID, entity_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await casting.entity_casting(session, caller, str(project_id), str(entity_id)))


@router.put(
    "/data/projects/{project_id}/entities/{entity_id}/casting",
    summary="Update entity casting",
    responses=ERRORS,
    openapi_extra=request_body(TypeAdapter(list[CastingEntry])),
)
async def update_entity_casting(
    project_id: uuid.UUID, entity_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    payload = await json_body(request)
    if not isinstance(payload, list):
        raise LooseBodyError(NOT_A_LIST)
    return JSONResponse(await casting.update_entity_casting(session, caller, str(project_id), str(entity_id), payload))


@router.get(
    "/data/projects/{project_id}/entity-links",
    summary="Get project entity links",
    responses=ERRORS,
)
async def project_entity_links(
    project_id: uuid.UUID,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    page: Annotated[str | None, Query(description="Page number (from 1); answers a page object")] = None,
    limit: Annotated[str | None, Query(description="Page size, or the number of links without a page")] = None,
    cursor_created_at: Annotated[
        str | None, Query(description="Only links created after this date (YYYY-MM-DDTHH:MM:SS.ffffff)")
    ] = None,
):
    result = await casting.project_entity_links(
        session,
        caller,
        str(project_id),
        page=integer_param(request, "page", -1),
        limit=integer_param(request, "limit", 0),
        cursor_created_at=cursor_created_at,
    )
    return JSONResponse(result)


@router.delete(
    "/data/projects/{project_id}/entity-links/{entity_link_id}",
    summary="Delete entity link",
    responses=ERRORS,
)
async def delete_project_entity_link(
    project_id: uuid.UUID, entity_link_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    return JSONResponse(await casting.delete_project_entity_link(session, caller, str(project_id), str(entity_link_id)))


@router.get("/data/projects/{project_id}/episodes/casting", summary="Get episodes casting", responses=ERRORS)
async def episodes_casting(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await casting.episodes_casting(session, caller, str(project_id)))


@router.get(
    "/data/projects/{project_id}/episodes/retake-stats",
    summary="Get episode retake stats",
    responses=ERRORS,
)
async def episode_retake_stats(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await episode_stats.episode_retake_stats(session, caller, str(project_id)))


@router.get("/data/projects/{project_id}/episodes/stats", summary="Get episode stats", responses=ERRORS)
async def episode_task_stats(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await episode_stats.episode_stats(session, caller, str(project_id)))


@router.get(
    "/data/projects/{project_id}/episodes/{episode_id}/assets/shared-used",
    summary="Get shared assets used in episode",
    responses=ERRORS,
)
async def episode_shared_assets_used(project_id: uuid.UUID, episode_id: str, session: DbSession, caller: CurrentUser):
    episode = episode_param(episode_id)
    return JSONResponse(await casting.shared_assets_used(session, caller, str(project_id), episode))


@router.get(
    "/data/projects/{project_id}/episodes/{episode_id}/sequences/all/casting",
    summary="Get episode shots casting",
    responses=ERRORS,
)
async def episode_shots_casting(project_id: uuid.UUID, episode_id: str, session: DbSession, caller: CurrentUser):
    episode = episode_param(episode_id)
    return JSONResponse(await casting.shots_casting(session, caller, str(project_id), episode))


@router.get(
    "/data/projects/{project_id}/sequences/all/casting",
    summary="Get project shots casting",
    description="Casting of the shots of every sequence of the project: `{shot_id: [asset entries]}`.",
    responses=ERRORS,
)
async def project_shots_casting(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await casting.shots_casting(session, caller, str(project_id)))


@router.get(
    "/data/projects/{project_id}/sequences/{sequence_id}/casting",
    summary="Get sequence shots casting",
    responses=ERRORS,
)
async def sequence_casting(project_id: uuid.UUID, sequence_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await casting.sequence_casting(session, caller, str(project_id), str(sequence_id)))
