"""Preview uploads: add-preview on a comment, the upload (pictures, other files, movies), serving pictures."""

from __future__ import annotations

import io

import pytest
from event_log import events_named
from helpers import UNKNOWN, add
from PIL import Image
from sqlalchemy import select

from app.repositories.tables.entities import Entity
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.projects import Project
from app.repositories.tables.tasks import Comment, CommentPreviewLink, News, Task

PREVIEW_FIELDS = [
    "name", "original_name", "revision", "position", "extension", "description", "path", "source", "file_size",
    "status", "validation_status", "annotations", "width", "height", "duration", "data", "token_in", "token_out",
    "task_id", "person_id", "source_file_id", "shotgun_id", "is_movie", "url", "uploaded_movie_url",
    "uploaded_movie_name", "id", "created_at", "updated_at",
]  # fmt: skip


def png_bytes(size=(640, 480), color=(200, 10, 10), mode="RGB", fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, fmt)
    return buf.getvalue()


async def setup(make, people, db, **project_values):
    project = await make.project(
        team=[people["user"], people["manager"], people["supervisor"], people["vendor"]], **project_values
    )
    asset = await make.asset(project)
    task_type = await make.task_type()
    task = await make.task(asset, task_type, assignees=[people["user"]])
    status = await make.default_task_status()
    comment = await add(
        db,
        Comment,
        object_id=task["id"],
        object_type="Task",
        text="look",
        person_id=people["user"],
        task_status_id=status["id"],
        for_client=False,
    )
    return project, asset, task, comment


def add_url(task, comment):
    return f"/actions/tasks/{task['id']}/comments/{comment['id']}/add-preview"


