"""Batch comments: several comments (with their attachment files) on one task or on several tasks."""

from __future__ import annotations

import json

from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import select

from app.repositories.tables.files import AttachmentFile
from app.repositories.tables.tasks import Comment, Task

BATCH_KEYS = [
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
    "previews",
    "id",
    "created_at",
    "updated_at",
    "type",
    "mentions",
    "department_mentions",
    "acknowledgements",
    "attachment_files",
    "task_status",
    "person",
    "preview_files",
]


async def setup(make, people, team=("manager", "supervisor", "user", "client", "vendor")):
    project = await make.project(team=[people[r] for r in team])
    asset = await make.asset(project)
    task_type = await make.task_type()
    task = await make.task(asset, task_type, assignees=[people["user"]])
    other = await make.task(asset, await make.task_type(), assignees=[people["user"]])
    statuses = {
        "todo": await make.default_task_status(),
        "wfa": await make.task_status(is_feedback_request=True, is_artist_allowed=True),
        "locked": await make.task_status(is_artist_allowed=False, is_client_allowed=False),
    }
    return project, task, other, statuses


def multipart(comments, **files):
    parts = {"comments": (None, json.dumps(comments), "application/json")}
    parts.update(files)
    return parts


async def comments_of(db, task_id):
    t = Comment.__table__
    rows = await db.execute(select(t).where(t.c.object_id == task_id).order_by(t.c.created_at))
    return [dict(r) for r in rows.mappings()]


async def test_batch_on_one_task_with_attachments(make, people, as_artist, app, db):
    project, task, _, st = await setup(make, people)
    comments = [
        {"task_status_id": st["todo"]["id"], "text": "first"},
        {"task_status_id": st["wfa"]["id"], "text": "second", "checklist": [{"text": "a", "checked": False}]},
    ]
    r = await as_artist.post(
        f"/actions/tasks/{task['id']}/batch-comment",
        files=multipart(
            comments,
            **{
                "attachment_file-0-0": ("a.txt", b"aaa", "text/plain"),
                "attachment_file-1-0": ("b.txt", b"bb", "text/plain"),
                "attachment_file-1-1": ("../c.txt", b"c", "text/plain"),
            },
        ),
    )
    assert r.status_code == 201, r.text
    first, second = r.json()
    assert list(first) == BATCH_KEYS
    assert (first["text"], first["task_status_id"], first["person_id"]) == ("first", st["todo"]["id"], people["user"])
    assert [(a["name"], a["size"]) for a in first["attachment_files"]] == [("a.txt", 3)]
    assert [(a["name"], a["extension"]) for a in second["attachment_files"]] == [("b.txt", "txt"), ("../c.txt", "txt")]
    assert second["checklist"] == [{"text": "a", "checked": False}]
    assert second["task_status"]["id"] == st["wfa"]["id"] and second["preview_files"] == []
    stored = await comments_of(db, task["id"])
    assert [c["text"] for c in stored] == ["first", "second"]
    t = Task.__table__
    assert str((await db.execute(select(t.c.task_status_id).where(t.c.id == task["id"]))).scalar()) == st["wfa"]["id"]
    a = AttachmentFile.__table__
    rows = (await db.execute(select(a).where(a.c.comment_id == second["id"]))).mappings().all()
    assert len(rows) == 2
    for row in rows:
        assert await app.state.storage.exists("attachments", str(row["id"]))
    assert len(await events_named(db, "comment:new")) == 2
    (changed,) = await events_named(db, "task:status-changed")
    assert changed["data"]["new_task_status_id"] == st["wfa"]["id"]


