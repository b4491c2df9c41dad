"""Scenes: listings, the full scene, creation, and the shots a scene is the source of."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import select
from zou_shapes import ENTITY_KEYS

from app.core.errors import NOT_FOUND_TEXT
from app.repositories.tables.entities import Entity


async def source_of(db, shot_id: str) -> str | None:
    t = Entity.__table__
    return (await db.execute(select(t.c.source_id).where(t.c.id == shot_id))).scalar_one()


@pytest.fixture
async def prod(make, people):
    """E01 / SQ01 (SC01, SC02, SH01, SH02), top-level SQ00 (SC00), artist, client and vendor on the team."""
    project = await make.project(team=[people["user"], people["client"], people["vendor"]])
    episode = await make.episode(project, "E01")
    sq1 = await make.sequence(project, "SQ01", episode=episode)
    sq0 = await make.sequence(project, "SQ00")
    sc1 = await make.scene(project, sq1, "SC01")
    sc2 = await make.scene(project, sq1, "sc02")
    sc0 = await make.scene(project, sq0, "SC00")
    sh1 = await make.shot(project, sq1, "SH01")
    sh2 = await make.shot(project, sq1, "SH02")
    task_type = await make.task_type(for_entity="Shot")
    return {
        "project": project,
        "episode": episode,
        "sq1": sq1,
        "sq0": sq0,
        "sc1": sc1,
        "sc2": sc2,
        "sc0": sc0,
        "sh1": sh1,
        "sh2": sh2,
        "tt": task_type,
    }


# --- GET /data/scenes/all -----------------------------------------------------------------------------


async def test_list_scenes(anon, as_admin, as_artist, as_manager, as_vendor, make, prod, queries):
    p = prod["project"]
    await make.scene(p, {"id": None}, "LOOSE")  # outside any sequence: not listed here
    queries.reset()
    r = await as_artist.get("/data/scenes/all", params={"project_id": p["id"]})
    count = queries.count
    assert r.status_code == 200
    rows = r.json()
    assert [s["name"] for s in rows] == ["SC00", "SC01", "sc02"]
    assert set(rows[0]) == ENTITY_KEYS | {"project_name", "sequence_name"}
    assert (rows[0]["project_name"], rows[0]["sequence_name"], rows[0]["type"]) == (p["name"], "SQ00", "Scene")
    r = await as_artist.get("/data/scenes/all", params={"project_id": p["id"], "parent_id": prod["sq1"]["id"]})
    assert [s["name"] for s in r.json()] == ["SC01", "sc02"]
    for i in range(10):
        await make.scene(p, prod["sq1"], f"SC9{i}")
    queries.reset()
    assert len((await as_artist.get("/data/scenes/all", params={"project_id": p["id"]})).json()) == 13
    assert queries.count == count
    assert len((await as_admin.get("/data/scenes/all")).json()) >= 13
    assert (await anon.get("/data/scenes/all")).status_code == 401
    assert (await as_artist.get("/data/scenes/all")).status_code == 403
    assert (await as_manager.get("/data/scenes/all", params={"project_id": p["id"]})).status_code == 403
    assert (await as_vendor.get("/data/scenes/all", params={"project_id": p["id"]})).status_code == 403
    assert (await as_admin.get("/data/scenes/all", params={"parent_id": "bad"})).status_code == 400


# --- GET /data/scenes/{scene_id} --------------------------------------------------------------------------


async def test_get_full_scene(anon, as_admin, as_artist, as_manager, as_vendor, make, prod, people):
    p, sc1 = prod["project"], prod["sc1"]
    r = await as_artist.get(f"/data/scenes/{sc1['id']}")
    assert r.status_code == 200
    scene = r.json()
    assert set(scene) == ENTITY_KEYS | {"project_name", "sequence_id", "sequence_name", "episode_id", "episode_name"}
    assert (scene["id"], scene["type"], scene["project_name"]) == (sc1["id"], "Scene", p["name"])
    assert (scene["sequence_id"], scene["sequence_name"]) == (prod["sq1"]["id"], "SQ01")
    assert (scene["episode_id"], scene["episode_name"]) == (prod["episode"]["id"], "E01")
    scene = (await as_artist.get(f"/data/scenes/{prod['sc0']['id']}")).json()
    assert set(scene) == ENTITY_KEYS | {"project_name", "sequence_id", "sequence_name"}
    url = f"/data/scenes/{sc1['id']}"
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(url)).status_code == 403
    assert (await as_vendor.get(url)).status_code == 403
    await make.task(sc1, prod["tt"], assignees=[people["vendor"]])
    assert (await as_vendor.get(url)).status_code == 200
    r = await as_admin.get(f"/data/scenes/{UNKNOWN}")
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    assert (await as_admin.get(f"/data/scenes/{prod['sh1']['id']}")).status_code == 404
    loose = await make.scene(p, {"id": None}, "LOOSE")
    r = await as_admin.get(f"/data/scenes/{loose['id']}")
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)  # as in Zou
    assert (await as_admin.get("/data/scenes/bad")).status_code == 400


# --- GET/POST /data/projects/{project_id}/scenes ---------------------------------------------------------


async def test_project_scenes(anon, as_admin, as_artist, as_manager, as_vendor, make, prod, people):
    p = prod["project"]
    rows = (await as_artist.get(f"/data/projects/{p['id']}/scenes")).json()
    assert [(s["name"], s["type"]) for s in rows] == [("SC00", "Scene"), ("SC01", "Scene"), ("sc02", "Scene")]
    assert set(rows[0]) == ENTITY_KEYS
    assert (await as_vendor.get(f"/data/projects/{p['id']}/scenes")).json() == []
    await make.task(prod["sc2"], prod["tt"], assignees=[people["vendor"]])
    assert [s["name"] for s in (await as_vendor.get(f"/data/projects/{p['id']}/scenes")).json()] == ["sc02"]
    assert (await anon.get(f"/data/projects/{p['id']}/scenes")).status_code == 401
    assert (await as_manager.get(f"/data/projects/{p['id']}/scenes")).status_code == 403
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/scenes")).status_code == 404
    assert (await as_admin.get("/data/projects/bad/scenes")).status_code == 400


async def test_project_scenes_query_count_is_constant(as_artist, make, queries):
    p = await make.project(team=[as_artist.person_id])
    sq = await make.sequence(p, "SQ")
    await make.scene(p, sq, "A")
    queries.reset()
    assert len((await as_artist.get(f"/data/projects/{p['id']}/scenes")).json()) == 1
    count = queries.count
    for i in range(12):
        await make.scene(p, sq, f"B{i}")
    queries.reset()
    assert len((await as_artist.get(f"/data/projects/{p['id']}/scenes")).json()) == 13
    assert queries.count == count


async def test_create_scene(anon, as_admin, as_supervisor, db, make, prod, people):
    p, sq1 = prod["project"], prod["sq1"]
    url = f"/data/projects/{p['id']}/scenes"
    r = await as_admin.post(url, json={"name": "SC10", "sequence_id": sq1["id"], "data": {"ignored": 1}})
    assert r.status_code == 201, r.text
    scene = r.json()
    assert set(scene) == ENTITY_KEYS
    assert (scene["name"], scene["parent_id"], scene["type"], scene["data"], scene["description"]) == (
        "SC10",
        sq1["id"],
        "Scene",
        {},
        None,
    )
    events = await events_named(db, "scene:new")
    assert [e["data"] for e in events] == [{"scene_id": scene["id"], "project_id": p["id"]}]
    r = await as_admin.post(url, json={"name": "SC10", "sequence_id": sq1["id"]})
    assert (r.status_code, r.json()["id"]) == (201, scene["id"])
    assert len(await events_named(db, "scene:new")) == 1
    r = await as_admin.post(url, json={"name": "SC10"})
    assert (r.status_code, r.json()["parent_id"]) == (201, None)
    # errors
    assert (await anon.post(url, json={"name": "X"})).status_code == 401
    assert (await as_admin.post(url, json={"sequence_id": sq1["id"]})).status_code == 400
    r = await as_admin.post(url, json={"name": "X", "sequence_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    assert (await as_admin.post(f"/data/projects/{UNKNOWN}/scenes", json={"name": "X"})).status_code == 404
    await make.add_to_team(p, people["supervisor"])
    assert (await as_supervisor.post(url, json={"name": "X"})).status_code == 403


# --- GET/POST /data/scenes/{scene_id}/shots, DELETE /data/scenes/{scene_id}/shots/{shot_id} ------------


async def test_scene_shots_link_and_unlink(as_artist, db, prod, people):
    p, sc1, sh1 = prod["project"], prod["sc1"], prod["sh1"]
    url = f"/data/scenes/{sc1['id']}/shots"
    assert (await as_artist.get(url)).json() == []
    r = await as_artist.post(url, json={"shot_id": sh1["id"]})
    assert r.status_code == 201, r.text
    shot = r.json()
    assert set(shot) == ENTITY_KEYS
    assert (shot["id"], shot["source_id"], shot["type"]) == (sh1["id"], sc1["id"], "Entity")
    assert await source_of(db, sh1["id"]) == sc1["id"]
    rows = (await as_artist.get(url)).json()
    assert [(s["id"], s["project_name"], s["sequence_name"], s["type"]) for s in rows] == [
        (sh1["id"], p["name"], "SQ01", "Shot")
    ]
    update = await events_named(db, "shot:update")
    added = await events_named(db, "shot:add-to-scene")
    assert [e["data"] for e in update] == [{"shot_id": sh1["id"], "project_id": p["id"]}]
    assert [(e["data"], e["user_id"]) for e in added] == [
        ({"scene_id": sc1["id"], "shot_id": sh1["id"], "project_id": p["id"]}, people["user"])
    ]
    # form body
    r = await as_artist.post(url, data={"shot_id": prod["sh2"]["id"]})
    assert r.status_code == 201
    assert [s["name"] for s in (await as_artist.get(url)).json()] == ["SH01", "SH02"]
    r = await as_artist.delete(f"{url}/{sh1['id']}")
    assert (r.status_code, r.content) == (204, b"")
    assert await source_of(db, sh1["id"]) is None
    removed = await events_named(db, "shot:remove-from-scene")
    assert [e["data"] for e in removed] == [{"scene_id": sc1["id"], "shot_id": sh1["id"], "project_id": p["id"]}]
    assert len(await events_named(db, "shot:update")) == 3
    assert [s["name"] for s in (await as_artist.get(url)).json()] == ["SH02"]


async def test_scene_shots_query_count_is_constant(as_artist, make, prod, queries):
    p, sc1 = prod["project"], prod["sc1"]
    url = f"/data/scenes/{sc1['id']}/shots"
    await make.shot(p, prod["sq1"], "A", source_id=sc1["id"])
    queries.reset()
    assert len((await as_artist.get(url)).json()) == 1
    count = queries.count
    for i in range(12):
        await make.shot(p, prod["sq1"], f"B{i}", source_id=sc1["id"])
    queries.reset()
    assert len((await as_artist.get(url)).json()) == 13
    assert queries.count == count


async def test_scene_shots_errors(anon, as_admin, as_manager, as_vendor, as_client, make, prod, people):
    sc1, sh1 = prod["sc1"], prod["sh1"]
    url = f"/data/scenes/{sc1['id']}/shots"
    assert (await anon.get(url)).status_code == 401
    assert (await anon.post(url, json={"shot_id": sh1["id"]})).status_code == 401
    assert (await anon.delete(f"{url}/{sh1['id']}")).status_code == 401
    assert (await as_manager.get(url)).status_code == 403
    assert (await as_manager.post(url, json={"shot_id": sh1["id"]})).status_code == 403
    assert (await as_manager.delete(f"{url}/{sh1['id']}")).status_code == 403
    assert (await as_vendor.get(url)).status_code == 403  # no task on the scene
    # any member may link and unlink, clients and vendors too (Zou checks only project access)
    assert (await as_client.post(url, json={"shot_id": sh1["id"]})).status_code == 201
    assert (await as_vendor.delete(f"{url}/{sh1['id']}")).status_code == 204
    r = await as_admin.post(url, json={})
    assert (r.status_code, r.json()["data"]["errors"][0]) == (400, {"field": "shot_id", "message": "Field required"})
    assert (await as_admin.post(url, json={"shot_id": "nope"})).status_code == 400
    r = await as_admin.post(url, json={"shot_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    assert (await as_admin.post(url, json={"shot_id": sc1["id"]})).status_code == 404  # not a shot
    r = await as_admin.post(f"/data/scenes/{UNKNOWN}/shots", json={"shot_id": sh1["id"]})
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    assert (await as_admin.get(f"/data/scenes/{UNKNOWN}/shots")).status_code == 404
    assert (await as_admin.delete(f"{url}/{UNKNOWN}")).status_code == 404
    assert (await as_admin.delete(f"/data/scenes/{UNKNOWN}/shots/{sh1['id']}")).status_code == 404
    assert (await as_admin.get("/data/scenes/bad/shots")).status_code == 400
    assert (await as_admin.delete(f"{url}/bad")).status_code == 400
