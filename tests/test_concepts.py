"""Concepts and concept folders: listings, full GET, creation with asset links, folders, moves."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import select
from zou_shapes import CONCEPT_TASK_KEYS, ENTITY_KEYS, ENTITY_RELATION_KEYS

from app.repositories.tables.entities import Entity, EntityConceptLink

ROLES = ("manager", "supervisor", "user", "client", "vendor")
CONCEPT_KEYS = ENTITY_KEYS | {"entity_concept_links"}
FULL_EXTRA = {"fps", "frame_in", "frame_out", "preview_file_status", "project_name", "tasks"}


async def links_of(db, concept_id: str) -> list[str]:
    t = EntityConceptLink.__table__
    return list((await db.execute(select(t.c.entity_out_id).where(t.c.entity_in_id == concept_id))).scalars())


@pytest.fixture
async def prod(make, people, db):
    project = await make.project(team=[people[r] for r in ROLES])
    hero = await make.asset(project, name="Hero")
    folder = await make.entity(project, "ConceptFolder", "Folder 1")
    concept = await make.concept(project, "Concept 1", parent_id=folder["id"], data={"fps": 24})
    loose = await make.concept(project, "Another")
    await db.execute(EntityConceptLink.__table__.insert().values(entity_in_id=concept["id"], entity_out_id=hero["id"]))
    elsewhere = await make.project()
    far = await make.concept(elsewhere, "Far")
    far_folder = await make.entity(elsewhere, "ConceptFolder", "Far folder")
    return {
        "project": project,
        "hero": hero,
        "folder": folder,
        "concept": concept,
        "loose": loose,
        "far": far,
        "far_folder": far_folder,
    }


# --- GET /data/concepts ---------------------------------------------------------------------------


async def test_all_concepts(as_artist, prod):
    r = await as_artist.get("/data/concepts", params={"project_id": prod["project"]["id"]})
    assert r.status_code == 200, r.text
    rows = r.json()
    assert [c["name"] for c in rows] == ["Another", "Concept 1"]
    assert set(rows[1]) == CONCEPT_KEYS | {"project_name"}
    assert rows[1]["entity_concept_links"] == [prod["hero"]["id"]]
    assert rows[0]["entity_concept_links"] == []
    assert rows[1]["type"] == "Concept" and rows[1]["project_name"] == prod["project"]["name"]


async def test_all_concepts_filters(as_admin, prod):
    pid = prod["project"]["id"]
    r = await as_admin.get("/data/concepts", params={"project_id": pid, "entity_concept_links": prod["hero"]["id"]})
    assert [c["id"] for c in r.json()] == [prod["concept"]["id"]]
    r = await as_admin.get("/data/concepts", params={"project_id": pid, "entity_concept_links": "bad"})
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "One of the ID sent in parameter is not properly formatted."}
    r = await as_admin.get("/data/concepts", params={"parent_id": prod["folder"]["id"]})
    assert [c["id"] for c in r.json()] == [prod["concept"]["id"]]
    names = {c["name"] for c in (await as_admin.get("/data/concepts")).json()}
    assert {"Another", "Concept 1", "Far"} <= names


async def test_all_concepts_access(anon, as_artist, as_client, as_vendor, prod):
    pid = prod["project"]["id"]
    assert (await anon.get("/data/concepts")).status_code == 401
    assert (await as_artist.get("/data/concepts")).status_code == 403
    assert (await as_client.get("/data/concepts", params={"project_id": pid})).status_code == 403
    assert (await as_vendor.get("/data/concepts", params={"project_id": pid})).status_code == 403
    far = prod["far"]["project_id"]
    assert (await as_artist.get("/data/concepts", params={"project_id": far})).status_code == 403
    assert (await as_artist.get("/data/concepts", params={"project_id": UNKNOWN})).status_code == 404


async def test_concept_listings_query_count_is_fixed(as_admin, make, db, queries):
    project = await make.project()
    hero = await make.asset(project)
    link = EntityConceptLink.__table__
    urls = [f"/data/concepts?project_id={project['id']}", f"/data/projects/{project['id']}/concepts"]

    async def add(i):
        concept = await make.concept(project, f"C{i}")
        await db.execute(link.insert().values(entity_in_id=concept["id"], entity_out_id=hero["id"]))

    await add(0)
    counts = []
    for url in urls:
        queries.reset()
        assert len((await as_admin.get(url)).json()) == 1
        counts.append(queries.count)
    for i in range(1, 12):
        await add(i)
    for url, count in zip(urls, counts, strict=True):
        queries.reset()
        rows = (await as_admin.get(url)).json()
        assert len(rows) == 12 and all(r["entity_concept_links"] == [hero["id"]] for r in rows)
        assert queries.count == count


# --- GET /data/concepts/{id} ----------------------------------------------------------------------


async def test_get_concept_full(as_artist, make, prod, people):
    task_type = await make.task_type(for_entity="Concept")
    task = await make.task(prod["concept"], task_type, assignees=[people["user"]])
    r = await as_artist.get(f"/data/concepts/{prod['concept']['id']}")
    assert r.status_code == 200, r.text
    concept = r.json()
    assert set(concept) == CONCEPT_KEYS | ENTITY_RELATION_KEYS | FULL_EXTRA
    assert concept["entity_concept_links"] == [prod["hero"]["id"]]
    assert concept["fps"] == 24 and concept["frame_in"] is None
    assert concept["project_name"] == prod["project"]["name"] and concept["preview_file_status"] is None
    [t] = concept["tasks"]
    assert set(t) == CONCEPT_TASK_KEYS and t["id"] == task["id"] and t["assignees"] == [people["user"]]


async def test_get_concept_errors(anon, as_admin, as_artist, as_client, as_vendor, make, prod, people):
    cid = prod["concept"]["id"]
    assert (await anon.get(f"/data/concepts/{cid}")).status_code == 401
    assert (await as_admin.get(f"/data/concepts/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get(f"/data/concepts/{prod['hero']['id']}")).status_code == 404
    assert (await as_admin.get("/data/concepts/nope")).status_code == 400
    assert (await as_artist.get(f"/data/concepts/{prod['far']['id']}")).status_code == 403
    assert (await as_client.get(f"/data/concepts/{cid}")).status_code == 403
    assert (await as_vendor.get(f"/data/concepts/{cid}")).status_code == 403
    # a vendor assigned on the concept reads it
    task_type = await make.task_type(for_entity="Concept")
    await make.task(prod["concept"], task_type, assignees=[people["vendor"]])
    assert (await as_vendor.get(f"/data/concepts/{cid}")).status_code == 200


# --- GET /data/projects/{id}/concepts -------------------------------------------------------------


async def test_project_concepts(as_supervisor, anon, as_admin, as_client, as_vendor, as_artist, prod):
    pid = prod["project"]["id"]
    r = await as_supervisor.get(f"/data/projects/{pid}/concepts")
    assert r.status_code == 200
    rows = r.json()
    assert [c["name"] for c in rows] == ["Another", "Concept 1"]
    assert set(rows[0]) == CONCEPT_KEYS and rows[1]["entity_concept_links"] == [prod["hero"]["id"]]
    assert (await anon.get(f"/data/projects/{pid}/concepts")).status_code == 401
    assert (await as_client.get(f"/data/projects/{pid}/concepts")).status_code == 403
    assert (await as_vendor.get(f"/data/projects/{pid}/concepts")).status_code == 403
    assert (await as_artist.get(f"/data/projects/{prod['far']['project_id']}/concepts")).status_code == 403
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/concepts")).status_code == 404
    assert (await as_admin.get("/data/projects/bad/concepts")).status_code == 400


# --- POST /data/projects/{id}/concepts ------------------------------------------------------------


async def test_create_concept(as_artist, db, prod, people):
    pid = prod["project"]["id"]
    body = {
        "name": "Sketch",
        "description": "a sketch",
        "data": {"a": 1},
        "parent_id": prod["folder"]["id"],
        "entity_concept_links": [{"id": prod["hero"]["id"]}, {"id": UNKNOWN}],
    }
    r = await as_artist.post(f"/data/projects/{pid}/concepts", json=body)
    assert r.status_code == 201, r.text
    concept = r.json()
    assert set(concept) == CONCEPT_KEYS
    assert concept["type"] == "Concept" and concept["parent_id"] == prod["folder"]["id"]
    assert concept["entity_concept_links"] == [prod["hero"]["id"]]  # unknown ids are dropped
    assert concept["created_by"] == people["user"] and concept["data"] == {"a": 1}
    assert await links_of(db, concept["id"]) == [prod["hero"]["id"]]
    [event] = await events_named(db, "concept:new")
    assert event["data"] == {"concept_id": concept["id"], "project_id": pid}
    # the same name: the existing concept, no event
    again = await as_artist.post(f"/data/projects/{pid}/concepts", json={"name": "Sketch"})
    assert again.status_code == 201 and again.json()["id"] == concept["id"]
    assert len(await events_named(db, "concept:new")) == 1


async def test_create_concept_defaults(as_admin, prod):
    r = await as_admin.post(f"/data/projects/{prod['project']['id']}/concepts", json={"name": "Bare"})
    concept = r.json()
    assert r.status_code == 201
    assert concept["parent_id"] is None and concept["data"] == {} and concept["description"] is None
    assert concept["entity_concept_links"] == []


async def test_create_concept_errors(anon, as_admin, as_client, as_vendor, as_artist, prod):
    pid = prod["project"]["id"]
    url = f"/data/projects/{pid}/concepts"
    assert (await anon.post(url, json={"name": "x"})).status_code == 401
    assert (await as_client.post(url, json={"name": "x"})).status_code == 403
    assert (await as_vendor.post(url, json={"name": "x"})).status_code == 403
    far_url = f"/data/projects/{prod['far']['project_id']}/concepts"
    assert (await as_artist.post(far_url, json={"name": "x"})).status_code == 403
    assert (await as_admin.post(f"/data/projects/{UNKNOWN}/concepts", json={"name": "x"})).status_code == 404
    # a folder of another project, or not a folder: 404
    other_folder = {"name": "x", "parent_id": prod["far_folder"]["id"]}
    assert (await as_admin.post(url, json=other_folder)).status_code == 404
    assert (await as_admin.post(url, json={"name": "x", "parent_id": prod["loose"]["id"]})).status_code == 404
    # a malformed linked id names no entity
    assert (await as_admin.post(url, json={"name": "x", "entity_concept_links": [{"id": "bad"}]})).status_code == 404
    r = await as_admin.post(url, json={"name": "x", "entity_concept_links": [prod["hero"]["id"]]})
    assert r.status_code == 400
    assert r.json()["data"]["errors"][0]["field"] == "entity_concept_links.0"
    r = await as_admin.post(url, json={"name": "x", "parent_id": "bad"})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["message"] == "Value error, must be a valid UUID"
    assert (await as_admin.post(url, json={})).status_code == 400


# --- concept folders ------------------------------------------------------------------------------


async def test_project_concept_folders(as_artist, anon, as_admin, as_client, as_vendor, make, prod):
    pid = prod["project"]["id"]
    await make.entity(prod["project"], "ConceptFolder", "A folder")
    r = await as_artist.get(f"/data/projects/{pid}/concept-folders")
    assert r.status_code == 200
    rows = r.json()
    assert [f["name"] for f in rows] == ["A folder", "Folder 1"]
    assert set(rows[0]) == CONCEPT_KEYS - {"entity_concept_links"} and rows[0]["type"] == "ConceptFolder"
    assert (await anon.get(f"/data/projects/{pid}/concept-folders")).status_code == 401
    assert (await as_client.get(f"/data/projects/{pid}/concept-folders")).status_code == 403
    assert (await as_vendor.get(f"/data/projects/{pid}/concept-folders")).status_code == 403
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/concept-folders")).status_code == 404
    assert (await as_admin.get("/data/projects/bad/concept-folders")).status_code == 400


async def test_project_concept_folders_query_count_is_fixed(as_admin, make, queries):
    project = await make.project()
    await make.entity(project, "ConceptFolder", "F0")
    queries.reset()
    assert len((await as_admin.get(f"/data/projects/{project['id']}/concept-folders")).json()) == 1
    one = queries.count
    for i in range(1, 12):
        await make.entity(project, "ConceptFolder", f"F{i}")
    queries.reset()
    assert len((await as_admin.get(f"/data/projects/{project['id']}/concept-folders")).json()) == 12
    assert queries.count == one


async def test_create_concept_folder(as_supervisor, db, prod, people):
    pid = prod["project"]["id"]
    r = await as_supervisor.post(f"/data/projects/{pid}/concept-folders", json={"name": "Props"})
    assert r.status_code == 201, r.text
    folder = r.json()
    assert folder["type"] == "ConceptFolder" and folder["name"] == "Props"
    assert folder["data"] is None and folder["created_by"] == people["supervisor"]
    [event] = await events_named(db, "concept-folder:new")
    assert event["data"] == {"concept_folder_id": folder["id"], "project_id": pid}
    again = await as_supervisor.post(f"/data/projects/{pid}/concept-folders", json={"name": "Props"})
    assert again.status_code == 201 and again.json()["id"] == folder["id"]
    assert len(await events_named(db, "concept-folder:new")) == 1


async def test_create_concept_folder_errors(anon, as_admin, as_artist, prod):
    pid = prod["project"]["id"]
    url = f"/data/projects/{pid}/concept-folders"
    assert (await anon.post(url, json={"name": "x"})).status_code == 401
    assert (await as_artist.post(url, json={"name": "x"})).status_code == 403
    assert (await as_admin.post(f"/data/projects/{UNKNOWN}/concept-folders", json={"name": "x"})).status_code == 404
    assert (await as_admin.post(url, json={"name": ""})).status_code == 400
    assert (await as_admin.post(url, json={"name": "x" * 161})).status_code == 400


async def test_rename_concept_folder(as_manager, db, prod):
    fid = prod["folder"]["id"]
    r = await as_manager.put(f"/data/concept-folders/{fid}", json={"name": "Renamed"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Renamed" and r.json()["type"] == "ConceptFolder"
    [event] = await events_named(db, "concept-folder:update")
    assert event["data"] == {"concept_folder_id": fid, "project_id": prod["project"]["id"]}
    # the same name again is fine
    assert (await as_manager.put(f"/data/concept-folders/{fid}", json={"name": "Renamed"})).status_code == 200


async def test_rename_concept_folder_errors(anon, as_admin, as_artist, make, prod):
    fid = prod["folder"]["id"]
    await make.entity(prod["project"], "ConceptFolder", "Taken")
    assert (await anon.put(f"/data/concept-folders/{fid}", json={"name": "x"})).status_code == 401
    assert (await as_artist.put(f"/data/concept-folders/{fid}", json={"name": "x"})).status_code == 403
    assert (await as_admin.put(f"/data/concept-folders/{UNKNOWN}", json={"name": "x"})).status_code == 404
    assert (await as_admin.put(f"/data/concept-folders/{prod['concept']['id']}", json={"name": "x"})).status_code == 404
    assert (await as_admin.put("/data/concept-folders/bad", json={"name": "x"})).status_code == 400
    assert (await as_admin.put(f"/data/concept-folders/{UNKNOWN}", json={})).status_code == 400
    r = await as_admin.put(f"/data/concept-folders/{fid}", json={"name": "Taken"})
    assert r.status_code == 400 and r.json()["message"] == "A concept folder with this name already exists."


# --- move-concepts --------------------------------------------------------------------------------


async def test_move_concepts(as_supervisor, db, prod):
    pid = prod["project"]["id"]
    url = f"/actions/projects/{pid}/move-concepts"
    body = {"concept_ids": [prod["loose"]["id"], prod["far"]["id"], UNKNOWN], "concept_folder_id": prod["folder"]["id"]}
    r = await as_supervisor.post(url, json=body)
    assert r.status_code == 200, r.text
    assert r.json() == [prod["loose"]["id"]]  # concepts of other projects and unknown ids are skipped
    parent = (await db.execute(select(Entity.__table__.c.parent_id).where(Entity.id == prod["loose"]["id"]))).scalar()
    assert parent == prod["folder"]["id"]
    [event] = await events_named(db, "concept:update")
    assert event["data"] == {"concept_id": prod["loose"]["id"], "project_id": pid}
    # back to the root
    r = await as_supervisor.post(url, json={"concept_ids": [prod["loose"]["id"], prod["concept"]["id"]]})
    assert sorted(r.json()) == sorted([prod["loose"]["id"], prod["concept"]["id"]])
    rows = await db.execute(select(Entity.__table__.c.parent_id).where(Entity.project_id == pid, Entity.name != "Hero"))
    assert set(rows.scalars()) == {None}
    assert (await as_supervisor.post(url, json={"concept_ids": []})).json() == []


async def test_move_concepts_errors(anon, as_admin, as_artist, prod):
    pid = prod["project"]["id"]
    url = f"/actions/projects/{pid}/move-concepts"
    assert (await anon.post(url, json={"concept_ids": []})).status_code == 401
    assert (await as_artist.post(url, json={"concept_ids": []})).status_code == 403
    unknown_project = f"/actions/projects/{UNKNOWN}/move-concepts"
    assert (await as_admin.post(unknown_project, json={"concept_ids": []})).status_code == 404
    far_folder = {"concept_ids": [], "concept_folder_id": prod["far_folder"]["id"]}
    assert (await as_admin.post(url, json=far_folder)).status_code == 404
    assert (await as_admin.post(url, json={})).status_code == 400
    assert (await as_admin.post(url, json={"concept_ids": ["bad"]})).status_code == 400
    assert (await as_admin.post("/actions/projects/bad/move-concepts", json={"concept_ids": []})).status_code == 400
