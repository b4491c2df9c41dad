"""End to end with the real `gazu` client on a live server: a studio script creates tasks in bulk,
reads a task's full view, updates it, assigns people, lists open tasks and removes tasks.

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


def test_studio_script_drives_tasks(admin):
    project = gazu.project.new_project(unique("TaskFlow"), production_type="tvshow")
    try:
        anim = gazu.task.get_task_type_by_name("Animation", for_entity="Shot")
        gazu.project.add_task_type(project, anim, 1)
        sequence = gazu.shot.new_sequence(project, "SQ01")
        shots = [gazu.shot.new_shot(project, sequence, f"SH{i:03}") for i in range(3)]
        me = gazu.client.get_current_user()

        created = gazu.client.post(f"actions/projects/{project['id']}/task-types/{anim['id']}/shots/create-tasks", {})
        assert sorted(t["entity_id"] for t in created) == sorted(s["id"] for s in shots)
        task = gazu.task.get_task(created[0]["id"])
        assert task["task_type"]["id"] == anim["id"] and task["sequence"]["id"] == sequence["id"]
        assert task["project"]["id"] == project["id"] and task["persons"] == []

        updated = gazu.task.update_task({**task, "priority": 3})  # the full view as body
        assert updated["priority"] == 3
        assert gazu.task.update_task_data(task, {"note": "x"})["data"] == {"note": "x"}

        assigned = gazu.task.assign_task(task, me)
        assert [t["assignees"] for t in assigned] == [[me["id"]]]
        assert [t["id"] for t in gazu.task.all_tasks_for_person(me)] == [task["id"]]
        assert gazu.task.get_task(task["id"])["persons"][0]["id"] == me["id"]
        assert gazu.task.clear_assignations(task) == [task["id"]]

        open_tasks = gazu.client.get(f"data/tasks/open-tasks?project_id={project['id']}")
        assert open_tasks["stats"]["total"] == 3
        assert project["id"] in gazu.task.get_open_tasks_stats()

        gazu.task.remove_task(task)
        gazu.task.remove_tasks_batch(project, [created[1]["id"]])
        assert [t["id"] for t in gazu.client.get(f"data/projects/{project['id']}/tasks")] == [created[2]["id"]]
    finally:
        gazu.project.close_project(project)
        gazu.project.remove_project(project, force=True)
