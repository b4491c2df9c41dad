"""Casting writes: replace an entity's casting, several at once, cast one asset in several entities,
an asset's casting; with the counters (nb_entities_out, episode links, nb_assets_ready) and events."""

from __future__ import annotations

import pytest
from event_log import events_named
from sqlalchemy import insert, select
from test_casting import UNKNOWN, build_production, entity_row

from app.repositories.tables.entities import EntityLink
from app.repositories.tables.projects import ProjectTaskTypeLink
from app.repositories.tables.tasks import Task

link_table = EntityLink.__table__


async def links_of(db, entity_id: str) -> dict[str, dict]:
    rows = await db.execute(select(link_table).where(link_table.c.entity_in_id == entity_id))
    return {row["entity_out_id"]: dict(row) for row in rows.mappings()}


@pytest.fixture
async def prod(make, people):
    return await build_production(make, people, cast=False)


def casting_path(prod, entity) -> str:
    return f"/data/projects/{prod.pid}/entities/{entity['id']}/casting"


# --- PUT /data/projects/{p}/entities/{e}/casting ---------------------------------------


async def test_update_shot_casting(as_manager, prod, db, people):
    body = [
        {"asset_id": prod.hero["id"], "nb_occurences": 2, "label": "fg"},
        {"asset_id": prod.sword["id"], "nb_occurences": 1},
        {"foo": 1},  # ignored, answered as sent
    ]
    r = await as_manager.put(casting_path(prod, prod.sh1), json=body)
    assert r.status_code == 200, r.text
    assert r.json() == body
    links = await links_of(db, prod.sh1["id"])
    assert {a: (link["nb_occurences"], link["label"], link["data"]) for a, link in links.items()} == {
        prod.hero["id"]: (2, "fg", None),
        prod.sword["id"]: (1, "", None),
    }
    assert (await entity_row(db, prod.sh1["id"]))["nb_entities_out"] == 2
    # the assets joined the shot's episode, flagged as automatic
    episode_links = await links_of(db, prod.episode["id"])
    assert {a: (link["nb_occurences"], link["label"], link["data"]) for a, link in episode_links.items()} == {
        prod.hero["id"]: (1, "fg", {"auto": True}),
        prod.sword["id"]: (1, "", {"auto": True}),
    }
    assert (await entity_row(db, prod.episode["id"]))["nb_entities_out"] == 2

    new = await events_named(db, "entity-link:new")
    assert [e["data"] for e in new] == [
        {
            "entity_link_id": links[prod.hero["id"]]["id"],
            "entity_in_id": prod.sh1["id"],
            "entity_out_id": prod.hero["id"],
            "nb_occurences": 2,
            "project_id": prod.pid,
        },
        {
            "entity_link_id": links[prod.sword["id"]]["id"],
            "entity_in_id": prod.sh1["id"],
            "entity_out_id": prod.sword["id"],
            "nb_occurences": 1,
            "project_id": prod.pid,
        },
    ]
    assert new[0]["user_id"] == people["manager"]
    assert new[0]["project_id"] == prod.pid
    [update] = await events_named(db, "shot:casting-update")
    assert update["data"] == {
        "shot_id": prod.sh1["id"],
        "nb_entities_out": 2,
        "added_asset_ids": sorted([prod.hero["id"], prod.sword["id"]]),
        "removed_asset_ids": [],
        "project_id": prod.pid,
    }
    assert sorted(e["data"]["asset_id"] for e in await events_named(db, "asset:update")) == sorted(
        [prod.hero["id"], prod.sword["id"]]
    )

    # replacing: the sword leaves, the hero's count changes
    r = await as_manager.put(casting_path(prod, prod.sh1), json=[{"asset_id": prod.hero["id"], "nb_occurences": 4}])
    assert r.status_code == 200
    links = await links_of(db, prod.sh1["id"])
    assert {a: link["nb_occurences"] for a, link in links.items()} == {prod.hero["id"]: 4}
    assert (await entity_row(db, prod.sh1["id"]))["nb_entities_out"] == 1
    update = (await events_named(db, "shot:casting-update"))[-1]
    assert (update["data"]["added_asset_ids"], update["data"]["removed_asset_ids"]) == ([], [prod.sword["id"]])
    # no other shot of the episode uses the sword: its automatic episode link goes
    assert set(await links_of(db, prod.episode["id"])) == {prod.hero["id"]}
    assert (await entity_row(db, prod.episode["id"]))["nb_entities_out"] == 1
    [detached] = await events_named(db, "episode:casting-update")
    assert detached["data"] == {
        "episode_id": prod.episode["id"],
        "nb_entities_out": 1,
        "added_asset_ids": [],
        "removed_asset_ids": [prod.sword["id"]],
        "project_id": prod.pid,
    }


