"""Entity links: the admin CRUD of /data/entity-links, and the links of a project
(GET /data/projects/{p}/entity-links, DELETE /data/projects/{p}/entity-links/{id})."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import select
from test_casting import build_production, entity_row

from app.repositories.tables.entities import EntityLink

LINK_KEYS = {
    "id",
    "entity_in_id",
    "entity_out_id",
    "data",
    "nb_occurences",
    "label",
    "created_at",
    "updated_at",
    "type",
}


@pytest.fixture
async def prod(make, people):
    return await build_production(make, people, cast=False)


# --- /data/entity-links (CRUD) ----------------------------------------------------------


async def test_entity_links_crud(as_admin, prod, db):
    r = await as_admin.post(
        "/data/entity-links",
        json={"entity_in_id": prod.sh1["id"], "entity_out_id": prod.hero["id"], "nb_occurences": 2, "label": "fg"},
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) == LINK_KEYS
    assert (created["type"], created["nb_occurences"], created["label"], created["data"]) == (
        "EntityLink",
        2,
        "fg",
        None,
    )
    [event] = await events_named(db, "entity-link:new")
    assert event["data"] == {"entity_link_id": created["id"]}

    r = await as_admin.get(f"/data/entity-links?entity_in_id={prod.sh1['id']}")
    assert [row["id"] for row in r.json()] == [created["id"]]
    r = await as_admin.get(f"/data/entity-links/{created['id']}")
    assert (r.status_code, r.json()["entity_out_id"]) == (200, prod.hero["id"])

    r = await as_admin.put(f"/data/entity-links/{created['id']}", json={"nb_occurences": 5})
    assert (r.status_code, r.json()["nb_occurences"]) == (200, 5)
    assert len(await events_named(db, "entity-link:update")) == 1

    r = await as_admin.delete(f"/data/entity-links/{created['id']}")
    assert r.status_code == 204
    assert (await as_admin.get(f"/data/entity-links/{created['id']}")).status_code == 404
    assert len(await events_named(db, "entity-link:delete")) == 1


async def test_entity_links_crud_errors(anon, as_manager, as_admin, prod, make):
    link = await make.cast(prod.sh1, prod.hero)
    assert (await anon.get("/data/entity-links")).status_code == 401
    # only admins, for reading too
    assert (await as_manager.get("/data/entity-links")).status_code == 403
    assert (await as_manager.get(f"/data/entity-links/{link['id']}")).status_code == 403
    body = {"entity_in_id": prod.sh2["id"], "entity_out_id": prod.hero["id"]}
    assert (await as_manager.post("/data/entity-links", json=body)).status_code == 403
    assert (await as_manager.put(f"/data/entity-links/{link['id']}", json={"label": "x"})).status_code == 403
    assert (await as_manager.delete(f"/data/entity-links/{link['id']}")).status_code == 403
    assert (await as_admin.get(f"/data/entity-links/{UNKNOWN}")).status_code == 404
    assert (await as_admin.put(f"/data/entity-links/{UNKNOWN}", json={"label": "x"})).status_code == 404
    assert (await as_admin.get("/data/entity-links/xyz")).status_code == 400
    assert (await as_admin.post("/data/entity-links", json={})).status_code == 400
    # the same pair twice
    r = await as_admin.post(
        "/data/entity-links", json={"entity_in_id": prod.sh1["id"], "entity_out_id": prod.hero["id"]}
    )
    assert r.status_code == 400


# --- GET /data/projects/{p}/entity-links -------------------------------------------------


async def test_project_entity_links(as_manager, prod, make):
    first = await make.cast(prod.sh1, prod.hero, 2, "fg")
    second = await make.cast(prod.episode, prod.hero)
    await make.cast(await make.shot(prod.other, await make.sequence(prod.other)), prod.hero)  # another project
    r = await as_manager.get(f"/data/projects/{prod.pid}/entity-links")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [row["id"] for row in body] == [first["id"], second["id"]]
    assert body[0] == {
        "id": first["id"],
        "entity_in_id": prod.sh1["id"],
        "entity_out_id": prod.hero["id"],
        "nb_occurences": 2,
        "label": "fg",
        "data": None,
        "created_at": first["created_at"].isoformat(timespec="microseconds"),
        "type": "EntityLink",
    }
    r = await as_manager.get(f"/data/projects/{prod.pid}/entity-links?limit=1")
    assert [row["id"] for row in r.json()] == [first["id"]]


async def test_project_entity_links_pages_and_cursor(as_admin, prod, make):
    links = [await make.cast(prod.sh1, await make.asset(prod.project, prod.prop, f"P{i}")) for i in range(5)]
    path = f"/data/projects/{prod.pid}/entity-links"
    r = await as_admin.get(path, params={"page": 2, "limit": 2})
    page = r.json()
    assert {k: page[k] for k in ("total", "nb_pages", "limit", "offset", "page")} == {
        "total": 5,
        "nb_pages": 3,
        "limit": 2,
        "offset": 2,
        "page": 2,
    }
    assert [row["id"] for row in page["data"]] == [links[2]["id"], links[3]["id"]]
    assert set(page["data"][0]) == LINK_KEYS
    assert len(page["data"][0]["created_at"]) == 19  # no microseconds in pages
    assert (await as_admin.get(path, params={"page": 9, "limit": 2})).json()["data"] == []
    assert (await as_admin.get(path, params={"page": 1})).json()["limit"] == 100

    cursor = links[1]["created_at"].isoformat(timespec="microseconds")
    r = await as_admin.get(path, params={"cursor_created_at": cursor, "limit": 2})
    body = r.json()
    assert (body["total"], body["limit"]) == (5, 2)
    assert [row["id"] for row in body["data"]] == [links[2]["id"], links[3]["id"]]
    assert body["data"][0]["created_at"] == links[2]["created_at"].isoformat(timespec="microseconds")

    r = await as_admin.get(path, params={"page": "x"})
    assert (r.status_code, r.json()) == (400, {"error": True, "message": "page must be an integer.", "data": None})
    assert (await as_admin.get(path, params={"cursor_created_at": "yesterday"})).status_code == 400


async def test_project_entity_links_errors(anon, as_supervisor, as_admin, client_for, people, prod, make):
    path = f"/data/projects/{prod.pid}/entity-links"
    assert (await anon.get(path)).status_code == 401
    assert (await as_supervisor.get(path)).status_code == 403
    outsider = await make.project()
    async with client_for(people["manager"]) as c:
        assert (await c.get(f"/data/projects/{outsider['id']}/entity-links")).status_code == 403
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/entity-links")).status_code == 404
    assert (await as_admin.get("/data/projects/x/entity-links")).status_code == 400


async def test_project_entity_links_query_count(as_admin, prod, make, queries):
    path = f"/data/projects/{prod.pid}/entity-links"
    await make.cast(prod.sh1, prod.hero)
    counts = {}
    for params in ({}, {"page": 1}, {"cursor_created_at": "2000-01-01T00:00:00.000000"}):
        queries.reset()
        await as_admin.get(path, params=params)
        counts[str(params)] = queries.count
    for i in range(15):
        await make.cast(prod.sh2, await make.asset(prod.project, prod.prop, f"P{i}"))
    for params in ({}, {"page": 1}, {"cursor_created_at": "2000-01-01T00:00:00.000000"}):
        queries.reset()
        r = await as_admin.get(path, params=params)
        assert len(r.json() if not params else r.json()["data"]) == 16
        assert queries.count == counts[str(params)]


# --- DELETE /data/projects/{p}/entity-links/{id} -------------------------------------------


async def test_delete_project_entity_link(as_manager, prod, db):
    await as_manager.put(
        f"/data/projects/{prod.pid}/entities/{prod.sh1['id']}/casting",
        json=[{"asset_id": prod.hero["id"], "nb_occurences": 2}, {"asset_id": prod.sword["id"], "nb_occurences": 1}],
    )
    table = EntityLink.__table__
    link = dict(
        (
            await db.execute(
                select(table).where(table.c.entity_in_id == prod.sh1["id"], table.c.entity_out_id == prod.hero["id"])
            )
        )
        .mappings()
        .one()
    )
    r = await as_manager.delete(f"/data/projects/{prod.pid}/entity-links/{link['id']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == LINK_KEYS
    assert (body["id"], body["nb_occurences"], body["type"]) == (link["id"], 2, "EntityLink")
    assert (await entity_row(db, prod.sh1["id"]))["nb_entities_out"] == 1
    update = (await events_named(db, "shot:casting-update"))[-1]
    assert update["data"]["removed_asset_ids"] == [prod.hero["id"]]
    # the hero left the episode's last shot using it: the automatic episode link goes too
    episode_assets = await db.execute(select(table.c.entity_out_id).where(table.c.entity_in_id == prod.episode["id"]))
    assert set(episode_assets.scalars()) == {prod.sword["id"]}


async def test_delete_episode_link_leaves_its_shots(as_manager, prod, db, make):
    await make.cast(prod.sh1, prod.hero)
    link = await make.cast(prod.episode, prod.hero)
    r = await as_manager.delete(f"/data/projects/{prod.pid}/entity-links/{link['id']}")
    assert r.status_code == 200
    table = EntityLink.__table__
    rows = await db.execute(select(table.c.entity_in_id).where(table.c.entity_out_id == prod.hero["id"]))
    assert list(rows.scalars()) == [prod.sh1["id"]]
    [event] = await events_named(db, "episode:casting-update")
    assert event["data"]["removed_asset_ids"] == [prod.hero["id"]]


async def test_delete_project_entity_link_errors(anon, as_supervisor, as_admin, prod, make):
    link = await make.cast(prod.sh1, prod.hero)
    path = f"/data/projects/{prod.pid}/entity-links/{link['id']}"
    assert (await anon.delete(path)).status_code == 401
    assert (await as_supervisor.delete(path)).status_code == 403
    assert (await as_admin.delete(f"/data/projects/{prod.other['id']}/entity-links/{link['id']}")).status_code == 403
    assert (await as_admin.delete(f"/data/projects/{prod.pid}/entity-links/{UNKNOWN}")).status_code == 404
    assert (await as_admin.delete(f"/data/projects/{prod.pid}/entity-links/xyz")).status_code == 400
