"""The production team: list, add, set the project role, remove."""

from __future__ import annotations

from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import select, update
from zou_shapes import PERSON_MINIMAL_KEYS

from app.repositories.tables.people import Person
from app.repositories.tables.projects import ProjectPersonLink

MINIMAL_KEYS = PERSON_MINIMAL_KEYS | {"project_role"}
CLIENT_KEYS = {"id", "type", "first_name", "last_name", "full_name", "has_avatar", "active", "role", "is_bot"}


async def team_rows(db, project_id: str) -> dict[str, str | None]:
    t = ProjectPersonLink.__table__
    rows = await db.execute(select(t.c.person_id, t.c.role).where(t.c.project_id == project_id))
    return dict(rows.all())


# --- GET ---------------------------------------------------------------------------------


async def test_team_as_manager_gives_full_people(as_manager, make, people):
    project = await make.project(team=[people["manager"], people["user"]])
    await make.add_to_team(project, people["client"], role="vendor")
    r = await as_manager.get(f"/data/projects/{project['id']}/team")
    assert r.status_code == 200
    rows = {p["id"]: p for p in r.json()}
    assert set(rows) == {people["manager"], people["user"], people["client"]}
    artist = rows[people["user"]]
    assert artist["email"] == "user@example.com"
    assert artist["full_name"] == "User Tester"
    assert artist["type"] == "Person" and artist["departments"] == []
    assert artist["project_role"] is None
    assert rows[people["client"]]["project_role"] == "vendor"
    assert "password" not in artist and "totp_secret" not in artist


async def test_team_as_artist_gives_minimal_people(as_artist, make, people):
    project = await make.project(team=[people["user"], people["manager"]])
    r = await as_artist.get(f"/data/projects/{project['id']}/team")
    assert r.status_code == 200
    assert all(set(p) == MINIMAL_KEYS for p in r.json())


async def test_team_as_project_client_gives_client_view(client_for, make, people):
    project = await make.project()
    await make.add_to_team(project, people["user"], role="client")
    async with client_for(people["user"]) as artist:
        r = await artist.get(f"/data/projects/{project['id']}/team")
    assert r.status_code == 200
    assert [set(p) for p in r.json()] == [CLIENT_KEYS | {"project_role"}]
    assert r.json()[0]["project_role"] == "client"


async def test_team_refusals(as_artist, anon, make):
    project = await make.project()
    assert (await anon.get(f"/data/projects/{project['id']}/team")).status_code == 401
    assert (await as_artist.get(f"/data/projects/{project['id']}/team")).status_code == 403
    assert (await as_artist.get(f"/data/projects/{UNKNOWN}/team")).status_code == 404
    assert (await as_artist.get("/data/projects/bad/team")).status_code == 400


async def test_team_query_count_is_constant(as_admin, make, people, queries):
    project = await make.project(team=[people["user"]])
    queries.reset()
    assert len((await as_admin.get(f"/data/projects/{project['id']}/team")).json()) == 1
    few = queries.count
    await make.add_to_team(project, *(p for role, p in people.items() if role != "user"))
    queries.reset()
    assert len((await as_admin.get(f"/data/projects/{project['id']}/team")).json()) == len(people)
    assert queries.count == few


# --- POST --------------------------------------------------------------------------------