async def test_episode_link_kept_while_used_or_set_by_hand(as_manager, prod, db, make):
    await as_manager.put(casting_path(prod, prod.sh1), json=[{"asset_id": prod.hero["id"], "nb_occurences": 1}])
    await as_manager.put(casting_path(prod, prod.sh2), json=[{"asset_id": prod.hero["id"], "nb_occurences": 1}])
    await as_manager.put(casting_path(prod, prod.sh1), json=[])
    assert set(await links_of(db, prod.episode["id"])) == {prod.hero["id"]}  # SH020 still uses it
    # a link set from the episode breakdown is not automatic: it stays
    await make.cast(prod.episode, prod.sword)
    await make.cast(prod.sh3, prod.sword)
    await as_manager.put(casting_path(prod, prod.sh3), json=[])
    assert set(await links_of(db, prod.episode["id"])) == {prod.hero["id"], prod.sword["id"]}


async def test_episode_casting_cascades_to_its_shots(as_manager, prod, db):
    shots = (prod.sh1, prod.sh2)
    for shot in shots:
        body = [{"asset_id": prod.hero["id"], "nb_occurences": 1}, {"asset_id": prod.sword["id"], "nb_occurences": 1}]
        await as_manager.put(casting_path(prod, shot), json=body)
    r = await as_manager.put(
        casting_path(prod, prod.episode), json=[{"asset_id": prod.sword["id"], "nb_occurences": 3}]
    )
    assert r.status_code == 200
    for shot in shots:
        assert set(await links_of(db, shot["id"])) == {prod.sword["id"]}
        assert (await entity_row(db, shot["id"]))["nb_entities_out"] == 1
    episode_links = await links_of(db, prod.episode["id"])
    assert {a: (link["nb_occurences"], link["data"]) for a, link in episode_links.items()} == {
        prod.sword["id"]: (3, None)
    }
    assert (await entity_row(db, prod.episode["id"]))["nb_entities_out"] == 1
    removed = [e["data"] for e in await events_named(db, "shot:casting-update") if e["data"]["removed_asset_ids"]]
    assert sorted(e["shot_id"] for e in removed) == sorted(s["id"] for s in shots)
    assert all(e["removed_asset_ids"] == [prod.hero["id"]] and e["nb_entities_out"] == 1 for e in removed)
    [episode_update] = await events_named(db, "episode:casting-update")
    assert episode_update["data"]["removed_asset_ids"] == [prod.hero["id"]]
    assert episode_update["data"]["nb_entities_out"] == 1


async def test_asset_casting_event_for_other_entities(as_manager, prod, db):
    r = await as_manager.put(casting_path(prod, prod.forest), json=[{"asset_id": prod.sword["id"], "nb_occurences": 2}])
    assert r.status_code == 200
    [event] = await events_named(db, "asset:casting-update")
    assert event["data"]["asset_id"] == prod.forest["id"]
    assert event["data"]["added_asset_ids"] == [prod.sword["id"]]


async def test_update_casting_loose_entries(as_admin, prod, db):
    body = [
        {"asset_id": prod.hero["id"], "nb_occurences": 1},
        {"asset_id": prod.hero["id"], "nb_occurences": 4, "label": "x"},  # the last one wins
        {"asset_id": UNKNOWN, "nb_occurences": 1},  # no such asset: skipped
        {"asset_id": prod.sword["id"]},  # no count: ignored
        {"asset_id": prod.forest["id"], "nb_occurences": None, "label": None},
    ]
    r = await as_admin.put(casting_path(prod, prod.sh1), json=body)
    assert r.status_code == 200, r.text
    links = await links_of(db, prod.sh1["id"])
    assert {a: (link["nb_occurences"], link["label"]) for a, link in links.items()} == {
        prod.hero["id"]: (4, "x"),
        prod.forest["id"]: (1, ""),
    }
    [update] = await events_named(db, "entity-link:update")
    assert update["data"] == {
        "entity_link_id": links[prod.hero["id"]]["id"],
        "nb_occurences": 4,
        "project_id": prod.pid,
    }


