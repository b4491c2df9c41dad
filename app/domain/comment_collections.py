"""The `comments` entry of the `/data/<collection>` registry, with Zou's rules.

- listing (`GET /data/comments`) and creating (`POST`) are admin-only, as Zou's generic
  resources; a created row emits `comment:new` naming its task, author and client flag;
- reading one comment (`GET /data/comments/{id}`) follows `check_comment_access` and embeds
  the author (short form), the reply authors and the attachment files (`?with_previews=true`
  adds the previews);
- updating (`PUT`): admins; on the project's team, managers change anything; others need to
  read the comment, then: only department supervisors pin, the author (or an assignee, or a
  supervisor of the department) ticks the checklist, only the author edits the rest, nobody
  but managers flags `for_client` or moves the comment to another task or author, and a new
  status needs the rights to act on the task with that status. The editor is recorded, the
  mentions are read again from the text and their notifications rebuilt; a status change
  replays the task's history (`task:status-changed`). The answer carries no relation lists.
- deleting is served by `app/routers/comments.py` (author or manager, with the task's history
  replayed).
"""

from __future__ import annotations

from typing import Any

from app.core.errors import NotFound, PermissionDenied
from app.domain import comments, events, notifications
from app.domain.access import project_scope
from app.domain.collections import register
from app.domain.crud import Collection, CrudContext, Hooks
from app.domain.permissions import MANAGER, SUPERVISOR, Caller, Row, admin_only, anyone
from app.domain.task_access import (
    check_comment_access,
    check_task_action_access,
    check_task_status_access,
    in_department,
    load_task,
)
from app.repositories.comments import RELATION_NAMES, CommentRepository
from app.repositories.crud import Relation
from app.repositories.tables.files import AttachmentFile
from app.repositories.tables.tasks import (
    Comment,
    CommentAcknoledgments,
    CommentDepartmentMentions,
    CommentMentions,
    CommentPreviewLink,
)

PROTECTED_ON_UPDATE = frozenset({"mentions", "department_mentions", *RELATION_NAMES})


def admin_list_or_row(caller: Caller, row: Row = None) -> bool:
    """Listing is for admins; reading one comment is decided by `check_read`."""
    return caller.is_admin or row is not None


