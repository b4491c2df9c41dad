"""The `with-tasks` boards: each entity of a kind with its tasks nested (what Kitsu loads
for every production page). Shapes are Zou's, key by key and in order."""

from __future__ import annotations

from datetime import datetime

import orjson
import pytest
from helpers import UNKNOWN
from sqlalchemy import insert, update
from zou_shapes import FULL_EDIT_KEYS

from app.domain.entity_tasks import ASSET_FIELDS, SHOT_FIELDS
from app.domain.task_fields import (
    ASSET_TASK_FIELDS,
    CONCEPT_TASK_FIELDS,
    EDIT_TASK_FIELDS,
    ENTITY_TASK_FIELDS,
    SHOT_TASK_FIELDS,
)
from app.repositories.tables.entities import EntityConceptLink
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.tasks import Subscription, Task

SHOT_KEYS = [f for f in SHOT_FIELDS if f not in ("type", "tasks")] + ["tasks", "type"]
PLAIN_KEYS = [
    "id",
    "name",
    "status",
    "episode_id",
    "description",
    "frame_in",
    "frame_out",
    "fps",
    "preview_file_id",
    "canceled",
    "data",
    "tasks",
]
CONCEPT_KEYS = [
    "canceled",
    "data",
    "description",
    "entity_type_id",
    "fps",
    "frame_in",
    "frame_out",
    "id",
    "name",
    "nb_frames",
    "parent_id",
    "preview_file_id",
    "preview_file_status",
    "project_id",
    "project_name",
    "source_id",
    "nb_entities_out",
    "is_casting_standby",
    "tasks",
    "entity_concept_links",
    "type",
    "updated_at",
    "created_at",
    "created_by",
]


@pytest.fixture
async def prod(make, people):
    """A production: an episode holding a sequence with two shots, a sequence outside any
    episode with one shot, assets, tasks. The whole team but the outsider (`user` is not
    on it: `as_artist` is the outsider, the `member` artist is added per test when needed)."""
    project = await make.project(
        team=[people["manager"], people["supervisor"], people["client"], people["vendor"]],
    )
    episode = await make.episode(project, "E01")
    seq = await make.sequence(project, "SQ01", episode=episode)
    loose_seq = await make.sequence(project, "SQ02")
    sh1 = await make.shot(project, seq, "SH010", data={"frame_in": 1, "frame_out": 48, "fps": "25"}, nb_frames=48)
    sh2 = await make.shot(project, seq, "SH020")
    sh3 = await make.shot(project, loose_seq, "SH030")
    layout = await make.task_type("Layout D2", for_entity="Shot")
    anim = await make.task_type("Anim D2", for_entity="Shot")
    modeling = await make.task_type("Modeling D2", for_entity="Asset")
    t1 = await make.task(
        sh1,
        layout,
        assignees=[people["vendor"]],
        estimation=120.0,
        duration=1.5,
        retake_count=2,
        last_comment_date=datetime(2026, 1, 2, 3, 4, 5, 678000),
        data={"note": "é"},
    )
    t2 = await make.task(sh1, anim, assignees=[people["supervisor"], people["manager"]])
    t3 = await make.task(sh2, layout)
    character = await make.entity_type("Character")
    prop = await make.entity_type("Prop")
    hero = await make.asset(project, character, "Hero", source_id=episode["id"], data={"tier": "A"})
    sword = await make.asset(project, prop, "Sword")
    bob = await make.asset(project, character, "Bob")
    t4 = await make.task(hero, modeling, assignees=[people["vendor"]])
    return {
        "project": project,
        "episode": episode,
        "seq": seq,
        "loose_seq": loose_seq,
        "shots": [sh1, sh2, sh3],
        "assets": [bob, hero, sword],
        "tasks": [t1, t2, t3, t4],
        "types": {"layout": layout, "anim": anim, "modeling": modeling},
    }


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {row["id"]: row for row in rows}


async def subscribe(db, person_id: str, task: dict) -> None:
    await db.execute(insert(Subscription.__table__).values(person_id=person_id, task_id=task["id"]))


