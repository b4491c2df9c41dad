"""Subscriptions: the caller following tasks and sequences, the registry entry, a project's listing."""

from __future__ import annotations

from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import func, select

from app.repositories.tables.tasks import Subscription

KEYS = ["person_id", "task_id", "entity_id", "task_type_id", "id", "created_at", "updated_at", "type"]
table = Subscription.__table__


async def arrange(make, people):
    project = await make.project(team=[people["user"], people["manager"], people["vendor"], people["client"]])
    sequence = await make.sequence(project)
    shot = await make.shot(project, sequence)
    task_type = await make.task_type(for_entity="Shot")
    task = await make.task(shot, task_type)
    other = await make.task(shot, await make.task_type(for_entity="Shot"))
    return project, sequence, shot, task_type, task, other


async def count(db, **criteria):
    stmt = select(func.count()).select_from(table)
    for name, value in criteria.items():
        stmt = stmt.where(table.c[name] == value)
    return (await db.execute(stmt)).scalar_one()


async def test_task_subscription(as_artist, as_supervisor, as_vendor, anon, db, make, people):
    _, _, _, _, task, _ = await arrange(make, people)
    uid = people["user"]
    url = f"/data/user/tasks/{task['id']}/subscribed"
    r = await as_artist.get(url)
    assert r.status_code == 200 and r.json() is False
    r = await as_artist.post(f"/actions/user/tasks/{task['id']}/subscribe")
    assert r.status_code == 201, r.text
    body = r.json()
    assert list(body) == KEYS
    assert body["person_id"] == uid and body["task_id"] == task["id"] and body["type"] == "Subscription"
    assert body["entity_id"] is None and body["task_type_id"] is None
    again = await as_artist.post(f"/actions/user/tasks/{task['id']}/subscribe")
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert await count(db, person_id=uid, task_id=task["id"]) == 1
    assert (await as_artist.get(url)).json() is True
    assert (await as_supervisor.get(url)).json() is False  # their own subscriptions only
    assert await events_named(db, "subscription:new") == []  # Zou emits nothing here
    # access: a person off the team, a vendor not assigned on the entity
    assert (await as_supervisor.post(f"/actions/user/tasks/{task['id']}/subscribe")).status_code == 403
    assert (await as_vendor.post(f"/actions/user/tasks/{task['id']}/subscribe")).status_code == 403
    assert (await as_artist.post(f"/actions/user/tasks/{UNKNOWN}/subscribe")).status_code == 404
    assert (await as_artist.post("/actions/user/tasks/bad/subscribe")).status_code == 400
    assert (await anon.post(f"/actions/user/tasks/{task['id']}/subscribe")).status_code == 401
    # checking an unknown task answers false, as Zou does
    assert (await as_artist.get(f"/data/user/tasks/{UNKNOWN}/subscribed")).json() is False
    assert (await as_artist.get("/data/user/tasks/bad/subscribed")).status_code == 400
    assert (await anon.get(url)).status_code == 401
    # unsubscribing
    r = await as_artist.delete(f"/actions/user/tasks/{task['id']}/unsubscribe")
    assert r.status_code == 204 and r.content == b""
    assert await count(db, person_id=uid, task_id=task["id"]) == 0
    assert (await as_artist.delete(f"/actions/user/tasks/{task['id']}/unsubscribe")).status_code == 204
    assert (await as_artist.delete(f"/actions/user/tasks/{UNKNOWN}/unsubscribe")).status_code == 204
    assert (await as_artist.delete("/actions/user/tasks/bad/unsubscribe")).status_code == 400
    assert (await anon.delete(f"/actions/user/tasks/{task['id']}/unsubscribe")).status_code == 401


async def test_bulk_task_subscription(as_artist, as_supervisor, anon, db, make, people, queries):
    _, _, shot, task_type, task, other = await arrange(make, people)
    uid = people["user"]
    url = "/actions/user/tasks/subscribe"
    r = await as_artist.post(url, json={"task_ids": [task["id"], other["id"]]})
    assert r.status_code == 201, r.text
    assert [s["task_id"] for s in r.json()] == [task["id"], other["id"]] and list(r.json()[0]) == KEYS
    assert await count(db, person_id=uid) == 2
    more = [(await make.task(shot, await make.task_type(for_entity="Shot")))["id"] for _ in range(10)]
    queries.reset()
    await as_artist.post(url, json={"task_ids": [task["id"]]})
    one = queries.count
    queries.reset()
    r = await as_artist.post(url, json={"task_ids": [task["id"], *more]})
    assert queries.count == one and len(r.json()) == 11
    assert (await as_artist.post(url, json={"task_ids": [task["id"], UNKNOWN]})).status_code == 404
    assert (await as_artist.post(url, json={"task_ids": ["bad"]})).status_code == 404
    assert (await as_supervisor.post(url, json={"task_ids": [task["id"]]})).status_code == 403
    r = await as_artist.post(url, json={"task_ids": []})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "task_ids"
    assert (await as_artist.post(url, json={})).status_code == 400
    assert (await as_artist.post(url, json={"task_ids": "nope"})).status_code == 400
    assert (await anon.post(url, json={"task_ids": [task["id"]]})).status_code == 401
    # unsubscribing answers the ids as given
    ids = [task["id"], other["id"], UNKNOWN, "bad"]
    r = await as_artist.post("/actions/user/tasks/unsubscribe", json={"task_ids": ids})
    assert r.status_code == 200 and r.json() == ids
    assert await count(db, person_id=uid) == 10
    assert (await as_artist.post("/actions/user/tasks/unsubscribe", json={"task_ids": []})).status_code == 400
    assert (await anon.post("/actions/user/tasks/unsubscribe", json={"task_ids": ids})).status_code == 401


