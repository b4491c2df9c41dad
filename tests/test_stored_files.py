"""Stored files follow their rows: every deletion of a row owning files removes them after the commit,
never before it, and never when the request fails."""

from __future__ import annotations

import io
import logging
from types import SimpleNamespace

import pytest
from event_log import events_named
from helpers import add
from PIL import Image
from sqlalchemy import event, select, update

from app.domain import stored_files
from app.repositories.tables.files import AttachmentFile, PreviewFile, WorkingFile
from app.repositories.tables.projects import Project
from app.routers.deps import get_session


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (20, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


async def post_comment(client, task_id: str) -> dict:
    status = next(s for s in (await client.get("/data/task-status")).json() if s["is_default"])
    r = await client.post(f"/actions/tasks/{task_id}/comment", json={"task_status_id": status["id"], "comment": "x"})
    assert r.status_code == 201, r.text
    return r.json()


async def review(make, people, client) -> dict:
    """A task with a comment carrying an uploaded PNG preview and an attachment (a picture: it gets a thumbnail)."""
    project = await make.project(team=[people["user"], people["manager"]])
    asset = await make.asset(project)
    task = await make.task(asset, await make.task_type(), assignees=[people["user"]])
    comment = await post_comment(client, task["id"])
    base = f"/actions/tasks/{task['id']}/comments/{comment['id']}"
    r = await client.post(f"{base}/add-preview", json={})
    assert r.status_code == 201, r.text
    preview_id = r.json()["id"]
    r = await client.post(
        f"/pictures/preview-files/{preview_id}", files={"file": ("shot.png", png_bytes(), "image/png")}
    )
    assert r.status_code == 201, r.text
    r = await client.post(f"{base}/add-attachment", files={"file": ("ref.png", png_bytes(), "image/png")})
    assert r.status_code == 201, r.text
    attachment_id = r.json()[0]["id"]
    return {"project": project, "asset": asset, "task": task, "comment": comment, "preview_id": preview_id,
            "attachment_id": attachment_id}  # fmt: skip


def preview_keys(preview_id: str) -> list[tuple[str, str]]:
    """What a PNG preview upload writes."""
    return [(bucket, f"{preview_id}.png") for bucket in ("originals", "previews", "thumbnails", "thumbnails-square")]


async def present(storage, keys) -> list[tuple[str, str]]:
    return [(bucket, key) for bucket, key in keys if await storage.exists(bucket, key)]


def files_of(scene: dict) -> list[tuple[str, str]]:
    return preview_keys(scene["preview_id"]) + stored_files.attachment_keys(scene["attachment_id"])


# --- the keys ------------------------------------------------------------------------------------


def test_keys_are_built_from_ids_only():
    pid = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
    keys = stored_files.preview_file_keys(pid, "PDF")
    assert ("movies-source", pid) in keys and ("tiles", f"{pid}.png") in keys
    assert ("originals", f"{pid}.pdf") in keys
    assert set(preview_keys(pid)) <= set(keys)
    assert ("originals", f"{pid}.mp4") not in stored_files.preview_file_keys(pid, "mp4")
    assert stored_files.attachment_keys(pid) == [("attachments", pid), ("thumbnails", f"{pid}.png")]
    assert stored_files.working_file_keys(pid) == [("working-files", pid)]
    assert stored_files.background_keys(pid) == [("backgrounds", f"{pid}.png"), ("backgrounds", f"{pid}.hdr")]


def test_discard_records_checked_keys_once(caplog):
    session = SimpleNamespace(info={})
    pid = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
    stored_files.discard(session, "attachments", pid)
    with caplog.at_level(logging.WARNING):
        stored_files.discard_many(session, [("attachments", pid), ("attachments", "../../etc/passwd"), ("nope", pid)])
    assert "refused storage key" in caplog.text
    assert stored_files.take_pending(session) == [("attachments", pid)]
    assert stored_files.take_pending(session) == []


# --- the request's session: after commit, not on failure -------------------------------------------


async def test_files_go_only_after_a_successful_commit(app):
    storage = app.state.storage
    key = "5d7c2a10-7e0b-4c4e-9a77-3a3f1d6c0b01"
    await storage.write_bytes("attachments", key, b"data")
    request = SimpleNamespace(app=app)

    dependency = get_session(request)
    session = await anext(dependency)
    stored_files.discard(session, "attachments", key)
    assert await storage.exists("attachments", key)  # nothing removed before the commit
    with pytest.raises(StopAsyncIteration):
        await anext(dependency)
    assert not await storage.exists("attachments", key)


async def test_a_failed_request_keeps_the_files(app):
    storage = app.state.storage
    key = "5d7c2a10-7e0b-4c4e-9a77-3a3f1d6c0b02"
    await storage.write_bytes("attachments", key, b"data")

    dependency = get_session(SimpleNamespace(app=app))
    session = await anext(dependency)
    stored_files.discard(session, "attachments", key)
    with pytest.raises(RuntimeError):
        await dependency.athrow(RuntimeError("the route failed"))
    assert await storage.exists("attachments", key)
    assert stored_files.PENDING not in session.info


async def test_a_failed_commit_keeps_the_files(app):
    storage = app.state.storage
    key = "5d7c2a10-7e0b-4c4e-9a77-3a3f1d6c0b03"
    await storage.write_bytes("attachments", key, b"data")

    dependency = get_session(SimpleNamespace(app=app))
    session = await anext(dependency)
    stored_files.discard(session, "attachments", key)

    def refuse(_session):
        raise RuntimeError("commit failed")

    event.listen(session.sync_session, "before_commit", refuse)
    with pytest.raises(RuntimeError, match="commit failed"):
        await anext(dependency)
    assert await storage.exists("attachments", key)


async def test_a_file_that_cannot_go_does_not_fail_the_request(app, caplog):
    class Broken:
        async def delete(self, bucket, key):
            raise OSError("disk gone")

    gone = []

    class Working:
        async def delete(self, bucket, key):
            gone.append((bucket, key))

    keys = [("attachments", "5d7c2a10-7e0b-4c4e-9a77-3a3f1d6c0b04")]
    with caplog.at_level(logging.WARNING):
        await stored_files.remove(Broken(), keys)
    assert "could not remove stored file attachments/5d7c2a10" in caplog.text
    await stored_files.remove(Working(), keys)
    assert gone == keys


# --- the routes ---------------------------------------------------------------------------------


async def test_comment_deletion_removes_its_preview_and_attachment_files(app, as_artist, anon, make, people, db):
    scene = await review(make, people, as_artist)
    storage = app.state.storage
    assert await present(storage, files_of(scene)) == files_of(scene)

    path = f"/data/tasks/{scene['task']['id']}/comments/{scene['comment']['id']}"
    assert (await anon.delete(path)).status_code == 401
    assert await present(storage, files_of(scene)) == files_of(scene)
    r = await as_artist.delete(path)
    assert r.status_code == 204, r.text
    assert await present(storage, files_of(scene)) == []
    assert (await db.execute(select(PreviewFile.id).where(PreviewFile.id == scene["preview_id"]))).first() is None
    assert [e["data"]["comment_id"] for e in await events_named(db, "comment:delete")] == [scene["comment"]["id"]]


async def test_refused_comment_deletion_keeps_the_files(app, as_artist, as_client, make, people):
    scene = await review(make, people, as_artist)
    r = await as_client.delete(f"/data/tasks/{scene['task']['id']}/comments/{scene['comment']['id']}")
    assert r.status_code == 403
    assert await present(app.state.storage, files_of(scene)) == files_of(scene)


async def test_preview_file_deletion_removes_its_files(app, as_artist, as_manager, make, people, db):
    scene = await review(make, people, as_artist)
    storage = app.state.storage
    r = await as_manager.delete(f"/data/preview-files/{scene['preview_id']}")
    assert r.status_code == 204, r.text
    assert await present(storage, preview_keys(scene["preview_id"])) == []
    assert await present(storage, stored_files.attachment_keys(scene["attachment_id"])) != []
    assert len(await events_named(db, "preview-file:delete")) == 1


async def test_reply_deletion_removes_its_attachment_files(app, as_artist, make, people, db):
    scene = await review(make, people, as_artist)
    task_id, comment_id = scene["task"]["id"], scene["comment"]["id"]
    r = await as_artist.post(f"/data/tasks/{task_id}/comments/{comment_id}/reply", json={"text": "ok"})
    assert r.status_code == 200, r.text
    reply_id = r.json()["id"]
    row = await add(
        db,
        AttachmentFile,
        name="r.txt",
        extension="txt",
        mimetype="text/plain",
        comment_id=comment_id,
        reply_id=reply_id,
    )
    storage = app.state.storage
    await storage.write_bytes("attachments", str(row["id"]), b"reply file")

    r = await as_artist.delete(f"/data/tasks/{task_id}/comments/{comment_id}/reply/{reply_id}")
    assert r.status_code == 200, r.text
    assert not await storage.exists("attachments", str(row["id"]))
    assert await storage.exists("attachments", scene["attachment_id"])  # the comment's own attachment stays


async def test_chat_message_deletion_removes_its_attachment_files(app, as_artist, make, people, db):
    project = await make.project(team=[people["user"]])
    asset = await make.asset(project)
    await as_artist.post(f"/actions/user/chats/{asset['id']}/join")
    r = await as_artist.post(f"/data/entities/{asset['id']}/chat/messages", json={"message": "hi"})
    assert r.status_code == 201, r.text
    message_id = r.json()["id"]
    row = await add(
        db, AttachmentFile, name="c.txt", extension="txt", mimetype="text/plain", chat_message_id=message_id
    )
    storage = app.state.storage
    await storage.write_bytes("attachments", str(row["id"]), b"chat file")

    r = await as_artist.delete(f"/data/entities/{asset['id']}/chat/messages/{message_id}")
    assert r.status_code == 204, r.text
    assert not await storage.exists("attachments", str(row["id"]))


async def test_task_force_deletion_removes_its_files(app, as_artist, as_manager, make, people, db):
    scene = await review(make, people, as_artist)
    r = await as_manager.delete(f"/data/tasks/{scene['task']['id']}?force=true")
    assert r.status_code == 204, r.text
    assert await present(app.state.storage, files_of(scene)) == []


async def test_entity_force_deletion_removes_its_files(app, as_artist, as_manager, make, people, db):
    scene = await review(make, people, as_artist)
    r = await as_manager.delete(f"/data/assets/{scene['asset']['id']}?force=true")
    assert r.status_code == 204, r.text
    assert await present(app.state.storage, files_of(scene)) == []
    assert len(await events_named(db, "asset:delete")) == 1


async def test_project_force_deletion_removes_every_file_of_it(app, as_artist, as_admin, make, people, db):
    scene = await review(make, people, as_artist)
    other = await review(make, people, as_artist)  # another project: its files stay
    project_id = scene["project"]["id"]
    working = await add(
        db, WorkingFile, name="main", revision=1, task_id=scene["task"]["id"], entity_id=scene["asset"]["id"]
    )
    storage = app.state.storage
    await storage.write_bytes("working-files", str(working["id"]), b"scene file")
    await storage.write_bytes("avatars", f"{project_id}.png", png_bytes())
    closed = await make.project_status("Closed")
    await db.execute(update(Project.__table__).where(Project.id == project_id).values(project_status_id=closed["id"]))

    r = await as_admin.delete(f"/data/projects/{project_id}?force=true")
    assert r.status_code == 204, r.text
    doomed = files_of(scene) + [("working-files", str(working["id"])), ("avatars", f"{project_id}.png")]
    assert await present(storage, doomed) == []
    assert await present(storage, files_of(other)) == files_of(other)
    assert [e["data"]["project_id"] for e in await events_named(db, "project:delete")] == [project_id]


async def test_working_file_deletion_removes_its_file(app, as_admin, as_artist, make, people, db):
    project = await make.project(team=[people["user"]])
    asset = await make.asset(project)
    task = await make.task(asset, await make.task_type(), assignees=[people["user"]])
    working = await add(db, WorkingFile, name="main", revision=1, task_id=task["id"], entity_id=asset["id"])
    storage = app.state.storage
    await storage.write_bytes("working-files", str(working["id"]), b"scene file")

    assert (await as_artist.delete(f"/data/working-files/{working['id']}")).status_code == 403
    assert await storage.exists("working-files", str(working["id"]))
    r = await as_admin.delete(f"/data/working-files/{working['id']}")
    assert r.status_code == 204, r.text
    assert not await storage.exists("working-files", str(working["id"]))
    assert len(await events_named(db, "working-file:delete")) == 1


async def test_deleting_a_person_removes_their_avatar(app, as_admin):
    storage = app.state.storage
    r = await as_admin.post(
        "/data/persons", json={"first_name": "Gone", "last_name": "Soon", "email": "gone.soon@example.com"}
    )
    person_id = r.json()["id"]
    await storage.write_bytes("avatars", f"{person_id}.png", b"png")
    assert (await as_admin.delete(f"/data/persons/{person_id}")).status_code == 204
    assert not await storage.exists("avatars", f"{person_id}.png")
