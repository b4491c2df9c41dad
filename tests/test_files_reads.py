"""Every GET route of the `files` area, as seven kinds of caller, compared with the reference Zou.

`tests/reference/files_sweep.py` builds the production of the production sweep plus files on it
(a comment with a PNG preview and an attachment, a file tree, a working file with its binary,
output files on the shot and on an asset instance, an output type, a file status, a software,
pictures of a person, the project and the organisation, an HDR preview background file and the
preview account) and calls each GET route as each caller, recording status codes, answer shapes
and, for binary answers, the content type, the picture size and the caching header.
`tests/reference/files_reads.json` holds what Zou 1.0.97 answered; this test replays the sweep on
a live Tsubame and compares route by route and role by role.

Deliberate differences from Zou are listed in DIFFERENCES with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, live_server  # noqa: F401  (the fixture is used by name)
from reference import files_sweep, sweep

EXPECTED = json.loads((Path(__file__).parent / "reference" / "files_reads.json").read_text())

# (path, role) -> what we answer instead, and why.
DIFFERENCES: dict[tuple[str, str], dict] = {
    # Zou makes a 150x150 thumbnail only for pictures attached to chat messages and answers 404
    # for a picture attached to a comment; we make it for comment attachments too, so the
    # route answers the thumbnail to whoever may read the comment's task.
    **{
        ("/pictures/thumbnails/attachment-files/{attachment_file_id}.png", role): {
            "status": 200,
            "kind": "text",
            "content_type": "image/png",
            "size": [150, 150],
            "cache_control": "max-age=604800, private",
            "disposition": "inline",
            "headers": sorted(files_sweep.HEADERS),
        }
        for role in ("admin", "manager", "supervisor", "member", "client", "vendor")
    },
}
STUDIO = {
    "/data/file-status",
    "/data/file-status/{instance_id}",
    "/data/output-files",
    "/data/output-types",
    "/data/output-types/{instance_id}",
    "/data/preview-background-files",
    "/data/preview-background-files/{instance_id}",
    "/data/preview-files",
    "/data/softwares",
    "/data/softwares/{instance_id}",
    "/data/working-files",
    "/pictures/preview-background-files/{instance_id}.{extension}",
    "/pictures/thumbnails/organisations/{instance_id}",
    "/pictures/thumbnails/organisations/{instance_id}.png",
    "/pictures/thumbnails/persons/{instance_id}",
    "/pictures/thumbnails/persons/{instance_id}.png",
    "/pictures/thumbnails/preview-background-files/{instance_id}.png",
}
"""Studio-wide routes (catalogues, people's and the organisation's pictures, filtered listings):
anyone logged in reads them, on both servers. Every other GET route names something of a
production and answers 403 to a client off its team, on both servers."""


@pytest.fixture(scope="module")
def answers(live_server: LiveServer) -> dict:  # noqa: F811
    def login(email: str, password: str) -> httpx.Client:
        r = httpx.post(f"{live_server.url}/auth/login", json={"email": email, "password": password})
        token = r.json()["access_token"]
        return httpx.Client(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    admin = login("admin@example.com", "mysecretpassword")
    ids, clients = sweep.build(admin, login)
    return files_sweep.run(admin, clients, ids)


SHAPE = (
    *("shows_project", "kind", "len", "value_kind", "value_len", "keys"),
    *("order", "content_type", "size", "cache_control", "disposition", "headers"),
)
CASES = [(path, role) for path in EXPECTED for role in files_sweep.ROLES]


@pytest.mark.parametrize(("path", "role"), CASES, ids=[f"{p} {r}" for p, r in CASES])
def test_read_matches_reference(answers: dict, path: str, role: str):
    expected = DIFFERENCES.get((path, role), EXPECTED[path][role])
    got = answers[path][role]
    assert got["status"] == expected["status"], got
    studio_wide = "{" not in path and path not in sweep.QUERY
    compared = SHAPE
    if studio_wide:
        compared = ("shows_project", "kind") if role == "admin" else ("shows_project", "kind", "keys")
    for key in compared:
        if key in expected:
            assert got.get(key) == expected[key], (key, got)


def test_an_artist_outside_the_team_sees_nothing_of_the_production(answers: dict):
    leaks = [path for path, by_role in answers.items() if by_role["outsider"].get("shows_project")]
    assert leaks == []


def test_a_client_off_the_team_gets_403_on_every_production_file_route(answers: dict):
    assert set(answers) == set(EXPECTED) and STUDIO < set(answers)
    refused = {path for path, by_role in answers.items() if by_role["stranger"]["status"] == 403}
    assert refused == set(answers) - STUDIO
    assert {path for path in EXPECTED if EXPECTED[path]["stranger"]["status"] == 403} == refused
    leaks = [path for path, by_role in answers.items() if by_role["stranger"].get("shows_project")]
    assert leaks == []
