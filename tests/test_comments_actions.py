"""Batch comments, client comment copies, moves, deletion, hashtags and status automations."""

from __future__ import annotations

from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select
from test_comments_post import post, setup, statuses, task_row

from app.repositories.tables.catalog import StatusAutomation
from app.repositories.tables.entities import Entity
from app.repositories.tables.projects import ProjectStatusAutomationLink, ProjectTaskTypeLink
from app.repositories.tables.tasks import Comment, News, Notification

comment_table = Comment.__table__


async def comment_rows(db, task_id):
    stmt = select(comment_table).where(comment_table.c.object_id == task_id).order_by(comment_table.c.created_at)
    return [dict(r) for r in (await db.execute(stmt)).mappings()]


# --- comment-many -------------------------------------------------------------------------


async def test_comment_many(as_manager, as_artist, as_vendor, anon, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    other = await make.task(asset, await make.task_type())
    url = f"/actions/projects/{project['id']}/tasks/comment-many"
    items = [
        {"object_id": task["id"], "task_status_id": st["wip"]["id"], "comment": "one"},
        {"object_id": other["id"], "task_status_id": st["wfa"]["id"]},  # no text: skipped
        {"object_id": other["id"], "task_status_id": st["wfa"]["id"], "comment": "two", "links": ["http://x"]},
    ]
    r = await as_manager.post(url, json=items)
    assert r.status_code == 201, r.text
    body = r.json()
    assert [c["text"] for c in body] == ["one", "two"]
    assert body[1]["links"] == ["http://x"] and body[1]["person_id"] == people["manager"]
    assert list(body[0])[-2:] == ["task_status", "person"]
    assert (await task_row(db, other["id"]))["task_status_id"] == st["wfa"]["id"]
    assert len(await events_named(db, "comment:new")) == 2
    # an artist comments only the tasks assigned to them
    r = await as_artist.post(url, json=items)
    assert r.status_code == 201 and [c["object_id"] for c in r.json()] == [task["id"]]
    assert (await as_vendor.post(url, json=items)).json() == []
    assert (await anon.post(url, json=items)).status_code == 401
    r = await as_manager.post(url, json={"a": 1})
    assert r.status_code == 400 and r.json()["message"] == "Request body must be a JSON array."
    r = await as_manager.post(url, json=[{"object_id": "zz"}])
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "0.object_id"
    r = await as_manager.post(url, json=[{"object_id": UNKNOWN, "task_status_id": st["wip"]["id"], "comment": "x"}])
    assert r.status_code == 404
    assert (await as_manager.post(f"/actions/projects/{UNKNOWN}/tasks/comment-many", json=[])).status_code == 404
    assert (await as_manager.post("/actions/projects/nope/tasks/comment-many", json=[])).status_code == 400
    # artists keep to artist-allowed statuses
    locked = [{"object_id": task["id"], "task_status_id": st["locked"]["id"], "comment": "x"}]
    assert (await as_artist.post(url, json=locked)).status_code == 403


# --- copy-client-comments ----------------------------------------------------------------------


async def test_copy_client_comments(as_manager, as_client, as_artist, anon, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    other = await make.task(asset, await make.task_type())
    assert (await post(as_client, task["id"], st["wip"]["id"], "first")).status_code == 201
    assert (await post(as_client, task["id"], st["wfa"]["id"], "client says")).status_code == 201
    assert (await post(as_manager, task["id"], st["retake"]["id"], "studio")).status_code == 201
    url = f"/actions/projects/{project['id']}/tasks/copy-client-comments"
    r = await as_manager.post(url, json={"task_ids": [task["id"], other["id"]], "prefix": "From client:"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body) == 1
    assert body[0]["text"] == "From client:\n\nclient says" and body[0]["person_id"] == people["manager"]
    assert body[0]["task_status_id"] == st["retake"]["id"]  # the task keeps its status
    assert (await task_row(db, task["id"]))["task_status_id"] == st["retake"]["id"]
    assert (await as_artist.post(url, json={"task_ids": [task["id"]]})).status_code == 403
    assert (await anon.post(url, json={"task_ids": [task["id"]]})).status_code == 401
    r = await as_manager.post(url, json={"task_ids": []})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "task_ids"
    assert (await as_manager.post(url, json={"task_ids": ["zz"]})).status_code == 400
    unknown = f"/actions/projects/{UNKNOWN}/tasks/copy-client-comments"
    assert (await as_manager.post(unknown, json={"task_ids": [task["id"]]})).status_code == 404


# --- move ----------------------------------------------------------------------------------------


async def test_move_comment(as_manager, as_artist, anon, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    target = await make.task(asset, await make.task_type())
    r = await post(as_manager, task["id"], st["retake"]["id"], "to move @User Tester")
    comment_id = r.json()["id"]
    assert (await task_row(db, task["id"]))["retake_count"] == 1
    url = f"/actions/tasks/{task['id']}/comments/{comment_id}/move"
    assert (await anon.post(url, json={"target_task_id": target["id"]})).status_code == 401
    assert (await as_artist.post(url, json={"target_task_id": target["id"]})).status_code == 403
    r = await as_manager.post(url, json={})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "target_task_id"
    assert (await as_manager.post(url, json={"target_task_id": "zz"})).status_code == 404
    assert (await as_manager.post(url, json={"target_task_id": UNKNOWN})).status_code == 404
    r = await as_manager.post(url, json={"target_task_id": task["id"]})
    assert r.status_code == 400 and r.json()["message"] == "Source and target tasks must be different."
    elsewhere = await make.task(await make.asset(project), task_type)
    r = await as_manager.post(url, json={"target_task_id": elsewhere["id"]})
    assert r.json()["message"] == "A comment can only be moved between tasks of the same entity."

    r = await as_manager.post(url, json={"target_task_id": target["id"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object_id"] == target["id"] and body["mentions"] == [people["user"]]
    assert list(body)[-5:] == ["type", "mentions", "department_mentions", "acknowledgements", "attachment_files"]
    source_row, target_row = await task_row(db, task["id"]), await task_row(db, target["id"])
    assert source_row["retake_count"] == 0 and source_row["task_status_id"] == task["task_status_id"]
    assert target_row["retake_count"] == 1 and target_row["task_status_id"] == st["retake"]["id"]
    deleted = await events_named(db, "comment:delete")
    assert deleted[-1]["data"]["task_id"] == task["id"]
    assert (await events_named(db, "comment:new"))[-1]["data"]["task_id"] == target["id"]
    n = Notification.__table__
    notified = (await db.execute(select(n.c.task_id).where(n.c.comment_id == comment_id))).scalars().all()
    assert notified and set(notified) == {target["id"]}
    news = (await db.execute(select(News.__table__.c.task_id).where(News.__table__.c.comment_id == comment_id))).all()
    assert [row[0] for row in news] == [target["id"]]
    r = await as_manager.post(url, json={"target_task_id": target["id"]})
    assert r.status_code == 400 and r.json()["message"] == "Comment does not belong to the given task."
    bad = f"/actions/tasks/{target['id']}/comments/{UNKNOWN}/move"
    assert (await as_manager.post(bad, json={"target_task_id": task["id"]})).status_code == 404
    assert (await as_manager.post(f"/actions/tasks/{target['id']}/comments/nope/move", json={})).status_code == 400


# --- delete ---------------------------------------------------------------------------------------


async def test_delete_restores_previous_status(as_manager, as_supervisor, as_artist, anon, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    assert (await post(as_manager, task["id"], st["wip"]["id"], "wip")).status_code == 201
    r = await post(as_supervisor, task["id"], st["done"]["id"], "done")
    comment_id = r.json()["id"]
    assert (await task_row(db, task["id"]))["done_date"] is not None
    url = f"/data/tasks/{task['id']}/comments/{comment_id}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_artist.delete(url)).status_code == 403  # neither author nor manager
    assert (await as_supervisor.delete(f"/data/tasks/{task['id']}/comments/{UNKNOWN}")).status_code == 404
    assert (await as_supervisor.delete(f"/data/tasks/{task['id']}/comments/nope")).status_code == 400
    r = await as_supervisor.delete(url)  # the author
    assert r.status_code == 204
    row = await task_row(db, task["id"])
    assert row["task_status_id"] == st["wip"]["id"] and row["done_date"] is None
    assert await comment_rows(db, task["id"]) != [] and all(
        c["id"] != comment_id for c in await comment_rows(db, task["id"])
    )
    deleted = await events_named(db, "comment:delete")
    assert deleted[-1]["data"] == {"comment_id": comment_id, "task_id": task["id"], "project_id": project["id"]}
    changed = (await events_named(db, "task:status-changed"))[-1]["data"]
    assert changed["new_task_status_id"] == st["wip"]["id"] and changed["previous_task_status_id"] == st["done"]["id"]
    assert len(await events_named(db, "news:delete")) == 1
    n = Notification.__table__
    assert (await db.execute(select(n.c.id).where(n.c.comment_id == comment_id))).all() == []


async def test_delete_by_manager_and_crud_route(as_manager, as_admin, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    first = (await post(as_admin, task["id"], st["wip"]["id"], "admin")).json()["id"]
    assert (await as_manager.delete(f"/data/comments/{first}")).status_code == 204
    row = await task_row(db, task["id"])
    assert row["task_status_id"] == task["task_status_id"] and row["last_comment_date"] is None
    assert (await as_manager.delete(f"/data/comments/{first}")).status_code == 404
    outsider_project, *_ = await make.project(), None
    other_asset = await make.asset(outsider_project)
    other_task = await make.task(other_asset, task_type)
    foreign = (await post(as_admin, other_task["id"], st["wip"]["id"], "x")).json()["id"]
    assert (await as_manager.delete(f"/data/comments/{foreign}")).status_code == 403  # not on that team


# --- hashtags and automations ----------------------------------------------------------------------------


async def test_hashtags_copy_the_comment_on_sibling_tasks(as_manager, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    shading = await make.task_type("Shading")
    rigging = await make.task_type("Rigging")
    shading_task = await make.task(asset, shading, status=st["wip"])
    rigging_task = await make.task(asset, rigging)
    r = await post(as_manager, task["id"], st["wfa"]["id"], "fix it #shading")
    assert r.status_code == 201
    copies = await comment_rows(db, shading_task["id"])
    assert len(copies) == 1
    assert copies[0]["text"] == f"fix it #shading\n\n____\nFrom {task_type['name']} task"
    assert copies[0]["task_status_id"] == st["wip"]["id"]
    assert await comment_rows(db, rigging_task["id"]) == []
    await post(as_manager, task["id"], st["wfa"]["id"], "everyone #all")
    assert len(await comment_rows(db, rigging_task["id"])) == 1
    assert len(await comment_rows(db, shading_task["id"])) == 2


async def automation(db, project, **values):
    row = await add(db, StatusAutomation, **values)
    await add(db, ProjectStatusAutomationLink, project_id=project["id"], status_automation_id=row["id"])
    return row


async def test_status_automation_moves_the_next_task(as_manager, make, people, db):
    project, asset, modeling, task, st = await setup(make, people)
    shading = await make.task_type("Shading")
    for priority, tt in ((1, modeling), (2, shading)):
        await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=tt["id"], priority=priority)
    shading_task = await make.task(asset, shading)
    await automation(
        db,
        project,
        entity_type="asset",
        in_task_type_id=modeling["id"],
        in_task_status_id=st["done"]["id"],
        out_field_type="status",
        out_task_type_id=shading["id"],
        out_task_status_id=st["wip"]["id"],
    )
    # a rollback automation (later step -> earlier one) is skipped
    await automation(
        db,
        project,
        entity_type="asset",
        in_task_type_id=shading["id"],
        in_task_status_id=st["wip"]["id"],
        out_field_type="status",
        out_task_type_id=modeling["id"],
        out_task_status_id=st["retake"]["id"],
    )
    r = await post(as_manager, task["id"], st["done"]["id"], "modeling done")
    assert r.status_code == 201
    assert (await task_row(db, shading_task["id"]))["task_status_id"] == st["wip"]["id"]
    posted = await comment_rows(db, shading_task["id"])
    assert posted[0]["text"] == f"Change triggered by {modeling['name']} set to {st['done']['name']}"
    assert posted[0]["person_id"] == people["manager"]
    assert (await task_row(db, task["id"]))["task_status_id"] == st["done"]["id"]


async def test_status_automation_ready_for(as_manager, make, people, db):
    project, asset, modeling, task, st = await setup(make, people)
    layout = await make.task_type("Layout", for_entity="Shot")
    await automation(
        db,
        project,
        entity_type="asset",
        in_task_type_id=modeling["id"],
        in_task_status_id=st["done"]["id"],
        out_field_type="ready_for",
        out_task_type_id=layout["id"],
    )
    assert (await post(as_manager, task["id"], st["done"]["id"], "ready")).status_code == 201
    e = Entity.__table__
    assert (await db.execute(select(e.c.ready_for).where(e.c.id == asset["id"]))).scalar() == layout["id"]
    updates = await events_named(db, "asset:update")
    assert updates[-1]["data"]["data"] == {"ready_for": layout["id"]}


async def test_automation_skipped_for_other_entity_kinds(as_manager, make, people, db):
    project = await make.project(team=[people["manager"]])
    sequence = await make.sequence(project)
    shot = await make.shot(project, sequence)
    st = await statuses(make)
    anim = await make.task_type("Anim", for_entity="Shot")
    light = await make.task_type("Light", for_entity="Shot")
    task = await make.task(shot, anim)
    light_task = await make.task(shot, light)
    await automation(
        db,
        project,
        entity_type="asset",
        in_task_type_id=anim["id"],
        in_task_status_id=st["done"]["id"],
        out_field_type="status",
        out_task_type_id=light["id"],
        out_task_status_id=st["wip"]["id"],
    )
    assert (await post(as_manager, task["id"], st["done"]["id"])).status_code == 201
    assert (await task_row(db, light_task["id"]))["task_status_id"] == light_task["task_status_id"]
