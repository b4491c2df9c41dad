"""The generic CRUD engine over the core collections, route by route."""

from __future__ import annotations

import uuid

import pytest

UNKNOWN = "00000000-0000-4000-8000-000000000000"

# collection -> a valid creation body (unique per call)
BODIES = {
    "departments": lambda n: {"name": f"Dept {n}", "color": "#123456"},
    "studios": lambda n: {"name": f"Studio {n}", "color": "#654321"},
    "project-status": lambda n: {"name": f"PS {n}"[:20], "color": "#000000"},
    "task-types": lambda n: {"name": f"TT {n}", "for_entity": "Shot", "color": "#FF0000"},
    "task-status": lambda n: {"name": f"TS {n}", "short_name": f"t{n}"[:10], "color": "#00FF00"},
    "entity-types": lambda n: {"name": f"ET{n}"[:30]},
    "organisations": lambda n: {"name": f"Org {n}"},
}
TYPES = {
    "departments": "Department",
    "studios": "Studio",
    "project-status": "ProjectStatus",
    "task-types": "TaskType",
    "task-status": "TaskStatus",
    "entity-types": "EntityType",
    "organisations": "Organisation",
}
COLLECTIONS = list(BODIES)


def unique() -> str:
    return uuid.uuid4().hex[:8]


