"""Preview files: the registry entry, removal with its files, main previews, annotations, positions,
comment links and listings."""

from __future__ import annotations

import asyncio
import datetime
import io
import re

from event_log import events_named
from helpers import UNKNOWN, add
from PIL import Image
from sqlalchemy import select

from app.domain.preview_files import merge_annotations
from app.repositories.tables.catalog import TaskType
from app.repositories.tables.entities import Entity
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.projects import Project
from app.repositories.tables.tasks import Comment, CommentPreviewLink, News, Task

entity_t = Entity.__table__
task_t = Task.__table__
link_t = CommentPreviewLink.__table__
project_t = Project.__table__
PREVIEW_FIELDS = [c.name for c in PreviewFile.__table__.columns]
T0 = datetime.datetime(2024, 3, 5, 10, 0, 0)


async def preview(db, task, revision=1, position=1, minutes=0, **values):
    values = {
        "name": f"p{revision}-{position}-{minutes}",
        "revision": revision,
        "position": position,
        "extension": "png",
        "status": "ready",
        "task_id": task["id"],
        "created_at": T0 + datetime.timedelta(minutes=minutes),
        "updated_at": T0 + datetime.timedelta(minutes=minutes),
        **values,
    }
    return await add(db, PreviewFile, **values)


async def comment(db, task, person_id, *previews, **values):
    row = await add(db, Comment, object_id=task["id"], object_type="Task", person_id=person_id, text="c", **values)
    for p in previews:
        await add(db, CommentPreviewLink, comment=row["id"], preview_file=p["id"])
    return row


async def setup(make, people, db):
    """A shot task (artist and vendor assigned) with two revisions, each on its comment."""
    project = await make.project(
        team=[people["user"], people["manager"], people["client"], people["supervisor"], people["vendor"]]
    )
    sequence = await make.sequence(project)
    shot = await make.shot(project, sequence)
    task_type = await make.task_type(for_entity="Shot")
    task = await make.task(shot, task_type, assignees=[people["user"], people["vendor"]])
    p1 = await preview(db, task, 1, minutes=1)
    p2 = await preview(db, task, 2, minutes=2)
    c1 = await comment(db, task, people["manager"], p1)
    c2 = await comment(db, task, people["manager"], p2)
    await db.execute(task_t.update().where(task_t.c.id == task["id"]).values(last_preview_file_id=p2["id"]))
    await db.execute(entity_t.update().where(entity_t.c.id == shot["id"]).values(preview_file_id=p2["id"]))
    return {
        "project": project,
        "shot": shot,
        "task": task,
        "task_type": task_type,
        "p1": p1,
        "p2": p2,
        "c1": c1,
        "c2": c2,
    }


async def entity_preview(db, entity_id):
    return (await db.execute(select(entity_t.c.preview_file_id).where(entity_t.c.id == entity_id))).scalar()


# --- the registry entry ---


