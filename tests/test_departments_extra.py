"""Department members and department software licenses."""

from __future__ import annotations

import uuid

import pytest
from helpers import UNKNOWN, add
from sqlalchemy import func, select
from zou_shapes import PERSON_MINIMAL_KEYS

from app.repositories.tables.catalog import Software, SoftwareDepartmentLink
from app.repositories.tables.events import ApiEvent
from app.repositories.tables.people import Department, DepartmentLink, Person

MALFORMED = {"error": True, "message": "Malformed ID.", "data": None}
NON_ADMINS = ["manager", "supervisor", "user", "client", "vendor"]
MINIMAL_KEYS = PERSON_MINIMAL_KEYS


async def department(db, name: str = "Licensing") -> dict:
    return await add(db, Department, name=name, color="#123456")


async def software(db, name: str = "Blender") -> dict:
    return await add(db, Software, name=name, short_name=name[:3].lower(), file_extension=".blend")


async def person(db, first: str, last: str = "Member", **extra) -> dict:
    return await add(db, Person, first_name=first, last_name=last, email=f"{first}.{last}@example.com".lower(), **extra)


async def link(db, department_id: str, software_id: str) -> dict:
    return await add(db, SoftwareDepartmentLink, department_id=department_id, software_id=software_id)


async def event_count(db) -> int:
    return (await db.execute(select(func.count()).select_from(ApiEvent.__table__))).scalar_one()


# --- GET /data/departments/{id}/persons -----------------------------------------


async def test_persons_of_department_admin_sees_full_persons(as_admin, db):
    dept = await department(db)
    other = await department(db, "Other")
    zoe = await person(db, "Zoe", "Adams", phone="555", desktop_login="zadams")
    bob = await person(db, "Bob", "Young")
    ann = await person(db, "Ann", "Zed", active=False)
    await person(db, "Outsider")
    for p in (zoe, bob, ann):
        await add(db, DepartmentLink, person_id=p["id"], department_id=dept["id"])
    await add(db, DepartmentLink, person_id=bob["id"], department_id=other["id"])

    r = await as_admin.get(f"/data/departments/{dept['id']}/persons")

    assert r.status_code == 200, r.text
    rows = r.json()
    assert [p["full_name"] for p in rows] == ["Ann Zed", "Bob Young", "Zoe Adams"]  # inactive included, by name
    assert rows[0]["active"] is False
    zoe_out = rows[2]
    assert zoe_out["email"] == "zoe.adams@example.com"
    assert zoe_out["phone"] == "555"
    assert zoe_out["type"] == "Person"
    assert zoe_out["departments"] == [dept["id"]]
    assert sorted(rows[1]["departments"]) == sorted([dept["id"], other["id"]])
    for secret in ("password", "totp_secret", "jti", "login_failed_attemps", "fido_credentials"):
        assert secret not in zoe_out


@pytest.mark.parametrize("role", NON_ADMINS)
async def test_persons_of_department_minimal_for_non_admins(role, client_for, people, db):
    dept = await department(db)
    zoe = await person(db, "Zoe", "Adams", desktop_login="zadams", role="supervisor")
    await add(db, DepartmentLink, person_id=zoe["id"], department_id=dept["id"])

    async with client_for(people[role]) as client:
        r = await client.get(f"/data/departments/{dept['id']}/persons")

    assert r.status_code == 200, r.text
    assert r.json() == [
        {
            "id": zoe["id"],
            "type": "Person",
            "first_name": "Zoe",
            "last_name": "Adams",
            "full_name": "Zoe Adams",
            "has_avatar": False,
            "active": True,
            "departments": [dept["id"]],
            "studio_id": None,
            "role": "supervisor",
            "desktop_login": "zadams",
            "is_bot": False,
        }
    ]
    assert set(r.json()[0]) == MINIMAL_KEYS


async def test_persons_of_department_empty_and_api_prefix(as_artist, db):
    dept = await department(db)
    r = await as_artist.get(f"/api/data/departments/{dept['id']}/persons")
    assert r.status_code == 200
    assert r.json() == []


async def test_persons_of_department_errors(anon, as_admin, db):
    dept = await department(db)
    assert (await anon.get(f"/data/departments/{dept['id']}/persons")).status_code == 401
    r = await as_admin.get(f"/data/departments/{UNKNOWN}/persons")
    assert r.status_code == 404
    assert r.json()["error"] is True
    r = await as_admin.get("/data/departments/not-an-id/persons")
    assert r.status_code == 400
    assert r.json() == MALFORMED


