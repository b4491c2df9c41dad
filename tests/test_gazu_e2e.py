"""End to end: a real uvicorn server driven by the real `gazu` client, as a studio script would.

Every test runs twice: with the host at the server root (`http://127.0.0.1:PORT`) and under
`/api` (`http://127.0.0.1:PORT/api`, Kitsu's setup, the form gazu documents). gazu builds
URLs as `host + "/" + path` with no trailing slash (`data/departments`, `data/departments/<id>`,
`auth/login`, and `host + "/"` for the API version).

The tests are plain sync functions: gazu is synchronous and the server runs in its own thread
and event loop, so nothing here touches the session's event loop. What the server writes is
committed, so names are unique and created rows are deleted at the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import gazu
import httpx
import pytest
from gazu.exception import AuthFailedException, RouteNotFoundException
from live_server import LiveServer, live_server  # noqa: F401  (the fixture is used by name)

from app.core.config import VERSION

PASSWORD = "mysecretpassword"


@pytest.fixture(params=["", "/api"], ids=["root", "api"])
def host(request, live_server: LiveServer) -> Iterator[str]:  # noqa: F811
    """Point gazu's default client at the live server, and restore it afterwards."""
    previous = gazu.client.get_host()
    url = live_server.url + request.param
    gazu.set_host(url)
    yield url
    gazu.client.set_tokens({})
    gazu.set_host(previous)


@pytest.fixture
def admin(host: str) -> Iterator[dict]:
    tokens = gazu.log_in("admin@example.com", PASSWORD)
    yield tokens
    gazu.log_out()


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:12]}"


def test_api_version(host: str):
    assert gazu.client.get_host() == host
    assert gazu.client.get_api_version() == VERSION  # GET <host>/


def test_host_is_up_and_valid(host: str):
    assert gazu.client.host_is_up() is True  # HEAD <host>, no trailing slash
    assert gazu.client.host_is_valid() is True  # host_is_up, then a fake login answered 400/401


def test_log_in_and_current_user(host: str):
    tokens = gazu.log_in("admin@example.com", PASSWORD)
    try:
        assert tokens["login"] is True
        assert tokens["user"]["email"] == "admin@example.com"
        assert tokens["user"]["role"] == "admin"
        assert isinstance(tokens["access_token"], str) and tokens["access_token"]
        assert isinstance(tokens["refresh_token"], str) and tokens["refresh_token"]
        user = gazu.client.get_current_user()
        assert user["id"] == tokens["user"]["id"]
        assert user["email"] == "admin@example.com"
        assert "password" not in user
    finally:
        gazu.log_out()


def test_log_in_with_a_wrong_password(host: str):
    with pytest.raises(AuthFailedException):
        gazu.log_in("admin@example.com", "not-the-password")
    # the failed attempt must not lock out the next tests (the counter resets on success)
    gazu.log_in("admin@example.com", PASSWORD)
    gazu.log_out()


def test_all_persons(admin: dict):
    persons = gazu.person.all_persons()
    by_email = {p["email"]: p for p in persons}
    for role in ("admin", "manager", "supervisor", "user", "client", "vendor"):
        person = by_email[f"{role}@example.com"]
        assert person["role"] == role
        assert person["first_name"] == role.title()
        assert person["last_name"] == "Tester"
        assert person["type"] == "Person"
        assert "password" not in person
    assert by_email["admin@example.com"]["id"] == admin["user"]["id"]


