"""Movies: the normalisation worker (ready / broken), serving with ranges, frames, tiles, annotated frames."""

from __future__ import annotations

import asyncio
import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from event_log import events_named
from helpers import UNKNOWN, add
from PIL import Image, ImageChops
from sqlalchemy import select

from app.core import ffmpeg
from app.domain import movies
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.tasks import Task

PATH = "/movies/originals/preview-files/{}.mp4"


@pytest.fixture(scope="module")
def movie_bytes(tmp_path_factory) -> bytes:
    """A one-second 320x240 24 fps H.264 movie with no sound (ffmpeg's test source)."""
    path = tmp_path_factory.mktemp("movies") / "test.mp4"
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=320x240:rate=24"]
        + ["-pix_fmt", "yuv420p", str(path)],
        check=True,
    )
    return path.read_bytes()


async def setup(make, people, **project_values):
    project_values.setdefault("resolution", "640x360")
    project_values.setdefault("fps", "24")
    project = await make.project(team=[people["user"], people["manager"], people["supervisor"]], **project_values)
    asset = await make.asset(project)
    task = await make.task(asset, await make.task_type(), assignees=[people["user"]])
    return project, asset, task


async def preview_row(db, task, people, **values) -> dict:
    values = {"name": "p", "revision": 1, "position": 1, "extension": "mp4", "status": "ready", **values}
    return await add(db, PreviewFile, task_id=task["id"], person_id=people["user"], **values)


async def stored_movie(app, db, task, people, movie_bytes, **values) -> dict:
    """A ready movie preview whose files are in storage (the test movie as high and low definition)."""
    row = await preview_row(db, task, people, **values)
    storage = app.state.storage
    for bucket in (movies.HIGH, movies.LOW, movies.SOURCE):
        await storage.write_bytes(bucket, movies.movie_key(row["id"]), movie_bytes)
    tile = io.BytesIO()
    Image.new("RGB", (1066, 300), "red").save(tile, "PNG")
    await storage.write_bytes(movies.TILES, movies.picture_key(row["id"]), tile.getvalue())
    return row


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        return im.size


# --- the worker ---


async def test_worker_normalises_a_movie(app, db, make, people, movie_bytes):
    project, asset, task = await setup(make, people)
    row = await preview_row(db, task, people, status="processing")
    pid = row["id"]
    storage = app.state.storage
    await storage.write_bytes(movies.SOURCE, movies.movie_key(pid), movie_bytes)
    await movies.schedule_movie(app, pid)
    await movies.wait_idle(app)

    stored = (await db.execute(select(PreviewFile.__table__).where(PreviewFile.__table__.c.id == pid))).mappings().one()
    assert stored["status"] == "ready"
    assert (stored["width"], stored["height"]) == (640, 360)
    assert stored["duration"] == pytest.approx(1.0, abs=0.1)
    assert stored["file_size"] == await storage.size(movies.HIGH, pid)
    assert stored["data"]["movie_prefixes"] == ["previews", "lowdef"]
    assert (stored["data"]["original_width"], stored["data"]["original_height"]) == (320, 240)
    assert stored["data"]["original_file_size"] == len(movie_bytes)
    async with storage.local_copy(movies.LOW, pid) as low:
        info = await ffmpeg.probe(low)
        assert (info.width, info.height, info.has_audio) == (1280, 720, True)
        assert info.fps == pytest.approx(24)
    async with storage.local_copy(movies.HIGH, pid) as high:
        process = await asyncio.create_subprocess_exec(
            *["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,pix_fmt", "-of", "csv=p=0", str(high)],
            stdout=asyncio.subprocess.PIPE,
        )
        out = (await process.communicate())[0].decode()
        assert "h264,yuv420p" in out and "aac" in out
    thumbs = {b: png_size(await storage.read_bytes(b, f"{pid}.png")) for b in movies.PICTURE_BUCKETS}
    assert thumbs == {
        "originals": (640, 360),
        "previews": (1200, 675),
        "thumbnails": (150, 100),
        "thumbnails-square": (100, 100),
    }
    # 24 frames, 8 per row: 3 rows of 100 px high pictures, 16:9 ones are 178 px wide.
    assert png_size(await storage.read_bytes(movies.TILES, f"{pid}.png")) == (8 * 178, 300)
    updates = await events_named(db, "preview-file:update")
    assert [e["data"] for e in updates] == [{"preview_file_id": pid, "status": "ready", "project_id": project["id"]}]
    last = await db.scalar(select(Task.__table__.c.last_preview_file_id).where(Task.__table__.c.id == task["id"]))
    assert last == pid