async def create(client, collection, **extra):
    body = {**BODIES[collection](unique()), **extra}
    r = await client.post(f"/data/{collection}", json=body)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_create_read_update_delete(as_admin, collection):
    body = BODIES[collection](unique())
    r = await as_admin.post(f"/data/{collection}", json=body)
    assert r.status_code == 201, r.text
    row = r.json()
    assert row["type"] == TYPES[collection]
    for key, value in body.items():
        assert row[key] == value
    assert len(row["id"]) == 36 and len(row["created_at"]) == 19 and "T" in row["created_at"]

    r = await as_admin.get(f"/data/{collection}/{row['id']}")
    assert r.status_code == 200 and r.json()["id"] == row["id"]

    r = await as_admin.get(f"/data/{collection}")
    assert r.status_code == 200 and row["id"] in [x["id"] for x in r.json()]

    r = await as_admin.put(f"/data/{collection}/{row['id']}", json={"name": body["name"] + "x"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == body["name"] + "x"

    r = await as_admin.delete(f"/data/{collection}/{row['id']}")
    assert r.status_code == 204 and r.content == b""
    r = await as_admin.get(f"/data/{collection}/{row['id']}")
    assert r.status_code == 404
    assert r.json()["error"] is True


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_trailing_slash_and_api_prefix(as_admin, collection):
    a = await as_admin.get(f"/data/{collection}")
    b = await as_admin.get(f"/data/{collection}/")
    c = await as_admin.get(f"/api/data/{collection}")
    assert a.status_code == b.status_code == c.status_code == 200
    assert a.json() == b.json() == c.json()


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_no_token_is_401(anon, collection):
    for method, path in (
        ("GET", ""),
        ("POST", ""),
        ("GET", f"/{UNKNOWN}"),
        ("PUT", f"/{UNKNOWN}"),
        ("DELETE", f"/{UNKNOWN}"),
    ):
        r = await anon.request(method, f"/data/{collection}{path}", json={})
        assert r.status_code == 401, (method, path)
        assert "msg" in r.json()


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("role", ["manager", "supervisor", "user", "client", "vendor"])
async def test_only_admins_write(as_admin, client_for, people, collection, role):
    client = client_for(people[role])
    row = await create(as_admin, collection)
    r = await client.post(f"/data/{collection}", json=BODIES[collection](unique()))
    assert r.status_code == 403 and r.json()["error"] is True
    r = await client.put(f"/data/{collection}/{row['id']}", json={"name": "nope"})
    assert r.status_code == 403
    r = await client.delete(f"/data/{collection}/{row['id']}")
    assert r.status_code == 403
    # everyone may read the studio catalogues
    r = await client.get(f"/data/{collection}/{row['id']}")
    assert r.status_code == 200 and r.json()["id"] == row["id"]
    r = await client.get(f"/data/{collection}")
    assert r.status_code == 200


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_unknown_and_malformed_ids(as_admin, collection):
    for method in ("GET", "PUT", "DELETE"):
        r = await as_admin.request(method, f"/data/{collection}/{UNKNOWN}", json={})
        assert r.status_code == 404, method
        r = await as_admin.request(method, f"/data/{collection}/not-a-uuid", json={})
        assert r.status_code == 400, method
        assert r.json() == {"error": True, "message": "Malformed ID.", "data": None}


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_bad_bodies_are_400(as_admin, collection):
    body = BODIES[collection](unique())
    r = await as_admin.post(f"/data/{collection}", json={**body, "bogus": 1})
    assert r.status_code == 400 and "bogus" in r.json()["message"]
    r = await as_admin.post(f"/data/{collection}", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["message"]
    r = await as_admin.post(f"/data/{collection}", json=[1, 2])
    assert r.status_code == 400
    r = await as_admin.post(f"/data/{collection}", json={})
    assert r.status_code == 400
    row = await create(as_admin, collection)
    r = await as_admin.put(f"/data/{collection}/{row['id']}", json={"name": ["not", "a", "string"]})
    assert r.status_code == 400


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_list_query_count_is_constant(as_admin, queries, collection):
    await create(as_admin, collection)
    queries.reset()
    r = await as_admin.get(f"/data/{collection}?relations=true")
    assert r.status_code == 200
    one = queries.count
    for _ in range(10):
        await create(as_admin, collection)
    queries.reset()
    r = await as_admin.get(f"/data/{collection}?relations=true")
    assert r.status_code == 200 and len(r.json()) >= 11
    assert queries.count == one


async def test_unique_name_is_400(as_admin):
    body = BODIES["departments"](unique())
    assert (await as_admin.post("/data/departments", json=body)).status_code == 201
    r = await as_admin.post("/data/departments", json=body)
    assert r.status_code == 400
    assert r.json() == {"message": "A record with the same unique values already exists."}


async def test_put_ignores_unknown_and_server_fields(as_admin):
    row = await create(as_admin, "departments")
    r = await as_admin.put(
        f"/data/departments/{row['id']}",
        json={"foo": 1, "id": UNKNOWN, "created_at": "2020-01-01T00:00:00", "type": "X", "color": "#111111"},
    )
    assert r.status_code == 200
    out = r.json()
    assert out["id"] == row["id"] and out["color"] == "#111111" and out["created_at"] == row["created_at"]


async def test_post_ignores_id_and_timestamps(as_admin):
    body = {**BODIES["departments"](unique()), "id": UNKNOWN, "created_at": "2020-01-01T00:00:00"}
    r = await as_admin.post("/data/departments", json=body)
    assert r.status_code == 201
    assert r.json()["id"] != UNKNOWN and not r.json()["created_at"].startswith("2020")


async def test_filters(as_admin):
    a = await create(as_admin, "departments")
    b = await create(as_admin, "departments")
    r = await as_admin.get("/data/departments", params={"name": a["name"].upper()})
    assert [x["id"] for x in r.json()] == [a["id"]]
    r = await as_admin.get("/data/departments", params={"id": f'["{a["id"]}", "{b["id"]}"]'})
    assert sorted(x["id"] for x in r.json()) == sorted([a["id"], b["id"]])
    r = await as_admin.get("/data/departments", params={"id": "nope"})
    assert r.status_code == 400 and r.json() == {"error": True, "message": "Invalid UUID value: nope", "data": None}
    r = await as_admin.get("/data/departments", params={"archived": "maybe"})
    assert r.status_code == 400
    r = await as_admin.get("/data/departments", params={"color": "[bad"})
    assert r.status_code == 400 and r.json()["message"] == "Malformed list filter for field color."
    r = await as_admin.get("/data/departments", params={"unknown_param": "x", "id": a["id"]})
    assert [x["id"] for x in r.json()] == [a["id"]]
    r = await as_admin.get("/data/task-status", params={"priority": "abc"})
    assert r.status_code == 400


async def test_fields(as_admin):
    row = await create(as_admin, "departments")
    r = await as_admin.get("/data/departments", params={"id": row["id"], "fields": "name,nonexistent"})
    assert r.json() == [{"id": row["id"], "type": "Department", "name": row["name"]}]


async def test_pagination(as_admin):
    for _ in range(3):
        await create(as_admin, "studios")
    total = len((await as_admin.get("/data/studios")).json())
    r = await as_admin.get("/data/studios", params={"page": 1, "limit": 2})
    page = r.json()
    assert page["total"] == total and page["limit"] == 2 and page["offset"] == 0 and page["page"] == 1
    assert page["nb_pages"] == (total + 1) // 2 and len(page["data"]) == 2
    r = await as_admin.get("/data/studios", params={"page": 0, "limit": 2})
    assert r.json()["data"] == [] and r.json()["offset"] == -2
    r = await as_admin.get("/data/studios", params={"page": "abc"})
    assert r.status_code == 400 and r.json()["message"] == "page must be an integer."
    r = await as_admin.get("/data/studios", params={"page": 1, "limit": -3})
    assert r.status_code == 400 and r.json()["message"] == "limit must be a positive integer."
    r = await as_admin.get("/data/studios", params={"limit": 1})
    assert isinstance(r.json(), list) and len(r.json()) == total


async def test_organisation_hides_chat_tokens_from_non_admins(as_admin, as_artist):
    orgs = (await as_admin.get("/data/organisations")).json()
    assert orgs and "chat_token_slack" in orgs[0]
    org_id = orgs[0]["id"]
    r = await as_admin.put(f"/data/organisations/{org_id}", json={"hours_by_day": 7.5, "chat_token_slack": "s3cret"})
    assert r.status_code == 200 and r.json()["hours_by_day"] == 7.5
    seen = (await as_artist.get(f"/data/organisations/{org_id}")).json()
    assert seen["hours_by_day"] == 7.5 and "chat_token_slack" not in seen
    r = await as_artist.get("/data/organisations", params={"chat_token_slack": "s3cret"})
    assert r.status_code == 400
    r = await as_admin.put(f"/data/organisations/{org_id}", json={"hours_by_day": None})
    assert r.status_code == 400 and r.json()["message"] == "hours_by_day must be a number."


async def test_task_type_similar_name_and_delete_blockers(as_admin):
    tt = await create(as_admin, "task-types")
    r = await as_admin.post("/data/task-types", json={"name": tt["name"].lower(), "for_entity": "Asset"})
    assert r.status_code == 400 and r.json()["message"] == "A task type with similar name already exists"
    r = await as_admin.put(f"/data/task-types/{tt['id']}", json={"name": tt["name"].upper()})
    assert r.status_code == 200


async def test_task_status_single_default(as_admin):
    a = await create(as_admin, "task-status", is_default=True)
    r = await as_admin.get("/data/task-status", params={"is_default": "true"})
    assert [x["id"] for x in r.json()] == [a["id"]]


async def test_entity_type_duplicate_name_and_task_types(as_admin):
    tt = await create(as_admin, "task-types")
    et = await create(as_admin, "entity-types", task_types=[tt["id"]])
    assert et["task_types"] == [tt["id"]]
    r = await as_admin.post("/data/entity-types", json={"name": et["name"].lower()})
    assert r.status_code == 400 and "already exists" in r.json()["message"]
    listed = (await as_admin.get("/data/entity-types", params={"id": et["id"]})).json()[0]
    assert "task_types" not in listed
    listed = (await as_admin.get("/data/entity-types", params={"id": et["id"], "relations": "true"})).json()[0]
    assert listed["task_types"] == [tt["id"]]


async def test_events_are_persisted(as_admin, db):
    from sqlalchemy import select

    from app.repositories.tables.events import ApiEvent

    row = await create(as_admin, "departments")
    events = (await db.execute(select(ApiEvent.name, ApiEvent.data).where(ApiEvent.name == "department:new"))).all()
    assert ("department:new", {"department_id": row["id"]}) in [tuple(e) for e in events]
    et = await create(as_admin, "entity-types")
    names = (await db.execute(select(ApiEvent.name, ApiEvent.data))).all()
    assert ("asset-type:new", {"asset_type_id": et["id"]}) in [tuple(e) for e in names]


async def test_rights_are_checked_before_the_body_as_zou_does(as_admin, as_artist):
    """Zou answers 403 to a caller who may not write, whatever the body; then 404, then 400."""
    r = await as_artist.post("/data/departments", json={"no_such_field": 1})
    assert r.status_code == 403
    r = await as_artist.post("/data/departments", content=b"{broken", headers={"Content-Type": "application/json"})
    assert r.status_code == 400  # not JSON at all: nothing to check rights against
    created = (await as_admin.post("/data/departments", json={"name": "Rights", "color": "#000000"})).json()
    r = await as_artist.put(f"/data/departments/{created['id']}", json={"name": 12})
    assert r.status_code == 403
    r = await as_admin.put("/data/departments/00000000-0000-4000-8000-000000000000", json={"name": 12})
    assert r.status_code == 404
    r = await as_admin.put(f"/data/departments/{created['id']}", json={"name": {"x": 1}})
    assert r.status_code == 400 and "name" in r.json()["message"]
    r = await as_admin.post("/data/departments", json={"name": "X", "color": "#000000", "bogus": 1})
    assert r.status_code == 400 and "bogus" in r.json()["message"]
