"""Projects: the CRUD entry (list, create, get, update) and the /all and /open listings."""

from __future__ import annotations

from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import insert, select

from app.repositories.tables.entities import Entity
from app.repositories.tables.people import Department
from app.repositories.tables.projects import (
    DepartmentMetadataDescriptorLink,
    MetadataDescriptor,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
)

RELATION_KEYS = {"team", "asset_types", "task_statuses", "task_types", "status_automations", "preview_background_files"}
EXTRA_KEYS = {"descriptors", "task_type_links", "task_types_priority", "task_statuses_link"}
PROJECT_KEYS = {
    "id",
    "created_at",
    "updated_at",
    "name",
    "code",
    "description",
    "shotgun_id",
    "file_tree",
    "data",
    "has_avatar",
    "fps",
    "ratio",
    "resolution",
    "production_type",
    "production_style",
    "start_date",
    "end_date",
    "man_days",
    "nb_episodes",
    "episode_span",
    "max_retakes",
    "is_clients_isolated",
    "is_client_stats_visible",
    "is_client_task_list_visible",
    "is_client_task_panel_visible",
    "is_preview_download_allowed",
    "is_set_preview_automated",
    "homepage",
    "is_publish_default_for_artists",
    "is_bot_collaboration_enabled",
    "is_single_preview_per_revision",
    "is_frame_in_numbering",
    "revision_padding",
    "hd_bitrate_compression",
    "ld_bitrate_compression",
    "project_status_id",
    "default_preview_background_file_id",
    "from_schedule_version_id",
    "type",
}


async def descriptor(db, project, name, entity_type="Asset", **values) -> dict:
    field = name.lower().replace(" ", "_")
    return await add(
        db, MetadataDescriptor, project_id=project["id"], entity_type=entity_type, name=name, field_name=field, **values
    )


# --- create ----------------------------------------------------------------------------