async def test_worker_sets_the_main_preview_when_automated(app, db, make, people, movie_bytes):
    project, asset, task = await setup(make, people, is_set_preview_automated=True)
    row = await preview_row(db, task, people, status="processing")
    await app.state.storage.write_bytes(movies.SOURCE, row["id"], movie_bytes)
    await movies.schedule_movie(app, row["id"])
    await movies.wait_idle(app)
    [main] = await events_named(db, "preview-file:set-main")
    assert main["data"]["entity_id"] == asset["id"] and main["data"]["preview_file_status"] == "ready"
    assert [e["data"]["asset_id"] for e in await events_named(db, "asset:update")] == [asset["id"]]


async def test_worker_marks_a_corrupt_movie_broken(app, db, make, people):
    project, asset, task = await setup(make, people)
    row = await preview_row(db, task, people, status="processing")
    pid = row["id"]
    storage = app.state.storage
    await storage.write_bytes(movies.SOURCE, pid, b"this is not a movie" * 100)
    await movies.schedule_movie(app, pid)
    await movies.wait_idle(app)
    status = await db.scalar(select(PreviewFile.__table__.c.status).where(PreviewFile.__table__.c.id == pid))
    assert status == "broken"
    for bucket, key in movies.stored_files(pid):
        assert await storage.exists(bucket, key) is (bucket == movies.SOURCE), bucket
    [event] = await events_named(db, "preview-file:update")
    assert event["data"] == {"preview_file_id": pid, "status": "broken", "project_id": project["id"]}


async def test_worker_cleans_up_when_the_store_fails(app, db, make, people, movie_bytes, monkeypatch):
    """A failure after some outputs were stored removes them: nothing half-written stays."""
    project, asset, task = await setup(make, people)
    row = await preview_row(db, task, people, status="processing")
    pid = row["id"]
    storage = app.state.storage
    await storage.write_bytes(movies.SOURCE, pid, movie_bytes)
    real = storage.write_file

    async def failing(bucket, key, path):
        if bucket == "thumbnails":
            raise OSError("disk full")
        return await real(bucket, key, path)

    monkeypatch.setattr(storage, "write_file", failing)
    await movies.schedule_movie(app, pid)
    await movies.wait_idle(app)
    monkeypatch.undo()
    assert await db.scalar(select(PreviewFile.__table__.c.status).where(PreviewFile.__table__.c.id == pid)) == "broken"
    for bucket in (movies.HIGH, movies.LOW, "originals", "previews", "thumbnails"):
        assert not await storage.exists(bucket, movies.movie_key(pid) if "movies" in bucket else f"{pid}.png")


async def test_worker_ignores_a_deleted_preview(app):
    await movies.schedule_movie(app, UNKNOWN)
    await movies.wait_idle(app)
    await asyncio.sleep(0)


def test_encoding_parameters():
    assert movies.encoding_fps("24", None) == "24.000"
    assert movies.encoding_fps("25,5", {"fps": "30"}) == "30.000"
    assert movies.encoding_fps(None, None) == "25.000"
    assert movies.encoding_size("1920x1080", None) == (1920, 1080)
    assert movies.encoding_size("1920x1080", {"resolution": "1280x720"}) == (1280, 720)
    assert movies.encoding_size("x720", None) == (None, 720)
    assert movies.encoding_size("junk", None) == (None, 1080)


# --- serving ---


