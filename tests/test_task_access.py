"""The task access rules (app/domain/task_access.py) on real rows."""

from __future__ import annotations

import pytest
from helpers import UNKNOWN

from app.core.errors import NotFound, PermissionDenied
from app.domain import task_access
from app.domain.permissions import Caller


def caller(people, role_key, role=None, departments=()):
    return Caller(id=people[role_key], role=role or role_key, department_ids=list(departments))


async def test_action_access_rules(db, make, people):
    department = await make.department(members=[people["supervisor"]])
    project = await make.project(team=[people["user"], people["supervisor"], people["client"], people["manager"]])
    asset = await make.asset(project)
    task_type = await make.task_type(department_id=department["id"])
    other_type = await make.task_type()
    task = await make.task(asset, task_type, assignees=[people["user"]])
    other = await make.task(asset, other_type)
    ctx = await task_access.load_task(db, task["id"])
    assert ctx["assignee_ids"] == [people["user"]] and ctx["task_type_department_id"] == department["id"]
    other_ctx = await task_access.load_task(db, other["id"])
    assert other_ctx["assignee_ids"] == []
    with pytest.raises(NotFound):
        await task_access.load_task(db, UNKNOWN)
    artist = caller(people, "user")
    supervisor = caller(people, "supervisor", departments=[department["id"]])
    assert (await task_access.check_task_action_access(db, artist, ctx)).role == "user"
    with pytest.raises(PermissionDenied):
        await task_access.check_task_action_access(db, artist, other_ctx)
    await task_access.check_task_action_access(db, supervisor, ctx)
    with pytest.raises(PermissionDenied):
        await task_access.check_task_action_access(db, supervisor, other_ctx)
    await task_access.check_task_action_access(db, caller(people, "client"), other_ctx)
    with pytest.raises(PermissionDenied):
        await task_access.check_task_action_access(db, caller(people, "vendor"), ctx)
    # supervisors change planning fields of their department's tasks only
    await task_access.check_supervisor_task_access(db, supervisor, ctx, ["priority"])
    with pytest.raises(PermissionDenied):
        await task_access.check_supervisor_task_access(db, supervisor, ctx, ["task_status_id"])
    # an artist of the department may assign themselves, not others
    with pytest.raises(PermissionDenied):
        await task_access.check_task_department_access(db, artist, ctx, people["user"])
    await task_access.check_task_department_access(db, supervisor, ctx, people["supervisor"])
    await task_access.check_task_department_access_for_unassign(db, artist, ctx, people["user"])
    with pytest.raises(PermissionDenied):
        await task_access.check_task_department_access_for_unassign(db, artist, ctx, people["client"])
    with pytest.raises(PermissionDenied):
        await task_access.check_task_mention_access(db, artist, other_ctx)