async def test_persons_of_department_query_count_is_constant(as_manager, db, queries):
    one, many = await department(db, "One"), await department(db, "Many")
    p = await person(db, "Solo")
    await add(db, DepartmentLink, person_id=p["id"], department_id=one["id"])
    for i in range(30):
        q = await person(db, f"Crowd{i:02d}")
        await add(db, DepartmentLink, person_id=q["id"], department_id=many["id"])

    queries.reset()
    r1 = await as_manager.get(f"/data/departments/{one['id']}/persons")
    count_one = queries.count
    queries.reset()
    r2 = await as_manager.get(f"/data/departments/{many['id']}/persons")
    count_many = queries.count

    assert (len(r1.json()), len(r2.json())) == (1, 30)
    assert count_one == count_many


# --- GET /data/departments/software-licenses ------------------------------------


async def test_all_software_licenses(as_admin, db):
    r = await as_admin.get("/data/departments/software-licenses")
    assert r.status_code == 200
    assert r.json() == {}

    d1, d2, d3 = await department(db, "D1"), await department(db, "D2"), await department(db, "D3")
    blender, maya = await software(db, "Blender"), await software(db, "Maya")
    await link(db, d1["id"], blender["id"])
    await link(db, d1["id"], maya["id"])
    await link(db, d2["id"], maya["id"])

    r = await as_admin.get("/data/departments/software-licenses")

    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {d1["id"], d2["id"]}  # d3 holds no license
    assert d3["id"] not in body
    assert sorted(s["name"] for s in body[d1["id"]]) == ["Blender", "Maya"]
    maya_out = body[d2["id"]][0]
    assert maya_out["id"] == maya["id"]
    assert maya_out["type"] == "Software"
    assert maya_out["file_extension"] == ".blend"
    assert maya_out["monthly_cost"] == 0
    assert maya_out["secondary_extensions"] is None


@pytest.mark.parametrize("role", NON_ADMINS)
async def test_all_software_licenses_admin_only(role, client_for, people):
    async with client_for(people[role]) as client:
        r = await client.get("/data/departments/software-licenses")
    assert r.status_code == 403
    assert r.json()["error"] is True


async def test_all_software_licenses_needs_token(anon):
    assert (await anon.get("/data/departments/software-licenses")).status_code == 401


async def test_all_software_licenses_query_count_is_constant(as_admin, db, queries):
    d = await department(db)
    await link(db, d["id"], (await software(db, "Solo"))["id"])
    queries.reset()
    r1 = await as_admin.get("/data/departments/software-licenses")
    count_one = queries.count

    for i in range(20):
        other = await department(db, f"Dep{i}")
        s = await software(db, f"Soft{i}")
        await link(db, other["id"], s["id"])
        await link(db, d["id"], s["id"])
    queries.reset()
    r2 = await as_admin.get("/data/departments/software-licenses")
    count_many = queries.count

    assert len(r1.json()) == 1 and len(r2.json()) == 21
    assert len(r2.json()[d["id"]]) == 21
    assert count_one == count_many


# --- GET /data/departments/{id}/software-licenses/{software_id} ------------------