async def test_serve_movie_with_ranges(app, db, make, people, as_artist, movie_bytes):
    project, asset, task = await setup(make, people)
    row = await stored_movie(app, db, task, people, movie_bytes)
    url = PATH.format(row["id"])
    size = len(movie_bytes)
    r = await as_artist.get(url)
    assert r.status_code == 200 and r.content == movie_bytes
    assert r.headers["content-type"] == "video/mp4"
    assert r.headers["content-length"] == str(size)
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["cache-control"] == "max-age=604800, private"
    assert "last-modified" in r.headers and "expires" in r.headers
    etag = r.headers["etag"]
    r = await as_artist.get(url, headers={"Range": "bytes=0-99"})
    assert r.status_code == 206 and r.content == movie_bytes[:100]
    assert r.headers["content-range"] == f"bytes 0-99/{size}" and r.headers["content-length"] == "100"
    r = await as_artist.get(url, headers={"Range": "bytes=-10"})
    assert r.status_code == 206 and r.content == movie_bytes[-10:]
    assert r.headers["content-range"] == f"bytes {size - 10}-{size - 1}/{size}"
    r = await as_artist.get(url, headers={"Range": f"bytes={size - 5}-99999999"})
    assert r.status_code == 206 and r.content == movie_bytes[-5:]
    for bad in ("bytes=99999999-", "bytes=0-9,20-29", "bytes=5-2", "garbage"):
        r = await as_artist.get(url, headers={"Range": bad})
        assert r.status_code == 416, bad
        assert r.json() == {"error": True, "message": "The server cannot provide the requested range."}
    r = await as_artist.get(url, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    r = await as_artist.get(url, headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert r.status_code == 200 and len(r.content) == size


async def test_serve_low_source_download_and_tile(app, db, make, people, as_artist, movie_bytes):
    project, asset, task = await setup(make, people)
    row = await stored_movie(app, db, task, people, movie_bytes, revision=3)
    pid = row["id"]
    r = await as_artist.get(f"/movies/low/preview-files/{pid}.mp4")
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4" and r.content == movie_bytes
    r = await as_artist.get(f"/movies/source/preview-files/{pid}.mp4", headers={"Range": "bytes=0-3"})
    assert r.status_code == 206 and r.content == movie_bytes[:4]
    r = await as_artist.get(f"/movies/originals/preview-files/{pid}/download")
    assert r.status_code == 200 and r.content == movie_bytes
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith("_v3.mp4")
    assert project["name"].lower().replace(" ", "_") in disposition
    r = await as_artist.get(f"/movies/tiles/preview-files/{pid}.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert png_size(r.content) == (1066, 300)
    # the low definition version falls back on the high one
    await app.state.storage.delete(movies.LOW, pid)
    r = await as_artist.get(f"/movies/low/preview-files/{pid}.mp4")
    assert r.status_code == 200 and r.content == movie_bytes


async def test_serve_processing_and_missing(app, db, make, people, as_artist, movie_bytes):
    project, asset, task = await setup(make, people)
    processing = await preview_row(db, task, people, status="processing", name="a")
    pid = processing["id"]
    r = await as_artist.get(PATH.format(pid), headers={"Accept": "application/json"})
    assert r.status_code == 202 and r.json() == {"status": "processing", "preview_file_id": pid}
    assert r.headers["retry-after"] == "5" and r.headers["cache-control"] == "no-store"
    r = await as_artist.get(PATH.format(pid), headers={"Accept": "video/*,*/*;q=0.8"})
    assert r.status_code == 404 and r.json() == {"error": True, "message": "Preview file was not found."}
    broken = await preview_row(db, task, people, status="broken", name="b")
    for path in (PATH, "/movies/low/preview-files/{}.mp4", "/movies/source/preview-files/{}.mp4"):
        assert (await as_artist.get(path.format(broken["id"]))).status_code == 404
    assert (await as_artist.get(f"/movies/tiles/preview-files/{broken['id']}.png")).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/movies/originals/preview-files/{}.mp4",
        "/movies/low/preview-files/{}.mp4",
        "/movies/source/preview-files/{}.mp4",
        "/movies/originals/preview-files/{}/download",
        "/movies/tiles/preview-files/{}.png",
        "/actions/preview-files/{}/extract-frame",
        "/actions/preview-files/{}/extract-tile",
        "/actions/preview-files/{}/extract-annotated-frame?frame_number=1",
        "/actions/preview-files/{}/extract-annotated-frames",
        "/actions/preview-files/{}/extract-annotated-frames-pdf",
    ],
)
async def test_access_errors(path, app, db, make, people, anon, as_client, client_for, as_admin, movie_bytes):
    project, asset, task = await setup(make, people)
    row = await stored_movie(app, db, task, people, movie_bytes)
    assert (await anon.get(path.format(row["id"]))).status_code == 401
    assert (await as_client.get(path.format(row["id"]))).status_code == 403  # not on the team
    async with client_for(people["vendor"]) as vendor:  # on the team, nothing assigned
        await make.add_to_team(project, people["vendor"])
        assert (await vendor.get(path.format(row["id"]))).status_code == 403
    assert (await as_admin.get(path.format(UNKNOWN))).status_code == 404
    assert (await as_admin.get(path.format("not-an-id"))).status_code == 400


# --- frames and tiles ---


async def test_extract_frame(app, db, make, people, as_manager, as_supervisor, as_artist, movie_bytes):
    project, asset, task = await setup(make, people)
    row = await stored_movie(app, db, task, people, movie_bytes)
    url = f"/actions/preview-files/{row['id']}/extract-frame"
    r = await as_manager.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.headers["cache-control"] == "no-cache" and r.headers["content-disposition"].startswith("inline")
    assert png_size(r.content) == (320, 240)
    first = r.content
    r = await as_manager.get(url, params={"frame_number": 12})
    assert r.status_code == 200 and png_size(r.content) == (320, 240) and r.content != first
    r = await as_manager.get(url, params={"frame_number": "abc"})
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Wrong value for parameter frame_number.", "data": None}
    assert (await as_manager.get(url, params={"frame_number": 9999})).status_code == 404
    assert (await as_supervisor.get(url)).status_code == 403
    assert (await as_artist.get(url)).status_code == 403


async def test_extract_tile(app, db, make, people, as_artist, movie_bytes):
    project, asset, task = await setup(make, people)
    row = await stored_movie(app, db, task, people, movie_bytes)
    await app.state.storage.delete(movies.TILES, f"{row['id']}.png")
    r = await as_artist.get(f"/actions/preview-files/{row['id']}/extract-tile")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert png_size(r.content) == (8 * 134, 300)  # 4:3 frames, 100 px high
    assert await app.state.storage.read_bytes(movies.TILES, f"{row['id']}.png") == r.content
    picture = await preview_row(db, task, people, extension="png", name="pic")
    r = await as_artist.get(f"/actions/preview-files/{picture['id']}/extract-tile")
    assert r.status_code == 400 and r.json()["message"] == "Preview file is not a movie"


ANNOTATIONS = [
    {
        "time": 0,
        "drawing": {
            "objects": [
                {
                    "type": "path",
                    "stroke": "#ff0000",
                    "strokeWidth": 8,
                    "canvasWidth": 640,
                    "canvasHeight": 480,
                    "path": [["M", 20, 20], ["Q", 300, 40, 600, 400], ["L", 100, 400]],
                },
                {
                    "type": "rect",
                    "left": 50,
                    "top": 50,
                    "width": 100,
                    "height": 80,
                    "stroke": "blue",
                    "fill": "rgba(0,0,255,0.5)",
                },
                {"type": "circle", "left": 150, "top": 100, "radius": 30, "stroke": "#00ff00", "strokeWidth": 3},
                {
                    "type": "line",
                    "left": 10,
                    "top": 200,
                    "width": 200,
                    "height": 0,
                    "x1": -100,
                    "y1": 0,
                    "x2": 100,
                    "y2": 0,
                },
                {"type": "i-text", "left": 20, "top": 150, "text": "fix this", "fill": "#ffff00", "fontSize": 20},
                "not an object",
                {"type": "unknown-kind"},
            ]
        },
    },
    {
        "time": 0.5,
        "drawing": {"objects": [{"type": "rect", "left": 0, "top": 0, "width": 320, "height": 240, "fill": "black"}]},
    },
]


async def test_extract_annotated_frame(app, db, make, people, as_manager, movie_bytes):
    project, asset, task = await setup(make, people)
    row = await stored_movie(app, db, task, people, movie_bytes, annotations=ANNOTATIONS)
    base = f"/actions/preview-files/{row['id']}"
    plain = (await as_manager.get(f"{base}/extract-frame", params={"frame_number": 1})).content
    r = await as_manager.get(f"{base}/extract-annotated-frame", params={"frame_number": 1})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert png_size(r.content) == (320, 240)
    with Image.open(io.BytesIO(plain)) as a, Image.open(io.BytesIO(r.content)) as b:
        assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is not None
    # frame 13 at 24 fps is 0.5 s: the all-black rectangle
    r = await as_manager.get(f"{base}/extract-annotated-frame", params={"frame_number": 13})
    with Image.open(io.BytesIO(r.content)) as im:
        assert im.convert("RGB").getextrema() == ((0, 0), (0, 0), (0, 0))
    r = await as_manager.get(f"{base}/extract-annotated-frame")
    assert r.status_code == 400 and r.json()["message"] == "frame_number is required for movie previews"
    r = await as_manager.get(f"{base}/extract-annotated-frame", params={"frame_number": 5})
    assert r.status_code == 400 and r.json() == {"error": True, "message": "No annotation found for frame 5"}
    assert (await as_manager.get(f"{base}/extract-annotated-frame", params={"frame_number": 0})).status_code == 400
    assert (await as_manager.get(f"{base}/extract-annotated-frame", params={"frame_number": "x"})).status_code == 400


async def test_extract_annotated_frames_zip_and_pdf(app, db, make, people, as_manager, movie_bytes):
    project, asset, task = await setup(make, people)
    row = await stored_movie(app, db, task, people, movie_bytes, annotations=ANNOTATIONS)
    base = f"/actions/preview-files/{row['id']}"
    r = await as_manager.get(f"{base}/extract-annotated-frames")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].endswith("_annotated_frames.zip")
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        names = archive.namelist()
        assert [n.rsplit("_", 2)[-2:] for n in names] == [["frame", "1.png"], ["frame", "13.png"]]
        assert png_size(archive.read(names[0])) == (320, 240)
    r = await as_manager.get(f"{base}/extract-annotated-frames-pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and b"/Count 2" in r.content  # one page per annotated frame
    assert r.headers["content-disposition"].endswith("_annotated_frames.pdf")
    bare = await stored_movie(app, db, task, people, movie_bytes, name="bare")
    for suffix in ("extract-annotated-frames", "extract-annotated-frames-pdf"):
        r = await as_manager.get(f"/actions/preview-files/{bare['id']}/{suffix}")
        assert r.status_code == 400 and r.json() == {"error": True, "message": "Preview file has no annotations"}


async def test_annotated_picture_preview(app, db, make, people, as_manager):
    project, asset, task = await setup(make, people)
    row = await preview_row(db, task, people, extension="png", annotations=ANNOTATIONS[:1])
    picture = io.BytesIO()
    Image.new("RGB", (320, 240), "white").save(picture, "PNG")
    await app.state.storage.write_bytes("previews", f"{row['id']}.png", picture.getvalue())
    r = await as_manager.get(f"/actions/preview-files/{row['id']}/extract-annotated-frame")
    assert r.status_code == 200
    with Image.open(io.BytesIO(r.content)) as im:
        assert im.size == (320, 240) and im.convert("RGB").getextrema() != ((255, 255), (255, 255), (255, 255))
    r = await as_manager.get(f"/actions/preview-files/{row['id']}/extract-annotated-frames")
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        assert len(archive.namelist()) == 1


def test_path_helpers_never_use_client_names():
    pid = "0b0e4b7e-0000-4000-8000-000000000001"
    assert movies.stored_files(pid)[0] == ("movies-source", pid)
    assert all(key in (pid, f"{pid}.png") for _, key in movies.stored_files(pid))
    assert Path(movies.picture_key(pid)).name == f"{pid}.png"
