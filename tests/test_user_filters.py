"""The user's saved search filters and filter groups."""

from __future__ import annotations

from helpers import UNKNOWN, add

from app.repositories.tables.tasks import SearchFilter, SearchFilterGroup

MALFORMED = {"error": True, "message": "Malformed ID.", "data": None}
FILTER_KEYS = {
    "id", "type", "list_type", "entity_type", "name", "search_query", "is_shared", "department_id",
    "search_filter_group_id", "person_id", "project_id", "created_at", "updated_at",
}  # fmt: skip
GROUP_KEYS = {
    "id", "type", "list_type", "entity_type", "name", "color", "is_shared", "person_id", "project_id",
    "department_id", "created_at", "updated_at",
}  # fmt: skip
MISMATCH = "A search filter should have the same value for is_shared than its search filter group."


async def a_filter(db, person_id, **values):
    base = {"list_type": "asset", "name": "mine", "search_query": "q", "person_id": person_id}
    return await add(db, SearchFilter, **{**base, **values})


async def a_group(db, person_id, **values):
    base = {"list_type": "asset", "name": "grp", "color": "#fff", "person_id": person_id}
    return await add(db, SearchFilterGroup, **{**base, **values})


# --- filters -----------------------------------------------------------------------------------------


async def test_create_filter_and_list_it(as_artist, make, people):
    project = await make.project(team=[people["user"]])
    body = {"name": "Props", "query": "props", "list_type": "asset", "project_id": project["id"], "is_shared": True}

    r = await as_artist.post("/data/user/filters", json=body)

    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) == FILTER_KEYS
    assert created["search_query"] == "props" and created["person_id"] == people["user"]
    assert created["is_shared"] is False  # an artist may not share
    r = await as_artist.post("/data/user/filters", json={"name": "All", "query": "x"})
    assert r.json()["list_type"] == "todo" and r.json()["project_id"] is None

    listing = (await as_artist.get("/data/user/filters")).json()
    assert [f["id"] for f in listing["asset"][project["id"]]] == [created["id"]]
    assert [f["name"] for f in listing["todo"]["all"]] == ["All"]


async def test_manager_shares_filters_with_the_team(as_manager, as_artist, make, people):
    project = await make.project(team=[people["user"], people["manager"]])
    body = {"name": "Shared", "query": "s", "list_type": "shot", "project_id": project["id"], "is_shared": True}
    r = await as_manager.post("/data/user/filters", json=body)
    assert r.status_code == 201 and r.json()["is_shared"] is True
    listing = (await as_artist.get("/data/user/filters")).json()
    assert [f["name"] for f in listing["shot"][project["id"]]] == ["Shared"]


async def test_filter_listing_hides_closed_projects_and_foreign_departments(as_artist, make, people, db, queries):
    open_project = await make.project()
    closed = await make.project(closed=True)
    dept = await make.department()
    mine = await make.department(members=[people["user"]])
    await a_filter(db, people["user"], project_id=open_project["id"], name="open")
    await a_filter(db, people["user"], project_id=closed["id"], name="closed")
    await a_filter(db, people["user"], department_id=dept["id"], name="other dept")
    await a_filter(db, people["user"], department_id=mine["id"], name="my dept")
    await a_filter(db, people["manager"], name="private of someone else")

    queries.reset()
    listing = (await as_artist.get("/data/user/filters")).json()
    one = queries.count
    names = sorted(f["name"] for group in listing["asset"].values() for f in group)
    assert names == ["my dept", "open"]

    for i in range(12):
        await a_filter(db, people["user"], name=f"f{i}")
    queries.reset()
    listing = (await as_artist.get("/data/user/filters")).json()
    assert len(listing["asset"]["all"]) == 13
    assert queries.count == one


async def test_create_filter_errors(anon, as_artist, people, db):
    assert (await anon.post("/data/user/filters", json={"name": "a", "query": "b"})).status_code == 401
    r = await as_artist.post("/data/user/filters", json={"name": "", "query": "q"})
    assert r.status_code == 400
    assert r.json()["data"] == {"errors": [{"field": "name", "message": "String should have at least 1 character"}]}
    r = await as_artist.post("/data/user/filters", json={"name": "a", "query": "b", "search_filter_group_id": UNKNOWN})
    assert r.status_code == 404
    group = await a_group(db, people["user"], is_shared=True)
    body = {"name": "a", "query": "b", "search_filter_group_id": group["id"]}
    r = await as_artist.post("/data/user/filters", json=body)
    assert r.status_code == 400 and r.json()["message"] == MISMATCH
    r = await as_artist.post("/data/user/filters", json={"name": "a", "query": "b", "department_id": UNKNOWN})
    assert r.status_code == 400 and r.json()["message"] == f"No department found with id: {UNKNOWN}"


