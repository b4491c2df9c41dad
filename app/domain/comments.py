"""Posting comments on tasks: status changes, automations, batches, copies, moves, deletion.

A comment carries a task status. Posting it (Zou's `create_comment`) does, in one
transaction and in this order:

1. checks the retake cap (a retake status on a task that already had `max_retakes`
   retakes, the entity's `data.max_retakes` first, the project's otherwise, is a 400);
2. stores the comment with its `@person` and `@department` mentions (`comment:new`);
3. posts a copy on the entity's sibling tasks the text names with `#task-type` (`#all`
   for every other type), each keeping its own status;
4. moves the task: when the comment is the newest of the task, the status is set
   (`retake_count` +1 when entering a retake, `real_start_date` the first time it goes
   WIP, `end_date` on feedback statuses, `done_date` on done ones, both cleared when
   leaving them), `last_comment_date` follows; an older comment (an import) replays the
   whole history instead. `task:update`, then `task:status-changed` and, for a feedback
   status, `task:to-review` when the status changed;
5. notifies the task's followers and the mentioned people, writes the news entry (not for
   concepts, `news:new`);
6. runs the project's status automations: a status set on a task type moves the status
   of another task type of the same entity (posting a comment there), or sets the
   asset's `ready_for`. Rollbacks (towards an earlier step of the pipeline) are skipped.

Who may post: `check_task_action_access`, else a person mentioned in the thread, who may
then only keep the current status; artists and clients only use the statuses allowed to
them. Only managers may post as someone else, back-date, or flag `for_client`.

Deleting a comment (its author, or a manager of the project) removes its notifications,
news, mentions, attachments and previews (their stored files go once committed), then replays
the task's history so that the status of the previous comment comes back
(`task:status-changed` when it changed).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.domain import events, notifications, stored_files
from app.domain.access import ProjectScope, project_scope, require_manager
from app.domain.entity_kinds import CONCEPT, entity_kinds
from app.domain.permissions import ADMIN, CLIENT, MANAGER, SUPERVISOR, Caller
from app.domain.persons import SECRET_FIELDS, full_name
from app.domain.task_access import (
    TaskContext,
    check_task_access,
    check_task_action_access,
    check_task_mention_access,
    check_task_status_access,
    in_department,
    load_task,
)
from app.repositories.comments import RELATION_NAMES, CommentRepository
from app.repositories.tables.base import utc_now
from app.repositories.tables.tasks import Comment

TYPE = "Comment"
OWN_COLUMNS = tuple(c.name for c in Comment.__table__.columns if c.name not in ("id", "created_at", "updated_at"))
"""Zou's serialization order: the model's columns, then `id`, `created_at`, `updated_at`."""
BASE_COLUMNS = ("id", "created_at", "updated_at")
MAX_AUTOMATION_DEPTH = 8
"""Automations post comments that may trigger automations: a cycle stops here."""


# --- presentation ---------------------------------------------------------------------


def present_comment(
    row: dict[str, Any],
    relations: dict[str, list[str]] | None = None,
    *,
    task_status: dict[str, Any] | None = None,
    person: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A comment as Zou serializes it: columns (with `previews` before `id` when the
    relations are given), `type`, the other relation id lists, then the embedded status
    and author when given."""
    out = {key: row.get(key) for key in OWN_COLUMNS}
    if relations is not None:
        out["previews"] = list(relations.get("previews", []))
    for key in BASE_COLUMNS:
        out[key] = row.get(key)
    out["type"] = TYPE
    if relations is not None:
        for key in RELATION_NAMES[1:]:
            out[key] = list(relations.get(key, []))
    if task_status is not None:
        out["task_status"] = {**task_status, "type": "TaskStatus"}
    if person is not None:
        out["person"] = person
    return out


def present_author(row: dict[str, Any]) -> dict[str, Any]:
    """A person as Zou serializes it without relations: public columns, `full_name`, then the base ones."""
    out = {k: v for k, v in row.items() if k not in SECRET_FIELDS and k not in BASE_COLUMNS and k != "department_ids"}
    out.pop("departments", None)
    out.pop("full_name", None)
    out.pop("type", None)
    out["full_name"] = full_name(row)
    for key in BASE_COLUMNS:
        out[key] = row.get(key)
    out["type"] = "Person"
    return out


