"""Generic entities: GET/POST /data/entities, GET/PUT /data/entities/{id}."""

from __future__ import annotations

from datetime import timedelta

import pytest
from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import select, update
from zou_shapes import ENTITY_KEYS, ENTITY_RELATION_KEYS

from app.repositories.tables.entities import EntityConceptLink, EntityVersion
from app.repositories.tables.people import Department, DepartmentLink
from app.repositories.tables.projects import DepartmentMetadataDescriptorLink, MetadataDescriptor, ProjectTaskTypeLink
from app.repositories.tables.tasks import Task

ROLES = ("manager", "supervisor", "user", "client", "vendor")


async def versions_of(db, entity_id: str) -> list[dict]:
    t = EntityVersion.__table__
    rows = await db.execute(select(t).where(t.c.entity_id == entity_id).order_by(t.c.created_at))
    return [dict(m) for m in rows.mappings()]


@pytest.fixture
async def prod(make, people):
    project = await make.project(team=[people[r] for r in ROLES])
    hero = await make.asset(project, name="Hero", data={"a": 1})
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "SQ01", episode=episode)
    shot = await make.shot(project, sequence, "SH01", data={"frame_in": 1, "frame_out": 10})
    edit = await make.edit(project, "Edit")
    await make.cast(shot, hero)
    elsewhere = await make.project()
    far = await make.asset(elsewhere, name="Far")
    closed = await make.project(team=[people[r] for r in ROLES], closed=True)
    archived = await make.asset(closed, name="Archived")
    return {
        "project": project,
        "hero": hero,
        "episode": episode,
        "sequence": sequence,
        "shot": shot,
        "edit": edit,
        "far": far,
        "archived": archived,
    }


# --- GET /data/entities ---------------------------------------------------------------------------


async def test_list_entities_typed_by_kind(as_admin, prod):
    r = await as_admin.get("/data/entities", params={"project_id": prod["project"]["id"]})
    assert r.status_code == 200, r.text
    types = {row["name"]: row["type"] for row in r.json()}
    assert types == {"Hero": "Asset", "E01": "Episode", "SQ01": "Sequence", "SH01": "Shot", "Edit": "Edit"}
    assert set(r.json()[0]) == ENTITY_KEYS


async def test_list_entities_filters_relations_and_pages(as_admin, prod):
    pid = prod["project"]["id"]
    r = await as_admin.get("/data/entities", params={"project_id": pid, "name": "hero", "relations": "true"})
    [hero] = r.json()
    assert set(hero) == ENTITY_KEYS | ENTITY_RELATION_KEYS
    assert hero["entities_in"] == [prod["shot"]["id"]] and hero["entities_out"] == []
    r = await as_admin.get("/data/entities", params={"entities_out": prod["hero"]["id"]})
    assert [e["id"] for e in r.json()] == [prod["shot"]["id"]]
    r = await as_admin.get("/data/entities", params={"project_id": pid, "page": "1", "limit": "2"})
    page = r.json()
    assert page["total"] == 5 and page["nb_pages"] == 3 and len(page["data"]) == 2
    assert {"type"} <= set(page["data"][0])


async def test_list_entities_scope(as_artist, as_vendor, anon, make, prod, people):
    assert (await anon.get("/data/entities")).status_code == 401
    r = await as_artist.get("/data/entities")
    names = {e["name"] for e in r.json()}
    # team projects only, and only open ones
    assert names == {"Hero", "E01", "SQ01", "SH01", "Edit"}
    # vendors: the entities of the projects where they hold an assigned task (as Zou scopes them)
    assert (await as_vendor.get("/data/entities")).json() == []
    task_type = await make.task_type(for_entity="Shot")
    await make.task(prod["shot"], task_type, assignees=[people["vendor"]])
    await make.task(prod["shot"], task_type, name="second", assignees=[people["vendor"]])
    rows = (await as_vendor.get("/data/entities")).json()
    assert sorted(e["name"] for e in rows) == ["E01", "Edit", "Hero", "SH01", "SQ01"]


async def test_list_entities_query_count_is_fixed(as_admin, make, queries):
    project = await make.project()
    await make.asset(project, name="A0")
    queries.reset()
    rows = (await as_admin.get("/data/entities", params={"project_id": project["id"], "relations": "true"})).json()
    assert len(rows) == 1
    one = queries.count
    for i in range(1, 12):
        await make.asset(project, name=f"A{i}")
    queries.reset()
    rows = (await as_admin.get("/data/entities", params={"project_id": project["id"], "relations": "true"})).json()
    assert len(rows) == 12
    assert queries.count == one


