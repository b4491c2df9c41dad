"""Shared assets: the three share actions (slice B of the production area)."""

from __future__ import annotations

import pytest
from helpers import UNKNOWN
from sqlalchemy import select

from app.core.errors import NOT_FOUND_TEXT
from app.repositories.tables.entities import Entity
from app.repositories.tables.events import ApiEvent


@pytest.fixture
async def prod(make, people):
    project = await make.project(team=[people["manager"], people["user"]])
    character, prop = await make.entity_type("Character"), await make.entity_type("Prop")
    return {
        "project": project,
        "character": character,
        "prop": prop,
        "hero": await make.asset(project, character, "Hero"),
        "villain": await make.asset(project, character, "Villain"),
        "sword": await make.asset(project, prop, "Sword"),
        "shot": await make.shot(project, await make.sequence(project)),
    }


async def shared_flags(db, *rows: dict) -> list[bool]:
    t = Entity.__table__
    found = dict((await db.execute(select(t.c.id, t.c.is_shared).where(t.c.id.in_([r["id"] for r in rows])))).all())
    return [found[r["id"]] for r in rows]


def project_share(prod) -> str:
    return f"/actions/projects/{prod['project']['id']}/assets/share"


def type_share(prod, asset_type: str = "character") -> str:
    return f"/actions/projects/{prod['project']['id']}/asset-types/{prod[asset_type]['id']}/assets/share"


# --- POST /actions/assets/share ---------------------------------------------------------------------


