"""Tasks: a person's tasks, open tasks and their aggregates, project and entity task lists."""

from __future__ import annotations

import datetime

from helpers import UNKNOWN, add
from zou_shapes import TASK_COLUMNS, TASK_KEYS

from app.repositories.tables.entities import EntityLink
from app.repositories.tables.tasks import Comment

DETAIL_KEYS = [
    "project_name",
    "project_has_avatar",
    "entity_name",
    "entity_description",
    "entity_data",
    "entity_preview_file_id",
    "entity_source_id",
    "entity_type_name",
    "entity_canceled",
    "sequence_name",
    "episode_id",
    "episode_name",
    "task_type_for_entity",
]
BASE_KEYS = TASK_KEYS


async def production(make, people, nb_shots=1):
    project = await make.project(team=[people[r] for r in ("manager", "supervisor", "user", "client", "vendor")])
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "SQ01", episode=episode)
    task_type = await make.task_type(for_entity="Shot")
    wip = await make.task_status()
    done = await make.task_status(is_done=True)
    shots = [await make.shot(project, sequence, f"SH{i:03}") for i in range(nb_shots)]
    tasks = [
        await make.task(
            shot, task_type, assignees=[people["user"]], status=wip, due_date=datetime.datetime(2026, 12, 1)
        )
        for shot in shots
    ]
    return project, episode, sequence, task_type, wip, done, shots, tasks


async def test_person_tasks(as_admin, as_manager, as_client, as_vendor, anon, make, people, db, queries):
    project, episode, sequence, task_type, wip, done, shots, tasks = await production(make, people)
    asset = await make.asset(project, name="Hero")
    modeling = await make.task_type()
    asset_task = await make.task(asset, modeling, assignees=[people["user"]], status=wip)
    await add(db, EntityLink, entity_in_id=episode["id"], entity_out_id=asset["id"], nb_occurences=1)
    await add(
        db,
        Comment,
        object_id=tasks[0]["id"],
        object_type="Task",
        person_id=people["manager"],
        task_status_id=wip["id"],
        text="hello",
    )
    await add(
        db, Comment, object_id=tasks[0]["id"], object_type="Task", person_id=people["client"], task_status_id=wip["id"]
    )
    url = f"/data/persons/{people['user']}/tasks"
    queries.reset()
    r = await as_manager.get(url)
    assert r.status_code == 200, r.text
    count = queries.count
    body = r.json()
    assert {t["id"] for t in body} == {tasks[0]["id"], asset_task["id"]}
    shot_task = next(t for t in body if t["id"] == tasks[0]["id"])
    assert list(shot_task) == [
        *BASE_KEYS,
        *DETAIL_KEYS,
        "task_estimation",
        "task_duration",
        "task_start_date",
        "task_due_date",
        "task_type_name",
        "task_status_name",
        "task_type_color",
        "task_status_color",
        "task_status_short_name",
        "assignees",
        "last_comment",
    ]
    assert shot_task["project_name"] == project["name"] and shot_task["entity_name"] == "SH000"
    assert shot_task["sequence_name"] == "SQ01" and shot_task["episode_id"] == episode["id"]
    assert shot_task["episode_name"] == "E01" and shot_task["entity_preview_file_id"] == ""
    assert shot_task["task_due_date"] == "2026-12-01T00:00:00" and shot_task["task_status_name"] == wip["name"]
    assert shot_task["assignees"] == [people["user"]]
    assert shot_task["last_comment"]["text"] == "hello" and shot_task["last_comment"]["person_id"] == people["manager"]
    asset_row = next(t for t in body if t["id"] == asset_task["id"])
    assert asset_row["episode_id"] == "" and asset_row["episode_name"] is None and asset_row["last_comment"] == {}
    assert asset_row["episode_ids"] == [episode["id"]] and asset_row["episode_names"] == ["E01"]
    # a fixed number of statements
    for i in range(5):
        shot = await make.shot(project, sequence, f"X{i}")
        await make.task(shot, task_type, assignees=[people["user"]], status=wip)
    queries.reset()
    assert len((await as_manager.get(url)).json()) == 7 and queries.count == count
    # done tasks
    done_task = await make.task(await make.shot(project, sequence), task_type, assignees=[people["user"]], status=done)
    r = await as_admin.get(f"/data/persons/{people['user']}/done-tasks")
    assert r.status_code == 200 and [t["id"] for t in r.json()] == [done_task["id"]]
    # clients get nothing, vendors may only ask for themselves
    assert (await as_client.get(url)).json() == []
    assert (await as_vendor.get(url)).status_code == 403
    assert (await anon.get(url)).status_code == 401
    assert (await as_admin.get(f"/data/persons/{UNKNOWN}/tasks")).status_code == 404
    assert (await as_admin.get("/data/persons/nope/tasks")).status_code == 400
    assert (await as_vendor.get(f"/data/persons/{people['user']}/done-tasks")).status_code == 403


