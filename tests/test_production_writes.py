"""Every write route of the production area, replayed in Zou's order and compared with Zou.

`tests/reference/write_sweep.py` builds the sweep production, then runs 96 write calls in one
order, each tried by callers of rising rank (an artist outside the team, a vendor, a client, an
artist, a supervisor, a manager, an admin) until one is allowed. `production_writes.json` holds
what Zou 1.0.97 answered to each try; this test replays the calls on a live Tsubame and compares
each try's status code and answer shape. Deliberate differences are listed with their reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from live_server import LiveServer, live_server  # noqa: F401  (the fixture is used by name)
from reference import sweep, write_sweep

EXPECTED = json.loads((Path(__file__).parent / "reference" / "production_writes.json").read_text())

# Zou checks whether a sequence is still referenced before it checks who is asking, and its
# permission test for sequences is inverted (anyone but the creator passes). We check rights
# first, with the rule every other kind uses: the project's managers, or the creator on the team.
DIFFERENCES = {
    ("delete sequence", role): {"status": 403} for role in ("outsider", "vendor", "client", "member", "supervisor")
}


@pytest.fixture(scope="module")
def answers(live_server: LiveServer) -> dict[str, dict]:  # noqa: F811
    admin, clients, ids = sweep.connect(live_server.url)
    return {entry["name"]: entry["tried"] for entry in write_sweep.run(admin, clients, ids)}


CASES = [(entry["name"], role) for entry in EXPECTED for role in entry["tried"]]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n} {r}" for n, r in CASES])
def test_write_matches_reference(answers: dict, name: str, role: str):
    expected = DIFFERENCES.get((name, role), next(e for e in EXPECTED if e["name"] == name)["tried"][role])
    assert answers[name].get(role) == expected


def test_every_write_route_is_swept():
    swept = {(c["method"], c["path"].split("?")[0]) for c in write_sweep.CALLS}
    routes = {
        tuple(line.split(" ", 1))
        for line in (Path(sweep.__file__).with_name("production_routes.txt")).read_text().splitlines()
    }
    writes = {(m, p) for m, p in routes if m != "GET"}

    # paths in the sweep name the row they act on ({sh2}); compare their shapes
    def shape(path: str) -> str:
        import re

        return re.sub(r"\{\w+\}", "{}", path)

    assert {(m, shape(p)) for m, p in writes} - {(m, shape(p)) for m, p in swept} == {
        ("POST", "/data/metadata-descriptors/all-projects"),
        ("PUT", "/data/metadata-descriptors/all-projects/{}"),
        ("DELETE", "/data/metadata-descriptors/all-projects/{}"),
        ("POST", "/actions/metadata-descriptors/all-projects/reorder"),
    }
