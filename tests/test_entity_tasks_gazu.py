"""End to end with the real `gazu` client on a live server: a studio script creates the tasks
of a production and reads them back through the per-entity task routes and the boards.

The project is closed then removed with `force=true` at the end (the live server commits).
"""

from __future__ import annotations

from collections.abc import Iterator

import gazu
import pytest
from live_server import LiveServer, gazu_logged_in, live_server, unique  # noqa: F401  (the fixture is used by name)


@pytest.fixture
def admin(live_server: LiveServer) -> Iterator[None]:  # noqa: F811
    with gazu_logged_in(live_server.url + "/api"):
        yield


def test_studio_script_creates_and_reads_tasks(admin):
    project = gazu.project.new_project(unique("Tasks"), production_type="tvshow")
    try:
        layout = gazu.task.get_task_type_by_name("Layout", for_entity="Shot")
        anim = gazu.task.get_task_type_by_name("Animation", for_entity="Shot")
        modeling = gazu.task.get_task_type_by_name("Modeling", for_entity="Asset")
        for priority, task_type in enumerate((layout, anim, modeling), start=1):
            gazu.project.add_task_type(project, task_type, priority)
        episode = gazu.shot.new_episode(project, "E01")
        sequence = gazu.shot.new_sequence(project, "SQ01", episode=episode)
        shot = gazu.shot.new_shot(project, sequence, "SH010", nb_frames=24)
        character = gazu.asset.get_asset_type_by_name("Character")
        hero = gazu.asset.new_asset(project, character, "Hero", episode=episode)
        me = gazu.client.get_current_user()

        created = gazu.task.new_task(shot, layout, assignees=[me])
        assert created["assignees"] == [me["id"]] and created["project_id"] == project["id"]
        assert gazu.task.new_task(shot, layout)["id"] == created["id"]  # found, not duplicated
        batch = gazu.task.create_entity_tasks(shot, [anim])
        assert [t["task_type_id"] for t in batch] == [anim["id"]]
        assert [t["task_type_id"] for t in gazu.task.create_entity_tasks(hero, [])] == [modeling["id"]]

        tasks = gazu.task.all_tasks_for_shot(shot, relations=True)
        assert {t["task_type_name"] for t in tasks} == {"Layout", "Animation"}
        assert [t["assignees"] for t in tasks if t["id"] == created["id"]] == [[me["id"]]]
        assert {t["id"] for t in gazu.task.all_task_types_for_shot(shot)} == {layout["id"], anim["id"]}
        assert {t["id"] for t in gazu.task.all_task_types_for_sequence(sequence)} == {layout["id"], anim["id"]}
        assert len(gazu.task.all_shot_tasks_for_episode(episode)) == 2
        assert len(gazu.task.all_shot_tasks_for_sequence(sequence)) == 2
        assert [t["entity_id"] for t in gazu.task.all_assets_tasks_for_episode(episode)] == [hero["id"]]
        assert gazu.client.fetch_one("tasks", created["id"])["assignees"] == [me["id"]]

        board = gazu.client.get(f"data/shots/with-tasks?project_id={project['id']}")
        assert [row["id"] for row in board] == [shot["id"]] and len(board[0]["tasks"]) == 2
        assets = gazu.client.get(f"data/assets/with-tasks?project_id={project['id']}")
        assert assets[0]["episode_id"] == episode["id"] and len(assets[0]["tasks"]) == 1
    finally:
        gazu.project.close_project(project)
        gazu.project.remove_project(project, force=True)
