"""Route x role -> status for the assets routes, as the reference Zou answered them.

The production's team holds the manager, the artist, the client and the vendor (the
supervisor stays outside); the vendor holds no task. Each route runs in its own
rolled-back transaction; the roles call it in turn, the admin last (so that an admin-only
deletion does not change what the others see).
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from app.repositories.tables.entities import AssetInstance, AssetInstanceLink

ROLES = ("manager", "supervisor", "user", "client", "vendor", "admin")
EVERYONE = {role: 200 for role in ROLES}
MEMBERS = {**EVERYONE, "supervisor": 403}
MEMBERS_NOT_VENDOR = {**MEMBERS, "vendor": 403}
ADMIN_ONLY = {role: 403 for role in ROLES} | {"admin": 200}
MANAGERS = {role: 403 for role in ROLES} | {"admin": 200, "manager": 200}

MATRIX = [
    ("GET", "/data/assets", None, EVERYONE),
    ("GET", "/data/assets/all", None, EVERYONE),
    ("GET", "/data/projects/{project}/assets", None, MEMBERS),
    ("GET", "/data/projects/{project}/asset-types/{prop}/assets", None, MEMBERS),
    ("GET", "/data/assets/{hero}", None, MEMBERS_NOT_VENDOR),
    ("GET", "/data/asset-types", None, EVERYONE),
    ("GET", "/data/asset-types/{prop}", None, EVERYONE),
    ("GET", "/data/projects/{project}/asset-types", None, MEMBERS),
    ("POST", "/data/projects/{project}/asset-types/{prop}/assets/new", {"name": "New"}, MANAGERS),
    ("POST", "/actions/assets/share", {"asset_ids": ["{hero}"]}, MANAGERS),
    ("POST", "/actions/projects/{project}/assets/share", {}, MANAGERS),
    ("POST", "/actions/projects/{project}/asset-types/{prop}/assets/share", {}, MANAGERS),
    ("GET", "/data/asset-instances", None, ADMIN_ONLY),
    ("POST", "/data/asset-instances", {"asset_id": "{sword}", "number": 7}, ADMIN_ONLY),
    ("GET", "/data/asset-instances/{instance}", None, MEMBERS_NOT_VENDOR),
    ("PUT", "/data/asset-instances/{instance}", {"description": "x"}, MEMBERS_NOT_VENDOR),
    ("DELETE", "/data/asset-instances/{instance}", None, ADMIN_ONLY),
    ("GET", "/data/assets/{hero}/asset-asset-instances", None, MEMBERS),
    ("POST", "/data/assets/{hero}/asset-asset-instances", {"asset_to_instantiate_id": "{sword}"}, MEMBERS),
    ("GET", "/data/assets/{sword}/shot-asset-instances", None, MEMBERS),
    ("GET", "/data/assets/{sword}/scene-asset-instances", None, MEMBERS),
    ("GET", "/data/scenes/{scene}/asset-instances", None, MEMBERS_NOT_VENDOR),
    ("POST", "/data/scenes/{scene}/asset-instances", {"asset_id": "{sword}"}, MEMBERS),
    ("GET", "/data/scenes/{scene}/camera-instances", None, MEMBERS_NOT_VENDOR),
    ("GET", "/data/shots/{shot}/asset-instances", None, MEMBERS_NOT_VENDOR),
    ("POST", "/data/shots/{shot}/asset-instances", {"asset_instance_id": "{instance}"}, MEMBERS),
    ("DELETE", "/data/shots/{shot}/asset-instances/{instance}", None, MEMBERS),
]
SUCCESS = {"POST": 201, "DELETE": 204}
ACTIONS = ("/actions/",)


def expected(method: str, path: str, status: int) -> int:
    if status != 200 or path.startswith(ACTIONS):
        return status
    return SUCCESS.get(method, 200)


CASES = [pytest.param(method, path, body, statuses, id=f"{method} {path}") for method, path, body, statuses in MATRIX]


def fill(value, ids: dict[str, str]):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "body", "statuses"), CASES)
async def test_matrix(client_for, make, people, db, method, path, body, statuses):
    project = await make.project(team=[people[r] for r in ("manager", "user", "client", "vendor")])
    sequence = await make.sequence(project)
    shot, scene = await make.shot(project, sequence), await make.scene(project, sequence)
    prop = await make.entity_type("Prop")
    hero = await make.asset(project, await make.entity_type("Character"), "Hero")
    sword = await make.asset(project, prop, "Sword")
    table = AssetInstance.__table__
    values = {"asset_id": sword["id"], "scene_id": scene["id"], "number": 1, "name": "Sword_0001"}
    instance = (await db.execute(insert(table).values(**values).returning(table.c.id))).scalar_one()
    await db.execute(insert(AssetInstanceLink.__table__).values(entity_id=shot["id"], asset_instance_id=instance))
    ids = {
        "project": project["id"],
        "prop": prop["id"],
        "hero": hero["id"],
        "sword": sword["id"],
        "shot": shot["id"],
        "scene": scene["id"],
        "instance": instance,
    }
    kwargs = {"json": fill(body, ids)} if body is not None else {}
    got, want = {}, {}
    for role in ROLES:
        async with client_for(people[role]) as client:
            r = await client.request(method, fill(path, ids), **kwargs)
        got[role], want[role] = r.status_code, expected(method, path, statuses[role])
    assert got == want
