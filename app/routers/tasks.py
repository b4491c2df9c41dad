"""Tasks: bulk creation and deletion, assignment, priorities, open tasks, a person's tasks, the full task."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from app.core.errors import WrongParameter
from app.core.responses import JSONResponse
from app.domain import tasks
from app.domain.entity_kinds import ASSET, CONCEPT, EDIT, SHOT
from app.routers.bodies import read_body
from app.routers.catalog import json_or_none
from app.routers.deps import CurrentUser, DbSession

router = APIRouter(tags=["tasks"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id or invalid body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
    404: {"description": "Unknown id"},
}


class AssignPersonBody(BaseModel):
    person_id: str = Field(min_length=1, description="The person to assign")


class TaskIdsBody(BaseModel):
    task_ids: list[str] = Field(min_length=1, description="Tasks list required.")


class UnassignBody(TaskIdsBody):
    person_id: str | None = None


class PriorityBody(TaskIdsBody):
    priority: int = Field(ge=0, description="Priority to set.")


# --- literal paths first ---------------------------------------------------------------------------


@router.get("/data/tasks/open-tasks", summary="Get open tasks", responses=ERRORS)
async def open_tasks(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await tasks.open_tasks(session, caller, request.query_params))


@router.get("/data/tasks/open-tasks/stats", summary="Get open tasks stats", responses=ERRORS)
async def open_tasks_stats(session: DbSession, caller: CurrentUser):
    return JSONResponse(await tasks.open_tasks_stats(session, caller))


@router.get("/data/tasks/open-tasks/burndown", summary="Get open tasks burndown", responses=ERRORS)
async def open_tasks_burndown(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await tasks.open_tasks_burndown(session, caller, request.query_params))


@router.get("/data/persons/task-dates", summary="Get persons tasks dates", responses=ERRORS)
async def persons_task_dates(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await tasks.persons_task_dates(session, caller, request.query_params.get("project_id")))


@router.put("/actions/tasks/clear-assignation", summary="Clear task assignations", responses=ERRORS)
async def clear_assignation(request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, UnassignBody)
    return JSONResponse(await tasks.clear_assignation(session, caller, body.task_ids, body.person_id))


@router.put("/actions/tasks/set-priority", summary="Set tasks priority", responses=ERRORS)
async def set_priority(request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, PriorityBody)
    return JSONResponse(await tasks.set_priority(session, caller, body.task_ids, body.priority))


# --- one task --------------------------------------------------------------------------------------


@router.get("/data/tasks/{task_id}/full", summary="Get task full", responses=ERRORS)
async def full_task(task_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await tasks.full_task(session, caller, str(task_id)))


@router.put("/actions/tasks/{task_id}/assign", summary="Assign task to person", responses=ERRORS)
async def assign_task(task_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, AssignPersonBody)
    return JSONResponse(await tasks.assign_task(session, caller, str(task_id), body.person_id))


@router.put("/actions/persons/{person_id}/assign", summary="Assign tasks to person", responses=ERRORS)
async def assign_tasks(person_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, TaskIdsBody)
    return JSONResponse(await tasks.assign_tasks(session, caller, str(person_id), body.task_ids))


# --- a person's tasks --------------------------------------------------------------------------------


@router.get("/data/persons/{person_id}/tasks", summary="Get person open tasks", responses=ERRORS)
async def person_tasks(person_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await tasks.person_tasks(session, caller, str(person_id), done=False))


@router.get("/data/persons/{person_id}/done-tasks", summary="Get person done tasks", responses=ERRORS)
async def person_done_tasks(person_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await tasks.person_tasks(session, caller, str(person_id), done=True))


@router.get(
    "/data/persons/{person_id}/related-tasks/{task_type_id}", summary="Get person tasks for type", responses=ERRORS
)
async def person_related_tasks(person_id: uuid.UUID, task_type_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await tasks.related_tasks(session, caller, str(person_id), str(task_type_id)))


# --- project and entity listings ---------------------------------------------------------------------


@router.get("/data/projects/{project_id}/tasks", summary="Get project tasks", responses=ERRORS)
async def project_tasks(
    project_id: uuid.UUID,
    session: DbSession,
    caller: CurrentUser,
    page: Annotated[str | None, Query(description="Page number (100 per page)")] = None,
    task_type_id: Annotated[uuid.UUID | None, Query()] = None,
    episode_id: Annotated[uuid.UUID | None, Query()] = None,
):
    try:
        page_number = int(page) if page is not None else -1
    except ValueError:
        raise WrongParameter("page must be an integer.") from None
    result = await tasks.project_tasks(
        session,
        caller,
        str(project_id),
        page_number,
        str(task_type_id) if task_type_id else None,
        str(episode_id) if episode_id else None,
    )
    return JSONResponse(result)


@router.get(
    "/data/entities/{entity_id}/task-types/{task_type_id}/tasks",
    summary="Get tasks for entity and type",
    responses=ERRORS,
)
async def entity_task_type_tasks(
    entity_id: uuid.UUID, task_type_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    return JSONResponse(await tasks.entity_task_type_tasks(session, caller, str(entity_id), str(task_type_id)))


# --- bulk creation and deletion ------------------------------------------------------------------------


def _creation_route(kind: str, path: str, summary: str) -> None:
    async def create(
        project_id: uuid.UUID, task_type_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
    ):
        body = await json_or_none(request)
        rows = await tasks.create_tasks(session, caller, str(project_id), str(task_type_id), kind, body)
        return JSONResponse(rows, status_code=201)

    router.add_api_route(
        path, create, methods=["POST"], summary=summary, status_code=201, responses=ERRORS, name=f"create_{kind}_tasks"
    )


_BASE = "/actions/projects/{project_id}/task-types/{task_type_id}"
_creation_route(ASSET, _BASE + "/assets/create-tasks", "Create asset tasks")
_creation_route(SHOT, _BASE + "/shots/create-tasks", "Create shot tasks")
_creation_route(EDIT, _BASE + "/edits/create-tasks", "Create edit tasks")
_creation_route(CONCEPT, _BASE + "/concepts/create-tasks", "Create concept tasks")


@router.post(_BASE + "/create-tasks/{entity_type}", summary="Create entity tasks", status_code=201, responses=ERRORS)
async def create_entity_tasks(
    project_id: uuid.UUID,
    task_type_id: uuid.UUID,
    entity_type: str,
    request: Request,
    session: DbSession,
    caller: CurrentUser,
):
    body = await json_or_none(request)
    episode_id = request.query_params.get("episode_id")
    rows = await tasks.create_tasks(
        session, caller, str(project_id), str(task_type_id), entity_type, body, episode_id=episode_id, named=True
    )
    return JSONResponse(rows, status_code=201)


@router.post("/actions/projects/{project_id}/delete-tasks", summary="Delete tasks batch", responses=ERRORS)
async def delete_tasks(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await json_or_none(request)
    return JSONResponse(await tasks.delete_tasks(session, caller, str(project_id), body))


@router.delete(_BASE + "/delete-tasks", summary="Delete tasks for type", status_code=204, responses=ERRORS)
async def delete_tasks_for_type(
    project_id: uuid.UUID, task_type_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await tasks.delete_tasks_for_type(session, caller, str(project_id), str(task_type_id))
    return Response(status_code=204)
