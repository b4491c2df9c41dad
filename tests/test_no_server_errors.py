"""Bad input never makes a 500: every production route, called as an admin on a real production,
with malformed ids, unknown ids, broken JSON, JSON of the wrong shape and fields of the wrong type.

Each route is one test, so a failure names the route; every request runs in the test's
transaction (a failing request rolls back only itself).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

ROUTES = Path(__file__).resolve().parents[2] / "shared" / "reference" / "routes.tsv"
ROUTE_LIST = Path(__file__).parent / "reference" / "production_routes.txt"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
BAD_BODIES = (
    b"{not json",
    b"[1, 2]",
    b'"text"',
    b"{}",
    b'{"name": 123, "project_id": "nope", "task_type_id": 5, "asset_id": [], "entity_id": {}, "data": "str",'
    b' "priority": "high", "nb_frames": "many", "is_shared": "maybe", "person_id": [1], "asset_ids": "x",'
    b' "task_status_id": true, "nb_occurences": "two", "role": 7, "entity_type": 1, "choices": "a",'
    b' "field_name": [], "sequence_id": "nope", "episode_id": 12, "concept_ids": "x", "task_type_ids": "y"}',
)


def production_routes() -> list[tuple[str, str]]:
    if ROUTES.exists():
        with ROUTES.open() as f:
            rows = [(r["method"], r["path"]) for r in csv.DictReader(f, delimiter="\t") if r["area"] == "production"]
        return rows
    return [tuple(line.split(" ", 1)) for line in ROUTE_LIST.read_text().splitlines()]


CASES = production_routes()


@pytest.fixture
async def ids(make, people) -> dict[str, str]:
    project = await make.project(team=[people["manager"]])
    episode = await make.episode(project)
    sequence = await make.sequence(project, episode=episode)
    shot = await make.shot(project, sequence)
    scene = await make.scene(project, sequence)
    asset_type = await make.entity_type("Character")
    asset = await make.asset(project, asset_type)
    task_type = await make.task_type(for_entity="Shot")
    await make.task(shot, task_type)
    link = await make.cast(shot, asset)
    return {
        "project_id": project["id"],
        "episode_id": episode["id"],
        "sequence_id": sequence["id"],
        "shot_id": shot["id"],
        "scene_id": scene["id"],
        "asset_id": asset["id"],
        "entity_id": shot["id"],
        "asset_type_id": asset_type["id"],
        "task_type_id": task_type["id"],
        "entity_link_id": link["id"],
        "person_id": people["user"],
        "field_name": "difficulty",
    }


def filled(path: str, ids: dict[str, str], default: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), default), path)


@pytest.mark.parametrize(("method", "path"), CASES, ids=[f"{m} {p}" for m, p in CASES])
async def test_route_never_answers_500(as_admin, ids, method: str, path: str):
    urls = {filled(path, ids, UNKNOWN), filled(path, ids, "not-a-uuid"), filled(path, {}, "not-a-uuid")}
    urls |= {filled(path, {}, UNKNOWN)}
    for url in sorted(urls):
        if method in ("POST", "PUT"):
            for body in BAD_BODIES:
                r = await as_admin.request(method, url, content=body, headers={"Content-Type": "application/json"})
                assert r.status_code < 500, (url, body, r.text)
                r.json()  # always a JSON answer
        else:
            r = await as_admin.request(method, url, params={"project_id": "nope", "page": "x", "limit": "-1"})
            assert r.status_code < 500, (url, r.text)
            r = await as_admin.request(method, url)
            assert r.status_code < 500, (url, r.text)
