"""End to end: a day of work with the real `gazu` client on a live server.

A production manager sets up a task; the artist logs in, finds it in their to-do list,
posts a comment asking for review (status change) and logs their time; the supervisor,
mentioned in the comment and subscribed to the task, sees the notification and the new
status. The same scenario (`work_day`) was run against the reference Zou to check what
it asserts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import gazu
import pytest
from live_server import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, live_server, unique  # noqa: F401

PASSWORD = "a-long-enough-password"


def _log_in(url: str, email: str, password: str) -> None:
    gazu.set_host(url)
    gazu.log_in(email, password)


def work_day(url: str) -> dict:
    """The scenario, usable against any server. Returns what the assertions read."""
    _log_in(url, ADMIN_EMAIL, ADMIN_PASSWORD)
    gazu.cache.disable()
    tag = unique("wd").split()[1]
    project = gazu.project.new_project(unique("Work day"))
    modeling = gazu.task.get_task_type_by_name("Modeling") or gazu.task.new_task_type(unique("Modeling"))
    todo = gazu.task.get_task_status_by_short_name("todo")
    wfa = gazu.task.get_task_status_by_short_name("wfa")
    character = gazu.asset.get_asset_type_by_name("Character")
    for status in (todo, wfa):
        gazu.project.add_task_status(project, status)
    gazu.project.add_task_type(project, modeling, 1)
    gazu.project.add_asset_type(project, character)
    artist = gazu.person.new_person("Ada", f"Artist{tag}", f"ada-{tag}@example.com", password=PASSWORD)
    supervisor = gazu.person.new_person(
        "Sam", f"Super{tag}", f"sam-{tag}@example.com", role="supervisor", password=PASSWORD
    )
    for person in (artist, supervisor):
        gazu.project.add_person_to_team(project, person)
    hero = gazu.asset.new_asset(project, character, "Hero")
    task = gazu.task.new_task(hero, modeling, task_status=todo)
    gazu.task.assign_task(task, artist)
    gazu.log_out()

    # the supervisor follows the task
    _log_in(url, supervisor["email"], PASSWORD)
    gazu.user.subscribe_to_task(task)
    gazu.log_out()

    # the artist's day
    _log_in(url, artist["email"], PASSWORD)
    to_do = gazu.user.all_tasks_to_do()
    mention = f"@{supervisor['first_name']} {supervisor['last_name']}"
    comment = gazu.task.add_comment(task, wfa, f"Ready for review {mention}")
    today = datetime.date.today().isoformat()
    gazu.task.add_time_spent(task, artist, today, 90)
    gazu.task.add_time_spent(task, artist, today, 30)
    spent = gazu.task.get_time_spent(task, today)
    gazu.log_out()

    # the supervisor's inbox
    _log_in(url, supervisor["email"], PASSWORD)
    notifications = gazu.user.all_notifications()
    seen_task = gazu.task.get_task(task["id"])
    to_check = gazu.user.all_tasks_requiring_feedback()
    gazu.log_out()
    return {
        "task": task,
        "artist": artist,
        "supervisor": supervisor,
        "wfa": wfa,
        "to_do": to_do,
        "comment": comment,
        "spent": spent,
        "notifications": notifications,
        "seen_task": seen_task,
        "to_check": to_check,
    }


def check(day: dict) -> None:
    task, artist, wfa = day["task"], day["artist"], day["wfa"]
    assert [t["id"] for t in day["to_do"]] == [task["id"]]
    assert day["to_do"][0]["entity_name"] == "Hero" and day["to_do"][0]["task_status_short_name"] == "todo"
    comment = day["comment"]
    assert comment["object_id"] == task["id"] and comment["task_status_id"] == wfa["id"]
    assert comment["person_id"] == artist["id"] and comment["text"].startswith("Ready for review")
    assert comment["mentions"] == [day["supervisor"]["id"]]
    assert day["spent"]["total"] == 120 and day["spent"][artist["id"]][0]["duration"] == 120
    about_task = [n for n in day["notifications"] if n["task_id"] == task["id"]]
    assert {n["notification_type"] for n in about_task} == {"comment", "mention"}
    assert all(n["author_id"] == artist["id"] and not n["read"] for n in about_task)
    assert {n["task_status_id"] for n in about_task} == {wfa["id"]}
    assert day["seen_task"]["task_status_id"] == wfa["id"]
    assert day["seen_task"]["assignees"] == [artist["id"]]
    assert [t["id"] for t in day["to_check"]] == [task["id"]]


@pytest.fixture(params=["", "/api"], ids=["root", "api"])
def url(request, live_server: LiveServer) -> Iterator[str]:  # noqa: F811
    previous = gazu.client.get_host()
    yield live_server.url + request.param
    gazu.client.set_tokens({})
    gazu.set_host(previous)


def test_work_day(url: str) -> None:
    check(work_day(url))
