"""Comment attachments: adding files, downloading them, thumbnails, removal, listings, the registry."""

from __future__ import annotations

import io

import pytest
from event_log import events_named
from helpers import UNKNOWN, add
from PIL import Image
from sqlalchemy import select

from app.repositories.tables.files import AttachmentFile
from app.repositories.tables.tasks import Chat, ChatMessage

ATTACHMENT_KEYS = [
    "name",
    "size",
    "extension",
    "mimetype",
    "comment_id",
    "reply_id",
    "chat_message_id",
    "id",
    "created_at",
    "updated_at",
    "comment",
    "chat_message",
    "type",
]
COMMENT_KEYS = [
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
    "id",
    "created_at",
    "updated_at",
    "type",
]


def png(size=(300, 200), color="red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


async def setup(make, people, *, team=("manager", "supervisor", "user", "client", "vendor")):
    project = await make.project(team=[people[r] for r in team])
    asset = await make.asset(project)
    task = await make.task(asset, await make.task_type(), assignees=[people["user"]])
    return project, asset, task


async def post_comment(client, task_id, text="look"):
    status = (await client.get("/data/task-status")).json()
    todo = next(s for s in status if s["is_default"])
    r = await client.post(f"/actions/tasks/{task_id}/comment", json={"task_status_id": todo["id"], "comment": text})
    assert r.status_code == 201, r.text
    return r.json()


def add_url(task_id, comment_id):
    return f"/actions/tasks/{task_id}/comments/{comment_id}/add-attachment"


async def attach(client, task_id, comment_id, files):
    return await client.post(add_url(task_id, comment_id), files=files)


@pytest.fixture
async def scene(make, people, as_artist):
    project, asset, task = await setup(make, people)
    comment = await post_comment(as_artist, task["id"])
    return {"project": project, "asset": asset, "task": task, "comment": comment}


async def test_add_attachment_stores_files_and_answers_short_rows(scene, as_artist, app, db):
    task, comment = scene["task"], scene["comment"]
    r = await attach(
        as_artist,
        task["id"],
        comment["id"],
        {"file": ("notes.txt", b"hello notes", "text/plain"), "file-1": ("pic.png", png(), "image/png")},
    )
    assert r.status_code == 201, r.text
    rows = r.json()
    assert [list(x) for x in rows] == [["id", "name", "extension", "size"]] * 2
    assert [(x["name"], x["extension"], x["size"]) for x in rows] == [
        ("notes.txt", "txt", 11),
        ("pic.png", "png", len(png())),
    ]
    table = AttachmentFile.__table__
    stored = (await db.execute(select(table).where(table.c.comment_id == comment["id"]))).mappings().all()
    assert {s["name"]: s["mimetype"] for s in stored} == {"notes.txt": "text/plain", "pic.png": "image/png"}
    storage = app.state.storage
    assert await storage.read_bytes("attachments", rows[0]["id"]) == b"hello notes"
    assert await storage.exists("thumbnails", f"{rows[1]['id']}.png")
    assert not await storage.exists("thumbnails", f"{rows[0]['id']}.png")
    (event,) = await events_named(db, "comment:update")
    assert event["data"] == {
        "comment_id": comment["id"],
        "task_id": task["id"],
        "person_id": comment["person_id"],
        "for_client": False,
        "project_id": scene["project"]["id"],
    }


async def test_add_attachment_without_files_answers_an_empty_list(scene, as_artist):
    r = await as_artist.post(add_url(scene["task"]["id"], scene["comment"]["id"]))
    assert (r.status_code, r.json()) == (201, [])


async def test_path_traversal_name_is_stored_under_an_id(scene, as_artist, app, db, settings):
    task, comment = scene["task"], scene["comment"]
    r = await attach(as_artist, task["id"], comment["id"], {"file": ("../../etc/passwd", b"root:x:0:0", "text/plain")})
    assert r.status_code == 201, r.text
    (row,) = r.json()
    assert row["name"] == "../../etc/passwd"  # kept as data only
    assert row["extension"] == ""
    path = app.state.storage.path("attachments", row["id"])
    assert path.name == row["id"] and path.is_relative_to(settings.data_dir.resolve())
    assert not (settings.data_dir / "etc").exists()
    r = await as_artist.get(f"/data/attachment-files/{row['id']}/file/passwd")
    assert r.status_code == 200
    assert r.content == b"root:x:0:0"
    assert r.headers["content-disposition"] == "attachment; filename=passwd"


async def test_add_attachment_over_the_size_limit_is_413(scene, as_artist, app, db, monkeypatch):
    monkeypatch.setattr(app.state.settings, "max_upload_mb", 1)
    big = b"x" * (1024 * 1024 + 10)
    r = await attach(as_artist, scene["task"]["id"], scene["comment"]["id"], {"file": ("big.bin", big, "x/y")})
    assert r.status_code == 413
    table = AttachmentFile.__table__
    assert (await db.execute(select(table).where(table.c.comment_id == scene["comment"]["id"]))).first() is None


async def test_add_attachment_rights(scene, make, people, as_manager, as_supervisor, as_client, anon, as_admin):
    task, comment = scene["task"], scene["comment"]
    files = {"file": ("a.txt", b"a", "text/plain")}
    assert (await attach(anon, task["id"], comment["id"], files)).status_code == 401
    # not the author and not a manager of the project
    assert (await attach(as_supervisor, task["id"], comment["id"], files)).status_code == 403
    assert (await attach(as_client, task["id"], comment["id"], files)).status_code == 403
    # a manager of the project may
    assert (await attach(as_manager, task["id"], comment["id"], files)).status_code == 201
    # the comment must belong to the task of the path
    other = await make.task(scene["asset"], await make.task_type())
    assert (await attach(as_admin, other["id"], comment["id"], files)).status_code == 403
    assert (await attach(as_admin, task["id"], UNKNOWN, files)).status_code == 404
    assert (await as_admin.post(add_url("nope", comment["id"]), files=files)).status_code == 400
    assert (await as_admin.post(add_url(task["id"], "nope"), files=files)).status_code == 400


async def test_manager_off_the_team_may_not_attach(make, people, as_admin, client_for):
    project, asset, task = await setup(make, people, team=("user",))
    comment = await post_comment(as_admin, task["id"])
    async with client_for(people["manager"]) as manager:
        r = await attach(manager, task["id"], comment["id"], {"file": ("a.txt", b"a", "text/plain")})
    assert r.status_code == 403


async def test_download_headers_range_and_cache(scene, as_artist):
    task, comment = scene["task"], scene["comment"]
    txt, pic = (
        await attach(
            as_artist,
            task["id"],
            comment["id"],
            {"file": ("notes.txt", b"0123456789", "text/plain"), "file-1": ("pic.png", png(), "image/png")},
        )
    ).json()
    r = await as_artist.get(f"/data/attachment-files/{txt['id']}/file/anything.bin")
    assert r.status_code == 200
    assert r.content == b"0123456789"
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["content-length"] == "10"
    assert r.headers["content-disposition"] == "attachment; filename=notes.txt"
    assert r.headers["cache-control"] == "public, max-age=604800"
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["x-content-type-options"] == "nosniff"
    etag = r.headers["etag"]
    r = await as_artist.get(f"/data/attachment-files/{txt['id']}/file/x", headers={"If-None-Match": etag})
    assert r.status_code == 304
    r = await as_artist.get(f"/data/attachment-files/{txt['id']}/file/x", headers={"Range": "bytes=2-5"})
    assert (r.status_code, r.content, r.headers["content-range"]) == (206, b"2345", "bytes 2-5/10")
    r = await as_artist.get(f"/data/attachment-files/{txt['id']}/file/x", headers={"Range": "bytes=-3"})
    assert (r.status_code, r.content) == (206, b"789")
    r = await as_artist.get(f"/data/attachment-files/{txt['id']}/file/x", headers={"Range": "bytes=20-"})
    assert r.status_code == 416
    r = await as_artist.get(f"/data/attachment-files/{pic['id']}/file/pic.png")
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"] == "inline; filename=pic.png"


async def test_html_and_unicode_names_are_downloads_with_safe_names(scene, as_artist):
    task, comment = scene["task"], scene["comment"]
    html, uni = (
        await attach(
            as_artist,
            task["id"],
            comment["id"],
            {
                "file": ("evil.html", b"<script>", "text/html"),
                "file-1": ("r\u00e9sum\u00e9 final.pdf", b"%PDF", "application/pdf"),
            },
        )
    ).json()
    r = await as_artist.get(f"/data/attachment-files/{html['id']}/file/evil.html")
    assert r.headers["content-disposition"] == "attachment; filename=evil.html"
    r = await as_artist.get(f"/data/attachment-files/{uni['id']}/file/x")
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"resume final.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.pdf"
    )