async def test_crud_read(as_admin, as_artist, as_vendor, as_client, anon, make, people, db, client_for):
    s = await setup(make, people, db)
    p1 = s["p1"]
    r = await as_artist.get(f"/data/preview-files/{p1['id']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == [*PREVIEW_FIELDS, "comments", "type"]
    assert body["comments"] == [s["c1"]["id"]] and body["type"] == "PreviewFile" and body["revision"] == 1
    assert (await as_vendor.get(f"/data/preview-files/{p1['id']}")).status_code == 200  # assigned on the task
    assert (await as_client.get(f"/data/preview-files/{p1['id']}")).status_code == 200
    assert (await anon.get(f"/data/preview-files/{p1['id']}")).status_code == 401
    assert (await as_admin.get(f"/data/preview-files/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/preview-files/nope")).status_code == 400
    # someone else's production
    other = await make.project()
    other_task = await make.task(await make.asset(other), await make.task_type())
    hidden = await preview(db, other_task)
    assert (await as_artist.get(f"/data/preview-files/{hidden['id']}")).status_code == 403
    assert (await as_client.get(f"/data/preview-files/{hidden['id']}")).status_code == 403
    # listing: only the caller's open productions; ?project_id= through the task
    r = await as_artist.get("/data/preview-files")
    assert {p["id"] for p in r.json()} == {s["p1"]["id"], s["p2"]["id"]}
    assert "comments" not in r.json()[0]
    r = await as_admin.get(f"/data/preview-files?project_id={other['id']}")
    assert [p["id"] for p in r.json()] == [hidden["id"]]
    assert (await as_admin.get("/data/preview-files?project_id=bad")).status_code == 400
    # a vendor lists the previews of the tasks assigned to them only
    unassigned = await make.task(s["shot"], await make.task_type(for_entity="Shot"))
    await preview(db, unassigned)
    r = await as_vendor.get("/data/preview-files")
    assert {p["id"] for p in r.json()} == {s["p1"]["id"], s["p2"]["id"]}


async def test_crud_write(as_admin, as_manager, as_artist, as_client, anon, make, people, db):
    s = await setup(make, people, db)
    p1, task = s["p1"], s["task"]
    body = {"name": "zz", "task_id": task["id"], "revision": 9}
    assert (await as_manager.post("/data/preview-files", json=body)).status_code == 403
    r = await as_admin.post("/data/preview-files", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["comments"] == [] and created["status"] == "processing" and created["revision"] == 9
    assert len(await events_named(db, "preview-file:new")) == 1
    # update: assignees, managers; not clients
    r = await as_artist.put(f"/data/preview-files/{p1['id']}", json={"description": "hello"})
    assert r.status_code == 200, r.text
    assert r.json()["description"] == "hello" and "comments" not in r.json()
    assert len(await events_named(db, "preview-file:update")) == 1
    assert (await as_client.put(f"/data/preview-files/{p1['id']}", json={"description": "x"})).status_code == 403
    assert (await anon.put(f"/data/preview-files/{p1['id']}", json={"description": "x"})).status_code == 401
    assert (await as_admin.put(f"/data/preview-files/{UNKNOWN}", json={"description": "x"})).status_code == 404
    # a main preview cannot take a revision already used, and its extras follow it
    r = await as_manager.put(f"/data/preview-files/{p1['id']}", json={"revision": 9})
    assert r.status_code == 400 and "Revision 9 already exists" in r.json()["message"]
    extra = await preview(db, task, 1, 2, minutes=3)
    r = await as_manager.put(f"/data/preview-files/{p1['id']}", json={"revision": 5})
    assert r.status_code == 200 and r.json()["revision"] == 5
    stored = await db.execute(select(PreviewFile.__table__.c.revision).where(PreviewFile.__table__.c.id == extra["id"]))
    assert stored.scalar() == 5


async def test_delete_removes_rows_references_and_files(
    app, as_admin, as_manager, as_artist, as_client, anon, make, people, db
):
    s = await setup(make, people, db)
    p1, p2, task, shot = s["p1"], s["p2"], s["task"], s["shot"]
    await add(
        db, News, author_id=people["manager"], comment_id=s["c2"]["id"], task_id=task["id"], preview_file_id=p2["id"]
    )
    await db.execute(
        Comment.__table__.update().where(Comment.__table__.c.id == s["c2"]["id"]).values(preview_file_id=p2["id"])
    )
    storage = app.state.storage
    for bucket, key in (
        ("originals", f"{p2['id']}.png"),
        ("thumbnails", f"{p2['id']}.png"),
        ("previews", f"{p2['id']}.png"),
    ):
        await storage.write_bytes(bucket, key, b"png")
    await storage.write_bytes("thumbnails", f"{p1['id']}.png", b"keep")
    url = f"/data/preview-files/{p2['id']}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_artist.delete(url)).status_code == 403
    assert (await as_client.delete(url)).status_code == 403
    assert (await as_admin.delete(f"/data/preview-files/{UNKNOWN}")).status_code == 404
    assert (await as_admin.delete("/data/preview-files/nope")).status_code == 400
    assert await storage.exists("thumbnails", f"{p2['id']}.png")  # refused deletions leave the files
    r = await as_manager.delete(url)
    assert r.status_code == 204 and r.content == b""
    assert (await as_admin.get(url)).status_code == 404
    for bucket in ("originals", "thumbnails", "previews"):
        assert not await storage.exists(bucket, f"{p2['id']}.png")
    assert await storage.exists("thumbnails", f"{p1['id']}.png")
    # the task falls back on its previous main preview; the entity (not automated) shows none
    last = (await db.execute(select(task_t.c.last_preview_file_id).where(task_t.c.id == task["id"]))).scalar()
    assert last == p1["id"]
    assert await entity_preview(db, shot["id"]) is None
    links = (await db.execute(select(link_t).where(link_t.c.preview_file == p2["id"]))).all()
    assert links == []
    news = (
        await db.execute(select(News.__table__.c.preview_file_id).where(News.__table__.c.task_id == task["id"]))
    ).scalar()
    assert news is None
    [deleted] = await events_named(db, "preview-file:delete")
    assert deleted["data"] == {"preview_file_id": p2["id"]} and deleted["project_id"] is None
    [task_update] = await events_named(db, "task:update")
    assert task_update["data"]["task_id"] == task["id"]
    [set_main] = await events_named(db, "preview-file:set-main")
    assert set_main["data"]["entity_id"] == shot["id"] and set_main["data"]["preview_file_id"] is None
    assert len(await events_named(db, "shot:update")) == 1


async def test_delete_restores_entity_main_preview_when_automated(as_admin, make, people, db):
    s = await setup(make, people, db)
    await db.execute(
        project_t.update().where(project_t.c.id == s["project"]["id"]).values(is_set_preview_automated=True)
    )
    assert (await as_admin.delete(f"/data/preview-files/{s['p2']['id']}")).status_code == 204
    assert await entity_preview(db, s["shot"]["id"]) == s["p1"]["id"]
    [set_main] = await events_named(db, "preview-file:set-main")
    assert set_main["data"]["preview_file_id"] == s["p1"]["id"] and set_main["data"]["preview_file_status"] == "ready"


# --- main previews ---


async def test_set_main_preview(as_artist, as_vendor, as_client, as_admin, anon, make, people, db):
    s = await setup(make, people, db)
    p1, shot = s["p1"], s["shot"]
    url = f"/actions/preview-files/{p1['id']}/set-main-preview"
    r = await as_artist.put(url, json={})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == shot["id"] and body["preview_file_id"] == p1["id"]
    assert body["type"] == "Entity" and body["preview_file_status"] == "ready"
    assert list(body)[0] == "id" and list(body)[-4:] == ["created_at", "updated_at", "type", "preview_file_status"]
    assert await entity_preview(db, shot["id"]) == p1["id"]
    [set_main] = await events_named(db, "preview-file:set-main")
    assert set_main["data"] == {
        "entity_id": shot["id"],
        "preview_file_id": p1["id"],
        "preview_file_status": "ready",
        "project_id": s["project"]["id"],
    }
    [update] = await events_named(db, "shot:update")
    assert update["data"]["shot_id"] == shot["id"]
    assert (await as_vendor.put(url, json={})).status_code == 200  # assigned on the shot
    assert (await as_client.put(url, json={})).status_code == 403
    assert (await anon.put(url, json={})).status_code == 401
    assert (await as_admin.put(f"/actions/preview-files/{UNKNOWN}/set-main-preview", json={})).status_code == 404
    assert (await as_admin.put("/actions/preview-files/bad/set-main-preview", json={})).status_code == 400
    r = await as_admin.put(url, json={"frame_number": 3})
    assert r.status_code == 400 and r.json()["message"] == "Can't use a given frame on non movie preview"
    r = await as_admin.put(url, json={"frame_number": "x"})
    assert r.status_code == 400 and r.json()["message"] == "Validation error."


async def test_set_task_main_preview(as_artist, as_client, as_admin, anon, make, people, db):
    s = await setup(make, people, db)
    task, shot = s["task"], s["shot"]
    await db.execute(entity_t.update().where(entity_t.c.id == shot["id"]).values(preview_file_id=None))
    url = f"/actions/tasks/{task['id']}/set-main-preview"
    r = await as_artist.put(url)
    assert r.status_code == 200, r.text
    assert r.json()["preview_file_id"] == s["p2"]["id"]  # the highest revision
    assert len(await events_named(db, "preview-file:set-main")) == 1
    assert (await as_client.put(url)).status_code == 403
    assert (await anon.put(url)).status_code == 401
    assert (await as_admin.put(f"/actions/tasks/{UNKNOWN}/set-main-preview")).status_code == 404
    assert (await as_admin.put("/actions/tasks/nope/set-main-preview")).status_code == 400
    empty = await make.task(shot, await make.task_type(for_entity="Shot"))
    r = await as_admin.put(f"/actions/tasks/{empty['id']}/set-main-preview")
    assert r.status_code == 400 and "no preview file" in r.json()["message"]


async def test_set_tasks_main_preview(as_manager, as_client, as_admin, anon, make, people, db, queries):
    s = await setup(make, people, db)
    shot2 = await make.shot(s["project"], await make.sequence(s["project"]))
    task2 = await make.task(shot2, s["task_type"])
    p3 = await preview(db, task2, 1, minutes=5)
    url = "/actions/tasks/set-main-preview"
    queries.reset()
    r = await as_manager.put(url, json={"task_ids": [s["task"]["id"], task2["id"]]})
    assert r.status_code == 200, r.text
    assert [(e["id"], e["preview_file_id"]) for e in r.json()] == [
        (s["shot"]["id"], s["p2"]["id"]),
        (shot2["id"], p3["id"]),
    ]
    assert queries.count < 20
    assert await entity_preview(db, shot2["id"]) == p3["id"]
    assert len(await events_named(db, "preview-file:set-main")) == 2
    assert len(await events_named(db, "shot:update")) == 2
    assert (await as_client.put(url, json={"task_ids": [task2["id"]]})).status_code == 403
    assert (await anon.put(url, json={"task_ids": [task2["id"]]})).status_code == 401
    assert (await as_admin.put(url, json={"task_ids": [UNKNOWN]})).status_code == 404
    assert (await as_admin.put(url, json={"task_ids": ["bad"]})).status_code == 400
    r = await as_admin.put(url, json={"task_ids": []})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "task_ids"
    assert (await as_admin.put(url, json={})).status_code == 400


# --- annotations ---


def test_merge_annotations_as_zou():
    previous = [{"time": 0, "drawing": {"objects": [{"id": "a", "type": "path"}, {"type": "text"}]}}]
    merged = merge_annotations(
        previous,
        additions=[
            {"time": 0, "drawing": {"objects": [{"id": "a", "type": "changed"}, {"id": "b"}]}},
            {"time": 2, "drawing": {"objects": [{"type": "circle"}]}},
            {"time": 3, "drawing": {"objects": []}},
        ],
        updates=[{"time": 0, "drawing": {"objects": [{"id": "a", "type": "moved"}, {"id": "zz"}]}}],
        deletions=[{"time": 2, "objects": []}, {"time": 9, "objects": ["a"]}],
    )
    assert previous[0]["drawing"]["objects"][1] == {"type": "text"}  # the input is left alone
    assert [a["time"] for a in merged] == [0, 2]  # a time without objects goes
    objects = merged[0]["drawing"]["objects"]
    # an addition never overwrites an object; an update moves the object it replaces to the end
    assert [o.get("type") for o in objects] == ["text", None, "moved"]
    assert all(o.get("id") for o in objects) and merged[1]["drawing"]["objects"][0]["id"]
    text_id = objects[0]["id"]
    after = merge_annotations(merged, [], [], [{"time": 0, "objects": [text_id, "b", "a"]}])
    assert [a["time"] for a in after] == [2]


async def test_update_annotations(as_artist, as_client, as_supervisor, as_manager, anon, make, people, db):
    s = await setup(make, people, db)
    p1 = s["p1"]
    url = f"/actions/preview-files/{p1['id']}/update-annotations"
    body = {"additions": [{"time": 0, "drawing": {"objects": [{"type": "path", "id": "a1"}]}}]}
    assert (await as_artist.put(url, json=body)).status_code == 403  # artists do not draw
    assert (await anon.put(url, json=body)).status_code == 401
    r = await as_client.put(url, json=body)
    assert r.status_code == 200, r.text
    assert r.json()["annotations"] == [{"time": 0, "drawing": {"objects": [{"id": "a1", "type": "path"}]}}]
    assert list(r.json()) == [*PREVIEW_FIELDS, "type"]
    r = await as_supervisor.put(url, json={"additions": [{"time": 0, "drawing": {"objects": [{"id": "b2"}]}}]})
    assert r.status_code == 200
    assert [o["id"] for o in r.json()["annotations"][0]["drawing"]["objects"]] == ["a1", "b2"]
    r = await as_manager.put(url, json={"deletions": [{"time": 0, "objects": ["a1", "b2"]}]})
    assert r.status_code == 200 and r.json()["annotations"] == []
    events = await events_named(db, "preview-file:annotation-update")
    assert len(events) == 3
    assert events[0]["data"]["preview_file_id"] == p1["id"] and events[0]["data"]["person_id"] == people["client"]
    assert events[0]["data"]["updated_at"] and events[0]["project_id"] == s["project"]["id"]
    assert (await as_manager.put(url, json={"additions": [{"drawing": {}}]})).status_code == 400
    assert (await as_manager.put(url, json={"additions": "x"})).status_code == 400
    assert (await as_manager.put(f"/actions/preview-files/{UNKNOWN}/update-annotations", json={})).status_code == 404
    assert (await as_manager.put("/actions/preview-files/x/update-annotations", json={})).status_code == 400


async def test_supervisor_of_another_department_may_not_annotate(as_supervisor, make, people, db):
    s = await setup(make, people, db)
    mine = await make.department(members=[people["supervisor"]])
    other = await make.department()
    tt = TaskType.__table__
    await db.execute(tt.update().where(tt.c.id == s["task_type"]["id"]).values(department_id=other["id"]))
    url = f"/actions/preview-files/{s['p1']['id']}/update-annotations"
    assert (await as_supervisor.put(url, json={})).status_code == 403
    await db.execute(tt.update().where(tt.c.id == s["task_type"]["id"]).values(department_id=mine["id"]))
    assert (await as_supervisor.put(url, json={})).status_code == 200


# --- positions ---


async def test_update_position(as_artist, as_client, anon, as_admin, make, people, db, client_for):
    s = await setup(make, people, db)
    task = s["task"]
    p1 = s["p1"]
    extra2 = await preview(db, task, 1, 2, minutes=3)
    extra3 = await preview(db, task, 1, 3, minutes=4)
    url = f"/actions/preview-files/{extra3['id']}/update-position"
    r = await as_artist.put(url, json={"position": 1})
    assert r.status_code == 200, r.text
    assert [(p["id"], p["position"]) for p in r.json()] == [(extra3["id"], 1), (p1["id"], 2), (extra2["id"], 3)]
    assert r.json()[0]["type"] == "PreviewFile"
    r = await as_artist.put(url, json={"position": 9})  # out of range: nothing moves
    assert [p["id"] for p in r.json()] == [extra3["id"], p1["id"], extra2["id"]]
    assert (await as_client.put(url, json={"position": 1})).status_code == 200  # clients act on tasks
    assert (await anon.put(url, json={"position": 1})).status_code == 401
    assert (await as_admin.put(url, json={"position": -1})).status_code == 400
    assert (await as_admin.put(f"/actions/preview-files/{UNKNOWN}/update-position", json={})).status_code == 404
    assert (await as_admin.put("/actions/preview-files/x/update-position", json={})).status_code == 400
    outsider = await make.project()
    async with client_for(people["manager"]) as manager:
        hidden_task = await make.task(await make.asset(outsider), await make.task_type())
        hidden = await preview(db, hidden_task)
        r = await manager.put(f"/actions/preview-files/{hidden['id']}/update-position", json={"position": 1})
        assert r.status_code == 403


# --- previews of comments ---


async def test_add_preview_to_comment(as_client, as_vendor, as_admin, anon, make, people, db):
    s = await setup(make, people, db)
    task, c1, p1 = s["task"], s["c1"], s["p1"]
    await add(db, News, author_id=people["manager"], comment_id=c1["id"], task_id=task["id"])
    url = f"/actions/tasks/{task['id']}/comments/{c1['id']}/preview-files/{p1['id']}"
    r = await as_client.post(url)
    assert r.status_code == 201, r.text
    body = r.json()
    assert list(body) == [*PREVIEW_FIELDS, "comments", "type"]
    assert (body["revision"], body["position"], body["status"], body["extension"]) == (1, 2, "processing", "mp4")
    assert body["comments"] == [c1["id"]] and body["person_id"] == people["client"]
    news = (
        await db.execute(select(News.__table__.c.preview_file_id).where(News.__table__.c.comment_id == c1["id"]))
    ).scalar()
    assert news == body["id"]
    [new] = await events_named(db, "preview-file:new")
    assert new["data"] == {"preview_file_id": body["id"], "comment_id": c1["id"], "project_id": s["project"]["id"]}
    [update] = await events_named(db, "comment:update")
    assert update["data"]["comment_id"] == c1["id"] and update["data"]["person_id"] == people["manager"]
    r = await as_vendor.post(url)
    assert r.status_code == 201 and r.json()["position"] == 3
    # a comment without previews cannot take a revision already shown
    bare = await comment(db, task, people["manager"])
    r = await as_admin.post(f"/actions/tasks/{task['id']}/comments/{bare['id']}/preview-files/{p1['id']}")
    assert r.status_code == 400 and "Revision 1 already exists" in r.json()["message"]
    # one preview per revision when the project says so
    await db.execute(
        project_t.update().where(project_t.c.id == s["project"]["id"]).values(is_single_preview_per_revision=True)
    )
    r = await as_admin.post(url)
    assert r.status_code == 400 and r.json()["message"].startswith("Only one preview file")
    assert (await anon.post(url)).status_code == 401
    base = f"/actions/tasks/{task['id']}/comments"
    assert (await as_admin.post(f"{base}/{UNKNOWN}/preview-files/{p1['id']}")).status_code == 404
    assert (await as_admin.post(f"{base}/{c1['id']}/preview-files/{UNKNOWN}")).status_code == 404
    assert (
        await as_admin.post(f"/actions/tasks/{UNKNOWN}/comments/{c1['id']}/preview-files/{p1['id']}")
    ).status_code == 404
    assert (await as_admin.post(f"{base}/bad/preview-files/{p1['id']}")).status_code == 400


async def test_add_preview_to_comment_needs_task_action_access(as_artist, make, people, db):
    s = await setup(make, people, db)
    other = await make.task(s["shot"], await make.task_type(for_entity="Shot"))  # artist not assigned
    c = await comment(db, other, people["manager"])
    p = await preview(db, other)
    r = await as_artist.post(f"/actions/tasks/{other['id']}/comments/{c['id']}/preview-files/{p['id']}")
    assert r.status_code == 403


async def test_remove_preview_from_comment(app, as_artist, as_client, as_manager, anon, make, people, db):
    s = await setup(make, people, db)
    task, c1, c2, p1, p2 = s["task"], s["c1"], s["c2"], s["p1"], s["p2"]
    await app.state.storage.write_bytes("previews", f"{p2['id']}.png", b"x")
    base = f"/actions/tasks/{task['id']}/comments"
    assert (await anon.delete(f"{base}/{c2['id']}/preview-files/{p2['id']}")).status_code == 401
    assert (await as_artist.delete(f"{base}/{c1['id']}/preview-files/{p2['id']}")).status_code == 404  # not linked
    assert (await as_client.delete(f"{base}/{c2['id']}/preview-files/{p2['id']}")).status_code == 403  # not for clients
    assert (await as_artist.delete(f"{base}/{c2['id']}/preview-files/{p2['id']}?force=true")).status_code == 403
    assert (await as_artist.delete(f"{base}/{UNKNOWN}/preview-files/{p2['id']}")).status_code == 404
    assert (await as_artist.delete(f"{base}/{c2['id']}/preview-files/bad")).status_code == 400
    r = await as_artist.delete(f"{base}/{c2['id']}/preview-files/{p2['id']}")
    assert r.status_code == 204
    assert (await as_manager.get(f"/data/preview-files/{p2['id']}")).status_code == 404
    assert not await app.state.storage.exists("previews", f"{p2['id']}.png")
    assert await entity_preview(db, s["shot"]["id"]) is None
    assert len(await events_named(db, "task:update")) == 1
    r = await as_manager.delete(f"{base}/{c1['id']}/preview-files/{p1['id']}?force=true")
    assert r.status_code == 204


# --- listings ---


async def test_entity_and_task_listings(as_artist, as_client, as_vendor, anon, as_admin, make, people, db, queries):
    s = await setup(make, people, db)
    shot, task, p1, p2 = s["shot"], s["task"], s["p1"], s["p2"]
    r = await as_artist.get(f"/data/entities/{shot['id']}/preview-files")
    assert r.status_code == 200, r.text
    assert [p["id"] for p in r.json()] == [p2["id"], p1["id"]]
    assert list(r.json()[0]) == [
        "id", "name", "original_name", "extension", "revision", "position", "file_size", "status",
        "validation_status", "task_id", "person_id", "created_at", "token_in", "token_out",
    ]  # fmt: skip
    assert (await anon.get(f"/data/entities/{shot['id']}/preview-files")).status_code == 401
    assert (await as_admin.get(f"/data/entities/{UNKNOWN}/preview-files")).status_code == 404
    assert (await as_admin.get("/data/entities/x/preview-files")).status_code == 400
    # task previews: newest revision first; clients do not see rejected ones
    await db.execute(
        PreviewFile.__table__.update()
        .where(PreviewFile.__table__.c.id == p1["id"])
        .values(validation_status="rejected")
    )
    r = await as_artist.get(f"/data/tasks/{task['id']}/previews")
    assert [p["id"] for p in r.json()] == [p2["id"], p1["id"]] and list(r.json()[0]) == [*PREVIEW_FIELDS, "type"]
    r = await as_client.get(f"/data/tasks/{task['id']}/previews")
    assert [p["id"] for p in r.json()] == [p2["id"]]
    assert (await anon.get(f"/data/tasks/{task['id']}/previews")).status_code == 401
    assert (await as_admin.get(f"/data/tasks/{UNKNOWN}/previews")).status_code == 404
    assert (await as_admin.get("/data/tasks/x/previews")).status_code == 400
    # constant number of statements whatever the number of previews
    queries.reset()
    await as_artist.get(f"/data/tasks/{task['id']}/previews")
    small = queries.count
    queries.reset()
    await as_artist.get(f"/data/entities/{shot['id']}/preview-files")
    small_entity = queries.count
    for i in range(3, 40):
        await preview(db, task, i, minutes=i)
    queries.reset()
    r = await as_artist.get(f"/data/tasks/{task['id']}/previews")
    assert len(r.json()) == 39 and queries.count == small
    queries.reset()
    r = await as_artist.get(f"/data/entities/{shot['id']}/preview-files")
    assert len(r.json()) == 39 and queries.count == small_entity


async def test_forbidden_listings(as_artist, as_client, as_vendor, make, people, db):
    s = await setup(make, people, db)
    other = await make.project()
    hidden_shot = await make.shot(other, await make.sequence(other))
    hidden_task = await make.task(hidden_shot, s["task_type"])
    for client in (as_artist, as_client):
        assert (await client.get(f"/data/entities/{hidden_shot['id']}/preview-files")).status_code == 403
        assert (await client.get(f"/data/shots/{hidden_shot['id']}/preview-files")).status_code == 403
        assert (await client.get(f"/data/tasks/{hidden_task['id']}/previews")).status_code == 403
    # a vendor reaches only the entities they have a task on
    bare = await make.shot(s["project"], await make.sequence(s["project"]))
    assert (await as_vendor.get(f"/data/shots/{bare['id']}/preview-files")).status_code == 403
    assert (await as_vendor.get(f"/data/shots/{s['shot']['id']}/preview-files")).status_code == 200


async def test_shot_edit_concept_listings(as_artist, as_client, as_admin, anon, make, people, db, queries):
    s = await setup(make, people, db)
    shot, task, p1, p2 = s["shot"], s["task"], s["p1"], s["p2"]
    extra = await preview(db, task, 2, 2, minutes=3, data={"original_width": 640})
    url = f"/data/shots/{shot['id']}/preview-files"
    queries.reset()
    r = await as_artist.get(url)
    small = queries.count
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == [s["task_type"]["id"]]
    entries = body[s["task_type"]["id"]]
    assert [e["id"] for e in entries] == [p2["id"], p1["id"]]
    assert list(entries[0]) == [
        "id", "revision", "original_name", "extension", "width", "height", "duration", "status", "annotations",
        "previews", "created_at", "task_id", "original_width", "original_height", "original_duration",
        "original_file_size",
    ]  # fmt: skip
    [sub] = entries[0]["previews"]
    assert sub["id"] == extra["id"] and sub["position"] == 2 and sub["task_type_id"] == s["task_type"]["id"]
    assert sub["original_width"] == 640 and entries[1]["previews"] == []
    for i in range(3, 30):
        await preview(db, task, i, minutes=i)
    queries.reset()
    r = await as_artist.get(url)
    assert len(r.json()[s["task_type"]["id"]]) == 29 and queries.count == small
    assert (await anon.get(url)).status_code == 401
    assert (await as_admin.get(f"/data/shots/{UNKNOWN}/preview-files")).status_code == 404
    assert (await as_admin.get("/data/shots/x/preview-files")).status_code == 400
    # each route serves its own kind only
    edit = await make.edit(s["project"])
    concept = await make.concept(s["project"])
    assert (await as_admin.get(f"/data/edits/{shot['id']}/preview-files")).status_code == 404
    assert (await as_admin.get(f"/data/concepts/{shot['id']}/preview-files")).status_code == 404
    assert (await as_admin.get(f"/data/shots/{edit['id']}/preview-files")).status_code == 404
    edit_task = await make.task(edit, await make.task_type(for_entity="Edit"))
    edit_preview = await preview(db, edit_task)
    r = await as_client.get(f"/data/edits/{edit['id']}/preview-files")
    assert r.status_code == 200 and [e["id"] for e in next(iter(r.json().values()))] == [edit_preview["id"]]
    r = await as_artist.get(f"/data/concepts/{concept['id']}/preview-files")
    assert r.status_code == 200 and r.json() == {}
    assert (await as_client.get(f"/data/concepts/{concept['id']}/preview-files")).status_code == 403
    assert (await anon.get(f"/data/edits/{edit['id']}/preview-files")).status_code == 401
    assert (await as_admin.get(f"/data/concepts/{UNKNOWN}/preview-files")).status_code == 404
    assert (await as_admin.get("/data/edits/x/preview-files")).status_code == 400


async def test_project_listing(as_admin, as_manager, anon, make, people, db, queries):
    s = await setup(make, people, db)
    project = s["project"]
    url = f"/data/projects/{project['id']}/preview-files"
    r = await as_admin.get(url)
    assert r.status_code == 200, r.text
    assert [p["id"] for p in r.json()] == [s["p2"]["id"], s["p1"]["id"]]  # newest change first
    assert list(r.json()[0]) == [*PREVIEW_FIELDS, "type"]
    r = await as_admin.get(url + "?page=1&limit=1")
    assert r.json() | {"data": None} == {
        "data": None, "total": 2, "nb_pages": 1, "limit": 100, "offset": 0, "page": 1,
    }  # fmt: skip
    assert len(r.json()["data"]) == 2
    assert (await as_admin.get(url + "?page=3")).json()["data"] == []
    assert (await as_admin.get(url + "?page=x")).status_code == 400
    assert (await as_manager.get(url)).status_code == 403  # admins only
    assert (await anon.get(url)).status_code == 401
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/preview-files")).status_code == 404
    assert (await as_admin.get("/data/projects/x/preview-files")).status_code == 400
    queries.reset()
    await as_admin.get(url)
    small = queries.count
    for i in range(3, 30):
        await preview(db, s["task"], i, minutes=i)
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 29 and queries.count == small


BAD_BODIES = (
    b"{not json",
    b"[1, 2]",
    b'"text"',
    b"{}",
    b'{"frame_number": "x", "task_ids": [1, {}], "position": "high", "additions": [1], "updates": {},'
    b' "deletions": [{"time": 0, "objects": [1]}], "revision": "x", "description": 5}',
    b'{"additions": [{"time": 0, "drawing": 5}], "updates": [{"time": 0, "drawing": {"objects": 3}}]}',
    b'{"additions": [{"time": [1]}], "deletions": [{"time": {}}]}',
)


async def test_bad_input_never_makes_a_server_error(as_admin, make, people, db):
    s = await setup(make, people, db)
    ids = {"task": s["task"]["id"], "comment": s["c1"]["id"], "preview": s["p1"]["id"]}
    routes = [
        ("PUT", "/data/preview-files/{preview}"),
        ("POST", "/data/preview-files"),
        ("PUT", "/actions/preview-files/{preview}/set-main-preview"),
        ("PUT", "/actions/tasks/set-main-preview"),
        ("PUT", "/actions/tasks/{task}/set-main-preview"),
        ("PUT", "/actions/preview-files/{preview}/update-annotations"),
        ("PUT", "/actions/preview-files/{preview}/update-position"),
        ("POST", "/actions/tasks/{task}/comments/{comment}/preview-files/{preview}"),
    ]
    for method, path in routes:
        url = path.format(**ids)
        for body in BAD_BODIES:
            r = await as_admin.request(method, url, content=body, headers={"Content-Type": "application/json"})
            assert r.status_code < 500, (method, url, body, r.text)
        if "{" in path:
            r = await as_admin.request(method, re.sub(r"\{\w+\}", "nope", path), json={})
            assert r.status_code == 400, (method, path, r.text)


async def test_set_main_preview_on_a_movie_frame(app, as_manager, make, people, db, tmp_path):
    s = await setup(make, people, db)
    movie = tmp_path / "m.mp4"
    command = ["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=320x240:rate=24"]
    process = await asyncio.create_subprocess_exec(*command, "-pix_fmt", "yuv420p", str(movie))
    assert await process.wait() == 0
    clip = await preview(db, s["task"], 3, minutes=5, extension="mp4")
    storage = app.state.storage
    await storage.write_file("movies-low", clip["id"], movie)
    r = await as_manager.put(f"/actions/preview-files/{clip['id']}/set-main-preview", json={"frame_number": 12})
    assert r.status_code == 200, r.text
    assert r.json()["preview_file_id"] == clip["id"]
    thumbnail = Image.open(io.BytesIO(await storage.read_bytes("thumbnails", f"{clip['id']}.png")))
    assert thumbnail.size == (150, 100)
    # an unreadable frame leaves the pictures as they are
    missing = await preview(db, s["task"], 4, minutes=6, extension="mp4")
    r = await as_manager.put(f"/actions/preview-files/{missing['id']}/set-main-preview", json={"frame_number": 2})
    assert r.status_code == 200 and not await storage.exists("thumbnails", f"{missing['id']}.png")
