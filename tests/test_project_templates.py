"""Project templates: CRUD, links, descriptor snapshot, reorder, from-project and apply-template."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import func, select

from app.repositories.tables.projects import (
    MetadataDescriptor,
    ProjectAssetTypeLink,
    ProjectStatusAutomationLink,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
    ProjectTemplateTaskTypeLink,
)

NOT_FOUND = {"message": "Project template not found"}
TEMPLATES = "/data/project-templates"


async def count(db, model, **where) -> int:
    t = model.__table__
    stmt = select(func.count()).select_from(t).where(*(t.c[k] == v for k, v in where.items()))
    return (await db.execute(stmt)).scalar_one()


async def new_template(client, name: str = "Tpl", **values) -> dict:
    r = await client.post(TEMPLATES, json={"name": name, **values})
    assert r.status_code == 201, r.text
    return r.json()


# --- create / read / update / delete -----------------------------------------------------------


async def test_create_template_keeps_settings_only(as_admin, db):
    r = await as_admin.post(
        TEMPLATES,
        json={
            "name": "Feature",
            "description": "A feature film",
            "fps": "24",
            "hd_bitrate_compression": 20,
            "file_tree": {"a": 1},
            "is_frame_in_numbering": True,  # not a setting Zou copies on creation
            "bogus": 1,
        },
    )
    assert r.status_code == 201, r.text
    row = r.json()
    assert row["type"] == "ProjectTemplate"
    assert (row["name"], row["description"], row["fps"], row["hd_bitrate_compression"]) == (
        "Feature",
        "A feature film",
        "24",
        20,
    )
    assert row["file_tree"] == {"a": 1}
    assert row["metadata_descriptors"] == []
    assert row["is_frame_in_numbering"] is False
    assert "bogus" not in row and "task_types" not in row
    assert [e["data"] for e in await events_named(db, "project-template:new")] == [{"project_template_id": row["id"]}]


async def test_create_template_refusals(anon, as_admin, as_manager):
    assert (await anon.post(TEMPLATES, json={"name": "x"})).status_code == 401
    assert (await as_manager.post(TEMPLATES, json={"name": "x"})).status_code == 403
    r = await as_admin.post(TEMPLATES, json={})
    assert (r.status_code, r.json()) == (400, {"message": "name is required"})
    await new_template(as_admin, "Taken")
    r = await as_admin.post(TEMPLATES, json={"name": "Taken"})
    assert (r.status_code, r.json()) == (400, {"message": "A project template with this name already exists"})
    r = await as_admin.post(TEMPLATES, json={"name": "Bitrate", "hd_bitrate_compression": 100})
    assert r.status_code == 400
    assert r.json()["message"].startswith("Invalid bitrate 100.")
    r = await as_admin.post(TEMPLATES, json={"name": "Low", "hd_bitrate_compression": 5, "ld_bitrate_compression": 8})
    assert r.json() == {"message": "The low definition bitrate (8) cannot exceed the high definition one (5)."}


async def test_list_and_get_templates(as_admin, as_manager, as_supervisor, anon, db, make):
    template = await new_template(as_admin, "Listed")
    task_type = await make.task_type()
    await as_admin.post(f"{TEMPLATES}/{template['id']}/task-types", json={"task_type_id": task_type["id"]})
    r = await as_manager.get(TEMPLATES)
    assert r.status_code == 200
    assert [t["name"] for t in r.json()] == ["Listed"]
    assert "task_types" not in r.json()[0]
    r = await as_manager.get(f"{TEMPLATES}/{template['id']}")
    assert r.status_code == 200
    one = r.json()
    assert one["task_types"] == [task_type["id"]]
    assert one["task_statuses"] == one["asset_types"] == one["status_automations"] == []
    assert one["preview_background_files"] == []
    assert (await as_supervisor.get(TEMPLATES)).status_code == 403
    assert (await as_supervisor.get(f"{TEMPLATES}/{template['id']}")).status_code == 403
    assert (await anon.get(TEMPLATES)).status_code == 401
    assert (await as_manager.get(f"{TEMPLATES}/{UNKNOWN}")).status_code == 404
    assert (await as_manager.get(f"{TEMPLATES}/nope")).status_code == 400


async def test_list_templates_query_count(as_admin, queries):
    await new_template(as_admin, "First")
    queries.reset()
    assert len((await as_admin.get(TEMPLATES, params={"relations": "true"})).json()) == 1
    one = queries.count
    for i in range(12):
        await new_template(as_admin, f"More {i}")
    queries.reset()
    assert len((await as_admin.get(TEMPLATES, params={"relations": "true"})).json()) == 13
    assert queries.count == one


async def test_update_template(as_admin, as_manager, anon, db):
    template = await new_template(as_admin, "Before")
    await new_template(as_admin, "Other")
    url = f"{TEMPLATES}/{template['id']}"
    r = await as_admin.put(url, json={"name": "After", "ratio": "2.39", "revision_padding": 3, "id": UNKNOWN})
    assert r.status_code == 200, r.text
    row = r.json()
    assert (row["id"], row["name"], row["ratio"], row["revision_padding"]) == (template["id"], "After", "2.39", 3)
    assert [e["data"] for e in await events_named(db, "project-template:update")] == [
        {"project_template_id": template["id"]}
    ]
    r = await as_admin.put(url, json={"name": "Other"})
    assert (r.status_code, r.json()) == (400, {"message": "A project template with this name already exists"})
    r = await as_admin.put(url, json={"ld_bitrate_compression": 0})
    assert r.status_code == 400 and r.json()["message"].startswith("Invalid bitrate 0.")
    r = await as_admin.put(f"{TEMPLATES}/{UNKNOWN}", json={"name": "x"})
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert (await as_admin.put(f"{TEMPLATES}/nope", json={})).status_code == 400
    assert (await as_manager.put(url, json={"name": "x"})).status_code == 403
    assert (await anon.put(url, json={"name": "x"})).status_code == 401


async def test_delete_template_with_its_links(as_admin, as_manager, anon, db, make):
    template = await new_template(as_admin, "Doomed")
    task_type = await make.task_type()
    await as_admin.post(f"{TEMPLATES}/{template['id']}/task-types", json={"task_type_id": task_type["id"]})
    url = f"{TEMPLATES}/{template['id']}"
    assert (await as_manager.delete(url)).status_code == 403
    assert (await anon.delete(url)).status_code == 401
    assert (await as_admin.delete(url)).status_code == 204
    assert await count(db, ProjectTemplateTaskTypeLink, project_template_id=template["id"]) == 0
    assert (await as_admin.get(url)).status_code == 404
    r = await as_admin.delete(url)
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert (await as_admin.delete(f"{TEMPLATES}/nope")).status_code == 400
    assert len(await events_named(db, "project-template:delete")) == 1


# --- task types ----------------------------------------------------------------------------------


async def test_template_task_types(as_admin, as_manager, as_supervisor, anon, db, make):
    template = await new_template(as_admin, "TT", hd_bitrate_compression=10)
    url = f"{TEMPLATES}/{template['id']}/task-types"
    modeling, layout = await make.task_type("A2 Modeling"), await make.task_type("A2 Layout")
    r = await as_admin.post(url, json={"task_type_id": modeling["id"], "priority": 2, "hd_bitrate_compression": 8})
    assert r.status_code == 201, r.text
    link = r.json()
    assert link["type"] == "ProjectTemplateTaskTypeLink"
    assert (link["task_type_id"], link["priority"], link["hd_bitrate_compression"], link["is_client_visible"]) == (
        modeling["id"],
        2,
        8,
        True,
    )
    # an existing link: only what the body names changes
    r = await as_admin.post(url, json={"task_type_id": modeling["id"], "is_client_visible": False})
    assert (r.json()["id"], r.json()["priority"], r.json()["hd_bitrate_compression"]) == (link["id"], 2, 8)
    assert r.json()["is_client_visible"] is False
    await as_admin.post(url, json={"task_type_id": layout["id"], "priority": 1})

    r = await as_manager.get(url)
    assert r.status_code == 200
    rows = r.json()
    assert [(t["name"], t["priority"], t["type"]) for t in rows] == [
        ("A2 Layout", 1, "TaskType"),
        ("A2 Modeling", 2, "TaskType"),
    ]
    assert rows[1]["is_client_visible"] is False and rows[1]["hd_bitrate_compression"] == 8

    r = await as_admin.post(url, json={"task_type_id": "bad"})
    assert (r.status_code, r.json()) == (400, {"message": "task_type_id is required and must be a valid UUID"})
    r = await as_admin.post(url, json={"task_type_id": UNKNOWN})
    assert (r.status_code, r.json()) == (400, {"message": f"Task type {UNKNOWN} does not exist"})
    r = await as_admin.post(url, json={})
    assert r.status_code == 400
    assert r.json()["data"] == {"errors": [{"field": "task_type_id", "message": "Field required"}]}
    r = await as_admin.post(url, json={"task_type_id": layout["id"], "ld_bitrate_compression": 12})
    assert r.json() == {"message": "The low definition bitrate (12) cannot exceed the high definition one (10)."}
    r = await as_admin.post(f"{TEMPLATES}/{UNKNOWN}/task-types", json={"task_type_id": layout["id"]})
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert (await as_manager.post(url, json={"task_type_id": layout["id"]})).status_code == 403
    assert (await as_supervisor.get(url)).status_code == 403
    assert (await anon.get(url)).status_code == 401
    assert (await as_manager.get(f"{TEMPLATES}/{UNKNOWN}/task-types")).status_code == 404
    assert (await as_manager.get(f"{TEMPLATES}/nope/task-types")).status_code == 400

    assert (await as_manager.delete(f"{url}/{layout['id']}")).status_code == 403
    assert (await anon.delete(f"{url}/{layout['id']}")).status_code == 401
    assert (await as_admin.delete(f"{url}/{layout['id']}")).status_code == 204
    assert [t["id"] for t in (await as_admin.get(url)).json()] == [modeling["id"]]
    # no template check on detach (Zou answers 204)
    assert (await as_admin.delete(f"{TEMPLATES}/{UNKNOWN}/task-types/{UNKNOWN}")).status_code == 204
    assert (await as_admin.delete(f"{url}/nope")).status_code == 400
    assert len(await events_named(db, "project-template:update")) >= 4


async def test_template_task_types_query_count(as_admin, make, queries):
    template = await new_template(as_admin, "Count TT")
    url = f"{TEMPLATES}/{template['id']}/task-types"
    await as_admin.post(url, json={"task_type_id": (await make.task_type())["id"]})
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 1
    one = queries.count
    for _ in range(11):
        await as_admin.post(url, json={"task_type_id": (await make.task_type())["id"]})
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 12
    assert queries.count == one


async def test_reorder_template_task_types(as_admin, as_manager, anon, db, make):
    template = await new_template(as_admin, "Reorder TT")
    a, b, c = await make.task_type(), await make.task_type(), await make.task_type()
    base = f"{TEMPLATES}/{template['id']}/task-types"
    await as_admin.post(base, json={"task_type_id": a["id"], "priority": 1, "hd_bitrate_compression": 9})
    await as_admin.post(base, json={"task_type_id": b["id"], "priority": 2})
    url = f"/actions/project-templates/{template['id']}/task-types/reorder"
    r = await as_admin.post(url, json={"task_type_ids": [b["id"], c["id"], a["id"]]})
    assert r.status_code == 200, r.text
    assert [(x["task_type_id"], x["priority"], x["type"]) for x in r.json()] == [
        (b["id"], 1, "ProjectTemplateTaskTypeLink"),
        (c["id"], 2, "ProjectTemplateTaskTypeLink"),
        (a["id"], 3, "ProjectTemplateTaskTypeLink"),
    ]
    rows = (await as_admin.get(base)).json()
    assert [t["id"] for t in rows] == [b["id"], c["id"], a["id"]]
    assert rows[2]["hd_bitrate_compression"] == 9  # a reorder keeps the bitrates
    assert rows[1]["is_client_visible"] is True  # linked by the reorder

    r = await as_admin.post(url, json={"task_type_ids": [a["id"], UNKNOWN]})
    assert (r.status_code, r.json()) == (
        400,
        {"error": True, "message": f"Task type {UNKNOWN} does not exist", "data": None},
    )
    r = await as_admin.post(
        f"/actions/project-templates/{UNKNOWN}/task-types/reorder", json={"task_type_ids": [a["id"]]}
    )
    assert r.status_code == 404
    assert (await as_admin.post(url, json={"task_type_ids": "x"})).status_code == 400
    assert (await as_admin.post(url, json={"task_type_ids": []})).json() == []
    assert (await as_manager.post(url, json={"task_type_ids": [a["id"]]})).status_code == 403
    assert (await anon.post(url, json={"task_type_ids": [a["id"]]})).status_code == 401
    assert (await as_admin.post("/actions/project-templates/nope/task-types/reorder", json={})).status_code == 400


# --- task statuses -------------------------------------------------------------------------------


async def test_template_task_statuses(as_admin, as_manager, as_artist, anon, make):
    template = await new_template(as_admin, "TS")
    url = f"{TEMPLATES}/{template['id']}/task-statuses"
    todo, wip = await make.task_status("A2 Todo"), await make.task_status("A2 Wip")
    r = await as_admin.post(url, json={"task_status_id": todo["id"]})
    assert r.status_code == 201, r.text
    link = r.json()
    assert link["type"] == "ProjectTemplateTaskStatusLink"
    assert link["roles_for_board"] == ["user", "admin", "supervisor", "manager", "vendor"]
    assert (link["priority"], link["is_client_allowed"]) == (None, None)
    r = await as_admin.post(url, json={"task_status_id": todo["id"], "priority": 2, "roles_for_board": ["admin"]})
    assert (r.json()["id"], r.json()["priority"], r.json()["roles_for_board"]) == (link["id"], 2, ["admin"])
    r = await as_admin.post(url, json={"task_status_id": todo["id"], "is_client_allowed": False})
    assert (r.json()["is_client_allowed"], r.json()["roles_for_board"]) == (False, ["admin"])
    r = await as_admin.post(url, data={"task_status_id": wip["id"], "priority": "1"})  # a form body works too
    assert (r.status_code, r.json()["priority"]) == (201, 1)

    rows = (await as_manager.get(url)).json()
    assert [(s["name"], s["priority"], s["type"]) for s in rows] == [
        ("A2 Wip", 1, "TaskStatus"),
        ("A2 Todo", 2, "TaskStatus"),
    ]
    assert (rows[1]["roles_for_board"], rows[1]["link_is_client_allowed"]) == (["admin"], False)

    r = await as_admin.post(url, json={"task_status_id": UNKNOWN})
    assert (r.status_code, r.json()) == (400, {"message": f"Task status {UNKNOWN} does not exist"})
    r = await as_admin.post(f"{TEMPLATES}/{UNKNOWN}/task-statuses", json={"task_status_id": todo["id"]})
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert (await as_admin.post(url, json={"priority": 1})).status_code == 400
    assert (await as_manager.post(url, json={"task_status_id": todo["id"]})).status_code == 403
    assert (await as_artist.get(url)).status_code == 403
    assert (await anon.get(url)).status_code == 401
    assert (await as_admin.get(f"{TEMPLATES}/{UNKNOWN}/task-statuses")).status_code == 404

    assert (await as_manager.delete(f"{url}/{wip['id']}")).status_code == 403
    assert (await as_admin.delete(f"{url}/{wip['id']}")).status_code == 204
    assert [s["id"] for s in (await as_admin.get(url)).json()] == [todo["id"]]
    assert (await as_admin.delete(f"{url}/nope")).status_code == 400


async def test_reorder_template_task_statuses(as_admin, as_manager, make, queries):
    template = await new_template(as_admin, "Reorder TS")
    statuses = [await make.task_status() for _ in range(3)]
    base = f"{TEMPLATES}/{template['id']}/task-statuses"
    await as_admin.post(base, json={"task_status_id": statuses[0]["id"], "roles_for_board": ["admin"]})
    url = f"/actions/project-templates/{template['id']}/task-statuses/reorder"
    ids = [s["id"] for s in reversed(statuses)]
    r = await as_admin.post(url, json={"task_status_ids": ids})
    assert r.status_code == 200, r.text
    assert [(x["task_status_id"], x["priority"]) for x in r.json()] == [(i, n) for n, i in enumerate(ids, start=1)]
    rows = (await as_admin.get(base)).json()
    assert [s["id"] for s in rows] == ids
    assert rows[2]["roles_for_board"] == ["admin"]  # a reorder keeps the board roles
    assert rows[0]["roles_for_board"] == ["user", "admin", "supervisor", "manager", "vendor"]  # linked by the reorder
    r = await as_admin.post(url, json={"task_status_ids": ["bad"]})
    assert r.json()["message"] == "task_status_id is required and must be a valid UUID"
    assert (await as_manager.post(url, json={"task_status_ids": ids})).status_code == 403
    assert (
        await as_admin.post(
            f"/actions/project-templates/{UNKNOWN}/task-statuses/reorder", json={"task_status_ids": ids}
        )
    ).status_code == 404
    # a fixed number of statements whatever the number of ids
    queries.reset()
    await as_admin.post(url, json={"task_status_ids": ids[:1]})
    one = queries.count
    more = [(await make.task_status())["id"] for _ in range(10)]
    queries.reset()
    await as_admin.post(url, json={"task_status_ids": ids + more})
    assert queries.count == one


async def test_template_task_statuses_query_count(as_admin, make, queries):
    template = await new_template(as_admin, "Count TS")
    url = f"{TEMPLATES}/{template['id']}/task-statuses"
    await as_admin.post(url, json={"task_status_id": (await make.task_status())["id"]})
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 1
    one = queries.count
    for _ in range(11):
        await as_admin.post(url, json={"task_status_id": (await make.task_status())["id"]})
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 12
    assert queries.count == one


# --- asset types and status automations ----------------------------------------------------------


async def test_template_asset_types(as_admin, as_manager, as_client, anon, make):
    template = await new_template(as_admin, "AT")
    url = f"{TEMPLATES}/{template['id']}/asset-types"
    props = await make.entity_type("A2 Props")
    r = await as_admin.post(url, json={"asset_type_id": props["id"]})
    assert (r.status_code, r.json()) == (201, {"id": props["id"], "name": "A2 Props"})
    assert (await as_admin.post(url, json={"asset_type_id": props["id"]})).status_code == 201  # already linked
    assert (await as_manager.get(url)).json() == [{"id": props["id"], "name": "A2 Props"}]
    r = await as_admin.post(url, json={"asset_type_id": UNKNOWN})
    assert (r.status_code, r.json()) == (400, {"message": f"Asset type {UNKNOWN} does not exist"})
    r = await as_admin.post(f"{TEMPLATES}/{UNKNOWN}/asset-types", json={"asset_type_id": props["id"]})
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert (await as_admin.post(url, json={"asset_type_id": ""})).status_code == 400
    assert (await as_manager.post(url, json={"asset_type_id": props["id"]})).status_code == 403
    assert (await as_client.get(url)).status_code == 403
    assert (await anon.get(url)).status_code == 401
    assert (await as_admin.get(f"{TEMPLATES}/{UNKNOWN}/asset-types")).status_code == 404
    r = await as_admin.delete(f"{TEMPLATES}/{UNKNOWN}/asset-types/{props['id']}")
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert (await as_manager.delete(f"{url}/{props['id']}")).status_code == 403
    assert (await as_admin.delete(f"{url}/{props['id']}")).status_code == 204
    assert (await as_admin.get(url)).json() == []
    assert (await as_admin.delete(f"{url}/{UNKNOWN}")).status_code == 204  # not linked: nothing to do


async def test_template_asset_types_query_count(as_admin, make, queries):
    template = await new_template(as_admin, "Count AT")
    url = f"{TEMPLATES}/{template['id']}/asset-types"
    await as_admin.post(url, json={"asset_type_id": (await make.entity_type())["id"]})
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 1
    one = queries.count
    for _ in range(11):
        await as_admin.post(url, json={"asset_type_id": (await make.entity_type())["id"]})
    queries.reset()
    assert len((await as_admin.get(url)).json()) == 12
    assert queries.count == one


async def test_template_status_automations(as_admin, as_manager, as_vendor, anon, db, make, queries):
    template = await new_template(as_admin, "SA")
    url = f"{TEMPLATES}/{template['id']}/status-automations"
    first = await make.status_automation()
    r = await as_admin.post(url, json={"status_automation_id": first["id"]})
    assert r.status_code == 201, r.text
    assert (r.json()["id"], r.json()["type"], r.json()["in_task_status_id"]) == (
        first["id"],
        "StatusAutomation",
        first["in_task_status_id"],
    )
    queries.reset()
    rows = (await as_manager.get(url)).json()
    one = queries.count
    assert [(a["id"], a["type"]) for a in rows] == [(first["id"], "StatusAutomation")]
    for _ in range(10):
        await as_admin.post(url, json={"status_automation_id": (await make.status_automation())["id"]})
    queries.reset()
    assert len((await as_manager.get(url)).json()) == 11
    assert queries.count == one

    r = await as_admin.post(url, json={"status_automation_id": UNKNOWN})
    assert (r.status_code, r.json()) == (400, {"message": f"Status automation {UNKNOWN} does not exist"})
    r = await as_admin.post(f"{TEMPLATES}/{UNKNOWN}/status-automations", json={"status_automation_id": first["id"]})
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert (await as_admin.post(url, json={})).status_code == 400
    assert (await as_manager.post(url, json={"status_automation_id": first["id"]})).status_code == 403
    assert (await as_vendor.get(url)).status_code == 403
    assert (await anon.get(url)).status_code == 401
    assert (await as_admin.get(f"{TEMPLATES}/{UNKNOWN}/status-automations")).status_code == 404
    assert (await as_admin.delete(f"{TEMPLATES}/{UNKNOWN}/status-automations/{first['id']}")).status_code == 404
    assert (await as_manager.delete(f"{url}/{first['id']}")).status_code == 403
    assert (await as_admin.delete(f"{url}/{first['id']}")).status_code == 204
    assert first["id"] not in [a["id"] for a in (await as_admin.get(url)).json()]


# --- descriptor snapshot -------------------------------------------------------------------------


async def test_set_template_metadata_descriptors(as_admin, as_manager, anon, db):
    template = await new_template(as_admin, "MD")
    url = f"{TEMPLATES}/{template['id']}/metadata-descriptors"
    r = await as_admin.put(
        url,
        json={
            "metadata_descriptors": [
                {
                    "name": "Difficulté",
                    "entity_type": "Asset",
                    "data_type": "list",
                    "choices": ["a"],
                    "departments": [None, UNKNOWN],
                },
                {"name": "Custom", "field_name": "kept", "for_client": 1, "position": 2},
            ]
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["type"] == "ProjectTemplate"
    assert r.json()["metadata_descriptors"] == [
        {
            "name": "Difficulté",
            "field_name": "difficulte",
            "entity_type": "Asset",
            "task_type_id": None,
            "data_type": "list",
            "choices": ["a"],
            "for_client": False,
            "departments": [UNKNOWN],
            "position": None,
        },
        {
            "name": "Custom",
            "field_name": "kept",
            "entity_type": None,
            "task_type_id": None,
            "data_type": None,
            "choices": [],
            "for_client": True,
            "departments": [],
            "position": 2,
        },
    ]
    r = await as_admin.put(url, json=[{"name": "Bare"}])  # the legacy shape: a bare array
    assert [d["field_name"] for d in r.json()["metadata_descriptors"]] == ["bare"]
    assert (await as_admin.put(url, json={})).json()["metadata_descriptors"] == []
    r = await as_admin.put(url, json=["x"])
    assert (r.status_code, r.json()) == (400, {"message": "Each metadata descriptor must be an object"})
    r = await as_admin.put(url, json={"metadata_descriptors": "x"})
    assert r.status_code == 400 and r.json()["message"] == "Validation error."
    r = await as_admin.put(f"{TEMPLATES}/{UNKNOWN}/metadata-descriptors", json=[])
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert (await as_manager.put(url, json=[])).status_code == 403
    assert (await anon.put(url, json=[])).status_code == 401
    assert (await as_admin.put(f"{TEMPLATES}/nope/metadata-descriptors", json=[])).status_code == 400
    assert len(await events_named(db, "project-template:update")) == 3


# --- from a project, onto a project --------------------------------------------------------------


async def _configured_project(db, make, as_admin):
    project = await make.project(fps="30", ratio="4:3", data={"budget": 1}, file_tree={"tree": True})
    task_type, status = await make.task_type(), await make.task_status()
    asset_type = await make.entity_type("A2 Vehicle")
    auto = await make.status_automation()
    await add(db, ProjectTaskTypeLink, project_id=project["id"], task_type_id=task_type["id"], priority=4)
    await add(
        db, ProjectTaskStatusLink, project_id=project["id"], task_status_id=status["id"], roles_for_board=["admin"]
    )
    await add(db, ProjectAssetTypeLink, project_id=project["id"], asset_type_id=asset_type["id"])
    await add(db, ProjectStatusAutomationLink, project_id=project["id"], status_automation_id=auto["id"])
    r = await as_admin.post(
        f"/data/projects/{project['id']}/metadata-descriptors",
        json={"name": "Difficulty", "data_type": "list", "choices": ["easy", "hard"], "for_client": True},
    )
    assert r.status_code == 201, r.text
    return project, task_type, status, asset_type, auto


async def test_template_from_project(as_admin, as_manager, anon, db, make):
    project, task_type, status, asset_type, auto = await _configured_project(db, make, as_admin)
    url = f"{TEMPLATES}/from-project/{project['id']}"
    r = await as_admin.post(url, json={"name": "From project", "description": "snap"})
    assert r.status_code == 201, r.text
    template = r.json()
    assert (template["type"], template["name"], template["description"]) == ("ProjectTemplate", "From project", "snap")
    assert (template["fps"], template["ratio"], template["data"], template["file_tree"]) == (
        "30",
        "4:3",
        {"budget": 1},
        {"tree": True},
    )
    assert template["metadata_descriptors"] == [
        {
            "name": "Difficulty",
            "field_name": "difficulty",
            "entity_type": "Asset",
            "task_type_id": None,
            "data_type": "list",
            "choices": ["easy", "hard"],
            "for_client": True,
            "departments": [],
            "position": None,
        }
    ]
    tid = template["id"]
    types = (await as_admin.get(f"{TEMPLATES}/{tid}/task-types")).json()
    assert [(t["id"], t["priority"]) for t in types] == [(task_type["id"], 4)]
    statuses = (await as_admin.get(f"{TEMPLATES}/{tid}/task-statuses")).json()
    assert [(s["id"], s["roles_for_board"]) for s in statuses] == [(status["id"], ["admin"])]
    assert (await as_admin.get(f"{TEMPLATES}/{tid}/asset-types")).json() == [
        {"id": asset_type["id"], "name": "A2 Vehicle"}
    ]
    assert [a["id"] for a in (await as_admin.get(f"{TEMPLATES}/{tid}/status-automations")).json()] == [auto["id"]]
    assert [e["data"] for e in await events_named(db, "project-template:new")] == [{"project_template_id": tid}]

    r = await as_admin.post(url, json={"name": "From project"})
    assert (r.status_code, r.json()) == (400, {"message": "A project template with this name already exists"})
    r = await as_admin.post(url, json={"description": "no name"})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "name"
    r = await as_admin.post(f"{TEMPLATES}/from-project/{UNKNOWN}", json={"name": "x"})
    assert (r.status_code, r.json()) == (404, {"message": "Project not found"})
    assert (await as_admin.post(f"{TEMPLATES}/from-project/nope", json={"name": "x"})).status_code == 400
    assert (await as_manager.post(url, json={"name": "x"})).status_code == 403
    assert (await anon.post(url, json={"name": "x"})).status_code == 401


async def test_apply_template(as_admin, as_manager, anon, db, make):
    source, task_type, status, asset_type, auto = await _configured_project(db, make, as_admin)
    template = (await as_admin.post(f"{TEMPLATES}/from-project/{source['id']}", json={"name": "To apply"})).json()
    extra_type = await make.task_type()
    await as_admin.put(
        f"{TEMPLATES}/{template['id']}/metadata-descriptors",
        json=[
            {"name": "Difficulty", "entity_type": "Asset", "data_type": "list", "choices": ["easy"]},
            {"name": "Scope", "entity_type": "Shot", "data_type": "string"},
            {"name": "Per task", "entity_type": "Task", "task_type_id": extra_type["id"], "data_type": "number"},
            {"name": "No task type", "entity_type": "Task"},
            {"name": "", "entity_type": "Asset"},
        ],
    )
    target = await make.project(fps="25")
    own_type = await make.task_type()
    await add(db, ProjectTaskTypeLink, project_id=target["id"], task_type_id=task_type["id"], priority=9)
    await add(db, ProjectTaskTypeLink, project_id=target["id"], task_type_id=own_type["id"], priority=1)
    await as_admin.post(f"/data/projects/{target['id']}/metadata-descriptors", json={"name": "Difficulty"})

    url = f"/data/projects/{target['id']}/apply-template/{template['id']}"
    r = await as_admin.post(url)
    assert r.status_code == 200, r.text
    project = r.json()
    assert (project["type"], project["id"], project["fps"], project["ratio"]) == ("Project", target["id"], "30", "4:3")
    assert project["data"] == {"budget": 1}
    links = (
        await db.execute(
            select(ProjectTaskTypeLink.__table__.c.task_type_id, ProjectTaskTypeLink.__table__.c.priority).where(
                ProjectTaskTypeLink.__table__.c.project_id == target["id"]
            )
        )
    ).all()
    assert sorted(links) == sorted([(task_type["id"], 9), (own_type["id"], 1)])  # existing links are kept
    assert await count(db, ProjectTaskStatusLink, project_id=target["id"]) == 1
    assert await count(db, ProjectAssetTypeLink, project_id=target["id"], asset_type_id=asset_type["id"]) == 1
    assert await count(db, ProjectStatusAutomationLink, project_id=target["id"], status_automation_id=auto["id"]) == 1
    descriptors = (await as_admin.get(f"/data/projects/{target['id']}/metadata-descriptors")).json()
    assert sorted((d["entity_type"], d["field_name"], d["data_type"]) for d in descriptors) == [
        ("Asset", "difficulty", "string"),  # the project's own one is kept
        ("Shot", "scope", "string"),
        ("Task", "per_task", "number"),
    ]
    assert [e["project_id"] for e in await events_named(db, "project:update")] == [target["id"]]
    assert len(await events_named(db, "metadata-descriptor:new")) == 2 + 2  # the two set up, the two applied

    # applying twice adds nothing
    assert (await as_admin.post(url)).status_code == 200
    assert await count(db, MetadataDescriptor, project_id=target["id"]) == 3
    assert await count(db, ProjectTaskTypeLink, project_id=target["id"]) == 2

    r = await as_admin.post(f"/data/projects/{UNKNOWN}/apply-template/{template['id']}")
    assert (r.status_code, r.json()) == (404, {"message": "Project not found"})
    r = await as_admin.post(f"/data/projects/{target['id']}/apply-template/{UNKNOWN}")
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert (await as_admin.post(f"/data/projects/nope/apply-template/{template['id']}")).status_code == 400
    assert (await as_manager.post(url)).status_code == 403
    assert (await anon.post(url)).status_code == 401


@pytest.mark.parametrize("prefix", ["", "/api"])
async def test_routes_answer_under_api_prefix(as_admin, prefix):
    template = await new_template(as_admin, f"Prefix{prefix}")
    r = await as_admin.get(f"{prefix}/data/project-templates/{template['id']}/task-types")
    assert (r.status_code, r.json()) == (200, [])