async def test_quotes_and_line_breaks_never_reach_the_disposition(scene, db, as_artist, app):
    row = await add(
        db,
        AttachmentFile,
        name='a"b\r\nSet-Cookie: x;.txt',
        extension="txt",
        mimetype="text/plain",
        comment_id=scene["comment"]["id"],
    )
    r = await as_artist.get(f"/data/attachment-files/{row['id']}/file/x")
    assert r.status_code == 404  # no stored file yet
    await app.state.storage.write_bytes("attachments", str(row["id"]), b"z")
    r = await as_artist.get(f"/data/attachment-files/{row['id']}/file/x")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="abSet-Cookie: x.txt"'
    assert "set-cookie" not in r.headers


async def test_download_rights_and_errors(scene, make, people, as_artist, anon, as_admin, client_for, app):
    task, comment = scene["task"], scene["comment"]
    (row,) = (await attach(as_artist, task["id"], comment["id"], {"file": ("a.txt", b"a", "text/plain")})).json()
    url = f"/data/attachment-files/{row['id']}/file/a.txt"
    assert (await anon.get(url)).status_code == 401
    assert (await as_admin.get(url)).status_code == 200
    assert (await as_admin.get(f"/data/attachment-files/{UNKNOWN}/file/a.txt")).status_code == 404
    assert (await as_admin.get("/data/attachment-files/nope/file/a.txt")).status_code == 400
    # a client of another project
    other = await make.project(team=[people["client"]])
    assert other["id"] != scene["project"]["id"]
    project, asset, task2 = await setup(make, people, team=("user",))
    comment2 = await post_comment(as_artist, task2["id"])
    (row2,) = (await attach(as_artist, task2["id"], comment2["id"], {"file": ("b.txt", b"b", "text/plain")})).json()
    async with client_for(people["client"]) as client:
        assert (await client.get(f"/data/attachment-files/{row2['id']}/file/b.txt")).status_code == 403
        assert (await client.get(f"/pictures/thumbnails/attachment-files/{row2['id']}.png")).status_code == 403
        assert (await client.get(f"/data/attachment-files/{row2['id']}")).status_code == 403
    # the stored file went missing
    await app.state.storage.delete("attachments", row["id"])
    assert (await as_admin.get(url)).status_code == 404


