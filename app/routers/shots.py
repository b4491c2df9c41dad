"""Shots, sequences, episodes and scenes: listings, full rows, creation, shot updates, scene links.

Bodies are read as Zou reads them (a JSON object, else the query-string and form values)
and validated by the domain, which knows when Zou checks them: before anything else on
creation, after the access check on a shot update.

Item routes use the shared `item` path convertor (app/routers/paths.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from app.core.responses import JSONResponse
from app.domain import shots
from app.domain.entity_kinds import EPISODE, SCENE, SEQUENCE, SHOT
from app.routers import paths  # noqa: F401  (registers the `item` path convertor)
from app.routers.bodies import json_or_args
from app.routers.deps import CurrentUser, DbSession
from app.schemas.catalog import request_body
from app.schemas.entities import ERRORS, NOT_FOUND, EntityRead, VersionRow

router = APIRouter()


class FrameUpdate(BaseModel):
    id: str
    nb_frames: int


LIST = {200: {"model": list[EntityRead]}, **ERRORS}
ONE = {200: {"model": EntityRead}, **ERRORS, **NOT_FOUND}
LIST_OF_ONE = {200: {"model": list[EntityRead]}, **ERRORS, **NOT_FOUND}
FORM_OR_JSON = ("application/json", "application/x-www-form-urlencoded")


def _ok(content: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(content, status_code=status_code)


# --- collection listings (literal paths first) ---------------------------------------


@router.get("/data/shots", summary="Shots matching the filters", tags=["shots"], responses=LIST)
async def list_shots(request: Request, session: DbSession, caller: CurrentUser):
    return _ok(await shots.list_shots(session, caller, request.query_params))


@router.get("/data/shots/all", summary="Shots matching the filters (gazu's path)", tags=["shots"], responses=LIST)
async def list_all_shots(request: Request, session: DbSession, caller: CurrentUser):
    return _ok(await shots.list_shots(session, caller, request.query_params))


@router.get("/data/scenes/all", summary="Scenes matching the filters", tags=["scenes"], responses=LIST)
async def list_scenes(request: Request, session: DbSession, caller: CurrentUser):
    return _ok(await shots.list_scenes(session, caller, request.query_params))


@router.get("/data/episodes", summary="Episodes matching the filters", tags=["episodes"], responses=LIST)
async def list_episodes(request: Request, session: DbSession, caller: CurrentUser):
    return _ok(await shots.list_episodes(session, caller, request.query_params))


@router.get("/data/sequences", summary="Sequences matching the filters", tags=["sequences"], responses=LIST)
async def list_sequences(request: Request, session: DbSession, caller: CurrentUser):
    return _ok(await shots.list_sequences(session, caller, request.query_params))


# --- project listings and creation ------------------------------------------------------


def _project_routes(kind: str, segment: str, tag: str, schema: type[BaseModel], create) -> None:
    path = f"/data/projects/{{project_id}}/{segment}"

    async def list_for_project(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
        return _ok(await shots.project_entities(session, caller, str(project_id), kind))

    async def create_in_project(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
        row = await create(session, caller, str(project_id), await json_or_args(request, first_wins=True))
        return _ok(row, 201)

    router.add_api_route(
        path,
        list_for_project,
        methods=["GET"],
        summary=f"The {segment} of a production",
        tags=[tag],
        responses=LIST_OF_ONE,
        operation_id=f"project_{segment}",
    )
    router.add_api_route(
        path,
        create_in_project,
        methods=["POST"],
        status_code=201,
        summary=f"Create a {kind.lower()} in a production (or get the one of that name)",
        tags=[tag],
        responses={201: {"model": EntityRead}, **ERRORS, **NOT_FOUND},
        openapi_extra=request_body(schema, FORM_OR_JSON),
        operation_id=f"create_project_{kind.lower()}",
    )


_project_routes(SHOT, "shots", "shots", shots.NewShotSchema, shots.create_shot)
_project_routes(SEQUENCE, "sequences", "sequences", shots.NewSequenceSchema, shots.create_sequence)
_project_routes(EPISODE, "episodes", "episodes", shots.NewEpisodeSchema, shots.create_episode)
_project_routes(SCENE, "scenes", "scenes", shots.NewSceneSchema, shots.create_scene)


# --- shots -----------------------------------------------------------------------------------


@router.get(
    "/data/shots/{shot_id:item}",
    summary="A shot with its project, sequence and episode names and its tasks",
    tags=["shots"],
    responses=ONE,
)
async def get_shot(shot_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return _ok(await shots.get_shot(session, caller, str(shot_id)))


@router.put(
    "/data/shots/{shot_id:item}",
    summary="Update a shot (managers of its production)",
    tags=["shots"],
    responses=ONE,
    openapi_extra=request_body(shots.UpdateShotSchema, FORM_OR_JSON),
)
async def update_shot(shot_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    return _ok(await shots.update_shot(session, caller, str(shot_id), await json_or_args(request, first_wins=True)))


@router.get(
    "/data/shots/{shot_id:item}/versions",
    summary="Recorded versions of a shot, newest first",
    tags=["shots"],
    responses={200: {"model": list[VersionRow]}, **ERRORS, **NOT_FOUND},
)
async def shot_versions(shot_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return _ok(await shots.shot_versions(session, caller, str(shot_id)))


@router.post(
    "/actions/projects/{project_id}/task-types/{task_type_id}/set-shot-nb-frames",
    summary="Set shot frame counts from the newest previews of a task type",
    tags=["shots"],
    responses={200: {"model": list[FrameUpdate]}, **ERRORS, **NOT_FOUND},
)
async def set_shot_nb_frames(
    project_id: uuid.UUID,
    task_type_id: uuid.UUID,
    session: DbSession,
    caller: CurrentUser,
    episode_id: str | None = None,
):
    return _ok(await shots.set_shot_nb_frames(session, caller, str(project_id), str(task_type_id), episode_id))


# --- sequences ---------------------------------------------------------------------------------


@router.get(
    "/data/sequences/{sequence_id:item}",
    summary="A sequence with its project and episode names",
    tags=["sequences"],
    responses=ONE,
)
async def get_sequence(sequence_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return _ok(await shots.get_sequence(session, caller, str(sequence_id)))


@router.get(
    "/data/sequences/{sequence_id:item}/shots",
    summary="Shots of a sequence (filters allowed)",
    tags=["sequences"],
    responses=LIST_OF_ONE,
)
async def sequence_shots(sequence_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    return _ok(await shots.sequence_shots(session, caller, str(sequence_id), request.query_params))


@router.get(
    "/data/sequences/{sequence_id:item}/scenes",
    summary="Scenes of a sequence",
    tags=["sequences"],
    responses=LIST_OF_ONE,
)
async def sequence_scenes(sequence_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return _ok(await shots.sequence_scenes(session, caller, str(sequence_id)))


# --- episodes -----------------------------------------------------------------------------------


@router.get(
    "/data/episodes/{episode_id:item}",
    summary="An episode with its project name",
    tags=["episodes"],
    responses=ONE,
)
async def get_episode(episode_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return _ok(await shots.get_episode(session, caller, str(episode_id)))


@router.get(
    "/data/episodes/{episode_id:item}/sequences",
    summary="Sequences of an episode (filters allowed)",
    tags=["episodes"],
    responses=LIST_OF_ONE,
)
async def episode_sequences(episode_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    return _ok(await shots.episode_sequences(session, caller, str(episode_id), request.query_params))


@router.get(
    "/data/episodes/{episode_id:item}/shots",
    summary="Shots of an episode's sequences",
    tags=["episodes"],
    responses=LIST_OF_ONE,
)
async def episode_shots(episode_id: uuid.UUID, session: DbSession, caller: CurrentUser, relations: str = "false"):
    return _ok(await shots.episode_shots(session, caller, str(episode_id), relations.lower() == "true"))


# --- scenes ---------------------------------------------------------------------------------------


@router.get(
    "/data/scenes/{scene_id:item}",
    summary="A scene with its project, sequence and episode names",
    tags=["scenes"],
    responses=ONE,
)
async def get_scene(scene_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return _ok(await shots.get_scene(session, caller, str(scene_id)))


@router.get(
    "/data/scenes/{scene_id:item}/shots",
    summary="Shots whose source is the scene",
    tags=["scenes"],
    responses=LIST_OF_ONE,
)
async def scene_shots(scene_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return _ok(await shots.scene_shots(session, caller, str(scene_id)))


@router.post(
    "/data/scenes/{scene_id:item}/shots",
    summary="Make the scene the source of a shot",
    tags=["scenes"],
    status_code=201,
    responses={201: {"model": EntityRead}, **ERRORS, **NOT_FOUND},
    openapi_extra=request_body(shots.AddShotToSceneSchema, FORM_OR_JSON),
)
async def add_shot_to_scene(scene_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await json_or_args(request, first_wins=True)
    return _ok(await shots.add_shot_to_scene(session, caller, str(scene_id), body), 201)


@router.delete(
    "/data/scenes/{scene_id:item}/shots/{shot_id:item}",
    summary="Remove the scene as the source of a shot",
    tags=["scenes"],
    status_code=204,
    responses={**ERRORS, **NOT_FOUND},
)
async def remove_shot_from_scene(scene_id: uuid.UUID, shot_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await shots.remove_shot_from_scene(session, caller, str(scene_id), str(shot_id))
    return Response(status_code=204)
