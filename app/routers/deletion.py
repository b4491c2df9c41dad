"""Deleting production structure: projects, entities of every kind, batches (rules in app/domain/cascade.py)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response

from app.core.responses import JSONResponse
from app.domain import cascade
from app.domain.entity_kinds import ASSET, CONCEPT, CONCEPT_FOLDER, EDIT, EPISODE, SCENE, SEQUENCE, SHOT
from app.routers.deps import CurrentUser, DbSession

router = APIRouter()

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id, invalid body, or a deletion the data refuses"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not delete this"},
    404: {"description": "Unknown id"},
}
Force = Annotated[str | None, Query(description="`true` removes the dependents too (tasks, comments, files...)")]


def is_true(value: str | None) -> bool:
    return (value or "").lower() == "true"


def no_content() -> Response:
    return Response(status_code=204)


async def json_or_none(request: Request) -> Any:
    """The JSON body, or None when there is none or it does not parse (Zou reads it silently)."""
    raw = await request.body()
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


@router.post(
    "/actions/projects/{project_id}/delete-entities",
    summary="Delete entities batch",
    tags=["entities"],
    responses={200: {"description": "The ids of the entities removed or canceled"}, **ERRORS},
)
async def delete_entities(
    project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, force: Force = None
) -> Response:
    body = await json_or_none(request)
    done = await cascade.delete_entities(session, caller, str(project_id), body, is_true(force))
    return JSONResponse(done)


@router.delete(
    "/data/projects/{instance_id}", summary="Delete project", tags=["projects"], status_code=204, responses=ERRORS
)
async def delete_project(
    instance_id: uuid.UUID, session: DbSession, caller: CurrentUser, force: Force = None
) -> Response:
    await cascade.delete_project(session, caller, str(instance_id), is_true(force))
    return no_content()


@router.delete(
    "/data/entities/{instance_id}", summary="Delete entity", tags=["entities"], status_code=204, responses=ERRORS
)
async def delete_entity(instance_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    await cascade.delete_any_entity(session, caller, str(instance_id))
    return no_content()


@router.delete("/data/assets/{asset_id}", summary="Delete asset", tags=["assets"], status_code=204, responses=ERRORS)
async def delete_asset(asset_id: uuid.UUID, session: DbSession, caller: CurrentUser, force: Force = None) -> Response:
    await cascade.delete_entity(session, caller, ASSET, str(asset_id), is_true(force))
    return no_content()


@router.delete("/data/shots/{shot_id}", summary="Delete shot", tags=["shots"], status_code=204, responses=ERRORS)
async def delete_shot(shot_id: uuid.UUID, session: DbSession, caller: CurrentUser, force: Force = None) -> Response:
    await cascade.delete_entity(session, caller, SHOT, str(shot_id), is_true(force))
    return no_content()


@router.delete(
    "/data/sequences/{sequence_id}", summary="Delete sequence", tags=["shots"], status_code=204, responses=ERRORS
)
async def delete_sequence(
    sequence_id: uuid.UUID, session: DbSession, caller: CurrentUser, force: Force = None
) -> Response:
    await cascade.delete_entity(session, caller, SEQUENCE, str(sequence_id), is_true(force))
    return no_content()


@router.delete(
    "/data/episodes/{episode_id}", summary="Delete episode", tags=["shots"], status_code=204, responses=ERRORS
)
async def delete_episode(
    episode_id: uuid.UUID, session: DbSession, caller: CurrentUser, force: Force = None
) -> Response:
    await cascade.delete_entity(session, caller, EPISODE, str(episode_id), is_true(force))
    return no_content()


@router.delete("/data/scenes/{scene_id}", summary="Delete scene", tags=["shots"], status_code=204, responses=ERRORS)
async def delete_scene(scene_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    await cascade.delete_entity(session, caller, SCENE, str(scene_id), False)
    return no_content()


@router.delete("/data/edits/{edit_id}", summary="Delete edit", tags=["edits"], status_code=204, responses=ERRORS)
async def delete_edit(edit_id: uuid.UUID, session: DbSession, caller: CurrentUser, force: Force = None) -> Response:
    await cascade.delete_entity(session, caller, EDIT, str(edit_id), is_true(force))
    return no_content()


@router.delete(
    "/data/concepts/{concept_id}", summary="Delete concept", tags=["concepts"], status_code=204, responses=ERRORS
)
async def delete_concept(
    concept_id: uuid.UUID, session: DbSession, caller: CurrentUser, force: Force = None
) -> Response:
    await cascade.delete_entity(session, caller, CONCEPT, str(concept_id), is_true(force))
    return no_content()


@router.delete(
    "/data/concept-folders/{concept_folder_id}",
    summary="Delete concept folder",
    tags=["concepts"],
    status_code=204,
    responses=ERRORS,
)
async def delete_concept_folder(concept_folder_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    await cascade.delete_entity(session, caller, CONCEPT_FOLDER, str(concept_folder_id), False)
    return no_content()
