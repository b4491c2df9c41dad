"""Day offs: the CRUD entry, per person / period / project reads, and their access rules."""

from __future__ import annotations

from datetime import date

from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select

from app.repositories.tables.people import Person
from app.repositories.tables.tasks import DayOff, TimeSpent

MALFORMED = {"error": True, "message": "Malformed ID.", "data": None}
DAY_OFF_KEYS = {"id", "type", "date", "end_date", "description", "person_id", "created_at", "updated_at"}


async def day_off(db, person_id: str, start: str, end: str, description: str = "Holidays") -> dict:
    return await add(
        db,
        DayOff,
        person_id=person_id,
        date=date.fromisoformat(start),
        end_date=date.fromisoformat(end),
        description=description,
    )


async def person(db, first: str, **extra) -> dict:
    return await add(
        db, Person, first_name=first, last_name="Leave", email=f"{first.lower()}.leave@example.com", **extra
    )


# --- CRUD ----------------------------------------------------------------


async def test_create_own_day_off_emits_event(as_artist, db):
    body = {"date": "2031-03-02", "end_date": "2031-03-04", "person_id": as_artist.person_id, "description": "Trip"}
    r = await as_artist.post("/data/day-offs", json=body)
    assert r.status_code == 201, r.text
    data = r.json()
    assert set(data) == DAY_OFF_KEYS
    assert (data["date"], data["end_date"], data["description"], data["type"]) == (
        "2031-03-02",
        "2031-03-04",
        "Trip",
        "DayOff",
    )
    events = await events_named(db, "day-off:new")
    assert [e["data"] for e in events] == [{"day_off_id": data["id"]}]


async def test_create_wipes_time_spents_covered(as_admin, people, db, make):
    project = await make.project(team=[people["user"]])
    asset = await make.asset(project)
    task = await make.task(asset, await make.task_type())
    for day in ("2031-03-01", "2031-03-02", "2031-03-05"):
        await add(
            db, TimeSpent, task_id=task["id"], person_id=people["user"], date=date.fromisoformat(day), duration=60
        )
    body = {"date": "2031-03-02", "end_date": "2031-03-04", "person_id": people["user"]}
    r = await as_admin.post("/data/day-offs", json=body)
    assert r.status_code == 201, r.text
    left = await db.execute(select(TimeSpent.__table__.c.date).where(TimeSpent.__table__.c.task_id == task["id"]))
    assert sorted(str(d) for (d,) in left.all()) == ["2031-03-01", "2031-03-05"]


async def test_create_refuses_overlap_and_other_person(as_artist, people, db):
    await day_off(db, as_artist.person_id, "2031-03-02", "2031-03-04")
    r = await as_artist.post(
        "/data/day-offs", json={"date": "2031-03-04", "end_date": "2031-03-06", "person_id": as_artist.person_id}
    )
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Day off already exists for this period", "data": None}
    r = await as_artist.post(
        "/data/day-offs", json={"date": "2031-04-04", "end_date": "2031-04-06", "person_id": people["manager"]}
    )
    assert r.status_code == 403


async def test_create_bad_bodies(as_admin, anon, people):
    r = await as_admin.post("/data/day-offs", json={"date": "2031-03-02", "end_date": "2031-03-04"})
    assert r.status_code == 400
    assert r.json() == {"message": "'person_id'"}
    r = await as_admin.post(
        "/data/day-offs", json={"date": "nope", "end_date": "2031-03-04", "person_id": people["user"]}
    )
    assert r.status_code == 400
    r = await as_admin.post(
        "/data/day-offs", json={"date": "2031-03-05", "end_date": "2031-03-04", "person_id": people["user"]}
    )
    assert r.status_code == 400
    assert r.json() == {"message": "The data conflicts with database integrity rules."}
    r = await anon.post("/data/day-offs", json={"date": "2031-03-02", "end_date": "2031-03-04"})
    assert r.status_code == 401


async def test_list_is_admin_only(as_admin, as_manager, anon, people, db):
    row = await day_off(db, people["user"], "2031-05-01", "2031-05-02")
    r = await as_admin.get("/data/day-offs", params={"person_id": people["user"]})
    assert r.status_code == 200
    assert [d["id"] for d in r.json()] == [row["id"]]
    assert (await as_manager.get("/data/day-offs")).status_code == 403
    assert (await anon.get("/data/day-offs")).status_code == 401


