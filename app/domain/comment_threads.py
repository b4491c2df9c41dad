"""Reading a task's comments, replying to them, acknowledging them; a project's comments.

A task's thread (`task_comments`) is what Kitsu draws: each comment with its author,
editor and status, its previews, mentions, acknowledgements, attachment files and the
authors of its replies, in a fixed number of queries. What each reader sees follows Zou:

- supervisors and managers (and admins) see every comment;
- artists and vendors do not see the comments written by the production's clients;
- clients see the comments flagged `for_client` and those of clients (only their own in
  a project with isolated clients); a studio comment carrying previews reaches them with
  its text, checklist, attachments and replies blanked, so the previews stay reviewable.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.core.validation import validate
from app.domain import events, notifications, stored_files
from app.domain.access import project_scope, require_member
from app.domain.crud import parse_int
from app.domain.permissions import CLIENT, Caller
from app.domain.persons import full_name
from app.domain.task_access import (
    check_comment_access,
    check_task_access,
    check_task_action_access,
    check_task_mention_access,
    load_task,
)
from app.repositories.comment_threads import COMMENT_COLUMNS, CommentThreadRepository
from app.repositories.tables.base import utc_now
from app.repositories.task_access import TaskAccessRepository

TYPE = "Comment"
DEFAULT_PAGE_SIZE = 100
"""Zou's `NB_RECORDS_PER_PAGE`."""
RELATIONS = ("previews", "mentions", "department_mentions", "acknowledgements", "attachment_files")


class ReplyBody(BaseModel):
    text: str | None = ""


# --- presentation -------------------------------------------------------


def present(row: dict[str, Any]) -> dict[str, Any]:
    """A comment's columns in Zou's order, then `type`."""
    out = {key: row.get(key) for key in COMMENT_COLUMNS}
    out["type"] = TYPE
    return out


def present_with_relations(row: dict[str, Any]) -> dict[str, Any]:
    """Zou's `serialize(relations=True)` of a comment: `previews` among the columns,
    the other relation id lists after `type`."""
    out: dict[str, Any] = {}
    for key in COMMENT_COLUMNS:
        out[key] = row.get(key)
        if key == "preview_file_id":
            out["previews"] = row.get("previews") or []
    out["type"] = TYPE
    for key in RELATIONS[1:]:
        out[key] = row.get(key) or []
    return out


def present_listed(row: dict[str, Any]) -> dict[str, Any]:
    """A comment of a project listing: columns, `type`, then the relation id lists."""
    out = present(row)
    for key in RELATIONS:
        out[key] = row.get(key) or []
    return out


def short_person(row: dict[str, Any]) -> dict[str, Any]:
    """The minimal author embedded in replies (Zou's `build_short_person`)."""
    return {
        "id": str(row["id"]),
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "full_name": full_name(row),
        "has_avatar": row["has_avatar"],
        "role": row["role"],
    }


def _thread_item(row: dict[str, Any]) -> dict[str, Any]:
    out = present(row)
    out["person"] = {
        "first_name": row["person_first_name"],
        "last_name": row["person_last_name"],
        "full_name": full_name({"first_name": row["person_first_name"], "last_name": row["person_last_name"]}),
        "has_avatar": row["person_has_avatar"],
        "role": row["person_role"],
        "id": str(row["person_id"]),
    }
    if row["editor_id"] is not None:
        out["editor"] = {
            "first_name": row["editor_first_name"],
            "last_name": row["editor_last_name"],
            "has_avatar": row["editor_has_avatar"],
            "role": row["editor_role"],
            "id": str(row["editor_id"]),
        }
    out["task_status"] = {
        "name": row["task_status_name"],
        "short_name": row["task_status_short_name"],
        "color": row["task_status_color"],
        "id": str(row["task_status_id"]),
    }
    out["acknowledgements"] = row["acknowledgements"] or []
    out["previews"] = []
    out["mentions"] = row["mentions"] or []
    out["department_mentions"] = row["department_mentions"] or []
    out["attachment_files"] = []
    return out


def _preview(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "task_id": str(row["task_id"]) if row["task_id"] is not None else None,
        "revision": row["revision"],
        "extension": row["extension"],
        "width": row["width"],
        "height": row["height"],
        "duration": row["duration"],
        "status": row["status"] or "ready",
        "validation_status": row["validation_status"] or "neutral",
        "original_name": row["original_name"],
        "position": row["position"],
        "annotations": row["annotations"],
    }


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


