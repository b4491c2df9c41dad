"""The user's context routes: the per-entity and per-project listings of what the caller works on,
their open projects and the login context (`/data/user/context`)."""

from __future__ import annotations

import pytest
from helpers import UNKNOWN, add
from zou_shapes import TASK_KEYS

from app.repositories.tables.catalog import Plugin, TaskTypeAssetTypeLink
from app.repositories.tables.projects import ProjectPersonLink
from app.repositories.tables.tasks import Notification, SearchFilter

ENTITY_KEYS = [
    "id",
    "name",
    "code",
    "description",
    "shotgun_id",
    "canceled",
    "nb_frames",
    "nb_entities_out",
    "is_casting_standby",
    "is_shared",
    "status",
    "project_id",
    "entity_type_id",
    "parent_id",
    "source_id",
    "preview_file_id",
    "data",
    "ready_for",
    "created_by",
    "created_at",
    "updated_at",
    "type",
]
TASK_TYPE_KEYS = [
    "name",
    "short_name",
    "description",
    "color",
    "priority",
    "for_entity",
    "allow_timelog",
    "archived",
    "shotgun_id",
    "department_id",
    "id",
    "created_at",
    "updated_at",
    "type",
]
CONTEXT_KEYS = [
    "asset_types",
    "custom_actions",
    "status_automations",
    "departments",
    "studios",
    "notification_count",
    "persons",
    "project_status",
    "project_roles",
    "projects",
    "task_types",
    "task_status",
    "search_filters",
    "search_filter_groups",
    "preview_background_files",
    "plugins",
]


@pytest.fixture
async def world(make, people):
    """A tv show where the artist works on one shot (two tasks) and one asset; a closed project
    and a project whose team the artist is not on, each with a task assigned to the artist."""
    uid = people["user"]
    project = await make.project(team=[uid, people["client"], people["manager"]], production_type="tvshow")
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "SQ01", episode=episode)
    shot = await make.shot(project, sequence, "SH01")
    other_shot = await make.shot(project, sequence, "SH02")
    scene = await make.scene(project, sequence, "SC01")
    character = await make.entity_type("Character")
    asset = await make.asset(project, character, "Hero")
    unassigned_asset = await make.asset(project, character, "Villain")
    animation = await make.task_type("Animation", for_entity="Shot")
    layout = await make.task_type("Layout", for_entity="Shot")
    modeling = await make.task_type("Modeling")
    tasks = {
        "animation": await make.task(shot, animation, assignees=[uid]),
        "layout": await make.task(shot, layout, assignees=[uid, people["manager"]]),
        "other_shot": await make.task(other_shot, animation, assignees=[people["manager"]]),
        "modeling": await make.task(asset, modeling, assignees=[uid]),
        "scene": await make.task(scene, layout, assignees=[uid]),
        "villain": await make.task(unassigned_asset, modeling),
    }
    closed = await make.project(team=[uid], closed=True)
    closed_seq = await make.sequence(closed, "CSQ")
    closed_shot = await make.shot(closed, closed_seq, "CSH")
    tasks["closed"] = await make.task(closed_shot, animation, assignees=[uid])
    foreign = await make.project(team=[people["manager"]])
    foreign_seq = await make.sequence(foreign, "FSQ")
    foreign_shot = await make.shot(foreign, foreign_seq, "FSH")
    tasks["foreign"] = await make.task(foreign_shot, animation, assignees=[people["manager"]])
    return {
        "project": project,
        "episode": episode,
        "sequence": sequence,
        "shot": shot,
        "other_shot": other_shot,
        "scene": scene,
        "character": character,
        "asset": asset,
        "animation": animation,
        "layout": layout,
        "modeling": modeling,
        "tasks": tasks,
        "closed": closed,
        "closed_seq": closed_seq,
        "closed_shot": closed_shot,
        "foreign": foreign,
        "foreign_seq": foreign_seq,
        "foreign_shot": foreign_shot,
    }


