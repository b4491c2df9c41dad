"""Casting reads: per entity, asset, asset type, sequence, episode and project; shot assets; cast-in;
shared assets used. The expected shapes were checked against the reference Zou."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select, text, update

from app.repositories.tables.entities import Entity, EntityLink

UNKNOWN = "11111111-1111-1111-1111-111111111111"
CAST_KEYS = {
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
SHOT_CAST_KEYS = {
    "asset_id",
    "name",
    "asset_name",
    "asset_type_name",
    "sequence_name",
    "preview_file_id",
    "nb_occurences",
    "label",
    "is_shared",
    "project_id",
}


@dataclass
class Production:
    """A small tv show: one episode, two sequences, three shots, three assets, a shared asset."""

    project: dict
    other: dict
    episode: dict
    sq1: dict
    sq2: dict
    sh1: dict
    sh2: dict
    sh3: dict
    hero: dict
    sword: dict
    forest: dict
    lamp: dict
    character: dict
    prop: dict
    environment: dict
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> str:
        return self.project["id"]


async def build_production(make, people, *, cast: bool = True) -> Production:
    team = [people[r] for r in ("manager", "supervisor", "user", "client", "vendor")]
    project = await make.project(team=team, production_type="tvshow")
    other = await make.project()
    character = await make.entity_type("Character")
    prop = await make.entity_type("Prop")
    environment = await make.entity_type("Environment")
    episode = await make.episode(project, "E01")
    sq1 = await make.sequence(project, "SQ01", episode=episode)
    sq2 = await make.sequence(project, "SQ02", episode=episode)
    sh1 = await make.shot(project, sq1, "SH010")
    sh2 = await make.shot(project, sq1, "SH020")
    sh3 = await make.shot(project, sq2, "SH030")
    hero = await make.asset(project, character, "Hero")
    sword = await make.asset(project, prop, "Sword")
    forest = await make.asset(project, environment, "Forest")
    lamp = await make.asset(other, prop, "Lamp", is_shared=True)
    prod = Production(
        project, other, episode, sq1, sq2, sh1, sh2, sh3, hero, sword, forest, lamp, character, prop, environment
    )
    if cast:
        await make.cast(sh1, hero, 2, "fg")
        await make.cast(sh1, sword)
        await make.cast(sh2, hero)
        await make.cast(sh3, lamp, 3)
        await make.cast(forest, sword, 5)
        await make.cast(episode, hero)
    return prod


async def entity_row(db, entity_id: str) -> dict:
    t = Entity.__table__
    return dict((await db.execute(select(t).where(t.c.id == entity_id))).mappings().one())


@pytest.fixture
async def prod(make, people) -> Production:
    return await build_production(make, people)


# --- GET /data/projects/{p}/entities/{e}/casting -------------------------------------


async def test_entity_casting(as_artist, prod):
    r = await as_artist.get(f"/data/projects/{prod.pid}/entities/{prod.sh1['id']}/casting")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == [
        {
            "asset_id": prod.hero["id"],
            "asset_name": "Hero",
            "asset_type_name": "Character",
            "ready_for": None,
            "episode_id": None,
            "preview_file_id": None,
            "nb_occurences": 2,
            "label": "fg",
            "is_shared": False,
            "project_id": prod.pid,
        },
        {
            "asset_id": prod.sword["id"],
            "asset_name": "Sword",
            "asset_type_name": "Prop",
            "ready_for": None,
            "episode_id": None,
            "preview_file_id": None,
            "nb_occurences": 1,
            "label": "",
            "is_shared": False,
            "project_id": prod.pid,
        },
    ]


async def test_entity_casting_hides_canceled_assets(as_admin, prod, db):
    await db.execute(update(Entity.__table__).where(Entity.id == prod.sword["id"]).values(canceled=True))
    r = await as_admin.get(f"/api/data/projects/{prod.pid}/entities/{prod.sh1['id']}/casting")
    assert [c["asset_name"] for c in r.json()] == ["Hero"]


async def test_entity_casting_errors(anon, as_admin, as_vendor, client_for, people, prod, make):
    path = f"/data/projects/{prod.pid}/entities/{prod.sh1['id']}/casting"
    assert (await anon.get(path)).status_code == 401
    assert (await as_vendor.get(path)).status_code == 403  # vendors never read castings
    outsider = await make.project()
    async with client_for(people["user"]) as c:
        assert (await c.get(f"/data/projects/{outsider['id']}/entities/{prod.sh1['id']}/casting")).status_code == 403
    r = await as_admin.get(f"/data/projects/{prod.pid}/entities/{UNKNOWN}/casting")
    assert r.status_code == 404
    assert r.json()["error"] is True
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/entities/{prod.sh1['id']}/casting")).status_code == 404
    # an entity of another project
    r = await as_admin.get(f"/data/projects/{prod.other['id']}/entities/{prod.sh1['id']}/casting")
    assert r.status_code == 403
    r = await as_admin.get(f"/data/projects/{prod.pid}/entities/not-an-id/casting")
    assert (r.status_code, r.json()["message"]) == (400, "Malformed ID.")


async def test_entity_casting_query_count(as_admin, make, people, queries):
    prod = await build_production(make, people, cast=False)
    path = f"/data/projects/{prod.pid}/entities/{prod.sh1['id']}/casting"
    await make.cast(prod.sh1, prod.hero)
    queries.reset()
    assert len((await as_admin.get(path)).json()) == 1
    one = queries.count
    for i in range(12):
        await make.cast(prod.sh1, await make.asset(prod.project, prod.prop, f"Prop {i}"))
    queries.reset()
    assert len((await as_admin.get(path)).json()) == 13
    assert queries.count == one


# --- assets ------------------------------------------------------------------------


async def test_asset_casting_and_linked_assets(as_supervisor, prod):
    r = await as_supervisor.get(f"/data/assets/{prod.forest['id']}/casting")
    assert r.status_code == 200, r.text
    assert r.json() == [
        {
            "asset_id": prod.sword["id"],
            "asset_name": "Sword",
            "asset_type_name": "Prop",
            "ready_for": None,
            "episode_id": None,
            "preview_file_id": None,
            "nb_occurences": 5,
            "label": "",
            "is_shared": False,
            "project_id": prod.pid,
        }
    ]
    r = await as_supervisor.get(f"/data/assets/{prod.forest['id']}/assets")
    assert r.status_code == 200
    [linked] = r.json()
    assert linked["id"] == prod.sword["id"]
    assert linked["type"] == "Asset"
    assert linked["name"] == "Sword"
    assert {"entity_type_id", "project_id", "nb_entities_out", "data", "created_at", "canceled"} <= set(linked)


async def test_asset_cast_in(as_client, prod):
    r = await as_client.get(f"/data/assets/{prod.hero['id']}/cast-in")
    assert r.status_code == 200, r.text
    assert r.json() == [
        {
            "shot_id": prod.sh1["id"],
            "shot_name": "SH010",
            "sequence_name": "SQ01",
            "episode_id": prod.episode["id"],
            "episode_name": "E01",
            "preview_file_id": None,
            "nb_occurences": 2,
        },
        {
            "shot_id": prod.sh2["id"],
            "shot_name": "SH020",
            "sequence_name": "SQ01",
            "episode_id": prod.episode["id"],
            "episode_name": "E01",
            "preview_file_id": None,
            "nb_occurences": 1,
        },
    ]
    # the sword is in a shot and in an asset (set dressing)
    r = await as_client.get(f"/data/assets/{prod.sword['id']}/cast-in")
    assert r.json() == [
        {
            "shot_id": prod.sh1["id"],
            "shot_name": "SH010",
            "sequence_name": "SQ01",
            "episode_id": prod.episode["id"],
            "episode_name": "E01",
            "preview_file_id": None,
            "nb_occurences": 1,
        },
        {
            "asset_id": prod.forest["id"],
            "asset_name": "Forest",
            "asset_type_name": "Environment",
            "preview_file_id": None,
            "nb_occurences": 5,
        },
    ]


async def test_cast_in_shot_without_episode_says_none(as_admin, make, people):
    prod = await build_production(make, people, cast=False)
    lone = await make.sequence(prod.project, "SQ99")
    shot = await make.shot(prod.project, lone, "SH990")
    await make.cast(shot, prod.hero)
    r = await as_admin.get(f"/data/assets/{prod.hero['id']}/cast-in")
    [row] = r.json()
    assert (row["episode_id"], row["episode_name"], row["sequence_name"]) == ("None", None, "SQ99")


@pytest.mark.parametrize("suffix", ["casting", "cast-in", "assets"])
async def test_asset_reads_errors(suffix, anon, as_admin, as_vendor, client_for, people, prod, make):
    path = f"/data/assets/{prod.hero['id']}/{suffix}"
    assert (await anon.get(path)).status_code == 401
    # a vendor reads an asset only through a task assigned on it
    assert (await as_vendor.get(path)).status_code == 403
    task_type = await make.task_type()
    await make.task(prod.hero, task_type, assignees=[people["vendor"]])
    assert (await as_vendor.get(path)).status_code == 200
    outsider = await make.asset(await make.project(), prod.character)
    async with client_for(people["user"]) as c:
        assert (await c.get(f"/data/assets/{outsider['id']}/{suffix}")).status_code == 403
    assert (await as_admin.get(f"/data/assets/{UNKNOWN}/{suffix}")).status_code == 404
    # a shot is not an asset
    assert (await as_admin.get(f"/data/assets/{prod.sh1['id']}/{suffix}")).status_code == 404
    assert (await as_admin.get(f"/data/assets/nope/{suffix}")).status_code == 400


async def test_asset_reads_query_count(as_admin, make, people, queries):
    prod = await build_production(make, people, cast=False)
    await make.cast(prod.sh1, prod.hero)
    await make.cast(prod.forest, prod.hero)
    counts = {}
    paths = [f"/data/assets/{prod.hero['id']}/cast-in", f"/data/assets/{prod.forest['id']}/casting"]
    paths.append(f"/data/assets/{prod.forest['id']}/assets")
    for path in paths:
        queries.reset()
        await as_admin.get(path)
        counts[path] = queries.count
    for i in range(12):
        shot = await make.shot(prod.project, prod.sq2, f"SH{i:03}X")
        await make.cast(shot, prod.hero)
        await make.cast(prod.forest, await make.asset(prod.project, prod.prop, f"P{i}"))
    for path in paths:
        queries.reset()
        assert len((await as_admin.get(path)).json()) >= 13
        assert queries.count == counts[path], path


# --- shots ------------------------------------------------------------------------------


async def test_shot_assets_and_asset_types(as_artist, prod):
    r = await as_artist.get(f"/data/shots/{prod.sh1['id']}/assets")
    assert r.status_code == 200, r.text
    assert [(a["name"], a["type"]) for a in r.json()] == [("Hero", "Asset"), ("Sword", "Asset")]
    r = await as_artist.get(f"/data/shots/{prod.sh1['id']}/asset-types")
    assert r.status_code == 200
    assert r.json() == [
        {**{k: prod.character[k] for k in ("id", "name", "short_name", "description", "archived")}, "type": "AssetType"}
        | {"created_at": r.json()[0]["created_at"], "updated_at": r.json()[0]["updated_at"]},
        {**{k: prod.prop[k] for k in ("id", "name", "short_name", "description", "archived")}, "type": "AssetType"}
        | {"created_at": r.json()[1]["created_at"], "updated_at": r.json()[1]["updated_at"]},
    ]
    assert set(r.json()[0]) == {
        "id",
        "name",
        "short_name",
        "description",
        "archived",
        "created_at",
        "updated_at",
        "type",
    }


async def test_shot_assets_include_canceled_ones(as_admin, prod, db):
    await db.execute(update(Entity.__table__).where(Entity.id == prod.sword["id"]).values(canceled=True))
    r = await as_admin.get(f"/data/shots/{prod.sh1['id']}/assets")
    assert [(a["name"], a["canceled"]) for a in r.json()] == [("Hero", False), ("Sword", True)]


@pytest.mark.parametrize("suffix", ["assets", "asset-types"])
async def test_shot_reads_errors(suffix, anon, as_admin, as_vendor, client_for, people, prod, make):
    path = f"/data/shots/{prod.sh1['id']}/{suffix}"
    assert (await anon.get(path)).status_code == 401
    # the asset list needs a vendor assignment, the asset types do not (as in Zou)
    assert (await as_vendor.get(path)).status_code == (403 if suffix == "assets" else 200)
    outsider = await make.project()
    shot = await make.shot(outsider, await make.sequence(outsider))
    async with client_for(people["user"]) as c:
        assert (await c.get(f"/data/shots/{shot['id']}/{suffix}")).status_code == 403
    assert (await as_admin.get(f"/data/shots/{UNKNOWN}/{suffix}")).status_code == 404
    assert (await as_admin.get(f"/data/shots/{prod.hero['id']}/{suffix}")).status_code == 404
    assert (await as_admin.get(f"/data/shots/x/{suffix}")).status_code == 400


async def test_shot_vendor_with_assignment(as_vendor, prod, make, people):
    await make.task(prod.sh1, await make.task_type(for_entity="Shot"), assignees=[people["vendor"]])
    r = await as_vendor.get(f"/data/shots/{prod.sh1['id']}/assets")
    assert r.status_code == 200
    assert len(r.json()) == 2


async def test_shot_reads_query_count(as_admin, make, people, queries):
    prod = await build_production(make, people, cast=False)
    await make.cast(prod.sh1, prod.hero)
    paths = [f"/data/shots/{prod.sh1['id']}/assets", f"/data/shots/{prod.sh1['id']}/asset-types"]
    counts = {}
    for path in paths:
        queries.reset()
        await as_admin.get(path)
        counts[path] = queries.count
    for i in range(12):
        await make.cast(prod.sh1, await make.asset(prod.project, await make.entity_type(), f"A{i}"))
    for path in paths:
        queries.reset()
        assert len((await as_admin.get(path)).json()) == 13
        assert queries.count == counts[path], path


# --- grouped castings -------------------------------------------------------------------


def shot_entry(asset: dict, type_name: str, sequence: str, nb: int = 1, label: str = "", **extra) -> dict:
    return {
        "asset_id": asset["id"],
        "name": asset["name"],
        "asset_name": asset["name"],
        "asset_type_name": type_name,
        "sequence_name": sequence,
        "preview_file_id": None,
        "nb_occurences": nb,
        "label": label,
        "is_shared": extra.get("is_shared", False),
        "project_id": asset["project_id"],
    }


async def test_project_shots_casting(as_client, prod):
    r = await as_client.get(f"/data/projects/{prod.pid}/sequences/all/casting")
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == [prod.sh1["id"], prod.sh2["id"], prod.sh3["id"]]
    assert body == {
        prod.sh1["id"]: [
            shot_entry(prod.hero, "Character", "SQ01", 2, "fg"),
            shot_entry(prod.sword, "Prop", "SQ01"),
        ],
        prod.sh2["id"]: [shot_entry(prod.hero, "Character", "SQ01")],
        prod.sh3["id"]: [shot_entry(prod.lamp, "Prop", "SQ02", 3, is_shared=True)],
    }


async def test_episode_and_sequence_shots_casting(as_artist, prod, make):
    other_episode = await make.episode(prod.project, "E02")
    seq = await make.sequence(prod.project, "SQ01", episode=other_episode)
    shot = await make.shot(prod.project, seq, "SH010")
    await make.cast(shot, prod.sword)
    base = f"/data/projects/{prod.pid}"
    r = await as_artist.get(f"{base}/episodes/{prod.episode['id']}/sequences/all/casting")
    assert r.status_code == 200, r.text
    assert list(r.json()) == [prod.sh1["id"], prod.sh2["id"], prod.sh3["id"]]
    r = await as_artist.get(f"{base}/episodes/{other_episode['id']}/sequences/all/casting")
    assert r.json() == {shot["id"]: [shot_entry(prod.sword, "Prop", "SQ01")]}
    # "main" is the episode of nothing; "all" is every episode
    assert (await as_artist.get(f"{base}/episodes/main/sequences/all/casting")).json() == {}
    assert len((await as_artist.get(f"{base}/episodes/all/sequences/all/casting")).json()) == 4
    # an episode without shots
    assert (await as_artist.get(f"{base}/episodes/{UNKNOWN}/sequences/all/casting")).json() == {}

    r = await as_artist.get(f"{base}/sequences/{prod.sq1['id']}/casting")
    assert r.status_code == 200
    assert r.json() == {
        prod.sh1["id"]: [
            shot_entry(prod.hero, "Character", "SQ01", 2, "fg"),
            shot_entry(prod.sword, "Prop", "SQ01"),
        ],
        prod.sh2["id"]: [shot_entry(prod.hero, "Character", "SQ01")],
    }


async def test_episodes_casting_covers_every_entity_of_the_project(as_supervisor, prod):
    r = await as_supervisor.get(f"/data/projects/{prod.pid}/episodes/casting")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {prod.episode["id"], prod.sh1["id"], prod.sh2["id"], prod.sh3["id"], prod.forest["id"]}
    assert body[prod.episode["id"]] == [
        {
            "asset_id": prod.hero["id"],
            "name": "Hero",
            "asset_name": "Hero",
            "asset_type_name": "Character",
            "preview_file_id": None,
            "nb_occurences": 1,
            "label": "",
            "is_shared": False,
            "project_id": prod.pid,
        }
    ]


async def test_asset_type_casting(as_client, prod):
    r = await as_client.get(f"/data/projects/{prod.pid}/asset-types/{prod.environment['id']}/casting")
    assert r.status_code == 200, r.text
    assert r.json() == {
        prod.forest["id"]: [
            {
                "asset_id": prod.sword["id"],
                "name": "Sword",
                "asset_name": "Sword",
                "asset_type_name": "Prop",
                "preview_file_id": None,
                "nb_occurences": 5,
                "label": "",
            }
        ]
    }
    r = await as_client.get(f"/data/projects/{prod.pid}/asset-types/{prod.prop['id']}/casting")
    assert r.json() == {}


GROUPED = [
    "/data/projects/{pid}/sequences/all/casting",
    "/data/projects/{pid}/episodes/{episode}/sequences/all/casting",
    "/data/projects/{pid}/sequences/{sequence}/casting",
    "/data/projects/{pid}/episodes/casting",
    "/data/projects/{pid}/asset-types/{asset_type}/casting",
]


@pytest.mark.parametrize("template", GROUPED)
async def test_grouped_castings_access(template, anon, as_vendor, as_admin, client_for, people, prod, make):
    def path(pid: str) -> str:
        return template.format(
            pid=pid, episode=prod.episode["id"], sequence=prod.sq1["id"], asset_type=prod.character["id"]
        )

    assert (await anon.get(path(prod.pid))).status_code == 401
    assert (await as_vendor.get(path(prod.pid))).status_code == 403
    outsider = await make.project()
    async with client_for(people["user"]) as c:
        assert (await c.get(path(outsider["id"]))).status_code == 403
    assert (await as_admin.get(path(UNKNOWN))).status_code == 404
    assert (await as_admin.get(path("nope"))).status_code == 400


async def test_grouped_castings_unknown_targets(as_admin, prod):
    base = f"/data/projects/{prod.pid}"
    assert (await as_admin.get(f"{base}/sequences/{UNKNOWN}/casting")).status_code == 404
    assert (await as_admin.get(f"{base}/sequences/{prod.sh1['id']}/casting")).status_code == 404
    r = await as_admin.get(f"/data/projects/{prod.other['id']}/sequences/{prod.sq1['id']}/casting")
    assert r.status_code == 403
    assert (await as_admin.get(f"{base}/asset-types/{UNKNOWN}/casting")).status_code == 404
    shot_type = prod.sh1["entity_type_id"]
    assert (await as_admin.get(f"{base}/asset-types/{shot_type}/casting")).status_code == 404
    assert (await as_admin.get(f"{base}/episodes/nope/sequences/all/casting")).status_code == 400


async def test_grouped_castings_query_count(as_admin, make, people, queries):
    prod = await build_production(make, people, cast=False)
    await make.cast(prod.sh1, prod.hero)
    await make.cast(prod.forest, prod.hero)
    paths = [
        template.format(
            pid=prod.pid, episode=prod.episode["id"], sequence=prod.sq1["id"], asset_type=prod.environment["id"]
        )
        for template in GROUPED
    ]
    counts = {}
    for path in paths:
        queries.reset()
        assert (await as_admin.get(path)).status_code == 200
        counts[path] = queries.count
    for i in range(15):
        shot = await make.shot(prod.project, prod.sq1, f"SH{i:03}X")
        await make.cast(shot, prod.hero)
        await make.cast(shot, prod.sword)
        env = await make.asset(prod.project, prod.environment, f"Env {i}")
        await make.cast(env, prod.sword)
    for path in paths:
        queries.reset()
        assert len((await as_admin.get(path)).json()) >= 16
        assert queries.count == counts[path], path


# --- shared assets used -----------------------------------------------------------------


async def test_shared_assets_used(as_vendor, as_admin, prod, make):
    r = await as_vendor.get(f"/data/projects/{prod.pid}/assets/shared-used")
    assert r.status_code == 200, r.text
    [lamp] = r.json()
    assert (lamp["id"], lamp["type"], lamp["is_shared"], lamp["project_id"]) == (
        prod.lamp["id"],
        "Asset",
        True,
        prod.other["id"],
    )
    # cast twice, listed once
    await make.cast(prod.sh1, prod.lamp)
    assert len((await as_admin.get(f"/data/projects/{prod.pid}/assets/shared-used")).json()) == 1
    base = f"/data/projects/{prod.pid}/episodes"
    assert [a["id"] for a in (await as_vendor.get(f"{base}/{prod.episode['id']}/assets/shared-used")).json()] == [
        prod.lamp["id"]
    ]
    other_episode = await make.episode(prod.project, "E02")
    assert (await as_vendor.get(f"{base}/{other_episode['id']}/assets/shared-used")).json() == []
    for special in ("main", "all"):
        assert len((await as_vendor.get(f"{base}/{special}/assets/shared-used")).json()) == 1
    # the project's own shared assets are not "used shared assets"
    await make.cast(prod.sh2, await make.asset(prod.project, prod.prop, "Own", is_shared=True))
    assert len((await as_admin.get(f"/data/projects/{prod.pid}/assets/shared-used")).json()) == 1


@pytest.mark.parametrize("suffix", ["assets/shared-used", "episodes/{episode}/assets/shared-used"])
async def test_shared_assets_used_errors(suffix, anon, as_admin, client_for, people, prod, make, queries):
    def path(pid: str) -> str:
        return f"/data/projects/{pid}/" + suffix.format(episode=prod.episode["id"])

    assert (await anon.get(path(prod.pid))).status_code == 401
    outsider = await make.project()
    async with client_for(people["user"]) as c:
        assert (await c.get(path(outsider["id"]))).status_code == 403
    assert (await as_admin.get(path(UNKNOWN))).status_code == 404
    assert (await as_admin.get(path("x"))).status_code == 400
    queries.reset()
    await as_admin.get(path(prod.pid))
    one = queries.count
    for i in range(12):
        shared = await make.asset(prod.other, prod.prop, f"Shared {i}", is_shared=True)
        await make.cast(prod.sh1, shared)
    queries.reset()
    assert len((await as_admin.get(path(prod.pid))).json()) == 13
    assert queries.count == one


# --- a 1,000-shot production ----------------------------------------------------------------


async def test_thousand_shot_production_casting(as_admin, make, people, db, queries):
    """The benchmarked read: a fixed number of statements, no per-row work, on 1,000 shots, and
    fast without statistics: the tables grow inside this transaction, where neither ANALYZE nor
    autovacuum ever sees the new rows, after the read already ran on the tiny production."""
    import time

    from sqlalchemy import insert

    from app.domain.entity_kinds import entity_kinds
    from app.repositories.tables.base import new_id

    prod = await build_production(make, people, cast=False)
    await make.cast(prod.sh1, prod.hero)
    path = f"/data/projects/{prod.pid}/sequences/all/casting"
    for _ in range(6):  # PostgreSQL may switch to a generic plan after five runs of a statement
        queries.reset()
        assert len((await as_admin.get(path)).json()) == 1
    one = queries.count

    kinds = await entity_kinds(db)
    sequences = [await make.sequence(prod.project, f"BSQ{i:02}", episode=prod.episode) for i in range(20)]
    assets = [await make.asset(prod.project, prod.prop, f"BA{i:02}") for i in range(50)]
    shots = [
        {
            "id": new_id(),
            "name": f"BSH{i:04}",
            "project_id": prod.pid,
            "entity_type_id": kinds.id("Shot"),
            "parent_id": sequences[i % 20]["id"],
        }
        for i in range(1000)
    ]
    await db.execute(insert(Entity.__table__), shots)
    links = [
        {"id": new_id(), "entity_in_id": shot["id"], "entity_out_id": assets[(i + k) % 50]["id"], "nb_occurences": 1}
        for i, shot in enumerate(shots)
        for k in range(5)
    ]
    await db.execute(insert(EntityLink.__table__), links)
    queries.reset()
    started = time.perf_counter()
    r = await as_admin.get(path)
    elapsed = time.perf_counter() - started
    assert r.status_code == 200
    body = r.json()
    assert len(body) == 1001
    assert sum(len(rows) for rows in body.values()) == 5001
    assert list(body)[:2] == [shots[0]["id"], shots[20]["id"]]  # by sequence, then shot name
    assert queries.count == one
    assert elapsed < 2.0, elapsed

    # the worst plan statistics taken on nearly empty tables lead to: nested loops over sequential
    # scans. Each join rescans one table per row of the other side, but no join is run again per row.
    for setting in ("enable_hashjoin", "enable_mergejoin", "enable_indexscan", "enable_bitmapscan", "enable_memoize"):
        await db.execute(text(f"SET LOCAL {setting} = off"))
    started = time.perf_counter()
    r = await as_admin.get(path)
    elapsed = time.perf_counter() - started
    assert r.json() == body
    assert elapsed < 5.0, elapsed