async def vendor_department_hides(make, people, prod, entity_type: str, field: str) -> None:
    """A metadata field restricted to a department the vendor is not in, and one of theirs."""
    mine = await make.department("D2 vendor dept", members=[people["vendor"]])
    other = await make.department("D2 other dept")
    for name, dept in ((field, other), ("shared", mine)):
        await make.metadata_descriptor(prod["project"], name, entity_type=entity_type, departments=[dept])


# --- shots -----------------------------------------------------------------------------


async def test_shots_board_shape_and_values(as_admin, prod, db, people):
    await subscribe(db, people["admin"], prod["tasks"][0])
    r = await as_admin.get("/data/shots/with-tasks", params={"project_id": prod["project"]["id"]})
    assert r.status_code == 200
    rows = r.json()
    assert [row["name"] for row in rows] == ["SH010", "SH020", "SH030"]
    sh1 = rows[0]
    assert list(sh1) == SHOT_KEYS
    assert sh1["type"] == "Shot"
    assert sh1["episode_id"] == prod["episode"]["id"] and sh1["episode_name"] == "E01"
    assert sh1["sequence_id"] == prod["seq"]["id"] == sh1["parent_id"] and sh1["sequence_name"] == "SQ01"
    assert sh1["project_name"] == prod["project"]["name"]
    assert (sh1["fps"], sh1["frame_in"], sh1["frame_out"], sh1["nb_frames"]) == ("25", 1, 48, 48)
    assert sh1["data"] == {"frame_in": 1, "frame_out": 48, "fps": "25"}
    tasks = by_id(sh1["tasks"])
    t1 = tasks[prod["tasks"][0]["id"]]
    assert list(t1) == list(SHOT_TASK_FIELDS)
    assert t1["assignees"] == [people["vendor"]]
    assert t1["estimation"] == 120.0 and isinstance(t1["estimation"], float)
    assert t1["duration"] == 1.5 and t1["retake_count"] == 2 and t1["priority"] == 0
    assert t1["last_comment_date"] == "2026-01-02T03:04:05"
    assert t1["data"] == {"note": "é"} and t1["is_subscribed"] is True
    t2 = tasks[prod["tasks"][1]["id"]]
    assert sorted(t2["assignees"]) == sorted([people["supervisor"], people["manager"]])
    assert t2["is_subscribed"] is False and t2["estimation"] == 0.0 and isinstance(t2["estimation"], float)
    sh3 = rows[2]
    assert sh3["episode_id"] is None and sh3["episode_name"] == "" and sh3["tasks"] == []
    assert sh3["data"] == {} and sh3["fps"] is None


async def test_shots_board_filters(as_admin, prod):
    pid, episode = prod["project"]["id"], prod["episode"]["id"]
    url = "/data/shots/with-tasks"
    names = lambda r: [row["name"] for row in r.json()]  # noqa: E731
    assert names(await as_admin.get(url, params={"project_id": pid, "episode_id": episode})) == ["SH010", "SH020"]
    assert names(await as_admin.get(url, params={"project_id": pid, "episode_id": "main"})) == ["SH030"]
    assert len((await as_admin.get(url, params={"project_id": pid, "episode_id": "all"})).json()) == 3
    only = await as_admin.get(url, params={"project_id": pid, "id": prod["shots"][1]["id"]})
    assert names(only) == ["SH020"]
    everything = await as_admin.get(url)  # admins may list every project's shots
    assert {s["id"] for s in prod["shots"]} <= {row["id"] for row in everything.json()}
    assert "etag" not in everything.headers  # only a project's board is cacheable


