"""Admin views of notifications: the `/data/notifications` registry entry and a project's listing."""

from __future__ import annotations

from datetime import datetime, timedelta

from event_log import events_named
from helpers import UNKNOWN, add

from app.repositories.tables.tasks import Notification

MODEL_KEYS = [
    "read",
    "change",
    "type",
    "person_id",
    "author_id",
    "comment_id",
    "task_id",
    "playlist_id",
    "reply_id",
    "id",
    "created_at",
    "updated_at",
    "notification_type",
]
T0 = datetime(2024, 5, 1, 10, 0, 0)


async def arrange(make, people):
    project = await make.project(team=[people["user"], people["manager"]])
    asset = await make.asset(project)
    task = await make.task(asset, await make.task_type(), assignees=[people["user"]])
    return project, task


async def notify(db, people, task, minutes=0, type_="assignation", person="user"):
    when = T0 + timedelta(minutes=minutes)
    return await add(
        db,
        Notification,
        person_id=people[person],
        author_id=people["manager"],
        type=type_,
        task_id=task["id"] if task else None,
        created_at=when,
        updated_at=when,
    )


async def test_registry_reads(as_admin, as_manager, as_artist, anon, db, make, people):
    _, task = await arrange(make, people)
    row = await notify(db, people, task)
    await notify(db, people, task, 1, "mention")
    r = await as_admin.get("/data/notifications", params={"task_id": task["id"]})
    assert r.status_code == 200, r.text
    listed = r.json()
    assert [n["notification_type"] for n in listed] == ["assignation", "mention"]
    assert list(listed[0]) == MODEL_KEYS
    assert listed[0]["type"] == "Notification" and listed[0]["person_id"] == people["user"]
    r = await as_admin.get("/data/notifications", params={"task_id": task["id"], "type": "mention"})
    assert [n["notification_type"] for n in r.json()] == ["mention"]
    r = await as_admin.get("/data/notifications", params={"task_id": task["id"], "page": "1", "limit": "1"})
    page = r.json()
    assert page["total"] == 2 and page["nb_pages"] == 2 and len(page["data"]) == 1
    assert page["data"][0]["notification_type"] == "mention"
    r = await as_admin.get(f"/data/notifications/{row['id']}")
    assert r.status_code == 200 and list(r.json()) == MODEL_KEYS and r.json()["notification_type"] == "assignation"
    assert (await as_manager.get("/data/notifications")).status_code == 403
    assert (await as_artist.get(f"/data/notifications/{row['id']}")).status_code == 403
    assert (await anon.get("/data/notifications")).status_code == 401
    assert (await as_admin.get(f"/data/notifications/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/notifications/bad")).status_code == 400


async def test_registry_writes(as_admin, as_manager, db, make, people):
    _, task = await arrange(make, people)
    body = {"person_id": people["user"], "author_id": people["manager"], "type": "assignation", "task_id": task["id"]}
    assert (await as_manager.post("/data/notifications", json=body)).status_code == 403
    r = await as_admin.post("/data/notifications", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert list(created) == MODEL_KEYS and created["notification_type"] == "assignation" and created["read"] is False
    (event,) = await events_named(db, "notification:new")
    assert event["data"] == {"notification_id": created["id"]}
    r = await as_admin.post("/data/notifications", json={"person_id": people["user"], "author_id": people["manager"]})
    assert r.status_code == 400
    url = f"/data/notifications/{created['id']}"
    r = await as_admin.put(url, json={"read": True, "type": "comment"})
    assert r.status_code == 200, r.text
    assert (
        r.json()["read"] is True and r.json()["notification_type"] == "comment" and r.json()["type"] == "Notification"
    )
    assert len(await events_named(db, "notification:update")) == 1
    assert (await as_manager.put(url, json={"read": False})).status_code == 403
    assert (await as_admin.put(f"/data/notifications/{UNKNOWN}", json={"read": True})).status_code == 404
    assert (await as_admin.put(url, json={"read": "nope"})).status_code == 400
    assert (await as_manager.delete(url)).status_code == 403
    assert (await as_admin.delete(url)).status_code == 204
    assert len(await events_named(db, "notification:delete")) == 1
    assert (await as_admin.delete(url)).status_code == 404


async def test_project_notifications(as_admin, as_manager, anon, db, make, people, queries):
    project, task = await arrange(make, people)
    other_project, other_task = await arrange(make, people)
    first = await notify(db, people, task, 0)
    await notify(db, people, other_task, 0)
    url = f"/data/projects/{project['id']}/notifications"
    r = await as_admin.get(url)
    assert r.status_code == 200, r.text
    assert [n["id"] for n in r.json()] == [first["id"]] and list(r.json()[0]) == MODEL_KEYS
    queries.reset()
    await as_admin.get(url)
    one = queries.count
    for i in range(1, 30):
        await notify(db, people, task, i, "comment")
    queries.reset()
    rows = (await as_admin.get(url)).json()
    assert queries.count == one and len(rows) == 30
    assert rows[0]["created_at"] == "2024-05-01T10:29:00"  # last updated first
    r = await as_admin.get(url, params={"page": "1", "limit": "5"})  # Zou pages by 100 whatever the limit
    assert {k: v for k, v in r.json().items() if k != "data"} == {
        "total": 30,
        "nb_pages": 1,
        "limit": 100,
        "offset": 0,
        "page": 1,
    }
    assert len(r.json()["data"]) == 30
    r = await as_admin.get(url, params={"page": "3"})
    assert r.json() == {"data": [], "total": 30, "nb_pages": 1, "limit": 100, "offset": 200, "page": 3}
    r = await as_admin.get(url, params={"page": "x"})
    assert r.status_code == 400 and r.json()["message"] == "page must be an integer."
    assert (await as_manager.get(url)).status_code == 403
    assert (await anon.get(url)).status_code == 401
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/notifications")).status_code == 404
    assert (await as_admin.get("/data/projects/bad/notifications")).status_code == 400