async def test_attachment_with_neither_comment_nor_chat_is_refused(db, as_manager, as_admin):
    row = await add(db, AttachmentFile, name="lost.txt", extension="txt", mimetype="text/plain")
    assert (await as_manager.get(f"/data/attachment-files/{row['id']}/file/lost.txt")).status_code == 403
    assert (await as_manager.get(f"/data/attachment-files/{row['id']}")).status_code == 403


async def test_chat_attachment_follows_the_project_access(make, people, db, as_artist, as_client, as_admin):
    project, asset, task = await setup(make, people, team=("user",))
    chat = await add(db, Chat, object_id=asset["id"], object_type="entity")
    message = await add(db, ChatMessage, chat_id=chat["id"], person_id=people["user"], text="hi")
    row = await add(
        db, AttachmentFile, name="c.txt", extension="txt", mimetype="text/plain", chat_message_id=message["id"]
    )
    r = await as_artist.get(f"/data/attachment-files/{row['id']}")
    assert r.status_code == 200
    assert r.json()["chat_message"] == {
        "chat_id": str(chat["id"]),
        "person_id": people["user"],
        "text": "hi",
        "id": str(message["id"]),
        "created_at": message["created_at"].isoformat(timespec="seconds"),
        "updated_at": message["updated_at"].isoformat(timespec="seconds"),
        "type": "ChatMessage",
    }
    assert (await as_client.get(f"/data/attachment-files/{row['id']}")).status_code == 403


async def test_thumbnail_of_a_picture_attachment(scene, as_artist, anon, as_admin):
    task, comment = scene["task"], scene["comment"]
    pic, txt = (
        await attach(
            as_artist,
            task["id"],
            comment["id"],
            {"file": ("pic.png", png((400, 100)), "image/png"), "file-1": ("a.txt", b"a", "text/plain")},
        )
    ).json()
    r = await as_artist.get(f"/pictures/thumbnails/attachment-files/{pic['id']}.png")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert r.headers["cache-control"] == "max-age=604800, private"
    assert Image.open(io.BytesIO(r.content)).size == (150, 150)
    assert (await as_artist.get(f"/pictures/thumbnails/attachment-files/{txt['id']}.png")).status_code == 404
    assert (await anon.get(f"/pictures/thumbnails/attachment-files/{pic['id']}.png")).status_code == 401
    assert (await as_admin.get(f"/pictures/thumbnails/attachment-files/{UNKNOWN}.png")).status_code == 404
    assert (await as_admin.get("/pictures/thumbnails/attachment-files/nope.png")).status_code == 400