async def test_update_and_delete_filter(as_artist, as_supervisor, as_admin, anon, people, db):
    row = await a_filter(db, people["user"])
    r = await as_artist.put(f"/data/user/filters/{row['id']}", json={"name": "renamed", "search_query": "z"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "renamed" and r.json()["search_query"] == "z"

    assert (await anon.put(f"/data/user/filters/{row['id']}", json={})).status_code == 401
    assert (await as_supervisor.put(f"/data/user/filters/{row['id']}", json={"name": "x"})).status_code == 404
    assert (await as_artist.put(f"/data/user/filters/{UNKNOWN}", json={"name": "x"})).status_code == 404
    assert (await as_artist.put("/data/user/filters/bad", json={"name": "x"})).status_code == 400
    r = await as_artist.put(f"/data/user/filters/{row['id']}", json={"is_shared": "maybe"})
    assert r.status_code == 400

    assert (await anon.delete(f"/data/user/filters/{row['id']}")).status_code == 401
    assert (await as_supervisor.delete(f"/data/user/filters/{row['id']}")).status_code == 404  # not theirs
    assert (await as_artist.delete("/data/user/filters/bad")).status_code == 400
    assert (await as_admin.delete(f"/data/user/filters/{row['id']}")).status_code == 204  # admins may
    assert (await as_artist.delete(f"/data/user/filters/{row['id']}")).status_code == 404


async def test_update_filter_into_group(as_artist, people, db):
    row = await a_filter(db, people["user"])
    group = await a_group(db, people["user"])
    r = await as_artist.put(f"/data/user/filters/{row['id']}", json={"search_filter_group_id": group["id"]})
    assert r.status_code == 200 and r.json()["search_filter_group_id"] == group["id"]
    r = await as_artist.put(f"/data/user/filters/{row['id']}", json={"search_filter_group_id": None})
    assert r.status_code == 200 and r.json()["search_filter_group_id"] is None


# --- filter groups -----------------------------------------------------------------------------------


async def test_filter_group_lifecycle(as_artist, make, people, db, queries):
    project = await make.project(team=[people["user"]])
    body = {"name": "Mine", "color": "#abc", "list_type": "asset", "project_id": project["id"]}
    r = await as_artist.post("/data/user/filter-groups", json=body)
    assert r.status_code == 201, r.text
    group = r.json()
    assert set(group) == GROUP_KEYS and group["color"] == "#abc" and group["is_shared"] is False

    queries.reset()
    listing = (await as_artist.get("/data/user/filter-groups")).json()
    one = queries.count
    assert [g["id"] for g in listing["asset"][project["id"]]] == [group["id"]]
    for i in range(11):
        await a_group(db, people["user"], name=f"g{i}")
    queries.reset()
    listing = (await as_artist.get("/data/user/filter-groups")).json()
    assert len(listing["asset"]["all"]) == 11
    assert queries.count == one

    r = await as_artist.get(f"/data/user/filter-groups/{group['id']}")
    assert r.status_code == 200 and r.json()["name"] == "Mine"
    r = await as_artist.put(f"/data/user/filter-groups/{group['id']}", json={"color": "#000", "name": "New"})
    assert r.status_code == 200 and (r.json()["color"], r.json()["name"]) == ("#000", "New")

    inside = await a_filter(db, people["user"], search_filter_group_id=group["id"])
    assert (await as_artist.delete(f"/data/user/filter-groups/{group['id']}")).status_code == 204
    assert (await as_artist.get(f"/data/user/filter-groups/{group['id']}")).status_code == 404
    assert (await as_artist.put(f"/data/user/filters/{inside['id']}", json={"name": "x"})).status_code == 404


async def test_group_sharing_carries_its_filters(as_manager, make, people, db):
    project = await make.project(team=[people["manager"]])
    group = await a_group(db, people["manager"], project_id=project["id"])
    inside = await a_filter(db, people["manager"], search_filter_group_id=group["id"], project_id=project["id"])
    body = {"is_shared": True, "project_id": project["id"]}
    r = await as_manager.put(f"/data/user/filter-groups/{group['id']}", json=body)
    assert r.status_code == 200 and r.json()["is_shared"] is True
    r = await as_manager.put(f"/data/user/filters/{inside['id']}", json={"name": "still editable"})
    assert r.status_code == 200 and r.json()["is_shared"] is True


async def test_filter_group_errors(anon, as_artist, as_supervisor, people, db):
    group = await a_group(db, people["user"])
    path = f"/data/user/filter-groups/{group['id']}"
    assert (await anon.get("/data/user/filter-groups")).status_code == 401
    assert (await anon.post("/data/user/filter-groups", json={"name": "x"})).status_code == 401
    assert (await as_artist.post("/data/user/filter-groups", json={"color": "#fff"})).status_code == 400
    r = await as_artist.post("/data/user/filter-groups", json={"name": "x", "department_id": UNKNOWN})
    assert r.status_code == 400
    for call in ("get", "delete"):
        assert (await getattr(anon, call)(path)).status_code == 401
        assert (await getattr(as_supervisor, call)(path)).status_code == 404  # someone else's group
        assert (await getattr(as_artist, call)(f"/data/user/filter-groups/{UNKNOWN}")).status_code == 404
        r = await getattr(as_artist, call)("/data/user/filter-groups/bad")
        assert r.status_code == 400 and r.json() == MALFORMED
    assert (await anon.put(path, json={})).status_code == 401
    assert (await as_supervisor.put(path, json={"name": "x"})).status_code == 404
    assert (await as_artist.put(f"/data/user/filter-groups/{UNKNOWN}", json={})).status_code == 404
    assert (await as_artist.put("/data/user/filter-groups/bad", json={})).status_code == 400
    assert (await as_artist.put(path, json={"is_shared": "maybe"})).status_code == 400