async def test_create_project_defaults_and_event(as_admin, make, db, people):
    open_status = await make.project_status("Open")
    r = await as_admin.post("/data/projects", json={"name": "Created One", "team": [people["user"]]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == PROJECT_KEYS | RELATION_KEYS
    assert body["name"] == "Created One"
    assert body["type"] == "Project"
    assert body["project_status_id"] == open_status["id"]
    assert body["production_type"] == "short"
    assert body["production_style"] == "2d3d"
    assert body["fps"] == "25"
    assert body["resolution"] == "1920x1080"
    assert body["team"] == [people["user"]]
    assert body["task_types"] == [] and body["asset_types"] == []
    created = await events_named(db, "project:new")
    assert [e["data"] for e in created] == [{"project_id": body["id"]}]
    assert created[0]["user_id"] == people["admin"]


async def test_create_tvshow_makes_a_first_episode(as_admin, db):
    r = await as_admin.post("/data/projects", json={"name": "Show", "production_type": "tvshow"})
    assert r.status_code == 201, r.text
    body = r.json()
    episode = await db.execute(select(Entity.__table__).where(Entity.__table__.c.id == body["first_episode_id"]))
    episode = dict(episode.mappings().one())
    assert episode["name"] == "E01" and episode["project_id"] == body["id"]
    assert [e["data"]["episode_id"] for e in await events_named(db, "episode:new")] == [episode["id"]]


async def test_create_copies_the_all_projects_descriptors(as_admin, make, db):
    other = await make.project()
    await descriptor(db, other, "Budget Code", entity_type="Project", for_client=True)
    await descriptor(db, other, "Not Copied", entity_type="Asset")
    closed = await make.project(closed=True)
    await descriptor(db, closed, "From Closed", entity_type="Project")
    r = await as_admin.post("/data/projects", json={"name": "With descriptors"})
    assert r.status_code == 201
    pid = r.json()["id"]
    t = MetadataDescriptor.__table__
    rows = (await db.execute(select(t).where(t.c.project_id == pid))).mappings().all()
    assert [(d["name"], d["field_name"], d["entity_type"], d["for_client"]) for d in rows] == [
        ("Budget Code", "budget_code", "Project", True)
    ]
    assert len(await events_named(db, "metadata-descriptor:new")) == 1


async def test_create_project_refusals(as_admin, as_manager, anon, make):
    await make.project("Taken")
    assert (await anon.post("/data/projects", json={"name": "X"})).status_code == 401
    assert (await as_manager.post("/data/projects", json={"name": "X"})).status_code == 403
    r = await as_admin.post("/data/projects", json={"name": "Taken"})
    assert r.status_code == 400
    assert r.json() == {"message": "A record with the same unique values already exists."}
    r = await as_admin.post("/data/projects", json={"name": "X", "production_style": "bogus"})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid production_style")
    r = await as_admin.post("/data/projects", json={"name": "X", "resolution": "abc"})
    assert r.status_code == 400 and r.json()["message"].startswith("Invalid resolution abc.")
    r = await as_admin.post("/data/projects", json={"name": "X", "hd_bitrate_compression": 1000})
    assert r.status_code == 400 and r.json()["message"].startswith("Invalid bitrate 1000.")
    r = await as_admin.post("/data/projects", json={"name": "X", "unknown": 1})
    assert r.status_code == 400 and "unknown" in r.json()["message"]
    assert (await as_admin.post("/data/projects", json={})).status_code == 400


async def test_create_project_null_style_is_the_default(as_admin):
    r = await as_admin.post("/data/projects/", json={"name": "Null style", "production_style": None})
    assert r.status_code == 201
    assert r.json()["production_style"] == "2d3d"


# --- list ------------------------------------------------------------------------------


async def test_list_projects_admin_sees_all_others_their_open_team_ones(as_admin, as_artist, make, people):
    mine = await make.project(team=[people["user"]])
    await make.project(team=[people["user"]], closed=True)
    other = await make.project()
    r = await as_artist.get("/data/projects")
    assert r.status_code == 200
    assert [p["id"] for p in r.json()] == [mine["id"]]
    assert set(r.json()[0]) == PROJECT_KEYS
    ids = {p["id"] for p in (await as_admin.get("/data/projects")).json()}
    assert {mine["id"], other["id"]} <= ids


async def test_list_projects_with_relations(as_artist, make, people):
    project = await make.project(team=[people["user"]])
    task_type = await make.task_type()
    await make.session.execute(
        insert(ProjectTaskTypeLink.__table__).values(project_id=project["id"], task_type_id=task_type["id"])
    )
    r = await as_artist.get("/data/projects", params={"relations": "true"})
    [row] = r.json()
    assert row["team"] == [people["user"]]
    assert row["task_types"] == [task_type["id"]]
    assert set(row) == PROJECT_KEYS | RELATION_KEYS


async def test_list_projects_anonymous(anon):
    assert (await anon.get("/data/projects")).status_code == 401


async def test_list_projects_query_count_is_constant(as_artist, make, people, queries):
    await make.project(team=[people["user"]])
    queries.reset()
    assert len((await as_artist.get("/data/projects?relations=true")).json()) == 1
    few = queries.count
    for _ in range(10):
        await make.project(team=[people["user"]])
    queries.reset()
    assert len((await as_artist.get("/data/projects?relations=true")).json()) == 11
    assert queries.count == few


# --- get -------------------------------------------------------------------------------


async def test_get_project_with_extra_data(as_artist, make, db, people):
    project = await make.project(team=[people["user"]])
    task_type = await make.task_type()
    status = await make.task_status()
    await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=task_type["id"], priority=3)
    await add(db, ProjectTaskStatusLink, project_id=project["id"], task_status_id=status["id"])
    field = await descriptor(db, project, "Difficulty", choices=["easy", "hard"])
    r = await as_artist.get(f"/data/projects/{project['id']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == PROJECT_KEYS | RELATION_KEYS | EXTRA_KEYS | {"project_status_name"}
    assert body["project_status_name"] == "Open"
    assert body["team"] == [people["user"]]
    assert body["task_type_links"] == {
        task_type["id"]: {
            "priority": 3,
            "hd_bitrate_compression": None,
            "ld_bitrate_compression": None,
            "is_client_visible": True,
        }
    }
    assert body["task_types_priority"] == {task_type["id"]: 3}
    assert body["task_statuses_link"] == {
        status["id"]: {
            "priority": None,
            "roles_for_board": ["user", "admin", "supervisor", "manager", "vendor"],
            "is_client_allowed": None,
        }
    }
    assert body["descriptors"] == [
        {
            "id": field["id"],
            "name": "Difficulty",
            "field_name": "difficulty",
            "data_type": None,
            "choices": ["easy", "hard"],
            "for_client": False,
            "entity_type": "Asset",
            "task_type_id": None,
            "position": None,
            "departments": [],
        }
    ]


async def test_get_project_without_relations(as_admin, make):
    project = await make.project(closed=True)
    r = await as_admin.get(f"/data/projects/{project['id']}", params={"relations": "false"})
    assert r.status_code == 200
    assert set(r.json()) == PROJECT_KEYS | {"project_status_name"}
    assert r.json()["project_status_name"] == "Closed"


async def test_get_project_narrows_descriptors_for_clients_and_vendors(client_for, make, db, people):
    department = await add(db, Department, name="Dept A", color="#000000")
    other_department = await add(db, Department, name="Dept B", color="#000000")
    project = await make.project(team=[people["client"], people["vendor"]])
    public = await descriptor(db, project, "Public", for_client=True)
    private = await descriptor(db, project, "Private")
    restricted = await descriptor(db, project, "Restricted")
    await add(
        db, DepartmentMetadataDescriptorLink, metadata_descriptor_id=restricted["id"], department_id=department["id"]
    )
    other = await descriptor(db, project, "Other dept")
    await add(
        db, DepartmentMetadataDescriptorLink, metadata_descriptor_id=other["id"], department_id=other_department["id"]
    )
    from app.repositories.tables.people import DepartmentLink

    await add(db, DepartmentLink, person_id=people["vendor"], department_id=department["id"])
    async with client_for(people["client"]) as client:
        names = [d["name"] for d in (await client.get(f"/data/projects/{project['id']}")).json()["descriptors"]]
        assert names == [public["name"]]
    async with client_for(people["vendor"]) as vendor:
        names = [d["name"] for d in (await vendor.get(f"/data/projects/{project['id']}")).json()["descriptors"]]
        assert names == [public["name"], private["name"], restricted["name"]]


async def test_get_tvshow_project_gives_its_first_episode(as_admin, make):
    project = await make.project(production_type="tvshow")
    await make.episode(project, "E02")
    first = await make.episode(project, "E01")
    body = (await as_admin.get(f"/data/projects/{project['id']}")).json()
    assert body["first_episode_id"] == first["id"]


async def test_get_project_refusals(as_artist, anon, make):
    project = await make.project()
    assert (await anon.get(f"/data/projects/{project['id']}")).status_code == 401
    assert (await as_artist.get(f"/data/projects/{project['id']}")).status_code == 403
    assert (await as_artist.get(f"/data/projects/{UNKNOWN}")).status_code == 404
    r = await as_artist.get("/data/projects/not-an-id")
    assert (r.status_code, r.json()["message"]) == (400, "Malformed ID.")


# --- update ----------------------------------------------------------------------------


async def test_update_project_by_a_manager_of_its_team(as_manager, make, db, people):
    project = await make.project(team=[people["manager"]])
    closed = await make.project_status("Closed")
    r = await as_manager.put(
        f"/data/projects/{project['id']}",
        json={"description": "New", "project_status_id": closed["id"], "team": [people["user"]]},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == PROJECT_KEYS
    assert body["description"] == "New"
    assert body["project_status_id"] == closed["id"]
    updated = await events_named(db, "project:update")
    assert [e["data"] for e in updated] == [{"project_id": project["id"]}]
    team = (await as_manager.get(f"/data/projects/{project['id']}/team")).json()
    assert [p["id"] for p in team] == [people["manager"]]  # the team is not written through PUT


async def test_update_project_relations_keep_existing_links(as_admin, make, db):
    project = await make.project()
    kept, dropped, added = await make.task_type(), await make.task_type(), await make.task_type()
    await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=kept["id"], priority=7)
    await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=dropped["id"], priority=2)
    r = await as_admin.put(f"/data/projects/{project['id']}", json={"task_types": [kept["id"], added["id"], UNKNOWN]})
    assert r.status_code == 200, r.text
    links = (await as_admin.get(f"/data/projects/{project['id']}")).json()["task_type_links"]
    assert {k: v["priority"] for k, v in links.items()} == {kept["id"]: 7, added["id"]: None}


async def test_update_tvshow_gives_the_first_episode(as_admin, make, db):
    project = await make.project()
    r = await as_admin.put(f"/data/projects/{project['id']}", json={"production_type": "tvshow"})
    assert r.status_code == 200
    episode_id = r.json()["first_episode_id"]
    again = await as_admin.put(f"/data/projects/{project['id']}", json={"name": "Renamed show"})
    assert again.json()["first_episode_id"] == episode_id


async def test_update_project_refusals(as_admin, as_manager, as_artist, anon, make, people):
    project = await make.project(team=[people["user"]])
    url = f"/data/projects/{project['id']}"
    assert (await anon.put(url, json={"name": "X"})).status_code == 401
    assert (await as_artist.put(url, json={"name": "X"})).status_code == 403
    assert (await as_manager.put(url, json={"name": "X"})).status_code == 403  # not on the team
    await make.add_to_team(project, people["manager"], role="user")
    assert (await as_manager.put(url, json={"name": "X"})).status_code == 403  # a mere artist on this one
    assert (await as_admin.put(f"/data/projects/{UNKNOWN}", json={"name": "X"})).status_code == 404
    assert (await as_admin.put("/data/projects/nope", json={"name": "X"})).status_code == 400
    r = await as_admin.put(url, json={"production_style": "bogus"})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid production_style")
    r = await as_admin.put(url, json={"ld_bitrate_compression": 20, "hd_bitrate_compression": 10})
    assert r.status_code == 400 and "cannot exceed" in r.json()["message"]


async def test_project_team_role_manager_may_update(client_for, make, people):
    project = await make.project()
    await make.add_to_team(project, people["user"], role="manager")
    async with client_for(people["user"]) as artist:
        r = await artist.put(f"/data/projects/{project['id']}", json={"description": "by a project manager"})
        assert r.status_code == 200
        assert r.json()["description"] == "by a project manager"


# --- /all ------------------------------------------------------------------------------


async def test_all_projects_admin(as_admin, make, db):
    project = await make.project(closed=True)
    await descriptor(db, project, "Budget", entity_type="Project")
    await descriptor(db, project, "Asset field")
    r = await as_admin.get("/data/projects/all")
    assert r.status_code == 200
    row = next(p for p in r.json() if p["id"] == project["id"])
    assert set(row) == PROJECT_KEYS | {"project_status_name", "descriptors"}
    assert row["project_status_name"] == "Closed"
    assert [d["name"] for d in row["descriptors"]] == ["Budget"]


async def test_all_projects_by_name(as_admin, as_artist, make, people):
    project = await make.project("Named Project", team=[people["user"]])
    r = await as_admin.get("/data/projects/all", params={"name": "named%"})
    assert [p["id"] for p in r.json()] == [project["id"]]
    assert set(r.json()[0]) == PROJECT_KEYS
    r = await as_artist.get("/data/projects/all", params={"name": "NAMED project"})
    assert [p["id"] for p in r.json()] == [project["id"]]
    assert (await as_admin.get("/data/projects/all", params={"name": "nothing"})).status_code == 404
    assert (await as_artist.get("/data/projects/all", params={"name": "nothing"})).status_code == 404


async def test_all_projects_member_sees_team_projects_even_closed(as_artist, anon, make, people):
    open_one = await make.project("A open", team=[people["user"]])
    closed_one = await make.project("B closed", team=[people["user"]], closed=True)
    await make.project()
    r = await as_artist.get("/data/projects/all")
    assert [p["id"] for p in r.json()] == [open_one["id"], closed_one["id"]]
    assert set(r.json()[0]) == PROJECT_KEYS
    assert (await anon.get("/data/projects/all")).status_code == 401


async def test_all_projects_query_count_is_constant(as_admin, make, queries):
    await make.project()
    queries.reset()
    await as_admin.get("/data/projects/all")
    few = queries.count
    for _ in range(10):
        await make.project()
    queries.reset()
    await as_admin.get("/data/projects/all")
    assert queries.count == few


# --- /open -----------------------------------------------------------------------------


async def test_open_projects_admin(as_admin, make, db):
    project = await make.project("Open A")
    closed = await make.project(closed=True)
    task_type = await make.task_type()
    await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=task_type["id"], priority=2)
    r = await as_admin.get("/data/projects/open")
    assert r.status_code == 200
    ids = [p["id"] for p in r.json()]
    assert project["id"] in ids and closed["id"] not in ids
    row = next(p for p in r.json() if p["id"] == project["id"])
    assert set(row) == PROJECT_KEYS | RELATION_KEYS | EXTRA_KEYS
    assert row["task_types"] == [task_type["id"]]
    assert row["task_types_priority"] == {task_type["id"]: 2}
    r = await as_admin.get("/data/projects/open", params={"name": "Open A"})
    assert [p["id"] for p in r.json()] == [project["id"]]


