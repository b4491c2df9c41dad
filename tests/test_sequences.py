"""Sequences: listings, the full sequence, its shots and scenes, creation in a production."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN
from zou_shapes import ENTITY_KEYS

from app.core.errors import NOT_FOUND_TEXT


@pytest.fixture
async def prod(make, people):
    """E01 / SQ01 (SH01, SC01), E01 / SQ02, and a top-level SQ00, artist, client and vendor on the team."""
    project = await make.project(team=[people["user"], people["client"], people["vendor"]])
    episode = await make.episode(project, "E01")
    sq1 = await make.sequence(project, "SQ01", episode=episode, data={"secret": 1, "open": 2})
    sq2 = await make.sequence(project, "SQ02", episode=episode)
    sq0 = await make.sequence(project, "SQ00")
    shot = await make.shot(project, sq1, "SH01")
    scene = await make.scene(project, sq1, "SC01")
    task_type = await make.task_type(for_entity="Shot")
    return {
        "project": project,
        "episode": episode,
        "sq1": sq1,
        "sq2": sq2,
        "sq0": sq0,
        "shot": shot,
        "scene": scene,
        "tt": task_type,
    }


# --- GET /data/sequences ----------------------------------------------------------------------------


async def test_list_sequences(as_admin, as_artist, make, prod):
    p, ep = prod["project"], prod["episode"]
    other = await make.project()
    await make.sequence(other, "SQ01")
    r = await as_artist.get("/data/sequences", params={"project_id": p["id"]})
    assert r.status_code == 200
    rows = r.json()
    assert [s["name"] for s in rows] == ["SQ00", "SQ01", "SQ02"]
    assert set(rows[0]) == ENTITY_KEYS and rows[0]["type"] == "Sequence"
    r = await as_artist.get("/data/sequences", params={"episode_id": ep["id"]})
    assert [s["name"] for s in r.json()] == ["SQ01", "SQ02"]
    r = await as_admin.get("/data/sequences", params={"name": "sq01"})
    assert sorted(s["project_id"] for s in r.json()) == sorted([p["id"], other["id"]])
    r = await as_admin.get("/data/sequences", params={"parent_id": ep["id"], "name": "SQ02"})
    assert [s["id"] for s in r.json()] == [prod["sq2"]["id"]]


async def test_list_sequences_errors(anon, as_admin, as_artist, as_manager, prod):
    assert (await anon.get("/data/sequences")).status_code == 401
    assert (await as_artist.get("/data/sequences")).status_code == 403  # no project given
    assert (await as_manager.get("/data/sequences", params={"project_id": prod["project"]["id"]})).status_code == 403
    r = await as_admin.get("/data/sequences", params={"episode_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    r = await as_admin.get("/data/sequences", params={"episode_id": prod["sq1"]["id"]})
    assert r.status_code == 404  # not an episode
    r = await as_admin.get("/data/sequences", params={"parent_id": "x"})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid UUID value: x")


async def test_vendor_sequences(as_vendor, make, prod, people):
    p = prod["project"]
    for path, params in (
        ("/data/sequences", {"project_id": p["id"]}),
        (f"/data/projects/{p['id']}/sequences", None),
        (f"/data/episodes/{prod['episode']['id']}/sequences", None),
    ):
        assert (await as_vendor.get(path, params=params)).json() == []
    await make.task(prod["shot"], prod["tt"], assignees=[people["vendor"]])
    await make.metadata_descriptor(p, "secret", entity_type="Sequence", departments=[await make.department()])
    for path, params in (
        ("/data/sequences", {"project_id": p["id"]}),
        (f"/data/projects/{p['id']}/sequences", None),
        (f"/data/episodes/{prod['episode']['id']}/sequences", None),
    ):
        rows = (await as_vendor.get(path, params=params)).json()
        # the sequences holding their shots, typed as Zou types them on this path
        assert [(s["id"], s["type"], s["data"]) for s in rows] == [(prod["sq1"]["id"], "Entity", {"open": 2})]


@pytest.mark.parametrize("path", ["/data/sequences", "/data/projects/{project}/sequences"])
async def test_sequence_listings_query_count_is_constant(as_artist, make, prod, queries, path):
    p = await make.project(team=[as_artist.person_id])
    url = path.format(project=p["id"])
    params = {"project_id": p["id"]} if path == "/data/sequences" else None
    await make.sequence(p, "A")
    queries.reset()
    assert len((await as_artist.get(url, params=params)).json()) == 1
    count = queries.count
    for i in range(12):
        await make.sequence(p, f"B{i}")
    queries.reset()
    assert len((await as_artist.get(url, params=params)).json()) == 13
    assert queries.count == count


# --- GET /data/sequences/{sequence_id} ------------------------------------------------------------------


async def test_get_full_sequence(as_artist, prod):
    sq1, p = prod["sq1"], prod["project"]
    r = await as_artist.get(f"/data/sequences/{sq1['id']}")
    assert r.status_code == 200
    seq = r.json()
    assert set(seq) == ENTITY_KEYS | {"project_name", "episode_id", "episode_name"}
    assert (seq["id"], seq["type"], seq["project_name"]) == (sq1["id"], "Sequence", p["name"])
    assert (seq["episode_id"], seq["episode_name"], seq["data"]) == (prod["episode"]["id"], "E01", sq1["data"])
    # without an episode there are no episode keys
    seq = (await as_artist.get(f"/data/sequences/{prod['sq0']['id']}")).json()
    assert set(seq) == ENTITY_KEYS | {"project_name"}


async def test_get_full_sequence_errors(anon, as_admin, as_manager, as_vendor, make, prod, people):
    url = f"/data/sequences/{prod['sq1']['id']}"
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(url)).status_code == 403
    assert (await as_vendor.get(url)).status_code == 403  # a vendor needs a task on the sequence itself
    await make.task(prod["sq1"], prod["tt"], assignees=[people["vendor"]])
    assert (await as_vendor.get(url)).status_code == 200
    r = await as_admin.get(f"/data/sequences/{UNKNOWN}")
    assert (r.status_code, r.json()) == (404, {"error": True, "message": NOT_FOUND_TEXT})
    assert (await as_admin.get(f"/data/sequences/{prod['shot']['id']}")).status_code == 404
    assert (await as_admin.get("/data/sequences/nope")).status_code == 400


# --- GET /data/sequences/{sequence_id}/shots -----------------------------------------------------------


async def test_sequence_shots(anon, as_admin, as_artist, as_manager, as_vendor, make, prod, people):
    p, sq1 = prod["project"], prod["sq1"]
    other = await make.shot(p, sq1, "sh00", nb_frames=10)
    await make.shot(p, prod["sq2"], "SH99")
    url = f"/data/sequences/{sq1['id']}/shots"
    rows = (await as_artist.get(url)).json()
    assert [s["name"] for s in rows] == ["sh00", "SH01"]
    assert (rows[0]["project_name"], rows[0]["sequence_name"], rows[0]["type"]) == (p["name"], "SQ01", "Shot")
    assert [s["id"] for s in (await as_artist.get(url, params={"nb_frames": "10"})).json()] == [other["id"]]
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(url)).status_code == 403
    assert (await as_vendor.get(url)).json() == []
    await make.task(prod["shot"], prod["tt"], assignees=[people["vendor"]])
    assert [s["name"] for s in (await as_vendor.get(url)).json()] == ["SH01"]
    assert (await as_admin.get(f"/data/sequences/{UNKNOWN}/shots")).status_code == 404
    assert (await as_admin.get(f"/data/sequences/{prod['shot']['id']}/shots")).status_code == 404
    assert (await as_admin.get("/data/sequences/nope/shots")).status_code == 400
    r = await as_admin.get(url, params={"nb_frames": "x"})
    assert r.status_code == 400


# --- GET /data/sequences/{sequence_id}/scenes ----------------------------------------------------------


async def test_sequence_scenes(anon, as_admin, as_artist, as_manager, as_vendor, make, prod, queries):
    p, sq1 = prod["project"], prod["sq1"]
    url = f"/data/sequences/{sq1['id']}/scenes"
    queries.reset()
    rows = (await as_artist.get(url)).json()
    count = queries.count
    assert [(s["id"], s["type"]) for s in rows] == [(prod["scene"]["id"], "Scene")]
    assert set(rows[0]) == ENTITY_KEYS
    for i in range(11):
        await make.scene(p, sq1, f"SC9{i}")
    queries.reset()
    assert len((await as_artist.get(url)).json()) == 12
    assert queries.count == count
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(url)).status_code == 403
    assert (await as_vendor.get(url)).status_code == 403
    assert (await as_admin.get(f"/data/sequences/{UNKNOWN}/scenes")).status_code == 404
    assert (await as_admin.get("/data/sequences/nope/scenes")).status_code == 400


# --- GET/POST /data/projects/{project_id}/sequences --------------------------------------------------------


async def test_project_sequences(anon, as_admin, as_artist, as_manager, prod):
    p = prod["project"]
    rows = (await as_artist.get(f"/data/projects/{p['id']}/sequences")).json()
    assert [(s["name"], s["type"]) for s in rows] == [("SQ00", "Sequence"), ("SQ01", "Sequence"), ("SQ02", "Sequence")]
    assert (await anon.get(f"/data/projects/{p['id']}/sequences")).status_code == 401
    assert (await as_manager.get(f"/data/projects/{p['id']}/sequences")).status_code == 403
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/sequences")).status_code == 404
    assert (await as_admin.get("/data/projects/nope/sequences")).status_code == 400


async def test_create_sequence(as_admin, db, prod, people):
    p, ep = prod["project"], prod["episode"]
    url = f"/data/projects/{p['id']}/sequences"
    r = await as_admin.post(url, json={"name": "SQ10", "episode_id": ep["id"], "data": {"k": 1}, "description": "x"})
    assert r.status_code == 201, r.text
    seq = r.json()
    assert set(seq) == ENTITY_KEYS
    assert (seq["name"], seq["parent_id"], seq["type"], seq["data"], seq["description"]) == (
        "SQ10",
        ep["id"],
        "Sequence",
        {"k": 1},
        "x",
    )
    assert seq["created_by"] == people["admin"]
    events = await events_named(db, "sequence:new")
    assert [e["data"] for e in events] == [{"sequence_id": seq["id"], "project_id": p["id"]}]
    # existing: returned as it is, no new event
    r = await as_admin.post(url, json={"name": "SQ10", "episode_id": ep["id"]})
    assert (r.status_code, r.json()["id"]) == (201, seq["id"])
    assert len(await events_named(db, "sequence:new")) == 1
    # the same name at the top level is another sequence; defaults
    r = await as_admin.post(url, json={"name": "SQ10"})
    top = r.json()
    assert top["id"] != seq["id"]
    assert (top["parent_id"], top["data"], top["description"]) == (None, {}, "")


async def test_create_sequence_errors(anon, as_admin, as_supervisor, make, prod, people):
    p = prod["project"]
    url = f"/data/projects/{p['id']}/sequences"
    assert (await anon.post(url, json={"name": "X"})).status_code == 401
    r = await as_admin.post(url, json={"name": "X", "episode_id": "bad"})
    assert (r.status_code, r.json()["message"]) == (400, "Validation error.")
    r = await as_admin.post(url, json={"name": "X", "episode_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    foreign = await make.episode(await make.project(), "EX")
    assert (await as_admin.post(url, json={"name": "X", "episode_id": foreign["id"]})).status_code == 404
    assert (await as_admin.post(f"/data/projects/{UNKNOWN}/sequences", json={"name": "X"})).status_code == 404
    await make.add_to_team(p, people["supervisor"])
    assert (await as_supervisor.post(url, json={"name": "X"})).status_code == 403
