"""Tasks: the full task, PUT and DELETE /data/tasks/{id}, bulk creation and deletion."""

from __future__ import annotations

import datetime

from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select
from zou_shapes import TASK_COLUMNS

from app.repositories.tables.tasks import Comment, Notification, Subscription, Task, TaskPersonLink, TimeSpent


async def shot_setup(make, people):
    project = await make.project(team=[people[r] for r in ("manager", "supervisor", "user", "client", "vendor")])
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "SQ01", episode=episode)
    shot = await make.shot(project, sequence, "SH01")
    task_type = await make.task_type(for_entity="Shot")
    task = await make.task(shot, task_type, assignees=[people["user"]], assigner_id=people["manager"])
    return project, episode, sequence, shot, task_type, task


async def task_row(db, task_id):
    return (await db.execute(select(Task.__table__).where(Task.__table__.c.id == task_id))).mappings().first()


# --- GET /data/tasks/{id}/full ----------------------------------------------------------------


async def test_full_task_of_a_shot(as_admin, as_artist, as_client, as_vendor, anon, make, people, queries):
    project, episode, sequence, shot, task_type, task = await shot_setup(make, people)
    queries.reset()
    r = await as_artist.get(f"/data/tasks/{task['id']}/full")
    assert r.status_code == 200, r.text
    count = queries.count
    body = r.json()
    assert list(body)[: len(TASK_COLUMNS)] == TASK_COLUMNS
    assert list(body)[len(TASK_COLUMNS) :] == [
        "assignees",
        "id",
        "created_at",
        "updated_at",
        "type",
        "entity",
        "entity_type",
        "is_subscribed",
        "persons",
        "project",
        "task_status",
        "task_type",
        "assigner",
        "sequence",
        "episode",
    ]
    assert body["assignees"] == [people["user"]] and body["type"] == "Task"
    assert body["entity"]["id"] == shot["id"] and body["entity"]["type"] == "Entity"
    assert list(body["entity"])[:2] == ["id", "name"] and list(body["entity"])[-3:] == [
        "created_at",
        "updated_at",
        "type",
    ]
    assert body["entity_type"]["name"] == "Shot" and body["entity_type"]["type"] == "EntityType"
    assert body["is_subscribed"] is False
    assert [p["id"] for p in body["persons"]] == [people["user"]]
    person = body["persons"][0]
    assert person["type"] == "Person" and "password" not in person and "departments" not in person
    assert list(person)[-5:] == ["full_name", "id", "created_at", "updated_at", "type"]
    assert body["assigner"]["id"] == people["manager"] and body["assigner"]["departments"] == []
    assert body["project"]["id"] == project["id"] and body["project"]["type"] == "Project"
    assert body["task_type"]["id"] == task_type["id"] and body["task_type"]["type"] == "TaskType"
    assert body["task_status"]["type"] == "TaskStatus"
    assert body["sequence"]["id"] == sequence["id"] and body["sequence"]["type"] == "Sequence"
    assert body["episode"]["id"] == episode["id"] and body["episode"]["type"] == "Episode"
    # a fixed number of statements, whatever the assignees
    for role in ("supervisor", "manager", "client"):
        await add(make.session, TaskPersonLink, task_id=task["id"], person_id=people[role])
    queries.reset()
    r = await as_artist.get(f"/data/tasks/{task['id']}/full")
    assert len(r.json()["persons"]) == 4 and queries.count == count
    # clients read it blank, without persons nor assigner
    r = await as_client.get(f"/data/tasks/{task['id']}/full")
    assert r.status_code == 200 and r.json()["persons"] == [] and "assigner" not in r.json()
    assert r.json()["assignees"] == []
    # errors
    assert (await anon.get(f"/data/tasks/{task['id']}/full")).status_code == 401
    assert (await as_vendor.get(f"/data/tasks/{task['id']}/full")).status_code == 403
    assert (await as_admin.get(f"/data/tasks/{UNKNOWN}/full")).status_code == 404
    assert (await as_admin.get("/data/tasks/nope/full")).status_code == 400


async def test_full_task_of_an_asset_has_no_sequence(as_admin, make, people):
    project = await make.project()
    asset = await make.asset(project)
    task = await make.task(asset, await make.task_type())
    body = (await as_admin.get(f"/data/tasks/{task['id']}/full")).json()
    assert "sequence" not in body and "episode" not in body and "assigner" not in body
    assert body["persons"] == [] and body["entity"]["id"] == asset["id"]


# --- PUT /data/tasks/{id} ---------------------------------------------------------------------