async def test_batch_on_several_tasks_as_json(make, people, as_manager, db):
    project, task, other, st = await setup(make, people)
    r = await as_manager.post(
        "/actions/tasks/batch-comment",
        json={
            "comments": [
                {"task_id": task["id"], "task_status_id": st["todo"]["id"], "text": "one"},
                {
                    "task_id": other["id"],
                    "task_status_id": st["wfa"]["id"],
                    "text": "two",
                    "person_id": people["user"],
                    "created_at": "2024-01-02 03:04:05",
                },
            ]
        },
    )
    assert r.status_code == 201, r.text
    one, two = r.json()
    assert (one["object_id"], one["person_id"], one["attachment_files"]) == (task["id"], people["manager"], [])
    # managers may post as someone else and back-date
    assert (two["object_id"], two["person_id"], two["created_at"]) == (
        other["id"],
        people["user"],
        "2024-01-02T03:04:05",
    )


async def test_batch_multipart_on_several_tasks(make, people, as_manager, db):
    project, task, other, st = await setup(make, people)
    comments = [
        {"task_id": task["id"], "task_status_id": st["todo"]["id"], "text": "one"},
        {"task_id": other["id"], "task_status_id": st["todo"]["id"], "text": "two"},
    ]
    r = await as_manager.post(
        "/actions/tasks/batch-comment",
        files=multipart(comments, **{"attachment_file-1-0": ("x.txt", b"x", "text/plain")}),
    )
    assert r.status_code == 201, r.text
    assert [len(c["attachment_files"]) for c in r.json()] == [0, 1]


async def test_artists_cannot_post_as_someone_else(make, people, as_artist):
    project, task, _, st = await setup(make, people)
    r = await as_artist.post(
        f"/actions/tasks/{task['id']}/batch-comment",
        json={
            "comments": [
                {
                    "task_status_id": st["todo"]["id"],
                    "text": "me",
                    "person_id": people["manager"],
                    "created_at": "2020-01-01 00:00:00",
                }
            ]
        },
    )
    assert r.status_code == 201
    (row,) = r.json()
    assert row["person_id"] == people["user"] and not row["created_at"].startswith("2020")


async def test_batch_empty_list(make, people, as_artist):
    project, task, _, st = await setup(make, people)
    r = await as_artist.post(f"/actions/tasks/{task['id']}/batch-comment", json={"comments": []})
    assert (r.status_code, r.json()) == (201, [])


async def test_batch_bad_input(make, people, as_admin, anon):
    project, task, _, st = await setup(make, people)
    url = f"/actions/tasks/{task['id']}/batch-comment"
    assert (await anon.post(url, json={"comments": []})).status_code == 401
    r = await as_admin.post(url, json={})
    assert r.status_code == 400 and r.json()["message"] == "Missing required parameter: comments"
    assert (await as_admin.post(url, content=b"{nope", headers={"content-type": "application/json"})).status_code == 400
    assert (await as_admin.post(url, json={"comments": "x"})).status_code == 400
    assert (await as_admin.post(url, json={"comments": [1]})).status_code == 400
    assert (await as_admin.post(url, json={"comments": [{"task_status_id": st["todo"]["id"]}]})).status_code == 400
    assert (await as_admin.post(url, json={"comments": [{"text": "x", "task_status_id": "nope"}]})).status_code == 400
    bad = {"text": "x", "task_status_id": st["todo"]["id"], "checklist": "no"}
    assert (await as_admin.post(url, json={"comments": [bad]})).status_code == 400
    r = await as_admin.post(url, files={"comments": (None, "not json", "text/plain")})
    assert r.status_code == 400
    r = await as_admin.post(url, files={"attachment_file-0-0": ("a.txt", b"a", "text/plain")})
    assert r.status_code == 400
    r = await as_admin.post(
        "/actions/tasks/batch-comment", json={"comments": [{"text": "x", "task_status_id": UNKNOWN}]}
    )
    assert r.status_code == 400  # each comment needs its task
    assert (await as_admin.post("/actions/tasks/nope/batch-comment", json={"comments": []})).status_code == 400


