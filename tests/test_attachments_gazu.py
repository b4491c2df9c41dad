"""End to end with the real `gazu` client: a comment posted with attachments, more files added,
downloaded back, listed, removed; a batch of comments with files. The project is removed at the end."""

from __future__ import annotations

from collections.abc import Iterator

import gazu
import pytest
from live_server import LiveServer, gazu_logged_in, live_server, unique  # noqa: F401  (the fixture is used by name)


@pytest.fixture
def admin(live_server: LiveServer) -> Iterator[None]:  # noqa: F811
    with gazu_logged_in(live_server.url + "/api"):
        yield


def test_studio_script_attaches_files(admin, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"first notes")
    extra = tmp_path / "extra.csv"
    extra.write_bytes(b"a,b\n1,2\n")
    project = gazu.project.new_project(unique("Attachments"))
    try:
        modeling = gazu.task.get_task_type_by_name("Modeling", for_entity="Asset")
        character = gazu.asset.get_asset_type_by_name("Character")
        hero = gazu.asset.new_asset(project, character, "Hero")
        task = gazu.task.new_task(hero, modeling)
        wip = gazu.task.get_task_status_by_short_name("wip")

        comment = gazu.task.add_comment(task, wip, "See attached", attachments=[str(notes)])
        (attached,) = comment["attachment_files"]
        assert (attached["name"], attached["extension"], attached["size"]) == ("notes.txt", "txt", 11)

        added = gazu.task.add_attachment_files_to_comment(task, comment, [str(extra)])
        assert [a["name"] for a in added] == ["extra.csv"]

        target = tmp_path / "back.txt"
        gazu.files.download_attachment_file(attached["id"], str(target))
        assert target.read_bytes() == b"first notes"

        listed = gazu.files.get_all_attachment_files_for_task(task)
        assert sorted(a["name"] for a in listed) == ["extra.csv", "notes.txt"]
        assert {a["comment"]["id"] for a in listed} == {comment["id"]}

        done = gazu.task.get_task_status_by_short_name("done")
        batch = gazu.task.batch_comments(
            [{"task_status_id": done["id"], "text": "batch", "attachment_files": [str(notes)]}], task=task
        )
        assert [a["name"] for a in batch[0]["attachment_files"]] == ["notes.txt"]
        assert gazu.task.get_task(task["id"])["task_status_id"] == done["id"]

        gazu.client.delete(f"data/tasks/{task['id']}/comments/{comment['id']}/attachments/{added[0]['id']}")
        assert [a["name"] for a in gazu.files.get_all_attachment_files_for_task(task)] == ["notes.txt", "notes.txt"]
    finally:
        gazu.project.close_project(project)
        gazu.project.remove_project(project, force=True)