async def test_related_tasks(as_manager, as_vendor, anon, make, people):
    project, episode, sequence, task_type, wip, done, shots, tasks = await production(make, people)
    layout = await make.task_type(for_entity="Shot")
    related = await make.task(shots[0], layout)
    await make.task(await make.shot(project, sequence), layout)  # not on a shot the artist works on
    url = f"/data/persons/{people['user']}/related-tasks/{layout['id']}"
    r = await as_manager.get(url)
    assert r.status_code == 200 and [t["id"] for t in r.json()] == [related["id"]]
    assert list(r.json()[0]) == BASE_KEYS
    assert (await as_vendor.get(url)).status_code == 403
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(f"/data/persons/{UNKNOWN}/related-tasks/{layout['id']}")).status_code == 404
    assert (await as_manager.get(f"/data/persons/{people['user']}/related-tasks/bad")).status_code == 400


async def test_persons_task_dates(as_admin, as_supervisor, as_artist, anon, make, people):
    project, episode, sequence, task_type, wip, done, shots, tasks = await production(make, people)
    r = await as_admin.get("/data/persons/task-dates")
    assert r.status_code == 200
    entry = next(e for e in r.json() if e["person_id"] == people["user"])
    assert entry == {
        "person_id": people["user"],
        "min_date": None,
        "max_date": "2026-12-01T00:00:00",
        "busy_periods": [],
    }
    r = await as_supervisor.get(f"/data/persons/task-dates?project_id={project['id']}")
    assert r.status_code == 200 and any(e["person_id"] == people["user"] for e in r.json())
    # a production of another team: anonymous busy periods
    elsewhere = await make.project()
    shot = await make.shot(elsewhere, await make.sequence(elsewhere))
    await make.task(
        shot,
        task_type,
        assignees=[people["admin"]],
        start_date=datetime.datetime(2026, 1, 1),
        due_date=datetime.datetime(2026, 1, 5),
    )
    r = await as_supervisor.get("/data/persons/task-dates")
    entry = next(e for e in r.json() if e["person_id"] == people["admin"])
    assert entry["min_date"] is None and entry["busy_periods"] == [
        {"start_date": "2026-01-01 00:00:00", "end_date": "2026-01-05 00:00:00"}
    ]
    assert (await as_artist.get("/data/persons/task-dates")).status_code == 403
    assert (await as_supervisor.get(f"/data/persons/task-dates?project_id={elsewhere['id']}")).status_code == 403
    assert (await as_admin.get("/data/persons/task-dates?project_id=bad")).status_code == 400
    assert (await anon.get("/data/persons/task-dates")).status_code == 401


async def test_open_tasks(as_admin, as_manager, as_artist, anon, make, people, queries):
    project, episode, sequence, task_type, wip, done, shots, tasks = await production(make, people, nb_shots=3)
    queries.reset()
    r = await as_manager.get(f"/data/tasks/open-tasks?project_id={project['id']}&limit=2")
    assert r.status_code == 200, r.text
    count = queries.count
    body = r.json()
    assert list(body) == ["data", "stats", "limit", "is_more", "page"]
    assert body["limit"] == 2 and body["is_more"] is True and body["page"] == 1
    assert body["stats"] == {
        "total_duration": 0.0,
        "total_estimation": 0.0,
        "total": 3,
        "status": [{"task_status_id": wip["id"], "amount": 3}],
    }
    row = body["data"][0]
    assert list(row) == [
        *BASE_KEYS,
        *DETAIL_KEYS,
        "type_name",
        "status_name",
        "type_color",
        "status_color",
        "status_short_name",
        "assignees",
    ]
    assert [t["entity_name"] for t in body["data"]] == ["SH000", "SH001"]
    assert (
        row["type_name"] == task_type["name"]
        and row["status_name"] == wip["name"]
        and row["assignees"] == [people["user"]]
    )
    r = await as_manager.get(f"/data/tasks/open-tasks?project_id={project['id']}&limit=2&page=2")
    assert [t["entity_name"] for t in r.json()["data"]] == ["SH002"] and r.json()["is_more"] is False
    # more rows, same statements
    for _ in range(10):
        await make.task(await make.shot(project, sequence), task_type, status=wip)
    queries.reset()
    r = await as_manager.get(f"/data/tasks/open-tasks?project_id={project['id']}&limit=2")
    assert r.json()["stats"]["total"] == 13 and queries.count == count
    # filters
    r = await as_admin.get(f"/data/tasks/open-tasks?person_id={people['user']}&project_id={project['id']}")
    assert r.json()["stats"]["total"] == 3
    r = await as_admin.get(f"/data/tasks/open-tasks?person_id=unassigned&project_id={project['id']}")
    assert r.json()["stats"]["total"] == 10
    r = await as_admin.get(f"/data/tasks/open-tasks?task_status_id={done['id']}")
    assert r.json() == {
        "data": [],
        "stats": {"total_duration": 0, "total_estimation": 0, "total": 0, "status": []},
        "limit": 100,
        "is_more": False,
        "page": 1,
    }
    r = await as_artist.get("/data/tasks/open-tasks")
    assert r.json()["stats"]["total"] == 13
    # errors
    assert (await anon.get("/data/tasks/open-tasks")).status_code == 401
    r = await as_admin.get("/data/tasks/open-tasks?project_id=bad")
    assert r.status_code == 400 and r.json()["message"] == "Wrong UUID format."
    assert (await as_admin.get("/data/tasks/open-tasks?start_date=bad")).status_code == 400
    assert (await as_admin.get("/data/tasks/open-tasks?limit=bad")).status_code == 400
    other = await make.project()
    assert (await as_artist.get(f"/data/tasks/open-tasks?project_id={other['id']}")).status_code == 403


