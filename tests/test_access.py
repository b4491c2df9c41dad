"""Project access rules (app/domain/access.py) on real rows."""

from __future__ import annotations

import pytest

from app.core.errors import NotFound, PermissionDenied
from app.domain import access
from app.domain.entity_kinds import ASSET, entity_kinds
from app.domain.permissions import Caller


def caller(people, role: str) -> Caller:
    return Caller(id=people[role], role=role)


async def test_member_supervisor_manager_levels(db, make, people):
    project = await make.project(team=[people["manager"], people["supervisor"], people["user"]])
    await make.add_to_team(project, people["client"], role="supervisor")
    for role, member, supervisor, manager in (
        ("admin", True, True, True),
        ("manager", True, True, True),
        ("supervisor", True, True, False),
        ("user", True, False, False),
        ("client", True, True, False),  # the team link's role wins over the global one
        ("vendor", False, False, False),
    ):
        scope = await access.project_scope(db, caller(people, role), project["id"])
        assert (scope.is_member, scope.is_supervisor, scope.is_manager) == (member, supervisor, manager), role


async def test_unknown_project_is_404_and_outsider_403(db, make, people):
    with pytest.raises(NotFound):
        await access.require_member(db, caller(people, "admin"), "00000000-0000-0000-0000-000000000000")
    project = await make.project()
    with pytest.raises(PermissionDenied):
        await access.require_member(db, caller(people, "user"), project["id"])
    assert await access.visible_project_ids(db, caller(people, "admin")) is None
    assert project["id"] not in await access.visible_project_ids(db, caller(people, "user"))


async def test_vendor_reaches_entities_through_assignments(db, make, people):
    project = await make.project(team=[people["vendor"]])
    sequence = await make.sequence(project)
    shot, other = await make.shot(project, sequence), await make.shot(project, sequence)
    await make.task(shot, await make.task_type(for_entity="Shot"), assignees=[people["vendor"]])
    scope = await access.require_member(db, caller(people, "vendor"), project["id"])
    await access.require_entity_access(db, scope, shot["id"])
    with pytest.raises(PermissionDenied):
        await access.require_entity_access(db, scope, other["id"])


async def test_entity_kinds_name_rows(db, make):
    kinds = await entity_kinds(db)
    project = await make.project()
    rows = kinds.typed([await make.episode(project), await make.asset(project)])
    assert [r["type"] for r in rows] == ["Episode", ASSET]