async def test_open_projects_member_and_descriptor_roles(client_for, make, db, people):
    as_client = await make.project("Client one", team=[people["user"]], production_type="tvshow")
    await make.add_to_team(as_client, people["manager"], role="client")
    as_user = await make.project("User one", team=[people["manager"]])
    await make.project("Not mine")
    await make.project("Closed mine", team=[people["manager"]], closed=True)
    episode = await make.episode(as_client, "E01")
    for project in (as_client, as_user):
        await descriptor(db, project, "Public", for_client=True)
        await descriptor(db, project, "Private")
    async with client_for(people["manager"]) as manager:
        r = await manager.get("/data/projects/open")
    assert r.status_code == 200
    rows = {p["name"]: p for p in r.json()}
    assert set(rows) == {"Client one", "User one"}
    assert [d["name"] for d in rows["Client one"]["descriptors"]] == ["Public"]
    assert [d["name"] for d in rows["User one"]["descriptors"]] == ["Public", "Private"]
    assert rows["Client one"]["first_episode_id"] == episode["id"]
    assert "first_episode_id" not in rows["User one"]


async def test_open_projects_query_count_is_constant(as_artist, anon, make, db, people, queries):
    project = await make.project(team=[people["user"]])
    await descriptor(db, project, "Field")
    queries.reset()
    assert len((await as_artist.get("/data/projects/open")).json()) == 1
    few = queries.count
    for _ in range(10):
        project = await make.project(team=[people["user"]], production_type="tvshow")
        await descriptor(db, project, "Field")
        await make.episode(project)
    queries.reset()
    assert len((await as_artist.get("/data/projects/open")).json()) == 11
    assert queries.count == few
    assert (await anon.get("/data/projects/open")).status_code == 401


async def test_create_project_from_a_template(as_admin, make, db):
    from app.repositories.tables.projects import ProjectTemplate, ProjectTemplateTaskTypeLink

    task_type = await make.task_type()
    template = await add(db, ProjectTemplate, name="Series template", fps="30", production_type="tvshow", ratio="4:3")
    await add(
        db, ProjectTemplateTaskTypeLink, project_template_id=template["id"], task_type_id=task_type["id"], priority=2
    )
    r = await as_admin.post(
        "/data/projects", json={"name": "From template", "fps": "24", "project_template_id": template["id"]}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["fps"], body["ratio"], body["production_type"]) == ("24", "4:3", "tvshow")
    assert body["first_episode_id"]
    assert body["task_types"] == [task_type["id"]]
    r = await as_admin.post("/data/projects", json={"name": "Bad template", "project_template_id": UNKNOWN})
    assert r.status_code == 404


async def test_create_project_rights_come_before_the_body(as_manager):
    assert (await as_manager.post("/data/projects", json={"unknown": 1})).status_code == 403
