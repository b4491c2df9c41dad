"""Tasks: bulk creation and deletion per project and task type."""

from __future__ import annotations

from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import select

from app.repositories.tables.tasks import Task

CREATED_EXTRA = [
    "assignees",
    "task_status_name",
    "task_status_short_name",
    "task_status_color",
    "task_type_name",
    "task_type_color",
    "task_type_priority",
]


async def project_tasks(db, project):
    stmt = select(Task.__table__).where(Task.__table__.c.project_id == project["id"])
    return [dict(r) for r in (await db.execute(stmt)).mappings()]


async def test_create_shot_tasks(as_manager, as_supervisor, anon, make, people, db, queries):
    project = await make.project(team=[people["manager"], people["supervisor"]])
    sequence = await make.sequence(project)
    shots = [await make.shot(project, sequence, f"SH{i:02}") for i in range(3)]
    other = await make.shot(await make.project(), await make.sequence(project))
    task_type = await make.task_type(for_entity="Shot")
    base = f"/actions/projects/{project['id']}/task-types/{task_type['id']}"
    # the given shots of the project (the other project's one is skipped)
    r = await as_manager.post(base + "/shots/create-tasks", json=[shots[0]["id"], other["id"]])
    assert r.status_code == 201, r.text
    body = r.json()
    assert [t["entity_id"] for t in body] == [shots[0]["id"]]
    task = body[0]
    assert list(task)[-len(CREATED_EXTRA) - 1 :] == ["type", *CREATED_EXTRA]
    assert task["name"] == "main" and task["assignees"] == [] and task["assigner_id"] == people["manager"]
    assert task["task_type_name"] == task_type["name"] and task["task_status_short_name"]
    # then every shot of the project without such a task, in a fixed number of statements
    queries.reset()
    r = await as_manager.post(base + "/shots/create-tasks")
    assert r.status_code == 201 and sorted(t["entity_id"] for t in r.json()) == sorted(s["id"] for s in shots[1:])
    count = queries.count
    assert (await as_manager.post(base + "/shots/create-tasks")).json() == []
    assert len(await events_named(db, "task:new")) == 3
    for i in range(3, 13):
        await make.shot(project, sequence, f"SH{i:02}")
    queries.reset()
    r = await as_manager.post(base + "/shots/create-tasks", json={})
    assert len(r.json()) == 10 and queries.count == count
    # errors
    assert (await anon.post(base + "/shots/create-tasks")).status_code == 401
    assert (await as_supervisor.post(base + "/shots/create-tasks")).status_code == 403
    unknown_type = f"/actions/projects/{project['id']}/task-types/{UNKNOWN}/shots/create-tasks"
    assert (await as_manager.post(unknown_type)).status_code == 404
    assert (await as_manager.post(base + "/shots/create-tasks", json=[UNKNOWN])).status_code == 404
    r = await as_manager.post(base + "/shots/create-tasks", json=["nope"])
    assert r.status_code == 400 and r.json()["message"] == "Request body must only contain valid UUIDs."
    r = await as_manager.post(base + "/shots/create-tasks", json={"a": 1})
    assert r.status_code == 400 and r.json()["message"] == "Request body must be a JSON array."
    assert (await as_manager.post("/actions/projects/x/task-types/y/shots/create-tasks")).status_code == 400


async def test_create_asset_edit_concept_and_named_tasks(as_manager, as_artist, as_client, make, people, db):
    project = await make.project(team=[people["manager"], people["user"], people["client"]])
    asset = await make.asset(project)
    edit = await make.edit(project)
    concept = await make.concept(project)
    shot = await make.shot(project, await make.sequence(project))
    modeling = await make.task_type(for_entity="Asset")
    base = f"/actions/projects/{project['id']}/task-types/{modeling['id']}"
    r = await as_manager.post(base + "/assets/create-tasks")
    assert r.status_code == 201 and [t["entity_id"] for t in r.json()] == [asset["id"]]
    assert (await as_manager.post(base + "/assets/create-tasks", json=[shot["id"]])).status_code == 404
    r = await as_manager.post(base + "/edits/create-tasks")
    assert [t["entity_id"] for t in r.json()] == [edit["id"]]
    # concepts: any member but vendors and clients; concept tasks start on the concept status
    r = await as_artist.post(base + "/concepts/create-tasks")
    assert r.status_code == 201 and [t["entity_id"] for t in r.json()] == [concept["id"]]
    assert (await as_client.post(base + "/concepts/create-tasks")).status_code == 403
    # an entity type named in the path
    r = await as_manager.post(base + "/create-tasks/shot")
    assert r.status_code == 201 and [t["entity_id"] for t in r.json()] == [shot["id"]]
    assert (await as_manager.post(base + "/create-tasks/nothing")).status_code == 404
    assert (await as_artist.post(base + "/create-tasks/shot")).status_code == 403


async def test_delete_tasks_batch(as_manager, as_supervisor, anon, make, people, db):
    project = await make.project(team=[people["manager"], people["supervisor"]])
    asset = await make.asset(project)
    types = [await make.task_type() for _ in range(3)]
    tasks = [await make.task(asset, t) for t in types]
    other = await make.task(await make.asset(await make.project()), types[0])
    url = f"/actions/projects/{project['id']}/delete-tasks"
    ids = [tasks[0]["id"], tasks[1]["id"], other["id"]]
    assert (await anon.post(url, json=ids)).status_code == 401
    assert (await as_supervisor.post(url, json=ids)).status_code == 403
    assert (await as_manager.post(url, json=["bad"])).status_code == 400
    assert (await as_manager.post(url, json={"a": 1})).status_code == 400
    assert (await as_manager.post(f"/actions/projects/{UNKNOWN}/delete-tasks", json=ids)).status_code == 404
    r = await as_manager.post(url, json=ids)
    assert r.status_code == 200 and r.json() == ids
    assert [t["id"] for t in await project_tasks(db, project)] == [tasks[2]["id"]]
    assert sorted(e["data"]["task_id"] for e in await events_named(db, "task:delete")) == sorted(ids[:2])


async def test_delete_tasks_for_type(as_admin, as_manager, anon, make, people, db):
    project = await make.project(team=[people["manager"]])
    asset = await make.asset(project)
    keep, drop = await make.task_type(), await make.task_type()
    kept = await make.task(asset, keep)
    await make.task(asset, drop)
    await make.task(await make.asset(project), drop)
    url = f"/actions/projects/{project['id']}/task-types/{drop['id']}/delete-tasks"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_manager.delete(url)).status_code == 403
    assert (
        await as_admin.delete(f"/actions/projects/{UNKNOWN}/task-types/{drop['id']}/delete-tasks")
    ).status_code == 404
    assert (await as_admin.delete(f"/actions/projects/x/task-types/{drop['id']}/delete-tasks")).status_code == 400
    assert (await as_admin.delete(url)).status_code == 204
    assert [t["id"] for t in await project_tasks(db, project)] == [kept["id"]]
    assert len(await events_named(db, "task:delete")) == 2
