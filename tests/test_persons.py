"""`/data/persons`: per-role shapes, validation, API tokens, self-service updates, deletion."""

from __future__ import annotations

import uuid

import pytest
from zou_shapes import PERSON_MINIMAL_KEYS

UNKNOWN = "00000000-0000-4000-8000-000000000000"
MINIMAL = PERSON_MINIMAL_KEYS
SECRETS = {"password", "totp_secret", "jti", "otp_recovery_codes", "login_failed_attemps", "email_otp_secret"}


def email() -> str:
    return f"p{uuid.uuid4().hex[:10]}@example.com"


async def new_person(client, **extra):
    body = {"first_name": "Jane", "last_name": "Doe", "email": email(), **extra}
    r = await client.post("/data/persons", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_create_person_defaults_and_no_secrets(as_admin):
    dept = (await as_admin.get("/data/departments")).json()[0]["id"]
    row = await new_person(as_admin, password="s3cret-pass", departments=[dept], email="Jane.DOE.x@Example.com")
    assert row["email"] == "jane.doe.x@example.com"
    assert row["full_name"] == "Jane Doe" and row["type"] == "Person"
    assert row["role"] == "user" and row["active"] is True and row["contract_type"] == "open-ended"
    assert row["timezone"] == "Europe/Paris" and row["locale"] == "en_US"
    assert row["departments"] == [dept]
    assert not SECRETS & set(row)
    assert "access_token" not in row


async def test_create_person_validation(as_admin):
    taken = await new_person(as_admin)
    cases = [
        ({"role": "boss"}, "Invalid role"),
        ({"contract_type": "forever"}, "Invalid contract_type"),
        ({"email": taken["email"].upper()}, "Email already in use."),
        ({"email": "not-an-email"}, None),
        ({"expiration_date": "2000-01-01"}, "Expiration date can't be in the past."),
        ({"expiration_date": "soon"}, None),
        ({"country": "France"}, None),
        ({"display_date_format": "YY"}, None),
    ]
    for extra, message in cases:
        body = {"first_name": "A", "last_name": "B", "email": email(), **extra}
        r = await as_admin.post("/data/persons", json=body)
        assert r.status_code == 400, (extra, r.text)
        if message:
            assert r.json()["message"] == message
    r = await as_admin.post("/data/persons", json={"first_name": "A", "email": email()})
    assert r.status_code == 400


async def test_bot_gets_an_api_token_that_works(as_admin, anon):
    bot = await new_person(as_admin, is_bot=True, role="manager", expiration_date="2099-12-31")
    token = bot["access_token"]
    r = await anon.get("/data/persons", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    # a new expiration date re-issues the token and kills the old one
    r = await as_admin.put(f"/data/persons/{bot['id']}", json={"expiration_date": None})
    assert r.status_code == 200 and r.json()["access_token"] != token
    r = await anon.get("/data/persons", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


async def test_list_shapes_per_role(as_admin, as_manager, as_artist, as_vendor, people):
    full = (await as_admin.get("/data/persons")).json()
    assert {"email", "phone", "daily_salary"} <= set(full[0]) and not SECRETS & set(full[0])
    for client in (as_manager, as_artist, as_vendor):
        rows = (await client.get("/data/persons")).json()
        assert rows and all(set(r) == MINIMAL for r in rows)
    # managers see the full record of one person, artists the minimal one
    one = (await as_manager.get(f"/data/persons/{people['user']}")).json()
    assert one["email"] == "user@example.com"
    one = (await as_artist.get(f"/data/persons/{people['manager']}")).json()
    assert set(one) == MINIMAL


async def test_departments_relation(as_admin, as_artist):
    dept = (await as_admin.get("/data/departments")).json()[0]["id"]
    row = await new_person(as_admin, departments=[dept])
    plain = (await as_artist.get("/data/persons", params={"id": row["id"]})).json()[0]
    assert plain["departments"] == []
    rel = (await as_artist.get("/data/persons", params={"id": row["id"], "relations": "true"})).json()[0]
    assert rel["departments"] == [dept]
    by_dept = (await as_admin.get("/data/persons", params={"departments": dept})).json()
    assert row["id"] in [p["id"] for p in by_dept]


async def test_filters_per_role(as_admin, as_artist):
    r = await as_artist.get("/data/persons", params={"phone": "1"})
    assert r.status_code == 400 and r.json()["message"] == "Filtering on phone is not allowed."
    r = await as_admin.get("/data/persons", params={"password": "x"})
    assert r.status_code == 400
    r = await as_artist.get("/data/persons", params={"email": "USER@example.com"})
    assert r.status_code == 200 and [p["role"] for p in r.json()] == ["user"]


async def test_client_sees_only_its_open_projects_teams(as_client, as_admin, people):
    r = await as_client.get("/data/persons")
    assert r.status_code == 200 and r.json() == []
    r = await as_client.get(f"/data/persons/{people['user']}")
    assert r.status_code == 403


async def test_self_service_update(as_artist, as_admin, people):
    me = people["user"]
    r = await as_artist.put(f"/data/persons/{me}", json={"phone": "+33 1 23", "role": "admin", "active": False})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["phone"] == "+33 1 23" and out["role"] == "user" and out["active"] is True
    r = await as_artist.put(f"/data/persons/{people['manager']}", json={"phone": "0"})
    assert r.status_code == 403
    r = await as_admin.put(f"/data/persons/{me}", json={"role": "supervisor"})
    assert r.status_code == 200 and r.json()["role"] == "supervisor"
    r = await as_admin.put(f"/data/persons/{me}", json={"role": "wizard"})
    assert r.status_code == 400 and r.json()["message"] == "Invalid role"


async def test_password_is_hashed_and_usable(as_admin, anon):
    row = await new_person(as_admin, password="correct horse battery")
    r = await anon.post("/auth/login", json={"email": row["email"], "password": "correct horse battery"})
    assert r.status_code == 200 and r.json()["user"]["id"] == row["id"]


async def test_delete_rules(as_admin, people):
    r = await as_admin.delete(f"/data/persons/{people['admin']}")
    assert r.status_code == 403
    row = await new_person(as_admin, departments=[(await as_admin.get("/data/departments")).json()[0]["id"]])
    r = await as_admin.delete(f"/data/persons/{row['id']}")
    assert r.status_code == 400 and r.json()["message"] == "Some data are still linked to given person."
    r = await as_admin.delete(f"/data/persons/{row['id']}?force=true")
    assert r.status_code == 204
    assert (await as_admin.get(f"/data/persons/{row['id']}")).status_code == 404
    plain = await new_person(as_admin)
    assert (await as_admin.delete(f"/data/persons/{plain['id']}")).status_code == 204


@pytest.mark.parametrize("role", ["manager", "supervisor", "user", "client", "vendor"])
async def test_only_admins_create_and_delete(client_for, people, role):
    client = client_for(people[role])
    r = await client.post("/data/persons", json={"first_name": "A", "last_name": "B", "email": email()})
    assert r.status_code == 403
    r = await client.delete(f"/data/persons/{people['admin']}")
    assert r.status_code == 403


async def test_person_errors(as_admin, anon):
    assert (await anon.get("/data/persons")).status_code == 401
    assert (await as_admin.get(f"/data/persons/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/persons/123")).status_code == 400
    r = await as_admin.post("/data/persons", json={"first_name": "A", "last_name": "B", "bogus": True})
    assert r.status_code == 400 and "bogus" in r.json()["message"]


async def test_person_list_query_count(as_admin, queries):
    queries.reset()
    await as_admin.get("/data/persons?relations=true")
    few = queries.count
    for _ in range(10):
        await new_person(as_admin)
    queries.reset()
    rows = (await as_admin.get("/data/persons?relations=true")).json()
    assert len(rows) > 10 and queries.count == few


async def test_deactivation_ends_sessions(as_admin, client_for):
    import asyncio

    row = await new_person(as_admin)
    async with client_for(row["id"]) as person:
        await asyncio.sleep(1.1)  # token times are whole seconds: the cut-off must be later than the token
        assert (await person.get("/auth/authenticated")).status_code == 200
        r = await as_admin.put(f"/data/persons/{row['id']}", json={"active": False})
        assert r.status_code == 200 and r.json()["active"] is False
        assert (await person.get("/auth/authenticated")).status_code == 401
        await as_admin.put(f"/data/persons/{row['id']}", json={"active": True})
        assert (await person.get("/auth/authenticated")).status_code == 401
