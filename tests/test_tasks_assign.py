"""Tasks: assignment, clearing assignations, priorities."""

from __future__ import annotations

from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select

from app.repositories.tables.people import Person
from app.repositories.tables.projects import ProjectPersonLink
from app.repositories.tables.tasks import Notification, Task, TaskPersonLink

link = TaskPersonLink.__table__


async def assignees(db, task):
    stmt = select(link.c.person_id).where(link.c.task_id == task["id"]).order_by(link.c.person_id)
    return list((await db.execute(stmt)).scalars())


async def setup(make, people):
    project = await make.project(team=[people["manager"], people["supervisor"], people["user"]])
    asset = await make.asset(project)
    task_type = await make.task_type()
    task = await make.task(asset, task_type)
    return project, asset, task_type, task


async def test_assign_task(as_manager, as_artist, anon, make, people, db):
    project, asset, task_type, task = await setup(make, people)
    url = f"/actions/tasks/{task['id']}/assign"
    r = await as_manager.put(url, json={"person_id": people["user"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["assignees"] == [people["user"]] and body["assigner_id"] == people["manager"]
    assert list(body)[-5:] == ["assignees", "id", "created_at", "updated_at", "type"]
    assert await assignees(db, task) == [people["user"]]
    assigned = await events_named(db, "task:assign")
    assert [e["data"] for e in assigned] == [
        {"task_id": task["id"], "person_id": people["user"], "project_id": project["id"]}
    ]
    assert len(await events_named(db, "task:update")) == 1
    notes = (await db.execute(select(Notification.__table__).where(Notification.task_id == task["id"]))).mappings()
    assert [(n["person_id"], n["type"]) for n in notes] == [(people["user"], "assignation")]
    # a person outside the team joins it
    outsider = await add(db, Person, first_name="Out", last_name="Sider", email="out@example.com", role="user")
    assert (await as_manager.put(url, json={"person_id": outsider["id"]})).status_code == 200
    team = ProjectPersonLink.__table__
    stmt = select(team.c.person_id).where(team.c.project_id == project["id"], team.c.person_id == outsider["id"])
    assert (await db.execute(stmt)).first() is not None
    # errors
    assert (await anon.put(url, json={"person_id": people["user"]})).status_code == 401
    assert (await as_artist.put(url, json={"person_id": people["supervisor"]})).status_code == 403
    r = await as_manager.put(url, json={"person_id": UNKNOWN})
    assert r.status_code == 400 and r.json() == {"error": "Assignee doesn't exist in database."}
    r = await as_manager.put(url, json={})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "person_id"
    assert (
        await as_manager.put(f"/actions/tasks/{UNKNOWN}/assign", json={"person_id": people["user"]})
    ).status_code == 404
    assert (await as_manager.put("/actions/tasks/nope/assign", json={"person_id": people["user"]})).status_code == 400


async def test_assign_tasks_to_person(as_manager, as_artist, anon, make, people, db):
    project, asset, task_type, task = await setup(make, people)
    other = await make.task(await make.asset(project), task_type)
    foreign = await make.task(await make.asset(await make.project()), task_type)  # not on that team
    url = f"/actions/persons/{people['user']}/assign"
    r = await as_manager.put(url, json={"task_ids": [task["id"], UNKNOWN, "bad", foreign["id"], other["id"]]})
    assert r.status_code == 200, r.text
    assert [t["id"] for t in r.json()] == [task["id"], other["id"]]
    assert all(t["assignees"] == [people["user"]] for t in r.json())
    assert len(await events_named(db, "task:assign")) == 2
    assert await assignees(db, foreign) == []
    # the artist may not assign others
    assert (await as_artist.put(url, json={"task_ids": [task["id"]]})).json() == []
    assert (await anon.put(url, json={"task_ids": [task["id"]]})).status_code == 401
    r = await as_manager.put(f"/actions/persons/{UNKNOWN}/assign", json={"task_ids": [task["id"]]})
    assert r.status_code == 400 and r.json() == {"error": "Assignee doesn't exist in database."}
    r = await as_manager.put(url, json={"task_ids": []})
    assert r.status_code == 400 and r.json()["message"] == "Validation error."
    assert (await as_manager.put("/actions/persons/nope/assign", json={"task_ids": [task["id"]]})).status_code == 400


async def test_clear_assignation(as_manager, as_artist, anon, make, people, db):
    project, asset, task_type, task = await setup(make, people)
    other = await make.task(await make.asset(project), task_type, assignees=[people["user"], people["supervisor"]])
    await add(db, TaskPersonLink, task_id=task["id"], person_id=people["user"])
    url = "/actions/tasks/clear-assignation"
    # an artist may unassign themselves only
    r = await as_artist.put(url, json={"task_ids": [task["id"]], "person_id": people["supervisor"]})
    assert r.status_code == 200 and r.json() == []
    r = await as_artist.put(url, json={"task_ids": [task["id"]], "person_id": people["user"]})
    assert r.json() == [task["id"]] and await assignees(db, task) == []
    r = await as_manager.put(url, json={"task_ids": [other["id"], UNKNOWN, "bad"]})
    assert r.status_code == 200 and r.json() == [other["id"]]
    assert await assignees(db, other) == []
    unassigned = await events_named(db, "task:unassign")
    assert sorted((e["data"]["task_id"], e["data"]["person_id"]) for e in unassigned) == sorted(
        [(task["id"], people["user"]), (other["id"], people["user"]), (other["id"], people["supervisor"])]
    )
    assert len(await events_named(db, "task:update")) == 2
    assert (await anon.put(url, json={"task_ids": [task["id"]]})).status_code == 401
    r = await as_manager.put(url, json={})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "task_ids"


async def test_set_priority(as_manager, as_supervisor, as_artist, anon, make, people, db):
    project, asset, task_type, task = await setup(make, people)
    url = "/actions/tasks/set-priority"
    r = await as_supervisor.put(url, json={"task_ids": [task["id"], UNKNOWN, "bad"], "priority": 3})
    assert r.status_code == 200, r.text
    assert [t["priority"] for t in r.json()] == [3] and r.json()[0]["type"] == "Task"
    assert "assignees" not in r.json()[0]
    stmt = select(Task.__table__.c.priority).where(Task.__table__.c.id == task["id"])
    assert (await db.execute(stmt)).scalar() == 3
    assert len(await events_named(db, "task:update")) == 1
    assert (await as_artist.put(url, json={"task_ids": [task["id"]], "priority": 1})).json() == []
    assert (await anon.put(url, json={"task_ids": [task["id"]], "priority": 1})).status_code == 401
    r = await as_manager.put(url, json={"task_ids": [task["id"]], "priority": -1})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "priority"
