"""Who is notified of what: comments, replies, mentions and assignations.

Notifications are written in the transaction of their cause, with one insert per
fan-out, and each recipient gets a live `notification:new` event after commit (not
stored, as in Zou). Recipients of a comment are the task's followers: assignees,
subscribers of the task, subscribers of its sequence for its task type (and, for a
reply, everyone who replied), minus the author. Mentions reach the named persons and
the team members of the mentioned departments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import events
from app.repositories.notifications import NotificationRepository
from app.repositories.tables.base import new_id, utc_now

COMMENT, MENTION, REPLY, REPLY_MENTION, ASSIGNATION = "comment", "mention", "reply", "reply-mention", "assignation"


def _row(
    person_id: str,
    author_id: str,
    type_: str,
    *,
    task_id: str | None = None,
    comment_id: str | None = None,
    reply_id: str | None = None,
    change: bool = False,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    now = created_at or utc_now()
    return {
        "id": new_id(),
        "created_at": now,
        "updated_at": now,
        "read": False,
        "change": change,
        "type": type_,
        "person_id": person_id,
        "author_id": author_id,
        "task_id": task_id,
        "comment_id": comment_id,
        "reply_id": reply_id,
        "playlist_id": None,
    }


async def _store(session: AsyncSession, rows: list[dict[str, Any]], project_id: str | None) -> list[dict[str, Any]]:
    created = await NotificationRepository(session).insert_many(rows)
    for row in created:
        events.publish_only(
            session,
            "notification:new",
            {"notification_id": str(row["id"]), "person_id": str(row["person_id"])},
            project_id=project_id,
        )
    return created


def _named(text: str, candidates: list[tuple[str, str]]) -> list[str]:
    return [id_ for id_, name in candidates if re.search(f"@{re.escape(name)}( |$)", text)]


async def parse_mentions(session: AsyncSession, project_id: str, text: str | None) -> tuple[list[str], list[str]]:
    """Ids of the team members (`@First Last`) and departments (`@Name`) a text mentions."""
    if not text or "@" not in text:
        return [], []
    people, departments = await NotificationRepository(session).mentionable(project_id)
    return _named(text, people), _named(text, departments)


async def mentioned_people(
    session: AsyncSession, project_id: str, mentions: Iterable[str], department_mentions: Sequence[str]
) -> list[str]:
    """Persons named in a comment or reply, plus the team members of the named departments."""
    people = [str(p) for p in mentions]
    people += await NotificationRepository(session).department_team(project_id, department_mentions)
    return list(dict.fromkeys(people))


async def notify_comment(
    session: AsyncSession,
    task: dict[str, Any],
    comment: dict[str, Any],
    *,
    change: bool = False,
    mentions: Iterable[str] = (),
    department_mentions: Sequence[str] = (),
) -> set[str]:
    """Notify the task's followers of a new comment, and the mentioned people; answers the
    follower ids notified (Zou's `create_notifications_for_task_and_comment`)."""
    author = str(comment["person_id"])
    followers = await NotificationRepository(session).task_followers(task["id"])
    followers.discard(author)
    common = {"task_id": task["id"], "comment_id": comment["id"]}
    rows = [_row(p, author, COMMENT, change=change, **common) for p in sorted(followers)]
    mentioned = await mentioned_people(session, task["project_id"], mentions, department_mentions)
    rows += [_row(p, author, MENTION, **common) for p in mentioned if p != author]
    await _store(session, rows, task["project_id"])
    return followers


async def notify_reply(
    session: AsyncSession, task: dict[str, Any], comment: dict[str, Any], reply: dict[str, Any]
) -> set[str]:
    """Notify of a reply: the task's followers, the earlier repliers, the comment's author,
    and the people the reply mentions (Zou's `create_notifications_for_task_and_reply`)."""
    author = str(reply["person_id"])
    recipients = await NotificationRepository(session).task_followers(task["id"])
    recipients |= {str(r["person_id"]) for r in comment.get("replies") or [] if r.get("person_id")}
    recipients.add(str(comment["person_id"]))
    recipients.discard(author)
    created_at = reply.get("created_at")
    if isinstance(created_at, str):
        created_at = datetime.fromisoformat(created_at)
    common = {"task_id": task["id"], "comment_id": comment["id"], "reply_id": reply["id"], "created_at": created_at}
    rows = [_row(p, author, REPLY, **common) for p in sorted(recipients)]
    mentioned = await mentioned_people(
        session, task["project_id"], reply.get("mentions") or [], reply.get("department_mentions") or []
    )
    rows += [_row(p, author, REPLY_MENTION, **common) for p in mentioned if p != author]
    await _store(session, rows, task["project_id"])
    return recipients


async def reset_mentions(
    session: AsyncSession,
    task: dict[str, Any],
    comment: dict[str, Any],
    mentions: Iterable[str],
    department_mentions: Sequence[str],
) -> list[dict[str, Any]]:
    """After a comment edit: drop its mention notifications and notify the current mentions."""
    await NotificationRepository(session).delete_where(type=MENTION, comment_id=comment["id"])
    author = str(comment["person_id"])
    mentioned = await mentioned_people(session, task["project_id"], mentions, department_mentions)
    rows = [
        _row(p, author, MENTION, task_id=task["id"], comment_id=comment["id"], created_at=comment.get("created_at"))
        for p in mentioned
    ]
    return await _store(session, rows, task["project_id"])


async def notify_assignation(
    session: AsyncSession, task: dict[str, Any], person_ids: Iterable[str], author_id: str | None
) -> list[dict[str, Any]]:
    """Tell newly assigned persons (never the assigner themselves)."""
    if author_id is None:
        return []
    rows = [_row(str(p), author_id, ASSIGNATION, task_id=task["id"]) for p in person_ids if str(p) != author_id]
    return await _store(session, rows, task["project_id"])