# --- GET /data/entities/{id} ----------------------------------------------------------------------


async def test_get_entity(as_client, as_admin, prod):
    r = await as_client.get(f"/data/entities/{prod['shot']['id']}")
    assert r.status_code == 200, r.text
    shot = r.json()
    assert set(shot) == ENTITY_KEYS | ENTITY_RELATION_KEYS
    assert shot["type"] == "Shot" and shot["entities_out"] == [prod["hero"]["id"]]
    r = await as_admin.get(f"/data/entities/{prod['hero']['id']}", params={"relations": "false"})
    assert set(r.json()) == ENTITY_KEYS and r.json()["type"] == "Asset"


async def test_get_entity_errors(anon, as_admin, as_artist, as_vendor, make, prod, people):
    assert (await anon.get(f"/data/entities/{prod['hero']['id']}")).status_code == 401
    assert (await as_admin.get(f"/data/entities/{UNKNOWN}")).status_code == 404
    r = await as_admin.get("/data/entities/bad")
    assert r.status_code == 400 and r.json()["message"] == "Malformed ID."
    assert (await as_artist.get(f"/data/entities/{prod['far']['id']}")).status_code == 403
    assert (await as_vendor.get(f"/data/entities/{prod['hero']['id']}")).status_code == 403
    task_type = await make.task_type()
    await make.task(prod["hero"], task_type, assignees=[people["vendor"]])
    assert (await as_vendor.get(f"/data/entities/{prod['hero']['id']}")).status_code == 200


# --- POST /data/entities --------------------------------------------------------------------------


async def test_create_entity(as_manager, db, prod, people):
    pid = prod["project"]["id"]
    body = {
        "name": "Via crud",
        "project_id": pid,
        "entity_type_id": prod["edit"]["entity_type_id"],
        "data": {"k": 1},
        "entities_out": [prod["hero"]["id"], UNKNOWN],
    }
    r = await as_manager.post("/data/entities", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) == ENTITY_KEYS | ENTITY_RELATION_KEYS
    assert created["type"] == "Entity"  # as Zou answers a creation
    assert created["created_by"] == people["manager"] and created["data"] == {"k": 1}
    assert created["entities_out"] == [prod["hero"]["id"]]  # unknown ids are dropped
    [event] = await events_named(db, "edit:new")
    assert event["data"] == {"edit_id": created["id"], "project_id": pid}
    assert not await events_named(db, "entity:new")


async def test_create_entity_errors(anon, as_admin, as_manager, as_supervisor, make, prod):
    pid, type_id = prod["project"]["id"], prod["hero"]["entity_type_id"]
    body = {"name": "x", "project_id": pid, "entity_type_id": type_id}
    assert (await anon.post("/data/entities", json=body)).status_code == 401
    assert (await as_supervisor.post("/data/entities", json=body)).status_code == 403
    far_body = {**body, "project_id": prod["far"]["project_id"]}
    assert (await as_manager.post("/data/entities", json=far_body)).status_code == 403
    assert (await as_manager.post("/data/entities", json={**body, "project_id": UNKNOWN})).status_code == 404
    assert (await as_admin.post("/data/entities", json={**body, "project_id": UNKNOWN})).status_code == 400
    r = await as_admin.post("/data/entities", json={**body, "status": "bogus"})
    assert r.status_code == 400 and r.json()["message"] == "Invalid status"
    assert (await as_admin.post("/data/entities", json={"name": "x"})).status_code == 400
    assert (await as_admin.post("/data/entities", json={**body, "foo": 1})).status_code == 400
    assert (await as_admin.post("/data/entities", json=[body])).status_code == 400


# --- PUT /data/entities/{id} ----------------------------------------------------------------------


async def test_update_entity_merges_data(as_manager, db, prod, people):
    hero = prod["hero"]
    body = {
        "data": {"b": 2},
        "description": "new",
        "project_id": prod["far"]["project_id"],
        "created_by": people["client"],
        "entities_out": [prod["shot"]["id"]],
    }
    r = await as_manager.put(f"/data/entities/{hero['id']}", json=body)
    assert r.status_code == 200, r.text
    updated = r.json()
    assert set(updated) == ENTITY_KEYS | ENTITY_RELATION_KEYS and updated["type"] == "Asset"
    assert updated["data"] == {"a": 1, "b": 2} and updated["description"] == "new"
    # protected fields are left alone
    assert updated["project_id"] == hero["project_id"] and updated["created_by"] is None
    assert updated["entities_out"] == []
    [event] = await events_named(db, "asset:update")
    assert event["data"] == {"asset_id": hero["id"], "project_id": hero["project_id"]}
    assert event["user_id"] == people["manager"]
    assert not await events_named(db, "entity:update")