def _with_relations(row: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    relations = {k: row[k] for k in RELATION_NAMES if k in row} if "previews" in row else None
    out = comments.present_comment(row, relations)
    for key, value in row.items():
        if key not in out and key not in RELATION_NAMES:
            out[key] = value
    return {**out, **(extra or {})}


class CommentHooks(Hooks):
    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        if ctx.caller.is_admin:
            return
        task = await load_task(ctx.session, str(row["object_id"]))
        isolated = await CommentRepository(ctx.session).clients_isolated(task["project_id"])
        scope = await check_comment_access(ctx.session, ctx.caller, row, task, isolated)
        ctx.state["client"] = scope is not None and scope.is_client

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        if mode == "write" and ctx.state.get("updating"):
            return [{k: v for k, v in row.items() if k not in RELATION_NAMES} for row in rows]
        if mode != "get" or not rows:
            return [_with_relations(row) for row in rows]
        return [await self._present_one(ctx, rows[0])]

    async def _present_one(self, ctx: CrudContext, row: dict[str, Any]) -> dict[str, Any]:
        """Zou's `clean_get_result`: the author, the reply authors, the attachment files and,
        with `?with_previews=true`, the previews."""
        repo = CommentRepository(ctx.session)
        replies = [dict(r) for r in row.get("replies") or [] if isinstance(r, dict)]
        people = await repo.short_persons(
            [str(p) for p in {row["person_id"], *(r.get("person_id") for r in replies)} if p]
        )
        extra: dict[str, Any] = {}
        author = people.get(str(row["person_id"]))
        if author is not None:
            extra["person"] = comments.short_person(author)
        if replies:
            for reply in replies:
                found = people.get(str(reply.get("person_id")))
                reply["person"] = comments.short_person(found) if found else None
            row = {**row, "replies": replies}
        out = _with_relations(row, extra)
        if out.get("attachment_files"):
            out["attachment_files"] = await repo.attachments(out["attachment_files"])
        if ctx.flag("with_previews") and out.get("previews"):
            previews = await repo.previews_of(str(row["id"]))
            if ctx.state.get("client"):
                previews = [p for p in previews if p["validation_status"] != "rejected"]
            out["previews"] = previews
        return out

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        data.pop("attachment_files", None)  # attachment files are rows of their own, not links
        return data

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        ctx.state["updating"] = True
        await self._check_update(ctx, row, data)
        new_status = data.get("task_status_id")
        ctx.state["previous_status"] = (
            row["task_status_id"] if new_status is not None and str(new_status) != str(row["task_status_id"]) else None
        )
        for key in PROTECTED_ON_UPDATE:
            data.pop(key, None)
        data["editor_id"] = ctx.caller.id
        return data

    async def _check_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> None:
        """Zou's `check_update_permissions` of comments."""
        caller = ctx.caller
        if caller.is_admin:
            return
        task = await load_task(ctx.session, str(row["object_id"]))
        ctx.state["task"] = task
        scope = await project_scope(ctx.session, caller, task["project_id"])
        if not scope.on_team:
            raise PermissionDenied()
        if scope.role == MANAGER:
            return
        isolated = await CommentRepository(ctx.session).clients_isolated(task["project_id"])
        await check_comment_access(ctx.session, caller, row, task, isolated)

        def changes(key: str, current: Any) -> bool:
            return key in data and data[key] != current

        if changes("for_client", row.get("for_client") or False):
            raise PermissionDenied()
        is_supervisor = scope.role == SUPERVISOR
        in_dept = in_department(caller, task["task_type_department_id"])
        is_assigned = caller.id in task["assignee_ids"]
        is_author = caller.id == str(row["person_id"])
        if changes("pinned", row.get("pinned")) and not (is_supervisor and in_dept):
            raise PermissionDenied()
        if (
            changes("checklist", row.get("checklist"))
            and not is_author
            and ((is_supervisor and not (in_dept or is_assigned)) or (not is_supervisor and not is_assigned))
        ):
            raise PermissionDenied()
        if not is_author and set(data) - {"pinned", "checklist"}:
            raise PermissionDenied()
        if "person_id" in data and str(data["person_id"]) != caller.id:
            raise PermissionDenied()
        if "object_id" in data and str(data["object_id"]) != str(row["object_id"]):
            raise PermissionDenied()
        if "task_status_id" in data:
            status_id = str(data["task_status_id"])
            if status_id.lower() != str(row["task_status_id"]).lower():
                await check_task_action_access(ctx.session, caller, task)
            status = await CommentRepository(ctx.session).task_status(status_id)
            if status is None:
                raise NotFound("Task status not found.")
            override = None
            if scope.is_client:
                override = await CommentRepository(ctx.session).client_allowed_override(task["project_id"], status_id)
            check_task_status_access(scope, status, override)

    async def after_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> None:
        repo = CommentRepository(ctx.session)
        task = await repo.task_context(str(row["object_id"]))
        if task is None:
            return None
        ctx.state["project_id"] = task["project_id"]
        mentioned, departments = await notifications.parse_mentions(ctx.session, task["project_id"], row["text"])
        await repo.set_mentions(row["id"], mentioned, departments, replace=True)
        previous = ctx.state.get("previous_status")
        if previous is not None:
            await comments.reset_task_data(ctx.session, ctx.caller, str(task["id"]), context=task)
            await events.emit(
                ctx.session,
                "task:status-changed",
                {
                    "task_id": str(task["id"]),
                    "new_task_status_id": row["task_status_id"],
                    "previous_task_status_id": previous,
                    "person_id": row["person_id"],
                },
                project_id=task["project_id"],
                user_id=ctx.caller.id,
            )
        await notifications.reset_mentions(ctx.session, task, row, mentioned, departments)
        return None

    async def event(self, ctx: CrudContext, action: str, row: dict[str, Any]) -> tuple[dict, str | None] | None:
        data = {
            "comment_id": row["id"],
            "task_id": row["object_id"],
            "person_id": row["person_id"],
            "for_client": row["for_client"],
        }
        # Zou's generic create names no production; its update names the task's.
        return data, ctx.state.get("project_id") if action == "update" else None


register(
    Collection(
        "comments",
        Comment,
        "Comment",
        read=admin_list_or_row,
        create=admin_only,
        update=anyone,
        relations=(
            Relation("previews", CommentPreviewLink.__table__, "comment", "preview_file"),
            Relation("mentions", CommentMentions.__table__, "comment", "person"),
            Relation("department_mentions", CommentDepartmentMentions.__table__, "comment", "department"),
            Relation("acknowledgements", CommentAcknoledgments.__table__, "comment", "person"),
            Relation("attachment_files", AttachmentFile.__table__, "comment_id", "id"),
        ),
        hooks=CommentHooks(),
        routes=frozenset({"list", "create", "get", "update"}),
    )
)
