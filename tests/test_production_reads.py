"""Every GET route of the production area, as seven kinds of caller, compared with the reference Zou.

`tests/reference/sweep.py` builds a small production through the API (team of a manager, a
supervisor, an artist, a client and a vendor; an artist outside the team; one of each kind of
entity, tasks, casting, an asset instance, a descriptor, a template) and calls each GET route as
each caller. `tests/reference/production_reads.json` holds what Zou 1.0.97 answered; this test
replays the sweep on a live Tsubame and compares, route by route and role by role: the status
code, whether the answer shows the production at all, the JSON kind, the number of rows and the
keys of the first row.

Deliberate differences from Zou are listed in DIFFERENCES with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, live_server  # noqa: F401  (the fixture is used by name)
from reference import sweep

EXPECTED = json.loads((Path(__file__).parent / "reference" / "production_reads.json").read_text())

# (path, role) -> what we answer instead, and why.
DIFFERENCES: dict[tuple[str, str], dict] = {}


@pytest.fixture(scope="module")
def answers(live_server: LiveServer) -> dict:  # noqa: F811
    def login(email: str, password: str) -> httpx.Client:
        r = httpx.post(f"{live_server.url}/auth/login", json={"email": email, "password": password})
        token = r.json()["access_token"]
        return httpx.Client(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    admin = login("admin@example.com", "mysecretpassword")
    ids, clients = sweep.build(admin, login)
    return sweep.sweep(clients, ids)


SHAPE = ("shows_project", "kind", "len", "value_kind", "value_len", "keys")
CASES = [(path, role) for path in EXPECTED for role in sweep.ROLES]


@pytest.mark.parametrize(("path", "role"), CASES, ids=[f"{p} {r}" for p, r in CASES])
def test_read_matches_reference(answers: dict, path: str, role: str):
    expected = DIFFERENCES.get((path, role), EXPECTED[path][role])
    got = answers[path][role]
    assert got["status"] == expected["status"]
    # An admin's listing of the whole studio holds whatever else the reference database held:
    # its row count and first row are not comparable. Everything scoped to the swept production is.
    studio_wide = "{" not in path and path not in sweep.QUERY
    compared = SHAPE
    if studio_wide:
        compared = ("shows_project", "kind") if role == "admin" else ("shows_project", "kind", "keys")
    for key in compared:
        if key in expected:
            assert got.get(key) == expected[key], key


def test_an_artist_outside_the_team_sees_nothing_of_the_production(answers: dict):
    """Whatever Zou answers, no GET route shows an outsider anything of a production."""
    leaks = [path for path, by_role in answers.items() if by_role["outsider"].get("shows_project")]
    assert leaks == []
    assert {by_role["outsider"]["status"] for by_role in answers.values()} <= {200, 403}


def test_clients_and_vendors_see_the_production_only_where_zou_shows_it(answers: dict):
    for role in ("client", "vendor"):
        shown = {path for path, by_role in answers.items() if by_role[role].get("shows_project")}
        expected = {path for path, by_role in EXPECTED.items() if by_role[role].get("shows_project")}
        assert shown == expected, role