# --- per entity ----------------------------------------------------------------------------


async def test_shot_tasks_and_task_types(as_artist, as_manager, as_admin, anon, world):
    shot, tasks = world["shot"], world["tasks"]
    r = await as_artist.get(f"/data/user/shots/{shot['id']}/tasks")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [t["id"] for t in body] == [tasks["animation"]["id"], tasks["layout"]["id"]]
    assert list(body[0]) == TASK_KEYS
    assert body[0]["type"] == "Task" and body[0]["entity_id"] == shot["id"]
    assert body[0]["task_type_id"] == world["animation"]["id"] and body[0]["duration"] == 0
    # the manager is assigned to the layout task only; the admin to nothing
    r = await as_manager.get(f"/data/user/shots/{shot['id']}/tasks")
    assert [t["id"] for t in r.json()] == [tasks["layout"]["id"]]
    assert (await as_admin.get(f"/data/user/shots/{shot['id']}/tasks")).json() == []
    r = await as_artist.get(f"/data/user/shots/{shot['id']}/task-types")
    assert r.status_code == 200
    assert [t["name"] for t in r.json()] == ["Animation", "Layout"]
    assert list(r.json()[0]) == TASK_TYPE_KEYS and r.json()[0]["type"] == "TaskType"
    # errors
    assert (await anon.get(f"/data/user/shots/{shot['id']}/tasks")).status_code == 401
    assert (await anon.get(f"/data/user/shots/{shot['id']}/task-types")).status_code == 401
    for route in ("tasks", "task-types"):
        assert (await as_artist.get(f"/data/user/shots/{UNKNOWN}/{route}")).status_code == 404
        r = await as_artist.get(f"/data/user/shots/{world['asset']['id']}/{route}")  # not a shot
        assert r.status_code == 404
        r = await as_artist.get(f"/data/user/shots/not-an-id/{route}")
        assert r.status_code == 400 and r.json()["message"] == "Malformed ID."


async def test_closed_and_foreign_projects_show_nothing(as_artist, client_for, make, world, people):
    """Tasks of a closed project are not listed; a person not assigned reads nothing of a shot,
    whether or not they are on the team."""
    r = await as_artist.get(f"/data/user/shots/{world['closed_shot']['id']}/tasks")
    assert r.status_code == 200 and r.json() == []
    assert (await as_artist.get(f"/data/user/shots/{world['closed_shot']['id']}/task-types")).json() == []
    r = await as_artist.get(f"/data/user/shots/{world['foreign_shot']['id']}/tasks")
    assert r.status_code == 200 and r.json() == []
    assert (await as_artist.get(f"/data/user/sequences/{world['foreign_seq']['id']}/shots")).json() == []
    assert (await as_artist.get(f"/data/user/projects/{world['foreign']['id']}/sequences")).json() == []
    async with client_for(people["supervisor"]) as outsider:
        assert (await outsider.get(f"/data/user/shots/{world['shot']['id']}/tasks")).json() == []
        assert (await outsider.get(f"/data/user/projects/{world['project']['id']}/asset-types")).json() == []


