"""Assets: listings, the full asset, creation (slice B of the production area)."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select
from zou_shapes import ENTITY_KEYS

from app.core.errors import NOT_FOUND_TEXT
from app.repositories.tables.catalog import TaskTypeAssetTypeLink
from app.repositories.tables.entities import AssetInstance, AssetInstanceLink, Entity, EntityConceptLink


@pytest.fixture
async def prod(make, people):
    """A project whose team holds every non-admin role but the vendor-less outsider cases."""
    project = await make.project(team=[people["manager"], people["user"], people["client"], people["vendor"]])
    character = await make.entity_type("Character")
    prop = await make.entity_type("Prop")
    hero = await make.asset(project, character, "Hero", data={"color": "red"})
    sword = await make.asset(project, prop, "Sword")
    return {"project": project, "character": character, "prop": prop, "hero": hero, "sword": sword}


# --- GET /data/assets, /data/assets/all --------------------------------------------------


@pytest.mark.parametrize("path", ["/data/assets", "/data/assets/all"])
async def test_all_assets_admin_sees_every_project(as_admin, make, prod, path):
    other = await make.project()
    lone = await make.asset(other, prod["prop"], "Lone")
    seq = await make.sequence(prod["project"])
    r = await as_admin.get(path)
    assert r.status_code == 200
    by_id = {a["id"]: a for a in r.json()}
    assert {prod["hero"]["id"], prod["sword"]["id"], lone["id"]} <= set(by_id)
    assert seq["id"] not in by_id  # only assets
    hero = by_id[prod["hero"]["id"]]
    assert set(hero) == ENTITY_KEYS
    assert hero["type"] == "Asset" and hero["name"] == "Hero" and hero["data"] == {"color": "red"}
    assert hero["entity_type_id"] == prod["character"]["id"]


async def test_all_assets_non_admin_sees_team_projects_only(as_artist, make, prod):
    other = await make.project()
    lone = await make.asset(other, prod["prop"], "Lone")
    r = await as_artist.get("/data/assets")
    ids = {a["id"] for a in r.json()}
    assert r.status_code == 200 and ids == {prod["hero"]["id"], prod["sword"]["id"]}
    assert lone["id"] not in ids


async def test_all_assets_filters(as_admin, make, prod):
    project = prod["project"]
    await make.asset(project, prod["prop"], "Shield", is_shared=True)
    base = f"/data/assets?project_id={project['id']}"
    names = lambda r: sorted(a["name"] for a in r.json())  # noqa: E731
    assert names(await as_admin.get(base)) == ["Hero", "Shield", "Sword"]
    assert names(await as_admin.get(base + "&name=s%25")) == ["Shield", "Sword"]  # ILIKE, any case
    assert names(await as_admin.get(base + f"&entity_type_id={prod['prop']['id']}")) == ["Shield", "Sword"]
    assert names(await as_admin.get(base + "&is_shared=true")) == ["Shield"]
    ids = f'["{prod["hero"]["id"]}","{prod["sword"]["id"]}"]'
    assert names(await as_admin.get(base + f"&id={ids}")) == ["Hero", "Sword"]
    assert names(await as_admin.get(base + "&unknown_param=1&page=2")) == ["Hero", "Shield", "Sword"]


async def test_all_assets_bad_filters_are_400(as_admin, prod):
    r = await as_admin.get("/data/assets?id=abc")
    assert r.status_code == 400 and r.json() == {"error": True, "message": "Invalid UUID value: abc", "data": None}
    r = await as_admin.get("/data/assets?canceled=maybe")
    assert r.status_code == 400 and r.json()["message"] == "Invalid boolean value: maybe"
    assert (await as_admin.get("/data/assets?nb_frames=abc")).status_code == 400


async def test_all_assets_by_episode_lists_source_then_cast(as_admin, make, prod):
    project = prod["project"]
    episode = await make.episode(project)
    native = await make.asset(project, prod["prop"], "Native", source_id=episode["id"])
    await make.cast(episode, prod["hero"])
    r = await as_admin.get(f"/data/assets?episode_id={episode['id']}")
    assert r.status_code == 200
    assert [a["id"] for a in r.json()] == [native["id"], prod["hero"]["id"]]
    assert (await as_admin.get(f"/data/assets?episode_id={UNKNOWN}")).status_code == 404


async def test_all_assets_project_filter_checks_access(as_supervisor, as_artist, prod):
    r = await as_supervisor.get(f"/data/assets?project_id={prod['project']['id']}")
    assert r.status_code == 403  # not on the team
    assert (await as_artist.get(f"/data/assets?project_id={UNKNOWN}")).status_code == 404


async def test_all_assets_assigned_to_and_vendor_scope(as_artist, as_vendor, make, prod, people, db):
    task_type = await make.task_type()
    await make.task(prod["hero"], task_type, assignees=[people["user"], people["vendor"]])
    r = await as_artist.get("/data/assets?assigned_to=me")
    assert [a["id"] for a in r.json()] == [prod["hero"]["id"]]
    r = await as_vendor.get("/data/assets")  # a vendor only lists what they are assigned on
    assert r.status_code == 200 and [a["id"] for a in r.json()] == [prod["hero"]["id"]]


async def test_vendor_listing_masks_other_departments_metadata(as_vendor, make, prod, people):
    project = prod["project"]
    mine = await make.department("FX dep", members=[people["vendor"]])
    other = await make.department("Anim dep")
    for field, department in (("color", other), ("size", mine)):
        await make.metadata_descriptor(project, field, entity_type="Asset", departments=[department])
    hero = await make.asset(project, prod["character"], "Masked", data={"color": "red", "size": 3, "free": 1})
    await make.task(hero, await make.task_type(), assignees=[people["vendor"]])
    r = await as_vendor.get(f"/data/projects/{project['id']}/assets")
    assert r.status_code == 200
    assert [a["data"] for a in r.json()] == [{"size": 3, "free": 1}]


async def test_all_assets_requires_a_token(anon):
    assert (await anon.get("/data/assets")).status_code == 401
    assert (await anon.get("/data/assets/all")).status_code == 401


async def test_all_assets_query_count_is_constant(as_artist, make, prod, queries):
    queries.reset()
    r = await as_artist.get("/data/assets")
    assert r.status_code == 200
    few, count_few = len(r.json()), queries.count
    for i in range(12):
        asset = await make.asset(prod["project"], prod["prop"], f"Extra {i}")
        await make.task(asset, await make.task_type())
    queries.reset()
    r = await as_artist.get("/data/assets")
    assert len(r.json()) == few + 12
    assert queries.count == count_few


# --- GET /data/projects/{id}/assets and .../asset-types/{id}/assets ------------------------


async def test_project_assets(as_artist, as_admin, make, prod):
    other = await make.project()
    await make.asset(other, prod["prop"], "Elsewhere")
    r = await as_artist.get(f"/data/projects/{prod['project']['id']}/assets")
    assert r.status_code == 200
    assert sorted(a["name"] for a in r.json()) == ["Hero", "Sword"]
    assert all(a["type"] == "Asset" and set(a) == ENTITY_KEYS for a in r.json())
    r = await as_artist.get(f"/data/projects/{prod['project']['id']}/assets?name=hero")
    assert [a["name"] for a in r.json()] == ["Hero"]
    # An admin passes the access check without the project being looked up (Zou answers []).
    r = await as_admin.get(f"/data/projects/{UNKNOWN}/assets")
    assert r.status_code == 200 and r.json() == []


async def test_project_assets_errors(anon, as_supervisor, as_artist, prod):
    pid = prod["project"]["id"]
    assert (await anon.get(f"/data/projects/{pid}/assets")).status_code == 401
    assert (await as_supervisor.get(f"/data/projects/{pid}/assets")).status_code == 403
    assert (await as_artist.get(f"/data/projects/{UNKNOWN}/assets")).status_code == 404
    r = await as_artist.get("/data/projects/abc/assets")
    assert r.status_code == 400 and r.json()["message"] == "Malformed ID."
    assert (await as_artist.get(f"/data/projects/{pid}/assets?is_shared=perhaps")).status_code == 400


async def test_project_assets_vendor_sees_assigned_only(as_vendor, make, prod, people):
    await make.task(prod["sword"], await make.task_type(), assignees=[people["vendor"]])
    r = await as_vendor.get(f"/data/projects/{prod['project']['id']}/assets")
    assert [a["id"] for a in r.json()] == [prod["sword"]["id"]]


async def test_project_type_assets(as_artist, prod):
    pid, tid = prod["project"]["id"], prod["prop"]["id"]
    r = await as_artist.get(f"/data/projects/{pid}/asset-types/{tid}/assets")
    assert r.status_code == 200 and [a["name"] for a in r.json()] == ["Sword"]


async def test_project_type_assets_errors(anon, as_supervisor, as_artist, prod):
    pid, tid = prod["project"]["id"], prod["prop"]["id"]
    assert (await anon.get(f"/data/projects/{pid}/asset-types/{tid}/assets")).status_code == 401
    assert (await as_supervisor.get(f"/data/projects/{pid}/asset-types/{tid}/assets")).status_code == 403
    assert (await as_artist.get(f"/data/projects/{UNKNOWN}/asset-types/{tid}/assets")).status_code == 404
    assert (await as_artist.get(f"/data/projects/{pid}/asset-types/xyz/assets")).status_code == 400


@pytest.mark.parametrize("typed", [False, True])
async def test_project_assets_query_count_is_constant(as_artist, make, prod, queries, typed):
    pid, tid = prod["project"]["id"], prod["prop"]["id"]
    path = f"/data/projects/{pid}/asset-types/{tid}/assets" if typed else f"/data/projects/{pid}/assets"
    queries.reset()
    r = await as_artist.get(path)
    few, count_few = len(r.json()), queries.count
    for i in range(12):
        await make.asset(prod["project"], prod["prop"], f"More {i}")
    queries.reset()
    r = await as_artist.get(path)
    assert len(r.json()) == few + 12 and queries.count == count_few


# --- GET /data/assets/{id} -------------------------------------------------------------------


async def test_get_full_asset(as_artist, make, prod, people, db):
    project, hero = prod["project"], prod["hero"]
    episode = await make.episode(project, "E01")
    episode2 = await make.episode(project, "E00")
    await make.cast(episode, hero)
    await make.cast(episode2, hero)
    seq = await make.sequence(project)
    shot = await make.shot(project, seq)
    await make.cast(shot, hero)
    await make.cast(hero, prod["sword"])
    status = await make.task_status()
    task_type = await make.task_type()
    task = await make.task(hero, task_type, status=status, assignees=[people["user"]], priority=None)
    r = await as_artist.get(f"/data/assets/{hero['id']}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == hero["id"] and body["type"] == "Asset" and body["name"] == "Hero"
    assert body["project_name"] == project["name"]
    assert body["asset_type_id"] == prod["character"]["id"] and body["asset_type_name"] == "Character"
    assert "source_id" not in body and "nb_frames" not in body
    assert body["episode_id"] == "" and body["preview_file_id"] == "" and body["ready_for"] == "None"
    assert body["casting_episode_ids"] == [episode2["id"], episode["id"]]  # by episode name
    assert sorted(body["entities_in"]) == sorted([episode["id"], episode2["id"], shot["id"]])
    assert body["entities_out"] == [prod["sword"]["id"]]
    assert body["entity_concept_links"] == [] and body["instance_casting"] == []
    assert body["data"] == {"color": "red"}
    assert body["tasks"] == [
        {
            "id": task["id"],
            "due_date": None,
            "done_date": None,
            "duration": 0,
            "entity_id": hero["id"],
            "estimation": 0,
            "end_date": None,
            "is_subscribed": False,
            "last_comment_date": None,
            "last_preview_file_id": None,
            "priority": 0,
            "real_start_date": None,
            "retake_count": 0,
            "start_date": None,
            "difficulty": 3,
            "task_status_id": status["id"],
            "task_type_id": task_type["id"],
            "assignees": [people["user"]],
            "data": None,
        }
    ]


async def test_full_asset_relations_and_episode_source(as_admin, make, prod, db):
    project = prod["project"]
    episode = await make.episode(project)
    concept = await make.concept(project)
    asset = await make.asset(project, prod["prop"], "Sourced", source_id=episode["id"], data=None)
    await add(db, EntityConceptLink, entity_in_id=asset["id"], entity_out_id=concept["id"])
    inst_row = await add(db, AssetInstance, asset_id=prod["sword"]["id"], number=1, name="x")
    await add(db, AssetInstanceLink, entity_id=asset["id"], asset_instance_id=inst_row["id"])
    body = (await as_admin.get(f"/data/assets/{asset['id']}")).json()
    assert body["episode_id"] == episode["id"] and body["data"] == {}
    assert body["entity_concept_links"] == [concept["id"]]
    assert body["instance_casting"] == [inst_row["id"]]


async def test_full_asset_is_blank_for_clients(as_client, make, prod, people):
    await make.task(prod["hero"], await make.task_type(), assignees=[people["user"]], duration=5, retake_count=2)
    body = (await as_client.get(f"/data/assets/{prod['hero']['id']}")).json()
    (task,) = body["tasks"]
    assert task["assignees"] == [] and task["duration"] == 0 and task["retake_count"] == 0
    assert task["difficulty"] is None


async def test_get_asset_errors(anon, as_supervisor, as_vendor, as_artist, make, prod, people):
    hero = prod["hero"]
    assert (await anon.get(f"/data/assets/{hero['id']}")).status_code == 401
    assert (await as_supervisor.get(f"/data/assets/{hero['id']}")).status_code == 403  # not on the team
    assert (await as_vendor.get(f"/data/assets/{hero['id']}")).status_code == 403  # no task on it
    await make.task(hero, await make.task_type(), assignees=[people["vendor"]])
    assert (await as_vendor.get(f"/data/assets/{hero['id']}")).status_code == 200
    r = await as_artist.get(f"/data/assets/{UNKNOWN}")
    assert r.status_code == 404 and r.json() == {"error": True, "message": NOT_FOUND_TEXT}
    shot = await make.shot(prod["project"], await make.sequence(prod["project"]))
    assert (await as_artist.get(f"/data/assets/{shot['id']}")).status_code == 404  # not an asset
    assert (await as_artist.get("/data/assets/not-an-id")).status_code == 400


async def test_get_asset_query_count_does_not_grow_with_tasks(as_artist, make, prod, people, queries):
    hero = prod["hero"]
    await make.task(hero, await make.task_type(), assignees=[people["user"]])
    queries.reset()
    await as_artist.get(f"/data/assets/{hero['id']}")
    few = queries.count
    for _ in range(10):
        await make.task(hero, await make.task_type(), assignees=[people["user"], people["manager"]])
    queries.reset()
    r = await as_artist.get(f"/data/assets/{hero['id']}")
    assert len(r.json()["tasks"]) == 11 and queries.count == few


# --- POST /data/projects/{id}/asset-types/{id}/assets/new --------------------------------------


def new_asset_url(project_id: str, asset_type_id: str) -> str:
    return f"/data/projects/{project_id}/asset-types/{asset_type_id}/assets/new"


async def test_create_asset(as_manager, prod, people, db):
    project, prop = prod["project"], prod["prop"]
    r = await as_manager.post(new_asset_url(project["id"], prop["id"]), json={"name": "Shield"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == ENTITY_KEYS
    assert body["type"] == "Asset" and body["name"] == "Shield"
    assert body["project_id"] == project["id"] and body["entity_type_id"] == prop["id"]
    assert body["description"] == "" and body["data"] == {} and body["is_shared"] is False
    assert body["created_by"] == people["manager"] and body["source_id"] is None
    assert body["status"] == "running" and body["canceled"] is False and body["nb_entities_out"] == 0
    stored = (await db.execute(select(Entity.__table__).where(Entity.__table__.c.id == body["id"]))).mappings().one()
    assert stored["name"] == "Shield"
    (event,) = [e for e in await events_named(db, "asset:new") if e["data"]["asset_id"] == body["id"]]
    assert event["data"] == {"asset_id": body["id"], "asset_type": prop["id"], "project_id": project["id"]}
    assert event["project_id"] == project["id"] and event["user_id"] == people["manager"]


async def test_create_asset_with_all_fields(as_admin, make, prod):
    project = prod["project"]
    episode = await make.episode(project)
    r = await as_admin.post(
        new_asset_url(project["id"], prod["character"]["id"]),
        json={
            "name": "Villain",
            "description": "bad",
            "data": {"k": 1},
            "is_shared": True,
            "episode_id": episode["id"],
            "ignored": 1,
        },
    )
    assert r.status_code == 201
    body = r.json()
    assert (body["description"], body["data"], body["is_shared"], body["source_id"]) == (
        "bad",
        {"k": 1},
        True,
        episode["id"],
    )


async def test_create_asset_bad_bodies(as_manager, prod):
    url = new_asset_url(prod["project"]["id"], prod["prop"]["id"])
    r = await as_manager.post(url, json={"description": "no name"})
    assert r.status_code == 400
    assert r.json() == {
        "error": True,
        "message": "Validation error.",
        "data": {"errors": [{"field": "name", "message": "Field required"}]},
    }
    r = await as_manager.post(url, json={"name": ""})
    assert r.status_code == 400
    assert r.json()["data"]["errors"][0]["message"] == "String should have at least 1 character"
    assert (await as_manager.post(url, json={"name": "x", "data": "text"})).status_code == 400
    assert (await as_manager.post(url, json={"name": "x", "episode_id": UNKNOWN})).status_code == 400


async def test_create_asset_permissions_and_unknowns(anon, as_artist, as_manager, as_admin, prod):
    pid, tid = prod["project"]["id"], prod["prop"]["id"]
    assert (await anon.post(new_asset_url(pid, tid), json={"name": "x"})).status_code == 401
    assert (await as_artist.post(new_asset_url(pid, tid), json={"name": "x"})).status_code == 403
    assert (await as_manager.post(new_asset_url(UNKNOWN, tid), json={"name": "x"})).status_code == 404
    assert (await as_admin.post(new_asset_url(UNKNOWN, tid), json={"name": "x"})).status_code == 404
    r = await as_manager.post(new_asset_url(pid, UNKNOWN), json={"name": "x"})
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    assert (await as_manager.post(new_asset_url(pid, "bad-id"), json={"name": "x"})).status_code == 400


async def test_create_asset_of_a_temporal_type_is_404(as_manager, make, prod, db):
    from app.domain.entity_kinds import entity_kinds

    kinds = await entity_kinds(db)
    r = await as_manager.post(new_asset_url(prod["project"]["id"], kinds.id("Shot")), json={"name": "x"})
    assert r.status_code == 404


async def test_create_asset_accepts_form_values(as_manager, prod):
    url = new_asset_url(prod["project"]["id"], prod["prop"]["id"])
    r = await as_manager.post(url, data={"name": "Form asset", "description": "from a form"})
    assert r.status_code == 201 and r.json()["description"] == "from a form"


# --- asset types -------------------------------------------------------------------------------


async def test_asset_types_list(as_artist, make, db):
    tt = await make.task_type()
    character = await make.entity_type("Character")
    await add(db, TaskTypeAssetTypeLink, asset_type_id=character["id"], task_type_id=tt["id"])
    await make.shot(await make.project(), await make.sequence(await make.project()))  # temporal kinds exist
    r = await as_artist.get("/data/asset-types")
    assert r.status_code == 200
    by_name = {t["name"]: t for t in r.json()}
    assert "Shot" not in by_name and "Sequence" not in by_name and "Episode" not in by_name
    row = by_name["Character"]
    assert row["type"] == "AssetType" and row["task_types"] == [tt["id"]]
    assert set(row) == {"id", "name", "short_name", "description", "archived", "created_at", "updated_at"} | {
        "task_types",
        "type",
    }


async def test_asset_types_filters(as_artist, make, db):
    project = await make.project()
    prop = await make.entity_type("Prop")
    await make.entity_type("Character")
    await make.asset(project, prop)
    tt = await make.task_type()
    await add(db, TaskTypeAssetTypeLink, asset_type_id=prop["id"], task_type_id=tt["id"])
    names = lambda r: [t["name"] for t in r.json()]  # noqa: E731
    assert names(await as_artist.get("/data/asset-types?name=PROP")) == ["Prop"]
    assert names(await as_artist.get(f"/data/asset-types?project_id={project['id']}")) == ["Prop"]
    assert names(await as_artist.get(f"/data/asset-types?task_types={tt['id']}")) == ["Prop"]
    r = await as_artist.get("/data/asset-types?archived=maybe")
    assert r.status_code == 400 and r.json()["message"] == "Invalid boolean value: maybe"
    assert (await as_artist.get("/data/asset-types?project_id=nope")).status_code == 400


async def test_asset_types_requires_a_token(anon):
    assert (await anon.get("/data/asset-types")).status_code == 401


async def test_asset_types_query_count_is_constant(as_artist, make, queries):
    queries.reset()
    r = await as_artist.get("/data/asset-types")
    few, count_few = len(r.json()), queries.count
    for _ in range(11):
        await make.entity_type()
    queries.reset()
    r = await as_artist.get("/data/asset-types")
    assert len(r.json()) == few + 11 and queries.count == count_few


async def test_get_asset_type(as_client, anon, make, db):
    character = await make.entity_type("Character")
    r = await as_client.get(f"/data/asset-types/{character['id']}")
    assert r.status_code == 200
    assert r.json()["name"] == "Character" and r.json()["type"] == "AssetType" and r.json()["task_types"] == []
    from app.domain.entity_kinds import entity_kinds

    shot_type = (await entity_kinds(db)).id("Shot")
    assert (await as_client.get(f"/data/asset-types/{shot_type}")).status_code == 404
    r = await as_client.get(f"/data/asset-types/{UNKNOWN}")
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    assert (await as_client.get("/data/asset-types/zzz")).status_code == 400
    assert (await anon.get(f"/data/asset-types/{character['id']}")).status_code == 401


async def test_project_asset_types(as_artist, as_admin, prod):
    r = await as_artist.get(f"/data/projects/{prod['project']['id']}/asset-types")
    assert r.status_code == 200
    assert sorted(t["name"] for t in r.json()) == ["Character", "Prop"]
    assert all(t["type"] == "AssetType" and "task_types" not in t for t in r.json())
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/asset-types")).json() == []


async def test_project_asset_types_errors(anon, as_supervisor, as_artist, prod):
    pid = prod["project"]["id"]
    assert (await anon.get(f"/data/projects/{pid}/asset-types")).status_code == 401
    assert (await as_supervisor.get(f"/data/projects/{pid}/asset-types")).status_code == 403
    assert (await as_artist.get(f"/data/projects/{UNKNOWN}/asset-types")).status_code == 404
    assert (await as_artist.get("/data/projects/123/asset-types")).status_code == 400


async def test_project_asset_types_query_count_is_constant(as_artist, make, prod, queries):
    pid = prod["project"]["id"]
    queries.reset()
    r = await as_artist.get(f"/data/projects/{pid}/asset-types")
    few, count_few = len(r.json()), queries.count
    for _ in range(10):
        await make.asset(prod["project"], await make.entity_type())
    queries.reset()
    r = await as_artist.get(f"/data/projects/{pid}/asset-types")
    assert len(r.json()) == few + 10 and queries.count == count_few


async def test_literal_asset_paths_are_not_read_as_ids(as_admin):
    """`/data/assets/with-tasks` belongs to another route: the item route must not answer "Malformed ID."."""
    r = await as_admin.get("/data/assets/with-tasks")
    assert not (r.status_code == 400 and r.json().get("message") == "Malformed ID.")