async def test_list_query_count(as_admin, people, db, queries):
    await day_off(db, people["user"], "2031-01-01", "2031-01-01")
    queries.reset()
    assert len((await as_admin.get("/data/day-offs")).json()) >= 1
    one = queries.count
    for i in range(12):
        await day_off(db, people["manager"], f"2031-02-{i + 1:02d}", f"2031-02-{i + 1:02d}")
    queries.reset()
    assert len((await as_admin.get("/data/day-offs")).json()) >= 13
    assert queries.count == one


async def test_get_one_by_role(as_artist, as_manager, as_supervisor, as_client, anon, make, people, db):
    await make.project(team=[people["user"], people["manager"], people["supervisor"], people["client"]])
    row = await day_off(db, people["user"], "2031-06-01", "2031-06-03", "Wedding")
    url = f"/data/day-offs/{row['id']}"
    mine = (await as_artist.get(url)).json()
    assert mine["description"] == "Wedding"
    assert (await as_manager.get(url)).json()["description"] == "Wedding"
    supervised = await as_supervisor.get(url)
    assert supervised.status_code == 200
    assert "description" not in supervised.json()
    assert supervised.json()["end_date"] == "2031-06-03"
    assert (await as_client.get(url)).status_code == 403
    assert (await anon.get(url)).status_code == 401
    assert (await as_artist.get(f"/data/day-offs/{UNKNOWN}")).status_code == 404
    r = await as_artist.get("/data/day-offs/not-an-id")
    assert r.status_code == 400
    assert r.json() == MALFORMED


async def test_update_and_delete(as_artist, as_manager, anon, db, people):
    row = await day_off(db, as_artist.person_id, "2031-07-01", "2031-07-02")
    other = await day_off(db, as_artist.person_id, "2031-07-10", "2031-07-12")
    url = f"/data/day-offs/{row['id']}"
    r = await as_artist.put(url, json={"end_date": "2031-07-04", "description": "Longer"})
    assert r.status_code == 200, r.text
    assert (r.json()["end_date"], r.json()["description"]) == ("2031-07-04", "Longer")
    assert [e["data"] for e in await events_named(db, "day-off:update")] == [{"day_off_id": row["id"]}]
    r = await as_artist.put(url, json={"end_date": "2031-07-11"})
    assert r.status_code == 400
    assert r.json()["message"] == "Day off already exists for this period"
    assert (await as_artist.put(url, json={"person_id": people["manager"]})).status_code == 403
    assert (await as_manager.put(url, json={"description": "x"})).status_code == 403
    assert (await as_artist.put(url, json={"date": "bad"})).status_code == 400
    assert (await as_artist.put(url, json={"date": "2031-07-09"})).json() == {
        "message": "The data conflicts with database integrity rules."
    }
    assert (await anon.put(url, json={"description": "x"})).status_code == 401
    assert (await as_artist.put(f"/data/day-offs/{UNKNOWN}", json={"description": "x"})).status_code == 404

    assert (await as_manager.delete(f"/data/day-offs/{other['id']}")).status_code == 403
    assert (await anon.delete(url)).status_code == 401
    assert (await as_artist.delete("/data/day-offs/bad-id")).status_code == 400
    assert (await as_artist.delete(url)).status_code == 204
    assert (await as_artist.delete(url)).status_code == 404
    assert [e["data"] for e in await events_named(db, "day-off:delete")] == [{"day_off_id": row["id"]}]


# --- per person ----------------------------------------------------------


