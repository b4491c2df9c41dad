"""File catalogues: file statuses and softwares (CRUD registry), the softwares of a production's
task types, and the production's preview account."""

from __future__ import annotations

from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select

from app.repositories.tables.catalog import Software
from app.repositories.tables.files import OutputFile
from app.repositories.tables.people import Person
from app.repositories.tables.projects import ProjectPersonLink, ProjectTaskTypeLink, ProjectTaskTypeSoftwareLink

FORBIDDEN = (
    "You don't have the permission to access the requested resource. "
    "It is either read-protected or not readable by the server."
)
MALFORMED = {"error": True, "message": "Malformed ID.", "data": None}

# --- file statuses ---------------------------------------------------------------------


async def test_file_status_crud(as_admin, as_manager, as_client, as_vendor, anon, db, queries):
    r = await as_admin.post("/data/file-status", json={"name": "To review", "color": "#FF0000"})
    assert r.status_code == 201, r.text
    status = r.json()
    assert list(status) == ["name", "color", "id", "created_at", "updated_at", "type"]
    assert status["name"] == "To review" and status["color"] == "#FF0000" and status["type"] == "FileStatus"
    [event] = await events_named(db, "file-status:new")
    assert event["data"] == {"file_status_id": status["id"]}

    # every logged-in person reads, in a fixed number of queries whatever the row count
    queries.reset()
    r = await as_client.get("/data/file-status")
    assert r.status_code == 200 and [s["name"] for s in r.json()] == ["To review"]
    one = queries.count
    for i in range(20):
        await as_admin.post("/data/file-status", json={"name": f"Status {i}", "color": "#000000"})
    queries.reset()
    r = await as_vendor.get("/data/file-status")
    assert r.status_code == 200 and len(r.json()) == 21 and queries.count == one
    r = await as_vendor.get(f"/data/file-status/{status['id']}")
    assert r.status_code == 200 and r.json() == status
    r = await as_client.get("/data/file-status", params={"name": "to review"})
    assert [s["id"] for s in r.json()] == [status["id"]]

    r = await as_admin.put(f"/data/file-status/{status['id']}", json={"color": "#00FF00", "unknown": 1})
    assert r.status_code == 200 and r.json()["color"] == "#00FF00" and r.json()["name"] == "To review"
    [event] = await events_named(db, "file-status:update")
    assert event["data"] == {"file_status_id": status["id"]}

    # errors
    assert (await anon.get("/data/file-status")).status_code == 401
    assert (await anon.post("/data/file-status", json={"name": "x", "color": "#000000"})).status_code == 401
    r = await as_manager.post("/data/file-status", json={"name": "x", "color": "#000000"})
    assert r.status_code == 403 and r.json()["message"] == FORBIDDEN
    assert (await as_manager.put(f"/data/file-status/{status['id']}", json={"color": "#000000"})).status_code == 403
    assert (await as_manager.delete(f"/data/file-status/{status['id']}")).status_code == 403
    r = await as_admin.post("/data/file-status", json={"name": "To review", "color": "#FF0000"})
    assert r.status_code == 400 and r.json() == {"message": "A record with the same unique values already exists."}
    assert (await as_admin.post("/data/file-status", json={"name": "No color"})).status_code == 400
    assert (await as_admin.post("/data/file-status", json={"name": "Long", "color": "#FF00001"})).status_code == 400
    assert (await as_admin.post("/data/file-status", json={"name": "x", "color": "#0", "foo": 1})).status_code == 400
    assert (await as_admin.put(f"/data/file-status/{status['id']}", json={"color": "#FF00001"})).status_code == 400
    assert (await as_admin.get(f"/data/file-status/{UNKNOWN}")).status_code == 404
    assert (await as_admin.put(f"/data/file-status/{UNKNOWN}", json={})).status_code == 404
    assert (await as_admin.delete(f"/data/file-status/{UNKNOWN}")).status_code == 404
    r = await as_admin.get("/data/file-status/bad")
    assert r.status_code == 400 and r.json() == MALFORMED
    assert (await as_admin.delete("/data/file-status/bad")).status_code == 400

    r = await as_admin.delete(f"/data/file-status/{status['id']}")
    assert r.status_code == 204
    [event] = await events_named(db, "file-status:delete")
    assert event["data"] == {"file_status_id": status["id"]}
    assert (await as_admin.get(f"/data/file-status/{status['id']}")).status_code == 404


