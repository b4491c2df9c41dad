"""Entity chats and the user's search filters (the `chats`/`chat-messages` CRUD comes from the registry)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.core.responses import JSONResponse
from app.domain import chats, search_filters
from app.routers.bodies import read_body
from app.routers.deps import CurrentUser, DbSession

router = APIRouter(tags=["chats"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id or invalid body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
    404: {"description": "Unknown entity, message, filter or filter group"},
}


class ChatMessageBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    message: str


class CreateFilterBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(..., min_length=1)
    query: str = Field(..., min_length=1)
    list_type: str = "todo"
    project_id: uuid.UUID | None = None
    entity_type: str | None = None
    is_shared: bool | None = False
    search_filter_group_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None


class UpdateFilterBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = None
    search_query: str | None = None
    search_filter_group_id: uuid.UUID | None = None
    is_shared: bool | None = None
    project_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None


class CreateFilterGroupBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(..., min_length=1)
    color: str | None = ""
    list_type: str = "todo"
    project_id: uuid.UUID | None = None
    is_shared: bool | None = False
    entity_type: str | None = None
    department_id: uuid.UUID | None = None


class UpdateFilterGroupBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = None
    color: str | None = None
    is_shared: bool | None = None
    project_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {key: str(value) if isinstance(value, uuid.UUID) else value for key, value in data.items()}


# --- chats ---------------------------------------------------------------------------------------


@router.get("/data/user/chats", summary="Chats the caller takes part in", responses=ERRORS)
async def user_chats(session: DbSession, caller: CurrentUser):
    return JSONResponse(await chats.my_chats(session, caller))


@router.post("/actions/user/chats/{entity_id}/join", summary="Join an entity's chat", responses=ERRORS)
async def join_chat(entity_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await chats.join(session, caller, str(entity_id)))


@router.delete(
    "/actions/user/chats/{entity_id}/join", summary="Leave an entity's chat", status_code=204, responses=ERRORS
)
async def leave_chat(entity_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await chats.leave(session, caller, str(entity_id))
    return Response(status_code=204)


@router.get("/data/entities/{entity_id}/chat", summary="An entity's chat", responses=ERRORS)
async def entity_chat(entity_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await chats.get_chat(session, caller, str(entity_id)))


@router.get("/data/entities/{entity_id}/chat/messages", summary="Messages of an entity's chat", responses=ERRORS)
async def entity_chat_messages(entity_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await chats.list_messages(session, caller, str(entity_id)))


@router.post(
    "/data/entities/{entity_id}/chat/messages",
    summary="Post in an entity's chat",
    status_code=201,
    responses=ERRORS,
)
async def post_chat_message(entity_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, ChatMessageBody)
    return JSONResponse(await chats.post_message(session, caller, str(entity_id), body.message), status_code=201)


@router.get("/data/entities/{entity_id}/chat/messages/{chat_message_id}", summary="A chat message", responses=ERRORS)
async def entity_chat_message(
    entity_id: uuid.UUID, chat_message_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    return JSONResponse(await chats.get_message(session, caller, str(entity_id), str(chat_message_id)))


@router.delete(
    "/data/entities/{entity_id}/chat/messages/{chat_message_id}",
    summary="Delete a chat message",
    status_code=204,
    responses=ERRORS,
)
async def delete_chat_message(
    entity_id: uuid.UUID, chat_message_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await chats.delete_message(session, caller, str(entity_id), str(chat_message_id))
    return Response(status_code=204)


# --- search filters ------------------------------------------------------------------------------


@router.get("/data/user/filters", summary="The caller's search filters", responses=ERRORS)
async def user_filters(session: DbSession, caller: CurrentUser):
    return JSONResponse(await search_filters.list_filters(session, caller))


@router.post("/data/user/filters", summary="Save a search filter", status_code=201, responses=ERRORS)
async def create_user_filter(request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, CreateFilterBody)
    return JSONResponse(await search_filters.create_filter(session, caller, _plain(body.model_dump())), status_code=201)


@router.put("/data/user/filters/{filter_id}", summary="Change a search filter", responses=ERRORS)
async def update_user_filter(filter_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, UpdateFilterBody)
    data = _plain(body.model_dump(exclude_none=True))
    if "search_filter_group_id" in body.model_fields_set:
        data["search_filter_group_id"] = _plain({"v": body.search_filter_group_id})["v"]
    return JSONResponse(await search_filters.update_filter(session, caller, str(filter_id), data))


@router.delete("/data/user/filters/{filter_id}", summary="Remove a search filter", status_code=204, responses=ERRORS)
async def delete_user_filter(filter_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await search_filters.delete_filter(session, caller, str(filter_id))
    return Response(status_code=204)


@router.get("/data/user/filter-groups", summary="The caller's search filter groups", responses=ERRORS)
async def user_filter_groups(session: DbSession, caller: CurrentUser):
    return JSONResponse(await search_filters.list_groups(session, caller))


@router.post("/data/user/filter-groups", summary="Save a search filter group", status_code=201, responses=ERRORS)
async def create_user_filter_group(request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, CreateFilterGroupBody)
    return JSONResponse(await search_filters.create_group(session, caller, _plain(body.model_dump())), status_code=201)


@router.get("/data/user/filter-groups/{filter_group_id}", summary="A search filter group", responses=ERRORS)
async def user_filter_group(filter_group_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await search_filters.get_group(session, caller, str(filter_group_id)))


@router.put("/data/user/filter-groups/{filter_group_id}", summary="Change a search filter group", responses=ERRORS)
async def update_user_filter_group(
    filter_group_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, UpdateFilterGroupBody)
    data = _plain(body.model_dump(exclude_none=True))
    return JSONResponse(await search_filters.update_group(session, caller, str(filter_group_id), data))


@router.delete(
    "/data/user/filter-groups/{filter_group_id}",
    summary="Remove a search filter group and its filters",
    status_code=204,
    responses=ERRORS,
)
async def delete_user_filter_group(filter_group_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await search_filters.delete_group(session, caller, str(filter_group_id))
    return Response(status_code=204)
