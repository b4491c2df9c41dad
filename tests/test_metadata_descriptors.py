"""Metadata descriptors: per production, on all accessible projects, and the generic CRUD."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select

from app.repositories.tables.entities import Entity
from app.repositories.tables.people import Department, DepartmentLink
from app.repositories.tables.projects import DepartmentMetadataDescriptorLink, MetadataDescriptor, Project
from app.repositories.tables.tasks import Task


async def department(db, name: str, *members: str) -> str:
    row = await add(db, Department, name=name, color="#000000")
    for person_id in members:
        await add(db, DepartmentLink, person_id=person_id, department_id=row["id"])
    return row["id"]


async def data_of(db, model, row_id: str):
    t = model.__table__
    return (await db.execute(select(t.c.data).where(t.c.id == row_id))).scalar_one()


def url(project, descriptor=None) -> str:
    base = f"/data/projects/{project['id']}/metadata-descriptors"
    return f"{base}/{descriptor['id'] if isinstance(descriptor, dict) else descriptor}" if descriptor else base


async def create(client, project, **body) -> dict:
    r = await client.post(url(project), json=body)
    assert r.status_code == 201, r.text
    return r.json()


# --- one production: create ----------------------------------------------------------------------


async def test_create_descriptor(as_admin, db, make):
    project = await make.project()
    modeling = await department(db, "A2 Modeling")
    r = await as_admin.post(
        url(project),
        json={
            "name": "Difficulté Level!",
            "data_type": "list",
            "choices": ["easy", "hard"],
            "for_client": True,
            "departments": [modeling, UNKNOWN],  # an unknown department is dropped, as Zou does
        },
    )
    assert r.status_code == 201, r.text
    row = r.json()
    assert {k: row[k] for k in row if k not in ("id", "created_at", "updated_at")} == {
        "project_id": project["id"],
        "entity_type": "Asset",
        "task_type_id": None,
        "name": "Difficulté Level!",
        "field_name": "difficulte_level",
        "data_type": "list",
        "choices": ["easy", "hard"],
        "for_client": True,
        "position": None,
        "departments": [modeling],
        "type": "MetadataDescriptor",
    }
    [event] = await events_named(db, "metadata-descriptor:new")
    assert (event["data"], event["project_id"]) == (
        {"metadata_descriptor_id": row["id"], "project_id": project["id"]},
        project["id"],
    )
    task_type = await make.task_type(for_entity="Shot")
    row = await create(as_admin, project, name="Frames", entity_type="Task", task_type_id=task_type["id"])
    assert (row["entity_type"], row["task_type_id"], row["data_type"]) == ("Task", task_type["id"], "string")


async def test_create_descriptor_refusals(as_admin, anon, db, make):
    project = await make.project()
    await create(as_admin, project, name="Taken")
    task_type = await make.task_type()
    cases = [
        ({"data_type": "string"}, "Validation error."),
        ({"name": ""}, "Validation error."),
        ({"name": "x", "data_type": "bad"}, "Invalid data_type"),
        (
            {"name": "x", "entity_type": "Concept"},
            "Wrong entity type. Please select Asset, Shot, Sequence, Episode, Edit, Project, or Task.",
        ),
        ({"name": "x", "entity_type": "Task"}, "Task metadata descriptors require a task_type_id."),
        ({"name": "x", "entity_type": "Task", "task_type_id": UNKNOWN}, "Task type not found."),
        ({"name": "x", "task_type_id": task_type["id"]}, "task_type_id only applies to Task metadata descriptors."),
        ({"name": "Taken"}, "Metadata descriptor already exists."),
        ({"name": "taken!"}, "Metadata descriptor already exists."),  # same field name
        ({"name": "x", "choices": [{"a": 1}]}, "Validation error."),
    ]
    for body, message in cases:
        r = await as_admin.post(url(project), json=body)
        assert (r.status_code, r.json()["message"]) == (400, message), body
    r = await as_admin.post(url(project), json={"name": "x", "departments": ["nope"]})
    assert r.status_code == 404
    r = await as_admin.post(f"/data/projects/{UNKNOWN}/metadata-descriptors", json={"name": "x"})
    assert r.status_code == 404
    assert (await as_admin.post("/data/projects/nope/metadata-descriptors", json={"name": "x"})).status_code == 400
    assert (await anon.post(url(project), json={"name": "x"})).status_code == 401


async def test_who_may_create_descriptors(as_manager, as_supervisor, as_artist, as_client, as_vendor, db, make, people):
    project = await make.project(team=[people[r] for r in ("manager", "supervisor", "user", "client", "vendor")])
    outside = await make.project()
    assert (await as_manager.post(url(project), json={"name": "By manager"})).status_code == 201
    assert (await as_manager.post(url(outside), json={"name": "Outside"})).status_code == 403
    for client in (as_artist, as_client, as_vendor):
        assert (await client.post(url(project), json={"name": "No"})).status_code == 403
    # a supervisor of no department needs the descriptor to name departments
    anim = await department(db, "A2 Anim")
    assert (await as_supervisor.post(url(project), json={"name": "Open"})).status_code == 403
    assert (await as_supervisor.post(url(project), json={"name": "Anim", "departments": [anim]})).status_code == 201
    # a supervisor with departments: every one of theirs must be listed
    fx = await department(db, "A2 FX", people["supervisor"])
    assert (await as_supervisor.post(url(project), json={"name": "Other", "departments": [anim]})).status_code == 403
    r = await as_supervisor.post(url(project), json={"name": "Mine", "departments": [fx, anim]})
    assert r.status_code == 201


# --- one production: read ------------------------------------------------------------------------


async def test_list_descriptors_by_role(as_admin, as_artist, as_client, as_vendor, as_manager, db, make, people):
    project = await make.project(team=[people["user"], people["client"], people["vendor"]])
    mine = await department(db, "A2 Vendor dept", people["vendor"])
    other = await department(db, "A2 Other dept")
    published = await create(as_admin, project, name="Zeta", for_client=True)
    plain = await create(as_admin, project, name="Alpha")
    vendors = await create(as_admin, project, name="Beta", departments=[mine])
    hidden = await create(as_admin, project, name="Gamma", departments=[other])
    await as_admin.post(f"{url(project)}/reorder", json={"entity_type": "Asset", "descriptor_ids": [published["id"]]})
    r = await as_artist.get(url(project))
    assert r.status_code == 200
    assert [d["name"] for d in r.json()] == ["Zeta", "Alpha", "Beta", "Gamma"]
    assert r.json()[2]["departments"] == [mine]
    assert [d["id"] for d in (await as_client.get(url(project))).json()] == [published["id"]]
    assert [d["id"] for d in (await as_vendor.get(url(project))).json()] == [
        published["id"],
        plain["id"],
        vendors["id"],
    ]
    assert hidden["id"] not in [d["id"] for d in (await as_vendor.get(url(project))).json()]
    assert (await as_manager.get(url(project))).status_code == 403  # not on the team
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/metadata-descriptors")).status_code == 404


async def test_list_descriptors_query_count(as_admin, db, make, queries):
    project = await make.project()
    dep = await department(db, "A2 Count dept")
    await create(as_admin, project, name="First", departments=[dep])
    queries.reset()
    assert len((await as_admin.get(url(project))).json()) == 1
    one = queries.count
    for i in range(12):
        await create(as_admin, project, name=f"More {i}", departments=[dep])
    queries.reset()
    assert len((await as_admin.get(url(project))).json()) == 13
    assert queries.count == one


async def test_get_descriptor(as_admin, as_artist, as_client, as_manager, anon, make, people):
    project = await make.project(team=[people["user"], people["client"]])
    other = await make.project()
    descriptor = await create(as_admin, project, name="Level")
    foreign = await create(as_admin, other, name="Level")
    r = await as_artist.get(url(project, descriptor))
    assert (r.status_code, r.json()["id"], r.json()["departments"]) == (200, descriptor["id"], [])
    assert (await as_client.get(url(project, descriptor))).status_code == 403  # not published to clients
    assert (await as_manager.get(url(project, descriptor))).status_code == 403
    assert (await as_artist.get(url(project, foreign))).status_code == 404  # another project's descriptor
    assert (await as_artist.get(url(project, UNKNOWN))).status_code == 404
    assert (await as_artist.get(url(project, "nope"))).status_code == 400
    assert (await anon.get(url(project, descriptor))).status_code == 401


# --- one production: update and delete -----------------------------------------------------------


async def test_rename_moves_stored_values(as_admin, db, make):
    project = await make.project(data={"budget_code": "B1", "other": 1})
    props = await make.entity_type("A2 Props")
    chars = await make.entity_type("A2 Chars")
    sequence = await make.sequence(project)
    asset1 = await make.asset(project, props, data={"level": "hard", "x": 1})
    asset2 = await make.asset(project, chars, data={"level": "easy"})
    asset3 = await make.asset(project, chars, data={"level": None})
    shot = await make.shot(project, sequence, data={"level": "shot value"})
    untouched = await make.asset(await make.project(), props, data={"level": "elsewhere"})
    descriptor = await create(as_admin, project, name="Level", data_type="list", choices=["easy"], for_client=True)
    r = await as_admin.put(url(project, descriptor), json={"name": "Difficulty", "data_type": "string"})
    assert r.status_code == 200, r.text
    row = r.json()
    assert (row["name"], row["field_name"], row["data_type"]) == ("Difficulty", "difficulty", "string")
    assert (row["choices"], row["for_client"], row["departments"]) == ([], False, [])  # Zou resets omitted fields
    assert await data_of(db, Entity, asset1["id"]) == {"difficulty": "hard", "x": 1}
    assert await data_of(db, Entity, asset2["id"]) == {"difficulty": "easy"}
    assert await data_of(db, Entity, asset3["id"]) == {"level": None}  # a null value is not moved
    assert await data_of(db, Entity, shot["id"]) == {"level": "shot value"}
    assert await data_of(db, Entity, untouched["id"]) == {"level": "elsewhere"}
    [event] = await events_named(db, "metadata-descriptor:update")
    assert event["data"]["metadata_descriptor_id"] == descriptor["id"]

    on_project = await create(as_admin, project, name="Budget code", entity_type="Project")
    await as_admin.put(url(project, on_project), json={"name": "Budget"})
    assert await data_of(db, Project, project["id"]) == {"budget": "B1", "other": 1}

    task_type, other_type = await make.task_type(), await make.task_type()
    task = await make.task(asset1, task_type, data={"frames": 3})
    other_task = await make.task(asset1, other_type, data={"frames": 4})
    on_task = await create(as_admin, project, name="Frames", entity_type="Task", task_type_id=task_type["id"])
    await as_admin.put(url(project, on_task), json={"name": "Frame count"})
    assert await data_of(db, Task, task["id"]) == {"frame_count": 3}
    assert await data_of(db, Task, other_task["id"]) == {"frames": 4}

    on_shot = await create(as_admin, project, name="Level", entity_type="Shot")
    await as_admin.put(url(project, on_shot), json={"name": "Shot level"})
    assert await data_of(db, Entity, shot["id"]) == {"shot_level": "shot value"}
    assert await data_of(db, Entity, asset3["id"]) == {"level": None}


async def test_update_descriptor_refusals(as_admin, as_artist, as_supervisor, anon, db, make, people):
    project = await make.project(team=[people["user"], people["supervisor"]])
    descriptor = await create(as_admin, project, name="Level")
    await create(as_admin, project, name="Taken")
    cases = [
        ({"name": ""}, 400, "Name cannot be empty."),
        ({"name": "taken"}, 400, "Metadata descriptor already exists."),
        ({"data_type": "bad"}, 400, "Invalid data_type"),
        ({"data_type": ""}, 400, "Validation error."),
        ({"name": "x" * 121}, 400, "Metadata descriptor name is too long."),
    ]
    for body, status, message in cases:
        r = await as_admin.put(url(project, descriptor), json=body)
        assert (r.status_code, r.json()["message"]) == (status, message), body
    # no name: the descriptor keeps its own
    r = await as_admin.put(url(project, descriptor), json={"for_client": True})
    assert (r.json()["name"], r.json()["for_client"]) == ("Level", True)
    assert (await as_artist.put(url(project, descriptor), json={"name": "x"})).status_code == 403
    assert (await as_supervisor.put(url(project, descriptor), json={"name": "x"})).status_code == 403
    dep = await department(db, "A2 Sup dept")
    r = await as_supervisor.put(url(project, descriptor), json={"name": "Sup", "departments": [dep]})
    assert (r.status_code, r.json()["departments"]) == (200, [dep])
    assert (await as_admin.put(url(project, UNKNOWN), json={})).status_code == 404
    assert (await as_admin.put(url(await make.project(), descriptor), json={})).status_code == 404
    assert (await as_admin.put(url(project, "nope"), json={})).status_code == 400
    assert (await anon.put(url(project, descriptor), json={})).status_code == 401


async def test_delete_descriptor_removes_values(as_admin, as_artist, anon, db, make, people):
    project = await make.project(team=[people["user"]])
    asset = await make.asset(project, data={"level": "hard", "kept": 1})
    edit = await make.edit(project, data={"level": "edit"})
    descriptor = await create(as_admin, project, name="Level")
    assert (await as_artist.delete(url(project, descriptor))).status_code == 403
    assert (await anon.delete(url(project, descriptor))).status_code == 401
    assert (await as_admin.delete(url(project, descriptor))).status_code == 204
    assert await data_of(db, Entity, asset["id"]) == {"kept": 1}
    assert await data_of(db, Entity, edit["id"]) == {"level": "edit"}
    assert (await as_admin.get(url(project, descriptor))).status_code == 404
    [event] = await events_named(db, "metadata-descriptor:delete")
    assert event["data"]["metadata_descriptor_id"] == descriptor["id"]
    assert (await as_admin.delete(url(project, descriptor))).status_code == 404
    assert (await as_admin.delete(url(project, "nope"))).status_code == 400


async def test_reorder_descriptors(as_admin, as_supervisor, anon, make, people):
    project = await make.project(team=[people["supervisor"]])
    c = await create(as_admin, project, name="C")
    a = await create(as_admin, project, name="A")
    b = await create(as_admin, project, name="B")
    shot = await create(as_admin, project, name="Shot field", entity_type="Shot")
    path = f"{url(project)}/reorder"
    r = await as_admin.post(path, json={"entity_type": "Asset", "descriptor_ids": [c["id"]]})
    assert r.status_code == 200, r.text
    assert [(d["name"], d["position"], d["type"]) for d in r.json()] == [
        ("C", 1, "MetadataDescriptor"),
        ("A", 2, "MetadataDescriptor"),
        ("B", 3, "MetadataDescriptor"),
    ]
    r = await as_admin.post(path, json={"entity_type": "Asset", "descriptor_ids": [shot["id"]]})
    assert r.status_code == 400
    assert r.json()["message"] == f"Descriptor {shot['id']} not found for project {project['id']} and entity type Asset"
    r = await as_admin.post(path, json={"entity_type": "Concept", "descriptor_ids": [a["id"]]})
    assert r.status_code == 400
    assert (await as_admin.post(path, json={"entity_type": "Asset", "descriptor_ids": []})).status_code == 400
    assert (
        await as_supervisor.post(path, json={"entity_type": "Asset", "descriptor_ids": [b["id"]]})
    ).status_code == 403
    assert (await anon.post(path, json={"entity_type": "Asset", "descriptor_ids": [b["id"]]})).status_code == 401
    r = await as_admin.post(
        f"/data/projects/{UNKNOWN}/metadata-descriptors/reorder",
        json={"entity_type": "Asset", "descriptor_ids": [b["id"]]},
    )
    assert r.status_code == 404
    assert (await as_admin.post("/data/projects/nope/metadata-descriptors/reorder", json={})).status_code == 400


# --- all accessible projects ---------------------------------------------------------------------


async def test_create_on_all_projects(as_admin, as_manager, as_supervisor, anon, db, make, people):
    managed = await make.project(team=[people["manager"]])
    demoted = await make.project()
    await make.add_to_team(demoted, people["manager"], role="user")
    other = await make.project()
    closed = await make.project(closed=True)
    await create(as_admin, other, name="Reviewed")
    body = {"name": "Reviewed!", "data_type": "boolean", "entity_type": "Shot"}
    r = await as_manager.post("/data/metadata-descriptors/all-projects", json=body)
    assert r.status_code == 201, r.text
    assert [(d["project_id"], d["field_name"], d["entity_type"]) for d in r.json()] == [
        (managed["id"], "reviewed", "Shot")
    ]
    r = await as_admin.post(
        "/data/metadata-descriptors/all-projects", json={"name": "Reviewed", "entity_type": "Asset"}
    )
    created = {d["project_id"] for d in r.json()}
    assert other["id"] not in created and closed["id"] not in created  # already has it / not open
    assert {managed["id"], demoted["id"]} <= created
    assert len(await events_named(db, "metadata-descriptor:new")) == 1 + 1 + len(created)
    r = await as_admin.post("/data/metadata-descriptors/all-projects", json={"name": "x", "entity_type": "Task"})
    assert (r.status_code, r.json()["message"]) == (
        400,
        "Wrong entity type. Please select Asset, Shot, Sequence, Episode, Edit, or Project.",
    )
    assert (
        await as_admin.post("/data/metadata-descriptors/all-projects", json={"name": "x", "data_type": "?"})
    ).status_code == 400
    assert (await as_admin.post("/data/metadata-descriptors/all-projects", json={})).status_code == 400
    assert (await as_supervisor.post("/data/metadata-descriptors/all-projects", json={})).status_code == 403
    assert (await anon.post("/data/metadata-descriptors/all-projects", json={})).status_code == 401


async def test_update_on_all_projects(as_admin, as_manager, as_supervisor, anon, db, make, people):
    p1 = await make.project(team=[people["manager"]])
    p2 = await make.project(team=[people["manager"]])
    unmanaged = await make.project()
    for project in (p1, p2, unmanaged):
        await create(as_admin, project, name="Level", entity_type="Shot")
    sequence = await make.sequence(p1)
    shot = await make.shot(p1, sequence, data={"level": 3})
    kept = await make.shot(unmanaged, await make.sequence(unmanaged), data={"level": 4})
    r = await as_manager.put(
        "/data/metadata-descriptors/all-projects/level",
        json={"entity_type": "Shot", "name": "Difficulty", "data_type": "number"},
    )
    assert r.status_code == 200, r.text
    assert sorted((d["project_id"], d["field_name"], d["data_type"]) for d in r.json()) == sorted(
        [(p1["id"], "difficulty", "number"), (p2["id"], "difficulty", "number")]
    )
    assert await data_of(db, Entity, shot["id"]) == {"difficulty": 3}
    assert await data_of(db, Entity, kept["id"]) == {"level": 4}
    assert len(await events_named(db, "metadata-descriptor:update")) == 2
    r = await as_manager.put("/data/metadata-descriptors/all-projects/difficulty", json={"name": "Level"})
    assert r.status_code == 400  # entity_type is required
    r = await as_manager.put("/data/metadata-descriptors/all-projects/difficulty", json={"entity_type": "Task"})
    assert r.status_code == 400
    # a rename clashing on one project changes none
    await create(as_admin, p2, name="Clash", entity_type="Shot")
    r = await as_manager.put(
        "/data/metadata-descriptors/all-projects/difficulty", json={"entity_type": "Shot", "name": "Clash"}
    )
    assert (r.status_code, r.json()["message"]) == (400, "Metadata descriptor already exists.")
    r = await as_manager.put("/data/metadata-descriptors/all-projects/nothing", json={"entity_type": "Shot"})
    assert (r.status_code, r.json()) == (200, [])
    assert (await as_supervisor.put("/data/metadata-descriptors/all-projects/level", json={})).status_code == 403
    assert (await anon.put("/data/metadata-descriptors/all-projects/level", json={})).status_code == 401


async def test_delete_on_all_projects(as_admin, as_manager, as_artist, anon, db, make, people):
    p1 = await make.project(team=[people["manager"]])
    p2 = await make.project()
    d1 = await create(as_admin, p1, name="Level")
    d2 = await create(as_admin, p2, name="Level")
    await create(as_admin, p1, name="Level", entity_type="Shot")
    asset = await make.asset(p1, data={"level": 1})
    r = await as_manager.delete("/data/metadata-descriptors/all-projects/level", params={"entity_type": "Asset"})
    assert (r.status_code, r.json()) == (200, [d1["id"]])
    assert await data_of(db, Entity, asset["id"]) == {}
    r = await as_admin.delete("/data/metadata-descriptors/all-projects/level", params={"entity_type": "Asset"})
    assert r.json() == [d2["id"]]
    assert len(await events_named(db, "metadata-descriptor:delete")) == 2
    r = await as_admin.delete("/data/metadata-descriptors/all-projects/level")
    assert (r.status_code, r.json()["message"]) == (
        400,
        "Wrong entity type. Please select Asset, Shot, Sequence, Episode, Edit, or Project.",
    )
    assert (await as_artist.delete("/data/metadata-descriptors/all-projects/level?entity_type=Shot")).status_code == 403
    assert (await anon.delete("/data/metadata-descriptors/all-projects/level?entity_type=Shot")).status_code == 401


async def test_reorder_on_all_projects(as_admin, as_manager, as_client, anon, make, people, queries):
    projects = [await make.project(team=[people["manager"]]) for _ in range(2)]
    for project in projects:
        for name in ("A", "B", "C"):
            await create(as_admin, project, name=name)
    path = "/actions/metadata-descriptors/all-projects/reorder"
    r = await as_manager.post(path, json={"entity_type": "Asset", "field_order": ["c", "a"]})
    assert r.status_code == 200, r.text
    by_project: dict[str, list] = {}
    for d in r.json():
        by_project.setdefault(d["project_id"], []).append((d["field_name"], d["position"]))
    assert by_project == {p["id"]: [("c", 1), ("a", 2), ("b", 3)] for p in projects}
    listed = (await as_admin.get(url(projects[0]))).json()
    assert [d["field_name"] for d in listed] == ["c", "a", "b"]
    assert (await as_manager.post(path, json={"entity_type": "Asset", "field_order": ["zzz"]})).json() == []
    assert (await as_manager.post(path, json={"entity_type": "Task", "field_order": ["a"]})).status_code == 400
    assert (await as_manager.post(path, json={"entity_type": "Asset", "field_order": []})).status_code == 400
    assert (await as_client.post(path, json={"entity_type": "Asset", "field_order": ["a"]})).status_code == 403
    assert (await anon.post(path, json={"entity_type": "Asset", "field_order": ["a"]})).status_code == 401
    # a fixed number of statements whatever the number of projects
    queries.reset()
    await as_manager.post(path, json={"entity_type": "Asset", "field_order": ["a"]})
    two = queries.count
    for _ in range(5):
        project = await make.project(team=[people["manager"]])
        for name in ("A", "B"):
            await create(as_admin, project, name=name)
    queries.reset()
    await as_manager.post(path, json={"entity_type": "Asset", "field_order": ["a"]})
    assert queries.count == two


# --- the generic CRUD ----------------------------------------------------------------------------


async def test_crud_list_is_scoped_and_narrowed(as_admin, as_artist, as_client, as_vendor, db, make, people):
    mine = await make.project(team=[people["user"], people["client"], people["vendor"]])
    closed = await make.project(team=[people["user"]], closed=True)
    elsewhere = await make.project()
    dep = await department(db, "A2 CRUD dept")
    published = await create(as_admin, mine, name="Published", for_client=True)
    restricted = await create(as_admin, mine, name="Restricted", departments=[dep])
    in_closed = await create(as_admin, closed, name="Closed")
    foreign = await create(as_admin, elsewhere, name="Foreign")
    r = await as_admin.get("/data/metadata-descriptors")
    ids = {d["id"] for d in r.json()}
    assert {published["id"], restricted["id"], in_closed["id"], foreign["id"]} <= ids
    assert next(d for d in r.json() if d["id"] == restricted["id"])["departments"] == [dep]  # no params: relations
    r = await as_admin.get("/data/metadata-descriptors", params={"project_id": mine["id"]})
    assert "departments" not in r.json()[0]
    assert {d["id"] for d in (await as_artist.get("/data/metadata-descriptors")).json()} == {
        published["id"],
        restricted["id"],
    }
    assert [d["id"] for d in (await as_client.get("/data/metadata-descriptors")).json()] == [published["id"]]
    assert [d["id"] for d in (await as_vendor.get("/data/metadata-descriptors")).json()] == [published["id"]]
    # a team role replaces the global one on that project
    await make.add_to_team(elsewhere, people["client"], role="supervisor")
    client_ids = {d["id"] for d in (await as_client.get("/data/metadata-descriptors")).json()}
    assert client_ids == {published["id"], foreign["id"]}


async def test_crud_list_query_count(as_admin, as_artist, make, people, queries):
    project = await make.project(team=[people["user"]])
    await create(as_admin, project, name="First")
    queries.reset()
    assert len((await as_artist.get("/data/metadata-descriptors")).json()) == 1
    one = queries.count
    for i in range(12):
        await create(as_admin, project, name=f"More {i}")
    queries.reset()
    assert len((await as_artist.get("/data/metadata-descriptors")).json()) == 13
    assert queries.count == one


async def test_crud_item_routes_are_admin_only(as_admin, as_manager, anon, db, make, people):
    project = await make.project(team=[people["manager"]])
    r = await as_admin.post(
        "/data/metadata-descriptors",
        json={"project_id": project["id"], "entity_type": "Asset", "name": "Raw", "field_name": "raw_field"},
    )
    assert r.status_code == 201, r.text
    row = r.json()
    assert (row["type"], row["field_name"], row["departments"]) == ("MetadataDescriptor", "raw_field", [])
    assert len(await events_named(db, "metadata-descriptor:new")) == 1
    bad = {"project_id": project["id"], "entity_type": "Asset", "name": "Bad", "field_name": "b", "data_type": "?"}
    assert (await as_admin.post("/data/metadata-descriptors", json=bad)).json()["message"] == "Invalid data_type"
    assert (await as_manager.post("/data/metadata-descriptors", json={**bad, "data_type": "string"})).status_code == 403
    item = f"/data/metadata-descriptors/{row['id']}"
    r = await as_admin.get(item)
    assert (r.status_code, r.json()["departments"]) == (200, [])
    assert (await as_manager.get(item)).status_code == 403
    dep = await department(db, "A2 Raw dept")
    r = await as_admin.put(item, json={"name": "Renamed", "departments": [dep]})
    assert (r.status_code, r.json()["name"], r.json()["departments"]) == (200, "Renamed", [dep])
    assert (await as_admin.put(item, json={"data_type": "?"})).status_code == 400
    assert (await as_manager.put(item, json={"name": "x"})).status_code == 403
    assert (await as_manager.delete(item)).status_code == 403
    assert (await anon.get(item)).status_code == 401
    assert (await as_admin.delete(item)).status_code == 204
    link = DepartmentMetadataDescriptorLink.__table__
    assert (await db.execute(select(link).where(link.c.metadata_descriptor_id == row["id"]))).first() is None
    assert (await as_admin.get(item)).status_code == 404
    assert (await as_admin.put(item, json={})).status_code == 404
    assert (await as_admin.delete(item)).status_code == 404
    assert (await as_admin.get("/data/metadata-descriptors/nope")).status_code == 400
    rows = (
        await db.execute(select(MetadataDescriptor.__table__).where(MetadataDescriptor.__table__.c.id == row["id"]))
    ).all()
    assert rows == []


@pytest.mark.parametrize("prefix", ["", "/api"])
async def test_routes_answer_under_api_prefix(as_admin, make, prefix):
    project = await make.project()
    r = await as_admin.get(f"{prefix}/data/projects/{project['id']}/metadata-descriptors")
    assert (r.status_code, r.json()) == (200, [])
