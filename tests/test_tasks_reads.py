"""Every GET route of the `tasks` area, as seven kinds of caller, compared with the reference Zou.

`tests/reference/tasks_sweep.py` builds the production of the production sweep plus a day of
work on it (a status comment mentioning the supervisor, a reply, a subscription, time spent, a
day off, a filter group, a chat message) and calls each GET route as each caller.
`tests/reference/tasks_reads.json` holds what Zou 1.0.97 answered; this test replays the sweep on
a live Tsubame and compares status codes and answer shapes, as `test_production_reads.py` does.

Deliberate differences from Zou are listed in DIFFERENCES with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, live_server  # noqa: F401  (the fixture is used by name)
from reference import sweep, tasks_sweep

EXPECTED = json.loads((Path(__file__).parent / "reference" / "tasks_reads.json").read_text())

# (path, role) -> what we answer instead, and why.
DIFFERENCES: dict[tuple[str, str], dict] = {
    # Zou forgot the login check on this route and answers 500 to everyone; we answer the
    # caller's own time spent on the task that day (null when there is none), as it intends.
    **{
        ("/data/user/tasks/{task_id}/time-spents/{date}", role): {"status": 200, "kind": "NoneType"}
        for role in sweep.ROLES
        if role != "member"
    },
    ("/data/user/tasks/{task_id}/time-spents/{date}", "member"): {"status": 200, "kind": "dict"},
    # Zou lists a person's related tasks to anyone; we show a non-admin only the projects whose
    # team they are on, so an artist outside the production sees none of it.
    ("/data/persons/{person_id}/related-tasks/{task_type_id}", "outsider"): {
        "status": 200,
        "kind": "list",
        "len": 0,
        "shows_project": False,
    },
    # Vendors see only the tasks they are assigned to, on this listing as everywhere else
    # (Zou narrows it only when an episode is given).
    ("/data/projects/{project_id}/tasks", "vendor"): {
        **EXPECTED["/data/projects/{project_id}/tasks"]["vendor"],
        "len": 1,
    },
}
STUDIO_WIDE = {"/data/persons/day-offs/{year}", "/data/persons/day-offs/{year}/{month}"}
"""Studio-wide listings with a path parameter: an admin's row count depends on the whole database."""


@pytest.fixture(scope="module")
def answers(live_server: LiveServer) -> dict:  # noqa: F811
    def login(email: str, password: str) -> httpx.Client:
        r = httpx.post(f"{live_server.url}/auth/login", json={"email": email, "password": password})
        token = r.json()["access_token"]
        return httpx.Client(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    admin = login("admin@example.com", "mysecretpassword")
    ids, clients = sweep.build(admin, login)
    return tasks_sweep.run(admin, clients, ids)


SHAPE = ("shows_project", "kind", "len", "value_kind", "value_len", "keys", "content_type")
CASES = [(path, role) for path in EXPECTED for role in sweep.ROLES]


@pytest.mark.parametrize(("path", "role"), CASES, ids=[f"{p} {r}" for p, r in CASES])
def test_read_matches_reference(answers: dict, path: str, role: str):
    expected = DIFFERENCES.get((path, role), EXPECTED[path][role])
    got = answers[path][role]
    assert got["status"] == expected["status"], got
    studio_wide = ("{" not in path and path not in sweep.QUERY) or path in STUDIO_WIDE
    compared = SHAPE
    if studio_wide:
        compared = ("shows_project", "kind") if role == "admin" else ("shows_project", "kind", "keys")
    for key in compared:
        if key in expected:
            assert got.get(key) == expected[key], (key, got)


def test_an_artist_outside_the_team_sees_nothing_of_the_production(answers: dict):
    leaks = [path for path, by_role in answers.items() if by_role["outsider"].get("shows_project")]
    assert leaks == []
