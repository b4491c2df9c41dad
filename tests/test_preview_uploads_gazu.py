"""End to end with the real `gazu` client: a studio script posts a still and a movie on a
comment, makes the still the asset's thumbnail and downloads it. The project is closed then
removed with `force=true` at the end."""

from __future__ import annotations

import io
import subprocess
import time
from collections.abc import Iterator

import gazu
import httpx
import pytest
from live_server import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, gazu_logged_in, live_server, unique  # noqa: F401
from PIL import Image


@pytest.fixture
def admin(live_server: LiveServer) -> Iterator[None]:  # noqa: F811
    with gazu_logged_in(live_server.url + "/api"):
        yield


def wait_for_thumbnail(url: str, preview_id: str, timeout: float = 90.0) -> httpx.Response:
    """Ask for the preview's thumbnail as a JSON client until it is no longer processing (202)."""
    token = httpx.post(f"{url}/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"}
    deadline = time.monotonic() + timeout
    while True:
        r = httpx.get(f"{url}/pictures/thumbnails/preview-files/{preview_id}.png", headers=headers)
        if r.status_code != 202 or time.monotonic() > deadline:
            return r
        time.sleep(0.5)


def test_studio_script_posts_previews(admin, live_server, tmp_path):  # noqa: F811
    still = tmp_path / "still.png"
    Image.new("RGB", (320, 240), (20, 120, 200)).save(still)
    movie = tmp_path / "take.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=320x240:rate=24",
         "-pix_fmt", "yuv420p", str(movie)],
        check=True,
    )  # fmt: skip
    project = gazu.project.new_project(unique("Previews"))
    try:
        modeling = gazu.task.get_task_type_by_name("Modeling", for_entity="Asset")
        character = gazu.asset.get_asset_type_by_name("Character")
        hero = gazu.asset.new_asset(project, character, "Hero")
        task = gazu.task.new_task(hero, modeling)
        wip = gazu.task.get_task_status_by_short_name("wip")
        comment = gazu.task.add_comment(task, wip, "First still")

        preview = gazu.task.add_preview(task, comment, str(still))
        assert preview["status"] == "ready" and preview["extension"] == "png" and preview["revision"] == 1
        assert (preview["width"], preview["height"]) == (320, 240) and preview["original_name"] == "still"

        target = tmp_path / "thumbnail.png"
        gazu.files.download_preview_file_thumbnail(preview, str(target))
        with Image.open(target) as thumbnail:
            assert thumbnail.format == "PNG" and thumbnail.size == (150, 100)

        gazu.task.set_main_preview(preview)
        assert gazu.asset.get_asset(hero["id"])["preview_file_id"] == preview["id"]

        # a second slot on the same comment, filled with upload_preview_file
        slot = gazu.task.create_preview(task, comment)
        assert slot["status"] == "processing" and (slot["revision"], slot["position"]) == (1, 2)
        extra = gazu.task.upload_preview_file(slot, str(still))
        assert extra["status"] == "ready" and extra["id"] == slot["id"]

        # a movie on a new comment: processing, then the worker makes it ready
        second = gazu.task.add_comment(task, wip, "Now moving")
        moving = gazu.task.add_preview(task, second, str(movie))
        assert moving["extension"] == "mp4" and moving["status"] == "processing" and moving["revision"] == 2
        r = wait_for_thumbnail(live_server.url, moving["id"])
        assert r.status_code == 200, r.text
        with Image.open(io.BytesIO(r.content)) as thumbnail:
            assert thumbnail.size == (150, 100)
    finally:
        gazu.project.close_project(project)
        gazu.project.remove_project(project, force=True)