async def _embed_reply_authors(repo: CommentThreadRepository, comments: list[dict[str, Any]]) -> None:
    ids = {
        str(reply["person_id"])
        for c in comments
        for reply in c.get("replies") or []
        if isinstance(reply, dict) and reply.get("person_id")
    }
    if not ids:
        return
    found = await repo.short_persons([i for i in ids if _is_uuid(i)])
    authors = {pid: short_person(row) for pid, row in found.items()}
    for c in comments:
        for reply in c.get("replies") or []:
            if isinstance(reply, dict):
                reply["person"] = authors.get(str(reply.get("person_id")))


# --- a task's thread ----------------------------------------------------


async def task_comments(session: AsyncSession, caller: Caller, task_id: str) -> list[dict[str, Any]]:
    task = await load_task(session, task_id)
    scope = await check_task_access(session, caller, task)
    is_client = scope.is_client
    sees_all = scope.is_supervisor
    repo = CommentThreadRepository(session)
    rows = await repo.task_comments(task_id, task["project_id"], hide_client_authors=not sees_all and not is_client)
    comments = [_thread_item(r) for r in rows]
    if comments:
        by_id = {c["id"]: c for c in comments}
        ids = list(by_id)
        for row in await repo.previews_for(ids):
            if is_client and row["validation_status"] == "rejected":
                continue
            by_id[row["comment_id"]]["previews"].append(_preview(row))
        for row in await repo.attachments_for(ids):
            by_id[str(row["comment_id"])]["attachment_files"].append(
                {
                    "id": str(row["id"]),
                    "name": row["name"],
                    "extension": row["extension"],
                    "reply_id": row["reply_id"],
                    "size": row["size"],
                }
            )
        await _embed_reply_authors(repo, comments)
    if is_client:
        isolated = await repo.clients_isolated(task["project_id"])
        comments = _client_view(comments, caller.id, isolated)
    return comments


def _client_view(comments: list[dict[str, Any]], caller_id: str, isolated: bool) -> list[dict[str, Any]]:
    """What a client reads of a thread (see the module's docstring)."""
    visible = []
    for c in comments:
        by_client = c["person"]["role"] == CLIENT
        for_client = bool(c.get("for_client"))
        allowed = for_client or (c["person_id"] == caller_id if isolated else by_client)
        if c["previews"] and not by_client and not for_client:
            c.update(text="", attachment_files=[], checklist=[], replies=[])
            visible.append(c)
        elif allowed:
            visible.append(c)
    return visible


async def _comment_on_task(repo: CommentThreadRepository, task_id: str, comment_id: str, **kw: Any) -> dict[str, Any]:
    found = await repo.get(comment_id, **kw)
    if found is None or str(found["object_id"]) != task_id:
        raise NotFound("Comment not found.")
    return found


async def task_comment(session: AsyncSession, caller: Caller, task_id: str, comment_id: str) -> dict[str, Any]:
    repo = CommentThreadRepository(session)
    found = await _comment_on_task(repo, task_id, comment_id)
    if not caller.is_admin:
        task = await load_task(session, task_id)
        await check_comment_access(session, caller, found, task, await repo.clients_isolated(task["project_id"]))
    return present(found)


# --- acknowledgements -----------------------------------------------------


async def acknowledge(session: AsyncSession, caller: Caller, task_id: str, comment_id: str) -> dict[str, Any]:
    """Toggle the caller's acknowledgement of a comment; answers the comment with its relations."""
    task = await load_task(session, task_id)
    await check_task_access(session, caller, task)
    repo = CommentThreadRepository(session)
    await _comment_on_task(repo, task_id, comment_id)
    acknowledged = await repo.toggle_acknowledgement(comment_id, caller.id)
    name = "comment:acknowledge" if acknowledged else "comment:unacknowledge"
    events.publish_only(
        session, name, {"comment_id": comment_id, "person_id": caller.id}, project_id=task["project_id"]
    )
    return present_with_relations(await repo.get_with_relations(comment_id))


# --- replies --------------------------------------------------------------


