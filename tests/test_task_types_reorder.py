"""POST /actions/task-types/reorder."""

from __future__ import annotations

import pytest
from helpers import UNKNOWN
from sqlalchemy import func, insert, select

from app.repositories.tables.catalog import TaskType
from app.repositories.tables.events import ApiEvent

URL = "/actions/task-types/reorder"
tt = TaskType.__table__


async def task_type(db, name: str, priority: int = 9) -> dict:
    row = await db.execute(insert(tt).values(name=name, priority=priority, for_entity="Asset").returning(tt))
    return dict(row.mappings().one())


async def priorities(db, *ids: str) -> list[int]:
    rows = dict((await db.execute(select(tt.c.id, tt.c.priority).where(tt.c.id.in_(ids)))).all())
    return [rows[i] for i in ids]


async def test_reorder_sets_positions(as_admin, db):
    a, b = await task_type(db, "Reorder A"), await task_type(db, "Reorder B")
    events_before = (await db.execute(select(func.count()).select_from(ApiEvent.__table__))).scalar_one()

    r = await as_admin.post(URL, json={"task_type_ids": [b["id"], UNKNOWN, a["id"], b["id"]]})

    assert r.status_code == 200, r.text
    body = r.json()
    # unknown ids are skipped but use up their position; a repeated id appears at each of its positions
    assert [(t["id"], t["priority"]) for t in body] == [(b["id"], 1), (a["id"], 3), (b["id"], 4)]
    assert body[0]["name"] == "Reorder B"
    assert body[0]["type"] == "TaskType"
    assert body[0]["for_entity"] == "Asset"
    assert await priorities(db, a["id"], b["id"]) == [3, 4]
    events_after = (await db.execute(select(func.count()).select_from(ApiEvent.__table__))).scalar_one()
    assert events_after == events_before  # no event, as in Zou


async def test_reorder_empty_list_and_api_prefix(as_admin):
    r = await as_admin.post("/api" + URL, json={"task_type_ids": []})
    assert (r.status_code, r.json()) == (200, [])


async def test_reorder_bad_bodies(as_admin, db):
    a = await task_type(db, "Reorder A")
    shape = {"error": True, "message": "The body must be a JSON object holding a 'task_type_ids' list.", "data": None}
    for body in ([1], {"task_type_ids": "x"}, {}):
        r = await as_admin.post(URL, json=body)
        assert (r.status_code, r.json()) == (400, shape)
    r = await as_admin.post(URL, json={"task_type_ids": [a["id"], "abc"]})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid UUID value: abc")
    r = await as_admin.post(URL, json={"task_type_ids": [123]})
    assert r.status_code == 400
    assert await priorities(db, a["id"]) == [9]  # nothing written by a refused request

    r = await as_admin.post(URL, content=b'{"task_type_ids": [', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] is True
    r = await as_admin.post(URL, content=b"task_type_ids=1", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = await as_admin.post(URL)
    assert r.status_code == 415


@pytest.mark.parametrize("role", ["manager", "supervisor", "user", "client", "vendor"])
async def test_reorder_admin_only(role, client_for, people, db):
    a = await task_type(db, "Reorder A")
    async with client_for(people[role]) as client:
        r = await client.post(URL, json={"task_type_ids": [a["id"]]})
        assert r.status_code == 403
        assert r.json()["error"] is True
        # the permission comes before the body checks
        assert (await client.post(URL)).status_code == 403
    assert await priorities(db, a["id"]) == [9]


async def test_reorder_needs_token(anon):
    assert (await anon.post(URL, json={"task_type_ids": []})).status_code == 401


async def test_reorder_query_count_is_constant(as_admin, db, queries):
    ids = [(await task_type(db, f"Reorder {i:02d}"))["id"] for i in range(40)]
    queries.reset()
    r1 = await as_admin.post(URL, json={"task_type_ids": ids[:1]})
    count_one = queries.count
    queries.reset()
    r2 = await as_admin.post(URL, json={"task_type_ids": list(reversed(ids))})
    count_many = queries.count
    assert (len(r1.json()), len(r2.json())) == (1, 40)
    assert r2.json()[0]["id"] == ids[-1]
    assert count_one == count_many
    assert await priorities(db, ids[0], ids[-1]) == [40, 1]
