"""The user's context: open projects, entities, task types and tasks as the logged-in person sees them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from app.core.responses import JSONResponse
from app.domain import user_context
from app.domain.entity_kinds import ASSET, SCENE, SEQUENCE, SHOT
from app.routers.deps import AppSettings, CurrentUser, DbSession

router = APIRouter(tags=["user-context"])


@router.get("/data/user/context", summary="Everything the client needs at login, for the caller")
async def context(session: DbSession, caller: CurrentUser, settings: AppSettings):
    return JSONResponse(await user_context.context(session, caller, settings))


@router.get("/data/user/projects/open", summary="Open projects of the caller's teams")
async def open_projects(session: DbSession, caller: CurrentUser, name: str | None = None):
    return JSONResponse(await user_context.open_projects(session, caller, name))


# --- to-do lists ---


@router.get("/data/user/tasks", summary="Tasks assigned to the caller, not done")
async def todos(session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.todos(session, caller))


@router.get("/data/user/done-tasks", summary="Tasks assigned to the caller, done")
async def done_tasks(session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.done_tasks(session, caller))


@router.get("/data/user/tasks-to-check", summary="Tasks waiting for the caller's feedback")
async def tasks_to_check(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.tasks_to_check(session, caller, request.query_params))


@router.get("/data/user/tasks-to-check/filter-values", summary="Filter values of the tasks to check")
async def tasks_to_check_filter_values(session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.tasks_to_check_filter_values(session, caller))


# --- per project ---


@router.get("/data/user/projects/{project_id}/asset-types", summary="Asset types the caller works on")
async def project_asset_types(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.project_asset_types(session, caller, str(project_id)))


@router.get(
    "/data/user/projects/{project_id}/asset-types/{asset_type_id}/assets",
    summary="Assets of a type the caller works on",
)
async def asset_type_assets(project_id: uuid.UUID, asset_type_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.asset_type_assets(session, caller, str(project_id), str(asset_type_id)))


@router.get("/data/user/projects/{project_id}/episodes", summary="Episodes the caller works on")
async def project_episodes(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.project_episodes(session, caller, str(project_id)))


@router.get("/data/user/projects/{project_id}/sequences", summary="Sequences the caller works on")
async def project_sequences(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.project_sequences(session, caller, str(project_id)))


# --- per sequence ---


@router.get("/data/user/sequences/{sequence_id}/shots", summary="Shots of a sequence the caller works on")
async def sequence_shots(sequence_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.sequence_children(session, caller, str(sequence_id), SHOT))


@router.get("/data/user/sequences/{sequence_id}/scenes", summary="Scenes of a sequence the caller works on")
async def sequence_scenes(sequence_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.sequence_children(session, caller, str(sequence_id), SCENE))


# --- per entity: the caller's tasks and their task types ---


@router.get("/data/user/assets/{asset_id}/tasks", summary="The caller's tasks on a asset")
async def asset_tasks(asset_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.entity_tasks(session, caller, ASSET, str(asset_id)))


@router.get("/data/user/assets/{asset_id}/task-types", summary="Task types of the caller's tasks on a asset")
async def asset_task_types(asset_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.entity_task_types(session, caller, ASSET, str(asset_id)))


@router.get("/data/user/shots/{shot_id}/tasks", summary="The caller's tasks on a shot")
async def shot_tasks(shot_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.entity_tasks(session, caller, SHOT, str(shot_id)))


@router.get("/data/user/shots/{shot_id}/task-types", summary="Task types of the caller's tasks on a shot")
async def shot_task_types(shot_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.entity_task_types(session, caller, SHOT, str(shot_id)))


@router.get("/data/user/scenes/{scene_id}/tasks", summary="The caller's tasks on a scene")
async def scene_tasks(scene_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.entity_tasks(session, caller, SCENE, str(scene_id)))


@router.get("/data/user/scenes/{scene_id}/task-types", summary="Task types of the caller's tasks on a scene")
async def scene_task_types(scene_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.entity_task_types(session, caller, SCENE, str(scene_id)))


@router.get("/data/user/sequences/{sequence_id}/tasks", summary="The caller's tasks on a sequence")
async def sequence_tasks(sequence_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.entity_tasks(session, caller, SEQUENCE, str(sequence_id)))


@router.get("/data/user/sequences/{sequence_id}/task-types", summary="Task types of the caller's tasks on a sequence")
async def sequence_task_types(sequence_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await user_context.entity_task_types(session, caller, SEQUENCE, str(sequence_id)))
