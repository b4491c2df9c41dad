"""Preview background files: the catalogue, HDR uploads and thumbnails, productions and templates."""

from __future__ import annotations

import uuid
from io import BytesIO

from event_log import events_named
from helpers import UNKNOWN, add
from PIL import Image
from sqlalchemy import select

from app.repositories.tables.catalog import PreviewBackgroundFile
from app.repositories.tables.projects import ProjectTemplate

MALFORMED = {"error": True, "message": "Malformed ID.", "data": None}
FIELDS = [
    "name",
    "archived",
    "is_default",
    "original_name",
    "extension",
    "file_size",
    "id",
    "created_at",
    "updated_at",
    "type",
]
PIXEL = bytes([128, 64, 32, 129])  # RGBE: (1.0, 0.5, 0.25)
PIXEL_SRGB = (255, 187, 137, 255)


def hdr_flat(width: int = 16, height: int = 8) -> bytes:
    head = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y %d +X %d\n" % (height, width)
    return head + PIXEL * (width * height)


def hdr_rle(width: int = 300, height: int = 100) -> bytes:
    """Adaptive run-length scanlines: a run for R, literals for G, B and E."""
    head = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\nEXPOSURE=1.0\n\n-Y %d +X %d\n" % (height, width)
    line = bytes([2, 2, width >> 8, width & 0xFF])
    left = width
    while left:  # R: runs of at most 127
        n = min(127, left)
        line += bytes([128 + n, PIXEL[0]])
        left -= n
    for value in PIXEL[1:]:
        left = width
        while left:  # literals of at most 128
            n = min(128, left)
            line += bytes([n]) + bytes([value]) * n
            left -= n
    return head + line * height


def hdr_upload(data: bytes, name: str = "sky.hdr"):
    return {"file": (name, data, "application/octet-stream")}


async def new_background(as_admin, **values) -> dict:
    r = await as_admin.post("/data/preview-background-files", json={"name": uuid.uuid4().hex[:12], **values})
    assert r.status_code == 201, r.text
    return r.json()


async def background_row(db, background_id):
    table = PreviewBackgroundFile.__table__
    row = (await db.execute(select(table).where(table.c.id == background_id))).mappings().first()
    return dict(row) if row else None


# --- the catalogue --------------------------------------------------------------------------------


async def test_catalogue_crud(as_admin, as_artist, as_client, anon, db, app):
    first = await new_background(as_admin, is_default=True)
    assert list(first) == FIELDS
    assert first["is_default"] is True and first["file_size"] == 0 and first["type"] == "PreviewBackgroundFile"
    assert [e["data"] for e in await events_named(db, "preview-background-file:new")] == [
        {"preview_background_file_id": first["id"]}
    ]
    r = await as_admin.post("/data/preview-background-files", json={"name": first["name"]})
    assert (r.status_code, r.json()["message"]) == (400, "A preview background file with similar name already exists")
    second = await new_background(as_admin, is_default=True)  # one default at most
    assert (await background_row(db, first["id"]))["is_default"] is False
    # anyone logged in reads, admins write
    r = await as_client.get("/data/preview-background-files")
    assert r.status_code == 200 and {first["id"], second["id"]} <= {row["id"] for row in r.json()}
    assert (await as_artist.get(f"/data/preview-background-files/{first['id']}")).json()["name"] == first["name"]
    assert (await as_artist.post("/data/preview-background-files", json={"name": "x"})).status_code == 403
    assert (await anon.get("/data/preview-background-files")).status_code == 401
    url = f"/data/preview-background-files/{first['id']}"
    r = await as_admin.put(url, json={"name": second["name"]})
    assert (r.status_code, r.json()["message"]) == (400, "A preview background file with similar name already exists")
    r = await as_admin.put(url, json={"is_default": True})
    assert r.status_code == 200 and r.json()["is_default"] is True
    assert (await background_row(db, second["id"]))["is_default"] is False
    assert (await as_artist.put(url, json={"name": "y"})).status_code == 403
    assert (await as_admin.get(f"/data/preview-background-files/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/preview-background-files/nope")).status_code == 400
    # deletion removes the stored files too
    assert (
        await as_admin.post(f"/pictures/preview-background-files/{first['id']}", files=hdr_upload(hdr_flat()))
    ).status_code == 201
    assert await app.state.storage.exists("backgrounds", f"{first['id']}.hdr")
    assert (await as_artist.delete(url)).status_code == 403
    assert (await as_admin.delete(url)).status_code == 204
    assert await background_row(db, first["id"]) is None
    assert not await app.state.storage.exists("backgrounds", f"{first['id']}.hdr")
    assert not await app.state.storage.exists("backgrounds", f"{first['id']}.png")
    assert [e["data"] for e in await events_named(db, "preview-background-file:delete")] == [
        {"preview_background_file_id": first["id"]}
    ]
    assert (await as_admin.delete(url)).status_code == 404


