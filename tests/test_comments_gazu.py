"""End to end with the real `gazu` client: a studio script comments a task, moves its status,
edits and deletes the comment. The project is closed then removed with `force=true` at the end."""

from __future__ import annotations

from collections.abc import Iterator

import gazu
import pytest
from live_server import LiveServer, gazu_logged_in, live_server, unique  # noqa: F401  (the fixture is used by name)


@pytest.fixture
def admin(live_server: LiveServer) -> Iterator[None]:  # noqa: F811
    with gazu_logged_in(live_server.url + "/api"):
        yield


def test_studio_script_comments_a_task(admin):
    project = gazu.project.new_project(unique("Comments"))
    try:
        modeling = gazu.task.get_task_type_by_name("Modeling", for_entity="Asset")
        character = gazu.asset.get_asset_type_by_name("Character")
        hero = gazu.asset.new_asset(project, character, "Hero")
        task = gazu.task.new_task(hero, modeling)
        wip = gazu.task.get_task_status_by_short_name("wip")
        done = gazu.task.get_task_status_by_short_name("done")

        comment = gazu.task.add_comment(task, wip, "Started", checklist=[{"text": "mesh", "checked": False}])
        assert comment["text"] == "Started" and comment["task_status"]["id"] == wip["id"]
        assert comment["checklist"] == [{"text": "mesh", "checked": False}]
        assert gazu.task.get_task(task["id"])["task_status_id"] == wip["id"]

        last = gazu.task.add_comment(task, done, "Finished", links=["https://example.com/review"])
        reloaded = gazu.task.get_task(task["id"])
        assert reloaded["task_status_id"] == done["id"] and reloaded["done_date"] is not None
        assert last["links"] == ["https://example.com/review"]

        edited = gazu.client.put(f"data/comments/{last['id']}", {"text": "Finished, really"})
        assert edited["text"] == "Finished, really" and edited["editor_id"] == gazu.client.get_current_user()["id"]

        gazu.task.remove_comment(last)
        assert gazu.task.get_task(task["id"])["task_status_id"] == wip["id"]
    finally:
        gazu.project.close_project(project)
        gazu.project.remove_project(project, force=True)
