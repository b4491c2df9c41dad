"""Entities with their tasks: the `with-tasks` boards, per-entity tasks and task types,
task creation for an entity, and `POST /data/tasks`.

The boards answer conditional GETs (ETag, `If-None-Match` -> 304) and Kitsu's
`compact=true` / `stream=true` options for the shot and asset boards.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from app.core.responses import JSONResponse, dumps
from app.domain import entity_tasks
from app.domain.entity_kinds import ASSET, CONCEPT, EDIT, EPISODE, SCENE, SEQUENCE, SHOT
from app.domain.entity_tasks import Board
from app.routers.bodies import read_body
from app.routers.deps import CurrentUser, DbSession

router = APIRouter(tags=["entity-tasks"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id or filter"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not read this"},
    404: {"description": "Unknown entity or project"},
}
BOARD_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    304: {"description": "Not modified since the ETag given in If-None-Match"},
}
NDJSON = "application/x-ndjson"


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() == "true"


def _cache_headers(etag: str | None) -> dict[str, str]:
    return {"ETag": f'"{etag}"', "Cache-Control": "private, no-cache"} if etag else {}


def board_response(board: Board) -> Response:
    headers = _cache_headers(board.etag)
    if board.not_modified:
        return Response(status_code=304, headers=headers)
    if board.stream:
        header, rows = board.header, board.rows

        def lines() -> Iterator[bytes]:
            yield dumps(header) + b"\n"
            for row in rows:
                yield dumps(row) + b"\n"

        return StreamingResponse(lines(), media_type=NDJSON, headers=headers)
    return JSONResponse(board.body(), headers=headers)


# --- boards --------------------------------------------------------------------------

BoardReader = Callable[..., Awaitable[Board]]
ListReader = Callable[..., Awaitable[list[dict[str, Any]]]]


def _conditional_board(read: BoardReader) -> Callable[..., Awaitable[Response]]:
    async def endpoint(request: Request, session: DbSession, caller: CurrentUser) -> Response:
        board = await read(session, caller, request.query_params, request.headers.get("if-none-match"))
        return board_response(board)

    return endpoint


def _plain_board(read: ListReader) -> Callable[..., Awaitable[Response]]:
    async def endpoint(request: Request, session: DbSession, caller: CurrentUser) -> Response:
        return JSONResponse(await read(session, caller, request.query_params))

    return endpoint


BOARDS: tuple[tuple[str, Callable[..., Awaitable[Response]], str], ...] = (
    ("assets", _conditional_board(entity_tasks.assets_with_tasks), "Get assets with tasks"),
    ("shots", _conditional_board(entity_tasks.shots_with_tasks), "Get shots and tasks"),
    ("sequences", _plain_board(entity_tasks.sequences_with_tasks), "Get sequences and tasks"),
    ("episodes", _plain_board(entity_tasks.episodes_with_tasks), "Get episodes and tasks"),
    ("scenes", _plain_board(entity_tasks.scenes_with_tasks), "Get scenes and tasks"),
    ("edits", _plain_board(entity_tasks.edits_with_tasks), "Get edits and tasks"),
    ("concepts", _plain_board(entity_tasks.concepts_with_tasks), "Get concepts and tasks"),
)
for plural, endpoint, summary in BOARDS:
    router.add_api_route(
        f"/data/{plural}/with-tasks",
        endpoint,
        methods=["GET"],
        summary=summary,
        description="Each entity of the kind with its tasks nested; filters: project_id, episode_id, id.",
        responses=BOARD_RESPONSES,
        operation_id=f"{plural}_with_tasks",
    )


# --- one entity: tasks, task types, child tasks ----------------------------------------

# (kind, URL plural, path parameter, whether `?relations=true` adds the assignees)
KINDS: tuple[tuple[str, str, str, bool], ...] = (
    (ASSET, "assets", "asset_id", True),
    (SHOT, "shots", "shot_id", True),
    (SEQUENCE, "sequences", "sequence_id", True),
    (EPISODE, "episodes", "episode_id", False),
    (SCENE, "scenes", "scene_id", False),
    (EDIT, "edits", "edit_id", True),
    (CONCEPT, "concepts", "concept_id", True),
)


def _tasks_endpoint(kind: str, param: str, with_relations: bool):
    async def endpoint(
        entity_id: Annotated[uuid.UUID, Path(alias=param)], request: Request, session: DbSession, caller: CurrentUser
    ) -> Response:
        relations = with_relations and _flag(request, "relations")
        return JSONResponse(await entity_tasks.entity_tasks(session, caller, kind, str(entity_id), relations))

    return endpoint


def _task_types_endpoint(kind: str, param: str):
    async def endpoint(
        entity_id: Annotated[uuid.UUID, Path(alias=param)], session: DbSession, caller: CurrentUser
    ) -> Response:
        return JSONResponse(await entity_tasks.entity_task_types(session, caller, kind, str(entity_id)))

    return endpoint


def _child_tasks_endpoint(kind: str, param: str, children: str):
    async def endpoint(
        entity_id: Annotated[uuid.UUID, Path(alias=param)], request: Request, session: DbSession, caller: CurrentUser
    ) -> Response:
        relations = _flag(request, "relations")
        rows = await entity_tasks.child_tasks(session, caller, kind, str(entity_id), children, relations)
        return JSONResponse(rows)

    return endpoint


for kind, plural, param, with_relations in KINDS:
    router.add_api_route(
        f"/data/{plural}/{{{param}}}/tasks",
        _tasks_endpoint(kind, param, with_relations),
        methods=["GET"],
        summary=f"Get {kind.lower()} tasks",
        description="The tasks of the entity, with project, task type, status and entity names"
        + ("; `relations=true` adds the assignees." if with_relations else "."),
        responses=ERRORS,
        operation_id=f"{plural}_tasks",
    )
    router.add_api_route(
        f"/data/{plural}/{{{param}}}/task-types",
        _task_types_endpoint(kind, param),
        methods=["GET"],
        summary=f"Get {kind.lower()} task types",
        description="The task types for which the entity has tasks.",
        responses=ERRORS,
        operation_id=f"{plural}_task_types",
    )

CHILD_TASKS = (
    (SEQUENCE, "sequences", "sequence_id", "shot-tasks", SHOT, "Get sequence shot tasks"),
    (EPISODE, "episodes", "episode_id", "shot-tasks", SHOT, "Get episode shot tasks"),
    (EPISODE, "episodes", "episode_id", "asset-tasks", ASSET, "Get episode asset tasks"),
    (EPISODE, "episodes", "episode_id", "edit-tasks", EDIT, "Get episode edit tasks"),
)
for kind, plural, param, suffix, children, summary in CHILD_TASKS:
    router.add_api_route(
        f"/data/{plural}/{{{param}}}/{suffix}",
        _child_tasks_endpoint(kind, param, children),
        methods=["GET"],
        summary=summary,
        responses=ERRORS,
        operation_id=f"{plural}_{suffix.replace('-', '_')}",
    )


# --- entities in general ----------------------------------------------------------------


@router.get(
    "/data/entities/{entity_id}/entities-linked/with-tasks",
    summary="Get linked entities",
    description="The entities linked to the given one through concepts, each with its tasks.",
    responses=ERRORS,
)
async def linked_entities_with_tasks(entity_id: uuid.UUID, session: DbSession, caller: CurrentUser) -> Response:
    return JSONResponse(await entity_tasks.linked_entities_with_tasks(session, caller, str(entity_id)))


class EntityTasksBody(BaseModel):
    """Task types to create `main` tasks of; none means every type valid for the entity."""

    task_type_ids: list[str] = Field(default_factory=list)


@router.post(
    "/data/entities/{entity_id}/tasks",
    summary="Create tasks for an entity",
    status_code=201,
    responses={**ERRORS, 201: {"description": "The created tasks (existing ones are skipped)"}},
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": EntityTasksBody.model_json_schema()}}}},
)
async def create_entity_tasks(
    entity_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
) -> Response:
    body = await read_body(request, EntityTasksBody)
    created = await entity_tasks.create_entity_tasks(session, caller, str(entity_id), body.task_type_ids)
    return JSONResponse(created, status_code=201)


@router.post(
    "/data/tasks",
    summary="Create a Task",
    tags=["tasks"],
    status_code=201,
    responses={**ERRORS, 201: {"description": "The task, with its assignees"}},
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["entity_id", "task_type_id"],
                        "properties": {
                            "entity_id": {"type": "string", "format": "uuid"},
                            "task_type_id": {"type": "string", "format": "uuid"},
                            "task_status_id": {"type": "string", "format": "uuid"},
                            "name": {"type": "string", "default": "main"},
                            "assignees": {"type": "array", "items": {"type": "string", "format": "uuid"}},
                        },
                    }
                }
            }
        }
    },
)
async def create_task(request: Request, session: DbSession, caller: CurrentUser) -> Response:
    raw = await request.body()
    try:
        body = await request.json() if raw else None
    except ValueError:
        body = None
    return JSONResponse(await entity_tasks.create_task(session, caller, body), status_code=201)


router.add_api_route("/data/tasks/", create_task, methods=["POST"], status_code=201, include_in_schema=False)
