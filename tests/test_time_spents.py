"""Time spents: per task writes, listings per task, entity, person, project, studio tables."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import select

from app.repositories.tables.tasks import Task

DAY = "2024-03-05"


async def setup(make, people):
    project = await make.project(team=[people["user"], people["manager"], people["client"], people["supervisor"]])
    asset = await make.asset(project)
    task_type = await make.task_type()
    task = await make.task(asset, task_type, assignees=[people["user"]])
    return project, asset, task_type, task


async def log(client, task, person_id, duration=60, day=DAY, add=False):
    url = f"/actions/tasks/{task['id']}/time-spents/{day}/persons/{person_id}" + ("/add" if add else "")
    return await client.post(url, json={"duration": duration})


async def test_set_add_delete(as_artist, as_manager, as_client, anon, make, people, db):
    project, asset, task_type, task = await setup(make, people)
    uid = people["user"]
    r = await log(as_artist, task, uid, 60)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["duration"] == 60 and body["date"] == DAY and body["person_id"] == uid and body["type"] == "TimeSpent"
    assert list(body) == ["duration", "date", "task_id", "person_id", "id", "created_at", "updated_at", "type"]
    assert len(await events_named(db, "time-spent:new")) == 1
    r = await log(as_manager, task, uid, 30, add=True)
    assert r.status_code == 201 and r.json()["duration"] == 90
    assert len(await events_named(db, "time-spent:update")) == 1
    duration = (await db.execute(select(Task.__table__.c.duration).where(Task.__table__.c.id == task["id"]))).scalar()
    assert duration == 90
    r = await log(as_artist, task, uid, 20)
    assert r.json()["duration"] == 20
    # permissions and errors
    assert (await log(anon, task, uid)).status_code == 401
    assert (await log(as_client, task, uid)).status_code == 403
    assert (await log(as_manager, task, people["manager"])).status_code == 403  # not assigned
    assert (await log(as_artist, {"id": UNKNOWN}, uid)).status_code == 404
    assert (await log(as_artist, {"id": "nope"}, uid)).status_code == 400
    r = await log(as_artist, task, uid, duration=-1)
    assert r.status_code == 400 and r.json()["message"] == "Validation error."
    assert (await log(as_artist, task, uid, day="2024-13-45")).status_code == 400
    url = f"/actions/tasks/{task['id']}/time-spents/{DAY}/persons/{uid}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_client.delete(url)).status_code == 403
    r = await as_artist.delete(url)
    assert r.status_code == 201 and r.json()["duration"] == 0
    assert len(await events_named(db, "time-spent:delete")) == 1
    assert (await as_artist.delete(url)).status_code == 404
    duration = (await db.execute(select(Task.__table__.c.duration).where(Task.__table__.c.id == task["id"]))).scalar()
    assert duration == 0


async def test_task_and_entity_listings(as_admin, as_artist, as_vendor, anon, make, people, queries):
    project, asset, task_type, task = await setup(make, people)
    uid = people["user"]
    await log(as_admin, task, uid, 60)
    await log(as_admin, task, uid, 30, day="2024-03-06")
    r = await as_artist.get(f"/actions/tasks/{task['id']}/time-spents")
    assert r.status_code == 200
    assert r.json()["total"] == 90 and len(r.json()[uid]) == 2
    r = await as_artist.get(f"/actions/tasks/{task['id']}/time-spents/{DAY}")
    assert r.json()["total"] == 60
    assert (await as_artist.get(f"/actions/tasks/{task['id']}/time-spents/bad")).status_code == 400
    assert (await anon.get(f"/actions/tasks/{task['id']}/time-spents")).status_code == 401
    assert (await as_vendor.get(f"/actions/tasks/{task['id']}/time-spents")).status_code == 403
    assert (await as_artist.get(f"/actions/tasks/{UNKNOWN}/time-spents")).status_code == 404
    assert (await as_artist.get("/actions/tasks/x/time-spents")).status_code == 400
    r = await as_artist.get(f"/data/entities/{asset['id']}/time-spents")
    assert r.status_code == 200 and [t["date"] for t in r.json()] == ["2024-03-06", DAY]
    assert (await as_vendor.get(f"/data/entities/{asset['id']}/time-spents")).status_code == 403
    assert (await as_artist.get(f"/data/entities/{UNKNOWN}/time-spents")).status_code == 404
    assert (await anon.get(f"/data/entities/{asset['id']}/time-spents")).status_code == 401
    assert (await as_artist.get("/data/entities/x/time-spents")).status_code == 400
    queries.reset()
    await as_artist.get(f"/data/entities/{asset['id']}/time-spents")
    few = queries.count
    for i in range(10):
        await log(as_admin, task, uid, 10, day=f"2024-04-{i + 10}")
    queries.reset()
    r = await as_artist.get(f"/data/entities/{asset['id']}/time-spents")
    assert len(r.json()) == 12 and queries.count == few


async def test_project_listings(as_admin, as_manager, as_client, as_artist, anon, make, people):
    project, asset, task_type, task = await setup(make, people)
    uid = people["user"]
    await log(as_admin, task, uid, 60)
    r = await as_artist.get(f"/data/projects/{project['id']}/time-spents")
    assert r.status_code == 200 and r.json()[0]["duration"] == 60
    assert (await as_client.get(f"/data/projects/{project['id']}/time-spents")).status_code == 403
    assert (await anon.get(f"/data/projects/{project['id']}/time-spents")).status_code == 401
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/time-spents")).status_code == 404
    assert (await as_admin.get("/data/projects/x/time-spents")).status_code == 400
    url = f"/data/projects/{project['id']}/task-types/{task_type['id']}/time-spents"
    r = await as_manager.get(url, params={"start_date": "2024-03-01", "end_date": "2024-03-31"})
    assert r.status_code == 200 and r.json()[uid][0]["duration"] == 60
    r = await as_manager.get(url, params={"start_date": "2024-04-01"})
    assert r.json() == {}
    assert (await as_manager.get(url, params={"start_date": "bad"})).status_code == 400
    assert (await as_artist.get(url)).status_code == 403
    assert (await anon.get(url)).status_code == 401
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/task-types/{task_type['id']}/time-spents")).status_code == 404


async def test_person_listings(as_admin, as_artist, as_client, anon, make, people):
    project, asset, task_type, task = await setup(make, people)
    uid = people["user"]
    await log(as_admin, task, uid, 60)
    base = f"/data/persons/{uid}/time-spents"
    r = await as_artist.get(f"{base}/{DAY}")
    assert r.status_code == 200 and r.json()[0]["duration"] == 60
    assert (await as_artist.get(f"{base}/2024-03-06")).json() == []
    assert (await as_artist.get(f"{base}/bad")).status_code == 400
    assert (await as_client.get(f"{base}/{DAY}")).status_code == 403
    assert (await anon.get(f"{base}/{DAY}")).status_code == 401
    assert (await as_admin.get(f"/data/persons/{UNKNOWN}/time-spents/{DAY}")).status_code == 404
    r = await as_admin.get(base, params={"start_date": "2024-03-01", "end_date": "2024-03-31"})
    assert r.json()[0]["project_id"] == project["id"] and r.json()[0]["task_type_id"] == task_type["id"]
    assert (await as_admin.get(base, params={"start_date": "2024-03-01"})).status_code == 400
    assert (await as_admin.get(base)).json() == []
    for path in ("year/2024", "month/2024/3", "week/2024/10", "day/2024/3/5"):
        r = await as_artist.get(f"{base}/{path}")
        assert r.status_code == 200, path
        assert r.json()[0]["duration"] == 60 and r.json()[0]["task_id"] == task["id"]
        assert r.json()[0]["project_name"] == project["name"] and r.json()[0]["entity_name"] == asset["name"]
        assert (await as_client.get(f"{base}/{path}")).status_code == 403
    assert (await as_artist.get(f"{base}/month/2024/13")).status_code == 400
    assert (await as_artist.get(f"{base}/year/2023")).json() == []
    r = await as_artist.get(f"{base}/month/all/2024/3")
    assert r.status_code == 200 and r.json()[0]["duration"] == 60
    assert (await as_client.get(f"{base}/month/all/2024/3")).status_code == 403
    assert (await as_artist.get(f"{base}/month/all/2024/13")).status_code == 400


@pytest.mark.parametrize(
    "path,key",
    [
        ("year-table", "2024"),
        ("month-table/2024", "3"),
        ("week-table/2024", "10"),
        ("day-table/2024/3", "5"),
    ],
)
async def test_tables(path, key, as_admin, as_artist, as_manager, anon, make, people, queries):
    project, asset, task_type, task = await setup(make, people)
    uid = people["user"]
    await log(as_admin, task, uid, 60)
    url = f"/data/persons/time-spents/{path}"
    queries.reset()
    r = await as_admin.get(url)
    few = queries.count
    assert r.status_code == 200 and r.json()[key][uid] == 60
    for i in range(10):
        other = await make.task(asset, task_type, name=f"t{i}", assignees=[uid])
        await log(as_admin, other, uid, 10)
    queries.reset()
    r = await as_admin.get(url)
    assert r.json()[key][uid] == 160 and queries.count == few
    assert (await as_artist.get(url)).json()[key][uid] == 160
    assert (await as_manager.get(url)).json()[key][uid] == 160
    assert (await anon.get(url)).status_code == 401


async def test_tables_bad_month(as_admin):
    assert (await as_admin.get("/data/persons/time-spents/day-table/2024/13")).status_code == 400


async def test_user_routes(as_artist, as_admin, anon, make, people):
    project, asset, task_type, task = await setup(make, people)
    await log(as_admin, task, people["user"], 60)
    r = await as_artist.get(f"/data/user/time-spents/{DAY}")
    assert r.status_code == 200 and r.json()[0]["duration"] == 60
    assert (await as_artist.get("/data/user/time-spents/bad")).status_code == 400
    r = await as_artist.get("/data/user/time-spents", params={"start_date": "2024-03-01", "end_date": "2024-03-31"})
    assert r.json()[0]["task_id"] == task["id"]
    assert (await as_artist.get("/data/user/time-spents", params={"end_date": "2024-03-01"})).status_code == 400
    r = await as_artist.get(f"/data/user/tasks/{task['id']}/time-spents/{DAY}")
    assert r.status_code == 200 and r.json()["duration"] == 60
    assert (await as_artist.get(f"/data/user/tasks/{task['id']}/time-spents/2024-01-01")).json() is None
    assert (await as_artist.get("/data/user/tasks/x/time-spents/2024-01-01")).status_code == 400
    assert (await anon.get("/data/user/time-spents")).status_code == 401
    assert (await anon.get(f"/data/user/time-spents/{DAY}")).status_code == 401


async def test_crud(as_admin, as_artist, as_client, anon, make, people, db):
    project, asset, task_type, task = await setup(make, people)
    uid = people["user"]
    r = await as_admin.post(
        "/data/time-spents", json={"task_id": task["id"], "person_id": uid, "date": DAY, "duration": 5}
    )
    assert r.status_code == 201, r.text
    ts = r.json()
    assert ts["type"] == "TimeSpent" and ts["date"] == DAY
    assert len(await events_named(db, "time-spent:new")) == 1
    assert len(await events_named(db, "task:update")) == 1
    task_duration = select(Task.__table__.c.duration).where(Task.__table__.c.id == task["id"])
    assert (await db.execute(task_duration)).scalar() == 5
    assert (await as_admin.get(f"/data/time-spents/{ts['id']}")).json()["duration"] == 5
    assert (await as_artist.get(f"/data/time-spents/{ts['id']}")).status_code == 403
    r = await as_admin.put(f"/data/time-spents/{ts['id']}", json={"duration": 7})
    assert r.status_code == 200 and r.json()["duration"] == 7
    assert (await db.execute(task_duration)).scalar() == 7
    assert (await as_artist.put(f"/data/time-spents/{ts['id']}", json={"duration": 8})).status_code == 403
    assert any(t["id"] == ts["id"] for t in (await as_admin.get("/data/time-spents")).json())
    r = await as_admin.get("/data/time-spents", params={"start_date": "2024-03-01", "end_date": "2024-03-31"})
    assert [t["id"] for t in r.json()] == [ts["id"]]
    assert (await as_admin.get("/data/time-spents", params={"start_date": "2024-03-01"})).status_code == 400
    assert (await as_artist.get("/data/time-spents")).status_code == 403
    body = {"task_id": task["id"], "person_id": uid, "date": "2024-03-09", "duration": 1}
    assert (await as_artist.post("/data/time-spents", json=body)).status_code == 403
    assert (await anon.get("/data/time-spents")).status_code == 401
    assert (await as_admin.get(f"/data/time-spents/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/time-spents/x")).status_code == 400
    assert (await as_client.delete(f"/data/time-spents/{ts['id']}")).status_code == 403
    assert (await as_artist.delete(f"/data/time-spents/{ts['id']}")).status_code == 204
    assert (await db.execute(task_duration)).scalar() == 0
    assert len(await events_named(db, "time-spent:delete")) == 1
