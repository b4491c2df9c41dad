"""The user's task lists: to-do (`/data/user/tasks`), done tasks, tasks to check and their filter values."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from helpers import UNKNOWN, add

from app.repositories.tables.tasks import Comment

EXTRA_KEYS = [
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
    "task_estimation",
    "task_duration",
    "task_start_date",
    "task_due_date",
    "task_type_name",
    "task_status_name",
    "task_type_color",
    "task_status_color",
    "task_status_short_name",
]
NOW = datetime(2024, 5, 1, 10, 0, 0)


async def comment(db, task, person_id, text, at):
    return await add(
        db, Comment, object_id=task["id"], object_type="Task", person_id=person_id, text=text, created_at=at
    )


@pytest.fixture
async def todo(make, people):
    uid = people["user"]
    project = await make.project("Alpha", team=[uid, people["client"], people["manager"], people["supervisor"]])
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "SQ01", episode=episode)
    shot = await make.shot(project, sequence, "SH01", description="a shot", data={"k": 1})
    hero = await make.asset(project, await make.entity_type("Character"), "Hero", source_id=episode["id"])
    prop = await make.asset(project, await make.entity_type("Prop"), "Cup")
    orphan_source = await make.asset(project, await make.entity_type("Prop"), "Bag", source_id=shot["id"])
    animation = await make.task_type("Animation", for_entity="Shot", color="#009688")
    modeling = await make.task_type("Modeling")
    done = await make.task_status("Done it", short_name="dn", is_done=True, color="#22d160")
    wfa = await make.task_status("Waiting", short_name="wt", is_feedback_request=True)
    tasks = {
        "shot": await make.task(shot, animation, assignees=[uid], estimation=3.0),
        "hero": await make.task(hero, modeling, assignees=[uid]),
        "prop": await make.task(prop, modeling, assignees=[uid], status=wfa),
        "bag": await make.task(orphan_source, modeling, assignees=[uid]),
        "done_old": await make.task(shot, modeling, assignees=[uid], status=done, end_date=NOW - timedelta(days=3)),
        "done_new": await make.task(hero, animation, assignees=[uid], status=done, end_date=NOW),
        "not_mine": await make.task(prop, animation, assignees=[people["manager"]]),
    }
    closed = await make.project(team=[uid], closed=True)
    closed_asset = await make.asset(closed, None, "Old")
    await make.task(closed_asset, modeling, assignees=[uid])
    outside = await make.project()  # assigned there but not on its team
    await make.task(await make.asset(outside, None, "Far"), modeling, assignees=[uid])
    return {
        "project": project,
        "episode": episode,
        "sequence": sequence,
        "shot": shot,
        "hero": hero,
        "prop": prop,
        "animation": animation,
        "modeling": modeling,
        "done": done,
        "wfa": wfa,
        "tasks": tasks,
    }


async def test_todo_list(as_artist, anon, db, make, people, todo):
    tasks = todo["tasks"]
    await make.cast(todo["episode"], todo["hero"])
    await comment(db, tasks["shot"], people["manager"], "first", NOW)
    await comment(db, tasks["shot"], people["supervisor"], "latest", NOW + timedelta(hours=1))
    await comment(db, tasks["shot"], people["client"], "from a client", NOW + timedelta(hours=2))
    r = await as_artist.get("/data/user/tasks")
    assert r.status_code == 200, r.text
    body = {t["id"]: t for t in r.json()}
    assert set(body) == {tasks[k]["id"] for k in ("shot", "hero", "prop", "bag")}
    shot_task = body[tasks["shot"]["id"]]
    keys = list(shot_task)
    assert keys[keys.index("type") + 1 :] == [*EXTRA_KEYS, "assignees", "last_comment"]
    assert keys.index("type") == keys.index("updated_at") + 1
    assert shot_task["project_name"] == "Alpha" and shot_task["project_id"] == todo["project"]["id"]
    assert shot_task["entity_name"] == "SH01" and shot_task["entity_description"] == "a shot"
    assert shot_task["entity_data"] == {"k": 1} and shot_task["entity_preview_file_id"] == ""
    assert shot_task["entity_source_id"] == "" and shot_task["entity_type_name"] == "Shot"
    assert shot_task["sequence_name"] == "SQ01"
    assert shot_task["episode_id"] == todo["episode"]["id"] and shot_task["episode_name"] == "E01"
    assert shot_task["task_type_name"] == "Animation" and shot_task["task_type_color"] == "#009688"
    assert shot_task["task_type_for_entity"] == "Shot" and shot_task["task_estimation"] == 3.0
    assert shot_task["task_status_short_name"] == "todo"
    assert shot_task["assignees"] == [people["user"]]
    assert shot_task["last_comment"] == {
        "text": "latest",
        "date": "2024-05-01T11:00:00",
        "person_id": people["supervisor"],
    }
    hero_task = body[tasks["hero"]["id"]]
    # an asset made for an episode, and cast in it
    assert hero_task["entity_source_id"] == todo["episode"]["id"]
    assert hero_task["episode_id"] == todo["episode"]["id"] and hero_task["episode_name"] == "E01"
    assert hero_task["episode_ids"] == [todo["episode"]["id"]] and hero_task["episode_names"] == ["E01"]
    assert list(hero_task)[-4:] == ["episode_ids", "episode_names", "assignees", "last_comment"]
    assert hero_task["last_comment"] == {} and hero_task["sequence_name"] is None
    # no episode at all; a source that is no episode reads as the main pack
    prop_task = body[tasks["prop"]["id"]]
    assert prop_task["episode_id"] == "" and prop_task["episode_name"] is None and "episode_ids" not in prop_task
    bag_task = body[tasks["bag"]["id"]]
    assert bag_task["episode_id"] == todo["shot"]["id"] and bag_task["episode_name"] == "MP"
    assert (await anon.get("/data/user/tasks")).status_code == 401


async def test_done_tasks(as_artist, as_manager, anon, todo):
    tasks = todo["tasks"]
    r = await as_artist.get("/data/user/done-tasks")
    assert r.status_code == 200
    body = r.json()
    assert [t["id"] for t in body] == [tasks["done_new"]["id"], tasks["done_old"]["id"]]  # latest end first
    assert body[0]["task_status_name"] == "Done it" and body[0]["task_status_color"] == "#22d160"
    assert body[0]["end_date"] == "2024-05-01T10:00:00"
    assert (await as_manager.get("/data/user/done-tasks")).json() == []
    assert (await anon.get("/data/user/done-tasks")).status_code == 401


async def test_todo_query_count_is_fixed(as_artist, db, make, people, queries):
    uid = people["user"]
    project = await make.project(team=[uid])
    episode = await make.episode(project)
    task_type = await make.task_type()
    asset = await make.asset(project)
    await make.cast(episode, asset)
    task = await make.task(asset, task_type, assignees=[uid])
    await comment(db, task, people["manager"], "hi", NOW)
    queries.reset()
    assert len((await as_artist.get("/data/user/tasks")).json()) == 1
    one = queries.count
    for i in range(30):
        other = await make.asset(project, name=f"A{i}")
        await make.cast(episode, other)
        row = await make.task(other, task_type, assignees=[uid, people["manager"]])
        await comment(db, row, people["manager"], "hi", NOW)
    queries.reset()
    assert len((await as_artist.get("/data/user/tasks")).json()) == 31
    assert queries.count == one
    queries.reset()
    await as_artist.get("/data/user/done-tasks")
    assert queries.count <= one


# --- tasks to check ------------------------------------------------------------------------------


async def test_tasks_to_check_by_role(as_admin, as_manager, as_supervisor, as_artist, as_client, anon, make, todo):
    tasks = todo["tasks"]
    r = await as_manager.get("/data/user/tasks-to-check")
    assert r.status_code == 200
    body = r.json()
    assert [t["id"] for t in body] == [tasks["prop"]["id"]]
    assert body[0]["task_status_name"] == "Waiting" and body[0]["assignees"] == [as_artist.person_id]
    assert body[0]["last_comment"] == {} and "episode_ids" not in body[0]
    # admins check every open project, the manager's team ones only
    other = await make.project()
    elsewhere = await make.task(await make.asset(other, None, "Elsewhere"), todo["modeling"], status=todo["wfa"])
    admin_ids = {t["id"] for t in (await as_admin.get("/data/user/tasks-to-check")).json()}
    assert {tasks["prop"]["id"], elsewhere["id"]} <= admin_ids
    assert [t["id"] for t in (await as_manager.get("/data/user/tasks-to-check")).json()] == [tasks["prop"]["id"]]
    # supervisors: their departments' task types only (no department: no narrowing)
    assert [t["id"] for t in (await as_supervisor.get("/data/user/tasks-to-check")).json()] == [tasks["prop"]["id"]]
    await make.department(members=[as_supervisor.person_id])
    assert (await as_supervisor.get("/data/user/tasks-to-check")).json() == []
    # artists and clients check nothing
    assert (await as_artist.get("/data/user/tasks-to-check")).json() == []
    r = await as_client.get("/data/user/tasks-to-check", params={"page": 2})
    assert r.json() == {
        "data": [],
        "stats": {"total": 0, "total_duration": 0, "total_estimation": 0},
        "page": 2,
        "limit": 100,
        "is_more": False,
    }
    assert (await anon.get("/data/user/tasks-to-check")).status_code == 401


async def test_tasks_to_check_filters_and_pages(as_admin, as_manager, make, people, todo):
    project, wfa, modeling = todo["project"], todo["wfa"], todo["modeling"]
    due = NOW + timedelta(days=10)
    extra = await make.task(todo["hero"], await make.task_type("Rig"), status=wfa, due_date=due, estimation=2.5)
    prop_id = todo["tasks"]["prop"]["id"]

    async def ids(**params):
        r = await as_manager.get("/data/user/tasks-to-check", params=params)
        assert r.status_code == 200, r.text
        return [t["id"] for t in r.json()]

    assert set(await ids()) == {prop_id, extra["id"]}
    assert await ids(person_id="unassigned") == [extra["id"]]
    assert await ids(person_id=people["user"]) == [prop_id]
    assert await ids(person_id=f"{people['manager']},{people['user']}") == [prop_id]
    assert await ids(episode_id=todo["episode"]["id"]) == [extra["id"]]  # the hero is made for the episode
    assert await ids(task_type_id=modeling["id"]) == [prop_id]
    assert await ids(due_date_since="2024-05-05") == [extra["id"]]
    assert await ids(due_date_until="2024-05-05T00:00:00") == []
    assert set(await ids(project_id=project["id"], task_status_id=wfa["id"])) == {prop_id, extra["id"]}
    assert await ids(project_id=UNKNOWN) == []
    assert await ids(order_by="due_date") == [extra["id"], prop_id]
    assert await ids(order_by="estimation") == [extra["id"], prop_id]
    r = await as_manager.get("/data/user/tasks-to-check", params={"page": 1, "limit": 1, "order_by": "due_date"})
    page = r.json()
    assert list(page) == ["data", "stats", "page", "limit", "is_more"]
    assert [t["id"] for t in page["data"]] == [extra["id"]]
    assert page["stats"] == {"total": 2, "total_duration": 0, "total_estimation": 2.5}
    assert page["page"] == 1 and page["limit"] == 1 and page["is_more"] is True
    page = (await as_manager.get("/data/user/tasks-to-check", params={"page": 2, "limit": 1})).json()
    assert len(page["data"]) == 1 and page["is_more"] is False
    # bad values
    for params, message in (
        ({"project_id": "xx"}, "Wrong UUID format."),
        ({"episode_id": ""}, "Wrong UUID format."),
        ({"person_id": f"{people['user']},nope"}, "Wrong UUID format."),
        ({"page": "x"}, "Wrong value for parameter page."),
        ({"limit": "1.5"}, "Wrong value for parameter limit."),
        (
            {"due_date_since": "05/01/2024"},
            "Wrong date format for before argument.Expected format: 2020-01-05T13:23:10 or 2020-01-05",
        ),
    ):
        r = await as_admin.get("/data/user/tasks-to-check", params=params)
        assert r.status_code == 400 and r.json() == {"error": True, "message": message, "data": None}, params


async def test_tasks_to_check_query_count_is_fixed(as_admin, make, todo, people, queries):
    queries.reset()
    await as_admin.get("/data/user/tasks-to-check")
    few = queries.count
    for i in range(20):
        asset = await make.asset(todo["project"], None, f"Many {i}")
        await make.task(asset, todo["modeling"], status=todo["wfa"], assignees=[people["user"]])
    queries.reset()
    assert len((await as_admin.get("/data/user/tasks-to-check")).json()) >= 21
    assert queries.count == few


async def test_tasks_to_check_filter_values(as_manager, as_supervisor, as_artist, anon, make, people, todo):
    seq_type = await make.task_type("Seq", for_entity="Sequence")
    await make.task(todo["sequence"], seq_type, status=todo["wfa"], assignees=[people["supervisor"]])
    r = await as_manager.get("/data/user/tasks-to-check/filter-values")
    assert r.status_code == 200
    assert r.json() == {
        "project_ids": [todo["project"]["id"]],
        "task_type_ids": sorted([todo["modeling"]["id"], seq_type["id"]]),
        "task_status_ids": [todo["wfa"]["id"]],
        "episode_ids": [todo["episode"]["id"]],  # the sequence's parent
        "person_ids": sorted([people["user"], people["supervisor"]]),
    }
    await make.department(members=[people["supervisor"]])
    empty = {"project_ids": [], "task_type_ids": [], "task_status_ids": [], "episode_ids": [], "person_ids": []}
    assert (await as_supervisor.get("/data/user/tasks-to-check/filter-values")).json() == empty
    assert (await as_artist.get("/data/user/tasks-to-check/filter-values")).json() == empty
    assert (await anon.get("/data/user/tasks-to-check/filter-values")).status_code == 401
