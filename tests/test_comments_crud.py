"""The `/data/comments` registry entry: list, create, read one, update (and its rights)."""

from __future__ import annotations

from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select, update
from test_comments_post import post, setup, task_row

from app.repositories.tables.files import AttachmentFile
from app.repositories.tables.tasks import Comment, CommentMentions, Notification

BASE_KEYS = [
    "shotgun_id",
    "object_id",
    "object_type",
    "text",
    "data",
    "replies",
    "checklist",
    "pinned",
    "for_client",
    "links",
    "task_status_id",
    "person_id",
    "editor_id",
    "preview_file_id",
]
RELATED_KEYS = [
    *BASE_KEYS,
    "previews",
    "id",
    "created_at",
    "updated_at",
    "type",
    "mentions",
    "department_mentions",
    "acknowledgements",
    "attachment_files",
]
PLAIN_KEYS = [*BASE_KEYS, "id", "created_at", "updated_at", "type"]


async def test_list_is_for_admins(as_admin, as_manager, anon, make, people, queries):
    project, asset, task_type, task, st = await setup(make, people)
    created = (await post(as_admin, task["id"], st["wip"]["id"], "hello @User Tester")).json()
    r = await as_admin.get("/data/comments", params={"object_id": task["id"]})
    assert r.status_code == 200
    assert [c["id"] for c in r.json()] == [created["id"]] and list(r.json()[0]) == PLAIN_KEYS
    r = await as_admin.get("/data/comments", params={"object_id": task["id"], "relations": "true"})
    assert list(r.json()[0]) == RELATED_KEYS and r.json()[0]["mentions"] == [people["user"]]
    assert (await as_manager.get("/data/comments")).status_code == 403
    assert (await anon.get("/data/comments")).status_code == 401
    # a fixed number of statements whatever the number of comments
    queries.reset()
    await as_admin.get("/data/comments", params={"object_id": task["id"], "relations": "true"})
    one = queries.count
    for i in range(10):
        await post(as_admin, task["id"], st["wip"]["id"], f"more {i}")
    queries.reset()
    r = await as_admin.get("/data/comments", params={"object_id": task["id"], "relations": "true"})
    assert len(r.json()) == 11 and queries.count == one


