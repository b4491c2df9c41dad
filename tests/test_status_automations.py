"""/data/status-automations: the CRUD entry of status automations."""

from __future__ import annotations

from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import insert

from app.repositories.tables.catalog import StatusAutomation
from app.repositories.tables.projects import ProjectStatusAutomationLink

KEYS = {
    "id",
    "created_at",
    "updated_at",
    "entity_type",
    "in_task_type_id",
    "in_task_status_id",
    "out_field_type",
    "out_task_type_id",
    "out_task_status_id",
    "import_last_revision",
    "archived",
    "type",
}


async def body(make) -> dict:
    modeling, rigging = await make.task_type(), await make.task_type()
    done, todo = await make.task_status(), await make.task_status()
    return {
        "entity_type": "asset",
        "in_task_type_id": modeling["id"],
        "in_task_status_id": done["id"],
        "out_field_type": "status",
        "out_task_type_id": rigging["id"],
        "out_task_status_id": todo["id"],
    }


async def stored(db, make) -> dict:
    t = StatusAutomation.__table__
    values = await body(make)
    return dict((await db.execute(insert(t).values(**values).returning(t))).mappings().one())


async def test_create_status_automation(as_admin, make, db, people):
    values = await body(make)
    r = await as_admin.post("/data/status-automations", json=values)
    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) == KEYS
    assert {k: created[k] for k in values} == values
    assert (created["type"], created["import_last_revision"], created["archived"]) == ("StatusAutomation", False, False)
    events = await events_named(db, "status-automation:new")
    assert [e["data"] for e in events] == [{"status_automation_id": created["id"]}]
    assert events[0]["user_id"] == people["admin"]


async def test_create_status_automation_refusals(as_admin, as_manager, anon, make):
    values = await body(make)
    assert (await anon.post("/data/status-automations", json=values)).status_code == 401
    assert (await as_manager.post("/data/status-automations", json=values)).status_code == 403
    r = await as_admin.post("/data/status-automations", json={**values, "out_field_type": "bogus"})
    assert r.status_code == 400 and "out_field_type" in r.json()["message"]
    r = await as_admin.post("/data/status-automations", json={**values, "foo": 1})
    assert r.status_code == 400 and "foo" in r.json()["message"]
    r = await as_admin.post("/data/status-automations", json={**values, "in_task_type_id": UNKNOWN})
    assert r.status_code == 400


async def test_list_status_automations(as_artist, as_client, as_vendor, anon, make, db):
    rule = await stored(db, make)
    r = await as_artist.get("/data/status-automations")
    assert r.status_code == 200
    row = next(a for a in r.json() if a["id"] == rule["id"])
    assert set(row) == KEYS and row["type"] == "StatusAutomation"
    assert (await as_client.get("/data/status-automations")).status_code == 200
    r = await as_artist.get("/data/status-automations", params={"out_field_type": "ready_for"})
    assert r.json() == []
    assert (await as_vendor.get("/data/status-automations")).status_code == 403
    assert (await anon.get("/data/status-automations")).status_code == 401


async def test_list_status_automations_query_count_is_constant(as_admin, make, db, queries):
    await stored(db, make)
    queries.reset()
    first = len((await as_admin.get("/data/status-automations")).json())
    few = queries.count
    for _ in range(10):
        await stored(db, make)
    queries.reset()
    assert len((await as_admin.get("/data/status-automations")).json()) == first + 10
    assert queries.count == few


async def test_get_status_automation(as_admin, as_manager, anon, make, db):
    rule = await stored(db, make)
    r = await as_admin.get(f"/data/status-automations/{rule['id']}")
    assert r.status_code == 200
    assert r.json()["id"] == rule["id"] and set(r.json()) == KEYS
    assert (await as_manager.get(f"/data/status-automations/{rule['id']}")).status_code == 403
    assert (await anon.get(f"/data/status-automations/{rule['id']}")).status_code == 401
    assert (await as_admin.get(f"/data/status-automations/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/status-automations/bad")).status_code == 400


async def test_update_status_automation(as_admin, as_manager, anon, make, db):
    rule = await stored(db, make)
    url = f"/data/status-automations/{rule['id']}"
    r = await as_admin.put(url, json={"out_field_type": "ready_for", "import_last_revision": True})
    assert r.status_code == 200, r.text
    assert (r.json()["out_field_type"], r.json()["import_last_revision"]) == ("ready_for", True)
    assert [e["data"] for e in await events_named(db, "status-automation:update")] == [
        {"status_automation_id": rule["id"]}
    ]
    assert (await as_admin.put(url, json={"out_field_type": "bad"})).status_code == 400
    assert (await as_manager.put(url, json={"archived": True})).status_code == 403
    assert (await anon.put(url, json={"archived": True})).status_code == 401
    assert (await as_admin.put(f"/data/status-automations/{UNKNOWN}", json={"archived": True})).status_code == 404
    assert (await as_admin.put("/data/status-automations/bad", json={"archived": True})).status_code == 400


async def test_delete_status_automation(as_admin, as_manager, anon, make, db):
    rule = await stored(db, make)
    url = f"/data/status-automations/{rule['id']}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_manager.delete(url)).status_code == 403
    r = await as_admin.delete(url)
    assert r.status_code == 204
    assert (await as_admin.get(url)).status_code == 404
    assert [e["data"] for e in await events_named(db, "status-automation:delete")] == [
        {"status_automation_id": rule["id"]}
    ]
    assert (await as_admin.delete(f"/data/status-automations/{UNKNOWN}")).status_code == 404
    assert (await as_admin.delete("/data/status-automations/bad")).status_code == 400


async def test_delete_status_automation_used_by_a_project(as_admin, as_manager, make, db):
    rule = await stored(db, make)
    project = await make.project()
    await db.execute(
        insert(ProjectStatusAutomationLink.__table__).values(project_id=project["id"], status_automation_id=rule["id"])
    )
    r = await as_admin.delete(f"/data/status-automations/{rule['id']}")
    assert (r.status_code, r.json()) == (400, {"message": "This automation is used in a project."})
    # as in Zou, the rule is checked before the caller's rights
    assert (await as_manager.delete(f"/data/status-automations/{rule['id']}")).status_code == 400
