"""Episodes: listings, the full episode, its sequences and shots, creation in a production."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN
from zou_shapes import ENTITY_KEYS

from app.core.errors import NOT_FOUND_TEXT

RELATION_KEYS = {"entities_in", "entities_out", "entity_concept_links", "instance_casting"}


@pytest.fixture
async def prod(make, people):
    """E01 (SQ01: SH01, SH02), E02 (SQ02: SH03), artist, client and vendor on the team."""
    project = await make.project(team=[people["user"], people["client"], people["vendor"]])
    e1 = await make.episode(project, "E01", data={"secret": 1, "open": 2})
    e2 = await make.episode(project, "E02")
    sq1 = await make.sequence(project, "SQ01", episode=e1)
    sq2 = await make.sequence(project, "SQ02", episode=e2)
    sh1 = await make.shot(project, sq1, "SH01")
    sh2 = await make.shot(project, sq1, "SH02")
    sh3 = await make.shot(project, sq2, "SH03")
    task_type = await make.task_type(for_entity="Shot")
    return {
        "project": project,
        "e1": e1,
        "e2": e2,
        "sq1": sq1,
        "sq2": sq2,
        "sh1": sh1,
        "sh2": sh2,
        "sh3": sh3,
        "tt": task_type,
    }


# --- GET /data/episodes -------------------------------------------------------------------------


async def test_list_episodes(anon, as_admin, as_artist, as_manager, make, prod):
    p = prod["project"]
    other = await make.project()
    await make.episode(other, "E01")
    r = await as_artist.get("/data/episodes", params={"project_id": p["id"]})
    assert r.status_code == 200
    rows = r.json()
    assert [(e["name"], e["type"]) for e in rows] == [("E01", "Episode"), ("E02", "Episode")]
    assert set(rows[0]) == ENTITY_KEYS
    r = await as_admin.get("/data/episodes", params={"name": "e01"})
    assert sorted(e["project_id"] for e in r.json()) == sorted([p["id"], other["id"]])
    r = await as_admin.get("/data/episodes", params={"id": f'["{prod["e2"]["id"]}", "{UNKNOWN}"]'})
    assert [e["name"] for e in r.json()] == ["E02"]
    assert (await anon.get("/data/episodes")).status_code == 401
    assert (await as_artist.get("/data/episodes")).status_code == 403  # no project given
    assert (await as_manager.get("/data/episodes", params={"project_id": p["id"]})).status_code == 403
    assert (await as_artist.get("/data/episodes", params={"project_id": UNKNOWN})).status_code == 404
    r = await as_admin.get("/data/episodes", params={"status": "running", "is_shared": "nope"})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid boolean value: nope")


async def test_vendor_episodes(as_vendor, make, prod, people):
    p = prod["project"]
    paths = (("/data/episodes", {"project_id": p["id"]}), (f"/data/projects/{p['id']}/episodes", None))
    for path, params in paths:
        assert (await as_vendor.get(path, params=params)).json() == []
    await make.task(prod["sh1"], prod["tt"], assignees=[people["vendor"]])
    await make.task(prod["sh2"], prod["tt"], assignees=[people["vendor"]])
    # an asset whose source is E02, with a vendor task
    asset = await make.asset(p, name="Prop", source_id=prod["e2"]["id"])
    await make.task(asset, await make.task_type(for_entity="Asset"), assignees=[people["vendor"]])
    await make.metadata_descriptor(p, "secret", entity_type="Episode", departments=[await make.department()])
    for path, params in paths:
        rows = (await as_vendor.get(path, params=params)).json()
        assert [(e["name"], e["type"]) for e in rows] == [("E01", "Entity"), ("E02", "Entity")]
        assert rows[0]["data"] == {"open": 2}


@pytest.mark.parametrize("path", ["/data/episodes", "/data/projects/{project}/episodes"])
async def test_episode_listings_query_count_is_constant(as_artist, make, queries, path):
    p = await make.project(team=[as_artist.person_id])
    url = path.format(project=p["id"])
    params = {"project_id": p["id"]} if path == "/data/episodes" else None
    await make.episode(p, "E0")
    queries.reset()
    assert len((await as_artist.get(url, params=params)).json()) == 1
    count = queries.count
    for i in range(12):
        await make.episode(p, f"E1{i}")
    queries.reset()
    assert len((await as_artist.get(url, params=params)).json()) == 13
    assert queries.count == count


# --- GET /data/episodes/{episode_id} ---------------------------------------------------------------


async def test_get_full_episode(anon, as_admin, as_artist, as_manager, as_vendor, make, prod, people):
    e1, p = prod["e1"], prod["project"]
    url = f"/data/episodes/{e1['id']}"
    r = await as_artist.get(url)
    assert r.status_code == 200
    ep = r.json()
    assert set(ep) == ENTITY_KEYS | {"project_name"}
    assert (ep["id"], ep["name"], ep["type"], ep["project_name"], ep["data"]) == (
        e1["id"],
        "E01",
        "Episode",
        p["name"],
        {"secret": 1, "open": 2},
    )
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(url)).status_code == 403
    assert (await as_vendor.get(url)).status_code == 403
    await make.task(e1, prod["tt"], assignees=[people["vendor"]])
    assert (await as_vendor.get(url)).status_code == 200
    r = await as_admin.get(f"/data/episodes/{UNKNOWN}")
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    assert (await as_admin.get(f"/data/episodes/{prod['sq1']['id']}")).status_code == 404
    assert (await as_admin.get("/data/episodes/bad")).status_code == 400


# --- GET /data/episodes/{episode_id}/sequences ---------------------------------------------------------


async def test_episode_sequences(anon, as_admin, as_artist, as_manager, make, prod, queries):
    e1, p = prod["e1"], prod["project"]
    url = f"/data/episodes/{e1['id']}/sequences"
    queries.reset()
    rows = (await as_artist.get(url)).json()
    count = queries.count
    assert [(s["id"], s["type"]) for s in rows] == [(prod["sq1"]["id"], "Sequence")]
    assert set(rows[0]) == ENTITY_KEYS
    for i in range(11):
        await make.sequence(p, f"SQ1{i}", episode=e1)
    queries.reset()
    assert len((await as_artist.get(url)).json()) == 12
    assert queries.count == count
    assert [s["name"] for s in (await as_artist.get(url, params={"name": "SQ01"})).json()] == ["SQ01"]
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(url)).status_code == 403
    assert (await as_admin.get(f"/data/episodes/{UNKNOWN}/sequences")).status_code == 404
    assert (await as_admin.get(f"/data/episodes/{prod['sq1']['id']}/sequences")).status_code == 404
    assert (await as_admin.get("/data/episodes/bad/sequences")).status_code == 400


# --- GET /data/episodes/{episode_id}/shots ---------------------------------------------------------------


async def test_episode_shots(anon, as_admin, as_artist, as_manager, as_vendor, make, prod, people, queries):
    e1, p = prod["e1"], prod["project"]
    url = f"/data/episodes/{e1['id']}/shots"
    asset = await make.asset(p, name="Hero")
    await make.cast(prod["sh1"], asset)
    queries.reset()
    rows = (await as_artist.get(url)).json()
    count = queries.count
    assert [(s["name"], s["type"]) for s in rows] == [("SH01", "Shot"), ("SH02", "Shot")]
    assert set(rows[0]) == ENTITY_KEYS
    rows = (await as_artist.get(url, params={"relations": "true"})).json()
    assert set(rows[0]) == ENTITY_KEYS | RELATION_KEYS
    assert (rows[0]["entities_out"], rows[1]["entities_out"], rows[0]["entities_in"]) == ([asset["id"]], [], [])
    for i in range(11):
        await make.shot(p, prod["sq1"], f"SH9{i}")
    queries.reset()
    assert len((await as_artist.get(url)).json()) == 13
    assert queries.count == count
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(url)).status_code == 403
    # a vendor needs a task on the episode itself
    await make.task(prod["sh1"], prod["tt"], assignees=[people["vendor"]])
    assert (await as_vendor.get(url)).status_code == 403
    assert (await as_admin.get(f"/data/episodes/{UNKNOWN}/shots")).status_code == 404
    assert (await as_admin.get("/data/episodes/bad/shots")).status_code == 400


# --- GET/POST /data/projects/{project_id}/episodes ------------------------------------------------------


async def test_project_episodes(anon, as_admin, as_artist, as_manager, prod):
    p = prod["project"]
    rows = (await as_artist.get(f"/data/projects/{p['id']}/episodes")).json()
    assert [(e["name"], e["type"]) for e in rows] == [("E01", "Episode"), ("E02", "Episode")]
    assert (await anon.get(f"/data/projects/{p['id']}/episodes")).status_code == 401
    assert (await as_manager.get(f"/data/projects/{p['id']}/episodes")).status_code == 403
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/episodes")).status_code == 404
    assert (await as_admin.get("/data/projects/bad/episodes")).status_code == 400


async def test_create_episode(as_manager, db, make, prod, people):
    p = prod["project"]
    await make.add_to_team(p, people["manager"])
    url = f"/data/projects/{p['id']}/episodes"
    r = await as_manager.post(url, json={"name": "E10", "status": "complete", "description": "d", "data": {"a": 1}})
    assert r.status_code == 201, r.text
    ep = r.json()
    assert set(ep) == ENTITY_KEYS
    assert (ep["name"], ep["status"], ep["description"], ep["data"], ep["type"], ep["parent_id"]) == (
        "E10",
        "complete",
        "d",
        {"a": 1},
        "Episode",
        None,
    )
    assert ep["created_by"] == people["manager"]
    events = await events_named(db, "episode:new")
    assert [(e["data"], e["user_id"]) for e in events] == [
        ({"episode_id": ep["id"], "project_id": p["id"]}, people["manager"])
    ]
    r = await as_manager.post(url, json={"name": "E10", "status": "running"})
    assert (r.status_code, r.json()["id"], r.json()["status"]) == (201, ep["id"], "complete")
    assert len(await events_named(db, "episode:new")) == 1
    # an unknown status becomes running; defaults
    r = await as_manager.post(url, json={"name": "E11", "status": "weird"})
    assert (r.json()["status"], r.json()["description"], r.json()["data"]) == ("running", "", {})
    r = await as_manager.post(url, data={"name": "E12"})
    assert (r.status_code, r.json()["name"]) == (201, "E12")


async def test_create_episode_errors(anon, as_admin, as_artist, prod):
    p = prod["project"]
    url = f"/data/projects/{p['id']}/episodes"
    assert (await anon.post(url, json={"name": "X"})).status_code == 401
    r = await as_admin.post(url, json={"name": "X", "data": "nope"})
    assert (r.status_code, r.json()["data"]["errors"][0]["field"]) == (400, "data")
    r = await as_admin.post(url, content=b"{bad json", headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["data"]["errors"][0]) == (400, {"field": "name", "message": "Field required"})
    assert (await as_admin.post(f"/data/projects/{UNKNOWN}/episodes", json={"name": "X"})).status_code == 404
    assert (await as_artist.post(url, json={"name": "X"})).status_code == 403