async def test_corrupt_picture_is_kept_without_thumbnail(scene, as_artist):
    task, comment = scene["task"], scene["comment"]
    (row,) = (
        await attach(as_artist, task["id"], comment["id"], {"file": ("bad.png", b"not a png", "image/png")})
    ).json()
    assert row["size"] == 9
    assert (await as_artist.get(f"/pictures/thumbnails/attachment-files/{row['id']}.png")).status_code == 404
    assert (await as_artist.get(f"/data/attachment-files/{row['id']}/file/bad.png")).content == b"not a png"


async def test_delete_comment_attachment(scene, make, as_artist, as_supervisor, as_manager, anon, app, db):
    task, comment = scene["task"], scene["comment"]
    a, b, c = (
        await attach(
            as_artist,
            task["id"],
            comment["id"],
            {
                "file": ("a.png", png(), "image/png"),
                "file-1": ("b.txt", b"b", "text/plain"),
                "file-2": ("c.txt", b"c", "text/plain"),
            },
        )
    ).json()
    base = f"/data/tasks/{task['id']}/comments/{comment['id']}/attachments"
    assert (await anon.delete(f"{base}/{a['id']}")).status_code == 401
    assert (await as_supervisor.delete(f"{base}/{a['id']}")).status_code == 403
    assert (await as_artist.delete(f"{base}/{UNKNOWN}")).status_code == 404
    assert (await as_artist.delete(f"{base}/nope")).status_code == 400
    other = await make.task(scene["asset"], await make.task_type())
    r = await as_artist.delete(f"/data/tasks/{other['id']}/comments/{comment['id']}/attachments/{a['id']}")
    assert r.status_code == 403
    # an attachment of another comment
    comment2 = await post_comment(as_artist, task["id"])
    r = await as_artist.delete(f"/data/tasks/{task['id']}/comments/{comment2['id']}/attachments/{a['id']}")
    assert r.status_code == 403
    before = len(await events_named(db, "comment:update"))
    r = await as_artist.delete(f"{base}/{a['id']}")
    assert r.status_code == 204
    storage = app.state.storage
    assert not await storage.exists("attachments", a["id"])
    assert not await storage.exists("thumbnails", f"{a['id']}.png")
    assert await storage.exists("attachments", b["id"])
    assert len(await events_named(db, "comment:update")) == before + 1
    assert (await as_manager.delete(f"{base}/{b['id']}")).status_code == 204
    table = AttachmentFile.__table__
    left = (await db.execute(select(table.c.id).where(table.c.comment_id == comment["id"]))).scalars().all()
    assert [str(x) for x in left] == [c["id"]]


async def test_task_and_project_listings(scene, make, people, as_artist, as_admin, as_manager, queries):
    task, comment = scene["task"], scene["comment"]
    await attach(as_artist, task["id"], comment["id"], {"file": ("a.txt", b"a", "text/plain")})
    for url in (
        f"/data/tasks/{task['id']}/attachment-files",
        f"/data/projects/{scene['project']['id']}/attachment-files",
    ):
        r = await as_admin.get(url)
        assert r.status_code == 200
        (row,) = r.json()
        assert list(row) == ATTACHMENT_KEYS
        assert row["name"] == "a.txt" and row["type"] == "AttachmentFile" and row["chat_message"] is None
        assert list(row["comment"]) == COMMENT_KEYS
        assert row["comment"]["id"] == comment["id"]
        assert (await as_manager.get(url)).status_code == 403
    assert (await as_admin.get(f"/data/tasks/{UNKNOWN}/attachment-files")).json() == []
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/attachment-files")).json() == []
    assert (await as_admin.get("/data/tasks/nope/attachment-files")).status_code == 400
    # a fixed number of queries whatever the row count
    url = f"/data/projects/{scene['project']['id']}/attachment-files"
    queries.reset()
    await as_admin.get(url)
    one = queries.count
    other_comment = await post_comment(as_artist, task["id"])
    files = {f"file-{i}": (f"f{i}.txt", b"x", "text/plain") for i in range(6)}
    await attach(as_artist, task["id"], other_comment["id"], files)
    queries.reset()
    r = await as_admin.get(url)
    assert len(r.json()) == 7
    assert queries.count == one


