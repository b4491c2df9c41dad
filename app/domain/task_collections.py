"""The `tasks` entry of the `/data/<collection>` registry.

Listing and reading go through the generic engine with Zou's rules: anyone logged in
may list, vendors only the tasks assigned to them, other non-admins only the tasks of
the open projects whose team they are on; `?episode_id=` keeps the tasks of an
episode's shots. Reading one task needs access to its project (and, for a vendor, an
assignment on its entity). Clients read the studio side of a task blank.

`POST /data/tasks` has its own rules (Zou's name default, assignees, entity checks) and
is served by `app/routers/entity_tasks.py`. Updating and deleting run the task workflow
of `app/domain/tasks.py` through the hooks: PUT needs a manager of the project (or a
department supervisor for planning fields), merges `data`, emits `task:assign` /
`task:unassign` (and assignation notifications) for assignee changes before `task:update`,
and answers the task without its assignees, as Zou does. DELETE needs a manager; with
`?force=true` everything hanging off the task goes too, otherwise a task still referenced
is refused (400); `task:delete` names the entity and the task type.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.core.errors import PermissionDenied, WrongParameter
from app.domain import tasks as task_workflow
from app.domain.access import require_entity_access, require_member
from app.domain.collections import register
from app.domain.crud import Collection, CrudContext, Hooks
from app.domain.entity_tasks import OPEN_STATUS, blank_for_client, is_valid_id
from app.domain.permissions import VENDOR, anyone
from app.repositories.crud import Relation
from app.repositories.entity_tasks import assigned_task_ids, grandchildren_of, open_team_projects
from app.repositories.tables.tasks import Task, TaskPersonLink

task = Task.__table__


class TaskHooks(Hooks):
    def list_scope(self, ctx: CrudContext) -> list[ColumnElement]:
        caller = ctx.caller
        conditions: list[ColumnElement] = []
        if caller.role == VENDOR:
            conditions.append(task.c.id.in_(assigned_task_ids(caller.id)))
        elif not caller.is_admin:
            conditions.append(task.c.project_id.in_(open_team_projects(caller.id, OPEN_STATUS)))
        episode_id = ctx.params.get("episode_id")
        if episode_id is not None:
            if not is_valid_id(episode_id):
                raise WrongParameter(f"Invalid UUID format for episode_id: {episode_id}")
            conditions.append(task.c.entity_id.in_(grandchildren_of(episode_id)))
        return conditions

    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        if row["project_id"] is None:
            if not ctx.caller.is_admin:
                raise PermissionDenied()
            return
        scope = await require_member(ctx.session, ctx.caller, row["project_id"])
        if row["entity_id"] is not None:
            await require_entity_access(ctx.session, scope, row["entity_id"])
        ctx.state["client"] = scope.is_client

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        if mode == "write":  # Zou answers an update without the relations
            return [{k: v for k, v in row.items() if k != "assignees"} for row in rows]
        client = ctx.state.get("client", False) if mode == "get" else ctx.caller.is_client
        return [blank_for_client(row) for row in rows] if client else rows

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        return await task_workflow.before_update(ctx.session, ctx.caller, row, data, ctx.state)

    async def after_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> None:
        await task_workflow.after_update(ctx.session, ctx.caller, row, data, ctx.state)

    async def before_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        await task_workflow.before_delete(ctx.session, ctx.caller, row, ctx.flag("force"))

    async def event(self, ctx: CrudContext, action: str, row: dict[str, Any]) -> tuple[dict, str | None] | None:
        if action == "delete":
            name, data, project_id = task_workflow.delete_event(row)
            return data, project_id
        return None


register(
    Collection(
        "tasks",
        Task,
        "Task",
        read=anyone,
        relations=(Relation("assignees", TaskPersonLink.__table__, "task_id", "person_id"),),
        hooks=TaskHooks(),
        update=anyone,
        delete=anyone,
        routes=frozenset({"list", "get", "update", "delete"}),
    )
)