async def test_asset_scene_sequence_tasks(as_artist, anon, make, world):
    tasks = world["tasks"]
    r = await as_artist.get(f"/data/user/assets/{world['asset']['id']}/tasks")
    assert r.status_code == 200 and [t["id"] for t in r.json()] == [tasks["modeling"]["id"]]
    r = await as_artist.get(f"/data/user/assets/{world['asset']['id']}/task-types")
    assert [t["id"] for t in r.json()] == [world["modeling"]["id"]]
    r = await as_artist.get(f"/data/user/scenes/{world['scene']['id']}/tasks")
    assert r.status_code == 200 and [t["id"] for t in r.json()] == [tasks["scene"]["id"]]
    r = await as_artist.get(f"/data/user/scenes/{world['scene']['id']}/task-types")
    assert [t["name"] for t in r.json()] == ["Layout"]
    # a sequence's own tasks, not its shots'
    r = await as_artist.get(f"/data/user/sequences/{world['sequence']['id']}/tasks")
    assert r.status_code == 200 and r.json() == []
    seq_type = await make.task_type("Seq review", for_entity="Sequence")
    seq_task = await make.task(world["sequence"], seq_type, assignees=[as_artist.person_id])
    r = await as_artist.get(f"/data/user/sequences/{world['sequence']['id']}/tasks")
    assert [t["id"] for t in r.json()] == [seq_task["id"]]
    r = await as_artist.get(f"/data/user/sequences/{world['sequence']['id']}/task-types")
    assert [t["id"] for t in r.json()] == [seq_type["id"]]
    for kinds, wrong in (("assets", "shot"), ("scenes", "shot"), ("sequences", "shot"), ("assets", "scene")):
        for route in ("tasks", "task-types"):
            url = f"/data/user/{kinds}/{world[wrong]['id']}/{route}"
            assert (await as_artist.get(url)).status_code == 404, url
            assert (await as_artist.get(f"/data/user/{kinds}/{UNKNOWN}/{route}")).status_code == 404
            assert (await as_artist.get(f"/data/user/{kinds}/nope/{route}")).status_code == 400
            assert (await anon.get(f"/data/user/{kinds}/{world['asset']['id']}/{route}")).status_code == 401


# --- per project, per sequence -----------------------------------------------------------------


async def test_project_listings(as_artist, anon, world):
    pid = world["project"]["id"]
    r = await as_artist.get(f"/data/user/projects/{pid}/asset-types")
    assert r.status_code == 200
    assert [t["id"] for t in r.json()] == [world["character"]["id"]]
    assert list(r.json()[0]) == [
        "name",
        "short_name",
        "description",
        "archived",
        "id",
        "created_at",
        "updated_at",
        "type",
    ]
    assert r.json()[0]["type"] == "AssetType"
    r = await as_artist.get(f"/data/user/projects/{pid}/asset-types/{world['character']['id']}/assets")
    assert r.status_code == 200
    assert [a["name"] for a in r.json()] == ["Hero"]  # the villain has no task of theirs
    assert list(r.json()[0]) == ENTITY_KEYS and r.json()[0]["type"] == "Asset"
    r = await as_artist.get(f"/data/user/projects/{pid}/episodes")
    assert r.status_code == 200 and [(e["id"], e["type"]) for e in r.json()] == [(world["episode"]["id"], "Episode")]
    assert list(r.json()[0]) == ENTITY_KEYS
    r = await as_artist.get(f"/data/user/projects/{pid}/sequences")
    assert r.status_code == 200
    assert [(s["id"], s["type"]) for s in r.json()] == [(world["sequence"]["id"], "Sequence")]  # once, not per task
    r = await as_artist.get(f"/data/user/sequences/{world['sequence']['id']}/shots")
    assert r.status_code == 200 and [(s["name"], s["type"]) for s in r.json()] == [("SH01", "Shot")]
    r = await as_artist.get(f"/data/user/sequences/{world['sequence']['id']}/scenes")
    assert r.status_code == 200 and [(s["name"], s["type"]) for s in r.json()] == [("SC01", "Scene")]
    # closed projects list nothing
    closed = world["closed"]["id"]
    assert (await as_artist.get(f"/data/user/projects/{closed}/sequences")).json() == []
    assert (await as_artist.get(f"/data/user/sequences/{world['closed_seq']['id']}/shots")).json() == []
    # errors
    paths = [
        "/data/user/projects/{p}/asset-types",
        "/data/user/projects/{p}/episodes",
        "/data/user/projects/{p}/sequences",
        "/data/user/projects/{p}/asset-types/" + world["character"]["id"] + "/assets",
    ]
    for path in paths:
        assert (await anon.get(path.format(p=pid))).status_code == 401
        assert (await as_artist.get(path.format(p=UNKNOWN))).status_code == 404
        r = await as_artist.get(path.format(p="nope"))
        assert r.status_code == 400 and r.json()["message"] == "Malformed ID."
    base = f"/data/user/projects/{pid}/asset-types"
    assert (await as_artist.get(f"{base}/{UNKNOWN}/assets")).status_code == 404
    shot_type = world["shot"]["entity_type_id"]
    assert (await as_artist.get(f"{base}/{shot_type}/assets")).status_code == 404  # not an asset type
    assert (await as_artist.get(f"{base}/nope/assets")).status_code == 400
    for route in ("shots", "scenes"):
        assert (await anon.get(f"/data/user/sequences/{world['sequence']['id']}/{route}")).status_code == 401
        assert (await as_artist.get(f"/data/user/sequences/{UNKNOWN}/{route}")).status_code == 404
        assert (await as_artist.get(f"/data/user/sequences/{world['shot']['id']}/{route}")).status_code == 404
        assert (await as_artist.get(f"/data/user/sequences/nope/{route}")).status_code == 400