async def test_person_day_offs_and_periods(as_artist, anon, db):
    pid = as_artist.person_id
    march = await day_off(db, pid, "2031-03-30", "2031-04-02")
    june = await day_off(db, pid, "2031-06-10", "2031-06-10")
    await day_off(db, pid, "2032-01-05", "2032-01-06")
    base = f"/data/persons/{pid}/day-offs"
    all_rows = (await as_artist.get(base)).json()
    assert [r["date"] for r in all_rows] == ["2031-03-30", "2031-06-10", "2032-01-05"]
    assert set(all_rows[0]) == DAY_OFF_KEYS
    assert [r["id"] for r in (await as_artist.get(f"{base}/month/2031/4")).json()] == [march["id"]]
    assert [r["id"] for r in (await as_artist.get(f"{base}/month/2031/3")).json()] == [march["id"]]
    assert (await as_artist.get(f"{base}/month/2031/5")).json() == []
    assert [r["id"] for r in (await as_artist.get(f"{base}/year/2031")).json()] == [march["id"], june["id"]]
    # ISO week 24 of 2031 runs from June 9th to June 15th.
    assert [r["id"] for r in (await as_artist.get(f"{base}/week/2031/24")).json()] == [june["id"]]
    assert (await as_artist.get(f"{base}/week/2031/25")).json() == []
    one = (await as_artist.get(f"{base}/2031-04-01")).json()
    assert (one["id"], one["description"]) == (march["id"], "Holidays")
    assert (await as_artist.get(f"{base}/2031-04-03")).json() == {}
    for path in ("", "/month/2031/4", "/year/2031", "/week/2031/24", "/2031-04-01"):
        assert (await anon.get(base + path)).status_code == 401


async def test_person_day_offs_errors(as_artist, as_manager, as_admin, db, make):
    base = f"/data/persons/{as_manager.person_id}/day-offs"
    for path in ("", "/month/2031/4", "/year/2031", "/week/2031/24", "/2031-04-01"):
        assert (await as_artist.get(base + path)).status_code == 403
        assert (await as_admin.get(f"/data/persons/{UNKNOWN}/day-offs{path}")).status_code == 404
        r = await as_admin.get(f"/data/persons/not-an-id/day-offs{path}")
        assert r.status_code == 400
        assert r.json() == MALFORMED
    r = await as_admin.get(f"{base}/bad-date")
    assert r.status_code == 400
    assert r.json()["message"] == "Invalid date format."
    for path in ("/month/2031/13", "/year/abc", "/week/2031/60"):
        assert (await as_admin.get(base + path)).status_code == 400
    bot = await person(db, "Robot", is_bot=True)
    assert (await as_admin.get(f"/data/persons/{bot['id']}/day-offs")).status_code == 403


async def test_supervisor_reads_dates_of_own_department_only(as_supervisor, make, people, db):
    await make.project(team=[people["supervisor"], people["user"], people["manager"]])
    await make.department(members=[people["supervisor"], people["user"]])
    await make.department(members=[people["manager"]])
    await day_off(db, people["user"], "2031-03-02", "2031-03-02", "Private")
    r = await as_supervisor.get(f"/data/persons/{people['user']}/day-offs")
    assert r.status_code == 200
    assert [set(d) for d in r.json()] == [DAY_OFF_KEYS - {"description"}]
    assert (await as_supervisor.get(f"/data/persons/{people['manager']}/day-offs")).status_code == 403


async def test_person_day_offs_query_count(as_admin, people, db, queries):
    url = f"/data/persons/{people['user']}/day-offs"
    await day_off(db, people["user"], "2031-01-01", "2031-01-01")
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 1
    one = queries.count
    for i in range(11):
        await day_off(db, people["user"], f"2031-02-{i + 1:02d}", f"2031-02-{i + 1:02d}")
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 12
    assert queries.count == one


# --- studio-wide, own, project -------------------------------------------


async def test_studio_day_offs_scoped_by_reader(as_admin, as_manager, as_supervisor, as_client, anon, make, people, db):
    await make.project(team=[people["manager"], people["user"], people["supervisor"]])
    user_off = await day_off(db, people["user"], "2031-08-30", "2031-09-02", "Secret")
    client_off = await day_off(db, people["client"], "2031-08-10", "2031-08-11")
    await day_off(db, people["user"], "2032-08-10", "2032-08-11")
    ids = [r["id"] for r in (await as_admin.get("/data/persons/day-offs/2031/8")).json()]
    assert set(ids) == {user_off["id"], client_off["id"]}
    assert [r["id"] for r in (await as_admin.get("/data/persons/day-offs/2031/9")).json()] == [user_off["id"]]
    managed = (await as_manager.get("/data/persons/day-offs/2031")).json()
    assert [(r["id"], r["description"]) for r in managed] == [(user_off["id"], "Secret")]
    supervised = (await as_supervisor.get("/data/persons/day-offs/2031/8")).json()
    assert [r["id"] for r in supervised] == [user_off["id"]] and "description" not in supervised[0]
    assert [r["id"] for r in (await as_client.get("/data/persons/day-offs/2031")).json()] == [client_off["id"]]
    assert (await anon.get("/data/persons/day-offs/2031")).status_code == 401
    assert (await anon.get("/data/persons/day-offs/2031/8")).status_code == 401
    assert (await as_admin.get("/data/persons/day-offs/2031/13")).status_code == 400
    assert (await as_admin.get("/data/persons/day-offs/abc")).status_code == 400