async def test_update_casting_errors(anon, as_supervisor, as_manager, as_admin, client_for, people, prod, make):
    path = casting_path(prod, prod.sh1)
    body = [{"asset_id": prod.hero["id"], "nb_occurences": 1}]
    assert (await anon.put(path, json=body)).status_code == 401
    assert (await as_supervisor.put(path, json=body)).status_code == 403
    outsider = await make.project()
    async with client_for(people["manager"]) as c:
        r = await c.put(f"/data/projects/{outsider['id']}/entities/{prod.sh1['id']}/casting", json=body)
        assert r.status_code == 403
    r = await as_manager.put(path, json={"a": 1})
    assert (r.status_code, r.json()) == (400, {"error": True, "message": "Request body must be a JSON array"})
    r = await as_manager.put(path, content=b"not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = await as_manager.put(path, json=[{"asset_id": "xyz", "nb_occurences": "abc"}])
    assert r.status_code == 400
    assert r.json()["data"]["errors"] == [
        {"field": "0.asset_id", "message": "Input should be a valid UUID"},
        {"field": "0.nb_occurences", "message": "Input should be a valid integer"},
    ]
    r = await as_manager.put(path, json=["abc"])
    assert r.status_code == 400
    assert (await as_admin.put(casting_path(prod, {"id": UNKNOWN}), json=[])).status_code == 404
    assert (
        await as_admin.put(f"/data/projects/{UNKNOWN}/entities/{prod.sh1['id']}/casting", json=[])
    ).status_code == 404
    r = await as_admin.put(f"/data/projects/{prod.other['id']}/entities/{prod.sh1['id']}/casting", json=[])
    assert r.status_code == 403
    assert (await as_admin.put(f"/data/projects/{prod.pid}/entities/nope/casting", json=[])).status_code == 400


# --- nb_assets_ready -----------------------------------------------------------------------


async def test_casting_refreshes_ready_counts(as_manager, prod, db, make):
    layout = await make.task_type(for_entity="Shot")
    animation = await make.task_type(for_entity="Shot")
    await db.execute(
        insert(ProjectTaskTypeLink.__table__),
        [
            {"project_id": prod.pid, "task_type_id": layout["id"], "priority": 1},
            {"project_id": prod.pid, "task_type_id": animation["id"], "priority": 2},
        ],
    )
    layout_task = await make.task(prod.sh1, layout)
    animation_task = await make.task(prod.sh1, animation)
    ready_for_layout = await make.asset(prod.project, prod.prop, "Ready L", ready_for=layout["id"])
    ready_for_animation = await make.asset(prod.project, prod.prop, "Ready A", ready_for=animation["id"])
    body = [
        {"asset_id": a["id"], "nb_occurences": 1}
        for a in (ready_for_layout, ready_for_animation, prod.hero, prod.lamp)  # the lamp: shared, other project
    ]
    r = await as_manager.put(casting_path(prod, prod.sh1), json=body)
    assert r.status_code == 200
    tasks = Task.__table__
    rows = await db.execute(select(tasks.c.id, tasks.c.nb_assets_ready).where(tasks.c.entity_id == prod.sh1["id"]))
    ready = dict(rows.all())
    # layout: ready-for-layout, ready-for-animation and the lamp; animation: ready-for-animation and the lamp
    assert ready == {layout_task["id"]: 3, animation_task["id"]: 2}


# --- PUT /data/projects/{p}/entities/casting ---------------------------------------------


async def test_update_several_castings(as_manager, prod, db):
    body = {
        prod.sh1["id"]: [{"asset_id": prod.hero["id"], "nb_occurences": 1}],
        prod.sh3["id"]: [{"asset_id": prod.sword["id"], "nb_occurences": 2, "label": "bg"}],
        prod.forest["id"]: [],
    }
    r = await as_manager.put(f"/data/projects/{prod.pid}/entities/casting", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == body
    assert set(await links_of(db, prod.sh1["id"])) == {prod.hero["id"]}
    assert {k: v["label"] for k, v in (await links_of(db, prod.sh3["id"])).items()} == {prod.sword["id"]: "bg"}
    assert set(await links_of(db, prod.episode["id"])) == {prod.hero["id"], prod.sword["id"]}
    assert (await entity_row(db, prod.episode["id"]))["nb_entities_out"] == 2
    assert len(await events_named(db, "shot:casting-update")) == 2
    assert len(await events_named(db, "asset:casting-update")) == 1
    r = await as_manager.put(f"/data/projects/{prod.pid}/entities/casting", json={})
    assert (r.status_code, r.json()) == (200, {})


async def test_update_several_castings_is_set_based(as_manager, prod, make, queries):
    async def put(shots) -> int:
        body = {
            s["id"]: [
                {"asset_id": prod.hero["id"], "nb_occurences": 1},
                {"asset_id": prod.sword["id"], "nb_occurences": 2},
            ]
            for s in shots
        }
        queries.reset()
        r = await as_manager.put(f"/data/projects/{prod.pid}/entities/casting", json=body)
        assert r.status_code == 200
        return queries.count

    await put([prod.sh1])  # the episode gets its automatic links once
    one = await put([prod.sh1])
    many = [await make.shot(prod.project, prod.sq2, f"SH{i:03}B") for i in range(12)]
    assert await put(many) == one
    assert await put([prod.sh1, *many]) == one


async def test_update_several_castings_errors(anon, as_supervisor, as_admin, prod):
    path = f"/data/projects/{prod.pid}/entities/casting"
    assert (await anon.put(path, json={})).status_code == 401
    assert (await as_supervisor.put(path, json={})).status_code == 403
    message = "Request body must be a JSON object mapping entity ids to casting arrays"
    for bad in ([], {prod.sh1["id"]: {}}):
        r = await as_admin.put(path, json=bad)
        assert (r.status_code, r.json()) == (400, {"error": True, "message": message})
    assert (await as_admin.put(path, json={UNKNOWN: []})).status_code == 404
    assert (await as_admin.put(path, json={"xyz": []})).status_code == 400
    other_shot = prod.sh1["id"]
    r = await as_admin.put(f"/data/projects/{prod.other['id']}/entities/casting", json={other_shot: []})
    assert r.status_code == 403


# --- PUT /data/projects/{p}/entities/casting/assets/{asset_id} ----------------------------------


async def test_cast_one_asset_in_several_entities(as_manager, prod, db, make):
    await make.cast(prod.sh1, prod.sword, 3, "keep")
    await make.cast(prod.sh1, prod.hero, 2, "old")
    path = f"/data/projects/{prod.pid}/entities/casting/assets/{prod.hero['id']}"
    r = await as_manager.put(path, json={"entity_ids": [prod.sh1["id"], prod.sh2["id"]]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == [prod.sh1["id"], prod.sh2["id"]]
    # the existing link keeps its count and label, the new one gets one occurrence; others stay
    assert [(c["asset_name"], c["nb_occurences"], c["label"]) for c in body[prod.sh1["id"]]] == [
        ("Hero", 2, "old"),
        ("Sword", 3, "keep"),
    ]
    assert [(c["asset_name"], c["nb_occurences"], c["label"]) for c in body[prod.sh2["id"]]] == [("Hero", 1, "")]
    assert set(body[prod.sh2["id"]][0]) == {
        "asset_id",
        "asset_name",
        "asset_type_name",
        "ready_for",
        "episode_id",
        "preview_file_id",
        "nb_occurences",
        "label",
        "is_shared",
        "project_id",
    }
    assert (await entity_row(db, prod.sh2["id"]))["nb_entities_out"] == 1
    assert [e["data"]["entity_in_id"] for e in await events_named(db, "entity-link:new")] == [prod.sh2["id"]]
    [updated] = await events_named(db, "entity-link:update")
    assert updated["data"]["nb_occurences"] == 2
    diffs = {e["data"]["shot_id"]: e["data"]["added_asset_ids"] for e in await events_named(db, "shot:casting-update")}
    assert diffs == {prod.sh1["id"]: [], prod.sh2["id"]: [prod.hero["id"]]}

    r = await as_manager.put(path, json={"entity_ids": [prod.sh2["id"]], "nb_occurences": 5, "label": "new"})
    assert [(c["nb_occurences"], c["label"]) for c in r.json()[prod.sh2["id"]]] == [(5, "new")]

    # zero occurrences uncasts
    r = await as_manager.put(path, json={"entity_ids": [prod.sh1["id"], prod.sh2["id"]], "nb_occurences": 0})
    assert r.status_code == 200
    assert r.json() == {prod.sh1["id"]: [r.json()[prod.sh1["id"]][0]], prod.sh2["id"]: []}
    assert r.json()[prod.sh1["id"]][0]["asset_name"] == "Sword"
    assert (await entity_row(db, prod.sh2["id"]))["nb_entities_out"] == 0
    # the hero left every shot of the episode: its automatic episode link goes
    assert prod.hero["id"] not in await links_of(db, prod.episode["id"])


async def test_cast_asset_in_episode_announces_asset(as_manager, prod, db, make):
    await make.cast(prod.sh1, prod.hero)
    path = f"/data/projects/{prod.pid}/entities/casting/assets/{prod.hero['id']}"
    r = await as_manager.put(path, json={"entity_ids": [prod.episode["id"]], "nb_occurences": 2})
    assert r.status_code == 200
    assert [e["data"]["asset_id"] for e in await events_named(db, "asset:update")] == [prod.hero["id"]]
    assert len(await events_named(db, "episode:casting-update")) == 1
    # uncasting from the episode removes it from its shots too
    r = await as_manager.put(path, json={"entity_ids": [prod.episode["id"]], "nb_occurences": 0})
    assert r.status_code == 200
    assert await links_of(db, prod.sh1["id"]) == {}


async def test_cast_asset_errors(anon, as_supervisor, as_admin, prod):
    path = f"/data/projects/{prod.pid}/entities/casting/assets/{prod.hero['id']}"
    body = {"entity_ids": [prod.sh1["id"]]}
    assert (await anon.put(path, json=body)).status_code == 401
    assert (await as_supervisor.put(path, json=body)).status_code == 403
    r = await as_admin.put(path, json={})
    assert (r.status_code, r.json()) == (
        400,
        {
            "error": True,
            "message": "Validation error.",
            "data": {"errors": [{"field": "entity_ids", "message": "Field required"}]},
        },
    )
    r = await as_admin.put(path, json={"entity_ids": ["xyz"], "nb_occurences": -2})
    assert [e["field"] for e in r.json()["data"]["errors"]] == ["entity_ids.0", "nb_occurences"]
    r = await as_admin.put(path, json={"entity_ids": []})
    assert r.status_code == 400
    bad_asset = f"/data/projects/{prod.pid}/entities/casting/assets/"
    assert (await as_admin.put(bad_asset + UNKNOWN, json=body)).status_code == 404
    assert (await as_admin.put(bad_asset + prod.sh2["id"], json=body)).status_code == 404  # a shot is no asset
    assert (await as_admin.put(bad_asset + "nope", json=body)).status_code == 400
    assert (await as_admin.put(path, json={"entity_ids": [UNKNOWN]})).status_code == 404
    r = await as_admin.put(f"/data/projects/{prod.other['id']}/entities/casting/assets/{prod.hero['id']}", json=body)
    assert r.status_code == 403


# --- PUT /data/assets/{asset_id}/casting ---------------------------------------------------


async def test_update_asset_casting(as_manager, prod, db):
    body = [{"asset_id": prod.sword["id"].upper(), "nb_occurences": "3"}, {"asset_id": prod.hero["id"], "extra": 1}]
    r = await as_manager.put(f"/data/assets/{prod.forest['id']}/casting", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"asset_id": prod.sword["id"], "nb_occurences": 3, "label": ""},
        {"asset_id": prod.hero["id"], "nb_occurences": 1, "label": ""},
    ]
    links = await links_of(db, prod.forest["id"])
    assert {a: link["nb_occurences"] for a, link in links.items()} == {prod.sword["id"]: 3, prod.hero["id"]: 1}
    assert (await entity_row(db, prod.forest["id"]))["nb_entities_out"] == 2
    [event] = await events_named(db, "asset:casting-update")
    assert event["data"]["nb_entities_out"] == 2


async def test_update_asset_casting_errors(anon, as_supervisor, as_manager, as_admin, client_for, people, prod, make):
    path = f"/data/assets/{prod.forest['id']}/casting"
    assert (await anon.put(path, json=[])).status_code == 401
    assert (await as_supervisor.put(path, json=[])).status_code == 403
    outsider = await make.asset(await make.project(), prod.character)
    async with client_for(people["manager"]) as c:
        assert (await c.put(f"/data/assets/{outsider['id']}/casting", json=[])).status_code == 403
    r = await as_manager.put(path, json={"a": 1})
    assert (r.status_code, r.json()) == (
        400,
        {"error": True, "message": "Request body must be a JSON array.", "data": None},
    )
    r = await as_manager.put(path, json=[{"asset_id": "xyz"}])
    assert r.status_code == 400
    assert r.json()["data"]["errors"][0]["field"] == "0.asset_id"
    r = await as_manager.put(path, json=[{"asset_id": prod.hero["id"], "nb_occurences": -1}])
    assert r.json()["data"]["errors"] == [
        {"field": "0.nb_occurences", "message": "Input should be greater than or equal to 0"}
    ]
    assert (await as_admin.put(f"/data/assets/{UNKNOWN}/casting", json=[])).status_code == 404
    assert (await as_admin.put(f"/data/assets/{prod.sh1['id']}/casting", json=[])).status_code == 404
    assert (await as_admin.put("/data/assets/nope/casting", json=[])).status_code == 400