# --- open projects -----------------------------------------------------------------------------


async def test_open_projects(as_artist, as_admin, anon, make, people, world):
    r = await as_artist.get("/data/user/projects/open")
    assert r.status_code == 200
    body = r.json()
    assert [p["id"] for p in body] == [world["project"]["id"]]  # not closed, not the foreign one
    project = body[0]
    assert project["type"] == "Project" and project["first_episode_id"] == world["episode"]["id"]
    keys = list(project)
    assert keys.index("from_schedule_version_id") < keys.index("team") < keys.index("id") < keys.index("descriptors")
    assert keys[-5:] == [
        "descriptors",
        "task_type_links",
        "task_types_priority",
        "task_statuses_link",
        "first_episode_id",
    ]
    assert set(project["team"]) == {people["user"], people["client"], people["manager"]}
    r = await as_artist.get("/data/user/projects/open", params={"name": world["project"]["name"]})
    assert [p["id"] for p in r.json()] == [world["project"]["id"]]
    assert (await as_artist.get("/data/user/projects/open", params={"name": "nothing"})).json() == []
    # admins see every open project, team or not
    ids = {p["id"] for p in (await as_admin.get("/data/user/projects/open")).json()}
    assert {world["project"]["id"], world["foreign"]["id"]} <= ids and world["closed"]["id"] not in ids
    assert (await anon.get("/data/user/projects/open")).status_code == 401


# --- the context -------------------------------------------------------------------------------


