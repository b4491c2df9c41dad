"""End to end with the real `gazu` client: a studio script gives a project a file tree, builds a
working file path, creates working revisions, comments one, uploads and downloads its binary,
and guesses the task folder back from its path."""

from __future__ import annotations

from collections.abc import Iterator

import gazu
import pytest
from live_server import LiveServer, gazu_logged_in, live_server, unique  # noqa: F401  (the fixture is used by name)
from slugify import slugify
from test_file_tree import DEFAULT_TREE


@pytest.fixture
def admin(live_server: LiveServer) -> Iterator[None]:  # noqa: F811
    with gazu_logged_in(live_server.url + "/api"):
        yield


def test_studio_script_working_files(admin, tmp_path):
    name = unique("Files")
    project = gazu.project.new_project(name)
    try:
        gazu.client.put(f"data/projects/{project['id']}", {"file_tree": DEFAULT_TREE})
        slug = slugify(name, separator="_")
        modeling = gazu.task.get_task_type_by_name("Modeling", for_entity="Asset")
        character = gazu.asset.get_asset_type_by_name("Character")
        hero = gazu.asset.new_asset(project, character, "Hero Big")
        task = gazu.task.new_task(hero, modeling)

        folder = f"/simple/productions/{slug}/assets/character/hero_big/modeling"
        path = gazu.files.build_working_file_path(task)
        assert path == f"{folder}/{slug}_character_hero_big_modeling"

        first = gazu.files.new_working_file(task, comment="first")
        assert first["revision"] == 1 and first["path"] == path and first["comment"] == "first"
        second = gazu.files.new_working_file(task)
        assert second["revision"] == 2
        last = gazu.files.get_last_working_files(task)
        assert list(last) == ["main"] and last["main"]["id"] == second["id"]
        assert gazu.files.get_last_working_file_revision(task)["revision"] == 2
        assert gazu.files.get_working_file(first["id"])["outputs"] == []

        commented = gazu.files.update_comment(second, "looks good")
        assert commented["comment"] == "looks good"
        assert gazu.files.update_modification_date(second)["id"] == second["id"]

        source = tmp_path / "scene.blend"
        source.write_bytes(b"BLENDER-v300" + bytes(range(256)) * 64)
        stored = gazu.files.upload_working_file(second, str(source))
        assert stored["id"] == second["id"]
        target = tmp_path / "back.blend"
        gazu.files.download_working_file(second, str(target))
        assert target.read_bytes() == source.read_bytes()

        guesses = gazu.client.post("data/entities/guess-from-path", {"project_id": project["id"], "file_path": folder})
        assert guesses == [
            {
                "Template": "asset",
                "Project": project["id"],
                "AssetType": character["id"],
                "Asset": hero["id"],
                "TaskType": modeling["id"],
            }
        ]
    finally:
        gazu.project.close_project(project)
        gazu.project.remove_project(project, force=True)
