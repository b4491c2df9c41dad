"""Shots: listings, the full shot, creation, updates, versions and frame counts from previews."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import func, insert, select
from zou_shapes import ENTITY_KEYS, ENTITY_RELATION_KEYS

from app.core.errors import NOT_FOUND_TEXT
from app.repositories.tables.entities import Entity, EntityVersion
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.people import DepartmentLink

# Keys of Zou 1.0.97's answers, read from the reference server.
FULL_SHOT_KEYS = (
    ENTITY_KEYS
    | ENTITY_RELATION_KEYS
    | {
        "episode_id",
        "episode_name",
        "fps",
        "frame_in",
        "frame_out",
        "project_name",
        "sequence_id",
        "sequence_name",
        "tasks",
    }
)
TASK_KEYS = {
    "assignees",
    "data",
    "difficulty",
    "done_date",
    "due_date",
    "duration",
    "end_date",
    "entity_id",
    "estimation",
    "id",
    "is_subscribed",
    "last_comment_date",
    "last_preview_file_id",
    "nb_assets_ready",
    "nb_drawings",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "task_status_id",
    "task_type_id",
}
LISTED_SHOT_KEYS = ENTITY_KEYS | {"project_name", "sequence_name"}


async def entity_row(db, entity_id: str) -> dict:
    t = Entity.__table__
    return dict((await db.execute(select(t).where(t.c.id == entity_id))).mappings().one())


@pytest.fixture
async def prod(make, people):
    """A production with the artist, client and vendor on its team: E01 / SQ01 / SH01, SH02."""
    project = await make.project(team=[people["user"], people["client"], people["vendor"]], fps="24")
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "SQ01", episode=episode)
    sh1 = await make.shot(project, sequence, "SH01", data={"frame_in": 1, "frame_out": 24, "fps": 25})
    sh2 = await make.shot(project, sequence, "sh02", nb_frames=48)
    task_type = await make.task_type("Animation", for_entity="Shot")
    return {"project": project, "episode": episode, "sequence": sequence, "sh1": sh1, "sh2": sh2, "tt": task_type}


# --- GET /data/shots/{shot_id} -----------------------------------------------------------


async def test_get_full_shot(as_artist, make, prod, people):
    p, sq, sh1 = prod["project"], prod["sequence"], prod["sh1"]
    asset = await make.asset(p, name="Bob")
    await make.cast(sh1, asset)
    task = await make.task(sh1, prod["tt"], assignees=[people["user"]], priority=None, estimation=3.5)
    r = await as_artist.get(f"/data/shots/{sh1['id']}")
    assert r.status_code == 200, r.text
    shot = r.json()
    assert set(shot) == FULL_SHOT_KEYS
    assert shot["type"] == "Shot"
    assert (shot["id"], shot["name"], shot["project_name"]) == (sh1["id"], "SH01", p["name"])
    assert (shot["sequence_id"], shot["sequence_name"]) == (sq["id"], "SQ01")
    assert (shot["episode_id"], shot["episode_name"]) == (prod["episode"]["id"], "E01")
    assert (shot["fps"], shot["frame_in"], shot["frame_out"]) == (25, 1, 24)
    assert shot["data"] == {"frame_in": 1, "frame_out": 24, "fps": 25}
    assert shot["entities_out"] == [asset["id"]]
    assert shot["entities_in"] == shot["instance_casting"] == shot["entity_concept_links"] == []
    assert len(shot["tasks"]) == 1
    t = shot["tasks"][0]
    assert set(t) == TASK_KEYS
    assert t["id"] == task["id"]
    assert t["assignees"] == [people["user"]]
    assert (t["priority"], t["estimation"], t["is_subscribed"], t["difficulty"]) == (0, 3.5, False, 3)
    assert (t["task_type_id"], t["entity_id"]) == (prod["tt"]["id"], sh1["id"])
    # the /api prefix answers too
    assert (await as_artist.get(f"/api/data/shots/{sh1['id']}")).json()["id"] == sh1["id"]


async def test_get_full_shot_without_episode_and_data(as_admin, make):
    p = await make.project()
    sq = await make.sequence(p, "SQ")
    sh = await make.shot(p, sq, "S1")
    shot = (await as_admin.get(f"/data/shots/{sh['id']}")).json()
    assert (shot["episode_id"], shot["episode_name"]) == (None, "")
    assert (shot["fps"], shot["frame_in"], shot["frame_out"], shot["data"], shot["tasks"]) == (
        None,
        None,
        None,
        None,
        [],
    )


async def test_get_full_shot_client_sees_blank_task_fields(as_client, make, prod, people):
    await make.task(prod["sh1"], prod["tt"], assignees=[people["user"]], priority=2, duration=4.0)
    t = (await as_client.get(f"/data/shots/{prod['sh1']['id']}")).json()["tasks"][0]
    assert (t["assignees"], t["priority"], t["duration"], t["retake_count"]) == ([], 0, 0, 0)
    assert t["task_status_id"] is not None


async def test_get_full_shot_errors(anon, as_admin, as_manager, as_vendor, make, prod, people):
    sh1 = prod["sh1"]
    assert (await anon.get(f"/data/shots/{sh1['id']}")).status_code == 401
    r = await as_manager.get(f"/data/shots/{sh1['id']}")  # not on the team
    assert (r.status_code, r.json()["error"]) == (403, True)
    assert (await as_vendor.get(f"/data/shots/{sh1['id']}")).status_code == 403  # no assigned task
    await make.task(sh1, prod["tt"], assignees=[people["vendor"]])
    assert (await as_vendor.get(f"/data/shots/{sh1['id']}")).status_code == 200
    r = await as_admin.get(f"/data/shots/{UNKNOWN}")
    assert (r.status_code, r.json()) == (404, {"error": True, "message": NOT_FOUND_TEXT})
    assert (await as_admin.get(f"/data/shots/{prod['sequence']['id']}")).status_code == 404  # not a shot
    loose = await make.shot(prod["project"], {"id": None}, "LOOSE")
    assert (await as_admin.get(f"/data/shots/{loose['id']}")).status_code == 404  # no sequence, as in Zou
    r = await as_admin.get("/data/shots/not-an-id")
    assert (r.status_code, r.json()) == (400, {"error": True, "message": "Malformed ID.", "data": None})


# --- GET /data/shots, /data/shots/all ------------------------------------------------------


@pytest.mark.parametrize("path", ["/data/shots", "/data/shots/all"])
async def test_list_shots_filters(as_admin, make, prod, path):
    p, sq = prod["project"], prod["sequence"]
    await make.shot(p, {"id": None}, "NOSEQ")  # outside any sequence: never listed here
    other = await make.project()
    await make.shot(other, await make.sequence(other, "SQX"), "SH01")
    r = await as_admin.get(path, params={"project_id": p["id"]})
    assert r.status_code == 200, r.text
    rows = r.json()
    assert [s["name"] for s in rows] == ["SH01", "sh02"]  # sorted case-insensitively
    assert set(rows[0]) == LISTED_SHOT_KEYS
    assert (rows[0]["project_name"], rows[0]["sequence_name"], rows[0]["type"]) == (p["name"], "SQ01", "Shot")
    assert [s["name"] for s in (await as_admin.get(path, params={"sequence_id": sq["id"]})).json()] == ["SH01", "sh02"]
    r = await as_admin.get(path, params={"project_id": p["id"], "name": "sh0%"})
    assert [s["name"] for s in r.json()] == ["SH01", "sh02"]
    r = await as_admin.get(path, params={"project_id": p["id"], "name": "SH02"})
    assert [s["name"] for s in r.json()] == ["sh02"]  # ILIKE
    r = await as_admin.get(path, params={"project_id": p["id"], "nb_frames": "48"})
    assert [s["name"] for s in r.json()] == ["sh02"]
    r = await as_admin.get(path, params={"id": f'["{prod["sh1"]["id"]}"]'})
    assert [s["id"] for s in r.json()] == [prod["sh1"]["id"]]
    r = await as_admin.get(path, params={"project_id": p["id"], "canceled": "false", "page": "1", "foo": "bar"})
    assert [s["name"] for s in r.json()] == ["SH01", "sh02"]  # page is ignored, unknown keys too
    r = await as_admin.get(path, params={"project_id": UNKNOWN})
    assert r.json() == []


async def test_list_shots_filter_errors(as_admin, as_artist, prod):
    r = await as_admin.get("/data/shots", params={"project_id": "abc"})
    assert (r.status_code, r.json()) == (400, {"error": True, "message": "Invalid UUID value: abc", "data": None})
    r = await as_admin.get("/data/shots", params={"nb_frames": "abc"})
    assert (r.status_code, r.json()) == (
        400,
        {"error": True, "message": "One of the ID sent in parameter is not properly formatted."},
    )
    r = await as_admin.get("/data/shots", params={"canceled": "maybe"})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid boolean value: maybe")
    r = await as_admin.get("/data/shots", params={"sequence_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    assert (await as_admin.get("/data/shots", params={"sequence_id": "abc"})).status_code == 404
    # non-admins must name a project they belong to
    assert (await as_artist.get("/data/shots")).status_code == 403
    assert (await as_artist.get("/data/shots", params={"project_id": UNKNOWN})).status_code == 404
    assert (await as_artist.get("/data/shots", params={"project_id": "abc"})).status_code == 404


async def test_list_shots_access(anon, as_artist, as_supervisor, as_vendor, make, prod, people):
    p = prod["project"]
    assert (await anon.get("/data/shots", params={"project_id": p["id"]})).status_code == 401
    assert (await as_supervisor.get("/data/shots", params={"project_id": p["id"]})).status_code == 403
    r = await as_artist.get("/data/shots/all", params={"project_id": p["id"]})
    assert [s["name"] for s in r.json()] == ["SH01", "sh02"]
    # a vendor lists only the shots they hold a task on (once, however many tasks)
    assert (await as_vendor.get("/data/shots", params={"project_id": p["id"]})).json() == []
    await make.task(prod["sh2"], prod["tt"], assignees=[people["vendor"]])
    await make.task(prod["sh2"], await make.task_type(for_entity="Shot"), assignees=[people["vendor"]])
    r = await as_vendor.get("/data/shots", params={"project_id": p["id"]})
    assert [s["id"] for s in r.json()] == [prod["sh2"]["id"]]


async def test_vendor_lists_hide_restricted_metadata(as_vendor, as_artist, db, make, prod, people):
    p = prod["project"]
    shot = await make.shot(p, prod["sequence"], "SH03", data={"secret": "x", "public": "y"})
    await make.task(shot, prod["tt"], assignees=[people["vendor"]])
    department = await make.department()
    await make.metadata_descriptor(p, "secret", entity_type="Shot", departments=[department])
    for path, params in (("/data/shots", {"project_id": p["id"]}), (f"/data/projects/{p['id']}/shots", None)):
        assert (await as_vendor.get(path, params=params)).json()[0]["data"] == {"public": "y"}
        # other roles see everything
        rows = (await as_artist.get(path, params=params)).json()
        assert [s["data"] for s in rows if s["id"] == shot["id"]] == [{"secret": "x", "public": "y"}]
    # a vendor of the descriptor's department sees the field
    await db.execute(
        insert(DepartmentLink.__table__).values(person_id=people["vendor"], department_id=department["id"])
    )
    rows = (await as_vendor.get("/data/shots", params={"project_id": p["id"]})).json()
    assert rows[0]["data"] == {"secret": "x", "public": "y"}


@pytest.mark.parametrize(
    "path", ["/data/shots/all", "/data/projects/{project}/shots", "/data/sequences/{sequence}/shots"]
)
async def test_shot_listings_query_count_is_constant(as_vendor, make, prod, db, queries, people, path):
    p, sq = prod["project"], prod["sequence"]
    url = path.format(project=p["id"], sequence=sq["id"])
    params = {"project_id": p["id"]} if path == "/data/shots/all" else None
    await make.metadata_descriptor(p, "secret", entity_type="Shot", departments=[await make.department()])
    await make.task(prod["sh1"], prod["tt"], assignees=[people["vendor"]])
    queries.reset()
    r = await as_vendor.get(url, params=params)
    assert len(r.json()) == 1
    count = queries.count
    for i in range(12):
        shot = await make.shot(p, sq, f"MORE{i:02}", data={"secret": i})
        await make.task(shot, prod["tt"], assignees=[people["vendor"]])
    queries.reset()
    r = await as_vendor.get(url, params=params)
    assert len(r.json()) == 13
    assert all("secret" not in s["data"] for s in r.json())
    assert queries.count == count


# --- GET /data/projects/{project_id}/shots ----------------------------------------------------


async def test_project_shots(anon, as_artist, as_admin, as_manager, as_vendor, make, prod, people):
    p = prod["project"]
    loose = await make.shot(p, {"id": None}, "LOOSE")
    r = await as_artist.get(f"/data/projects/{p['id']}/shots")
    assert r.status_code == 200
    rows = r.json()
    assert [s["name"] for s in rows] == ["LOOSE", "SH01", "sh02"]  # every shot, ordered by name
    assert set(rows[0]) == ENTITY_KEYS
    assert rows[0]["id"] == loose["id"] and rows[0]["type"] == "Shot"
    assert (await anon.get(f"/data/projects/{p['id']}/shots")).status_code == 401
    assert (await as_manager.get(f"/data/projects/{p['id']}/shots")).status_code == 403
    r = await as_admin.get(f"/data/projects/{UNKNOWN}/shots")
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    assert (await as_admin.get("/data/projects/nope/shots")).status_code == 400
    assert (await as_vendor.get(f"/data/projects/{p['id']}/shots")).json() == []
    await make.task(prod["sh1"], prod["tt"], assignees=[people["vendor"]])
    assert [s["name"] for s in (await as_vendor.get(f"/data/projects/{p['id']}/shots")).json()] == ["SH01"]


# --- POST /data/projects/{project_id}/shots ----------------------------------------------------


async def test_create_shot(as_admin, db, prod, people):
    p, sq = prod["project"], prod["sequence"]
    body = {"name": "SH10", "sequence_id": sq["id"], "nb_frames": 12, "data": {"frame_in": 5}, "description": "d"}
    r = await as_admin.post(f"/data/projects/{p['id']}/shots", json=body)
    assert r.status_code == 201, r.text
    shot = r.json()
    assert set(shot) == ENTITY_KEYS
    assert (shot["name"], shot["parent_id"], shot["project_id"], shot["type"]) == ("SH10", sq["id"], p["id"], "Shot")
    assert (shot["nb_frames"], shot["data"], shot["description"]) == (12, {"frame_in": 5}, "d")
    assert (shot["created_by"], shot["status"], shot["canceled"], shot["is_shared"]) == (
        people["admin"],
        "running",
        False,
        False,
    )
    assert (await entity_row(db, shot["id"]))["name"] == "SH10"
    events = await events_named(db, "shot:new")
    assert [e["data"] for e in events] == [
        {"shot_id": shot["id"], "episode_id": prod["episode"]["id"], "project_id": p["id"]}
    ]
    assert (events[0]["project_id"], events[0]["user_id"]) == (p["id"], people["admin"])
    # the same name in the same sequence gives the existing shot back, unchanged, with no event
    r = await as_admin.post(f"/data/projects/{p['id']}/shots", json={**body, "nb_frames": 99})
    assert (r.status_code, r.json()["id"], r.json()["nb_frames"]) == (201, shot["id"], 12)
    assert len(await events_named(db, "shot:new")) == 1


async def test_create_shot_defaults_and_form(as_admin, db, prod):
    p = prod["project"]
    r = await as_admin.post(f"/data/projects/{p['id']}/shots", json={"name": "LOOSE"})
    shot = r.json()
    assert (r.status_code, shot["parent_id"], shot["data"], shot["nb_frames"], shot["description"]) == (
        201,
        None,
        {},
        None,
        None,
    )
    assert (await events_named(db, "shot:new"))[0]["data"]["episode_id"] is None
    r = await as_admin.post(
        f"/data/projects/{p['id']}/shots",
        data={"name": "FORM", "sequence_id": prod["sequence"]["id"], "nb_frames": "7"},
    )
    assert (r.status_code, r.json()["name"], r.json()["nb_frames"]) == (201, "FORM", 7)


async def test_create_shot_errors(anon, as_admin, as_manager, as_supervisor, make, prod, people):
    p, sq = prod["project"], prod["sequence"]
    url = f"/data/projects/{p['id']}/shots"
    assert (await anon.post(url, json={"name": "X"})).status_code == 401
    r = await as_admin.post(url, json={})
    assert (r.status_code, r.json()) == (
        400,
        {
            "error": True,
            "message": "Validation error.",
            "data": {"errors": [{"field": "name", "message": "Field required"}]},
        },
    )
    r = await as_admin.post(url, json={"name": ""})
    assert r.json()["data"]["errors"][0] == {"field": "name", "message": "String should have at least 1 character"}
    r = await as_admin.post(url, json={"name": "X", "nb_frames": "abc"})
    assert (r.status_code, r.json()["data"]["errors"][0]["field"]) == (400, "nb_frames")
    r = await as_admin.post(url, json={"name": "X", "sequence_id": "abc"})
    assert (r.status_code, r.json()["data"]["errors"][0]["field"]) == (400, "sequence_id")
    r = await as_admin.post(url, json={"name": "X", "data": [1]})
    assert (r.status_code, r.json()["data"]["errors"][0]["field"]) == (400, "data")
    # the body is checked before the permission, as in Zou
    assert (await as_supervisor.post(url, json={})).status_code == 400
    r = await as_admin.post(url, json={"name": "X", "sequence_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    r = await as_admin.post(url, json={"name": "X", "sequence_id": prod["episode"]["id"]})
    assert r.status_code == 404  # not a sequence
    other = await make.project()
    foreign = await make.sequence(other, "SQF")
    assert (await as_admin.post(url, json={"name": "X", "sequence_id": foreign["id"]})).status_code == 404
    r = await as_admin.post(f"/data/projects/{UNKNOWN}/shots", json={"name": "X"})
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    assert (await as_admin.post("/data/projects/abc/shots", json={"name": "X"})).status_code == 400
    # managers of the production only
    assert (await as_manager.post(url, json={"name": "X"})).status_code == 403
    await make.add_to_team(p, people["supervisor"])
    assert (await as_supervisor.post(url, json={"name": "X"})).status_code == 403
    await make.add_to_team(p, people["manager"])
    assert (await as_manager.post(url, json={"name": "X", "sequence_id": sq["id"]})).status_code == 201


# --- PUT /data/shots/{shot_id} --------------------------------------------------------------------


async def test_update_shot(as_manager, db, make, prod, people):
    p, sh1 = prod["project"], prod["sh1"]
    await make.add_to_team(p, people["manager"])
    body = {
        "name": "SH01b",
        "nb_frames": 30,
        "data": {"frame_out": 50},
        "description": "new",
        "foo": "ignored",
        "project_id": UNKNOWN,
        "type": "Asset",
        "created_by": people["user"],
        "entities_out": [UNKNOWN],
        "status": "complete",
    }
    r = await as_manager.put(f"/data/shots/{sh1['id']}", json=body)
    assert r.status_code == 200, r.text
    shot = r.json()
    assert set(shot) == ENTITY_KEYS
    assert shot["type"] == "Entity"  # Zou's answer on this route
    assert (shot["name"], shot["nb_frames"], shot["description"], shot["status"]) == ("SH01b", 30, "new", "complete")
    assert shot["data"] == {"frame_out": 50}  # replaced as a whole
    assert (shot["project_id"], shot["created_by"]) == (p["id"], None)
    row = await entity_row(db, sh1["id"])
    assert (row["name"], row["data"], row["project_id"]) == ("SH01b", {"frame_out": 50}, p["id"])
    assert row["updated_at"] > sh1["updated_at"]
    events = await events_named(db, "shot:update")
    assert [(e["data"], e["user_id"]) for e in events] == [
        ({"shot_id": sh1["id"], "project_id": p["id"]}, people["manager"])
    ]
    # this route records no version (Zou records them on PUT /data/entities/{id})
    count = select(func.count()).select_from(EntityVersion.__table__)
    assert (await db.execute(count)).scalar_one() == 0
    # null clears
    r = await as_manager.put(f"/data/shots/{sh1['id']}", json={"data": None, "nb_frames": None})
    assert (r.json()["data"], r.json()["nb_frames"]) == (None, None)
    # form values work too
    r = await as_manager.put(f"/data/shots/{sh1['id']}", data={"nb_frames": "5"})
    assert (r.status_code, r.json()["nb_frames"]) == (200, 5)


async def test_update_shot_errors(anon, as_admin, as_manager, as_supervisor, make, prod, people):
    sh1 = prod["sh1"]
    url = f"/data/shots/{sh1['id']}"
    assert (await anon.put(url, json={"name": "X"})).status_code == 401
    assert (await as_manager.put(url, json={"name": "X"})).status_code == 403  # not on the team
    await make.add_to_team(prod["project"], people["supervisor"])
    # the permission is checked before the body, as in Zou
    assert (await as_supervisor.put(url, json={"nb_frames": "abc"})).status_code == 403
    r = await as_admin.put(f"/data/shots/{UNKNOWN}", json={"name": "X"})
    assert (r.status_code, r.json()["message"]) == (404, NOT_FOUND_TEXT)
    assert (await as_admin.put(f"/data/shots/{prod['sequence']['id']}", json={"name": "X"})).status_code == 404
    assert (await as_admin.put("/data/shots/abc", json={"name": "X"})).status_code == 400
    for bad, field in (
        ({"nb_frames": "abc"}, "nb_frames"),
        ({"name": ""}, "name"),
        ({"status": "weird"}, "status"),
        ({"canceled": "maybe"}, "canceled"),
        ({"parent_id": "abc"}, "parent_id"),
    ):
        r = await as_admin.put(url, json=bad)
        assert (r.status_code, r.json()["message"], r.json()["data"]["errors"][0]["field"]) == (
            400,
            "Validation error.",
            field,
        )
    r = await as_admin.put(url, json=[1, 2])
    assert (r.status_code, r.json()["data"]["errors"][0]["field"]) == (400, "")
    # a parent that does not exist breaks a reference: 400, nothing written
    r = await as_admin.put(url, json={"parent_id": UNKNOWN})
    assert r.status_code == 400
    assert (await as_admin.get(url)).json()["parent_id"] == prod["sequence"]["id"]


async def test_update_shot_query_count_is_small_and_fixed(as_admin, make, prod, queries):
    url = f"/data/shots/{prod['sh1']['id']}"
    queries.reset()
    assert (await as_admin.put(url, json={"nb_frames": 10})).status_code == 200
    count = queries.count
    for i in range(20):
        await make.shot(prod["project"], prod["sequence"], f"BULK{i}")
    queries.reset()
    assert (await as_admin.put(url, json={"nb_frames": 11, "data": {"frame_in": 2}})).status_code == 200
    assert queries.count == count <= 8


# --- GET /data/shots/{shot_id}/versions ----------------------------------------------------------------


async def test_shot_versions(anon, as_artist, as_manager, as_vendor, as_admin, db, make, prod, people):
    sh1 = prod["sh1"]
    t = EntityVersion.__table__
    now = datetime(2024, 1, 2, 3, 4, 5)
    for i, name in enumerate(("old", "new")):
        await db.execute(
            insert(t).values(
                name=name,
                entity_id=sh1["id"],
                person_id=people["admin"],
                data={"frame_in": i},
                created_at=now + timedelta(minutes=i),
                updated_at=now + timedelta(minutes=i),
            )
        )
    r = await as_artist.get(f"/data/shots/{sh1['id']}/versions")
    assert r.status_code == 200
    versions = r.json()
    assert [v["name"] for v in versions] == ["new", "old"]  # newest first
    assert set(versions[0]) == {"id", "name", "data", "entity_id", "person_id", "created_at", "updated_at", "type"}
    assert (versions[0]["type"], versions[0]["data"], versions[0]["created_at"]) == (
        "ShotVersion",
        {"frame_in": 1},
        "2024-01-02T03:05:05",
    )
    assert (await as_artist.get(f"/data/shots/{prod['sh2']['id']}/versions")).json() == []
    assert (await anon.get(f"/data/shots/{sh1['id']}/versions")).status_code == 401
    assert (await as_manager.get(f"/data/shots/{sh1['id']}/versions")).status_code == 403
    assert (await as_vendor.get(f"/data/shots/{sh1['id']}/versions")).status_code == 403
    assert (await as_admin.get(f"/data/shots/{UNKNOWN}/versions")).status_code == 404
    assert (await as_admin.get("/data/shots/xyz/versions")).status_code == 400


# --- POST /actions/projects/{project_id}/task-types/{task_type_id}/set-shot-nb-frames ----------


async def add_preview(db, task: dict, duration: float | None, created_at: datetime, revision: int) -> None:
    await db.execute(
        insert(PreviewFile.__table__).values(
            name=f"v{revision}",
            revision=revision,
            task_id=task["id"],
            duration=duration,
            created_at=created_at,
            updated_at=created_at,
        )
    )


async def test_set_shot_nb_frames(as_admin, db, make, prod):
    p, tt = prod["project"], prod["tt"]
    t1 = await make.task(prod["sh1"], tt)
    t2 = await make.task(prod["sh2"], tt)
    other_type = await make.task_type(for_entity="Shot")
    t3 = await make.task(prod["sh1"], other_type)
    base = datetime(2024, 5, 1, 10, 0, 0)
    await add_preview(db, t1, 1.0, base, 1)
    await add_preview(db, t1, 2.5, base + timedelta(hours=1), 2)  # the newest wins
    await add_preview(db, t2, 0.5, base, 1)
    await add_preview(db, t3, 100.0, base + timedelta(days=1), 1)  # another task type: ignored
    # a shot of another episode
    ep2 = await make.episode(p, "E02")
    sh3 = await make.shot(p, await make.sequence(p, "SQ02", episode=ep2), "SH03", nb_frames=1)
    t4 = await make.task(sh3, tt)
    await add_preview(db, t4, 1.0, base, 1)
    url = f"/actions/projects/{p['id']}/task-types/{tt['id']}/set-shot-nb-frames"
    r = await as_admin.post(url, params={"episode_id": prod["episode"]["id"]})
    assert r.status_code == 200, r.text
    assert sorted(r.json(), key=lambda u: u["nb_frames"]) == [
        {"id": prod["sh2"]["id"], "nb_frames": 12},
        {"id": prod["sh1"]["id"], "nb_frames": 60},  # 2.5 s at 24 fps
    ]
    assert (await entity_row(db, prod["sh1"]["id"]))["nb_frames"] == 60
    assert (await entity_row(db, sh3["id"]))["nb_frames"] == 1  # other episode untouched
    r = await as_admin.post(url, params={"episode_id": ""})  # empty means every episode
    assert {u["id"]: u["nb_frames"] for u in r.json()} == {
        prod["sh1"]["id"]: 60,
        prod["sh2"]["id"]: 12,
        sh3["id"]: 24,
    }
    assert (await entity_row(db, sh3["id"]))["nb_frames"] == 24
    # no preview of that type: nothing to do
    empty_type = await make.task_type(for_entity="Shot")
    r = await as_admin.post(f"/actions/projects/{p['id']}/task-types/{empty_type['id']}/set-shot-nb-frames")
    assert (r.status_code, r.json()) == (200, [])


async def test_set_shot_nb_frames_errors(anon, as_admin, as_manager, as_supervisor, make, prod, people):
    p, tt = prod["project"], prod["tt"]
    url = f"/actions/projects/{p['id']}/task-types/{tt['id']}/set-shot-nb-frames"
    assert (await anon.post(url)).status_code == 401
    assert (await as_manager.post(url)).status_code == 403  # not on the team
    await make.add_to_team(p, people["supervisor"])
    assert (await as_supervisor.post(url)).status_code == 403
    await make.add_to_team(p, people["manager"])
    assert (await as_manager.post(url)).status_code == 200
    r = await as_admin.post(url, params={"episode_id": "abc"})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid episode id")
    r = await as_admin.post(f"/actions/projects/{UNKNOWN}/task-types/{tt['id']}/set-shot-nb-frames")
    assert r.status_code == 404
    assert (await as_admin.post(f"/actions/projects/abc/task-types/{tt['id']}/set-shot-nb-frames")).status_code == 400
    assert (await as_admin.post(f"/actions/projects/{p['id']}/task-types/abc/set-shot-nb-frames")).status_code == 400


@pytest.mark.parametrize("kind", ["shots", "sequences", "episodes", "scenes"])
async def test_item_routes_leave_literal_paths_to_their_owners(as_admin, kind):
    # `/data/<kind>/with-tasks` belongs to another module: the item routes must not answer it
    r = await as_admin.get(f"/data/{kind}/with-tasks")
    assert r.json() != {"error": True, "message": "Malformed ID.", "data": None}
    r = await as_admin.get(f"/data/{kind}/bad-id")
    assert (r.status_code, r.json()["message"]) == (400, "Malformed ID.")