async def test_a_background_in_use_is_not_deleted(as_admin, make, db):
    background = await new_background(as_admin)
    project = await make.project()
    r = await as_admin.post(
        f"/data/projects/{project['id']}/settings/preview-background-files",
        json={"preview_background_file_id": background["id"]},
    )
    assert r.status_code == 201
    r = await as_admin.delete(f"/data/preview-background-files/{background['id']}")
    assert (r.status_code, r.json()) == (400, {"message": "The change conflicts with records referencing this one."})
    assert await background_row(db, background["id"]) is not None


# --- files ----------------------------------------------------------------------------------------


async def test_upload_and_serve_an_hdr(as_admin, as_artist, as_client, anon, db, app):
    background = await new_background(as_admin)
    bid = background["id"]
    data = hdr_rle()
    r = await as_admin.post(f"/pictures/preview-background-files/{bid}", files=hdr_upload(data, "../../My Sky.v2.HDR"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert list(body) == FIELDS
    assert (body["extension"], body["original_name"], body["file_size"]) == ("hdr", "My Sky.v2", len(data))
    assert [e["data"] for e in await events_named(db, "preview-background-file:update")] == [
        {"preview_background_file_id": bid}
    ]
    assert [e["data"] for e in await events_named(db, "preview-background-file:add-file")] == [
        {"preview_background_file_id": bid, "extension": "hdr"}
    ]
    # the file, for anyone logged in
    for ext in ("hdr", "HDR"):
        r = await as_client.get(f"/pictures/preview-background-files/{bid}.{ext}")
        assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == "image/vnd.radiance"
    assert r.headers["content-disposition"] == 'inline; filename="My Sky.v2.hdr"'
    assert r.headers["cache-control"] == "max-age=604800, private"
    assert (await as_client.get(f"/pictures/preview-background-files/{bid}.png")).status_code == 404
    assert (await anon.get(f"/pictures/preview-background-files/{bid}.hdr")).status_code == 401
    assert (await as_client.get(f"/pictures/preview-background-files/{UNKNOWN}.hdr")).status_code == 404
    assert (await as_client.get("/pictures/preview-background-files/nope.hdr")).json() == MALFORMED
    # the 300x200 thumbnail, in colour
    r = await as_artist.get(f"/pictures/thumbnails/preview-background-files/{bid}.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    im = Image.open(BytesIO(r.content))
    assert im.size == (300, 200) and im.getpixel((150, 100)) == PIXEL_SRGB
    assert im.getpixel((150, 0)) == (0, 0, 0, 0)  # 3:1 picture, centred
    assert (await anon.get(f"/pictures/thumbnails/preview-background-files/{bid}.png")).status_code == 401
    assert (await as_artist.get(f"/pictures/thumbnails/preview-background-files/{UNKNOWN}.png")).status_code == 404
    fresh = await new_background(as_admin)
    assert (await as_artist.get(f"/pictures/thumbnails/preview-background-files/{fresh['id']}.png")).status_code == 404
    # the display url refuses uploads
    r = await as_admin.post(f"/pictures/thumbnails/preview-background-files/{bid}.png", files=hdr_upload(data))
    assert r.status_code == 405 and r.json()["error"] is True
    # a flat (uncompressed) file, upside-down orientation
    flat = hdr_flat().replace(b"-Y 8", b"+Y 8")
    assert (
        await as_admin.post(f"/pictures/preview-background-files/{fresh['id']}", files=hdr_upload(flat))
    ).status_code == 201
    r = await as_artist.get(f"/pictures/thumbnails/preview-background-files/{fresh['id']}.png")
    assert Image.open(BytesIO(r.content)).getpixel((150, 100)) == PIXEL_SRGB


async def test_refused_uploads(as_admin, as_artist, anon, db, app):
    background = await new_background(as_admin)
    url = f"/pictures/preview-background-files/{background['id']}"
    assert (await anon.post(url, files=hdr_upload(hdr_flat()))).status_code == 401
    assert (await as_artist.post(url, files=hdr_upload(hdr_flat()))).status_code == 403
    assert (
        await as_admin.post(f"/pictures/preview-background-files/{UNKNOWN}", files=hdr_upload(hdr_flat()))
    ).status_code == 404
    assert (
        await as_admin.post("/pictures/preview-background-files/nope", files=hdr_upload(hdr_flat()))
    ).status_code == 400
    r = await as_admin.post(url, data={"a": "b"})
    assert (r.status_code, r.json()["message"]) == (400, "File not provided.")
    assert await background_row(db, background["id"]) is not None
    # a wrong extension removes the row (the UI created it just before), as Zou does
    r = await as_admin.post(url, files={"file": ("sky.png", b"\x89PNG", "image/png")})
    assert (r.status_code, r.json()) == (
        400,
        {"error": True, "message": "Wrong file format, extension: png", "data": None},
    )
    assert await background_row(db, background["id"]) is None
    # a corrupt HDR too, with nothing left stored
    corrupt = await new_background(as_admin)
    r = await as_admin.post(
        f"/pictures/preview-background-files/{corrupt['id']}", files=hdr_upload(b"#?RADIANCE\nbroken")
    )
    assert r.status_code == 400
    assert r.json()["message"] == f"Error while saving preview background file and thumbnail: {corrupt['id']}"
    assert await background_row(db, corrupt["id"]) is None
    assert not await app.state.storage.exists("backgrounds", f"{corrupt['id']}.hdr")
    truncated = await new_background(as_admin)
    r = await as_admin.post(f"/pictures/preview-background-files/{truncated['id']}", files=hdr_upload(hdr_rle()[:-500]))
    assert r.status_code == 400 and await background_row(db, truncated["id"]) is None
    assert await events_named(db, "preview-background-file:add-file") == []


async def test_upload_over_the_size_limit_is_413(as_admin, app, db, monkeypatch):
    background = await new_background(as_admin)
    monkeypatch.setattr(app.state.settings, "max_upload_mb", 1)
    big = hdr_flat(1024, 300)  # 1.2 MB
    r = await as_admin.post(f"/pictures/preview-background-files/{background['id']}", files=hdr_upload(big))
    assert r.status_code == 413
    assert (await background_row(db, background["id"]))["extension"] is None


# --- productions ---------------------------------------------------------------------------------


async def test_project_backgrounds(as_admin, as_manager, as_artist, as_client, anon, make, db, people):
    project = await make.project(team=[people["manager"], people["user"]])
    pid = project["id"]
    url = f"/data/projects/{pid}/settings/preview-background-files"
    first, second = await new_background(as_admin), await new_background(as_admin)
    assert (await as_artist.get(url)).json() == []
    r = await as_manager.post(url, json={"preview_background_file_id": first["id"]})
    assert r.status_code == 201 and r.json()["id"] == pid and r.json()["type"] == "Project"
    assert [(e["data"], e["project_id"]) for e in await events_named(db, "project:update")] == [
        ({"project_id": pid}, pid)
    ]
    r = await as_manager.post(url, json={"preview_background_file_id": first["id"]})  # already there: no save
    assert r.status_code == 201 and len(await events_named(db, "project:update")) == 1
    await as_admin.post(url, json={"preview_background_file_id": second["id"]})
    r = await as_artist.get(url)
    assert r.status_code == 200
    assert {row["id"] for row in r.json()} == {first["id"], second["id"]}
    assert list(r.json()[0]) == FIELDS and r.json()[0]["type"] == "PreviewBackgroundFile"
    # refusals
    assert (await anon.get(url)).status_code == 401
    assert (await as_client.get(url)).status_code == 403  # not on the team
    assert (await as_artist.post(url, json={"preview_background_file_id": first["id"]})).status_code == 403
    r = await as_admin.post(url, json={"preview_background_file_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (400, f"PreviewBackgroundFile with id {UNKNOWN} not found")
    assert (await as_admin.post(url, json={"preview_background_file_id": "nope"})).status_code == 400
    r = await as_admin.post(url, json={})
    assert r.status_code == 400 and r.json()["message"] == "Validation error."
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/settings/preview-background-files")).status_code == 404
    assert (await as_admin.get("/data/projects/nope/settings/preview-background-files")).json() == MALFORMED
    # removal
    assert (await as_artist.delete(f"{url}/{first['id']}")).status_code == 403
    assert (await as_manager.delete(f"{url}/{first['id']}")).status_code == 204
    assert [row["id"] for row in (await as_artist.get(url)).json()] == [second["id"]]
    assert (await as_manager.delete(f"{url}/{UNKNOWN}")).status_code == 204
    assert (
        await as_admin.delete(f"/data/projects/{UNKNOWN}/settings/preview-background-files/{UNKNOWN}")
    ).status_code == 404
    assert (await as_admin.delete(f"{url}/nope")).json() == MALFORMED
    assert (await anon.delete(f"{url}/{first['id']}")).status_code == 401


async def test_project_backgrounds_query_count(as_admin, make, db, queries):
    project = await make.project()
    url = f"/data/projects/{project['id']}/settings/preview-background-files"
    await as_admin.post(url, json={"preview_background_file_id": (await new_background(as_admin))["id"]})
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 1
    one = queries.count
    for _ in range(20):
        await as_admin.post(url, json={"preview_background_file_id": (await new_background(as_admin))["id"]})
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 21
    assert queries.count == one


# --- project templates ---------------------------------------------------------------------------


async def test_template_backgrounds(as_admin, as_manager, as_artist, anon, db):
    template = await add(db, ProjectTemplate, name=f"tpl-{uuid.uuid4().hex[:8]}")
    tid = template["id"]
    url = f"/data/project-templates/{tid}/preview-background-files"
    first = await new_background(as_admin, name="b-first", is_default=True)
    second = await new_background(as_admin, name="a-second")
    assert (await as_manager.get(url)).json() == []
    r = await as_admin.post(url, json={"preview_background_file_id": first["id"]})
    assert (r.status_code, r.json()) == (201, {"id": first["id"], "name": "b-first", "is_default": True})
    await as_admin.post(url, json={"preview_background_file_id": second["id"]})
    await as_admin.post(url, json={"preview_background_file_id": second["id"]})  # already linked: no-op
    r = await as_manager.get(url)
    assert r.json() == [
        {"id": second["id"], "name": "a-second", "is_default": False},
        {"id": first["id"], "name": "b-first", "is_default": True},
    ]
    assert [e["data"] for e in await events_named(db, "project-template:update")] == [{"project_template_id": tid}] * 3
    # refusals
    assert (await anon.get(url)).status_code == 401
    assert (await as_artist.get(url)).status_code == 403
    assert (await as_manager.post(url, json={"preview_background_file_id": first["id"]})).status_code == 403
    r = await as_admin.post(url, json={"preview_background_file_id": UNKNOWN})
    assert (r.status_code, r.json()) == (400, {"message": f"Preview background file {UNKNOWN} does not exist"})
    r = await as_admin.post(url, json={"preview_background_file_id": "x"})
    assert r.json() == {"message": "preview_background_file_id is required and must be a valid UUID"}
    assert (await as_admin.post(url, json={})).status_code == 400
    missing = f"/data/project-templates/{UNKNOWN}/preview-background-files"
    r = await as_admin.post(missing, json={"preview_background_file_id": first["id"]})
    assert (r.status_code, r.json()) == (404, {"message": "Project template not found"})
    assert (await as_manager.get(missing)).status_code == 404
    assert (await as_admin.get("/data/project-templates/nope/preview-background-files")).json() == MALFORMED
    # the default
    default_url = f"/data/project-templates/{tid}/default-preview-background-file"
    r = await as_admin.put(default_url, json={"default_preview_background_file_id": second["id"]})
    assert r.status_code == 200
    assert r.json()["default_preview_background_file_id"] == second["id"] and r.json()["type"] == "ProjectTemplate"
    other = await new_background(as_admin)
    for value in (other["id"], "x"):
        r = await as_admin.put(default_url, json={"default_preview_background_file_id": value})
        assert (r.status_code, r.json()) == (400, {"message": "Preview background file is not linked to this template"})
    assert (await as_manager.put(default_url, json={"default_preview_background_file_id": None})).status_code == 403
    r = await as_admin.put(f"/data/project-templates/{UNKNOWN}/default-preview-background-file", json={})
    assert (r.status_code, r.json()) == (404, {"message": "Project template not found"})
    assert (await anon.put(default_url, json={})).status_code == 401
    # removing the default clears it
    assert (await as_manager.delete(f"{url}/{second['id']}")).status_code == 403
    assert (await as_admin.delete(f"{url}/{second['id']}")).status_code == 204
    row = (
        (await db.execute(select(ProjectTemplate.__table__).where(ProjectTemplate.__table__.c.id == tid)))
        .mappings()
        .one()
    )
    assert row["default_preview_background_file_id"] is None
    assert [item["id"] for item in (await as_manager.get(url)).json()] == [first["id"]]
    assert (await as_admin.delete(f"{url}/{UNKNOWN}")).status_code == 204
    assert (
        await as_admin.delete(f"/data/project-templates/{UNKNOWN}/preview-background-files/{UNKNOWN}")
    ).status_code == 404
    assert (await as_admin.delete(f"{url}/nope")).json() == MALFORMED
    r = await as_admin.put(default_url, json={"default_preview_background_file_id": None})
    assert r.status_code == 200 and r.json()["default_preview_background_file_id"] is None


BAD_BODIES = (
    b"{not json",
    b"[1, 2]",
    b'"text"',
    b"{}",
    b'{"preview_background_file_id": 5, "default_preview_background_file_id": 5}',
)


async def test_bad_bodies_are_400s(as_admin, make, db):
    project = await make.project()
    template = await add(db, ProjectTemplate, name=f"tpl-{uuid.uuid4().hex[:8]}")
    background = await new_background(as_admin)
    routes = (
        ("POST", f"/data/projects/{project['id']}/settings/preview-background-files"),
        ("POST", f"/data/project-templates/{template['id']}/preview-background-files"),
        ("PUT", f"/data/project-templates/{template['id']}/default-preview-background-file"),
        ("POST", f"/pictures/preview-background-files/{background['id']}"),
        ("POST", f"/pictures/thumbnails/persons/{as_admin.person_id}"),
    )
    for method, url in routes:
        for body in BAD_BODIES:
            r = await as_admin.request(method, url, content=body, headers={"Content-Type": "application/json"})
            if method == "PUT" and body in (b"{}", b"{not json"):
                assert r.status_code == 200  # no default (unreadable JSON counts as empty, as in Zou)
                continue
            assert r.status_code == 400, (method, url, body, r.text)