async def test_file_status_in_use_is_not_deleted(as_admin, make, db):
    project = await make.project()
    asset = await make.asset(project)
    status = (await as_admin.post("/data/file-status", json={"name": "Used", "color": "#000000"})).json()
    await add(db, OutputFile, name="out", revision=1, file_status_id=status["id"], entity_id=asset["id"])
    r = await as_admin.delete(f"/data/file-status/{status['id']}")
    assert r.status_code == 400 and r.json() == {"message": "The change conflicts with records referencing this one."}
    assert (await as_admin.get(f"/data/file-status/{status['id']}")).status_code == 200


# --- softwares -------------------------------------------------------------------------


async def test_software_crud(as_admin, as_manager, as_artist, as_client, anon, db, queries):
    body = {"name": "Maya", "short_name": "ma", "file_extension": "ma", "secondary_extensions": ["mb"]}
    r = await as_admin.post("/data/softwares", json=body)
    assert r.status_code == 201, r.text
    software = r.json()
    assert list(software) == [
        "name",
        "short_name",
        "archived",
        "version",
        "file_extension",
        "secondary_extensions",
        "monthly_cost",
        "inventory_amount",
        "id",
        "created_at",
        "updated_at",
        "type",
    ]
    assert software["archived"] is False and software["version"] is None and software["monthly_cost"] == 0
    assert software["secondary_extensions"] == ["mb"] and software["type"] == "Software"
    [event] = await events_named(db, "software:new")
    assert event["data"] == {"software_id": software["id"]}

    queries.reset()
    r = await as_client.get("/data/softwares")
    assert r.status_code == 200 and [s["name"] for s in r.json()] == ["Maya"]
    one = queries.count
    for i in range(20):
        await as_admin.post("/data/softwares", json={"name": f"Soft {i}", "short_name": "s", "file_extension": "s"})
    queries.reset()
    r = await as_artist.get("/data/softwares")
    assert r.status_code == 200 and len(r.json()) == 21 and queries.count == one
    r = await as_client.get(f"/data/softwares/{software['id']}")
    assert r.status_code == 200 and r.json() == software

    # names are unique as written (another case is another software, as in Zou)
    r = await as_admin.post("/data/softwares", json=body)
    assert r.status_code == 400 and r.json() == {"message": "A record with the same unique values already exists."}
    r = await as_admin.post("/data/softwares", json={**body, "name": "MAYA"})
    assert r.status_code == 201
    # file_extension is required; wrong types are refused
    assert (await as_admin.post("/data/softwares", json={"name": "Nuke", "short_name": "nk"})).status_code == 400
    r = await as_admin.post(
        "/data/softwares", json={"name": "Nuke", "short_name": "nk", "file_extension": "nk", "monthly_cost": "x"}
    )
    assert r.status_code == 400
    assert (await as_admin.post("/data/softwares", content=b"{not json")).status_code == 400

    r = await as_admin.put(f"/data/softwares/{software['id']}", json={"version": "2025", "archived": True})
    assert r.status_code == 200 and r.json()["version"] == "2025" and r.json()["archived"] is True
    [event] = await events_named(db, "software:update")
    assert event["data"] == {"software_id": software["id"]}

    assert (await anon.get("/data/softwares")).status_code == 401
    assert (await anon.get(f"/data/softwares/{software['id']}")).status_code == 401
    assert (await as_manager.post("/data/softwares", json={**body, "name": "Blender"})).status_code == 403
    assert (await as_manager.put(f"/data/softwares/{software['id']}", json={"version": "1"})).status_code == 403
    assert (await as_artist.delete(f"/data/softwares/{software['id']}")).status_code == 403
    assert (await as_admin.get(f"/data/softwares/{UNKNOWN}")).status_code == 404
    assert (await as_admin.put(f"/data/softwares/{UNKNOWN}", json={})).status_code == 404
    assert (await as_admin.delete(f"/data/softwares/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/softwares/bad")).json() == MALFORMED
    assert (await as_admin.put("/data/softwares/bad", json={})).status_code == 400

    r = await as_admin.delete(f"/data/softwares/{software['id']}")
    assert r.status_code == 204
    [event] = await events_named(db, "software:delete")
    assert event["data"] == {"software_id": software["id"]}


async def test_software_with_licences_is_not_deleted(as_admin, make):
    department = await make.department()
    software = (
        await as_admin.post("/data/softwares", json={"name": "Houdini", "short_name": "h", "file_extension": "hip"})
    ).json()
    r = await as_admin.post(
        f"/data/departments/{department['id']}/software-licenses", json={"software_id": software["id"]}
    )
    assert r.status_code == 201, r.text
    r = await as_admin.delete(f"/data/softwares/{software['id']}")
    assert r.status_code == 400 and r.json() == {"message": "The change conflicts with records referencing this one."}