async def test_get_software_license(as_admin, db):
    d = await department(db)
    s = await software(db)
    unlinked = await software(db, "Houdini")
    await link(db, d["id"], s["id"])

    r = await as_admin.get(f"/data/departments/{d['id']}/software-licenses/{s['id']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == s["id"]
    assert body["name"] == "Blender"
    assert body["type"] == "Software"

    assert (await as_admin.get(f"/data/departments/{d['id']}/software-licenses/{unlinked['id']}")).status_code == 404
    assert (await as_admin.get(f"/data/departments/{UNKNOWN}/software-licenses/{s['id']}")).status_code == 404
    assert (await as_admin.get(f"/data/departments/{d['id']}/software-licenses/{UNKNOWN}")).status_code == 404
    r = await as_admin.get(f"/data/departments/{d['id']}/software-licenses/bad")
    assert (r.status_code, r.json()) == (400, MALFORMED)


async def test_get_software_license_permissions(anon, as_manager, db):
    d = await department(db)
    s = await software(db)
    await link(db, d["id"], s["id"])
    assert (await anon.get(f"/data/departments/{d['id']}/software-licenses/{s['id']}")).status_code == 401
    assert (await as_manager.get(f"/data/departments/{d['id']}/software-licenses/{s['id']}")).status_code == 403


async def test_software_licenses_of_one_department_has_no_get(as_admin, db):
    d = await department(db)
    assert (await as_admin.get(f"/data/departments/{d['id']}/software-licenses")).status_code == 405


# --- POST /data/departments/{id}/software-licenses ------------------------------


async def test_add_software_license_get_or_create(as_admin, db):
    d = await department(db)
    s = await software(db)
    before = await event_count(db)

    r = await as_admin.post(f"/data/departments/{d['id']}/software-licenses", json={"software_id": s["id"]})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["department_id"] == d["id"]
    assert created["software_id"] == s["id"]
    assert created["type"] == "SoftwareDepartmentLink"
    assert {"id", "created_at", "updated_at"} <= set(created)

    again = await as_admin.post(f"/data/departments/{d['id']}/software-licenses", json={"software_id": s["id"]})
    assert again.status_code == 201
    assert again.json() == created

    stmt = select(func.count()).select_from(SoftwareDepartmentLink.__table__)
    assert (await db.execute(stmt)).scalar_one() == 1
    assert await event_count(db) == before  # Zou emits nothing for licenses


async def test_add_software_license_from_form_values(as_admin, db):
    d = await department(db)
    s = await software(db)
    r = await as_admin.post(f"/data/departments/{d['id']}/software-licenses", data={"software_id": s["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["software_id"] == s["id"]


async def test_add_software_license_validation(as_admin, db):
    d = await department(db)
    url = f"/data/departments/{d['id']}/software-licenses"
    r = await as_admin.post(url, json={})
    assert r.status_code == 400
    assert r.json() == {
        "error": True,
        "message": "Validation error.",
        "data": {"errors": [{"field": "software_id", "message": "Field required"}]},
    }
    r = await as_admin.post(url)
    assert r.status_code == 400
    assert r.json()["data"]["errors"][0]["field"] == "software_id"
    r = await as_admin.post(url, json={"software_id": "abc"})
    assert r.status_code == 400
    assert r.json()["message"] == "Validation error."
    assert r.json()["data"]["errors"][0]["message"].startswith("Input should be a valid UUID")


async def test_add_software_license_not_found_and_malformed(as_admin, db):
    d = await department(db)
    s = await software(db)
    r = await as_admin.post(f"/data/departments/{d['id']}/software-licenses", json={"software_id": UNKNOWN})
    assert r.status_code == 404
    r = await as_admin.post(f"/data/departments/{UNKNOWN}/software-licenses", json={"software_id": s["id"]})
    assert r.status_code == 404
    r = await as_admin.post("/data/departments/bad/software-licenses", json={"software_id": s["id"]})
    assert (r.status_code, r.json()) == (400, MALFORMED)


@pytest.mark.parametrize("role", NON_ADMINS)
async def test_add_software_license_admin_only(role, client_for, people, db):
    d = await department(db)
    s = await software(db)
    async with client_for(people[role]) as client:
        r = await client.post(f"/data/departments/{d['id']}/software-licenses", json={"software_id": s["id"]})
        assert r.status_code == 403
        # the permission is checked before the body
        r = await client.post(f"/data/departments/{d['id']}/software-licenses", json={})
        assert r.status_code == 403


async def test_add_software_license_needs_token(anon, db):
    d = await department(db)
    s = await software(db)
    r = await anon.post(f"/data/departments/{d['id']}/software-licenses", json={"software_id": s["id"]})
    assert r.status_code == 401


# --- DELETE /data/departments/{id}/software-licenses/{software_id} --------------


async def test_remove_software_license(as_admin, db):
    d = await department(db)
    s = await software(db)
    kept = await software(db, "Maya")
    await link(db, d["id"], s["id"])
    await link(db, d["id"], kept["id"])

    r = await as_admin.delete(f"/data/departments/{d['id']}/software-licenses/{s['id']}")
    assert r.status_code == 204
    assert r.content == b""
    rows = (await db.execute(select(SoftwareDepartmentLink.__table__.c.software_id))).scalars().all()
    assert rows == [kept["id"]]

    # idempotent
    r = await as_admin.delete(f"/data/departments/{d['id']}/software-licenses/{s['id']}")
    assert r.status_code == 204


async def test_remove_software_license_errors(anon, as_admin, as_manager, db):
    d = await department(db)
    s = await software(db)
    await link(db, d["id"], s["id"])
    url = f"/data/departments/{d['id']}/software-licenses/{s['id']}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_manager.delete(url)).status_code == 403
    assert (await as_admin.delete(f"/data/departments/{d['id']}/software-licenses/{UNKNOWN}")).status_code == 404
    assert (await as_admin.delete(f"/data/departments/{UNKNOWN}/software-licenses/{s['id']}")).status_code == 404
    r = await as_admin.delete(f"/data/departments/{d['id']}/software-licenses/{uuid.uuid4().hex[:5]}")
    assert (r.status_code, r.json()) == (400, MALFORMED)
    # nothing was removed by the refused calls
    stmt = select(func.count()).select_from(SoftwareDepartmentLink.__table__)
    assert (await db.execute(stmt)).scalar_one() == 1
