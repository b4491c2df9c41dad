"""Production settings: task types, task statuses, asset types, status automations, batch, link order."""

from __future__ import annotations

from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select

from app.repositories.tables.projects import (
    Project,
    ProjectAssetTypeLink,
    ProjectStatusAutomationLink,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
)


async def links(db, model, project_id: str, column: str) -> dict[str, dict]:
    t = model.__table__
    rows = await db.execute(select(t).where(t.c.project_id == project_id))
    return {m[column]: dict(m) for m in rows.mappings()}


async def updated_at(db, project_id: str):
    t = Project.__table__
    return (await db.execute(select(t.c.updated_at).where(t.c.id == project_id))).scalar_one()


# --- task types --------------------------------------------------------------------------


async def test_production_task_types(as_artist, make, db, people):
    project = await make.project(team=[people["user"]])
    first = await make.task_type("Alpha TT", priority=1)
    second = await make.task_type("Beta TT", priority=2)
    await make.task_type("Unlinked TT")
    for task_type in (second, first):
        await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=task_type["id"])
    r = await as_artist.get(f"/data/projects/{project['id']}/task-types")
    assert r.status_code == 200
    assert [t["id"] for t in r.json()] == [first["id"], second["id"]]
    assert r.json()[0]["type"] == "TaskType" and r.json()[0]["name"] == "Alpha TT"


async def test_production_task_types_refusals_and_query_count(as_artist, anon, make, db, people, queries):
    project = await make.project(team=[people["user"]])
    other = await make.project()
    assert (await anon.get(f"/data/projects/{project['id']}/task-types")).status_code == 401
    assert (await as_artist.get(f"/data/projects/{other['id']}/task-types")).status_code == 403
    assert (await as_artist.get(f"/data/projects/{UNKNOWN}/task-types")).status_code == 404
    assert (await as_artist.get("/data/projects/bad/task-types")).status_code == 400
    await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=(await make.task_type())["id"])
    queries.reset()
    await as_artist.get(f"/data/projects/{project['id']}/task-types")
    few = queries.count
    for _ in range(10):
        await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=(await make.task_type())["id"])
    queries.reset()
    assert len((await as_artist.get(f"/data/projects/{project['id']}/task-types")).json()) == 11
    assert queries.count == few


async def test_add_task_type_setting(as_manager, make, db, people):
    project = await make.project(team=[people["manager"]])
    task_type = await make.task_type()
    before = await updated_at(db, project["id"])
    url = f"/data/projects/{project['id']}/settings/task-types"
    r = await as_manager.post(url, json={"task_type_id": task_type["id"], "priority": 4})
    assert r.status_code == 201, r.text
    assert r.json()["id"] == project["id"] and r.json()["type"] == "Project"
    assert r.json()["updated_at"] >= before.isoformat(timespec="seconds")
    link = (await links(db, ProjectTaskTypeLink, project["id"], "task_type_id"))[task_type["id"]]
    assert (link["priority"], link["is_client_visible"], link["hd_bitrate_compression"]) == (4, True, None)
    assert [e["data"] for e in await events_named(db, "project:update")] == [{"project_id": project["id"]}]
    # an existing link keeps its priority, takes the bitrates and the visibility
    r = await as_manager.post(
        url,
        json={"task_type_id": task_type["id"], "priority": 9, "hd_bitrate_compression": 10, "is_client_visible": False},
    )
    assert r.status_code == 201
    link = (await links(db, ProjectTaskTypeLink, project["id"], "task_type_id"))[task_type["id"]]
    assert (link["priority"], link["is_client_visible"], link["hd_bitrate_compression"]) == (4, False, 10)
    assert len(await events_named(db, "project:update")) == 2


