"""POST /data/task-type-links and /data/task-status-links: upserts of a project's settings links."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import func, insert, select

from app.repositories.tables.catalog import TaskStatus, TaskType
from app.repositories.tables.projects import Project, ProjectPersonLink, ProjectTaskStatusLink, ProjectTaskTypeLink

TT = "/data/task-type-links"
TS = "/data/task-status-links"


@pytest.fixture
async def project(db) -> dict:
    return await add(db, Project, name="Links Project", fps="25")  # the column default is an int (see report)


@pytest.fixture
async def task_type(db) -> dict:
    return await add(db, TaskType, name="Links TT", for_entity="Shot")


@pytest.fixture
async def task_status(db) -> dict:
    return await add(db, TaskStatus, name="Links TS", short_name="lts", color="#ff0000")


async def join_team(db, project_id: str, person_id: str, role: str | None = None) -> None:
    await db.execute(insert(ProjectPersonLink.__table__).values(project_id=project_id, person_id=person_id, role=role))


async def count(db, model) -> int:
    return (await db.execute(select(func.count()).select_from(model.__table__))).scalar_one()


# --- task-type-links --------------------------------------------------------------


async def test_task_type_link_created_then_updated(as_admin, db, project, task_type, people):
    r = await as_admin.post(TT, json={"project_id": project["id"], "task_type_id": task_type["id"], "priority": 3})
    assert r.status_code == 201, r.text
    created = r.json()
    assert {
        k: created[k]
        for k in (
            "project_id",
            "task_type_id",
            "priority",
            "hd_bitrate_compression",
            "ld_bitrate_compression",
            "is_client_visible",
            "type",
        )
    } == {
        "project_id": project["id"],
        "task_type_id": task_type["id"],
        "priority": 3,
        "hd_bitrate_compression": None,
        "ld_bitrate_compression": None,
        "is_client_visible": True,
        "type": "ProjectTaskTypeLink",
    }
    assert {"id", "created_at", "updated_at"} <= set(created)

    # posting again updates the same link; an omitted priority resets it to 1
    r = await as_admin.post(TT, json={"project_id": project["id"], "task_type_id": task_type["id"]})
    assert r.status_code == 201
    assert r.json()["id"] == created["id"]
    assert r.json()["priority"] == 1
    assert await count(db, ProjectTaskTypeLink) == 1

    events = await events_named(db, "project:update")
    assert len(events) == 2
    assert events[0]["data"] == {"project_id": project["id"]}
    assert events[0]["project_id"] == project["id"]
    assert events[0]["user_id"] == people["admin"]


async def test_task_type_link_argument_sources(as_admin, project, task_type):
    body = {"project_id": project["id"], "task_type_id": task_type["id"], "priority": 3}
    # the query string wins over the JSON body
    r = await as_admin.post(TT + "?priority=7", json=body)
    assert (r.status_code, r.json()["priority"]) == (201, 7)
    # form values work
    r = await as_admin.post(TT, data={**body, "priority": "4"})
    assert (r.status_code, r.json()["priority"]) == (201, 4)
    # an explicit null stays null, a float is truncated, a numeric string is read
    r = await as_admin.post(TT, json={**body, "priority": None})
    assert (r.status_code, r.json()["priority"]) == (201, None)
    r = await as_admin.post(TT, json={**body, "priority": 2.7})
    assert r.json()["priority"] == 2
    r = await as_admin.post(TT, json={**body, "priority": "5"})
    assert r.json()["priority"] == 5
    # the trailing-slash form and the /api prefix answer too
    r = await as_admin.post("/api" + TT + "/", json=body)
    assert (r.status_code, r.json()["priority"]) == (201, 3)


async def test_task_type_link_bad_arguments(as_admin, project, task_type):
    r = await as_admin.post(TT, json={"task_type_id": task_type["id"]})
    assert (r.status_code, r.json()) == (
        400,
        {"error": True, "message": "Missing required parameter: project_id", "data": None},
    )
    r = await as_admin.post(TT, json={"project_id": project["id"]})
    assert r.json()["message"] == "Missing required parameter: task_type_id"
    r = await as_admin.post(TT)
    assert (r.status_code, r.json()["message"]) == (400, "Missing required parameter: project_id")
    r = await as_admin.post(TT, json={"project_id": project["id"], "task_type_id": task_type["id"], "priority": "x"})
    assert (r.status_code, r.json()["message"]) == (400, "Wrong value for parameter priority.")
    r = await as_admin.post(TT, json={"project_id": project["id"], "task_type_id": "bad"})
    assert (r.status_code, r.json()) == (
        400,
        {"error": True, "message": "task_type_id is required and must be a valid UUID", "data": None},
    )


async def test_task_type_link_unknown_ids(as_admin, as_manager, db, project, task_type, people):
    r = await as_admin.post(TT, json={"project_id": UNKNOWN, "task_type_id": task_type["id"]})
    assert r.status_code == 404
    r = await as_admin.post(TT, json={"project_id": "bad", "task_type_id": task_type["id"]})
    assert r.status_code == 404
    r = await as_admin.post(TT, json={"project_id": project["id"], "task_type_id": UNKNOWN})
    assert r.status_code == 404
    # for non-admins an unknown or malformed project is a 404 too, before the permission
    r = await as_manager.post(TT, json={"project_id": UNKNOWN, "task_type_id": task_type["id"]})
    assert r.status_code == 404
    r = await as_manager.post(TT, json={"project_id": "bad", "task_type_id": task_type["id"]})
    assert r.status_code == 404
    assert await count(db, ProjectTaskTypeLink) == 0


async def test_task_type_link_team_manager_may(as_manager, db, project, task_type, people):
    body = {"project_id": project["id"], "task_type_id": task_type["id"]}
    r = await as_manager.post(TT, json=body)
    assert r.status_code == 403  # not on the team
    await join_team(db, project["id"], people["manager"])
    r = await as_manager.post(TT, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["task_type_id"] == task_type["id"]


async def test_task_type_link_project_role_decides(client_for, db, project, task_type, people):
    body = {"project_id": project["id"], "task_type_id": task_type["id"]}
    # a supervisor acting as manager on this project may
    await join_team(db, project["id"], people["supervisor"], role="manager")
    async with client_for(people["supervisor"]) as supervisor:
        assert (await supervisor.post(TT, json=body)).status_code == 201
    # a manager demoted to artist on this project may not
    await join_team(db, project["id"], people["manager"], role="user")
    async with client_for(people["manager"]) as manager:
        assert (await manager.post(TT, json=body)).status_code == 403
    # a project role "admin" grants nothing: the global role applies
    await join_team(db, project["id"], people["user"], role="admin")
    async with client_for(people["user"]) as artist:
        assert (await artist.post(TT, json=body)).status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "user", "client", "vendor"])
async def test_task_type_link_other_roles_refused_even_on_team(role, client_for, db, project, task_type, people):
    await join_team(db, project["id"], people[role])
    async with client_for(people[role]) as client:
        r = await client.post(TT, json={"project_id": project["id"], "task_type_id": task_type["id"]})
    assert r.status_code == 403
    assert r.json()["error"] is True
    assert await count(db, ProjectTaskTypeLink) == 0


async def test_task_type_link_needs_token(anon, project, task_type):
    r = await anon.post(TT, json={"project_id": project["id"], "task_type_id": task_type["id"]})
    assert r.status_code == 401


# --- task-status-links ------------------------------------------------------------


async def test_task_status_link_created_then_updated(as_admin, db, project, task_status):
    body = {"project_id": project["id"], "task_status_id": task_status["id"]}
    r = await as_admin.post(TS, json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert {
        k: created[k]
        for k in ("project_id", "task_status_id", "priority", "roles_for_board", "is_client_allowed", "type")
    } == {
        "project_id": project["id"],
        "task_status_id": task_status["id"],
        "priority": 1,
        "roles_for_board": [],
        "is_client_allowed": None,
        "type": "ProjectTaskStatusLink",
    }

    r = await as_admin.post(TS, json={**body, "roles_for_board": "user", "priority": 4})
    assert r.status_code == 201
    assert (r.json()["id"], r.json()["priority"], r.json()["roles_for_board"]) == (created["id"], 4, ["user"])

    r = await as_admin.post(TS, json={**body, "roles_for_board": ["user", "client"]})
    assert (r.json()["priority"], r.json()["roles_for_board"]) == (1, ["user", "client"])

    r = await as_admin.post(TS + "?roles_for_board=manager&roles_for_board=vendor", json=body)
    assert r.json()["roles_for_board"] == ["manager", "vendor"]

    # re-posting without roles resets them to none
    r = await as_admin.post(TS, json=body)
    assert r.json()["roles_for_board"] == []
    assert await count(db, ProjectTaskStatusLink) == 1
    assert len(await events_named(db, "project:update")) == 5


async def test_task_status_link_bad_arguments(as_admin, db, project, task_status):
    body = {"project_id": project["id"], "task_status_id": task_status["id"]}
    r = await as_admin.post(TS, json={"project_id": project["id"]})
    assert (r.status_code, r.json()["message"]) == (400, "Missing required parameter: task_status_id")
    r = await as_admin.post(TS, json={**body, "task_status_id": "bad"})
    assert (r.status_code, r.json()["message"]) == (400, "task_status_id is required and must be a valid UUID")
    r = await as_admin.post(TS, json={**body, "roles_for_board": ["user", "boss"]})
    assert (r.status_code, r.json()["message"]) == (400, "Wrong value for parameter roles_for_board.")
    r = await as_admin.post(TS, json={**body, "priority": [1]})
    assert (r.status_code, r.json()["message"]) == (400, "Wrong value for parameter priority.")
    r = await as_admin.post(TS, json={**body, "task_status_id": UNKNOWN})
    assert r.status_code == 404
    r = await as_admin.post(TS, json={**body, "project_id": UNKNOWN})
    assert r.status_code == 404
    assert await count(db, ProjectTaskStatusLink) == 0


async def test_task_status_link_permissions(anon, as_manager, client_for, db, project, task_status, people):
    body = {"project_id": project["id"], "task_status_id": task_status["id"]}
    assert (await anon.post(TS, json=body)).status_code == 401
    assert (await as_manager.post(TS, json=body)).status_code == 403
    await join_team(db, project["id"], people["manager"])
    r = await as_manager.post(TS, json=body)
    assert r.status_code == 201
    await join_team(db, project["id"], people["client"])
    async with client_for(people["client"]) as client:
        assert (await client.post(TS, json=body)).status_code == 403
