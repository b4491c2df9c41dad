"""Asset instances: the CRUD entry, instances in scenes, shots and assets (slice B of the production area)."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import insert, select

from app.core.errors import NOT_FOUND_TEXT
from app.domain.asset_instances import instance_name, slug
from app.repositories.tables.catalog import EntityType
from app.repositories.tables.entities import AssetInstance, AssetInstanceLink

INSTANCE_KEYS = {
    "id",
    "created_at",
    "updated_at",
    "asset_id",
    "name",
    "number",
    "description",
    "active",
    "data",
    "scene_id",
    "target_asset_id",
    "entity_id",
    "entity_type_id",
    "type",
}


async def instance(db, asset: dict, number: int = 1, **values) -> dict:
    table = AssetInstance.__table__
    values = {"asset_id": asset["id"], "number": number, "name": f"inst {number}", **values}
    return dict((await db.execute(insert(table).values(**values).returning(table))).mappings().one())


async def cast_instance(db, entity: dict, inst: dict) -> None:
    await db.execute(insert(AssetInstanceLink.__table__).values(entity_id=entity["id"], asset_instance_id=inst["id"]))


async def links_of(db, instance_id: str) -> list[str]:
    t = AssetInstanceLink.__table__
    return list((await db.execute(select(t.c.entity_id).where(t.c.asset_instance_id == instance_id))).scalars())


@pytest.fixture
async def prod(make, people):
    project = await make.project(team=[people["manager"], people["user"], people["client"], people["vendor"]])
    sequence = await make.sequence(project)
    return {
        "project": project,
        "sequence": sequence,
        "shot": await make.shot(project, sequence, "SH01"),
        "scene": await make.scene(project, sequence, "SC01"),
        "env": await make.asset(project, await make.entity_type("Environment"), "Forest"),
        "sword": await make.asset(project, await make.entity_type("Prop"), "Big Sword é!"),
    }


def test_instance_names_are_slugged_and_padded():
    assert slug("Big Sword é!") == "Big_Sword_e"
    assert slug("a - b__c  'd'") == "a_b_c_d"
    assert slug("1,000 trees") == "1000_trees"
    assert slug("Ça_va ß") == "Ca_va_ss"
    assert instance_name("Big Sword é!", 12) == "Big_Sword_e_0012"


# --- /data/asset-instances (CRUD) ---------------------------------------------------------------


async def test_crud_list_is_for_admins(as_admin, as_manager, anon, prod, db):
    a = await instance(db, prod["sword"], scene_id=prod["scene"]["id"])
    b = await instance(db, prod["sword"], 2)
    r = await as_admin.get("/data/asset-instances")
    assert r.status_code == 200
    ids = {row["id"] for row in r.json()}
    assert {a["id"], b["id"]} <= ids
    assert set(r.json()[0]) == INSTANCE_KEYS
    r = await as_admin.get(f"/data/asset-instances?scene_id={prod['scene']['id']}")
    assert [row["id"] for row in r.json()] == [a["id"]]
    assert (await as_manager.get("/data/asset-instances")).status_code == 403
    assert (await anon.get("/data/asset-instances")).status_code == 401
    assert (await as_admin.get("/data/asset-instances?number=abc")).status_code == 400


async def test_crud_list_relations_and_query_count(as_admin, prod, db, queries):
    first = await instance(db, prod["sword"])
    await cast_instance(db, prod["shot"], first)
    queries.reset()
    r = await as_admin.get("/data/asset-instances?relations=true")
    count = queries.count
    assert {row["id"]: row["shots"] for row in r.json()}[first["id"]] == [prod["shot"]["id"]]
    for n in range(2, 14):
        await cast_instance(db, prod["shot"], await instance(db, prod["sword"], n))
    queries.reset()
    r = await as_admin.get("/data/asset-instances?relations=true")
    assert len(r.json()) >= 13 and queries.count == count


async def test_crud_create(as_admin, as_manager, anon, prod, db, people):
    body = {"asset_id": prod["sword"]["id"], "scene_id": prod["scene"]["id"], "number": 4, "name": "manual"}
    r = await as_admin.post("/data/asset-instances", json=body)
    assert r.status_code == 201, r.text
    row = r.json()
    assert set(row) == INSTANCE_KEYS | {"shots"} and row["shots"] == []
    assert (row["number"], row["name"], row["active"], row["type"]) == (4, "manual", True, "AssetInstance")
    (event,) = [e for e in await events_named(db, "asset-instance:new") if e["data"]["asset_instance_id"] == row["id"]]
    assert event["user_id"] == people["admin"]
    assert (await as_manager.post("/data/asset-instances", json=body | {"number": 5})).status_code == 403
    assert (await anon.post("/data/asset-instances", json=body)).status_code == 401
    assert (await as_admin.post("/data/asset-instances", json=body | {"bogus": 1})).status_code == 400


async def test_crud_get(as_admin, as_artist, prod, db):
    inst = await instance(db, prod["sword"], scene_id=prod["scene"]["id"], description="first")
    await cast_instance(db, prod["shot"], inst)
    r = await as_artist.get(f"/data/asset-instances/{inst['id']}")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == INSTANCE_KEYS | {"shots"}
    assert body["shots"] == [prod["shot"]["id"]] and body["description"] == "first"
    assert body["type"] == "AssetInstance" and body["scene_id"] == prod["scene"]["id"]
    r = await as_admin.get(f"/data/asset-instances/{inst['id']}?relations=false")
    assert "shots" not in r.json()


async def test_crud_get_errors(anon, as_supervisor, as_vendor, as_artist, make, prod, db, people):
    inst = await instance(db, prod["sword"])
    url = f"/data/asset-instances/{inst['id']}"
    assert (await anon.get(url)).status_code == 401
    assert (await as_supervisor.get(url)).status_code == 403  # not on the team
    assert (await as_vendor.get(url)).status_code == 403  # no task on the asset
    await make.task(prod["sword"], await make.task_type(), assignees=[people["vendor"]])
    assert (await as_vendor.get(url)).status_code == 200
    assert (await as_artist.get(f"/data/asset-instances/{UNKNOWN}")).status_code == 404
    r = await as_artist.get("/data/asset-instances/abc")
    assert r.status_code == 400 and r.json() == {"error": True, "message": "Malformed ID.", "data": None}


async def test_crud_update(as_artist, prod, db, people):
    inst = await instance(db, prod["sword"], 2, scene_id=prod["scene"]["id"])
    r = await as_artist.put(
        f"/data/asset-instances/{inst['id']}", json={"description": "upd", "number": 9, "name": "renamed"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["description"], body["name"], body["number"]) == ("upd", "renamed", 2)  # the number stays
    assert "shots" not in body and body["type"] == "AssetInstance"
    (event,) = await events_named(db, "asset-instance:update")
    assert event["data"] == {"asset_instance_id": inst["id"]} and event["user_id"] == people["user"]


async def test_crud_update_errors(anon, as_supervisor, as_vendor, as_artist, prod, db):
    inst = await instance(db, prod["sword"])
    url = f"/data/asset-instances/{inst['id']}"
    assert (await anon.put(url, json={"description": "x"})).status_code == 401
    assert (await as_supervisor.put(url, json={"description": "x"})).status_code == 403
    assert (await as_vendor.put(url, json={"description": "x"})).status_code == 403
    assert (await as_artist.put(f"/data/asset-instances/{UNKNOWN}", json={"description": "x"})).status_code == 404
    assert (await as_artist.put("/data/asset-instances/nope", json={"description": "x"})).status_code == 400
    assert (await as_artist.put(url, json={"number": "many"})).status_code == 400


async def test_crud_delete(as_admin, as_manager, anon, prod, db):
    inst = await instance(db, prod["sword"])
    await cast_instance(db, prod["shot"], inst)
    url = f"/data/asset-instances/{inst['id']}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_manager.delete(url)).status_code == 403
    assert (await as_admin.delete(f"/data/asset-instances/{UNKNOWN}")).status_code == 404
    assert (await as_admin.delete("/data/asset-instances/bad")).status_code == 400
    r = await as_admin.delete(url)
    assert r.status_code == 204
    assert await links_of(db, inst["id"]) == []
    assert (await as_admin.get(url)).status_code == 404
    (event,) = await events_named(db, "asset-instance:delete")
    assert event["data"] == {"asset_instance_id": inst["id"]}


# --- /data/scenes/{id}/asset-instances, camera-instances -------------------------------------------


async def test_create_scene_instances_numbers_and_names(as_artist, prod, db, people):
    url = f"/data/scenes/{prod['scene']['id']}/asset-instances"
    r = await as_artist.post(url, json={"asset_id": prod["sword"]["id"], "description": "first"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert set(first) == INSTANCE_KEYS
    assert (first["number"], first["name"], first["description"]) == (1, "Big_Sword_e_0001", "first")
    assert first["scene_id"] == prod["scene"]["id"] and first["asset_id"] == prod["sword"]["id"]
    assert first["target_asset_id"] is None and first["active"] is True and first["data"] is None
    second = (await as_artist.post(url, json={"asset_id": prod["sword"]["id"]})).json()
    assert (second["number"], second["name"], second["description"]) == (2, "Big_Sword_e_0002", None)
    event = (await events_named(db, "asset_instance:new"))[0]
    assert event["data"] == {
        "scene_id": prod["scene"]["id"],
        "asset_id": prod["sword"]["id"],
        "asset_instance_id": first["id"],
    }
    assert event["user_id"] == people["user"]


async def test_create_scene_instance_errors(anon, as_supervisor, as_artist, prod):
    url = f"/data/scenes/{prod['scene']['id']}/asset-instances"
    body = {"asset_id": prod["sword"]["id"]}
    assert (await anon.post(url, json=body)).status_code == 401
    assert (await as_supervisor.post(url, json=body)).status_code == 403
    r = await as_artist.post(f"/data/scenes/{UNKNOWN}/asset-instances", json=body)
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    assert (await as_artist.post(f"/data/scenes/{prod['shot']['id']}/asset-instances", json=body)).status_code == 404
    assert (await as_artist.post(url, json={"asset_id": UNKNOWN})).status_code == 404
    r = await as_artist.post(url, json={"asset_id": "abc"})
    assert r.status_code == 400 and r.json()["message"] == "Validation error."
    assert r.json()["data"]["errors"][0]["field"] == "asset_id"
    assert (await as_artist.post(url, json={})).status_code == 400
    assert (await as_artist.post("/data/scenes/bad/asset-instances", json=body)).status_code == 400


async def test_scene_instances_grouped_by_asset(as_artist, prod, db):
    scene = prod["scene"]
    s1 = await instance(db, prod["sword"], 1, scene_id=scene["id"])
    s2 = await instance(db, prod["sword"], 2, scene_id=scene["id"])
    e1 = await instance(db, prod["env"], 1, scene_id=scene["id"])
    await instance(db, prod["sword"], 3)  # elsewhere
    r = await as_artist.get(f"/data/scenes/{scene['id']}/asset-instances")
    assert r.status_code == 200
    body = r.json()
    assert {k: [i["id"] for i in v] for k, v in body.items()} == {
        prod["sword"]["id"]: [s1["id"], s2["id"]],
        prod["env"]["id"]: [e1["id"]],
    }
    assert set(body[prod["env"]["id"]][0]) == INSTANCE_KEYS


async def test_scene_instances_errors(anon, as_supervisor, as_vendor, as_artist, make, prod, people):
    url = f"/data/scenes/{prod['scene']['id']}/asset-instances"
    assert (await anon.get(url)).status_code == 401
    assert (await as_supervisor.get(url)).status_code == 403
    assert (await as_vendor.get(url)).status_code == 403
    await make.task(prod["scene"], await make.task_type(for_entity="Scene"), assignees=[people["vendor"]])
    assert (await as_vendor.get(url)).status_code == 200
    assert (await as_artist.get(f"/data/scenes/{UNKNOWN}/asset-instances")).status_code == 404
    assert (await as_artist.get("/data/scenes/1/asset-instances")).status_code == 400


async def test_scene_camera_instances(as_artist, make, prod, db):
    scene = prod["scene"]
    url = f"/data/scenes/{scene['id']}/camera-instances"
    t = EntityType.__table__
    had_camera = (await db.execute(select(t.c.id).where(t.c.name == "Camera"))).first() is not None
    r = await as_artist.get(url)
    assert r.status_code == 200 and r.json() == {}
    camera_type = dict((await db.execute(select(t).where(t.c.name == "Camera"))).mappings().one())
    if not had_camera:
        (event,) = await events_named(db, "asset-type:new")
        assert event["data"] == {"asset_type_id": camera_type["id"]}
    cam = await make.asset(prod["project"], camera_type, "Cam A")
    c1 = await instance(db, cam, 1, scene_id=scene["id"])
    await instance(db, prod["sword"], 1, scene_id=scene["id"])
    r = await as_artist.get(url)
    assert {k: [i["id"] for i in v] for k, v in r.json().items()} == {cam["id"]: [c1["id"]]}


async def test_scene_camera_instances_errors(anon, as_supervisor, as_artist, prod):
    url = f"/data/scenes/{prod['scene']['id']}/camera-instances"
    assert (await anon.get(url)).status_code == 401
    assert (await as_supervisor.get(url)).status_code == 403
    assert (await as_artist.get(f"/data/scenes/{UNKNOWN}/camera-instances")).status_code == 404
    assert (await as_artist.get("/data/scenes/x/camera-instances")).status_code == 400


# --- /data/shots/{id}/asset-instances ----------------------------------------------------------------


async def test_shot_instances_add_list_remove(as_artist, prod, db, people):
    shot = prod["shot"]
    inst = await instance(db, prod["sword"], scene_id=prod["scene"]["id"])
    url = f"/data/shots/{shot['id']}/asset-instances"
    r = await as_artist.post(url, json={"asset_instance_id": inst["id"]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"] == shot["id"] and body["type"] == "Entity" and body["name"] == "SH01"
    assert body["updated_at"] >= shot["updated_at"].isoformat(timespec="seconds")
    assert await links_of(db, inst["id"]) == [shot["id"]]
    (event,) = await events_named(db, "asset_instance:add-to-shot")
    assert event["data"] == {"shot_id": shot["id"], "asset_instance_id": inst["id"]}
    assert event["user_id"] == people["user"]
    # adding it again changes nothing
    assert (await as_artist.post(url, json={"asset_instance_id": inst["id"]})).status_code == 201
    r = await as_artist.get(url)
    assert r.status_code == 200
    assert {k: [i["id"] for i in v] for k, v in r.json().items()} == {prod["sword"]["id"]: [inst["id"]]}
    assert set(r.json()[prod["sword"]["id"]][0]) == INSTANCE_KEYS
    r = await as_artist.delete(f"{url}/{inst['id']}")
    assert r.status_code == 204
    assert await links_of(db, inst["id"]) == []
    (event,) = await events_named(db, "asset_instance:remove-from-shot")
    assert event["data"] == {"shot_id": shot["id"], "asset_instance_id": inst["id"]}
    assert (await as_artist.get(url)).json() == {}


async def test_shot_instances_errors(anon, as_supervisor, as_vendor, as_artist, make, prod, db, people):
    shot = prod["shot"]
    inst = await instance(db, prod["sword"])
    url = f"/data/shots/{shot['id']}/asset-instances"
    body = {"asset_instance_id": inst["id"]}
    assert (await anon.get(url)).status_code == 401
    assert (await anon.post(url, json=body)).status_code == 401
    assert (await anon.delete(f"{url}/{inst['id']}")).status_code == 401
    assert (await as_supervisor.get(url)).status_code == 403
    assert (await as_supervisor.post(url, json=body)).status_code == 403
    assert (await as_supervisor.delete(f"{url}/{inst['id']}")).status_code == 403
    assert (await as_vendor.get(url)).status_code == 403
    await make.task(shot, await make.task_type(for_entity="Shot"), assignees=[people["vendor"]])
    assert (await as_vendor.get(url)).status_code == 200
    r = await as_artist.get(f"/data/shots/{UNKNOWN}/asset-instances")
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    assert (await as_artist.get(f"/data/shots/{prod['scene']['id']}/asset-instances")).status_code == 404
    assert (await as_artist.post(f"/data/shots/{UNKNOWN}/asset-instances", json=body)).status_code == 404
    r = await as_artist.post(url, json={"asset_instance_id": UNKNOWN})
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    assert (await as_artist.delete(f"{url}/{UNKNOWN}")).status_code == 404
    assert (await as_artist.delete(f"/data/shots/{UNKNOWN}/asset-instances/{inst['id']}")).status_code == 404
    assert (await as_artist.post(url, json={"asset_instance_id": "zz"})).status_code == 400
    assert (await as_artist.post(url, json={})).status_code == 400
    assert (await as_artist.get("/data/shots/zz/asset-instances")).status_code == 400
    assert (await as_artist.delete(f"{url}/zz")).status_code == 400


# --- /data/assets/{id}/...-asset-instances -------------------------------------------------------------


async def test_asset_asset_instances_create_and_list(as_artist, prod, db, people):
    env, sword = prod["env"], prod["sword"]
    url = f"/data/assets/{env['id']}/asset-asset-instances"
    r = await as_artist.post(url, json={"asset_to_instantiate_id": sword["id"], "description": "in the forest"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert set(first) == INSTANCE_KEYS
    assert (first["asset_id"], first["target_asset_id"], first["scene_id"]) == (sword["id"], env["id"], None)
    assert (first["number"], first["name"], first["description"]) == (1, "Big_Sword_e_0001", "in the forest")
    second = (await as_artist.post(url, json={"asset_to_instantiate_id": sword["id"]})).json()
    assert second["number"] == 2
    (event, _) = await events_named(db, "asset_instance:new")
    assert event["data"] == {"asset_id": env["id"], "asset_instantiated": sword["id"], "asset_instance_id": first["id"]}
    r = await as_artist.get(url)
    assert r.status_code == 200
    assert {k: [i["number"] for i in v] for k, v in r.json().items()} == {sword["id"]: [1, 2]}


async def test_asset_asset_instances_errors(anon, as_supervisor, as_artist, prod):
    env = prod["env"]
    url = f"/data/assets/{env['id']}/asset-asset-instances"
    body = {"asset_to_instantiate_id": prod["sword"]["id"]}
    assert (await anon.get(url)).status_code == 401
    assert (await anon.post(url, json=body)).status_code == 401
    assert (await as_supervisor.get(url)).status_code == 403
    assert (await as_supervisor.post(url, json=body)).status_code == 403
    assert (await as_artist.get(f"/data/assets/{UNKNOWN}/asset-asset-instances")).status_code == 404
    assert (await as_artist.get(f"/data/assets/{prod['shot']['id']}/asset-asset-instances")).status_code == 404
    assert (await as_artist.post(f"/data/assets/{UNKNOWN}/asset-asset-instances", json=body)).status_code == 404
    assert (await as_artist.post(url, json={"asset_to_instantiate_id": UNKNOWN})).status_code == 404
    r = await as_artist.post(url, json={"description": "no asset"})
    assert r.status_code == 400
    assert r.json()["data"] == {"errors": [{"field": "asset_to_instantiate_id", "message": "Field required"}]}
    assert (await as_artist.get("/data/assets/x/asset-asset-instances")).status_code == 400


async def test_asset_shot_and_scene_instances(as_artist, make, prod, db):
    sword = prod["sword"]
    shot2 = await make.shot(prod["project"], prod["sequence"], "SH02")
    in_scene = await instance(db, sword, 1, scene_id=prod["scene"]["id"])
    in_env = await instance(db, sword, 1, target_asset_id=prod["env"]["id"])
    await cast_instance(db, prod["shot"], in_scene)
    await cast_instance(db, shot2, in_scene)
    r = await as_artist.get(f"/data/assets/{sword['id']}/shot-asset-instances")
    assert r.status_code == 200
    assert {k: [i["id"] for i in v] for k, v in r.json().items()} == {
        prod["shot"]["id"]: [in_scene["id"]],
        shot2["id"]: [in_scene["id"]],
    }
    assert set(r.json()[shot2["id"]][0]) == INSTANCE_KEYS
    r = await as_artist.get(f"/data/assets/{sword['id']}/scene-asset-instances")
    assert r.status_code == 200
    assert {k: [i["id"] for i in v] for k, v in r.json().items()} == {
        prod["scene"]["id"]: [in_scene["id"]],
        "None": [in_env["id"]],  # instances outside any scene, keyed as Zou does
    }


@pytest.mark.parametrize("kind", ["shot-asset-instances", "scene-asset-instances"])
async def test_asset_instance_listings_errors(anon, as_supervisor, as_artist, prod, kind):
    url = f"/data/assets/{prod['sword']['id']}/{kind}"
    assert (await anon.get(url)).status_code == 401
    assert (await as_supervisor.get(url)).status_code == 403
    assert (await as_artist.get(f"/data/assets/{UNKNOWN}/{kind}")).status_code == 404
    assert (await as_artist.get(f"/data/assets/{prod['scene']['id']}/{kind}")).status_code == 404
    assert (await as_artist.get(f"/data/assets/q/{kind}")).status_code == 400


@pytest.mark.parametrize(
    "route", ["scene", "shot", "asset-asset", "asset-shot", "asset-scene", "scene-camera"], ids=str
)
async def test_instance_listings_query_count_is_constant(as_artist, make, prod, db, queries, route):
    scene, shot, env, sword = prod["scene"], prod["shot"], prod["env"], prod["sword"]
    url = {
        "scene": f"/data/scenes/{scene['id']}/asset-instances",
        "scene-camera": f"/data/scenes/{scene['id']}/camera-instances",
        "shot": f"/data/shots/{shot['id']}/asset-instances",
        "asset-asset": f"/data/assets/{env['id']}/asset-asset-instances",
        "asset-shot": f"/data/assets/{sword['id']}/shot-asset-instances",
        "asset-scene": f"/data/assets/{sword['id']}/scene-asset-instances",
    }[route]
    camera = await make.asset(prod["project"], await make.entity_type("Camera"), "Cam")

    async def add_one(n: int) -> None:
        inst = await instance(
            db, camera if route == "scene-camera" else sword, n, scene_id=scene["id"], target_asset_id=env["id"]
        )
        await cast_instance(db, shot, inst)

    await add_one(1)
    await as_artist.get(url)  # a first call may create the Camera type
    queries.reset()
    r = await as_artist.get(url)
    count = queries.count
    assert sum(len(v) for v in r.json().values()) == 1
    for n in range(2, 13):
        await add_one(n)
    queries.reset()
    r = await as_artist.get(url)
    assert sum(len(v) for v in r.json().values()) == 12
    assert queries.count == count