async def test_studio_day_offs_query_count(as_manager, make, people, db, queries):
    await make.project(team=[people["manager"], people["user"]])
    await day_off(db, people["user"], "2031-08-01", "2031-08-01")
    queries.reset()
    assert len((await as_manager.get("/data/persons/day-offs/2031")).json()) == 1
    one = queries.count
    for i in range(11):
        await day_off(db, people["user"], f"2031-09-{i + 1:02d}", f"2031-09-{i + 1:02d}")
    queries.reset()
    assert len((await as_manager.get("/data/persons/day-offs/2031")).json()) == 12
    assert queries.count == one


async def test_own_day_off_by_date(as_artist, anon, db):
    row = await day_off(db, as_artist.person_id, "2031-03-02", "2031-03-04", "Mine")
    r = await as_artist.get("/data/user/day-offs/2031-03-03")
    assert r.status_code == 200
    assert (r.json()["id"], r.json()["description"], r.json()["type"]) == (row["id"], "Mine", "DayOff")
    assert (await as_artist.get("/data/user/day-offs/2031-03-05")).json() == {}
    r = await as_artist.get("/data/user/day-offs/bad")
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Wrong date format.", "data": None}
    assert (await anon.get("/data/user/day-offs/2031-03-03")).status_code == 401


async def test_project_day_offs(as_manager, as_artist, as_client, as_vendor, as_supervisor, anon, make, people, db):
    project = await make.project(
        team=[people["manager"], people["user"], people["client"], people["vendor"], people["supervisor"]]
    )
    mine = await day_off(db, people["user"], "2031-03-02", "2031-03-04", "Mine")
    theirs = await day_off(db, people["manager"], "2031-05-02", "2031-05-04", "Theirs")
    await day_off(db, people["admin"], "2031-05-02", "2031-05-04", "Outsider")
    url = f"/data/projects/{project['id']}/day-offs"
    full = (await as_manager.get(url)).json()
    assert set(full) == {people["user"], people["manager"]}
    assert full[people["user"]][0]["description"] == "Mine"
    seen = (await as_artist.get(url)).json()
    assert seen[people["user"]][0]["id"] == mine["id"] and seen[people["user"]][0]["description"] == "Mine"
    assert "description" not in seen[people["manager"]][0]
    ranged = (await as_manager.get(url, params={"start_date": "2031-04-01", "end_date": "2031-12-31"})).json()
    assert [r["id"] for rows in ranged.values() for r in rows] == [theirs["id"]]
    bad = await as_manager.get(url, params={"start_date": "nope"})
    assert bad.status_code == 400
    assert bad.json()["message"] == "Wrong date format for nope and/or None"
    assert (await as_client.get(url)).status_code == 403
    assert (await as_vendor.get(url)).status_code == 403
    other = await make.project()
    assert (await as_supervisor.get(f"/data/projects/{other['id']}/day-offs")).status_code == 403
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(f"/data/projects/{UNKNOWN}/day-offs")).status_code == 404
    assert (await as_manager.get("/data/projects/bad/day-offs")).json() == MALFORMED


async def test_project_day_offs_query_count(as_admin, make, people, db, queries):
    project = await make.project(team=[people["user"]])
    url = f"/data/projects/{project['id']}/day-offs"
    await day_off(db, people["user"], "2031-01-01", "2031-01-01")
    queries.reset()
    assert len((await as_admin.get(url)).json()[people["user"]]) == 1
    one = queries.count
    for i in range(11):
        await day_off(db, people["user"], f"2031-02-{i + 1:02d}", f"2031-02-{i + 1:02d}")
    queries.reset()
    assert len((await as_admin.get(url)).json()[people["user"]]) == 12
    assert queries.count == one
