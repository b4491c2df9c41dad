"""GET /data/projects/{p}/episodes/stats and /episodes/retake-stats.

The expected answers are what the reference Zou gave for the same production (ids replaced):
one episode, three shots (24, 10 and no frames), two shot task types, six tasks.
"""

from __future__ import annotations

import json

import pytest
from helpers import UNKNOWN
from sqlalchemy import insert, update

from app.repositories.tables.projects import Project
from app.repositories.tables.tasks import Task, TaskPersonLink

REF_STATS = """{"EP": {"COMP": {"TODO": {"name": "todo", "color": "#f5f5f5", "count": 2, "frames":
34, "drawings": 0}, "RETAKE": {"name": "retake", "color": "#ff3860", "count": 1, "frames": 0, "drawings": 0}},
"all": {"TODO": {"name": "todo", "color": "#f5f5f5", "count": 3, "frames": 34, "drawings": 0}, "RETAKE":
{"name": "retake", "color": "#ff3860", "count": 2, "frames": 10, "drawings": 3}, "DONE": {"name": "done",
"color": "#22d160", "count": 1, "frames": 24, "drawings": 7}}, "ANIM": {"TODO": {"name": "todo", "color":
"#f5f5f5", "count": 1, "frames": 0, "drawings": 0}, "DONE": {"name": "done", "color": "#22d160", "count": 1,
"frames": 24, "drawings": 7}, "RETAKE": {"name": "retake", "color": "#ff3860", "count": 1, "frames": 10,
"drawings": 3}}}, "all": {"all": {"TODO": {"name": "todo", "color": "#f5f5f5", "count": 3, "frames": 34,
"drawings": 0}, "RETAKE": {"name": "retake", "color": "#ff3860", "count": 2, "frames": 10, "drawings": 3},
"DONE": {"name": "done", "color": "#22d160", "count": 1, "frames": 24, "drawings": 7}}, "COMP": {"TODO":
{"name": "todo", "color": "#f5f5f5", "count": 2, "frames": 34, "drawings": 0}, "RETAKE": {"name": "retake",
"color": "#ff3860", "count": 1, "frames": 0, "drawings": 0}}, "ANIM": {"TODO": {"name": "todo", "color":
"#f5f5f5", "count": 1, "frames": 0, "drawings": 0}, "DONE": {"name": "done", "color": "#22d160", "count": 1,
"frames": 24, "drawings": 7}, "RETAKE": {"name": "retake", "color": "#ff3860", "count": 1, "frames": 10,
"drawings": 3}}}}"""