async def test_batch_unknown_ids(make, people, as_admin):
    project, task, _, st = await setup(make, people)
    r = await as_admin.post(f"/actions/tasks/{UNKNOWN}/batch-comment", json={"comments": []})
    assert r.status_code == 404
    r = await as_admin.post(
        "/actions/tasks/batch-comment",
        json={"comments": [{"task_id": UNKNOWN, "task_status_id": st["todo"]["id"], "text": "x"}]},
    )
    assert r.status_code == 404
    r = await as_admin.post(
        f"/actions/tasks/{task['id']}/batch-comment", json={"comments": [{"task_status_id": UNKNOWN, "text": "x"}]}
    )
    assert r.status_code == 404


async def test_batch_rights(make, people, as_artist, as_vendor, client_for, as_admin):
    project, task, _, st = await setup(make, people)
    url = f"/actions/tasks/{task['id']}/batch-comment"
    ok = {"comments": [{"task_status_id": st["todo"]["id"], "text": "x"}]}
    assert (await as_vendor.post(url, json=ok)).status_code == 403
    # an artist may not use a status that is not artist-allowed
    locked = {"comments": [{"task_status_id": st["locked"]["id"], "text": "x"}]}
    assert (await as_artist.post(url, json=locked)).status_code == 403
    # a client without access to the project
    other_project, other_task, _, _ = await setup(make, people, team=("user",))
    async with client_for(people["client"]) as client:
        r = await client.post(f"/actions/tasks/{other_task['id']}/batch-comment", json=ok)
        assert r.status_code == 403
        r = await client.post(
            "/actions/tasks/batch-comment",
            json={"comments": [{"task_id": other_task["id"], "task_status_id": st["todo"]["id"], "text": "x"}]},
        )
        assert r.status_code == 403


async def test_a_refused_comment_leaves_nothing_behind(make, people, as_artist, app, db):
    project, task, _, st = await setup(make, people)
    files_dir = app.state.settings.data_dir / "files" / "attachments"

    def stored_files():
        return {p for p in files_dir.rglob("*") if p.is_file()} if files_dir.exists() else set()

    before = stored_files()
    comments = [
        {"task_status_id": st["todo"]["id"], "text": "kept?"},
        {"task_status_id": st["locked"]["id"], "text": "refused"},
    ]
    r = await as_artist.post(
        f"/actions/tasks/{task['id']}/batch-comment",
        files=multipart(comments, **{"attachment_file-0-0": ("a.txt", b"a", "text/plain")}),
    )
    assert r.status_code == 403
    assert await comments_of(db, task["id"]) == []
    a = AttachmentFile.__table__
    assert (await db.execute(select(a.c.id))).first() is None
    assert stored_files() == before


async def test_batch_over_the_size_limit_is_413(make, people, as_artist, app, monkeypatch, db):
    project, task, _, st = await setup(make, people)
    monkeypatch.setattr(app.state.settings, "max_upload_mb", 1)
    comments = [{"task_status_id": st["todo"]["id"], "text": "big"}]
    r = await as_artist.post(
        f"/actions/tasks/{task['id']}/batch-comment",
        files=multipart(comments, **{"attachment_file-0-0": ("big.bin", b"x" * (1024 * 1024 + 1), "x/y")}),
    )
    assert r.status_code == 413
    assert await comments_of(db, task["id"]) == []


async def test_batch_with_a_picture_preview(make, people, as_artist, db):
    import io

    from PIL import Image

    from app.repositories.tables.files import PreviewFile

    project, task, _, st = await setup(make, people)
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), "blue").save(buf, "PNG")
    comments = [{"task_status_id": st["wfa"]["id"], "text": "have a look"}]
    r = await as_artist.post(
        f"/actions/tasks/{task['id']}/batch-comment",
        files=multipart(comments, **{"preview_file-0-0": ("shot.png", buf.getvalue(), "image/png")}),
    )
    assert r.status_code == 201, r.text
    (row,) = r.json()
    (preview,) = row["preview_files"]
    assert (preview["task_id"], preview["extension"], preview["revision"]) == (task["id"], "png", 1)
    p = PreviewFile.__table__
    stored = (await db.execute(select(p).where(p.c.task_id == task["id"]))).mappings().one()
    assert str(stored["id"]) == preview["id"] and stored["original_name"] == "shot"