async def test_shots_board_conditional_get(as_admin, prod, db):
    params = {"project_id": prod["project"]["id"]}
    first = await as_admin.get("/data/shots/with-tasks", params=params)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = await as_admin.get("/data/shots/with-tasks", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    await db.execute(
        update(Task.__table__)
        .where(Task.__table__.c.id == prod["tasks"][2]["id"])
        .values(updated_at=datetime(2030, 1, 1))
    )
    changed = await as_admin.get("/data/shots/with-tasks", params=params, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    other_filter = await as_admin.get(
        "/data/shots/with-tasks",
        params={**params, "episode_id": "all"},
        headers={"If-None-Match": changed.headers["etag"]},
    )
    assert other_filter.status_code == 200  # the ETag covers the filters


async def test_shots_board_compact_and_stream(as_admin, prod):
    params = {"project_id": prod["project"]["id"]}
    full = (await as_admin.get("/data/shots/with-tasks", params=params)).json()
    compact = await as_admin.get("/data/shots/with-tasks", params={**params, "compact": "true"})
    body = compact.json()
    assert body["compact"] is True
    assert body["shot_fields"] == list(SHOT_FIELDS) and body["task_fields"] == list(SHOT_TASK_FIELDS)
    decoded = [dict(zip(body["shot_fields"], row, strict=True)) for row in body["rows"]]
    for row in decoded:
        row["tasks"] = [dict(zip(body["task_fields"], t, strict=True)) for t in row["tasks"]]
    assert decoded == full
    streamed = await as_admin.get("/data/shots/with-tasks", params={**params, "stream": "true"})
    assert streamed.headers["content-type"].startswith("application/x-ndjson")
    lines = [orjson.loads(line) for line in streamed.content.splitlines()]
    assert lines[0] == {"compact": False} and lines[1:] == full
    both = await as_admin.get("/data/shots/with-tasks", params={**params, "stream": "true", "compact": "true"})
    lines = [orjson.loads(line) for line in both.content.splitlines()]
    assert lines[0]["shot_fields"] == list(SHOT_FIELDS) and lines[1:] == body["rows"]


async def test_shots_board_access(anon, as_admin, as_manager, as_artist, prod):
    pid = prod["project"]["id"]
    assert (await anon.get("/data/shots/with-tasks", params={"project_id": pid})).status_code == 401
    assert (await as_artist.get("/data/shots/with-tasks", params={"project_id": pid})).status_code == 403
    assert (await as_manager.get("/data/shots/with-tasks")).status_code == 403  # non-admins need a project
    assert (await as_manager.get("/data/shots/with-tasks", params={"project_id": UNKNOWN})).status_code == 404
    unknown = await as_admin.get("/data/shots/with-tasks", params={"project_id": UNKNOWN})
    assert unknown.status_code == 200 and unknown.json() == []
    bad = await as_admin.get("/data/shots/with-tasks", params={"project_id": "abc"})
    assert bad.status_code == 400
    assert bad.json() == {"error": True, "message": "Invalid UUID format for project_id: abc", "data": None}
    bad_episode = await as_manager.get("/data/shots/with-tasks", params={"project_id": pid, "episode_id": "x"})
    assert bad_episode.status_code == 400
    assert len((await as_manager.get("/api/data/shots/with-tasks", params={"project_id": pid})).json()) == 3


async def test_shots_board_vendor_sees_assigned_work_only(as_vendor, prod, db, make, people):
    await vendor_department_hides(make, people, prod, "Shot", "fps")
    r = await as_vendor.get("/data/shots/with-tasks", params={"project_id": prod["project"]["id"]})
    assert r.status_code == 200
    rows = r.json()
    assert [row["name"] for row in rows] == ["SH010"]
    assert [t["id"] for t in rows[0]["tasks"]] == [prod["tasks"][0]["id"]]  # not the anim task
    assert "fps" not in rows[0]["data"] and rows[0]["fps"] is None and rows[0]["frame_in"] == 1


async def test_shots_board_client_reads_blank_studio_side(as_client, prod):
    r = await as_client.get("/data/shots/with-tasks", params={"project_id": prod["project"]["id"]})
    task = by_id(r.json()[0]["tasks"])[prod["tasks"][0]["id"]]
    assert task["assignees"] == [] and task["estimation"] == 0 and task["duration"] == 0
    assert task["last_comment_date"] is None and task["difficulty"] is None and task["retake_count"] == 0
    assert task["task_type_id"] == prod["types"]["layout"]["id"] and list(task) == list(SHOT_TASK_FIELDS)


# --- assets ------------------------------------------------------------------------------


async def test_assets_board_shape_and_values(as_admin, prod, make, people):
    await make.cast(prod["episode"], prod["assets"][2])  # the sword is cast in the episode
    r = await as_admin.get("/data/assets/with-tasks", params={"project_id": prod["project"]["id"]})
    assert r.status_code == 200 and "etag" in r.headers
    cached = await as_admin.get(
        "/data/assets/with-tasks",
        params={"project_id": prod["project"]["id"]},
        headers={"If-None-Match": r.headers["etag"]},
    )
    assert cached.status_code == 304
    rows = r.json()
    assert [row["name"] for row in rows] == ["Bob", "Hero", "Sword"]  # by type name, then name
    bob, hero, sword = rows
    assert list(hero) == list(ASSET_FIELDS)
    assert hero["asset_type_name"] == "Character" and hero["asset_type_id"] == prod["assets"][1]["entity_type_id"]
    assert hero["episode_id"] == prod["episode"]["id"] and bob["episode_id"] == ""
    assert hero["ready_for"] == "None" and hero["preview_file_id"] == "" and hero["data"] == {"tier": "A"}
    assert sword["casting_episode_ids"] == [prod["episode"]["id"]] and hero["casting_episode_ids"] == []
    (task,) = hero["tasks"]
    assert list(task) == list(ASSET_TASK_FIELDS) and task["assignees"] == [people["vendor"]]
    assert bob["tasks"] == [] and bob["data"] == {}


async def test_assets_board_filters(as_admin, as_manager, prod, make):
    await make.cast(prod["episode"], prod["assets"][2])
    pid, episode = prod["project"]["id"], prod["episode"]["id"]
    names = lambda r: [row["name"] for row in r.json()]  # noqa: E731
    url = "/data/assets/with-tasks"
    assert names(await as_admin.get(url, params={"project_id": pid, "episode_id": episode})) == ["Hero", "Sword"]
    assert names(await as_admin.get(url, params={"project_id": pid, "episode_id": "main"})) == ["Bob", "Sword"]
    assert names(await as_admin.get(url, params={"project_id": pid, "id": prod["assets"][0]["id"]})) == ["Bob"]
    # an episode alone resolves the project; the board is then not cacheable
    by_episode = await as_manager.get(url, params={"episode_id": episode})
    assert names(by_episode) == ["Hero", "Sword"] and "etag" not in by_episode.headers
    assert (await as_manager.get(url, params={"episode_id": UNKNOWN})).status_code == 404
    assert (await as_manager.get(url, params={"episode_id": "all"})).status_code == 404


async def test_assets_board_without_project_lists_own_projects(as_manager, as_artist, prod, make, people):
    elsewhere = await make.project()
    await make.asset(elsewhere, None, "Not mine")
    mine = await as_manager.get("/data/assets/with-tasks")
    assert mine.status_code == 200
    names = {row["name"] for row in mine.json()}
    assert {"Bob", "Hero", "Sword"} <= names and "Not mine" not in names
    outsider = await as_artist.get("/data/assets/with-tasks")
    assert outsider.status_code == 200 and not {"Bob", "Hero"} & {row["name"] for row in outsider.json()}
    assert (
        await as_artist.get("/data/assets/with-tasks", params={"project_id": prod["project"]["id"]})
    ).status_code == 403


async def test_assets_board_vendor_and_client(as_vendor, as_client, prod, db, make, people):
    await vendor_department_hides(make, people, prod, "Asset", "tier")
    vendor = await as_vendor.get("/data/assets/with-tasks", params={"project_id": prod["project"]["id"]})
    assert [row["name"] for row in vendor.json()] == ["Hero"] and vendor.json()[0]["data"] == {}
    client = await as_client.get("/data/assets/with-tasks", params={"project_id": prod["project"]["id"]})
    hero = [row for row in client.json() if row["name"] == "Hero"][0]
    assert hero["tasks"][0]["assignees"] == [] and hero["data"] == {"tier": "A"}


async def test_assets_board_compact(as_admin, prod):
    params = {"project_id": prod["project"]["id"]}
    full = (await as_admin.get("/data/assets/with-tasks", params=params)).json()
    body = (await as_admin.get("/data/assets/with-tasks", params={**params, "compact": "true"})).json()
    assert body["asset_fields"] == list(ASSET_FIELDS) and body["task_fields"] == list(ASSET_TASK_FIELDS)
    decoded = [dict(zip(body["asset_fields"], row, strict=True)) for row in body["rows"]]
    for row in decoded:
        row["tasks"] = [dict(zip(body["task_fields"], t, strict=True)) for t in row["tasks"]]
    assert decoded == full


# --- sequences, episodes, scenes -------------------------------------------------------------


async def test_sequences_board(as_admin, as_vendor, prod, make, people):
    storyboard = await make.task_type("Storyboard D2", for_entity="Sequence")
    seq_task = await make.task(prod["seq"], storyboard, assignees=[people["manager"]])
    pid = prod["project"]["id"]
    r = await as_admin.get("/data/sequences/with-tasks", params={"project_id": pid})
    assert r.status_code == 200
    rows = r.json()
    assert [row["name"] for row in rows] == ["SQ01", "SQ02"]
    sq1, sq2 = rows
    assert list(sq1) == PLAIN_KEYS
    assert sq1["episode_id"] == prod["episode"]["id"] and sq2["episode_id"] == "None"
    assert sq1["status"] == "running" and sq1["preview_file_id"] == "" and sq1["data"] == {}
    (task,) = sq1["tasks"]
    assert task["id"] == seq_task["id"] and list(task) == list(ENTITY_TASK_FIELDS)
    assert task["assignees"] == [people["manager"]]
    in_episode = await as_admin.get(
        "/data/sequences/with-tasks", params={"project_id": pid, "episode_id": prod["episode"]["id"]}
    )
    assert [row["name"] for row in in_episode.json()] == ["SQ01"]
    main = await as_admin.get("/data/sequences/with-tasks", params={"project_id": pid, "episode_id": "main"})
    assert [row["name"] for row in main.json()] == ["SQ02"]
    # vendors: the sequences holding a shot assigned to them, with their own tasks only
    vendor = await as_vendor.get("/data/sequences/with-tasks", params={"project_id": pid})
    assert [row["name"] for row in vendor.json()] == ["SQ01"] and vendor.json()[0]["tasks"] == []


async def test_episodes_board(as_admin, as_vendor, as_artist, prod, make):
    other = await make.episode(prod["project"], "E02")
    pid = prod["project"]["id"]
    rows = (await as_admin.get("/data/episodes/with-tasks", params={"project_id": pid})).json()
    assert [row["name"] for row in rows] == ["E01", "E02"]
    assert list(rows[0]) == PLAIN_KEYS and rows[0]["episode_id"] == "None"
    vendor = await as_vendor.get("/data/episodes/with-tasks", params={"project_id": pid})
    assert [row["id"] for row in vendor.json()] == [prod["episode"]["id"]]
    assert other["id"]
    assert (await as_artist.get("/data/episodes/with-tasks", params={"project_id": pid})).status_code == 403


async def test_scenes_board(as_admin, as_vendor, as_manager, prod, make):
    scene = await make.scene(prod["project"], prod["seq"], "SC01")
    tt = await make.task_type("Scene work D2", for_entity="Scene")
    await make.task(scene, tt)
    pid = prod["project"]["id"]
    rows = (await as_admin.get("/data/scenes/with-tasks", params={"project_id": pid})).json()
    assert [row["name"] for row in rows] == ["SC01"]
    assert rows[0]["episode_id"] == prod["seq"]["id"] and len(rows[0]["tasks"]) == 1
    assert (await as_vendor.get("/data/scenes/with-tasks", params={"project_id": pid})).status_code == 403
    assert (await as_manager.get("/data/scenes/with-tasks")).status_code == 403
    bad = await as_manager.get("/data/scenes/with-tasks", params={"project_id": "nope"})
    assert bad.status_code == 400


# --- edits and concepts --------------------------------------------------------------------------


async def test_edits_board(as_admin, as_vendor, anon, prod, make, people):
    cut = await make.edit(prod["project"], "Cut", episode=prod["episode"], data={"fps": 24})
    loose = await make.edit(prod["project"], "Loose")
    edit_type = await make.task_type("Edit D2", for_entity="Edit")
    task = await make.task(cut, edit_type, assignees=[people["user"]])
    pid = prod["project"]["id"]
    r = await as_admin.get("/data/edits/with-tasks", params={"project_id": pid})
    assert r.status_code == 200
    rows = r.json()
    assert [row["name"] for row in rows] == ["Cut", "Loose"]
    assert list(rows[0]) == list(FULL_EDIT_KEYS) and rows[0]["type"] == "Edit"
    assert rows[0]["episode_id"] == prod["episode"]["id"] and rows[0]["episode_name"] == "E01"
    assert rows[1]["episode_id"] is None and rows[1]["episode_name"] == "" and rows[1]["id"] == loose["id"]
    (got,) = rows[0]["tasks"]
    assert list(got) == list(EDIT_TASK_FIELDS) and got["id"] == task["id"] and got["assignees"] == [people["user"]]
    main = await as_admin.get("/data/edits/with-tasks", params={"project_id": pid, "episode_id": "main"})
    assert [row["name"] for row in main.json()] == ["Loose"]
    vendor = await as_vendor.get("/data/edits/with-tasks", params={"project_id": pid})
    assert vendor.status_code == 200 and vendor.json() == []
    assert (await anon.get("/data/edits/with-tasks")).status_code == 401


async def test_concepts_board(as_admin, as_manager, as_vendor, as_client, prod, make, db):
    preview = (
        await db.execute(
            insert(PreviewFile.__table__).values(name="p", status="ready").returning(PreviewFile.__table__.c.id)
        )
    ).scalar()
    concept = await make.concept(prod["project"], "Look", preview_file_id=preview)
    await db.execute(
        insert(EntityConceptLink.__table__).values(entity_in_id=concept["id"], entity_out_id=prod["assets"][1]["id"])
    )
    tt = await make.task_type("Concept D2", for_entity="Concept")
    task = await make.task(concept, tt)
    pid = prod["project"]["id"]
    r = await as_manager.get("/data/concepts/with-tasks", params={"project_id": pid})
    assert r.status_code == 200
    (row,) = r.json()
    assert list(row) == CONCEPT_KEYS and row["type"] == "Concept"
    assert row["entity_concept_links"] == [prod["assets"][1]["id"]]
    assert row["preview_file_id"] == preview and row["preview_file_status"] == "ready"
    assert [t["id"] for t in row["tasks"]] == [task["id"]] and list(row["tasks"][0]) == list(CONCEPT_TASK_FIELDS)
    assert (await as_vendor.get("/data/concepts/with-tasks", params={"project_id": pid})).status_code == 403
    assert (await as_client.get("/data/concepts/with-tasks", params={"project_id": pid})).status_code == 403
    assert (await as_admin.get("/data/concepts/with-tasks", params={"id": "x"})).status_code == 400


# --- a fixed number of queries whatever the size ------------------------------------------------


BOARDS = {
    "shots": ("Shot", "shot"),
    "assets": ("Asset", "asset"),
    "sequences": ("Sequence", "sequence"),
    "episodes": ("Episode", "episode"),
    "scenes": ("Scene", "scene"),
    "edits": ("Edit", "edit"),
    "concepts": ("Concept", "concept"),
}


async def _grow(make, project, kind: str, count: int, task_types: list[dict], people) -> None:
    seq = await make.sequence(project)
    for _ in range(count):
        if kind == "shot":
            entity = await make.shot(project, seq)
        elif kind == "scene":
            entity = await make.scene(project, seq)
        elif kind == "sequence":
            entity = await make.sequence(project)
        elif kind == "asset":
            entity = await make.asset(project)
        else:
            entity = await getattr(make, kind)(project)
        for tt in task_types:
            await make.task(entity, tt, assignees=[people["manager"], people["supervisor"]])


@pytest.mark.parametrize("board", sorted(BOARDS))
async def test_board_query_count_is_constant(board, as_manager, make, people, queries):
    for_entity, kind = BOARDS[board]
    project = await make.project(team=[people["manager"]])
    types = [await make.task_type(for_entity=for_entity) for _ in range(2)]
    await _grow(make, project, kind, 1, types, people)
    params = {"project_id": project["id"]}
    queries.reset()
    small = await as_manager.get(f"/data/{board}/with-tasks", params=params)
    count = queries.count
    await _grow(make, project, kind, 24, types, people)
    queries.reset()
    large = await as_manager.get(f"/data/{board}/with-tasks", params=params)
    assert small.status_code == large.status_code == 200
    assert len(large.json()) >= 25 and sum(len(row["tasks"]) for row in large.json()) >= 50
    assert queries.count == count, queries.statements