async def test_update_task(as_manager, as_supervisor, as_artist, anon, make, people, db):
    project, episode, sequence, shot, task_type, task = await shot_setup(make, people)
    url = f"/data/tasks/{task['id']}"
    r = await as_manager.put(url, json={"priority": 2, "data": {"a": 1}, "unknown": 1, "entity": {"x": 1}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["priority"] == 2 and body["data"] == {"a": 1} and "assignees" not in body
    assert list(body) == [*TASK_COLUMNS, "id", "created_at", "updated_at", "type"]
    r = await as_manager.put(url, json={"data": {"b": 2}, "due_date": "2026-12-01"})
    assert r.json()["data"] == {"a": 1, "b": 2} and r.json()["due_date"] == "2026-12-01T00:00:00"
    updates = await events_named(db, "task:update")
    assert len(updates) == 2 and updates[0]["data"] == {"task_id": task["id"], "project_id": project["id"]}
    # assignees: assign and unassign events, a notification for the new one
    r = await as_manager.put(url, json={"assignees": [people["supervisor"], UNKNOWN]})
    assert r.status_code == 200
    assigned = await events_named(db, "task:assign")
    unassigned = await events_named(db, "task:unassign")
    assert [e["data"]["person_id"] for e in assigned] == [people["supervisor"]]
    assert [e["data"]["person_id"] for e in unassigned] == [people["user"]]
    links = await db.execute(select(TaskPersonLink.__table__.c.person_id).where(TaskPersonLink.task_id == task["id"]))
    assert list(links.scalars()) == [people["supervisor"]]
    notes = await db.execute(select(Notification.__table__).where(Notification.__table__.c.task_id == task["id"]))
    notes = [dict(n) for n in notes.mappings()]
    assert [(n["person_id"], n["type"], n["author_id"]) for n in notes] == [
        (people["supervisor"], "assignation", people["manager"])
    ]
    # supervisors may change planning fields only; artists nothing
    assert (await as_supervisor.put(url, json={"priority": 1})).status_code == 200
    assert (await as_supervisor.put(url, json={"name": "other"})).status_code == 403
    assert (await as_artist.put(url, json={"priority": 1})).status_code == 403
    assert (await anon.put(url, json={"priority": 1})).status_code == 401
    assert (await as_manager.put(f"/data/tasks/{UNKNOWN}", json={"priority": 1})).status_code == 404
    assert (await as_manager.put("/data/tasks/nope", json={"priority": 1})).status_code == 400
    assert (await as_manager.put(url, json={"priority": "abc"})).status_code == 400
    assert (await as_manager.put(url, json={"due_date": "2026-13-01"})).status_code == 400


# --- DELETE /data/tasks/{id} ------------------------------------------------------------------


async def test_delete_task(as_manager, as_supervisor, anon, make, people, db):
    project, episode, sequence, shot, task_type, task = await shot_setup(make, people)
    url = f"/data/tasks/{task['id']}"
    status = await make.default_task_status()
    await add(
        db,
        Comment,
        object_id=task["id"],
        object_type="Task",
        person_id=people["user"],
        task_status_id=status["id"],
        text="hi",
    )
    await add(db, TimeSpent, task_id=task["id"], person_id=people["user"], date=datetime.date(2024, 1, 2), duration=3)
    await add(db, Subscription, task_id=task["id"], person_id=people["manager"])
    assert (await anon.delete(url)).status_code == 401
    assert (await as_supervisor.delete(url)).status_code == 403
    r = await as_manager.delete(url)
    assert r.status_code == 400 and r.json() == {"message": "The change conflicts with records referencing this one."}
    assert await task_row(db, task["id"]) is not None
    r = await as_manager.delete(url + "?force=true")
    assert r.status_code == 204
    assert await task_row(db, task["id"]) is None
    comments = await db.execute(select(Comment.__table__).where(Comment.__table__.c.object_id == task["id"]))
    assert comments.first() is None
    deleted = await events_named(db, "task:delete")
    assert [e["data"] for e in deleted] == [
        {
            "task_id": task["id"],
            "entity_id": shot["id"],
            "task_type_id": task_type["id"],
            "project_id": project["id"],
        }
    ]
    assert (await as_manager.delete(url)).status_code == 404
    assert (await as_manager.delete("/data/tasks/nope")).status_code == 400


async def test_delete_plain_task_without_force(as_manager, make, people, db):
    project, episode, sequence, shot, task_type, task = await shot_setup(make, people)
    assert (await as_manager.delete(f"/data/tasks/{task['id']}")).status_code == 204
    assert await task_row(db, task["id"]) is None
    assert len(await events_named(db, "task:delete")) == 1