REF_RETAKE_STATS = """{"all": {"all": {"max_retake_count": 3, "evolution": {}, "done": {"count": 1,
"frames": 24, "drawings": 7}, "retake": {"count": 2, "frames": 10, "drawings": 3}, "other": {"count": 3,
"frames": 34, "drawings": 0}}, "ANIM": {"max_retake_count": 2, "evolution": {}, "done": {"count": 1, "frames":
24, "drawings": 7}, "retake": {"count": 1, "frames": 10, "drawings": 3}, "other": {"count": 1, "frames": 0,
"drawings": 0}}, "COMP": {"max_retake_count": 3, "evolution": {}, "done": {"count": 0, "frames": 0,
"drawings": 0}, "retake": {"count": 1, "frames": 0, "drawings": 0}, "other": {"count": 2, "frames": 34,
"drawings": 0}}}, "EP": {"all": {"max_retake_count": 3, "evolution": {"1": {"done": {"count": 0, "frames": 0,
"drawings": 0}, "retake": {"count": 3, "frames": 34, "drawings": 10}, "other": {"count": 3, "frames": 34,
"drawings": 0}}, "2": {"done": {"count": 0, "frames": 0, "drawings": 0}, "retake": {"count": 2, "frames": 24,
"drawings": 7}, "other": {"count": 4, "frames": 44, "drawings": 3}}, "3": {"done": {"count": 1, "frames": 24,
"drawings": 7}, "retake": {"count": 1, "frames": 0, "drawings": 0}, "other": {"count": 4, "frames": 44,
"drawings": 3}}}, "done": {"count": 1, "frames": 24, "drawings": 7}, "retake": {"count": 2, "frames": 10,
"drawings": 3}, "other": {"count": 3, "frames": 34, "drawings": 0}}, "ANIM": {"max_retake_count": 2,
"evolution": {"1": {"done": {"count": 0, "frames": 0, "drawings": 0}, "retake": {"count": 2, "frames": 34,
"drawings": 10}, "other": {"count": 1, "frames": 0, "drawings": 0}}, "2": {"done": {"count": 0, "frames": 0,
"drawings": 0}, "retake": {"count": 1, "frames": 24, "drawings": 7}, "other": {"count": 2, "frames": 10,
"drawings": 3}}}, "done": {"count": 1, "frames": 24, "drawings": 7}, "retake": {"count": 1, "frames": 10,
"drawings": 3}, "other": {"count": 1, "frames": 0, "drawings": 0}}, "COMP": {"max_retake_count": 3,
"evolution": {"1": {"done": {"count": 0, "frames": 0, "drawings": 0}, "retake": {"count": 1, "frames": 0,
"drawings": 0}, "other": {"count": 2, "frames": 34, "drawings": 0}}, "2": {"done": {"count": 0, "frames": 0,
"drawings": 0}, "retake": {"count": 1, "frames": 0, "drawings": 0}, "other": {"count": 2, "frames": 34,
"drawings": 0}}, "3": {"done": {"count": 0, "frames": 0, "drawings": 0}, "retake": {"count": 1, "frames": 0,
"drawings": 0}, "other": {"count": 2, "frames": 34, "drawings": 0}}}, "done": {"count": 0, "frames": 0,
"drawings": 0}, "retake": {"count": 1, "frames": 0, "drawings": 0}, "other": {"count": 2, "frames": 34,
"drawings": 0}}}}"""


def expected(text: str, ids: dict[str, str]) -> dict:
    def sub(value):
        if isinstance(value, dict):
            return {ids.get(k, k): sub(v) for k, v in value.items()}
        if isinstance(value, str):
            return ids.get("name:" + value, value)
        return value

    return sub(json.loads(text))


@pytest.fixture
async def production(make, people):
    team = [people[r] for r in ("manager", "supervisor", "user", "client", "vendor")]
    project = await make.project(team=team, production_type="tvshow")
    episode = await make.episode(project, "E01")
    sq1 = await make.sequence(project, "SQ01", episode=episode)
    sq2 = await make.sequence(project, "SQ02", episode=episode)
    shots = [
        await make.shot(project, sq1, "SH010", nb_frames=24),
        await make.shot(project, sq1, "SH020", nb_frames=10),
        await make.shot(project, sq2, "SH030"),
    ]
    anim = await make.task_type(for_entity="Shot")
    comp = await make.task_type(for_entity="Shot")
    todo = await make.task_status("D1 todo", short_name="d1todo", color="#f5f5f5")
    retake = await make.task_status("D1 retake", short_name="d1retake", color="#ff3860", is_retake=True)
    done = await make.task_status("D1 done", short_name="d1done", color="#22d160", is_done=True)
    tasks = {}
    for task_type in (anim, comp):
        for shot in shots:
            tasks[(shot["name"], task_type["id"])] = await make.task(shot, task_type, status=todo)
    tables = (("SH010", anim, done, 2, 7), ("SH020", anim, retake, 1, 3), ("SH030", comp, retake, 3, 0))
    for shot_name, task_type, status, retakes, drawings in tables:
        task = tasks[(shot_name, task_type["id"])]
        await make.session.execute(
            update(Task.__table__)
            .where(Task.__table__.c.id == task["id"])
            .values(task_status_id=status["id"], retake_count=retakes, nb_drawings=drawings)
        )
    ids = {
        "EP": episode["id"],
        "ANIM": anim["id"],
        "COMP": comp["id"],
        "TODO": todo["id"],
        "RETAKE": retake["id"],
        "DONE": done["id"],
        "name:todo": "d1todo",
        "name:retake": "d1retake",
        "name:done": "d1done",
    }
    return {"project": project, "ids": ids, "tasks": tasks, "anim": anim, "shots": shots, "sequence": sq2}