# --- task-type softwares ---------------------------------------------------------------


async def production(make, people, db):
    team = [people[role] for role in ("manager", "supervisor", "user", "client", "vendor")]
    project = await make.project(team=team)
    task_type = await make.task_type()
    await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=task_type["id"])
    software = await add(db, Software, name="Blender", short_name="bl", file_extension="blend")
    return project, task_type, software


def link_url(project, task_type, software=None):
    url = f"/data/projects/{project['id']}/task-types/{task_type['id']}/softwares"
    return url if software is None else f"{url}/{software['id']}"


async def test_task_type_softwares(as_admin, as_manager, as_artist, as_client, make, people, db, queries):
    project, task_type, software = await production(make, people, db)
    expected = {"project_id": project["id"], "task_type_id": task_type["id"], "software_id": software["id"]}
    r = await as_manager.post(link_url(project, task_type), json={"software_id": software["id"]})
    assert r.status_code == 201, r.text
    assert r.json() == expected and list(r.json()) == ["project_id", "task_type_id", "software_id"]
    [event] = await events_named(db, "project:update")
    assert event["data"] == {"project_id": project["id"]} and event["project_id"] == project["id"]
    # an existing link is answered as is, without a new event
    r = await as_admin.post(link_url(project, task_type), json={"software_id": software["id"]})
    assert r.status_code == 201 and r.json() == expected
    assert len(await events_named(db, "project:update")) == 1

    queries.reset()
    r = await as_client.get(f"/data/projects/{project['id']}/task-type-softwares")
    assert r.status_code == 200 and r.json() == [expected]
    one = queries.count
    others = []
    for i in range(10):
        other = await add(db, Software, name=f"Soft {i}", short_name="s", file_extension="s")
        others.append(other["id"])
        await add(
            db,
            ProjectTaskTypeSoftwareLink,
            project_id=project["id"],
            task_type_id=task_type["id"],
            software_id=other["id"],
        )
    queries.reset()
    r = await as_artist.get(f"/data/projects/{project['id']}/task-type-softwares")
    assert r.status_code == 200 and len(r.json()) == 11 and queries.count == one
    assert [link["software_id"] for link in r.json()] == sorted([software["id"], *others])

    r = await as_manager.delete(link_url(project, task_type, software))
    assert r.status_code == 204
    assert len(await events_named(db, "project:update")) == 2
    r = await as_admin.get(f"/data/projects/{project['id']}/task-type-softwares")
    assert software["id"] not in [link["software_id"] for link in r.json()]
    # removing a link that is not there is a no-op
    assert (await as_manager.delete(link_url(project, task_type, software))).status_code == 204
    assert len(await events_named(db, "project:update")) == 2