async def test_add_task_type_setting_refusals(as_admin, as_artist, anon, make, people):
    project = await make.project(team=[people["user"]])
    task_type = await make.task_type()
    url = f"/data/projects/{project['id']}/settings/task-types"
    assert (await anon.post(url, json={"task_type_id": task_type["id"]})).status_code == 401
    assert (await as_artist.post(url, json={"task_type_id": task_type["id"]})).status_code == 403
    r = await as_admin.post(f"/data/projects/{UNKNOWN}/settings/task-types", json={"task_type_id": task_type["id"]})
    assert r.status_code == 404
    r = await as_admin.post(url, json={})
    assert r.json()["data"]["errors"][0]["field"] == "task_type_id"
    r = await as_admin.post(url, json={"task_type_id": "xx"})
    assert (r.status_code, r.json()["message"]) == (400, "task_type_id is required and must be a valid UUID")
    r = await as_admin.post(url, json={"task_type_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (400, f"TaskType with id {UNKNOWN} not found")
    r = await as_admin.post(url, json={"task_type_id": task_type["id"], "hd_bitrate_compression": 0})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "hd_bitrate_compression"
    r = await as_admin.post(url, json={"task_type_id": task_type["id"], "hd_bitrate_compression": 100})
    assert r.status_code == 400 and r.json()["message"].startswith("Invalid bitrate 100.")


async def test_remove_task_type_setting(as_admin, make, db):
    project = await make.project()
    task_type = await make.task_type()
    await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=task_type["id"])
    r = await as_admin.delete(f"/data/projects/{project['id']}/settings/task-types/{task_type['id']}")
    assert r.status_code == 204
    assert await links(db, ProjectTaskTypeLink, project["id"], "task_type_id") == {}
    assert len(await events_named(db, "project:update")) == 1
    # not linked: still saved
    assert (await as_admin.delete(f"/data/projects/{project['id']}/settings/task-types/{UNKNOWN}")).status_code == 204
    assert len(await events_named(db, "project:update")) == 2


async def test_remove_task_type_setting_refusals(as_admin, as_manager, anon, make, people):
    project = await make.project(team=[people["manager"]])
    url = f"/data/projects/{project['id']}/settings/task-types/{UNKNOWN}"
    assert (await anon.delete(url)).status_code == 401
    other = await make.project()
    assert (await as_manager.delete(f"/data/projects/{other['id']}/settings/task-types/{UNKNOWN}")).status_code == 403
    assert (await as_admin.delete(f"/data/projects/{UNKNOWN}/settings/task-types/{UNKNOWN}")).status_code == 404
    assert (await as_admin.delete(f"/data/projects/{project['id']}/settings/task-types/bad")).status_code == 400


# --- task statuses -----------------------------------------------------------------------


async def test_task_status_settings(as_admin, as_client, make, db, people):
    project = await make.project(team=[people["client"]])
    status = await make.task_status()
    url = f"/data/projects/{project['id']}/settings/task-status"
    r = await as_admin.post(url, json={"task_status_id": status["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["type"] == "Project"
    link = (await links(db, ProjectTaskStatusLink, project["id"], "task_status_id"))[status["id"]]
    assert link["roles_for_board"] == ["user", "admin", "supervisor", "manager", "vendor"]
    assert link["priority"] is None and link["is_client_allowed"] is None
    r = await as_client.get(url)
    assert r.status_code == 200
    assert [(s["id"], s["type"]) for s in r.json()] == [(status["id"], "TaskStatus")]
    # adding it again: no change, no event
    assert (await as_admin.post(url, json={"task_status_id": status["id"]})).status_code == 201
    assert len(await events_named(db, "project:update")) == 1
    r = await as_admin.delete(f"{url}/{status['id']}")
    assert r.status_code == 204
    assert (await as_client.get(url)).json() == []
    assert len(await events_named(db, "project:update")) == 2


async def test_task_status_settings_refusals(as_admin, as_artist, as_supervisor, anon, make, people):
    project = await make.project(team=[people["supervisor"]])
    status = await make.task_status()
    url = f"/data/projects/{project['id']}/settings/task-status"
    assert (await anon.get(url)).status_code == 401
    assert (await anon.post(url, json={"task_status_id": status["id"]})).status_code == 401
    assert (await as_artist.get(url)).status_code == 403
    assert (await as_supervisor.post(url, json={"task_status_id": status["id"]})).status_code == 403
    assert (await as_supervisor.delete(f"{url}/{status['id']}")).status_code == 403
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/settings/task-status")).status_code == 404
    assert (await as_admin.delete(f"/data/projects/{UNKNOWN}/settings/task-status/{UNKNOWN}")).status_code == 404
    r = await as_admin.post(url, json={"task_status_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (400, f"TaskStatus with id {UNKNOWN} not found")
    assert (await as_admin.post(url, json={"task_status_id": ""})).status_code == 400
    assert (await as_admin.delete(f"{url}/bad")).status_code == 400


async def test_task_statuses_query_count_is_constant(as_admin, make, db, queries):
    project = await make.project()
    await add(db, ProjectTaskStatusLink, project_id=project["id"], task_status_id=(await make.task_status())["id"])
    url = f"/data/projects/{project['id']}/settings/task-status"
    queries.reset()
    await as_admin.get(url)
    few = queries.count
    for _ in range(10):
        await add(db, ProjectTaskStatusLink, project_id=project["id"], task_status_id=(await make.task_status())["id"])
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 11
    assert queries.count == few


async def test_set_task_status_client_allowed(as_manager, make, db, people):
    project = await make.project(team=[people["manager"]])
    status = await make.task_status()
    await add(db, ProjectTaskStatusLink, project_id=project["id"], task_status_id=status["id"])
    url = f"/data/projects/{project['id']}/settings/task-status/{status['id']}"
    r = await as_manager.put(url, json={"is_client_allowed": False})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["type"] == "ProjectTaskStatusLink"
    assert (body["project_id"], body["task_status_id"], body["is_client_allowed"]) == (
        project["id"],
        status["id"],
        False,
    )
    assert len(await events_named(db, "project:update")) == 1
    r = await as_manager.put(url, json={"is_client_allowed": None})
    assert r.status_code == 200 and r.json()["is_client_allowed"] is None


async def test_set_task_status_client_allowed_refusals(as_admin, as_artist, anon, make, db, people):
    project = await make.project(team=[people["user"]])
    status = await make.task_status()
    await add(db, ProjectTaskStatusLink, project_id=project["id"], task_status_id=status["id"])
    url = f"/data/projects/{project['id']}/settings/task-status/{status['id']}"
    assert (await anon.put(url, json={"is_client_allowed": True})).status_code == 401
    assert (await as_artist.put(url, json={"is_client_allowed": True})).status_code == 403
    r = await as_admin.put(url, json={})
    assert r.json()["data"] == {"errors": [{"field": "is_client_allowed", "message": "Field required"}]}
    assert (await as_admin.put(url, json={"is_client_allowed": "maybe"})).status_code == 400
    unlinked = f"/data/projects/{project['id']}/settings/task-status/{UNKNOWN}"
    assert (await as_admin.put(unlinked, json={"is_client_allowed": True})).status_code == 404
    unknown_project = f"/data/projects/{UNKNOWN}/settings/task-status/{status['id']}"
    assert (await as_admin.put(unknown_project, json={"is_client_allowed": True})).status_code == 404
    bad = f"/data/projects/{project['id']}/settings/task-status/bad"
    assert (await as_admin.put(bad, json={"is_client_allowed": True})).status_code == 400


# --- asset types -------------------------------------------------------------------------


async def test_asset_type_settings(as_manager, make, db, people):
    project = await make.project(team=[people["manager"]])
    asset_type = await make.entity_type()
    url = f"/data/projects/{project['id']}/settings/asset-types"
    r = await as_manager.post(url, json={"asset_type_id": asset_type["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["id"] == project["id"]
    assert list(await links(db, ProjectAssetTypeLink, project["id"], "asset_type_id")) == [asset_type["id"]]
    assert len(await events_named(db, "project:update")) == 1
    r = await as_manager.delete(f"{url}/{asset_type['id']}")
    assert r.status_code == 204
    assert await links(db, ProjectAssetTypeLink, project["id"], "asset_type_id") == {}
    assert len(await events_named(db, "project:update")) == 2


async def test_asset_type_settings_refusals(as_admin, as_artist, anon, make, people):
    project = await make.project(team=[people["user"]])
    asset_type = await make.entity_type()
    url = f"/data/projects/{project['id']}/settings/asset-types"
    assert (await anon.post(url, json={"asset_type_id": asset_type["id"]})).status_code == 401
    assert (await as_artist.post(url, json={"asset_type_id": asset_type["id"]})).status_code == 403
    assert (await as_artist.delete(f"{url}/{asset_type['id']}")).status_code == 403
    r = await as_admin.post(f"/data/projects/{UNKNOWN}/settings/asset-types", json={"asset_type_id": asset_type["id"]})
    assert r.status_code == 404
    assert (await as_admin.delete(f"/data/projects/{UNKNOWN}/settings/asset-types/{UNKNOWN}")).status_code == 404
    r = await as_admin.post(url, json={"asset_type_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (400, f"EntityType with id {UNKNOWN} not found")
    assert (await as_admin.post(url, json={})).status_code == 400
    assert (await as_admin.delete(f"{url}/bad")).status_code == 400


# --- status automations ------------------------------------------------------------------


async def test_status_automation_settings(as_manager, make, db, people):
    project = await make.project(team=[people["manager"]])
    rule = await make.status_automation()
    url = f"/data/projects/{project['id']}/settings/status-automations"
    r = await as_manager.post(url, json={"status_automation_id": rule["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["type"] == "Project"
    r = await as_manager.get(url)
    assert r.status_code == 200
    assert [(a["id"], a["type"], a["out_field_type"]) for a in r.json()] == [(rule["id"], "StatusAutomation", "status")]
    assert len(await events_named(db, "project:update")) == 1
    r = await as_manager.delete(f"{url}/{rule['id']}")
    assert r.status_code == 204
    assert await links(db, ProjectStatusAutomationLink, project["id"], "status_automation_id") == {}
    assert (await as_manager.get(url)).json() == []


async def test_status_automation_settings_refusals(as_admin, as_supervisor, anon, make, db, people):
    project = await make.project(team=[people["supervisor"]])
    rule = await make.status_automation()
    url = f"/data/projects/{project['id']}/settings/status-automations"
    assert (await anon.get(url)).status_code == 401
    assert (await as_supervisor.get(url)).status_code == 403  # managers only, even to read
    assert (await as_supervisor.post(url, json={"status_automation_id": rule["id"]})).status_code == 403
    assert (await as_supervisor.delete(f"{url}/{rule['id']}")).status_code == 403
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/settings/status-automations")).status_code == 404
    r = await as_admin.post(url, json={"status_automation_id": UNKNOWN})
    assert (r.status_code, r.json()["message"]) == (400, f"StatusAutomation with id {UNKNOWN} not found")
    assert (await as_admin.post(url, json={"status_automation_id": 5})).status_code == 400
    assert (await as_admin.delete(f"{url}/bad")).status_code == 400


async def test_status_automation_settings_query_count_is_constant(as_admin, make, db, queries):
    project = await make.project()
    url = f"/data/projects/{project['id']}/settings/status-automations"
    rule = await make.status_automation()
    await add(db, ProjectStatusAutomationLink, project_id=project["id"], status_automation_id=rule["id"])
    queries.reset()
    await as_admin.get(url)
    few = queries.count
    for _ in range(10):
        rule = await make.status_automation()
        await add(db, ProjectStatusAutomationLink, project_id=project["id"], status_automation_id=rule["id"])
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 11
    assert queries.count == few


# --- batch -------------------------------------------------------------------------------


async def test_settings_batch(as_manager, make, db, people):
    project = await make.project(team=[people["manager"]])
    linked, new, dropped = await make.task_type(), await make.task_type(), await make.task_type()
    await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=linked["id"], priority=1)
    await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=dropped["id"], priority=2)
    status, asset_type = await make.task_status(), await make.entity_type()
    body = {
        "task_types": [
            {"task_type_id": new["id"], "priority": 5, "is_client_visible": False},
            {"task_type_id": UNKNOWN},
            {"task_type_id": "bad"},
            {"task_type_id": linked["id"], "priority": 7},
        ],
        "task_status_ids": [status["id"], UNKNOWN, status["id"]],
        "asset_type_ids": [asset_type["id"], UNKNOWN],
    }
    r = await as_manager.post(f"/data/projects/{project['id']}/settings/batch", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == project["id"] and "task_types" not in r.json()
    type_links = await links(db, ProjectTaskTypeLink, project["id"], "task_type_id")
    assert {k: (v["priority"], v["is_client_visible"]) for k, v in type_links.items()} == {
        linked["id"]: (7, True),
        new["id"]: (5, False),
        dropped["id"]: (2, True),
    }
    assert list(await links(db, ProjectTaskStatusLink, project["id"], "task_status_id")) == [status["id"]]
    assert list(await links(db, ProjectAssetTypeLink, project["id"], "asset_type_id")) == [asset_type["id"]]
    assert len(await events_named(db, "project:update")) == 1
    # replace: the task types absent from the list lose their link
    body = {"replace_task_types": True, "task_types": [{"task_type_id": new["id"]}, {"task_type_id": linked["id"]}]}
    r = await as_manager.post(f"/data/projects/{project['id']}/settings/batch", json=body)
    assert r.status_code == 200
    type_links = await links(db, ProjectTaskTypeLink, project["id"], "task_type_id")
    assert {k: v["priority"] for k, v in type_links.items()} == {linked["id"]: 7, new["id"]: 5}


async def test_settings_batch_refusals(as_admin, as_artist, anon, make, people):
    project = await make.project(team=[people["user"]])
    url = f"/data/projects/{project['id']}/settings/batch"
    assert (await anon.post(url, json={})).status_code == 401
    assert (await as_artist.post(url, json={})).status_code == 403
    assert (await as_admin.post(f"/data/projects/{UNKNOWN}/settings/batch", json={})).status_code == 404
    r = await as_admin.post(url, json={"task_types": [{"priority": 1}]})
    assert r.json()["data"] == {"errors": [{"field": "task_types.0.task_type_id", "message": "Field required"}]}
    assert (await as_admin.post(url, json=[])).status_code == 400
    assert (await as_admin.post("/data/projects/bad/settings/batch", json={})).status_code == 400


# --- link order --------------------------------------------------------------------------


async def test_reorder_task_type_links(as_manager, make, db, people):
    project = await make.project(team=[people["manager"]])
    first, second, unlinked = await make.task_type(), await make.task_type(), await make.task_type()
    for task_type in (first, second):
        await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=task_type["id"], priority=9)
    url = f"/actions/projects/{project['id']}/task-type-links/reorder"
    r = await as_manager.post(url, json={"task_type_ids": [second["id"], unlinked["id"], first["id"]]})
    assert r.status_code == 200, r.text
    assert [(link["task_type_id"], link["priority"], link["type"]) for link in r.json()] == [
        (second["id"], 1, "ProjectTaskTypeLink"),
        (first["id"], 3, "ProjectTaskTypeLink"),
    ]
    stored = await links(db, ProjectTaskTypeLink, project["id"], "task_type_id")
    assert {k: v["priority"] for k, v in stored.items()} == {second["id"]: 1, first["id"]: 3}
    assert len(await events_named(db, "project:update")) == 1
    r = await as_manager.post(url, json={"task_type_ids": []})
    assert r.json() == []


async def test_reorder_task_status_links(as_admin, make, db):
    project = await make.project()
    first, second = await make.task_status(), await make.task_status()
    for status in (first, second):
        await add(
            db, ProjectTaskStatusLink, project_id=project["id"], task_status_id=status["id"], roles_for_board=["user"]
        )
    url = f"/actions/projects/{project['id']}/task-status-links/reorder"
    r = await as_admin.post(url, json={"task_status_ids": [second["id"], first["id"]]})
    assert r.status_code == 200, r.text
    assert [(link["task_status_id"], link["priority"], link["type"]) for link in r.json()] == [
        (second["id"], 1, "ProjectTaskStatusLink"),
        (first["id"], 2, "ProjectTaskStatusLink"),
    ]
    stored = await links(db, ProjectTaskStatusLink, project["id"], "task_status_id")
    assert {k: (v["priority"], v["roles_for_board"]) for k, v in stored.items()} == {
        second["id"]: (1, ["user"]),
        first["id"]: (2, ["user"]),
    }
    assert len(await events_named(db, "project:update")) == 1


async def test_reorder_refusals(as_admin, as_artist, anon, make, people):
    project = await make.project(team=[people["user"]])
    for kind, key in (("task-type-links", "task_type_ids"), ("task-status-links", "task_status_ids")):
        url = f"/actions/projects/{project['id']}/{kind}/reorder"
        assert (await anon.post(url, json={key: []})).status_code == 401
        assert (await as_artist.post(url, json={key: []})).status_code == 403
        assert (await as_artist.post(url, content=b"not json")).status_code == 403  # rights before body
        assert (await as_admin.post(f"/actions/projects/{UNKNOWN}/{kind}/reorder", json={key: []})).status_code == 404
        assert (await as_admin.post(f"/actions/projects/bad/{kind}/reorder", json={key: []})).status_code == 400
        r = await as_admin.post(url, json={"other": []})
        assert (r.status_code, r.json()["message"]) == (
            400,
            f"Request body must be a JSON object with a '{key}' list.",
        )
        assert (await as_admin.post(url, json={key: ["bad"]})).status_code == 400
        assert (await as_admin.post(url, content=b"x", headers={"content-type": "text/plain"})).status_code == 415
        assert (
            await as_admin.post(url, content=b"{bad", headers={"content-type": "application/json"})
        ).status_code == 400


async def test_reorder_query_count_is_constant(as_admin, make, db, queries):
    project = await make.project()
    url = f"/actions/projects/{project['id']}/task-type-links/reorder"
    ids = []
    for _ in range(11):
        task_type = await make.task_type()
        await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=task_type["id"])
        ids.append(task_type["id"])
    queries.reset()
    await as_admin.post(url, json={"task_type_ids": ids[:1]})
    few = queries.count
    queries.reset()
    assert len((await as_admin.post(url, json={"task_type_ids": ids})).json()) == 11
    assert queries.count == few


async def test_settings_batch_new_links_with_and_without_visibility(as_admin, make, db):
    project = await make.project()
    hidden, default = await make.task_type(), await make.task_type()
    body = {"task_types": [{"task_type_id": hidden["id"], "is_client_visible": False}, {"task_type_id": default["id"]}]}
    r = await as_admin.post(f"/data/projects/{project['id']}/settings/batch", json=body)
    assert r.status_code == 200, r.text
    type_links = await links(db, ProjectTaskTypeLink, project["id"], "task_type_id")
    assert {k: v["is_client_visible"] for k, v in type_links.items()} == {hidden["id"]: False, default["id"]: True}
