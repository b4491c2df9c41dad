"""One entity's tasks and task types, the tasks of an episode's or a sequence's children,
entities linked through concepts, task creation (per entity and `POST /data/tasks`) and
the `tasks` CRUD entry."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import func, insert, select
from zou_shapes import TASK_KEYS

from app.repositories.tables.catalog import TaskTypeAssetTypeLink
from app.repositories.tables.entities import EntityConceptLink
from app.repositories.tables.projects import ProjectTaskTypeLink
from app.repositories.tables.tasks import Task, TaskPersonLink

DETAILED_KEYS = [*TASK_KEYS, "project_name", "task_type_name", "task_status_name", "entity_type_name", "entity_name"]
TASK_TYPE_KEYS = [
    "name",
    "short_name",
    "description",
    "color",
    "priority",
    "for_entity",
    "allow_timelog",
    "archived",
    "shotgun_id",
    "department_id",
    "id",
    "created_at",
    "updated_at",
    "type",
]


@pytest.fixture
async def prod(make, people):
    project = await make.project(
        team=[people["manager"], people["supervisor"], people["client"], people["vendor"]],
    )
    episode = await make.episode(project, "E01")
    seq = await make.sequence(project, "SQ01", episode=episode)
    shot = await make.shot(project, seq, "SH010")
    other_shot = await make.shot(project, seq, "SH020")
    scene = await make.scene(project, seq, "SC01")
    edit = await make.edit(project, "Cut", episode=episode)
    concept = await make.concept(project, "Look")
    hero = await make.asset(project, None, "Hero", source_id=episode["id"])
    layout = await make.task_type("Layout E2", for_entity="Shot", priority=2)
    anim = await make.task_type("Anim E2", for_entity="Shot", priority=1)
    modeling = await make.task_type("Modeling E2", for_entity="Asset")
    t_layout = await make.task(shot, layout, assignees=[people["vendor"], people["manager"]], estimation=60.0)
    t_anim = await make.task(shot, anim)
    t_other = await make.task(other_shot, layout)
    t_hero = await make.task(hero, modeling, assignees=[people["supervisor"]])
    return {
        "project": project,
        "episode": episode,
        "seq": seq,
        "shot": shot,
        "other_shot": other_shot,
        "scene": scene,
        "edit": edit,
        "concept": concept,
        "hero": hero,
        "types": {"layout": layout, "anim": anim, "modeling": modeling},
        "tasks": {"layout": t_layout, "anim": t_anim, "other": t_other, "hero": t_hero},
    }


# --- /data/<kinds>/{id}/tasks ------------------------------------------------------------


async def test_shot_tasks(as_manager, prod, people):
    r = await as_manager.get(f"/data/shots/{prod['shot']['id']}/tasks")
    assert r.status_code == 200
    tasks = r.json()
    assert [t["task_type_name"] for t in tasks] == ["Anim E2", "Layout E2"]  # by name, project, type...
    layout = tasks[1]
    assert list(layout) == DETAILED_KEYS
    assert layout["type"] == "Task" and layout["entity_name"] == "SH010" and layout["entity_type_name"] == "Shot"
    assert layout["project_name"] == prod["project"]["name"] and layout["task_status_name"]
    assert layout["estimation"] == 60.0 and layout["id"] == prod["tasks"]["layout"]["id"]
    with_relations = await as_manager.get(f"/data/shots/{prod['shot']['id']}/tasks", params={"relations": "true"})
    layout = with_relations.json()[1]
    assert list(layout) == [*DETAILED_KEYS, "assignees"]
    assert sorted(layout["assignees"]) == sorted([people["vendor"], people["manager"]])


async def test_entity_tasks_errors(anon, as_manager, as_artist, as_vendor, prod):
    shot_url = f"/data/shots/{prod['shot']['id']}/tasks"
    assert (await anon.get(shot_url)).status_code == 401
    assert (await as_artist.get(shot_url)).status_code == 403  # not on the team
    assert (await as_vendor.get(f"/data/shots/{prod['other_shot']['id']}/tasks")).status_code == 403  # no assignment
    assert (await as_vendor.get(shot_url)).status_code == 200
    assert (await as_manager.get(f"/data/shots/{UNKNOWN}/tasks")).status_code == 404
    wrong_kind = await as_manager.get(f"/data/shots/{prod['hero']['id']}/tasks")
    assert wrong_kind.status_code == 404 and wrong_kind.json()["error"] is True
    assert (await as_manager.get(f"/data/assets/{prod['shot']['id']}/tasks")).status_code == 404
    bad = await as_manager.get("/data/shots/not-an-id/tasks")
    assert bad.status_code == 400 and bad.json()["message"] == "Malformed ID."


@pytest.mark.parametrize(
    ("plural", "key", "expected"),
    [
        ("assets", "hero", ["hero"]),
        ("scenes", "scene", []),
        ("sequences", "seq", []),
        ("episodes", "episode", []),
        ("edits", "edit", []),
        ("concepts", "concept", []),
    ],
)
async def test_tasks_of_each_kind(as_manager, prod, plural, key, expected):
    r = await as_manager.get(f"/data/{plural}/{prod[key]['id']}/tasks", params={"relations": "true"})
    assert r.status_code == 200
    assert [t["id"] for t in r.json()] == [prod["tasks"][name]["id"] for name in expected]


async def test_scene_and_episode_tasks_ignore_relations(as_manager, prod, make, people):
    tt = await make.task_type("Scene E2", for_entity="Scene")
    task = await make.task(prod["scene"], tt, assignees=[people["manager"]])
    r = await as_manager.get(f"/data/scenes/{prod['scene']['id']}/tasks", params={"relations": "true"})
    (got,) = r.json()
    assert got["id"] == task["id"] and "assignees" not in got and list(got) == DETAILED_KEYS


async def test_client_reads_blank_tasks(as_client, prod):
    r = await as_client.get(f"/data/shots/{prod['shot']['id']}/tasks", params={"relations": "true"})
    layout = [t for t in r.json() if t["id"] == prod["tasks"]["layout"]["id"]][0]
    assert layout["assignees"] == [] and layout["estimation"] == 0 and layout["difficulty"] is None
    assert layout["assigner_id"] is None and layout["name"] == "main"
    assert (await as_client.get(f"/data/concepts/{prod['concept']['id']}/tasks")).status_code == 403


async def test_vendor_reads_own_tasks_on_sequences(as_vendor, prod, make, people):
    tt = await make.task_type("Seq E2", for_entity="Sequence")
    mine = await make.task(prod["seq"], tt, assignees=[people["vendor"]])
    await make.task(prod["seq"], await make.task_type("Seq2 E2", for_entity="Sequence"))
    r = await as_vendor.get(f"/data/sequences/{prod['seq']['id']}/tasks")
    assert r.status_code == 200
    (got,) = r.json()
    assert got["id"] == mine["id"] and list(got) == TASK_KEYS


async def test_entity_tasks_query_count(as_manager, prod, make, people, queries):
    url = f"/data/shots/{prod['shot']['id']}/tasks"
    queries.reset()
    await as_manager.get(url, params={"relations": "true"})
    count = queries.count
    for _ in range(12):
        await make.task(prod["shot"], await make.task_type(for_entity="Shot"), assignees=[people["manager"]])
    queries.reset()
    r = await as_manager.get(url, params={"relations": "true"})
    assert len(r.json()) == 14 and queries.count == count


# --- task types ------------------------------------------------------------------------------


async def test_task_types_of_each_kind(as_manager, as_vendor, as_artist, as_client, prod):
    types = prod["types"]
    shot = await as_manager.get(f"/data/shots/{prod['shot']['id']}/task-types")
    assert shot.status_code == 200
    assert [t["id"] for t in shot.json()] == [types["anim"]["id"], types["layout"]["id"]]  # by priority
    assert list(shot.json()[0]) == TASK_TYPE_KEYS and shot.json()[0]["type"] == "TaskType"
    seq = await as_manager.get(f"/data/sequences/{prod['seq']['id']}/task-types")
    assert [t["id"] for t in seq.json()] == [types["anim"]["id"], types["layout"]["id"]]
    episode = await as_manager.get(f"/data/episodes/{prod['episode']['id']}/task-types")
    assert [t["id"] for t in episode.json()] == [types["anim"]["id"], types["layout"]["id"]]
    asset = await as_manager.get(f"/data/assets/{prod['hero']['id']}/task-types")
    assert [t["id"] for t in asset.json()] == [types["modeling"]["id"]]
    for plural, key in (("scenes", "scene"), ("edits", "edit"), ("concepts", "concept")):
        r = await as_manager.get(f"/data/{plural}/{prod[key]['id']}/task-types")
        assert r.status_code == 200 and r.json() == []
    assert (await as_vendor.get(f"/data/shots/{prod['shot']['id']}/task-types")).status_code == 200
    assert (await as_vendor.get(f"/data/assets/{prod['hero']['id']}/task-types")).status_code == 403
    assert (await as_artist.get(f"/data/shots/{prod['shot']['id']}/task-types")).status_code == 403
    assert (await as_client.get(f"/data/concepts/{prod['concept']['id']}/task-types")).status_code == 403
    assert (await as_manager.get(f"/data/episodes/{prod['seq']['id']}/task-types")).status_code == 404
    assert (await as_manager.get("/data/edits/xyz/task-types")).status_code == 400


# --- children's tasks ----------------------------------------------------------------------------


async def test_child_tasks(as_manager, as_vendor, anon, prod, make, people):
    edit_type = await make.task_type("Edit E2", for_entity="Edit")
    edit_task = await make.task(prod["edit"], edit_type)
    tasks = prod["tasks"]
    seq = await as_manager.get(f"/data/sequences/{prod['seq']['id']}/shot-tasks", params={"relations": "true"})
    assert seq.status_code == 200
    assert {t["id"] for t in seq.json()} == {tasks["layout"]["id"], tasks["anim"]["id"], tasks["other"]["id"]}
    assert all("assignees" in t for t in seq.json()) and list(seq.json()[0])[: len(DETAILED_KEYS)] == DETAILED_KEYS
    episode = await as_manager.get(f"/data/episodes/{prod['episode']['id']}/shot-tasks")
    assert {t["id"] for t in episode.json()} == {tasks["layout"]["id"], tasks["anim"]["id"], tasks["other"]["id"]}
    assert "assignees" not in episode.json()[0]
    assets = await as_manager.get(f"/data/episodes/{prod['episode']['id']}/asset-tasks")
    assert [t["id"] for t in assets.json()] == [tasks["hero"]["id"]]
    edits = await as_manager.get(f"/data/episodes/{prod['episode']['id']}/edit-tasks")
    assert [t["id"] for t in edits.json()] == [edit_task["id"]]
    for suffix in ("shot-tasks", "asset-tasks", "edit-tasks"):
        url = f"/data/episodes/{prod['episode']['id']}/{suffix}"
        assert (await anon.get(url)).status_code == 401
        assert (await as_vendor.get(url)).status_code == 403
        assert (await as_manager.get(f"/data/episodes/{UNKNOWN}/{suffix}")).status_code == 404
    assert (await as_vendor.get(f"/data/sequences/{prod['seq']['id']}/shot-tasks")).status_code == 403
    assert (await as_manager.get(f"/data/sequences/{prod['shot']['id']}/shot-tasks")).status_code == 404
    assert (await as_manager.get("/data/sequences/1/shot-tasks")).status_code == 400


async def test_child_tasks_query_count(as_manager, prod, make, queries):
    url = f"/data/episodes/{prod['episode']['id']}/shot-tasks"
    queries.reset()
    await as_manager.get(url, params={"relations": "true"})
    count = queries.count
    tt = await make.task_type(for_entity="Shot")
    for _ in range(15):
        await make.task(await make.shot(prod["project"], prod["seq"]), tt)
    queries.reset()
    r = await as_manager.get(url, params={"relations": "true"})
    assert len(r.json()) == 18 and queries.count == count


# --- entities linked through concepts ---------------------------------------------------------------


async def test_linked_entities_with_tasks(as_manager, as_artist, prod, make, db, people):
    concept_type = await make.task_type("Concept E2", for_entity="Concept")
    task = await make.task(prod["concept"], concept_type, assignees=[people["manager"]])
    other = await make.concept(prod["project"], "Other look")
    for concept in (prod["concept"], other):
        await db.execute(
            insert(EntityConceptLink.__table__).values(entity_in_id=concept["id"], entity_out_id=prod["hero"]["id"])
        )
    r = await as_manager.get(f"/data/entities/{prod['hero']['id']}/entities-linked/with-tasks")
    assert r.status_code == 200
    rows = r.json()
    assert [row["name"] for row in rows] == ["Look", "Other look"]
    look = rows[0]
    assert look["type"] == "Concept" and look["project_name"] == prod["project"]["name"]
    assert look["entity_concept_links"] == [prod["hero"]["id"]]
    assert list(look)[-5:] == ["entity_concept_links", "type", "updated_at", "created_at", "created_by"]
    (got,) = look["tasks"]
    assert got["id"] == task["id"] and got["assignees"] == [people["manager"]]
    assert list(got) == [
        "id",
        "duration",
        "due_date",
        "end_date",
        "entity_id",
        "estimation",
        "last_comment_date",
        "nb_assets_ready",
        "priority",
        "real_start_date",
        "retake_count",
        "start_date",
        "task_status_id",
        "task_type_id",
        "assigner_id",
        "assignees",
    ]
    assert rows[1]["tasks"] == []
    assert (await as_artist.get(f"/data/entities/{prod['hero']['id']}/entities-linked/with-tasks")).status_code == 403
    assert (await as_manager.get(f"/data/entities/{UNKNOWN}/entities-linked/with-tasks")).status_code == 404
    assert (await as_manager.get("/data/entities/x/entities-linked/with-tasks")).status_code == 400


# --- POST /data/entities/{id}/tasks -------------------------------------------------------------------


async def enable(db, project: dict, *task_types: dict) -> None:
    await db.execute(
        insert(ProjectTaskTypeLink.__table__),
        [{"project_id": project["id"], "task_type_id": tt["id"]} for tt in task_types],
    )


async def test_create_entity_tasks_defaults(as_manager, prod, make, db):
    comp = await make.task_type("Comp E2", for_entity="Shot", priority=3)
    unused = await make.task_type("Unused E2", for_entity="Shot")
    asset_type = prod["types"]["modeling"]
    await enable(db, prod["project"], prod["types"]["layout"], comp, asset_type)
    r = await as_manager.post(f"/data/entities/{prod['shot']['id']}/tasks", json={})
    assert r.status_code == 201
    (created,) = r.json()  # layout exists already; the asset type and the disabled one are skipped
    assert created["task_type_id"] == comp["id"] and created["name"] == "main"
    assert created["task_type_name"] == "Comp E2" and created["task_status_name"] and created["assignees"] == []
    assert created["assigner_id"] == as_manager.person_id and created["type"] == "Task"
    assert list(created)[: len(TASK_KEYS)] == TASK_KEYS
    assert list(created)[len(TASK_KEYS) :] == [
        "assignees",
        "task_status_name",
        "task_status_short_name",
        "task_status_color",
        "task_type_name",
        "task_type_color",
        "task_type_priority",
    ]
    events = await events_named(db, "task:new")
    assert [e["data"]["task_id"] for e in events] == [created["id"]]
    assert events[0]["project_id"] == prod["project"]["id"]
    again = await as_manager.post(f"/data/entities/{prod['shot']['id']}/tasks", json={"task_type_ids": []})
    assert again.status_code == 201 and again.json() == []
    assert unused["id"] not in {
        t["task_type_id"] for t in (await as_manager.get(f"/data/shots/{prod['shot']['id']}/tasks")).json()
    }


async def test_create_entity_tasks_explicit_types(as_manager, prod, make, db):
    comp = await make.task_type("Comp E3", for_entity="Shot")
    fx = await make.task_type("FX E3", for_entity="Shot")
    await enable(db, prod["project"], comp, fx, prod["types"]["modeling"])
    url = f"/data/entities/{prod['other_shot']['id']}/tasks"
    r = await as_manager.post(url, json={"task_type_ids": [fx["id"], comp["id"]]})
    assert r.status_code == 201
    assert [t["task_type_id"] for t in r.json()] == [fx["id"], comp["id"]]
    count = (
        await db.execute(
            select(func.count())
            .select_from(Task.__table__)
            .where(Task.__table__.c.entity_id == prod["other_shot"]["id"])
        )
    ).scalar()
    assert count == 3
    wrong_kind = await as_manager.post(url, json={"task_type_ids": [prod["types"]["modeling"]["id"]]})
    assert wrong_kind.status_code == 400 and "is for Asset entities" in wrong_kind.json()["message"]
    disabled = await make.task_type("Off E3", for_entity="Shot")
    off = await as_manager.post(url, json={"task_type_ids": [disabled["id"]]})
    assert off.status_code == 400 and "is not enabled in project" in off.json()["message"]
    assert (await as_manager.post(url, json={"task_type_ids": [UNKNOWN]})).status_code == 404
    invalid = await as_manager.post(url, json={"task_type_ids": "nope"})
    assert invalid.status_code == 400 and invalid.json()["message"] == "Validation error."


async def test_create_entity_tasks_asset_workflow(as_manager, prod, make, db):
    texturing = await make.task_type("Texturing E2", for_entity="Asset")
    rigging = await make.task_type("Rigging E2", for_entity="Asset")
    await enable(db, prod["project"], texturing, rigging)
    await db.execute(
        insert(TaskTypeAssetTypeLink.__table__).values(
            asset_type_id=prod["hero"]["entity_type_id"], task_type_id=texturing["id"]
        )
    )
    url = f"/data/entities/{prod['hero']['id']}/tasks"
    r = await as_manager.post(url)
    assert r.status_code == 201 and [t["task_type_id"] for t in r.json()] == [texturing["id"]]
    refused = await as_manager.post(url, json={"task_type_ids": [rigging["id"]]})
    assert refused.status_code == 400 and "workflow" in refused.json()["message"]


async def test_create_entity_tasks_access(anon, as_artist, as_vendor, as_client, as_manager, prod):
    url = f"/data/entities/{prod['shot']['id']}/tasks"
    assert (await anon.post(url, json={})).status_code == 401
    assert (await as_artist.post(url, json={})).status_code == 403
    assert (await as_vendor.post(url, json={})).status_code == 403
    assert (await as_client.post(url, json={})).status_code == 403
    assert (await as_manager.post(f"/data/entities/{UNKNOWN}/tasks", json={})).status_code == 404
    assert (await as_manager.post("/data/entities/bad/tasks", json={})).status_code == 400


# --- POST /data/tasks and the tasks CRUD entry -------------------------------------------------------------


async def test_post_task(as_admin, prod, make, db, people):
    fx = await make.task_type("FX E4", for_entity="Shot")
    body = {"entity_id": prod["shot"]["id"], "task_type_id": fx["id"], "assignees": [people["user"]]}
    r = await as_admin.post("/data/tasks", json=body)
    assert r.status_code == 201
    task = r.json()
    assert task["name"] == "main" and task["project_id"] == prod["project"]["id"]
    assert task["assignees"] == [people["user"]] and task["type"] == "Task" and task["task_status_id"]
    assert set(task) == set(TASK_KEYS) | {"assignees"}
    links = (
        (
            await db.execute(
                select(TaskPersonLink.__table__.c.person_id).where(TaskPersonLink.__table__.c.task_id == task["id"])
            )
        )
        .scalars()
        .all()
    )
    assert links == [people["user"]]
    assert [e["data"]["task_id"] for e in await events_named(db, "task:new")] == [task["id"]]
    duplicate = await as_admin.post("/data/tasks", json=body)
    assert duplicate.status_code == 400 and duplicate.json() == {"message": "Task already exists."}
    named = await as_admin.post("/data/tasks/", json={**body, "name": "second", "estimation": 3})
    assert named.status_code == 201 and named.json()["estimation"] == 3.0


async def test_post_task_errors(anon, as_admin, as_artist, as_vendor, prod, make):
    fx = await make.task_type("FX E5", for_entity="Shot")
    body = {"entity_id": prod["shot"]["id"], "task_type_id": fx["id"]}
    assert (await anon.post("/data/tasks", json=body)).status_code == 401
    assert (await as_artist.post("/data/tasks", json=body)).status_code == 403
    assert (await as_vendor.post("/data/tasks", json=body)).status_code == 403
    not_object = await as_admin.post("/data/tasks", json=[1])
    assert not_object.status_code == 400 and not_object.json()["message"] == "A JSON object is expected."
    missing = await as_admin.post("/data/tasks", json={"entity_id": prod["shot"]["id"]})
    assert missing.status_code == 400 and missing.json()["message"] == "A valid task_type_id is required."
    unknown_field = await as_admin.post("/data/tasks", json={**body, "foo": 1})
    assert unknown_field.json() == {"message": "'foo' is an invalid keyword argument for Task"}
    mismatch = await as_admin.post("/data/tasks", json={**body, "entity_id": prod["hero"]["id"]})
    assert mismatch.status_code == 400
    assert mismatch.json() == {"error": True, "message": "Task type of the task does not match entity type."}
    assert (await as_admin.post("/data/tasks", json={**body, "task_type_id": UNKNOWN})).status_code == 404
    assert (await as_admin.post("/data/tasks", json={**body, "entity_id": UNKNOWN})).status_code == 404
    assert (await as_admin.post("/data/tasks", json={**body, "assignees": "x"})).status_code == 400
    bad_value = await as_admin.post("/data/tasks", json={**body, "priority": "high"})
    assert bad_value.status_code == 400


async def test_get_task_and_list(as_manager, as_vendor, as_client, as_artist, anon, prod, people):
    task_id = prod["tasks"]["layout"]["id"]
    r = await as_manager.get(f"/data/tasks/{task_id}")
    assert r.status_code == 200
    task = r.json()
    assert task["type"] == "Task" and sorted(task["assignees"]) == sorted([people["vendor"], people["manager"]])
    assert task["estimation"] == 60.0
    assert (await as_vendor.get(f"/data/tasks/{task_id}")).status_code == 200
    assert (await as_vendor.get(f"/data/tasks/{prod['tasks']['other']['id']}")).status_code == 403
    assert (await as_artist.get(f"/data/tasks/{task_id}")).status_code == 403
    client = (await as_client.get(f"/data/tasks/{task_id}")).json()
    assert client["assignees"] == [] and client["estimation"] == 0
    assert (await as_manager.get(f"/data/tasks/{UNKNOWN}")).status_code == 404
    assert (await anon.get(f"/data/tasks/{task_id}")).status_code == 401
    listed = await as_manager.get("/data/tasks", params={"entity_id": prod["shot"]["id"]})
    assert {t["id"] for t in listed.json()} == {task_id, prod["tasks"]["anim"]["id"]}
    vendor = await as_vendor.get("/data/tasks", params={"project_id": prod["project"]["id"]})
    assert [t["id"] for t in vendor.json()] == [task_id]
    outsider = await as_artist.get("/data/tasks", params={"project_id": prod["project"]["id"]})
    assert outsider.status_code == 200 and outsider.json() == []
    by_episode = await as_manager.get("/data/tasks", params={"episode_id": prod["episode"]["id"]})
    assert len(by_episode.json()) == 3
    assert (await as_manager.get("/data/tasks", params={"episode_id": "x"})).status_code == 400
    assert (await as_manager.put(f"/data/tasks/{task_id}", json={})).status_code == 200  # see test_tasks_core.py