async def test_open_tasks_stats_and_burndown(as_admin, as_artist, anon, make, people):
    project, episode, sequence, task_type, wip, done, shots, tasks = await production(make, people, nb_shots=2)
    await make.task(
        await make.shot(project, sequence),
        task_type,
        status=done,
        estimation=2,
        done_date=datetime.datetime(2026, 11, 30, 10),
        start_date=datetime.datetime(2026, 11, 1),
    )
    r = await as_artist.get("/data/tasks/open-tasks/stats")
    assert r.status_code == 200
    stats = r.json()[project["id"]]
    assert stats["amount"] == 3 and stats["amount_done"] == 1 and stats["total_estimation"] == 2
    assert sorted((s["task_status_id"], s["amount"]) for s in stats["task_types"]) == sorted(
        [(wip["id"], 2), (done["id"], 1)]
    )
    assert list(stats["task_types"][0]) == [
        "task_status_id",
        "task_type_id",
        "project_id",
        "amount",
        "amount_done",
        "total_duration",
        "total_estimation",
    ]
    r = await as_artist.get(f"/data/tasks/open-tasks/burndown?project_id={project['id']}")
    assert r.status_code == 200
    assert r.json() == {
        "total": 3,
        "total_estimation": 2,
        "start_date": "2026-11-01",
        "end_date": "2026-12-01",
        "done_by_day": [{"date": "2026-11-30", "done": 1, "done_estimation": 2}],
    }
    assert (await anon.get("/data/tasks/open-tasks/stats")).status_code == 401
    assert (await anon.get("/data/tasks/open-tasks/burndown")).status_code == 401
    assert (await as_admin.get("/data/tasks/open-tasks/burndown?due_date=x")).status_code == 400
    other = await make.project()
    assert (await as_artist.get(f"/data/tasks/open-tasks/burndown?project_id={other['id']}")).status_code == 403


async def test_project_tasks(as_manager, as_vendor, anon, make, people, queries):
    project, episode, sequence, task_type, wip, done, shots, tasks = await production(make, people, nb_shots=2)
    url = f"/data/projects/{project['id']}/tasks"
    queries.reset()
    r = await as_manager.get(url)
    assert r.status_code == 200
    count = queries.count
    assert {t["id"] for t in r.json()} == {t["id"] for t in tasks}
    assert list(r.json()[0]) == [*TASK_COLUMNS, "assignees", "id", "created_at", "updated_at", "type"]
    for _ in range(5):
        await make.task(await make.shot(project, sequence), task_type)
    queries.reset()
    assert len((await as_manager.get(url)).json()) == 7 and queries.count == count
    r = await as_manager.get(url + "?page=1")
    assert {k: v for k, v in r.json().items() if k != "data"} == {
        "total": 7,
        "nb_pages": 1,
        "limit": 100,
        "offset": 0,
        "page": 1,
    }
    other_type = await make.task_type(for_entity="Shot")
    await make.task(shots[0], other_type)
    assert len((await as_manager.get(url + f"?task_type_id={other_type['id']}")).json()) == 1
    assert len((await as_manager.get(url + f"?episode_id={episode['id']}")).json()) == 8
    assert (await as_vendor.get(url)).json() == []
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(f"/data/projects/{(await make.project())['id']}/tasks")).status_code == 403
    assert (await as_manager.get(f"/data/projects/{UNKNOWN}/tasks")).status_code == 404
    assert (await as_manager.get("/data/projects/bad/tasks")).status_code == 400


async def test_entity_task_type_tasks(as_manager, as_client, anon, make, people):
    project, episode, sequence, task_type, wip, done, shots, tasks = await production(make, people)
    url = f"/data/entities/{shots[0]['id']}/task-types/{task_type['id']}/tasks"
    r = await as_manager.get(url)
    assert r.status_code == 200 and [t["id"] for t in r.json()] == [tasks[0]["id"]]
    assert list(r.json()[0]) == BASE_KEYS
    r = await as_client.get(url)
    assert r.status_code == 200 and r.json()[0]["due_date"] is None
    assert (await anon.get(url)).status_code == 401
    outsider = await make.shot(await make.project(), sequence)
    assert (
        await as_manager.get(f"/data/entities/{outsider['id']}/task-types/{task_type['id']}/tasks")
    ).status_code == 403
    assert (await as_manager.get(f"/data/entities/{UNKNOWN}/task-types/{task_type['id']}/tasks")).status_code == 404
    assert (await as_manager.get(f"/data/entities/bad/task-types/{task_type['id']}/tasks")).status_code == 400
