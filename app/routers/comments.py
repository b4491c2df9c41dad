"""Posting comments: status changes, automations, comment-many, client comment copies, moves, deletion."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from app.core.errors import PermissionDenied, WrongParameter
from app.core.responses import JSONResponse
from app.domain import attachments, comments
from app.domain.permissions import ADMIN, MANAGER
from app.routers.bodies import read_body, validation_failure
from app.routers.catalog import json_or_none
from app.routers.deps import CurrentUser, DbSession, FileStorage
from app.routers.uploads import receive_uploads

router = APIRouter(tags=["comments"])


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CommentBody(Body):
    """Zou's comment body; sent as JSON, or as a form when files come along (then
    `checklist` and `links` are JSON-encoded strings)."""

    task_status_id: str
    comment: str = ""
    person_id: str = Field("", description="Author (managers only)")
    created_at: str = Field("", description="Creation date (managers only)")
    checklist: list = Field(default_factory=list)
    links: list = Field(default_factory=list)
    for_client: bool = Field(False, description="Visible to clients (managers only)")

    @field_validator("checklist", "links", mode="before")
    @classmethod
    def decode_json_strings(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return orjson.loads(value) if value else []
        return value


class BatchCommentItem(Body):
    object_id: uuid.UUID | None = None
    task_status_id: uuid.UUID | None = None
    comment: str | None = None
    links: list[str] = Field(default_factory=list)


class CopyClientCommentsBody(Body):
    task_ids: list[uuid.UUID] = Field(..., min_length=1)
    prefix: str = ""


class MoveCommentBody(Body):
    target_task_id: str


@router.post("/actions/tasks/{task_id}/comment", status_code=201)
async def comment_task(
    task_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser, storage: FileStorage
):
    uploads = []
    if "multipart/form-data" in request.headers.get("content-type", ""):
        uploads, _ = await receive_uploads(request)  # size-limited; the form is then read from cache
    body = await read_body(request, CommentBody)
    row = await comments.post_task_comment(
        session,
        caller,
        str(task_id),
        task_status_id=body.task_status_id,
        text=body.comment,
        person_id=body.person_id,
        created_at=body.created_at,
        checklist=body.checklist,
        links=body.links,
        for_client=body.for_client,
    )
    if uploads:  # files posted with the comment are its attachments
        row["attachment_files"] = await attachments.attach_to_new_comment(session, storage, row, uploads)
    return JSONResponse(row, status_code=201)


@router.post("/actions/projects/{project_id}/tasks/comment-many", status_code=201)
async def comment_many(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    payload = await json_or_none(request)
    if not isinstance(payload, list):
        raise WrongParameter("Request body must be a JSON array.")
    try:
        items = TypeAdapter(list[BatchCommentItem]).validate_python(payload)
    except ValidationError as exc:
        raise validation_failure(exc) from None
    values = [item.model_dump(exclude_none=True) for item in items]
    rows = await comments.comment_many(session, caller, str(project_id), values)
    return JSONResponse(rows, status_code=201)


@router.post("/actions/projects/{project_id}/tasks/copy-client-comments", status_code=201)
async def copy_client_comments(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, CopyClientCommentsBody)
    rows = await comments.copy_client_comments(
        session, caller, str(project_id), [str(t) for t in body.task_ids], body.prefix
    )
    return JSONResponse(rows, status_code=201)


@router.post("/actions/tasks/{task_id}/comments/{comment_id}/move")
async def move_comment(
    task_id: uuid.UUID, comment_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    if caller.role not in (ADMIN, MANAGER):  # Zou refuses before reading the body
        raise PermissionDenied()
    body = await read_body(request, MoveCommentBody)
    row = await comments.move_comment(session, caller, str(task_id), str(comment_id), body.target_task_id)
    return JSONResponse(row)


@router.delete("/data/tasks/{task_id}/comments/{comment_id}", status_code=204)
async def delete_task_comment(task_id: uuid.UUID, comment_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    # As in Zou, the comment's own task counts, whatever the path names.
    await comments.delete_comment(session, caller, str(comment_id))
    return Response(status_code=204)


@router.delete("/data/comments/{instance_id}", status_code=204)
async def delete_comment(instance_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await comments.delete_comment(session, caller, str(instance_id))
    return Response(status_code=204)