async def test_episode_stats_match_reference(as_supervisor, production):
    r = await as_supervisor.get(f"/data/projects/{production['project']['id']}/episodes/stats")
    assert r.status_code == 200, r.text
    assert r.json() == expected(REF_STATS, production["ids"])


async def test_episode_retake_stats_match_reference(as_artist, production):
    r = await as_artist.get(f"/data/projects/{production['project']['id']}/episodes/retake-stats")
    assert r.status_code == 200, r.text
    assert r.json() == expected(REF_RETAKE_STATS, production["ids"])


async def test_empty_project_stats(as_admin, make):
    project = await make.project()
    assert (await as_admin.get(f"/data/projects/{project['id']}/episodes/stats")).json() == {}
    r = await as_admin.get(f"/data/projects/{project['id']}/episodes/retake-stats")
    assert r.json() == {
        "all": {
            "all": {
                "max_retake_count": 0,
                "evolution": {},
                "done": {"count": 0, "frames": 0, "drawings": 0},
                "retake": {"count": 0, "frames": 0, "drawings": 0},
                "other": {"count": 0, "frames": 0, "drawings": 0},
            }
        }
    }


async def test_vendor_counts_its_own_tasks(as_vendor, production, make, people):
    task = production["tasks"][("SH010", production["anim"]["id"])]
    await make.session.execute(insert(TaskPersonLink.__table__).values(task_id=task["id"], person_id=people["vendor"]))
    ids = production["ids"]
    r = await as_vendor.get(f"/data/projects/{production['project']['id']}/episodes/stats")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {ids["EP"], "all"}
    assert body["all"]["all"] == {
        ids["DONE"]: {"name": "d1done", "color": "#22d160", "count": 1, "frames": 24, "drawings": 7}
    }
    r = await as_vendor.get(f"/data/projects/{production['project']['id']}/episodes/retake-stats")
    assert r.status_code == 200
    assert r.json()["all"]["all"]["done"] == {"count": 1, "frames": 24, "drawings": 7}
    assert r.json()["all"]["all"]["other"]["count"] == 0


async def test_client_stats_visibility(as_client, production, db):
    project_id = production["project"]["id"]
    assert (await as_client.get(f"/data/projects/{project_id}/episodes/stats")).status_code == 200
    assert (await as_client.get(f"/data/projects/{project_id}/episodes/retake-stats")).status_code == 403
    await db.execute(update(Project.__table__).where(Project.id == project_id).values(is_client_stats_visible=False))
    assert (await as_client.get(f"/data/projects/{project_id}/episodes/stats")).status_code == 403


@pytest.mark.parametrize("route", ["stats", "retake-stats"])
async def test_stats_errors(route, anon, as_admin, client_for, people, make):
    project = await make.project()
    path = f"/data/projects/{project['id']}/episodes/{route}"
    assert (await anon.get(path)).status_code == 401
    async with client_for(people["user"]) as c:
        assert (await c.get(path)).status_code == 403  # not on the team
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/episodes/{route}")).status_code == 404
    assert (await as_admin.get(f"/data/projects/nope/episodes/{route}")).status_code == 400


@pytest.mark.parametrize("route", ["stats", "retake-stats"])
async def test_stats_query_count(route, as_admin, production, make, queries):
    path = f"/data/projects/{production['project']['id']}/episodes/{route}"
    queries.reset()
    assert (await as_admin.get(path)).status_code == 200
    before = queries.count
    for i in range(15):
        shot = await make.shot(production["project"], production["sequence"], f"SHX{i}", nb_frames=i)
        await make.task(shot, production["anim"], retake_count=i % 4, nb_drawings=i)
    queries.reset()
    assert (await as_admin.get(path)).status_code == 200
    assert queries.count == before
