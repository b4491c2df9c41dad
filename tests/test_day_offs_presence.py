"""Desktop login logs (per person and the caller's own) and the monthly presence sheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from helpers import UNKNOWN, add
from sqlalchemy import select

from app.repositories.tables.people import DesktopLoginLog, Person

MALFORMED = {"error": True, "message": "Malformed ID.", "data": None}
LOG_KEYS = {"id", "type", "person_id", "date", "created_at", "updated_at"}


async def last_presence(db, person_id: str):
    return (
        await db.execute(select(Person.__table__.c.last_presence).where(Person.__table__.c.id == person_id))
    ).scalar()


async def test_post_person_login_log(as_admin, as_artist, people, db):
    url = f"/data/persons/{people['user']}/desktop-login-logs"
    r = await as_admin.post(url, json={"date": "2031-01-05"})
    assert r.status_code == 201, r.text
    assert set(r.json()) == LOG_KEYS
    assert (r.json()["date"], r.json()["person_id"], r.json()["type"]) == (
        "2031-01-05T00:00:00",
        people["user"],
        "DesktopLoginLog",
    )
    r = await as_artist.post(url, json={"date": "2031-01-07T10:11:12"})
    assert r.status_code == 201
    assert r.json()["date"] == "2031-01-07T10:11:12"
    assert await last_presence(db, people["user"]) == date(2031, 1, 7)
    r = await as_artist.post(url)
    assert r.status_code == 201
    assert r.json()["date"][:4] == str(datetime.now(UTC).year)


async def test_post_person_login_log_errors(as_admin, as_manager, anon, people):
    url = f"/data/persons/{people['user']}/desktop-login-logs"
    r = await as_admin.post(url, json={"date": "bad"})
    assert r.status_code == 400
    assert r.json()["message"] == "Validation error."
    assert r.json()["data"]["errors"][0]["field"] == "date"
    assert (await as_manager.post(url, json={"date": "2031-01-05"})).status_code == 403
    assert (await anon.post(url, json={"date": "2031-01-05"})).status_code == 401
    assert (await as_admin.post(f"/data/persons/{UNKNOWN}/desktop-login-logs", json={})).status_code == 404
    assert (await as_admin.post("/data/persons/bad/desktop-login-logs", json={})).json() == MALFORMED


async def test_get_person_login_logs(as_manager, as_artist, as_supervisor, anon, people, db):
    for when in ("2031-01-05T08:00:00", "2031-01-07T09:00:00"):
        await add(db, DesktopLoginLog, person_id=people["user"], date=datetime.fromisoformat(when))
    url = f"/data/persons/{people['user']}/desktop-login-logs"
    r = await as_manager.get(url)
    assert r.status_code == 200
    assert [d["date"] for d in r.json()] == ["2031-01-07T09:00:00", "2031-01-05T08:00:00"]
    assert set(r.json()[0]) == LOG_KEYS
    assert len((await as_artist.get(url)).json()) == 2
    assert (await as_supervisor.get(url)).status_code == 403
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(f"/data/persons/{UNKNOWN}/desktop-login-logs")).status_code == 404
    assert (await as_manager.get("/data/persons/bad/desktop-login-logs")).json() == MALFORMED


async def test_login_logs_query_count(as_admin, people, db, queries):
    url = f"/data/persons/{people['user']}/desktop-login-logs"
    await add(db, DesktopLoginLog, person_id=people["user"], date=datetime(2031, 1, 1))
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 1
    one = queries.count
    for i in range(11):
        await add(db, DesktopLoginLog, person_id=people["user"], date=datetime(2031, 2, i + 1))
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 12
    assert queries.count == one


async def test_own_login_logs(as_artist, anon, db):
    r = await as_artist.post("/data/user/desktop-login-logs", json={"date": "2031-02-03T04:05:06"})
    assert r.status_code == 201
    assert (r.json()["person_id"], r.json()["date"]) == (as_artist.person_id, "2031-02-03T04:05:06")
    assert await last_presence(db, as_artist.person_id) == date(2031, 2, 3)
    r = await as_artist.get("/data/user/desktop-login-logs")
    assert r.status_code == 200
    assert [d["date"] for d in r.json()] == ["2031-02-03T04:05:06"]
    assert (await as_artist.post("/data/user/desktop-login-logs", json={"date": "bad"})).status_code == 400
    assert (await anon.get("/data/user/desktop-login-logs")).status_code == 401
    assert (await anon.post("/data/user/desktop-login-logs", json={})).status_code == 401


async def test_presence_logs_csv(as_admin, as_manager, anon, db):
    person = await add(db, Person, first_name="Presence", last_name="Zz", email="presence.zz@example.com")
    for when in (datetime(2031, 1, 3, 9), datetime(2031, 1, 3, 14), datetime(2031, 1, 31, 9), datetime(2031, 2, 1)):
        await add(db, DesktopLoginLog, person_id=person["id"], date=when)
    r = await as_admin.get("/data/persons/presence-logs/2031-01")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == "attachment; filename=kitsu_export.csv"
    rows = list(csv.reader(io.StringIO(r.text), delimiter=";"))
    assert rows[0] == ["2031", *(str(d) for d in range(1, 32))]
    mine = next(row for row in rows if row[0] == "Presence Zz")
    assert [i for i, v in enumerate(mine) if v == "X"] == [3, 31]
    assert "\r\n" in r.text
    feb = list(csv.reader(io.StringIO((await as_admin.get("/data/persons/presence-logs/2031-02")).text), delimiter=";"))
    assert len(feb[0]) == 29
    assert [i for i, v in enumerate(next(row for row in feb if row[0] == "Presence Zz")) if v == "X"] == [1]
    r = await as_admin.get("/data/persons/presence-logs/bad")
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Invalid month or year.", "data": None}
    assert (await as_manager.get("/data/persons/presence-logs/2031-01")).status_code == 403
    assert (await anon.get("/data/persons/presence-logs/2031-01")).status_code == 401


async def test_presence_logs_query_count(as_admin, db, queries):
    await add(db, Person, first_name="Count", last_name="A", email="count.a@example.com")
    queries.reset()
    assert (await as_admin.get("/data/persons/presence-logs/2031-01")).status_code == 200
    one = queries.count
    for i in range(11):
        p = await add(db, Person, first_name="Count", last_name=f"B{i}", email=f"count.b{i}@example.com")
        await add(db, DesktopLoginLog, person_id=p["id"], date=datetime(2031, 1, i + 1))
    queries.reset()
    r = await as_admin.get("/data/persons/presence-logs/2031-01")
    assert r.text.count("X") >= 11
    assert queries.count == one