async def test_registry_reads_and_writes(scene, as_artist, as_admin, as_manager, as_client, anon, app, db):
    task, comment = scene["task"], scene["comment"]
    (row,) = (await attach(as_artist, task["id"], comment["id"], {"file": ("a.txt", b"a", "text/plain")})).json()
    assert (await anon.get("/data/attachment-files")).status_code == 401
    assert (await as_manager.get("/data/attachment-files")).status_code == 403
    r = await as_admin.get(f"/data/attachment-files?comment_id={comment['id']}")
    assert [x["id"] for x in r.json()] == [row["id"]]
    assert list(r.json()[0]) == ATTACHMENT_KEYS
    r = await as_artist.get(f"/data/attachment-files/{row['id']}")
    assert r.status_code == 200
    got = r.json()
    assert list(got) == ATTACHMENT_KEYS
    assert (got["name"], got["mimetype"], got["size"], got["comment_id"]) == ("a.txt", "text/plain", 1, comment["id"])
    assert got["comment"]["text"] == "look"
    assert (await as_admin.get(f"/data/attachment-files/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/attachment-files/nope")).status_code == 400

    body = {"name": "x.txt", "extension": "txt", "mimetype": "text/plain", "comment_id": comment["id"]}
    assert (await as_manager.post("/data/attachment-files", json=body)).status_code == 403
    r = await as_admin.post("/data/attachment-files", json=body)
    assert r.status_code == 201
    created = r.json()
    assert list(created) == ATTACHMENT_KEYS and created["size"] == 1 and created["comment"]["id"] == comment["id"]
    (event,) = await events_named(db, "attachment-file:new")
    assert event["data"] == {"attachment_file_id": created["id"]}
    assert (await as_admin.post("/data/attachment-files", json={"nope": 1})).status_code == 400
    r = await as_admin.put(f"/data/attachment-files/{created['id']}", json={"name": "y.txt"})
    assert (r.status_code, r.json()["name"]) == (200, "y.txt")
    assert (await as_manager.put(f"/data/attachment-files/{created['id']}", json={"name": "z"})).status_code == 403

    # DELETE removes the stored file too
    assert (await as_manager.delete(f"/data/attachment-files/{row['id']}")).status_code == 403
    assert (await as_client.delete(f"/data/attachment-files/{row['id']}")).status_code == 403
    assert (await as_admin.delete(f"/data/attachment-files/{UNKNOWN}")).status_code == 404
    assert (await as_admin.delete("/data/attachment-files/nope")).status_code == 400
    assert await app.state.storage.exists("attachments", row["id"])
    assert (await as_admin.delete(f"/data/attachment-files/{row['id']}")).status_code == 204
    assert not await app.state.storage.exists("attachments", row["id"])
    (event,) = await events_named(db, "attachment-file:delete")
    assert event["data"] == {"attachment_file_id": row["id"]}
    assert (await as_admin.get(f"/data/attachment-files/{row['id']}")).status_code == 404


async def test_files_posted_with_a_comment_become_its_attachments(make, people, as_artist, app, db, monkeypatch):
    project, asset, task = await setup(make, people)
    status = await make.default_task_status()
    r = await as_artist.post(
        f"/actions/tasks/{task['id']}/comment",
        data={"task_status_id": status["id"], "comment": "with file", "checklist": "[]"},
        files={"file": ("z.txt", b"zz", "text/plain"), "file-1": ("p.png", png(), "image/png")},
    )
    assert r.status_code == 201, r.text
    row = r.json()
    assert row["text"] == "with file"
    assert [(a["name"], a["extension"], a["size"]) for a in row["attachment_files"]] == [
        ("z.txt", "txt", 2),
        ("p.png", "png", len(png())),
    ]
    assert list(row["attachment_files"][0]) == ["id", "name", "extension", "size"]
    assert await app.state.storage.read_bytes("attachments", row["attachment_files"][0]["id"]) == b"zz"
    # the comment read back lists them
    r = await as_artist.get(f"/data/attachment-files/{row['attachment_files'][1]['id']}/file/p.png")
    assert r.status_code == 200 and r.content == png()
    # over the limit: 413 and no comment
    monkeypatch.setattr(app.state.settings, "max_upload_mb", 1)
    r = await as_artist.post(
        f"/actions/tasks/{task['id']}/comment",
        data={"task_status_id": status["id"], "comment": "too big"},
        files={"file": ("big.bin", b"x" * (1024 * 1024 + 1), "x/y")},
    )
    assert r.status_code == 413


async def test_head_on_a_download_sends_headers_only(scene, as_artist):
    task, comment = scene["task"], scene["comment"]
    (row,) = (await attach(as_artist, task["id"], comment["id"], {"file": ("a.txt", b"abc", "text/plain")})).json()
    r = await as_artist.head(f"/data/attachment-files/{row['id']}/file/a.txt")
    assert r.status_code == 200
    assert r.headers["content-length"] == "3"
    assert r.content == b""
