"""Pictures of persons, organisations and projects: upload, serve (headers, 304, ranges), permissions."""

from __future__ import annotations

import uuid
from io import BytesIO

from event_log import events_named
from helpers import UNKNOWN, add
from PIL import Image
from sqlalchemy import select, update

from app.core.errors import NOT_FOUND_TEXT
from app.repositories.tables.people import Organisation, Person
from app.repositories.tables.projects import Project

MALFORMED = {"error": True, "message": "Malformed ID.", "data": None}
FORBIDDEN = 403


def png_bytes(size=(400, 300), colour=(200, 10, 10)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def upload(data: bytes | None = None, name: str = "avatar.png"):
    return {"file": (name, png_bytes() if data is None else data, "image/png")}


async def flag(db, model, row_id) -> bool:
    table = model.__table__
    return (await db.execute(select(table.c.has_avatar).where(table.c.id == row_id))).scalar()


async def new_person(db, role: str = "user") -> str:
    row = await add(
        db, Person, first_name="Pic", last_name=uuid.uuid4().hex[:8], email=f"{uuid.uuid4().hex}@ex.com", role=role
    )
    return row["id"]


async def organisation_id(as_admin) -> str:
    return (await as_admin.get("/data/organisations")).json()[0]["id"]


# --- persons --------------------------------------------------------------------------------------


async def test_person_avatar_upload_and_read(as_artist, as_client, as_vendor, anon, app, db, people):
    uid = people["user"]
    r = await as_artist.post(f"/pictures/thumbnails/persons/{uid}", files=upload())
    assert r.status_code == 201, r.text
    assert r.json() == {"thumbnail_path": f"pictures/thumbnails/persons/{uid}.png"}
    assert await flag(db, Person, uid) is True
    assert await app.state.storage.exists("avatars", f"{uid}.png")
    assert [e["data"] for e in await events_named(db, "person:update")] == [{"person_id": uid}]
    assert [e["data"] for e in await events_named(db, "person:set-thumbnail")] == [{"person_id": uid}]

    for client in (as_client, as_vendor, as_artist):  # any logged-in person reads avatars
        for url in (f"/pictures/thumbnails/persons/{uid}.png", f"/pictures/thumbnails/persons/{uid}"):
            r = await client.get(url)
            assert r.status_code == 200, (url, r.text)
            assert r.headers["content-type"] == "image/png"
    im = Image.open(BytesIO(r.content))
    assert (im.size, im.mode) == ((400, 400), "RGBA")
    assert im.getpixel((200, 200)) == (200, 10, 10, 255)  # the 400x300 picture, centred
    assert im.getpixel((200, 10)) == (0, 0, 0, 0)  # transparent bands above and below
    assert r.headers["content-length"] == str(len(r.content))
    assert r.headers["cache-control"] == "max-age=604800, private"
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["content-disposition"] == 'inline; filename=""'
    assert "expires" in r.headers and "last-modified" in r.headers
    etag = r.headers["etag"]

    r = await as_client.get(f"/pictures/thumbnails/persons/{uid}.png", headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
    last_modified = (await as_client.get(f"/pictures/thumbnails/persons/{uid}.png")).headers["last-modified"]
    r = await as_client.get(f"/pictures/thumbnails/persons/{uid}.png", headers={"If-Modified-Since": last_modified})
    assert r.status_code == 304
    full = (await as_client.get(f"/pictures/thumbnails/persons/{uid}.png")).content
    r = await as_client.get(f"/pictures/thumbnails/persons/{uid}.png", headers={"Range": "bytes=0-9"})
    assert r.status_code == 206 and r.content == full[:10]
    assert r.headers["content-range"] == f"bytes 0-9/{len(full)}"
    r = await as_client.get(f"/pictures/thumbnails/persons/{uid}.png", headers={"Range": f"bytes={len(full)}-"})
    assert r.status_code == 416

    assert (await anon.get(f"/pictures/thumbnails/persons/{uid}.png")).status_code == 401
    assert (await anon.post(f"/pictures/thumbnails/persons/{uid}", files=upload())).status_code == 401


async def test_person_avatar_permissions_and_errors(as_artist, as_admin, as_client, client_for, app, db, people):
    uid, mid = people["user"], people["manager"]
    # someone else's picture: only admins
    r = await as_artist.post(f"/pictures/thumbnails/persons/{mid}", files=upload())
    assert r.status_code == FORBIDDEN
    assert (await as_client.post(f"/pictures/thumbnails/persons/{uid}.png", files=upload())).status_code == 403
    r = await as_admin.post(f"/pictures/thumbnails/persons/{mid}.png", files=upload())
    assert r.status_code == 201 and await flag(db, Person, mid) is True
    # no picture yet, unknown and malformed ids
    r = await as_artist.get(f"/pictures/thumbnails/persons/{uid}.png")
    assert (r.status_code, r.json()) == (404, {"error": True, "message": NOT_FOUND_TEXT})
    assert (await as_artist.get(f"/pictures/thumbnails/persons/{UNKNOWN}.png")).status_code == 404
    assert (await as_admin.post(f"/pictures/thumbnails/persons/{UNKNOWN}", files=upload())).status_code == 404
    assert (await as_artist.get("/pictures/thumbnails/persons/nope.png")).json() == MALFORMED
    assert (await as_artist.post("/pictures/thumbnails/persons/nope", files=upload())).status_code == 400
    # no file, not a picture: 400 and nothing written
    async with client_for(await new_person(db)) as fresh:
        url = f"/pictures/thumbnails/persons/{fresh.person_id}"
        r = await fresh.post(url, data={"a": "b"})
        assert (r.status_code, r.json()["message"]) == (400, "File not provided.")
        r = await fresh.post(url, files={"other": ("a.png", png_bytes())})
        assert (r.status_code, r.json()["message"]) == (400, "File not provided.")
        r = await fresh.post(url, files=upload(b"%PDF-1.4 not a picture", "x.png"))
        assert (r.status_code, r.json()["message"]) == (400, "Uploaded file is not a readable picture.")
        assert await flag(db, Person, fresh.person_id) is False
        assert not await app.state.storage.exists("avatars", f"{fresh.person_id}.png")
    assert [e["data"] for e in await events_named(db, "person:set-thumbnail")] == [{"person_id": mid}]


async def test_path_traversal_file_name_lands_under_the_id(as_artist, app, db, people, settings):
    uid = people["user"]
    r = await as_artist.post(f"/pictures/thumbnails/persons/{uid}", files=upload(name="../../../evil.png"))
    assert r.status_code == 201
    assert await app.state.storage.exists("avatars", f"{uid}.png")
    root = settings.data_dir.resolve()
    assert not list(root.parent.rglob("evil.png"))


async def test_upload_over_the_size_limit_is_413(client_for, app, db, monkeypatch):
    monkeypatch.setattr(app.state.settings, "max_upload_mb", 1)
    big = b"\x89PNG" + b"0" * (2 * 1024 * 1024)
    async with client_for(await new_person(db)) as fresh:
        r = await fresh.post(f"/pictures/thumbnails/persons/{fresh.person_id}", files=upload(big))
        assert r.status_code == 413
        assert await flag(db, Person, fresh.person_id) is False
        assert not await app.state.storage.exists("avatars", f"{fresh.person_id}.png")


async def test_serving_runs_one_query_beyond_authentication(as_artist, as_client, people, queries):
    uid = people["user"]
    assert (await as_artist.post(f"/pictures/thumbnails/persons/{uid}", files=upload())).status_code == 201
    queries.reset()
    assert (await as_client.get(f"/pictures/thumbnails/persons/{UNKNOWN}.png")).status_code == 404
    refused = queries.count  # authentication + the one permission query
    queries.reset()
    assert (await as_client.get(f"/pictures/thumbnails/persons/{uid}.png")).status_code == 200
    assert queries.count == refused


# --- organisations --------------------------------------------------------------------------------


async def test_organisation_picture(as_admin, as_manager, as_client, anon, db):
    oid = await organisation_id(as_admin)
    assert (await as_client.get(f"/pictures/thumbnails/organisations/{oid}.png")).status_code == 404
    r = await as_manager.post(f"/pictures/thumbnails/organisations/{oid}", files=upload())
    assert r.status_code == 403
    r = await as_admin.post(f"/pictures/thumbnails/organisations/{oid}.png", files=upload(png_bytes((50, 50))))
    assert (r.status_code, r.json()) == (201, {"thumbnail_path": f"pictures/thumbnails/organisations/{oid}.png"})
    assert await flag(db, Organisation, oid) is True
    assert [e["data"] for e in await events_named(db, "organisation:update")] == [{"organisation_id": oid}]
    assert [e["data"] for e in await events_named(db, "organisation:set-thumbnail")] == [{"organisation_id": oid}]
    for url in (f"/pictures/thumbnails/organisations/{oid}.png", f"/pictures/thumbnails/organisations/{oid}"):
        r = await as_client.get(url)
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    im = Image.open(BytesIO(r.content))
    assert im.size == (400, 400) and im.getpixel((0, 0)) == (200, 10, 10, 255)  # a small square, scaled up
    assert (await anon.get(f"/pictures/thumbnails/organisations/{oid}.png")).status_code == 401
    assert (await as_admin.post(f"/pictures/thumbnails/organisations/{UNKNOWN}", files=upload())).status_code == 404
    assert (await as_client.get(f"/pictures/thumbnails/organisations/{UNKNOWN}.png")).status_code == 404
    assert (await as_client.get("/pictures/thumbnails/organisations/x.png")).json() == MALFORMED
    r = await as_admin.post(f"/pictures/thumbnails/organisations/{oid}", files=upload(b"GIF89a broken"))
    assert r.status_code == 400


# --- projects -------------------------------------------------------------------------------------


async def test_project_picture(as_admin, as_manager, as_artist, as_client, client_for, anon, make, db, people):
    project = await make.project(team=[people["manager"], people["user"]])
    pid = project["id"]
    url = f"/pictures/thumbnails/projects/{pid}"
    assert (await as_artist.get(f"{url}.png")).status_code == 404  # no picture yet
    assert (await as_artist.post(url, files=upload())).status_code == 403  # not a manager
    other = await make.project(team=[people["user"]])
    r = await as_manager.post(f"/pictures/thumbnails/projects/{other['id']}", files=upload())
    assert r.status_code == 403  # a manager off the team
    r = await as_manager.post(url, files=upload())
    assert (r.status_code, r.json()) == (201, {"thumbnail_path": f"pictures/thumbnails/projects/{pid}.png"})
    assert await flag(db, Project, pid) is True
    events = await events_named(db, "project:update")
    assert [(e["data"], e["project_id"]) for e in events] == [({"project_id": pid}, pid)]
    assert [e["data"] for e in await events_named(db, "project:set-thumbnail")] == [{"project_id": pid}]
    # the display url refuses uploads, whoever asks
    for client in (as_admin, as_artist):
        r = await client.post(f"{url}.png", files=upload())
        assert r.status_code == 405
        assert r.json() == {
            "error": True,
            "message": "Upload project thumbnails on the url without extension: "
            "/pictures/thumbnails/projects/<project_id>.",
        }
    assert (await anon.post(f"{url}.png", files=upload())).status_code == 401
    # reads: team members and studio managers; a client off the team gets 403
    for client in (as_artist, as_admin):
        r = await client.get(f"{url}.png")
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert (await as_artist.get(url)).status_code == 200
    assert (await as_client.get(f"{url}.png")).status_code == 403
    assert (await as_client.get(url)).status_code == 403
    async with client_for(people["manager"]) as manager:
        await make.add_to_team(other, people["client"])
        assert (await manager.get(f"{url}.png")).status_code == 200
    async with client_for(people["client"]) as client:
        await db.execute(update(Project.__table__).where(Project.__table__.c.id == other["id"]).values(has_avatar=True))
        assert (await client.get(f"/pictures/thumbnails/projects/{other['id']}.png")).status_code == 404  # no file
    assert (await anon.get(f"{url}.png")).status_code == 401
    assert (await as_admin.get(f"/pictures/thumbnails/projects/{UNKNOWN}.png")).status_code == 404
    assert (await as_admin.post(f"/pictures/thumbnails/projects/{UNKNOWN}", files=upload())).status_code == 404
    assert (await as_admin.get("/pictures/thumbnails/projects/nope")).json() == MALFORMED
    r = await as_admin.post(url, files=upload(b"not a picture"))
    assert (r.status_code, r.json()["message"]) == (400, "Uploaded file is not a readable picture.")