async def add_preview(client, task, comment, **body):
    r = await client.post(add_url(task, comment), json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def upload(client, preview_id, name="shot.png", data=None, mime="image/png"):
    data = png_bytes() if data is None else data
    return await client.post(f"/pictures/preview-files/{preview_id}", files={"file": (name, data, mime)})


async def preview_row(db, preview_id):
    table = PreviewFile.__table__
    return (await db.execute(select(table).where(table.c.id == preview_id))).mappings().first()


# --- add-preview ---


async def test_add_preview_numbers_revisions_and_links_the_comment(as_artist, make, people, db):
    project, asset, task, comment = await setup(make, people, db)
    await add(db, News, author_id=people["user"], comment_id=comment["id"], task_id=task["id"])
    body = await add_preview(as_artist, task, comment)
    assert list(body) == [*PREVIEW_FIELDS, "comments", "type"]
    assert body["revision"] == 1 and body["position"] == 1 and body["status"] == "processing"
    assert body["extension"] == "mp4" and body["source"] == "webgui" and body["file_size"] == 0
    assert body["duration"] == 0.0 and body["width"] == 0 and body["is_movie"] is False
    assert body["task_id"] == task["id"] and body["person_id"] == people["user"] and len(body["name"]) == 13
    assert body["comments"] == [comment["id"]] and body["type"] == "PreviewFile"
    links = CommentPreviewLink.__table__
    linked = (await db.execute(select(links.c.preview_file).where(links.c.comment == comment["id"]))).scalars().all()
    assert linked == [body["id"]]
    news = (await db.execute(select(News.__table__.c.preview_file_id))).scalars().all()
    assert body["id"] in news
    new = await events_named(db, "preview-file:new")
    assert new[-1]["data"] == {"preview_file_id": body["id"], "comment_id": comment["id"], "project_id": project["id"]}
    update = await events_named(db, "comment:update")
    assert update[-1]["data"] == {
        "comment_id": comment["id"],
        "task_id": task["id"],
        "person_id": people["user"],
        "for_client": False,
        "project_id": project["id"],
    }
    # a second preview on the same comment: same revision, next position
    second = await add_preview(as_artist, task, comment)
    assert (second["revision"], second["position"]) == (1, 2)
    # another comment: the next revision; an explicit free revision is kept
    other = await add(db, Comment, object_id=task["id"], object_type="Task", person_id=people["user"], text="2")
    assert (await add_preview(as_artist, task, other))["revision"] == 2
    third = await add(db, Comment, object_id=task["id"], object_type="Task", person_id=people["user"], text="3")
    r = await as_artist.post(add_url(task, third), json={"revision": 1})
    assert r.status_code == 400 and r.json() == {
        "error": True,
        "message": "Revision 1 already exists for this task. Choose a different revision number, "
        "or omit it to let the revision auto-increment.",
    }
    assert (await add_preview(as_artist, task, third, revision=7))["revision"] == 7


async def test_add_preview_errors(as_artist, as_client, as_vendor, anon, make, people, db):
    project, asset, task, comment = await setup(make, people, db, is_single_preview_per_revision=True)
    assert (await anon.post(add_url(task, comment), json={})).status_code == 401
    assert (await as_client.post(add_url(task, comment), json={})).status_code == 403  # not on the team
    assert (await as_vendor.post(add_url(task, comment), json={})).status_code == 403  # not assigned
    assert (await as_artist.post(add_url({"id": UNKNOWN}, comment), json={})).status_code == 404
    assert (await as_artist.post(add_url(task, {"id": UNKNOWN}), json={})).status_code == 404
    r = await as_artist.post(add_url({"id": "nope"}, comment), json={})
    assert r.status_code == 400 and r.json()["message"] == "Malformed ID."
    r = await as_artist.post(add_url(task, comment), json={"revision": -1})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "revision"
    r = await as_artist.post(add_url(task, comment), json={"revision": "abc"})
    assert r.status_code == 400 and r.json()["message"] == "Validation error."
    # a comment of another task
    other_task = await make.task(asset, await make.task_type(), assignees=[people["user"]])
    assert (await as_artist.post(add_url(other_task, comment), json={})).status_code == 404
    # one preview per revision in this project
    await add_preview(as_artist, task, comment)
    r = await as_artist.post(add_url(task, comment), json={})
    assert r.status_code == 400
    assert r.json()["message"] == "Only one preview file is allowed per revision for this project."


# --- the upload: pictures ---


async def test_upload_picture_builds_every_picture(as_artist, app, make, people, db):
    project, asset, task, comment = await setup(make, people, db)
    preview = await add_preview(as_artist, task, comment)
    r = await upload(as_artist, preview["id"], name="my shot.png")
    assert r.status_code == 201, r.text
    body = r.json()
    assert list(body) == [*PREVIEW_FIELDS, "type"]
    assert body["status"] == "ready" and body["extension"] == "png" and body["original_name"] == "my shot"
    assert (body["width"], body["height"]) == (640, 480) and body["file_size"] > 0
    storage = app.state.storage
    key = f"{preview['id']}.png"
    sizes = {}
    for bucket in ("originals", "previews", "thumbnails", "thumbnails-square"):
        sizes[bucket] = Image.open(io.BytesIO(await storage.read_bytes(bucket, key))).size
    assert sizes == {
        "originals": (640, 480),
        "previews": (1200, 900),
        "thumbnails": (150, 100),
        "thumbnails-square": (100, 100),
    }
    assert body["file_size"] == await storage.size("originals", key)
    tasks = Task.__table__
    last = (await db.execute(select(tasks.c.last_preview_file_id).where(tasks.c.id == task["id"]))).scalar()
    assert last == preview["id"]
    entities = Entity.__table__
    main = (await db.execute(select(entities.c.preview_file_id).where(entities.c.id == asset["id"]))).scalar()
    assert main is None  # the project does not automate main previews
    update = await events_named(db, "preview-file:update")
    assert update[-1]["data"] == {"preview_file_id": preview["id"], "status": "ready", "project_id": project["id"]}
    added = await events_named(db, "preview-file:add-file")
    assert added[-1]["data"] == {
        "comment_id": comment["id"],
        "task_id": task["id"],
        "preview_file_id": preview["id"],
        "revision": 1,
        "extension": "png",
        "status": "ready",
        "project_id": project["id"],
    }
    assert len(await events_named(db, "comment:update")) == 2  # add-preview, then the file
    # a second upload on the same preview is refused
    r = await upload(as_artist, preview["id"])
    assert r.status_code == 400
    assert r.json() == {
        "error": True,
        "message": "The browser (or proxy) sent a request that this server could not understand.",
    }


async def test_upload_sets_the_main_preview_when_the_project_automates_it(as_artist, make, people, db):
    project, asset, task, comment = await setup(make, people, db, is_set_preview_automated=True)
    preview = await add_preview(as_artist, task, comment)
    r = await upload(as_artist, preview["id"], name="x.JPG", data=png_bytes(fmt="JPEG"), mime="image/jpeg")
    assert r.status_code == 201 and r.json()["extension"] == "png"
    entities = Entity.__table__
    main = (await db.execute(select(entities.c.preview_file_id).where(entities.c.id == asset["id"]))).scalar()
    assert main == preview["id"]
    set_main = await events_named(db, "preview-file:set-main")
    assert set_main[-1]["data"] == {
        "entity_id": asset["id"],
        "preview_file_id": preview["id"],
        "preview_file_status": "ready",
        "project_id": project["id"],
    }
    assert (await events_named(db, "asset:update"))[-1]["data"] == {
        "asset_id": asset["id"],
        "project_id": project["id"],
    }


async def test_corrupt_or_unknown_uploads(as_artist, app, make, people, db):
    project, asset, task, comment = await setup(make, people, db)
    preview = await add_preview(as_artist, task, comment)
    storage = app.state.storage
    # a picture that is not one: 400, nothing stored, the preview untouched
    r = await upload(as_artist, preview["id"], name="x.png", data=b"not a png at all")
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Uploaded file is not a readable picture.", "data": None}
    for bucket in ("originals", "previews", "thumbnails", "thumbnails-square"):
        assert not await storage.exists(bucket, f"{preview['id']}.png")
    row = await preview_row(db, preview["id"])
    assert row["status"] == "processing" and row["original_name"] is None
    # no file part
    r = await as_artist.post(f"/pictures/preview-files/{preview['id']}", data={"a": "b"})
    assert r.status_code == 400 and r.json()["message"] == "File not provided."
    # an extension Zou does not take: the preview is removed
    r = await upload(as_artist, preview["id"], name="notes.txt", data=b"hello", mime="text/plain")
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Wrong file format, extension: txt", "data": None}
    assert await preview_row(db, preview["id"]) is None
    links = CommentPreviewLink.__table__
    assert (await db.execute(select(links).where(links.c.preview_file == preview["id"]))).first() is None


async def test_other_files_are_stored_with_their_extension(as_artist, app, make, people, db, tmp_path):
    project, asset, task, comment = await setup(make, people, db)
    preview = await add_preview(as_artist, task, comment)
    r = await upload(as_artist, preview["id"], name="../../doc.PDF", data=b"%PDF-1.4 fake", mime="application/pdf")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["extension"] == "pdf" and body["status"] == "ready" and body["file_size"] == 13
    assert body["original_name"] == "../../doc"  # kept as data only
    storage = app.state.storage
    assert await storage.read_bytes("originals", f"{preview['id']}.pdf") == b"%PDF-1.4 fake"
    # the path-traversal name wrote nothing outside the storage root
    root = app.state.settings.data_dir
    assert not list(root.parent.glob("doc*")) and not list(root.glob("doc*"))
    r = await as_artist.get(f"/pictures/originals/preview-files/{preview['id']}.pdf")
    assert r.status_code == 200 and r.content == b"%PDF-1.4 fake"
    assert r.headers["content-type"] == "application/pdf"
    r = await as_artist.get(f"/pictures/originals/preview-files/{preview['id']}/download")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment; filename=")
    assert r.headers["content-disposition"].endswith("_v1.pdf")
    # not a picture: no thumbnail
    assert (await as_artist.get(f"/pictures/thumbnails/preview-files/{preview['id']}.png")).status_code == 404


async def test_upload_errors(as_artist, as_client, as_vendor, anon, make, people, db, app):
    project, asset, task, comment = await setup(make, people, db)
    preview = await add_preview(as_artist, task, comment)
    assert (await upload(anon, preview["id"])).status_code == 401
    assert (await upload(as_client, preview["id"])).status_code == 403
    assert (await upload(as_vendor, preview["id"])).status_code == 403
    assert (await upload(as_artist, UNKNOWN)).status_code == 404
    r = await upload(as_artist, "nope")
    assert r.status_code == 400 and r.json()["message"] == "Malformed ID."
    # over the size limit: 413 and nothing stored
    app.state.settings.max_upload_mb, previous = 0, app.state.settings.max_upload_mb
    try:
        r = await upload(as_artist, preview["id"])
    finally:
        app.state.settings.max_upload_mb = previous
    assert r.status_code == 413
    assert not await app.state.storage.exists("originals", f"{preview['id']}.png")
    assert (await preview_row(db, preview["id"]))["status"] == "processing"


# --- movies ---


async def test_movie_upload_is_stored_and_handed_to_the_worker(as_artist, app, make, people, db, monkeypatch):
    import app.routers.preview_uploads as router

    handed = []

    async def fake_hand_over(application, preview_file_id):
        handed.append(preview_file_id)

    monkeypatch.setattr(router, "hand_movie_over", fake_hand_over)
    project, asset, task, comment = await setup(make, people, db)
    preview = await add_preview(as_artist, task, comment)
    movie = b"\x00\x00\x00\x18ftypmp42" + b"x" * 5000
    r = await upload(as_artist, preview["id"], name="take 3.mov", data=movie, mime="video/quicktime")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "processing" and body["extension"] == "mp4" and body["original_name"] == "take 3"
    assert handed == [preview["id"]]
    assert await app.state.storage.read_bytes("movies-source", preview["id"]) == movie
    update = await events_named(db, "preview-file:update")
    assert update[-1]["data"]["status"] == "processing"
    added = await events_named(db, "preview-file:add-file")
    assert added[-1]["data"]["status"] == "processing" and added[-1]["data"]["extension"] == "mp4"
    # the pictures are not there yet: 404 for a browser, 202 for a JSON client
    url = f"/pictures/thumbnails/preview-files/{preview['id']}.png"
    r = await as_artist.get(url)
    assert r.status_code == 404 and r.headers["cache-control"] == "no-store"
    assert r.json() == {"error": True, "message": "Preview file was not found."}
    r = await as_artist.get(url, headers={"Accept": "application/json"})
    assert r.status_code == 202 and r.json() == {"status": "processing", "preview_file_id": preview["id"]}
    assert r.headers["retry-after"] == "5"
    # an empty movie: 400 and the preview removed
    second = await add_preview(as_artist, task, comment)
    r = await upload(as_artist, second["id"], name="empty.mp4", data=b"", mime="video/mp4")
    assert r.status_code == 400 and "empty" in r.json()["message"]
    assert await preview_row(db, second["id"]) is None
    assert not await app.state.storage.exists("movies-source", second["id"])
    assert handed == [preview["id"]]


async def test_hand_over_calls_the_movie_worker_when_there_is_one(monkeypatch):
    import importlib

    import app.routers.preview_uploads as router

    called = []

    class FakeMovies:
        @staticmethod
        async def schedule_movie(application, preview_file_id):
            called.append(preview_file_id)

    real = importlib.import_module
    monkeypatch.setattr(
        router.importlib, "import_module", lambda name: FakeMovies if name == "app.domain.movies" else real(name)
    )
    await router.hand_movie_over(object(), UNKNOWN)
    assert called == [UNKNOWN]


# --- serving ---


@pytest.fixture
async def ready_preview(as_artist, make, people, db):
    project, asset, task, comment = await setup(make, people, db)
    preview = await add_preview(as_artist, task, comment)
    r = await upload(as_artist, preview["id"])
    assert r.status_code == 201
    return project, asset, task, r.json()


PICTURE_ROUTES = {
    "originals": "/pictures/originals/preview-files/{id}.png",
    "previews": "/pictures/previews/preview-files/{id}.png",
    "thumbnails": "/pictures/thumbnails/preview-files/{id}.png",
    "thumbnails-square": "/pictures/thumbnails-square/preview-files/{id}.png",
    "download": "/pictures/originals/preview-files/{id}/download",
}
SIZES = {
    "originals": (640, 480),
    "previews": (1200, 900),
    "thumbnails": (150, 100),
    "thumbnails-square": (100, 100),
    "download": (640, 480),
}


@pytest.mark.parametrize("kind", list(PICTURE_ROUTES))
async def test_serving_pictures(kind, ready_preview, as_artist, as_client, as_vendor, anon, app):
    project, asset, task, preview = ready_preview
    url = PICTURE_ROUTES[kind].format(id=preview["id"])
    r = await as_artist.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    assert int(r.headers["content-length"]) == len(r.content)
    assert r.headers["cache-control"] == "max-age=604800, private"
    assert r.headers["accept-ranges"] == "bytes" and r.headers["etag"] and r.headers["last-modified"]
    assert "expires" in r.headers
    im = Image.open(io.BytesIO(r.content))
    assert im.format == "PNG" and im.size == SIZES[kind]
    if kind == "download":
        name = f"{project['name']}_{asset['name']}_v1.png"
        assert r.headers["content-disposition"].startswith("attachment; filename=")
        assert r.headers["content-disposition"].endswith("_v1.png")
        assert name  # the slug is checked in test_download_names
    else:
        assert r.headers["content-disposition"] == 'inline; filename=""'  # as Zou's send_file
    # conditional and ranged requests
    again = await as_artist.get(url, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    part = await as_artist.get(url, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == r.content[:10]
    assert part.headers["content-range"] == f"bytes 0-9/{len(r.content)}"
    bad = await as_artist.get(url, headers={"Range": f"bytes={len(r.content) + 10}-"})
    assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{len(r.content)}"
    assert bad.json() == {"error": True, "message": "The server cannot provide the requested range."}
    # access
    assert (await anon.get(url)).status_code == 401
    assert (await as_client.get(url)).status_code == 403  # not on the team
    assert (await as_vendor.get(url)).status_code == 403  # on the team, not assigned
    assert (await as_artist.get(PICTURE_ROUTES[kind].format(id=UNKNOWN))).status_code == 404
    r = await as_artist.get(PICTURE_ROUTES[kind].format(id="nope"))
    assert r.status_code == 400 and r.json()["message"] == "Malformed ID."


async def test_serving_originals_by_extension(ready_preview, as_artist, as_client, anon):
    project, asset, task, preview = ready_preview
    base = f"/pictures/originals/preview-files/{preview['id']}"
    r = await as_artist.get(base + ".PNG")
    assert r.status_code == 200 and Image.open(io.BytesIO(r.content)).size == (640, 480)
    assert (await as_artist.get(base + ".jpg")).status_code == 404  # never stored as jpg
    r = await as_artist.get(base + ".xyz")
    assert r.status_code == 400 and r.json() == {"error": True, "message": "Extension not allowed: xyz", "data": None}
    assert (await anon.get(base + ".pdf")).status_code == 401
    assert (await as_client.get(base + ".pdf")).status_code == 403
    assert (await as_artist.get(f"/pictures/originals/preview-files/{UNKNOWN}.pdf")).status_code == 404
    assert (await as_artist.get("/pictures/originals/preview-files/nope.pdf")).status_code == 400


async def test_shared_main_preview_thumbnail_is_visible_outside_the_team(
    ready_preview, as_client, as_vendor, db, people, make
):
    project, asset, task, preview = ready_preview
    await db.execute(
        Entity.__table__.update()
        .where(Entity.__table__.c.id == asset["id"])
        .values(preview_file_id=preview["id"], is_shared=True)
    )
    thumb = f"/pictures/thumbnails/preview-files/{preview['id']}.png"
    assert (await as_client.get(thumb)).status_code == 200
    assert (await as_vendor.get(thumb)).status_code == 403  # vendors never
    assert (await as_client.get(f"/pictures/previews/preview-files/{preview['id']}.png")).status_code == 403
    # a vendor assigned on the entity sees everything
    await make.task(asset, await make.task_type(), assignees=[people["vendor"]])
    assert (await as_vendor.get(thumb)).status_code == 200
    assert (await as_vendor.get(f"/pictures/previews/preview-files/{preview['id']}.png")).status_code == 200


async def test_serving_a_thumbnail_costs_two_queries(ready_preview, as_artist, queries):
    project, asset, task, preview = ready_preview
    url = f"/pictures/thumbnails/preview-files/{preview['id']}.png"
    queries.reset()
    r = await as_artist.get(url)
    assert r.status_code == 200
    assert queries.count == 2, queries.statements  # the caller's token, then the access check


async def test_download_names(as_artist, make, people, db):
    project = await make.project(name="Big Film", team=[people["user"]])
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "SQ01", episode=episode)
    shot = await make.shot(project, sequence, "SH010")
    task_type = await make.task_type("Anim Pass")
    task = await make.task(shot, task_type, assignees=[people["user"]])
    comment = await add(db, Comment, object_id=task["id"], object_type="Task", person_id=people["user"], text="x")
    first = await add_preview(as_artist, task, comment)
    await upload(as_artist, first["id"])
    second = await add_preview(as_artist, task, comment)
    await upload(as_artist, second["id"], name="extra.pdf", data=b"%PDF", mime="application/pdf")
    r = await as_artist.get(f"/pictures/originals/preview-files/{first['id']}/download")
    assert r.headers["content-disposition"] == "attachment; filename=big_film_e01_sq01_sh010_anim_pass_v1.png"
    r = await as_artist.get(f"/pictures/originals/preview-files/{second['id']}/download")
    assert r.headers["content-disposition"] == "attachment; filename=big_film_e01_sq01_sh010_anim_pass_v1-2.pdf"
    projects = Project.__table__
    assert (await db.execute(select(projects.c.name).where(projects.c.id == project["id"]))).scalar() == "Big Film"