async def test_create_is_for_admins(as_admin, as_manager, anon, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    body = {
        "object_id": task["id"],
        "object_type": "Task",
        "text": "made",
        "task_status_id": st["todo"]["id"],
        "person_id": people["user"],
        "mentions": [people["manager"]],
    }
    r = await as_admin.post("/data/comments", json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made) == RELATED_KEYS
    assert made["text"] == "made" and made["person_id"] == people["user"] and made["links"] is None
    assert made["mentions"] == [people["manager"]] and made["replies"] == [] and made["checklist"] == []
    new = await events_named(db, "comment:new")
    assert new[-1]["data"] == {
        "comment_id": made["id"],
        "task_id": task["id"],
        "person_id": people["user"],
        "for_client": False,
    }
    assert (await as_manager.post("/data/comments", json=body)).status_code == 403
    assert (await anon.post("/data/comments", json=body)).status_code == 401
    assert (await as_admin.post("/data/comments", json={"text": "x"})).status_code == 400
    assert (await as_admin.post("/data/comments", json={**body, "bogus": 1})).status_code == 400
    assert (await as_admin.post("/data/comments", json={**body, "object_id": "nope"})).status_code == 400
    assert (await as_admin.post("/data/comments", json={**body, "pinned": "abc"})).status_code == 400


async def test_read_one(as_artist, as_vendor, as_client, as_manager, anon, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    created = (await post(as_manager, task["id"], st["wip"]["id"], "note")).json()
    reply = {"id": UNKNOWN, "text": "ok", "person_id": people["user"], "mentions": [], "department_mentions": []}
    c = Comment.__table__
    await db.execute(update(c).where(c.c.id == created["id"]).values(replies=[reply]))
    attachment = await add(db, AttachmentFile, name="a.png", extension="png", size=12, comment_id=created["id"])
    r = await as_artist.get(f"/data/comments/{created['id']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == [*RELATED_KEYS, "person"]
    assert body["person"] == {
        "id": people["manager"],
        "first_name": "Manager",
        "last_name": "Tester",
        "full_name": "Manager Tester",
        "has_avatar": False,
        "role": "manager",
    }
    assert body["replies"][0]["person"]["id"] == people["user"]
    assert body["attachment_files"] == [{"id": attachment["id"], "name": "a.png", "extension": "png", "size": 12}]
    assert (await as_vendor.get(f"/data/comments/{created['id']}")).status_code == 403  # no assignment
    assert (await as_client.get(f"/data/comments/{created['id']}")).status_code == 403  # a studio comment
    assert (await anon.get(f"/data/comments/{created['id']}")).status_code == 401
    assert (await as_artist.get(f"/data/comments/{UNKNOWN}")).status_code == 404
    assert (await as_artist.get("/data/comments/nope")).status_code == 400


async def test_author_edits_text_and_mentions_are_rebuilt(as_supervisor, as_artist, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    created = (await post(as_supervisor, task["id"], st["wip"]["id"], "first")).json()
    url = f"/data/comments/{created['id']}"
    r = await as_supervisor.put(url, json={"text": "now @User Tester", "pinned": True, "mentions": [UNKNOWN]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == PLAIN_KEYS
    assert body["text"] == "now @User Tester" and body["pinned"] is True and body["editor_id"] == people["supervisor"]
    cm = CommentMentions.__table__
    stored = (await db.execute(select(cm.c.person).where(cm.c.comment == created["id"]))).scalars().all()
    assert stored == [people["user"]]
    n = Notification.__table__
    mentions = select(n.c.person_id).where(n.c.comment_id == created["id"], n.c.type == "mention")
    assert (await db.execute(mentions)).scalars().all() == [people["user"]]
    updated = await events_named(db, "comment:update")
    assert updated[-1]["data"] == {
        "comment_id": created["id"],
        "task_id": task["id"],
        "person_id": people["supervisor"],
        "for_client": False,
        "project_id": project["id"],
    }
    # others: no text edits, no pins; the assignee may tick the checklist
    assert (await as_artist.put(url, json={"text": "hack"})).status_code == 403
    assert (await as_artist.put(url, json={"pinned": False})).status_code == 403
    r = await as_artist.put(url, json={"checklist": [{"text": "x", "checked": True}]})
    assert r.status_code == 200 and r.json()["checklist"] == [{"text": "x", "checked": True}]
    assert (await as_artist.put(url, json={"for_client": True})).status_code == 403


async def test_manager_changes_the_status(as_manager, as_artist, anon, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    created = (await post(as_manager, task["id"], st["wfa"]["id"], "review")).json()
    url = f"/data/comments/{created['id']}"
    r = await as_manager.put(url, json={"task_status_id": st["retake"]["id"]})
    assert r.status_code == 200 and r.json()["task_status_id"] == st["retake"]["id"]
    row = await task_row(db, task["id"])
    assert row["task_status_id"] == st["retake"]["id"] and row["retake_count"] == 1
    changed = (await events_named(db, "task:status-changed"))[-1]["data"]
    assert changed["previous_task_status_id"] == st["wfa"]["id"] and changed["new_task_status_id"] == st["retake"]["id"]
    assert (await anon.put(url, json={"text": "x"})).status_code == 401
    assert (await as_manager.put(f"/data/comments/{UNKNOWN}", json={"text": "x"})).status_code == 404
    assert (await as_manager.put("/data/comments/nope", json={"text": "x"})).status_code == 400
    assert (await as_manager.put(url, json={"pinned": "abc"})).status_code == 400
    # an artist's own comment: the status must be allowed to them
    mine = (await post(as_artist, task["id"], st["wip"]["id"], "mine")).json()
    r = await as_artist.put(f"/data/comments/{mine['id']}", json={"task_status_id": st["locked"]["id"]})
    assert r.status_code == 403