async def test_add_team_member(as_admin, make, db, people):
    project = await make.project()
    r = await as_admin.post(f"/data/projects/{project['id']}/team", json={"person_id": people["user"]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"] == project["id"] and body["type"] == "Project"
    assert "team" not in body
    assert await team_rows(db, project["id"]) == {people["user"]: None}
    assert [e["data"] for e in await events_named(db, "project:update")] == [{"project_id": project["id"]}]
    # again: nothing changes, no event
    r = await as_admin.post(f"/data/projects/{project['id']}/team", json={"person_id": people["user"]})
    assert r.status_code == 201
    assert len(await events_named(db, "project:update")) == 1


async def test_add_team_member_with_a_role_by_a_project_manager(as_manager, make, db, people):
    project = await make.project(team=[people["manager"]])
    r = await as_manager.post(
        f"/data/projects/{project['id']}/team", data={"person_id": people["client"], "role": "supervisor"}
    )
    assert r.status_code == 201, r.text
    assert (await team_rows(db, project["id"]))[people["client"]] == "supervisor"


async def test_add_team_member_refusals(as_admin, as_manager, as_artist, anon, make, db, people):
    project = await make.project(team=[people["user"]])
    url = f"/data/projects/{project['id']}/team"
    assert (await anon.post(url, json={"person_id": people["client"]})).status_code == 401
    assert (await as_artist.post(url, json={"person_id": people["client"]})).status_code == 403
    assert (await as_manager.post(url, json={"person_id": people["client"]})).status_code == 403
    r = await as_admin.post(f"/data/projects/{UNKNOWN}/team", json={"person_id": people["user"]})
    assert r.status_code == 404
    r = await as_admin.post(url, json={})
    assert r.status_code == 400
    assert r.json()["data"] == {"errors": [{"field": "person_id", "message": "Field required"}]}
    r = await as_admin.post(url, json={"person_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (400, f"Person with id {UNKNOWN} not found")
    r = await as_admin.post(url, json={"person_id": people["client"], "role": "admin"})
    assert r.status_code == 400 and r.json()["message"] == "Validation error."
    other = await make.project()
    await db.execute(
        update(Person.__table__).where(Person.__table__.c.id == people["vendor"]).values(preview_project_id=other["id"])
    )
    r = await as_admin.post(url, json={"person_id": people["vendor"]})
    assert (r.status_code, r.json()["message"]) == (400, "A preview account can only belong to its own project")


# --- PUT ---------------------------------------------------------------------------------


async def test_set_team_member_role(as_admin, make, db, people):
    project = await make.project(team=[people["user"]])
    url = f"/data/projects/{project['id']}/team/{people['user']}"
    r = await as_admin.put(url, json={"role": "supervisor"})
    assert r.status_code == 200, r.text
    assert r.json() == {"project_id": project["id"], "person_id": people["user"], "role": "supervisor"}
    assert (await team_rows(db, project["id"]))[people["user"]] == "supervisor"
    assert len(await events_named(db, "project:update")) == 1
    r = await as_admin.put(url, json={})
    assert r.json()["role"] is None
    assert (await team_rows(db, project["id"]))[people["user"]] is None


async def test_set_team_member_role_refusals(as_admin, as_artist, anon, make, people):
    project = await make.project(team=[people["user"]])
    url = f"/data/projects/{project['id']}/team/{people['user']}"
    assert (await anon.put(url, json={"role": "user"})).status_code == 401
    assert (await as_artist.put(url, json={"role": "manager"})).status_code == 403
    assert (await as_admin.put(f"/data/projects/{UNKNOWN}/team/{people['user']}", json={})).status_code == 404
    assert (await as_admin.put(f"/data/projects/{project['id']}/team/bad", json={})).status_code == 400
    r = await as_admin.put(url, json={"role": "boss"})
    assert r.status_code == 400 and r.json()["message"] == "Validation error."
    r = await as_admin.put(f"/data/projects/{project['id']}/team/{people['vendor']}", json={"role": "client"})
    assert (r.status_code, r.json()["message"]) == (400, "Person is not a member of the project team")


# --- DELETE ------------------------------------------------------------------------------


async def test_remove_team_member(as_manager, make, db, people):
    project = await make.project(team=[people["manager"], people["user"]])
    r = await as_manager.delete(f"/data/projects/{project['id']}/team/{people['user']}")
    assert r.status_code == 204
    assert await team_rows(db, project["id"]) == {people["manager"]: None}
    assert len(await events_named(db, "project:update")) == 1
    # not on the team: still 204, the project is saved anyway
    r = await as_manager.delete(f"/data/projects/{project['id']}/team/{UNKNOWN}")
    assert r.status_code == 204


async def test_remove_team_member_refusals(as_admin, as_artist, anon, make, people):
    project = await make.project(team=[people["user"]])
    url = f"/data/projects/{project['id']}/team/{people['user']}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_artist.delete(url)).status_code == 403
    assert (await as_admin.delete(f"/data/projects/{UNKNOWN}/team/{people['user']}")).status_code == 404
    assert (await as_admin.delete(f"/data/projects/{project['id']}/team/bad")).status_code == 400