async def test_task_type_softwares_rules(
    as_admin, as_manager, as_supervisor, as_artist, as_client, as_vendor, anon, make, people, db
):
    project, task_type, software = await production(make, people, db)
    body = {"software_id": software["id"]}
    url = link_url(project, task_type)
    # reading: the project's members
    assert (await anon.get(f"/data/projects/{project['id']}/task-type-softwares")).status_code == 401
    outsider = await make.project()
    assert (await as_artist.get(f"/data/projects/{outsider['id']}/task-type-softwares")).status_code == 403
    assert (await as_artist.get(f"/data/projects/{UNKNOWN}/task-type-softwares")).status_code == 404
    r = await as_artist.get("/data/projects/bad/task-type-softwares")
    assert r.status_code == 400 and r.json() == MALFORMED

    # writing: managers and supervisors of the project
    assert (await anon.post(url, json=body)).status_code == 401
    for client in (as_artist, as_client, as_vendor):
        r = await client.post(url, json=body)
        assert r.status_code == 403 and r.json()["message"] == FORBIDDEN
        assert (await client.delete(link_url(project, task_type, software))).status_code == 403
    assert (await as_supervisor.post(url, json=body)).status_code == 201
    assert (await as_supervisor.delete(link_url(project, task_type, software))).status_code == 204
    # a supervisor with departments: only for the task types of their departments
    department = await make.department(members=[people["supervisor"]])
    assert (await as_supervisor.post(url, json=body)).status_code == 403
    mine = await make.task_type(department_id=department["id"])
    await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=mine["id"])
    assert (await as_supervisor.post(link_url(project, mine), json=body)).status_code == 201
    assert (await as_supervisor.post(link_url(project, {"id": UNKNOWN}), json=body)).status_code == 404
    # a manager of another project may not
    assert (await as_manager.post(link_url(outsider, task_type), json=body)).status_code == 403

    # bodies and ids
    r = await as_admin.post(url, json={})
    assert r.status_code == 400
    assert r.json() == {
        "error": True,
        "message": "Validation error.",
        "data": {"errors": [{"field": "software_id", "message": "Field required"}]},
    }
    assert (await as_admin.post(url, json={"software_id": ""})).status_code == 400
    assert (await as_admin.post(url, json={"software_id": 5})).status_code == 400
    r = await as_admin.post(url, json={"software_id": "bad"})
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "task_type_id and software_id must be valid UUIDs.", "data": None}
    assert (await as_admin.post(url, json={"software_id": UNKNOWN})).status_code == 404
    assert (await as_admin.post(link_url({"id": UNKNOWN}, task_type), json=body)).status_code == 404
    assert (await as_admin.post(link_url({"id": "bad"}, task_type), json=body)).json() == MALFORMED
    assert (await as_admin.post(link_url(project, {"id": "bad"}), json=body)).json() == MALFORMED
    assert (await as_admin.delete(link_url(project, task_type, {"id": "bad"}))).json() == MALFORMED
    assert (await as_admin.delete(link_url({"id": UNKNOWN}, task_type, software))).status_code == 404
    r = await as_admin.post(link_url(project, await make.task_type()), json=body)
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "The task type is not a task type of the project.", "data": None}
    archived = await add(db, Software, name="Old", short_name="o", file_extension="o", archived=True)
    r = await as_admin.post(url, json={"software_id": archived["id"]})
    assert r.status_code == 400 and r.json()["message"] == "The software is archived."


async def test_deleting_a_software_drops_its_task_type_links(as_admin, make, people, db):
    project, task_type, software = await production(make, people, db)
    assert (await as_admin.post(link_url(project, task_type), json={"software_id": software["id"]})).status_code == 201
    assert (await as_admin.delete(f"/data/softwares/{software['id']}")).status_code == 204
    assert (await as_admin.get(f"/data/projects/{project['id']}/task-type-softwares")).json() == []


# --- preview account -------------------------------------------------------------------


def account_url(project) -> str:
    return f"/data/projects/{project['id']}/preview-account"


async def test_preview_account_lifecycle(as_admin, as_manager, anon, make, people, db, app):
    project = await make.project("Big Movie", team=[people["manager"]])
    url = account_url(project)
    r = await as_manager.get(url)
    assert r.status_code == 200 and r.json() is None

    r = await as_manager.post(url)
    assert r.status_code == 201, r.text
    account = r.json()
    assert list(account) == ["id", "email", "full_name", "preview_open_until", "password"]
    assert account["full_name"] == "Preview Big Movie" and account["preview_open_until"] is None
    assert account["email"].startswith("preview-") and account["email"].endswith("@preview.kitsu.invalid")
    assert len(account["password"]) == 16
    person = (await db.execute(select(Person.__table__).where(Person.__table__.c.id == account["id"]))).mappings().one()
    assert person["role"] == "client" and person["preview_project_id"] == project["id"]
    team = ProjectPersonLink.__table__
    on_team = select(team).where(team.c.project_id == project["id"], team.c.person_id == account["id"])
    assert (await db.execute(on_team)).first() is not None
    assert len(await events_named(db, "project:update")) == 1

    shown = {k: v for k, v in account.items() if k != "password"}
    assert (await as_manager.get(url)).json() == shown

    # the window is closed: the account cannot log in
    login = {"email": account["email"], "password": account["password"]}
    assert (await anon.post("/auth/login", json=login)).status_code != 200

    r = await as_manager.put(url, json={"is_open": True})
    assert r.status_code == 200
    opened = r.json()
    assert opened["id"] == account["id"] and opened["preview_open_until"] is not None
    r = await anon.post("/auth/login", json=login)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["id"] == account["id"]
    # re-opening extends the window without moving its start
    first = (
        await db.execute(select(Person.__table__.c.preview_opened_at).where(Person.__table__.c.id == account["id"]))
    ).scalar()
    r = await as_manager.put(url, json={"is_open": "yes"})
    assert r.status_code == 200 and r.json()["preview_open_until"] >= opened["preview_open_until"]
    again = (
        await db.execute(select(Person.__table__.c.preview_opened_at).where(Person.__table__.c.id == account["id"]))
    ).scalar()
    assert again == first

    # a reset gives a new password and closes the window
    r = await as_admin.post(url)
    assert r.status_code == 201
    reset = r.json()
    assert reset["id"] == account["id"] and reset["password"] != account["password"]
    assert reset["preview_open_until"] is None
    assert len(await events_named(db, "project:update")) == 1

    r = await as_manager.put(url, json={"is_open": True})
    r = await as_manager.put(url, json={"is_open": False})
    assert r.status_code == 200 and r.json()["preview_open_until"] is None

    r = await as_manager.delete(url)
    assert r.status_code == 204
    assert (await as_manager.get(url)).json() is None
    gone = select(Person.__table__.c.id).where(Person.__table__.c.id == account["id"])
    assert (await db.execute(gone)).first() is None
    [event] = await events_named(db, "person:delete")
    assert event["data"] == {"person_id": account["id"]}
    # deleting when there is none is fine
    assert (await as_manager.delete(url)).status_code == 204