async def test_update_entity_concept_links(as_admin, db, make, prod):
    concept = await make.concept(prod["project"], "Sketch")
    body = {"entity_concept_links": [prod["hero"]["id"], UNKNOWN], "source_id": "null"}
    r = await as_admin.put(f"/data/entities/{concept['id']}", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["entity_concept_links"] == [prod["hero"]["id"]] and r.json()["type"] == "Concept"
    t = EntityConceptLink.__table__
    linked = (await db.execute(select(t.c.entity_out_id).where(t.c.entity_in_id == concept["id"]))).scalars()
    assert list(linked) == [prod["hero"]["id"]]
    assert len(await events_named(db, "concept:update")) == 1


async def test_update_concept_folder_event_name(as_admin, db, make, prod):
    folder = await make.entity(prod["project"], "ConceptFolder", "Folder")
    r = await as_admin.put(f"/data/entities/{folder['id']}", json={"name": "Renamed"})
    assert r.status_code == 200 and r.json()["type"] == "ConceptFolder"
    [event] = await events_named(db, "concept-folder:update")
    assert event["data"]["concept_folder_id"] == folder["id"]


async def test_update_entity_permissions(as_supervisor, as_artist, as_client, as_vendor, make, prod, people):
    hero_url = f"/data/entities/{prod['hero']['id']}"
    # a supervisor of no department may change data, and data only
    assert (await as_supervisor.put(hero_url, json={"data": {"c": 3}})).status_code == 200
    assert (await as_supervisor.put(hero_url, json={"description": "x"})).status_code == 403
    # any other key of the body counts, even one that is never written
    assert (await as_supervisor.put(hero_url, json={"data": {"c": 4}, "id": UNKNOWN})).status_code == 403
    for client in (as_artist, as_client, as_vendor):
        assert (await client.put(hero_url, json={"data": {"c": 3}})).status_code == 403
    # the creator of an entity on the team may change it
    own = await make.asset(prod["project"], name="Mine", created_by=people["user"])
    r = await as_artist.put(f"/data/entities/{own['id']}", json={"description": "mine"})
    assert r.status_code == 200 and r.json()["description"] == "mine"


async def test_update_entity_supervisor_departments(as_supervisor, db, prod, people):
    dep = Department.__table__
    mine = (await db.execute(dep.insert().values(name="Anim", color="#000000").returning(dep.c.id))).scalar()
    await db.execute(DepartmentLink.__table__.insert().values(person_id=people["supervisor"], department_id=mine))
    t = MetadataDescriptor.__table__
    values = {"project_id": prod["project"]["id"], "entity_type": "Asset"}
    ours = (await db.execute(t.insert().values(**values, name="ours", field_name="ours").returning(t.c.id))).scalar()
    await db.execute(t.insert().values(**values, name="theirs", field_name="theirs"))
    link = DepartmentMetadataDescriptorLink.__table__
    await db.execute(link.insert().values(metadata_descriptor_id=ours, department_id=mine))
    hero_url = f"/data/entities/{prod['hero']['id']}"
    r = await as_supervisor.put(hero_url, json={"data": {"ours": "v"}})
    assert r.status_code == 200 and r.json()["data"] == {"a": 1, "ours": "v"}
    assert (await as_supervisor.put(hero_url, json={"data": {"theirs": "v"}})).status_code == 403
    assert (
        await as_supervisor.put(f"/data/entities/{prod['sequence']['id']}", json={"data": {"ours": 1}})
    ).status_code == 403


async def test_update_entity_errors(anon, as_admin, as_manager, make, prod):
    hero_url = f"/data/entities/{prod['hero']['id']}"
    assert (await anon.put(hero_url, json={"description": "x"})).status_code == 401
    assert (await as_admin.put(f"/data/entities/{UNKNOWN}", json={})).status_code == 404
    assert (await as_admin.put("/data/entities/bad", json={})).status_code == 400
    assert (await as_manager.put(f"/data/entities/{prod['far']['id']}", json={"data": {}})).status_code == 403
    r = await as_admin.put(hero_url, json={"status": "bogus"})
    assert r.status_code == 400 and r.json()["message"] == "Invalid status"
    assert (await as_admin.put(hero_url, json={"nb_frames": "abc"})).status_code == 400
    assert (await as_admin.put(hero_url, json={"data": "text"})).status_code == 400
    assert (await as_admin.put(hero_url, json=["x"])).status_code == 400
    # name, project, type and parent stay unique
    await make.asset(prod["project"], name="Taken")
    r = await as_admin.put(hero_url, json={"name": "Taken"})
    assert r.status_code == 400 and "already exists" in r.json()["message"]
    assert (await as_admin.put(hero_url, json={"name": "Hero"})).status_code == 200
    assert (await as_admin.put(hero_url, json={"status": "complete"})).json()["status"] == "complete"


async def test_update_shot_records_versions(as_manager, as_admin, db, prod, people):
    shot_url = f"/data/entities/{prod['shot']['id']}"
    # a change that is neither the frame range nor the name: no version
    await as_manager.put(shot_url, json={"description": "d"})
    assert await versions_of(db, prod["shot"]["id"]) == []
    r = await as_manager.put(shot_url, json={"data": {"frame_in": 2}})
    assert r.status_code == 200 and r.json()["type"] == "Shot"
    [version] = await versions_of(db, prod["shot"]["id"])
    assert version["name"] == "SH01" and version["person_id"] == people["manager"]
    assert version["data"] == {"frame_in": 2, "frame_out": 10}
    # the next change by the same person is folded into that version
    await as_manager.put(shot_url, json={"data": {"frame_out": 20}})
    [version] = await versions_of(db, prod["shot"]["id"])
    assert version["data"] == {"frame_in": 2, "frame_out": 20}
    # someone else's change starts a new version
    await as_admin.put(shot_url, json={"data": {"frame_out": 30}})
    versions = await versions_of(db, prod["shot"]["id"])
    assert len(versions) == 2 and versions[1]["person_id"] == people["admin"]
    assert len(await events_named(db, "shot:update")) == 4


async def test_update_shot_old_version_is_not_folded(as_manager, db, prod):
    shot_url = f"/data/entities/{prod['shot']['id']}"
    await as_manager.put(shot_url, json={"data": {"frame_in": 2}})
    t = EntityVersion.__table__
    [version] = await versions_of(db, prod["shot"]["id"])
    old = version["created_at"] - timedelta(minutes=10)
    await db.execute(update(t).where(t.c.id == version["id"]).values(created_at=old, updated_at=old))
    await as_manager.put(shot_url, json={"name": "SH01b"})
    versions = await versions_of(db, prod["shot"]["id"])
    assert len(versions) == 2 and versions[1]["name"] == "SH01"


async def test_update_asset_ready_for_refreshes_casting_stats(as_manager, db, make, prod):
    layout = await make.task_type(for_entity="Shot")
    animation = await make.task_type(for_entity="Shot")
    link = ProjectTaskTypeLink.__table__
    for task_type, priority in ((layout, 1), (animation, 2)):
        await db.execute(
            link.insert().values(project_id=prod["project"]["id"], task_type_id=task_type["id"], priority=priority)
        )
    layout_task = await make.task(prod["shot"], layout)
    animation_task = await make.task(prod["shot"], animation)
    hero_url = f"/data/entities/{prod['hero']['id']}"
    r = await as_manager.put(hero_url, json={"ready_for": layout["id"]})
    assert r.status_code == 200 and r.json()["ready_for"] == layout["id"]
    t = Task.__table__
    ready = dict((await db.execute(select(t.c.id, t.c.nb_assets_ready))).all())
    assert ready[layout_task["id"]] == 1 and ready[animation_task["id"]] == 0
    # the shot's stale cast counter is brought back to its live assets
    [event] = await events_named(db, "shot:casting-update")
    assert event["data"] == {
        "shot_id": prod["shot"]["id"],
        "nb_entities_out": 1,
        "added_asset_ids": [],
        "removed_asset_ids": [],
        "project_id": prod["project"]["id"],
    }
    # the same value again changes nothing
    await as_manager.put(hero_url, json={"ready_for": layout["id"], "data": {}})
    assert len(await events_named(db, "shot:casting-update")) == 1