async def _check_reply_access(
    session: AsyncSession, caller: Caller, task: dict[str, Any], found: dict[str, Any]
) -> None:
    """Zou's rules for answering a comment: its author always may; others need to act on
    the task or to have been mentioned in it. A client may not answer another studio's
    client; on a thread the client reads, only managers and clients answer."""
    roles = TaskAccessRepository(session)
    author_id = str(found["person_id"])
    author_role: str | None = None
    if author_id != caller.id:
        try:
            scope = await check_task_action_access(session, caller, task)
        except PermissionDenied:
            scope = await check_task_mention_access(session, caller, task)
        if scope.is_client:
            author_role = await roles.project_role(author_id, task["project_id"])
            author_studio = await CommentThreadRepository(session).person_studio(author_id)
            if caller.person.get("studio_id") != author_studio and author_role == CLIENT:
                raise PermissionDenied()
    else:
        scope = await project_scope(session, caller, task["project_id"])
    if scope.is_manager or scope.is_client:
        return
    if found.get("for_client"):
        raise PermissionDenied()
    if author_role is None:
        author_role = await roles.project_role(author_id, task["project_id"])
    if author_role == CLIENT:
        raise PermissionDenied()


async def reply(session: AsyncSession, caller: Caller, task_id: str, comment_id: str, payload: Any) -> dict[str, Any]:
    repo = CommentThreadRepository(session)
    found = await repo.get(comment_id, lock=True)
    if found is None:
        raise NotFound("Comment not found.")
    if str(found["object_id"]) != task_id:
        raise PermissionDenied()
    task = await load_task(session, task_id)
    await _check_reply_access(session, caller, task, found)
    text = validate(ReplyBody, payload).text
    people, departments = await notifications.parse_mentions(session, task["project_id"], text)
    now = utc_now().replace(microsecond=0).isoformat()
    new_reply = {
        "id": str(uuid.uuid4()),
        "date": now,
        "person_id": caller.id,
        "text": text,
        "mentions": people,
        "department_mentions": departments,
        "created_at": now,
    }
    updated = await repo.set_replies(comment_id, [*(found["replies"] or []), new_reply])
    await events.emit(
        session,
        "comment:reply",
        {"task_id": task_id, "comment_id": comment_id, "reply_id": new_reply["id"]},
        project_id=task["project_id"],
        user_id=caller.id,
    )
    await notifications.notify_reply(session, task, updated, new_reply)
    authors = await repo.short_persons([caller.id])
    return {**new_reply, "person": short_person(authors[caller.id]) if caller.id in authors else None}


async def delete_reply(
    session: AsyncSession, caller: Caller, task_id: str, comment_id: str, reply_id: str
) -> dict[str, Any]:
    """Remove a reply (its author or an admin), its attachment files and its notifications."""
    repo = CommentThreadRepository(session)
    found = await _comment_on_task(repo, task_id, comment_id, lock=True)
    replies = [r for r in found["replies"] or [] if isinstance(r, dict)]
    target = next((r for r in replies if r.get("id") == reply_id), None)
    if target is None:
        raise NotFound("Reply not found.")
    if str(target.get("person_id")) != caller.id and not caller.is_admin:
        raise PermissionDenied()
    task = await load_task(session, task_id)
    updated = await repo.set_replies(comment_id, [r for r in replies if r.get("id") != reply_id])
    if _is_uuid(reply_id):
        for attachment_id in await repo.delete_reply_traces(comment_id, reply_id):
            stored_files.discard_many(session, stored_files.attachment_keys(attachment_id))
    events.publish_only(
        session,
        "comment:delete-reply",
        {"task_id": task_id, "comment_id": comment_id, "reply_id": reply_id},
        project_id=task["project_id"],
        user_id=caller.id,
    )
    return present(updated)


# --- a project's comments -------------------------------------------------


async def project_comments(
    session: AsyncSession, caller: Caller, project_id: str, params: dict[str, str]
) -> list[dict[str, Any]] | dict[str, Any]:
    """Every comment on the project's tasks, last updated first; `?page=N[&limit=M]` pages
    them in Zou's envelope. Not for clients and vendors."""
    scope = await require_member(session, caller, project_id)
    if scope.is_client or scope.is_vendor:
        raise PermissionDenied()
    page = parse_int(params, "page")
    limit = parse_int(params, "limit") or DEFAULT_PAGE_SIZE
    repo = CommentThreadRepository(session)
    if page is None or page < 1:
        return [present_listed(r) for r in await repo.project_comments(project_id)]
    if limit < 1:
        raise WrongParameter("limit must be a positive integer.")
    offset = (page - 1) * limit
    total = await repo.project_count(project_id)
    rows = await repo.project_comments(project_id, limit=limit, offset=offset) if offset < total else []
    return {
        "data": [present_listed(r) for r in rows],
        "total": total,
        "nb_pages": -(-total // limit),
        "limit": limit,
        "offset": offset,
        "page": page,
    }