async def test_sequence_subscription(as_artist, as_supervisor, anon, db, make, people):
    _, sequence, shot, task_type, _, _ = await arrange(make, people)
    uid = people["user"]
    path = f"/sequences/{sequence['id']}/task-types/{task_type['id']}"
    assert (await as_artist.get(f"/data/user{path}/subscribed")).json() is False
    r = await as_artist.post(f"/actions/user{path}/subscribe")
    assert r.status_code == 201, r.text
    body = r.json()
    assert list(body) == KEYS and body["task_id"] is None
    assert body["entity_id"] == sequence["id"] and body["task_type_id"] == task_type["id"] and body["person_id"] == uid
    assert (await as_artist.post(f"/actions/user{path}/subscribe")).json()["id"] == body["id"]
    assert await count(db, person_id=uid, entity_id=sequence["id"]) == 1
    assert (await as_artist.get(f"/data/user{path}/subscribed")).json() is True
    r = await as_artist.get(f"/data/user/entities/{sequence['id']}/task-types/{task_type['id']}/subscribed")
    assert r.status_code == 200 and r.json() is True
    assert (await as_supervisor.get(f"/data/user{path}/subscribed")).json() is False
    # errors
    assert (await as_supervisor.post(f"/actions/user{path}/subscribe")).status_code == 403  # not on the team
    tt = task_type["id"]
    assert (await as_artist.post(f"/actions/user/sequences/{UNKNOWN}/task-types/{tt}/subscribe")).status_code == 404
    assert (await as_artist.post(f"/actions/user/sequences/{shot['id']}/task-types/{tt}/subscribe")).status_code == 404
    r = await as_artist.post(f"/actions/user/sequences/{sequence['id']}/task-types/{UNKNOWN}/subscribe")
    assert r.status_code == 404
    assert (await as_artist.post(f"/actions/user/sequences/bad/task-types/{tt}/subscribe")).status_code == 400
    assert (await as_artist.get(f"/data/user/sequences/bad/task-types/{tt}/subscribed")).status_code == 400
    assert (await as_artist.get(f"/data/user/sequences/{UNKNOWN}/task-types/{tt}/subscribed")).json() is False
    assert (await anon.post(f"/actions/user{path}/subscribe")).status_code == 401
    assert (await anon.get(f"/data/user{path}/subscribed")).status_code == 401
    # unsubscribing
    r = await as_artist.delete(f"/actions/user{path}/unsubscribe")
    assert r.status_code == 204
    assert await count(db, person_id=uid, entity_id=sequence["id"]) == 0
    assert (await as_artist.delete(f"/actions/user{path}/unsubscribe")).status_code == 204
    assert (await as_artist.delete(f"/actions/user/sequences/bad/task-types/{tt}/unsubscribe")).status_code == 400
    assert (await anon.delete(f"/actions/user{path}/unsubscribe")).status_code == 401
    assert await events_named(db, "subscription:delete") == []


async def test_registry_and_project_listing(as_admin, as_manager, anon, db, make, people, queries):
    project, sequence, _, task_type, task, other = await arrange(make, people)
    on_task = await add(db, Subscription, person_id=people["user"], task_id=task["id"])
    await add(db, Subscription, person_id=people["user"], entity_id=sequence["id"], task_type_id=task_type["id"])
    # the registry entry (admins)
    r = await as_admin.get("/data/subscriptions", params={"task_id": task["id"]})
    assert r.status_code == 200, r.text
    assert [s["id"] for s in r.json()] == [on_task["id"]] and list(r.json()[0]) == KEYS
    assert (await as_manager.get("/data/subscriptions")).status_code == 403
    assert (await anon.get("/data/subscriptions/")).status_code == 401
    r = await as_admin.get("/data/subscriptions/", params={"page": "1"})  # the excerpt's spelling
    assert r.status_code == 200 and r.json()["total"] >= 2 and list(r.json()["data"][0]) == KEYS
    r = await as_admin.post("/data/subscriptions", json={"person_id": people["manager"], "task_id": task["id"]})
    assert r.status_code == 201 and list(r.json()) == KEYS
    created = r.json()
    (event,) = await events_named(db, "subscription:new")
    assert event["data"] == {"subscription_id": created["id"]}
    assert (await as_manager.post("/data/subscriptions", json={"person_id": people["manager"]})).status_code == 403
    assert (await as_admin.post("/data/subscriptions", json={"task_id": task["id"]})).status_code == 400
    url = f"/data/subscriptions/{created['id']}"
    assert (await as_admin.get(url)).json()["task_id"] == task["id"]
    r = await as_admin.put(url, json={"task_id": other["id"]})
    assert r.status_code == 200 and r.json()["task_id"] == other["id"]
    assert len(await events_named(db, "subscription:update")) == 1
    assert (await as_manager.get(url)).status_code == 403
    assert (await as_admin.get(f"/data/subscriptions/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/subscriptions/bad")).status_code == 400
    assert (await as_admin.delete(url)).status_code == 204
    assert len(await events_named(db, "subscription:delete")) == 1
    # a project's task subscriptions (admins)
    purl = f"/data/projects/{project['id']}/subscriptions"
    queries.reset()
    r = await as_admin.get(purl)
    one = queries.count
    assert r.status_code == 200 and [s["id"] for s in r.json()] == [on_task["id"]] and list(r.json()[0]) == KEYS
    for person in ("manager", "vendor", "client"):
        await add(db, Subscription, person_id=people[person], task_id=other["id"])
    queries.reset()
    assert len((await as_admin.get(purl)).json()) == 4 and queries.count == one
    assert (await as_manager.get(purl)).status_code == 403
    assert (await anon.get(purl)).status_code == 401
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/subscriptions")).status_code == 404
    assert (await as_admin.get("/data/projects/bad/subscriptions")).status_code == 400