async def test_context_as_artist(as_artist, anon, db, make, people, world):
    uid = people["user"]
    dept = await make.department("Anim dept", members=[uid])
    await add(db, TaskTypeAssetTypeLink, asset_type_id=world["character"]["id"], task_type_id=world["modeling"]["id"])
    await add(db, Notification, person_id=uid, author_id=people["manager"], type="comment", read=False)
    await add(db, Notification, person_id=uid, author_id=people["manager"], type="mention", read=True)
    await add(db, Plugin, plugin_id="p1", name="P", version="1", maintainer_name="m", license="MIT")
    await add(db, SearchFilter, list_type="todos", name="mine", search_query="x", person_id=uid)
    await db.execute(
        ProjectPersonLink.__table__.update()
        .where(ProjectPersonLink.__table__.c.project_id == world["project"]["id"])
        .where(ProjectPersonLink.__table__.c.person_id == uid)
        .values(role="supervisor")
    )
    r = await as_artist.get("/data/user/context")
    assert r.status_code == 200, r.text
    ctx = r.json()
    assert list(ctx) == CONTEXT_KEYS  # no user_limit for non-admins
    assert ctx["notification_count"] == 1
    assert ctx["project_roles"] == {world["project"]["id"]: "supervisor"}
    assert [p["id"] for p in ctx["projects"]] == [world["project"]["id"]]
    character = next(t for t in ctx["asset_types"] if t["id"] == world["character"]["id"])
    assert list(character) == [
        "name",
        "short_name",
        "description",
        "task_types",
        "archived",
        "id",
        "created_at",
        "updated_at",
        "type",
    ]
    assert character["task_types"] == [world["modeling"]["id"]] and character["type"] == "AssetType"
    assert not {"Shot", "Sequence", "Episode", "Scene", "Edit", "Concept"} & {t["name"] for t in ctx["asset_types"]}
    me = next(p for p in ctx["persons"] if p["id"] == uid)
    assert list(me) == [
        "id",
        "type",
        "first_name",
        "last_name",
        "full_name",
        "has_avatar",
        "active",
        "departments",
        "studio_id",
        "role",
        "desktop_login",
        "is_bot",
    ]
    assert me["full_name"] == "User Tester" and me["departments"] == [dept["id"]] and me["role"] == "user"
    assert "email" not in me
    assert {p["id"] for p in ctx["persons"]} >= set(people.values())
    assert {t["id"] for t in ctx["task_types"]} >= {world["animation"]["id"], world["modeling"]["id"]}
    assert all(t["type"] == "TaskType" for t in ctx["task_types"])
    assert {s["name"] for s in ctx["task_status"]} >= {"Todo", "Done"}
    assert any(d["id"] == dept["id"] and d["type"] == "Department" for d in ctx["departments"])
    assert {s["name"] for s in ctx["project_status"]} == {"Open", "Closed"}
    assert ctx["plugins"][0]["plugin_id"] == "p1" and list(ctx["plugins"][0])[:3] == ["id", "plugin_id", "name"]
    assert ctx["search_filters"]["todos"]["all"][0]["name"] == "mine"
    assert (await anon.get("/data/user/context")).status_code == 401


async def test_context_as_admin_and_manager(as_admin, as_manager, world, people, settings):
    ctx = (await as_admin.get("/data/user/context")).json()
    assert list(ctx) == [*CONTEXT_KEYS, "user_limit"] and ctx["user_limit"] == settings.user_limit
    ids = {p["id"] for p in ctx["projects"]}
    assert {world["project"]["id"], world["foreign"]["id"]} <= ids and world["closed"]["id"] not in ids
    for c in (as_admin, as_manager):
        persons = (await c.get("/data/user/context")).json()["persons"]
        person = next(p for p in persons if p["id"] == people["user"])
        keys = list(person)
        assert keys[-7:] == ["departments", "studio_id", "full_name", "id", "created_at", "updated_at", "type"]
        assert person["email"] == "user@example.com" and "password" not in person and "totp_secret" not in person
    assert "user_limit" not in (await as_manager.get("/data/user/context")).json()


async def test_context_as_client(as_client, world, people):
    ctx = (await as_client.get("/data/user/context")).json()
    persons = ctx["persons"]
    # only the people of the client's open teams, by name, in the client view
    assert {p["id"] for p in persons} == {people["user"], people["client"], people["manager"]}
    assert [p["full_name"] for p in persons] == sorted(p["full_name"] for p in persons)
    assert list(persons[0]) == [
        "id",
        "type",
        "first_name",
        "last_name",
        "full_name",
        "has_avatar",
        "active",
        "role",
        "is_bot",
    ]
    assert [p["id"] for p in ctx["projects"]] == [world["project"]["id"]]


async def test_context_query_count_is_fixed(as_artist, make, people, queries):
    await make.project(team=[people["user"]])
    queries.reset()
    assert (await as_artist.get("/data/user/context")).status_code == 200
    few = queries.count
    for _ in range(5):
        project = await make.project(team=[people["user"]], production_type="tvshow")
        await make.episode(project)
        await make.department()
        await make.task_type()
    queries.reset()
    assert (await as_artist.get("/data/user/context")).status_code == 200
    assert queries.count == few