async def test_share_listed_assets(as_manager, prod, db):
    hero, sword = prod["hero"], prod["sword"]
    r = await as_manager.post("/actions/assets/share", json={"asset_ids": [hero["id"], sword["id"]]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(a["name"] for a in body) == ["Hero", "Sword"]
    assert all(a["is_shared"] is True and a["type"] == "Asset" for a in body)
    assert await shared_flags(db, hero, sword, prod["villain"]) == [True, True, False]
    r = await as_manager.post("/actions/assets/share", json={"asset_ids": [hero["id"]], "is_shared": False})
    assert [a["is_shared"] for a in r.json()] == [False]
    assert await shared_flags(db, hero, sword) == [False, True]
    # sharing emits no event (Zou does not either)
    t = ApiEvent.__table__
    assert (await db.execute(select(t).where(t.c.name.like("asset:%")))).first() is None


async def test_share_nothing_is_an_empty_answer(as_artist, prod):
    r = await as_artist.post("/actions/assets/share", json={})
    assert r.status_code == 200 and r.json() == []


async def test_share_assets_errors(anon, as_artist, as_manager, make, prod, people):
    body = {"asset_ids": [prod["hero"]["id"]]}
    assert (await anon.post("/actions/assets/share", json=body)).status_code == 401
    assert (await as_artist.post("/actions/assets/share", json=body)).status_code == 403
    elsewhere = await make.asset(await make.project(), prod["prop"], "Elsewhere")
    r = await as_manager.post("/actions/assets/share", json={"asset_ids": [prod["hero"]["id"], elsewhere["id"]]})
    assert r.status_code == 403  # not a manager of every project touched
    other = await make.project(team=[people["manager"]])
    await make.add_to_team(other, people["user"], role="manager")  # a team role beats the global one
    mine = await make.asset(other, prod["prop"], "Mine")
    assert (await as_artist.post("/actions/assets/share", json={"asset_ids": [mine["id"]]})).status_code == 200
    r = await as_manager.post("/actions/assets/share", json={"asset_ids": [UNKNOWN]})
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    r = await as_manager.post("/actions/assets/share", json={"asset_ids": [prod["shot"]["id"]]})
    assert r.status_code == 404  # not an asset
    r = await as_manager.post("/actions/assets/share", json={"asset_ids": "abc"})
    assert r.status_code == 400
    assert r.json() == {
        "error": True,
        "message": "Validation error.",
        "data": {"errors": [{"field": "asset_ids", "message": "Input should be a valid list"}]},
    }
    assert (await as_manager.post("/actions/assets/share", json={"is_shared": "maybe"})).status_code == 400


# --- POST /actions/projects/{id}/assets/share ---------------------------------------------------------


async def test_share_project_assets(as_manager, make, prod, db):
    elsewhere = await make.asset(await make.project(), prod["prop"], "Elsewhere")
    r = await as_manager.post(project_share(prod), json={})
    assert r.status_code == 200
    assert sorted(a["name"] for a in r.json()) == ["Hero", "Sword", "Villain"]
    assert await shared_flags(db, prod["hero"], prod["sword"], elsewhere, prod["shot"]) == [True, True, False, False]
    r = await as_manager.post(project_share(prod), json={"is_shared": False, "asset_ids": [prod["sword"]["id"]]})
    assert [a["name"] for a in r.json()] == ["Sword"]
    assert await shared_flags(db, prod["hero"], prod["sword"]) == [True, False]
    r = await as_manager.post(project_share(prod), json={"is_shared": False, "asset_ids": []})  # empty means all
    assert len(r.json()) == 3
    r = await as_manager.post(project_share(prod), json={"asset_ids": [elsewhere["id"]]})
    assert r.json() == []  # assets of other projects are left alone


async def test_share_project_assets_errors(anon, as_artist, as_manager, as_admin, prod):
    assert (await anon.post(project_share(prod), json={})).status_code == 401
    assert (await as_artist.post(project_share(prod), json={})).status_code == 403
    assert (await as_manager.post(f"/actions/projects/{UNKNOWN}/assets/share", json={})).status_code == 404
    r = await as_admin.post(f"/actions/projects/{UNKNOWN}/assets/share", json={})
    assert r.status_code == 200 and r.json() == []  # admins are not checked against the project (Zou)
    assert (await as_manager.post(project_share(prod), json={"asset_ids": ["x"]})).status_code == 400
    assert (await as_manager.post("/actions/projects/x/assets/share", json={})).status_code == 400


# --- POST /actions/projects/{id}/asset-types/{id}/assets/share --------------------------------------------


async def test_share_asset_type_assets(as_manager, prod, db):
    r = await as_manager.post(type_share(prod), json={"asset_ids": [prod["hero"]["id"]]})  # ids are ignored here
    assert r.status_code == 200
    assert sorted(a["name"] for a in r.json()) == ["Hero", "Villain"]
    assert await shared_flags(db, prod["hero"], prod["villain"], prod["sword"]) == [True, True, False]
    r = await as_manager.post(type_share(prod), data={"is_shared": "false"})  # form values are read too
    assert r.status_code == 200 and {a["is_shared"] for a in r.json()} == {False}


async def test_share_asset_type_assets_errors(anon, as_artist, as_manager, prod):
    assert (await anon.post(type_share(prod), json={})).status_code == 401
    # the access check comes before the body is read
    assert (await as_artist.post(type_share(prod), json={"is_shared": "maybe"})).status_code == 403
    assert (await as_manager.post(type_share(prod), json={"is_shared": "maybe"})).status_code == 400
    url = f"/actions/projects/{UNKNOWN}/asset-types/{prod['prop']['id']}/assets/share"
    assert (await as_manager.post(url, json={})).status_code == 404
    url = f"/actions/projects/{prod['project']['id']}/asset-types/nope/assets/share"
    assert (await as_manager.post(url, json={})).status_code == 400
    url = f"/actions/projects/{prod['project']['id']}/asset-types/{UNKNOWN}/assets/share"
    assert (await as_manager.post(url, json={})).json() == []


async def test_share_query_count_is_constant(as_manager, make, prod, queries):
    queries.reset()
    r = await as_manager.post(project_share(prod), json={})
    few, count = len(r.json()), queries.count
    for i in range(12):
        await make.asset(prod["project"], prod["prop"], f"Bulk {i}")
    queries.reset()
    r = await as_manager.post(project_share(prod), json={})
    assert len(r.json()) == few + 12 and queries.count == count
    ids = [a["id"] for a in r.json()]
    queries.reset()
    await as_manager.post("/actions/assets/share", json={"asset_ids": ids[:1]})
    count = queries.count
    queries.reset()
    await as_manager.post("/actions/assets/share", json={"asset_ids": ids})
    assert queries.count == count