def short_person(row: dict[str, Any]) -> dict[str, Any]:
    """Zou's `build_short_person`: what a comment read embeds of its author."""
    return {
        "id": str(row["id"]),
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "full_name": full_name(row),
        "has_avatar": row["has_avatar"],
        "role": row["role"],
    }


# --- helpers ----------------------------------------------------------------------------


def parse_created_at(value: str | None) -> datetime | None:
    """Zou's reading of a back-dated comment: `YYYY-MM-DD HH:MM:SS` or ISO 8601; anything
    else means "now". Aware dates are brought to naive UTC."""
    if not value:
        return None
    try:
        parsed = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def hashtags(text: str | None) -> list[str]:
    """Task type names tagged `#name` in the text, lower-cased; `all` alone when present."""
    tags = [tag[1:].lower() for tag in re.findall("#[a-zA-Z]*", text or "")]
    if "all" in tags:
        return ["all"]
    return list(dict.fromkeys(tags))


def _is_manager(scope: ProjectScope) -> bool:
    """Zou's `has_manager_permissions` once the project role is resolved."""
    return scope.is_admin or scope.role == MANAGER


async def check_status_access(session: AsyncSession, scope: ProjectScope, status_id: str) -> dict[str, Any]:
    """The status a comment sets, checked against the caller's project role (404 unknown)."""
    repo = CommentRepository(session)
    status = await repo.task_status(status_id) if _valid_id(status_id) else None
    if status is None:
        raise NotFound("Task status not found.")
    override = None
    if scope.role == CLIENT and not scope.is_admin:
        override = await repo.client_allowed_override(scope.project_id, status_id)
    check_task_status_access(scope, status, override)
    return status