async def test_preview_account_rules(
    as_admin, as_manager, as_supervisor, as_artist, as_client, anon, make, people, app
):
    project = await make.project(team=[people["manager"], people["supervisor"], people["user"], people["client"]])
    url = account_url(project)
    for method in ("get", "post", "delete"):
        assert (await getattr(anon, method)(url)).status_code == 401
        for client in (as_supervisor, as_artist, as_client):
            r = await getattr(client, method)(url)
            assert r.status_code == 403 and r.json()["message"] == FORBIDDEN
    assert (await anon.put(url, json={"is_open": True})).status_code == 401
    assert (await as_supervisor.put(url, json={"is_open": True})).status_code == 403
    # a manager of another project may not
    other = await make.project()
    assert (await as_manager.get(account_url(other))).status_code == 403
    assert (await as_manager.post(account_url(other))).status_code == 403

    # no account yet: opening it is a 404 naming it
    r = await as_manager.put(url, json={"is_open": True})
    assert r.status_code == 404
    assert r.json() == {"error": True, "message": "404 Not Found: No preview account for this project"}
    # the body is checked first
    r = await as_manager.put(url, json={})
    assert r.status_code == 400
    assert r.json()["data"] == {"errors": [{"field": "is_open", "message": "Field required"}]}
    assert (await as_manager.put(url, json={"is_open": "maybe"})).status_code == 400
    assert (await as_artist.put(url, json={})).status_code == 400

    for method in ("get", "post", "delete"):
        assert (await getattr(as_admin, method)(account_url({"id": UNKNOWN}))).status_code == 404
        r = await getattr(as_admin, method)(account_url({"id": "bad"}))
        assert r.status_code == 400 and r.json() == MALFORMED
    assert (await as_admin.put(account_url({"id": UNKNOWN}), json={"is_open": True})).status_code == 404

    # servers without preview accounts refuse to create one
    app.state.settings = app.state.settings.model_copy(update={"preview_accounts_enabled": False})
    r = await as_admin.post(url)
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Preview accounts require the local authentication strategy"}
    assert (await as_admin.get(url)).json() is None


# --- bad input never makes a 500 ---------------------------------------------------------

BAD_BODIES = (
    b"{not json",
    b"[1, 2]",
    b'"text"',
    b"{}",
    b'{"name": 123, "color": [], "software_id": {"a": 1}, "is_open": [1], "file_extension": 5, "archived": "x"}',
)


async def test_bad_input_never_fails(as_admin, make, people, db):
    project, task_type, software = await production(make, people, db)
    status = (await as_admin.post("/data/file-status", json={"name": "S", "color": "#000000"})).json()
    routes = [
        ("POST", "/data/file-status"),
        ("PUT", f"/data/file-status/{status['id']}"),
        ("POST", "/data/softwares"),
        ("PUT", f"/data/softwares/{software['id']}"),
        ("POST", link_url(project, task_type)),
        ("POST", account_url(project)),
        ("PUT", account_url(project)),
    ]
    for method, url in routes:
        for body in BAD_BODIES:
            r = await as_admin.request(method, url, content=body, headers={"Content-Type": "application/json"})
            assert r.status_code < 500, (method, url, body, r.text)
        for bad in ("bad", "11111111-1111-1111-1111-11111111111z", UNKNOWN):
            r = await as_admin.request(method, url.replace(project["id"], bad), json={})
            assert r.status_code < 500, (method, url, bad, r.text)
