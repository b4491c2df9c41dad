"""End to end with the real `gazu` client: publishing output files of an entity on a live server.

What the server writes is committed: names are unique.
"""

from __future__ import annotations

from collections.abc import Iterator

import gazu
import pytest
from live_server import LiveServer, gazu_logged_in, live_server, unique  # noqa: F401  (the fixture is used by name)
from test_output_files import TREE


@pytest.fixture
def admin(live_server: LiveServer) -> Iterator[None]:  # noqa: F811
    with gazu_logged_in(live_server.url + "/api", cache=False):
        yield


def test_gazu_entity_output_files(admin):
    project = gazu.project.new_project(unique("Output gazu"))
    gazu.files.update_project_file_tree(project, TREE)
    asset_type = gazu.asset.new_asset_type(unique("Props"))
    asset = gazu.asset.new_asset(project, asset_type, "Bunny")
    task_type = gazu.task.new_task_type(unique("Modeling"))
    output_type = gazu.files.new_output_type(unique("Cache"), "abc")
    assert gazu.files.get_output_type(output_type["id"])["name"] == output_type["name"]

    assert gazu.files.get_next_entity_output_revision(asset, output_type, task_type) == 1
    first = gazu.files.new_entity_output_file(asset, output_type, task_type, "first publish", representation="abc")
    assert first["revision"] == 1 and first["comment"] == "first publish" and first["type"] == "OutputFile"
    assert first["path"] == f"{first['folder_path']}/{first['file_name']}"
    second = gazu.files.new_entity_output_file(asset, output_type, task_type, "second", representation="abc")
    assert second["revision"] == 2
    assert gazu.files.get_last_entity_output_revision(asset, output_type, task_type) == 2

    listed = gazu.files.all_output_files_for_entity(asset)
    assert [f["id"] for f in listed] == [second["id"], first["id"]]
    last = gazu.files.get_last_output_files_for_entity(asset)
    assert [f["id"] for f in last] == [second["id"]]
    assert [t["id"] for t in gazu.files.all_output_types_for_entity(asset)] == [output_type["id"]]
    assert [f["id"] for f in gazu.files.all_output_files_for_project(project)] == [second["id"], first["id"]]
    assert gazu.files.get_output_file(first["id"])["revision"] == 1
    updated = gazu.files.update_output_file(first, {"comment": "fixed"})
    assert updated["comment"] == "fixed"