def _valid_id(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return len(str(value)) == 36


async def _author(session: AsyncSession, caller: Caller, person_id: str | None) -> dict[str, Any]:
    if person_id:
        found = await CommentRepository(session).person(person_id) if _valid_id(person_id) else None
        if found is None:
            raise NotFound("Person not found.")
        return found
    if caller.person and caller.person.get("id") == caller.id:
        return caller.person
    found = await CommentRepository(session).person(caller.id)
    if found is None:
        raise NotFound("Person not found.")
    return found


def _check_retake_capping(status: dict[str, Any], task: dict[str, Any]) -> None:
    """A retake beyond the cap (the entity's `data.max_retakes`, else the project's; 0 means none) is a 400."""
    project_max = task.get("max_retakes") or 0
    if not status.get("is_retake") or project_max <= 0:
        return
    entity_data = task.get("entity_data") if isinstance(task.get("entity_data"), dict) else {}
    try:
        max_retakes = int(entity_data.get("max_retakes") or project_max)
    except (TypeError, ValueError):
        max_retakes = project_max
    if max_retakes > 0 and (task.get("retake_count") or 0) >= max_retakes:
        raise WrongParameter("No more retakes allowed on this task")


# --- posting ------------------------------------------------------------------------------


class CommentPoster:
    """Zou's `create_comment` and what it runs after, for one request (caller and session)."""

    def __init__(self, session: AsyncSession, caller: Caller) -> None:
        self.session = session
        self.caller = caller
        self.repo = CommentRepository(session)

    async def emit(self, name: str, data: dict[str, Any], project_id: str | None) -> None:
        await events.emit(self.session, name, data, project_id=project_id, user_id=self.caller.id)

    async def create(
        self,
        person_id: str | None,
        task_id: str,
        task_status_id: str,
        text: str,
        *,
        checklist: list | None = None,
        created_at: str | None = None,
        links: list | None = None,
        for_client: bool = False,
        with_hashtags: bool = True,
        status: dict[str, Any] | None = None,
        depth: int = 0,
    ) -> dict[str, Any]:
        author = await _author(self.session, self.caller, person_id)
        task = await self.repo.task_context(task_id) if _valid_id(task_id) else None
        if task is None:
            raise NotFound("Task not found.")
        if status is None or str(status["id"]) != str(task_status_id):
            status = await self.repo.task_status(task_status_id) if _valid_id(task_status_id) else None
            if status is None:
                raise NotFound("Task status not found.")
        _check_retake_capping(status, task)

        row, relations = await self._new_comment(
            task, status, author, text, checklist or [], created_at, links or [], for_client
        )
        if with_hashtags:
            await self._handle_hashtags(author, task, text)
        updated, changed = await self._manage_status_change(status, task, row)
        await self._manage_subscriptions(updated, task, row, relations, changed)
        result = present_comment(row, relations, task_status=status, person=present_author(author))
        if task["has_automations"] and depth < MAX_AUTOMATION_DEPTH:
            for automation in await self.repo.automations(task["project_id"]):
                await self._run_status_automation(automation, {**task, **updated}, person_id, depth)
        return result

    async def _new_comment(
        self,
        task: dict[str, Any],
        status: dict[str, Any],
        author: dict[str, Any],
        text: str,
        checklist: list,
        created_at: str | None,
        links: list,
        for_client: bool,
    ) -> tuple[dict[str, Any], dict[str, list[str]]]:
        values: dict[str, Any] = {
            "object_id": task["id"],
            "object_type": "Task",
            "task_status_id": status["id"],
            "person_id": author["id"],
            "text": text,
            "checklist": checklist,
            "links": [str(link) for link in links],
            "for_client": bool(for_client),
        }
        when = parse_created_at(created_at)
        if when is not None:
            values["created_at"] = values["updated_at"] = when
        row = await self.repo.insert(values)
        mentioned, departments = await notifications.parse_mentions(self.session, task["project_id"], text)
        await self.repo.set_mentions(row["id"], mentioned, departments)
        relations = {name: [] for name in RELATION_NAMES}
        relations["mentions"] = list(dict.fromkeys(mentioned))
        relations["department_mentions"] = list(dict.fromkeys(departments))
        await self.emit(
            "comment:new",
            {
                "comment_id": row["id"],
                "task_id": task["id"],
                "task_status_id": status["id"],
                "person_id": row["person_id"],
                "for_client": row["for_client"],
            },
            task["project_id"],
        )
        return row, relations

    async def _handle_hashtags(self, author: dict[str, Any], task: dict[str, Any], text: str) -> None:
        tags = hashtags(text)
        if not tags or task.get("entity_id") is None:
            return
        own = (task.get("task_type_name") or "").lower()
        siblings = await self.repo.entity_tasks_with_type(task["entity_id"])
        if tags == ["all"]:
            chosen = [t for t in siblings if t["task_type_name"].lower() != own]
        else:
            wanted = {tag for tag in tags if tag != own}
            chosen = [t for t in siblings if t["task_type_name"].lower() in wanted]
        for sibling in chosen:
            await self.create(
                author["id"],
                str(sibling["id"]),
                str(sibling["task_status_id"]),
                f"{text}\n\n____\nFrom {task.get('task_type_name')} task",
                with_hashtags=False,
            )

    async def _manage_status_change(
        self, status: dict[str, Any], task: dict[str, Any], comment: dict[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        last = task.get("last_comment_date")
        if last is not None and last > comment["created_at"]:
            return await reset_task_data(self.session, self.caller, task["id"], context=task), False
        changed = str(status["id"]) != str(task["task_status_id"])
        values: dict[str, Any] = {"task_status_id": status["id"], "last_comment_date": comment["created_at"]}
        if changed:
            now = utc_now()
            if status.get("is_retake"):
                values["retake_count"] = (task.get("retake_count") or 0) + 1
            if status.get("is_wip") and task.get("real_start_date") is None:
                values["real_start_date"] = now
            if status.get("is_feedback_request"):
                values["end_date"] = now
            elif not status.get("is_done"):
                values["end_date"] = None
            values["done_date"] = now if status.get("is_done") else None
        updated = await self.repo.update_task(task["id"], values)
        project_id = task["project_id"]
        await self.emit("task:update", {"task_id": task["id"]}, project_id)
        if changed:
            change = {
                "task_id": task["id"],
                "new_task_status_id": status["id"],
                "previous_task_status_id": task["task_status_id"],
                "person_id": comment["person_id"],
            }
            await self.emit("task:status-changed", change, project_id)
            if status.get("is_feedback_request"):
                await self.emit("task:to-review", {**change, "comment_id": comment["id"]}, project_id)
        return updated, changed

    async def _manage_subscriptions(
        self,
        task: dict[str, Any],
        context: dict[str, Any],
        comment: dict[str, Any],
        relations: dict[str, list[str]],
        changed: bool,
    ) -> None:
        await notifications.notify_comment(
            self.session,
            task,
            comment,
            change=changed,
            mentions=relations["mentions"],
            department_mentions=relations["department_mentions"],
        )
        await write_news(self.session, self.caller, task, context.get("entity_type_id"), comment, change=changed)

    async def _run_status_automation(
        self, automation: dict[str, Any], task: dict[str, Any], person_id: str | None, depth: int
    ) -> None:
        if (
            automation.get("archived")
            or str(task["task_type_id"]) != str(automation["in_task_type_id"])
            or str(task["task_status_id"]) != str(automation["in_task_status_id"])
        ):
            return
        kinds = await entity_kinds(self.session)
        entity_type_id = task.get("entity_type_id")
        if entity_type_id is None:
            return
        wanted = (automation.get("entity_type") or "").lower()
        if wanted == "asset":
            if not kinds.is_asset_type(entity_type_id):
                return
        else:
            name = kinds.kind_of(entity_type_id)
            if kinds.is_asset_type(entity_type_id):
                name = await self.repo.entity_type_name(entity_type_id) or ""
            if name.lower() != wanted:
                return
        out_field = automation.get("out_field_type")
        priorities = await self.repo.task_type_priorities(task["project_id"], wanted.capitalize())
        in_priority = priorities.get(str(automation["in_task_type_id"])) or 0
        out_priority = priorities.get(str(automation["out_task_type_id"])) or 0
        if out_field != "ready_for" and in_priority > out_priority:
            return  # a rollback: skipped to avoid cycles
        if out_field == "status":
            target = await self.repo.first_task_of_type(task["entity_id"], automation["out_task_type_id"])
            if target is None:
                return
            text = f"Change triggered by {automation['in_task_type_name']} set to {automation['in_task_status_name']}"
            await self.create(
                person_id, str(target["id"]), str(automation["out_task_status_id"]), text, depth=depth + 1
            )
        elif out_field == "ready_for" and kinds.is_asset_type(entity_type_id):
            from app.domain.entities import refresh_casting_stats

            data = {"ready_for": automation["out_task_type_id"]}
            asset = await self.repo.set_ready_for(task["entity_id"], automation["out_task_type_id"])
            for _ in range(2):  # Zou announces it from the asset update and from the automation
                await self.emit("asset:update", {"asset_id": task["entity_id"], "data": data}, task["project_id"])
            await refresh_casting_stats(self.session, self.caller, asset)


async def write_news(
    session: AsyncSession,
    caller: Caller,
    task: dict[str, Any],
    entity_type_id: str | None,
    comment: dict[str, Any],
    *,
    change: bool = False,
) -> None:
    """The news entry of a comment (none for concepts), with `news:new`."""
    kinds = await entity_kinds(session)
    if entity_type_id is not None and str(entity_type_id) == kinds.by_kind.get(CONCEPT):
        return
    row = await CommentRepository(session).insert_news(
        {
            "change": change,
            "author_id": comment["person_id"],
            "comment_id": comment["id"],
            "task_id": comment["object_id"],
            "preview_file_id": comment.get("preview_file_id"),
            "created_at": comment["created_at"],
        }
    )
    await events.emit(
        session,
        "news:new",
        {"news_id": row["id"], "task_status_id": comment["task_status_id"], "task_type_id": task["task_type_id"]},
        project_id=task["project_id"],
        user_id=caller.id,
    )


async def reset_task_data(
    session: AsyncSession, caller: Caller, task_id: str, *, context: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Zou's `reset_task_data`: status, retake count and dates replayed from the task's
    comments, duration summed from its time spents; `task:update`."""
    repo = CommentRepository(session)
    task = context or await repo.task_context(task_id)
    if task is None:
        raise NotFound("Task not found.")
    kinds = await entity_kinds(session)
    is_concept = task.get("entity_type_id") is not None and str(task["entity_type_id"]) == kinds.by_kind.get(CONCEPT)
    status_id = await repo.default_status_id(is_concept) or task["task_status_id"]
    retake_count, previous_retake = 0, False
    real_start = end_date = done_date = last_comment = None
    for entry in await repo.history(task_id):
        if entry["is_retake"] and not previous_retake:
            retake_count += 1
        previous_retake = bool(entry["is_retake"])
        if entry["is_wip"] and real_start is None:
            real_start = entry["created_at"]
        if entry["is_feedback_request"] and end_date is None:
            end_date = entry["created_at"]
        if entry["is_done"]:
            done_date = entry["created_at"]
        status_id = entry["task_status_id"]
        last_comment = entry["created_at"]
    updated = await repo.update_task(
        task_id,
        {
            "duration": await repo.total_duration(task_id),
            "retake_count": retake_count,
            "real_start_date": real_start,
            "last_comment_date": last_comment,
            "end_date": end_date,
            "done_date": done_date,
            "task_status_id": status_id,
        },
    )
    await events.emit(session, "task:update", {"task_id": task_id}, project_id=task["project_id"], user_id=caller.id)
    return updated


# --- routes' entry points ---------------------------------------------------------------------


async def post_task_comment(
    session: AsyncSession,
    caller: Caller,
    task_id: str,
    *,
    task_status_id: str,
    text: str,
    person_id: str,
    created_at: str,
    checklist: list,
    links: list,
    for_client: bool,
) -> dict[str, Any]:
    """`POST /actions/tasks/{task_id}/comment`."""
    task = await load_task(session, task_id)
    try:
        scope = await check_task_action_access(session, caller, task)
    except PermissionDenied:
        # Mentioned people may answer in the thread, without moving the status.
        scope = await check_task_mention_access(session, caller, task)
        if str(task_status_id).lower() != str(task["task_status_id"]).lower():
            raise
    status = await check_status_access(session, scope, task_status_id)
    if not _is_manager(scope):
        person_id, created_at, for_client = "", "", False
    return await CommentPoster(session, caller).create(
        person_id or None,
        task_id,
        task_status_id,
        text,
        checklist=checklist,
        created_at=created_at,
        links=links,
        for_client=for_client,
        status=status,
    )


async def comment_many(
    session: AsyncSession, caller: Caller, project_id: str, items: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`POST /actions/projects/{project_id}/tasks/comment-many`: each item is posted by the
    caller on its task. A manager of a task's project may comment any of them; others
    only the tasks they are assigned to, or (supervisors) those of their departments;
    the others are skipped. Items without task, status or text are skipped."""
    repo = CommentRepository(session)
    if not caller.is_admin:
        await project_scope(session, caller, project_id)  # 404 for an unknown project
    task_ids = [str(item["object_id"]) for item in items if item.get("object_id")]
    tasks = await repo.tasks(task_ids)
    missing = [tid for tid in task_ids if tid not in tasks]
    if missing:
        raise NotFound("Task not found.")
    scopes: dict[str, ProjectScope] = {}
    for task in tasks.values():
        if task["project_id"] not in scopes:
            scopes[task["project_id"]] = await project_scope(session, caller, task["project_id"])

    def allowed(task: dict[str, Any]) -> bool:
        scope = scopes[task["project_id"]]
        if _is_manager(scope) and (scope.is_admin or scope.on_team):
            return True
        if scope.on_team and scope.role == SUPERVISOR and in_department(caller, task["task_type_department_id"]):
            return True
        return caller.id in task["assignee_ids"]

    poster = CommentPoster(session, caller)
    results = []
    for item in items:
        object_id, status_id, text = item.get("object_id"), item.get("task_status_id"), item.get("comment")
        if object_id is None or status_id is None or text is None:
            continue
        task = tasks[str(object_id)]
        if not allowed(task):
            continue
        status = await check_status_access(session, scopes[task["project_id"]], str(status_id))
        results.append(
            await poster.create(
                caller.id, str(object_id), str(status_id), text, links=item.get("links") or [], status=status
            )
        )
    return results


async def copy_client_comments(
    session: AsyncSession, caller: Caller, project_id: str, task_ids: Sequence[str], prefix: str
) -> list[dict[str, Any]]:
    """`POST /actions/projects/{project_id}/tasks/copy-client-comments`: the last client
    comment of each task, posted again by the manager (the task keeps its status) so that
    artists, who do not read client comments, get it."""
    if not caller.is_admin:
        await require_manager(session, caller, project_id)
    repo = CommentRepository(session)
    client_comments = await repo.last_client_comments(project_id, list(dict.fromkeys(task_ids)))
    tasks = await repo.tasks([str(c["object_id"]) for c in client_comments])
    poster = CommentPoster(session, caller)
    results = []
    for client_comment in client_comments:
        task = tasks[str(client_comment["object_id"])]
        text = client_comment["text"] or ""
        if prefix:
            text = f"{prefix}\n\n{text}"
        results.append(await poster.create(caller.id, str(task["id"]), str(task["task_status_id"]), text))
    return results


async def move_comment(
    session: AsyncSession, caller: Caller, task_id: str, comment_id: str, target_task_id: str
) -> dict[str, Any]:
    """`POST /actions/tasks/{task_id}/comments/{comment_id}/move` (managers): the comment
    goes to another task of the same entity with its date, text, mentions and status; both
    tasks replay their history; the target's followers are notified as of a new comment."""
    if caller.role not in (ADMIN, MANAGER):
        raise PermissionDenied()
    source = await load_task(session, task_id)
    await check_task_access(session, caller, source)
    if not _valid_id(target_task_id):
        raise NotFound("Task not found.")
    target = await load_task(session, target_task_id)
    await check_task_access(session, caller, target)
    repo = CommentRepository(session)
    comment = await repo.get(comment_id)
    if comment is None:
        raise NotFound("Comment not found.")
    if str(comment["object_id"]) != str(task_id):
        raise WrongParameter("Comment does not belong to the given task.")
    if str(source["id"]) == str(target["id"]):
        raise WrongParameter("Source and target tasks must be different.")
    if source["entity_id"] != target["entity_id"]:
        raise WrongParameter("A comment can only be moved between tasks of the same entity.")
    if comment["preview_file_id"] is not None or await repo.has_previews(comment_id):
        raise WrongParameter("A comment attached to a preview revision cannot be moved.")

    await repo.delete_notifications(comment_id)
    await _delete_news(session, caller, comment_id)
    moved = await repo.update_comment(comment_id, {"object_id": target["id"], "updated_at": utc_now()})
    await reset_task_data(session, caller, str(source["id"]))
    target_context = await repo.task_context(str(target["id"]))
    updated_target = await reset_task_data(session, caller, str(target["id"]), context=target_context)
    relations = (await repo.relation_ids([comment_id]))[comment_id]
    await events.emit(
        session,
        "comment:delete",
        {"comment_id": comment_id, "task_id": str(source["id"])},
        project_id=source["project_id"],
        user_id=caller.id,
    )
    await events.emit(
        session,
        "comment:new",
        {
            "comment_id": comment_id,
            "task_id": str(target["id"]),
            "task_status_id": moved["task_status_id"],
            "person_id": moved["person_id"],
            "for_client": moved["for_client"],
        },
        project_id=target["project_id"],
        user_id=caller.id,
    )
    await notifications.notify_comment(
        session,
        updated_target,
        moved,
        change=False,
        mentions=relations["mentions"],
        department_mentions=relations["department_mentions"],
    )
    await write_news(session, caller, updated_target, target_context["entity_type_id"], moved)
    return present_comment(moved, relations)


async def _delete_news(session: AsyncSession, caller: Caller, comment_id: str) -> None:
    gone = await CommentRepository(session).delete_news(comment_id)
    if gone:
        await events.emit_many(
            session, [("news:delete", {"news_id": n["id"]}, n["project_id"]) for n in gone], user_id=caller.id
        )


async def delete_comment(session: AsyncSession, caller: Caller, comment_id: str) -> None:
    """`DELETE /data/tasks/{task_id}/comments/{comment_id}` and `/data/comments/{id}`: the
    author, or a manager on the project's team, removes the comment and what hangs off it;
    the task replays its history (`task:status-changed` when its status comes back)."""
    repo = CommentRepository(session)
    comment = await repo.get(comment_id)
    if comment is None:
        raise NotFound("Comment not found.")
    task = await load_task(session, str(comment["object_id"]))
    scope = await project_scope(session, caller, task["project_id"])
    if _is_manager(scope):
        if not scope.is_member:
            raise PermissionDenied()
    elif caller.id != str(comment["person_id"]):
        raise PermissionDenied()
    await remove_comment(session, caller, comment, task)


async def remove_comment(session: AsyncSession, caller: Caller, comment: dict[str, Any], task: TaskContext) -> None:
    repo = CommentRepository(session)
    comment_id = str(comment["id"])
    previous_status = task["task_status_id"]
    await repo.delete_notifications(comment_id)
    await _delete_news(session, caller, comment_id)
    stored_files.discard_removed(session, await repo.delete(comment))
    await events.emit(
        session,
        "comment:delete",
        {"comment_id": comment_id, "task_id": str(task["id"])},
        project_id=task["project_id"],
        user_id=caller.id,
    )
    updated = await reset_task_data(session, caller, str(task["id"]))
    if str(updated["task_status_id"]) != str(previous_status):
        await events.emit(
            session,
            "task:status-changed",
            {
                "task_id": str(task["id"]),
                "new_task_status_id": updated["task_status_id"],
                "previous_task_status_id": previous_status,
                "person_id": comment["person_id"],
            },
            project_id=task["project_id"],
            user_id=caller.id,
        )