def test_department_crud(admin: dict):
    name = unique("E2E Dept")
    created = gazu.client.create("departments", {"name": name, "color": "#123456"})
    try:
        assert created["name"] == name
        assert created["color"] == "#123456"
        assert created["type"] == "Department"
        assert created["archived"] is False
        dept_id = created["id"]
        assert uuid.UUID(dept_id)

        listed = {d["id"]: d for d in gazu.client.fetch_all("departments")}
        assert listed[dept_id]["name"] == name
        assert "Modeling" in {d["name"] for d in listed.values()}  # seeded by init data

        fetched = gazu.client.fetch_one("departments", dept_id)
        assert fetched["id"] == dept_id
        assert fetched["name"] == name
        assert fetched["color"] == "#123456"
        assert gazu.person.get_department(dept_id)["name"] == name
        assert gazu.person.get_department_by_name(name)["id"] == dept_id

        new_name = unique("E2E Renamed")
        updated = gazu.client.update("departments", dept_id, {"name": new_name, "color": "#654321"})
        assert updated["id"] == dept_id
        assert updated["name"] == new_name
        assert updated["color"] == "#654321"
        refetched = gazu.client.fetch_one("departments", dept_id)
        assert (refetched["name"], refetched["color"]) == (new_name, "#654321")

        # gazu has no generic model delete: remove_department sends DELETE data/departments/<id>
        assert gazu.person.remove_department(dept_id) == ""
        with pytest.raises(RouteNotFoundException):
            gazu.client.fetch_one("departments", dept_id)
        assert dept_id not in {d["id"] for d in gazu.client.fetch_all("departments")}
    finally:
        _delete_quietly("departments", created["id"])


def test_read_your_writes(admin: dict):
    """A script reads back what it just wrote: the server commits before it answers.

    (With the session dependency's commit running after the response is sent, the next
    request can race it and read the old row; 50 rounds catch that reliably.)
    """
    created = gazu.client.create("departments", {"name": unique("E2E RYW"), "color": "#111111"})
    try:
        for i in range(50):
            name = unique(f"E2E RYW {i}")
            gazu.client.update("departments", created["id"], {"name": name})
            assert gazu.client.fetch_one("departments", created["id"])["name"] == name
            assert gazu.person.get_department_by_name(name)["id"] == created["id"]
    finally:
        _delete_quietly("departments", created["id"])


def test_department_helpers_and_raw_delete(admin: dict):
    name = unique("E2E Helper")
    created = gazu.person.new_department(name, color="#abcdef")
    try:
        assert created["name"] == name
        assert created["color"] == "#abcdef"
        # new_department looks the name up first: a second call returns the same row
        assert gazu.person.new_department(name, color="#abcdef")["id"] == created["id"]
        updated = gazu.person.update_department({"id": created["id"], "archived": True})
        assert updated["archived"] is True
        assert gazu.client.delete(f"data/departments/{created['id']}") == ""
        with pytest.raises(RouteNotFoundException):
            gazu.client.fetch_one("departments", created["id"])
    finally:
        _delete_quietly("departments", created["id"])


def test_fetch_all_paginated_and_fields(admin: dict):
    names = [unique("E2E Page") for _ in range(3)]
    created = [gazu.client.create("departments", {"name": n, "color": "#000000"}) for n in names]
    try:
        everything = gazu.client.fetch_all("departments")
        paged = gazu.client.fetch_all("departments", paginated=True, limit=2)
        assert len(everything) >= 3
        assert sorted(d["id"] for d in paged) == sorted(d["id"] for d in everything)

        slim = gazu.client.fetch_all("departments", fields=["name"])
        ours = [d for d in slim if d["id"] in {c["id"] for c in created}]
        assert sorted(d["name"] for d in ours) == sorted(names)
        assert "color" not in ours[0]
    finally:
        for row in created:
            _delete_quietly("departments", row["id"])


def _delete_quietly(model: str, row_id: str) -> None:
    """Clean up with a fresh admin token, whatever state gazu's client is in.

    Never raises: a cleanup failure must not hide the assertion that failed the test.
    """
    base = gazu.client.get_host()
    try:
        r = httpx.post(f"{base}/auth/login", json={"email": "admin@example.com", "password": PASSWORD})
        token = r.json()["access_token"]
        httpx.delete(f"{base}/data/{model}/{row_id}", headers={"Authorization": f"Bearer {token}"})
    except (httpx.HTTPError, ValueError, KeyError):
        pass
