"""Catalogue actions beyond CRUD: reordering task types, linking task types and statuses to projects.

These routes read their bodies themselves rather than through a Pydantic parameter:
Zou's clients send some of them as query strings or forms, and the order of the
checks (permission before body, 415 on a non-JSON body) is part of the contract.
The Pydantic models in app.schemas.catalog still document them in OpenAPI.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request

from app.core.responses import JSONResponse
from app.domain import links
from app.domain.permissions import require_admin
from app.routers.deps import CurrentUser, DbSession
from app.schemas.catalog import (
    ProjectTaskStatusLinkRead,
    ProjectTaskTypeLinkRead,
    TaskStatusLinkBody,
    TaskTypeLinkBody,
    TaskTypeRead,
    TaskTypeReorderBody,
    request_body,
)

router = APIRouter(tags=["task-types"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad body or parameter"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
}
NOT_JSON = "The request Content-Type must be application/json."
BAD_JSON = "The request body is not valid JSON."


def is_json(request: Request) -> bool:
    mimetype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


async def json_or_none(request: Request) -> Any:
    """The JSON body when the request declares one and it parses; None otherwise."""
    if not is_json(request):
        return None
    raw = await request.body()
    try:
        return orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return None


async def request_args(request: Request) -> list[tuple[str, Any]]:
    """Query-string and form values, in that order, as (name, value) pairs (names may repeat)."""
    pairs: list[tuple[str, Any]] = list(request.query_params.multi_items())
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        pairs.extend((k, v) for k, v in form.multi_items() if isinstance(v, str))
    return pairs


async def link_args(request: Request) -> links.LinkArgs:
    """Zou's argument lookup: query string and form values win over the JSON object body."""
    body = await json_or_none(request)
    return links.LinkArgs(await request_args(request), body if isinstance(body, dict) else {})


async def admin_first(caller: CurrentUser) -> None:
    """Refuse non-admins before the body is even read (Zou's order: permission, then body)."""
    require_admin(caller)


@router.post(
    "/actions/task-types/reorder",
    summary="Set task type priorities from their order in a list",
    dependencies=[Depends(admin_first)],
    responses={200: {"model": list[TaskTypeRead]}, 415: {"description": "Body is not JSON"}, **ERRORS},
    openapi_extra=request_body(TaskTypeReorderBody),
)
async def reorder_task_types(request: Request, session: DbSession, caller: CurrentUser):
    if not is_json(request):
        return JSONResponse({"error": True, "message": NOT_JSON}, status_code=415)
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return JSONResponse({"error": True, "message": BAD_JSON}, status_code=400)
    return JSONResponse(await links.reorder_task_types(session, caller, body))


for _path in ("/data/task-type-links", "/data/task-type-links/"):

    @router.post(
        _path,
        summary="Link a task type to a project (or update the link's priority)",
        status_code=201,
        responses={201: {"model": ProjectTaskTypeLinkRead}, 404: {"description": "Unknown project"}, **ERRORS},
        openapi_extra=request_body(TaskTypeLinkBody, ("application/json", "application/x-www-form-urlencoded")),
        include_in_schema=not _path.endswith("/"),
        operation_id=f"create_task_type_link_{int(not _path.endswith('/'))}",
    )
    async def create_task_type_link(request: Request, session: DbSession, caller: CurrentUser):
        row = await links.link_task_type(session, caller, await link_args(request))
        return JSONResponse(row, status_code=201)

    @router.post(
        _path.replace("task-type", "task-status"),
        summary="Link a task status to a project (or update the link's priority and board roles)",
        status_code=201,
        responses={201: {"model": ProjectTaskStatusLinkRead}, 404: {"description": "Unknown project"}, **ERRORS},
        openapi_extra=request_body(TaskStatusLinkBody, ("application/json", "application/x-www-form-urlencoded")),
        include_in_schema=not _path.endswith("/"),
        operation_id=f"create_task_status_link_{int(not _path.endswith('/'))}",
    )
    async def create_task_status_link(request: Request, session: DbSession, caller: CurrentUser):
        row = await links.link_task_status(session, caller, await link_args(request))
        return JSONResponse(row, status_code=201)
