"""The event log (`/data/events/last`, `/data/events/names`, the `events` CRUD entry) and
the login log (`/data/events/login-logs/last`)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from event_log import events_named
from helpers import UNKNOWN, add

from app.repositories.tables.events import ApiEvent
from app.repositories.tables.people import LoginLog

EVENT_KEYS = {"id", "created_at", "name", "user_id", "project_id", "data"}
LOGIN_KEYS = {"id", "created_at", "ip_address", "person_id", "origin"}
FUTURE = datetime(2099, 1, 1)


async def _event(db, name: str, project=None, at: datetime = FUTURE, **values):
    return await add(
        db,
        ApiEvent,
        name=name,
        project_id=project["id"] if project else None,
        data={"n": name},
        created_at=at,
        updated_at=at,
        **values,
    )


# --- /data/events/last ------------------------------------------------------


async def test_last_events_admin_sees_latest_first(as_admin, db, make):
    project = await make.project()
    older = await _event(db, "t2b:older", project, FUTURE - timedelta(seconds=5))
    newer = await _event(db, "t2b:newer", project, FUTURE, user_id=as_admin.person_id)
    r = await as_admin.get("/data/events/last", params={"project_id": project["id"]})
    assert r.status_code == 200
    body = r.json()
    assert [e["id"] for e in body] == [newer["id"], older["id"]]
    assert set(body[0]) == EVENT_KEYS
    assert body[0]["name"] == "t2b:newer"
    assert body[0]["data"] == {"n": "t2b:newer"}
    assert body[0]["user_id"] == as_admin.person_id
    assert body[0]["created_at"] == "2099-01-01T00:00:00"


async def test_last_events_filters(as_admin, db, make):
    project = await make.project()
    base = FUTURE - timedelta(days=1)
    a = await _event(db, "t2b-obj:add", project, base)
    b = await _event(db, "t2b-obj:remove", project, base + timedelta(hours=1), user_id=as_admin.person_id)
    c = await _event(db, "t2b-other:add", project, base + timedelta(hours=2))
    pid = project["id"]

    async def ids(**params):
        r = await as_admin.get("/data/events/last", params={"project_id": pid, **params})
        assert r.status_code == 200, r.text
        return [e["id"] for e in r.json()]

    assert await ids(name="t2b-obj:add") == [a["id"]]
    assert await ids(limit=1) == [c["id"]]
    assert await ids(after="2098-12-31T00:30:00") == [c["id"], b["id"]]
    assert await ids(before="2098-12-31T00:30:00") == [a["id"]]
    assert await ids(after="2098-12-30") == [c["id"], b["id"], a["id"]]
    assert await ids(name_prefixes="t2b-obj") == [b["id"], a["id"]]
    assert await ids(name_suffixes="add") == [c["id"], a["id"]]
    assert await ids(person_ids=as_admin.person_id) == [b["id"]]
    assert await ids(cursor_event_id=c["id"]) == [b["id"], a["id"]]
    r = await as_admin.get("/data/events/last", params={"project_id": pid, "only_files": "true"})
    assert r.json() == []


async def test_last_events_bad_parameters(as_admin):
    for params in (
        {"project_id": "nope"},
        {"before": "yesterday"},
        {"cursor_event_id": "nope"},
        {"cursor_event_id": UNKNOWN},
        {"name_prefixes": "a%"},
        {"person_ids": "x"},
        {"limit": "many"},
    ):
        r = await as_admin.get("/data/events/last", params=params)
        assert r.status_code == 400, params
        assert r.json()["error"] is True


async def test_last_events_permissions(anon, as_admin, as_manager, as_artist, people, db, make):
    own = await make.project(team=[people["manager"], people["user"]])
    other = await make.project()
    mine = await _event(db, "t2b:mine", own)
    await _event(db, "t2b:theirs", other)
    await _event(db, "t2b:global", None)
    assert (await anon.get("/data/events/last")).status_code == 401
    assert (await as_artist.get("/data/events/last")).status_code == 403
    assert (await as_artist.get("/data/events/last", params={"project_id": UNKNOWN})).status_code == 403
    # A manager reads the events of their team projects only, never project-less ones.
    r = await as_manager.get("/data/events/last", params={"after": "2098-12-31T00:00:00"})
    assert r.status_code == 200
    assert [e["id"] for e in r.json()] == [mine["id"]]
    assert (await as_manager.get("/data/events/last", params={"project_id": other["id"]})).status_code == 403
    r = await as_admin.get("/data/events/last", params={"after": "2098-12-31T00:00:00"})
    assert {e["name"] for e in r.json()} >= {"t2b:mine", "t2b:theirs", "t2b:global"}


async def test_last_events_team_manager_role_counts(people, client_for, db, make):
    """A user who is manager on a production's team reads that production's events."""
    project = await make.project()
    await make.add_to_team(project, people["user"], role="manager")
    event = await _event(db, "t2b:team-role", project)
    artist = client_for(people["user"])
    r = await artist.get("/data/events/last", params={"project_id": project["id"]})
    assert r.status_code == 200
    assert [e["id"] for e in r.json()] == [event["id"]]


async def test_last_events_query_count(as_admin, db, make, queries):
    project = await make.project()
    await _event(db, "t2b:count", project)

    async def count():
        queries.reset()
        r = await as_admin.get("/data/events/last", params={"project_id": project["id"]})
        assert r.status_code == 200
        return len(r.json()), queries.count

    one = await count()
    for i in range(12):
        await _event(db, "t2b:count", project, FUTURE - timedelta(seconds=i + 1))
    many = await count()
    assert (one[0], many[0]) == (1, 13)
    assert one[1] == many[1]


# --- /data/events/names -----------------------------------------------------


async def test_event_names(anon, as_admin, as_manager, as_artist, db, make):
    await _event(db, "t2b-zz:last", None)
    await _event(db, "t2b-aa:first", None)
    await _event(db, "t2b-aa:first", None)
    r = await as_admin.get("/data/events/names")
    assert r.status_code == 200
    names = r.json()
    assert names == sorted(names)
    assert names.count("t2b-aa:first") == 1
    assert "t2b-zz:last" in names
    assert (await as_manager.get("/data/events/names")).status_code == 200
    assert (await as_artist.get("/data/events/names")).status_code == 403
    assert (await anon.get("/data/events/names")).status_code == 401


# --- /data/events/login-logs/last -----------------------------------------


async def _login(db, person_id: str, at: datetime, ip: str = "10.0.0.1", origin: str = "web"):
    return await add(db, LoginLog, person_id=person_id, ip_address=ip, origin=origin, created_at=at, updated_at=at)


async def test_login_logs(anon, as_admin, as_manager, people, db):
    first = await _login(db, people["user"], FUTURE - timedelta(hours=1))
    second = await _login(db, people["manager"], FUTURE, ip="10.0.0.2", origin="script")
    r = await as_admin.get("/data/events/login-logs/last", params={"after": "2098-12-31T00:00:00"})
    assert r.status_code == 200
    body = r.json()
    assert [log["id"] for log in body] == [second["id"], first["id"]]
    assert set(body[0]) == LOGIN_KEYS
    assert body[0] == {
        "id": second["id"],
        "created_at": "2099-01-01T00:00:00",
        "ip_address": "10.0.0.2",
        "person_id": people["manager"],
        "origin": "script",
    }
    r = await as_admin.get("/data/events/login-logs/last", params={"person_ids": people["user"], "limit": 1})
    assert [log["id"] for log in r.json()] == [first["id"]]
    r = await as_admin.get(
        "/data/events/login-logs/last", params={"cursor_login_log_id": second["id"], "after": "2098-12-31"}
    )
    assert [log["id"] for log in r.json()] == [first["id"]]
    assert (await as_manager.get("/data/events/login-logs/last")).status_code == 403
    assert (await anon.get("/data/events/login-logs/last")).status_code == 401
    for params in ({"cursor_login_log_id": "x"}, {"cursor_login_log_id": UNKNOWN}, {"before": "x"}):
        assert (await as_admin.get("/data/events/login-logs/last", params=params)).status_code == 400


async def test_login_logs_query_count(as_admin, people, db, queries):
    await _login(db, people["user"], FUTURE)

    async def count():
        queries.reset()
        r = await as_admin.get("/data/events/login-logs/last", params={"after": "2098-12-31"})
        assert r.status_code == 200
        return len(r.json()), queries.count

    one = await count()
    for i in range(11):
        await _login(db, people["user"], FUTURE - timedelta(minutes=i + 1))
    many = await count()
    assert (one[0], many[0]) == (1, 12)
    assert one[1] == many[1]


# --- the `events` CRUD entry -------------------------------------------------


async def test_events_crud(anon, as_admin, as_manager, db):
    r = await as_admin.post("/data/events", json={"name": "t2b-crud:made", "data": {"a": 1}})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["name"] == "t2b-crud:made"
    assert created["data"] == {"a": 1}
    assert created["type"] == "ApiEvent"
    assert len(await events_named(db, "api-event:new")) == 1
    r = await as_admin.get(f"/data/events/{created['id']}")
    assert r.status_code == 200
    assert r.json()["name"] == "t2b-crud:made"
    r = await as_admin.get("/data/events", params={"name": "t2b-crud:made"})
    assert [e["id"] for e in r.json()] == [created["id"]]
    r = await as_admin.put(f"/data/events/{created['id']}", json={"name": "t2b-crud:changed"})
    assert r.status_code == 200
    assert r.json()["name"] == "t2b-crud:changed"
    assert len(await events_named(db, "api-event:update")) == 1
    for call in (
        as_manager.get("/data/events"),
        as_manager.post("/data/events", json={"name": "x"}),
        as_manager.get(f"/data/events/{created['id']}"),
        as_manager.put(f"/data/events/{created['id']}", json={"name": "x"}),
        as_manager.delete(f"/data/events/{created['id']}"),
    ):
        assert (await call).status_code == 403
    assert (await anon.get("/data/events")).status_code == 401
    assert (await as_admin.get(f"/data/events/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/events/nope")).status_code == 400
    assert (await as_admin.put(f"/data/events/{UNKNOWN}", json={"name": "x"})).status_code == 404
    assert (await as_admin.delete(f"/data/events/{UNKNOWN}")).status_code == 404
    assert (await as_admin.post("/data/events", json={"name": None})).status_code == 400
    r = await as_admin.delete(f"/data/events/{created['id']}")
    assert r.status_code == 204
    assert len(await events_named(db, "api-event:delete")) == 1
    assert (await as_admin.get(f"/data/events/{created['id']}")).status_code == 404


@pytest.mark.parametrize("n", [1, 12])
async def test_events_crud_list_query_count(as_admin, db, queries, n):
    for i in range(n):
        await _event(db, "t2b-list:count", None, FUTURE - timedelta(seconds=i))
    queries.reset()
    r = await as_admin.get("/data/events", params={"name": "t2b-list:count"})
    assert r.status_code == 200
    assert len(r.json()) == n
    assert queries.count <= 4
