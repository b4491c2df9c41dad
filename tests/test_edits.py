"""Edits: criteria listings, by project and episode, full GET, versions, creation."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN
from zou_shapes import EDIT_TASK_KEYS, ENTITY_KEYS, ENTITY_RELATION_KEYS, FULL_EDIT_KEYS

from app.repositories.tables.entities import EntityVersion

ROLES = ("manager", "supervisor", "user", "client", "vendor")


@pytest.fixture
async def prod(make, people):
    """A project with the five non-admin roles on its team, an episode, two edits and one outside."""
    project = await make.project(team=[people[r] for r in ROLES])
    episode = await make.episode(project, "E01")
    edit = await make.edit(project, "Edit A", episode=episode, data={"x": 1}, description="first")
    other = await make.edit(project, "Edit B")
    elsewhere = await make.project()
    outside = await make.edit(elsewhere, "Far edit")
    return {"project": project, "episode": episode, "edit": edit, "other": other, "outside": outside}


# --- GET /data/edits and /data/edits/all ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/data/edits", "/data/edits/all"])
async def test_all_edits_by_project(path, as_admin, prod):
    r = await as_admin.get(path, params={"project_id": prod["project"]["id"]})
    assert r.status_code == 200, r.text
    rows = r.json()
    assert [e["name"] for e in rows] == ["Edit A", "Edit B"]
    assert set(rows[0]) == ENTITY_KEYS | {"project_name"}
    assert rows[0]["project_name"] == prod["project"]["name"]
    assert rows[0]["type"] == "Edit"
    assert rows[0]["data"] == {"x": 1}


async def test_all_edits_admin_without_project_sees_every_project(as_admin, prod):
    r = await as_admin.get("/data/edits")
    names = {e["name"] for e in r.json()}
    assert {"Edit A", "Edit B", "Far edit"} <= names


async def test_all_edits_filters(as_admin, prod):
    pid = prod["project"]["id"]
    r = await as_admin.get("/data/edits", params={"project_id": pid, "name": "edit a"})
    assert [e["id"] for e in r.json()] == [prod["edit"]["id"]]
    r = await as_admin.get("/data/edits", params={"project_id": pid, "parent_id": prod["episode"]["id"]})
    assert [e["id"] for e in r.json()] == [prod["edit"]["id"]]
    ids = f'["{prod["edit"]["id"]}", "{prod["other"]["id"]}"]'
    r = await as_admin.get("/data/edits", params={"id": ids})
    assert {e["id"] for e in r.json()} == {prod["edit"]["id"], prod["other"]["id"]}
    r = await as_admin.get("/data/edits", params={"project_id": pid, "canceled": "maybe"})
    assert r.status_code == 400
    assert r.json()["message"] == "Invalid boolean value: maybe"


async def test_all_edits_assigned_to_keeps_the_callers_tasks(as_admin, make, prod):
    task_type = await make.task_type(for_entity="Edit")
    await make.task(prod["other"], task_type, assignees=[as_admin.person_id])
    r = await as_admin.get("/data/edits", params={"project_id": prod["project"]["id"], "assigned_to": "x"})
    assert [e["id"] for e in r.json()] == [prod["other"]["id"]]


async def test_all_edits_access(anon, as_artist, as_client, as_admin, prod, make, people, client_for):
    assert (await anon.get("/data/edits")).status_code == 401
    # without a project only admins may list
    assert (await as_artist.get("/data/edits")).status_code == 403
    # a team member lists the project, clients included
    r = await as_client.get("/data/edits/all", params={"project_id": prod["project"]["id"]})
    assert r.status_code == 200 and len(r.json()) == 2
    # not on the team: 403; an unknown or malformed project: 404 (admins get an empty list / 400)
    elsewhere = prod["outside"]["project_id"]
    assert (await as_artist.get("/data/edits", params={"project_id": elsewhere})).status_code == 403
    assert (await as_artist.get("/data/edits", params={"project_id": UNKNOWN})).status_code == 404
    assert (await as_artist.get("/data/edits", params={"project_id": "bad"})).status_code == 404
    assert (await as_admin.get("/data/edits", params={"project_id": UNKNOWN})).json() == []
    r = await as_admin.get("/data/edits", params={"project_id": "bad"})
    assert r.status_code == 400 and r.json()["message"] == "Invalid UUID value: bad"


async def test_all_edits_vendor_sees_assigned_edits_without_foreign_metadata(as_vendor, make, prod, people):
    task_type = await make.task_type(for_entity="Edit")
    await make.task(prod["edit"], task_type, assignees=[people["vendor"]])
    mine = await make.department("Mine", members=[people["vendor"]])
    other = await make.department("Other")
    await make.metadata_descriptor(prod["project"], "x", entity_type="Edit", departments=[other])
    await make.metadata_descriptor(prod["project"], "y", entity_type="Edit", departments=[mine])
    r = await as_vendor.get("/data/edits", params={"project_id": prod["project"]["id"]})
    assert r.status_code == 200
    rows = r.json()
    assert [e["id"] for e in rows] == [prod["edit"]["id"]]
    assert rows[0]["data"] == {}  # "x" belongs to a department the vendor is not in


async def test_all_edits_query_count_is_fixed(as_admin, make, queries):
    project = await make.project()
    await make.edit(project, "E0")
    queries.reset()
    assert len((await as_admin.get("/data/edits", params={"project_id": project["id"]})).json()) == 1
    one = queries.count
    for i in range(1, 12):
        await make.edit(project, f"E{i}")
    queries.reset()
    assert len((await as_admin.get("/data/edits", params={"project_id": project["id"]})).json()) == 12
    assert queries.count == one


# --- GET /data/edits/{id} -------------------------------------------------------------------------


async def test_get_edit_full(as_admin, make, prod, people):
    task_type = await make.task_type(for_entity="Edit")
    task = await make.task(prod["edit"], task_type, assignees=[people["user"]], priority=None)
    r = await as_admin.get(f"/data/edits/{prod['edit']['id']}")
    assert r.status_code == 200, r.text
    edit = r.json()
    assert set(edit) == set(FULL_EDIT_KEYS)
    assert edit["episode_id"] == prod["episode"]["id"] and edit["episode_name"] == "E01"
    assert edit["project_name"] == prod["project"]["name"]
    assert edit["data"] == {"x": 1} and edit["type"] == "Edit"
    [t] = edit["tasks"]
    assert set(t) == EDIT_TASK_KEYS
    assert t["id"] == task["id"] and t["assignees"] == [people["user"]]
    assert t["priority"] == 0 and t["is_subscribed"] is False


async def test_get_edit_without_episode(as_admin, prod):
    edit = (await as_admin.get(f"/data/edits/{prod['other']['id']}")).json()
    assert edit["episode_id"] is None and edit["episode_name"] == "" and edit["tasks"] == []
    assert edit["data"] == {}


async def test_get_edit_errors(anon, as_admin, as_artist, as_vendor, prod):
    edit_id = prod["edit"]["id"]
    assert (await anon.get(f"/data/edits/{edit_id}")).status_code == 401
    assert (await as_admin.get(f"/data/edits/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get(f"/data/edits/{prod['episode']['id']}")).status_code == 404  # not an edit
    r = await as_admin.get("/data/edits/bad-id")
    assert r.status_code == 400 and r.json()["message"] == "Malformed ID."
    assert (await as_artist.get(f"/data/edits/{prod['outside']['id']}")).status_code == 403
    assert (await as_vendor.get(f"/data/edits/{edit_id}")).status_code == 403  # no task on it
    assert (await as_artist.get(f"/data/edits/{edit_id}")).status_code == 200


async def test_get_edit_client_gets_blank_studio_fields(as_client, make, prod, people):
    task_type = await make.task_type(for_entity="Edit")
    await make.task(prod["edit"], task_type, assignees=[people["user"]], estimation=5, retake_count=2)
    [t] = (await as_client.get(f"/data/edits/{prod['edit']['id']}")).json()["tasks"]
    assert t["estimation"] == 0 and t["retake_count"] == 0


async def test_item_routes_leave_literal_segments_to_other_modules(as_admin, prod):
    r = await as_admin.get("/data/edits/with-tasks")
    assert r.status_code != 400  # not taken for a malformed edit id


# --- versions -------------------------------------------------------------------------------------


async def test_edit_versions(as_admin, as_vendor, anon, db, prod, people):
    edit_id = prod["edit"]["id"]
    t = EntityVersion.__table__
    await db.execute(t.insert().values(name="Edit A", data={"x": 0}, entity_id=edit_id, person_id=people["admin"]))
    r = await as_admin.get(f"/data/edits/{edit_id}/versions")
    assert r.status_code == 200
    [v] = r.json()
    assert v["type"] == "EditVersion" and v["data"] == {"x": 0} and v["entity_id"] == edit_id
    assert set(v) == {"id", "type", "name", "data", "entity_id", "person_id", "created_at", "updated_at"}
    assert (await anon.get(f"/data/edits/{edit_id}/versions")).status_code == 401
    assert (await as_vendor.get(f"/data/edits/{edit_id}/versions")).status_code == 403
    assert (await as_admin.get(f"/data/edits/{UNKNOWN}/versions")).status_code == 404
    assert (await as_admin.get("/data/edits/bad/versions")).status_code == 400


# --- by episode / by project ----------------------------------------------------------------------


async def test_episode_edits(as_artist, as_admin, prod):
    r = await as_artist.get(f"/data/episodes/{prod['episode']['id']}/edits")
    assert r.status_code == 200
    [edit] = r.json()
    assert edit["id"] == prod["edit"]["id"] and set(edit) == ENTITY_KEYS
    r = await as_admin.get(f"/data/episodes/{prod['episode']['id']}/edits", params={"relations": "true"})
    [edit] = r.json()
    assert set(edit) == ENTITY_KEYS | ENTITY_RELATION_KEYS


async def test_episode_edits_errors(anon, as_admin, as_vendor, as_artist, make, prod):
    ep = prod["episode"]["id"]
    assert (await anon.get(f"/data/episodes/{ep}/edits")).status_code == 401
    assert (await as_admin.get(f"/data/episodes/{UNKNOWN}/edits")).status_code == 404
    assert (await as_admin.get(f"/data/episodes/{prod['edit']['id']}/edits")).status_code == 404
    assert (await as_admin.get("/data/episodes/bad/edits")).status_code == 400
    assert (await as_vendor.get(f"/data/episodes/{ep}/edits")).status_code == 403
    far_episode = await make.episode({"id": prod["outside"]["project_id"]})
    assert (await as_artist.get(f"/data/episodes/{far_episode['id']}/edits")).status_code == 403


async def test_project_edits(as_artist, as_vendor, make, prod, people):
    pid = prod["project"]["id"]
    r = await as_artist.get(f"/data/projects/{pid}/edits")
    assert r.status_code == 200
    assert [e["name"] for e in r.json()] == ["Edit A", "Edit B"]
    assert set(r.json()[0]) == ENTITY_KEYS
    # vendors only get the edits they hold a task on
    assert (await as_vendor.get(f"/data/projects/{pid}/edits")).json() == []
    task_type = await make.task_type(for_entity="Edit")
    await make.task(prod["other"], task_type, assignees=[people["vendor"]])
    assert [e["id"] for e in (await as_vendor.get(f"/data/projects/{pid}/edits")).json()] == [prod["other"]["id"]]


async def test_project_edits_errors(anon, as_admin, as_artist, prod):
    pid = prod["project"]["id"]
    assert (await anon.get(f"/data/projects/{pid}/edits")).status_code == 401
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/edits")).status_code == 404
    assert (await as_admin.get("/data/projects/bad/edits")).status_code == 400
    assert (await as_artist.get(f"/data/projects/{prod['outside']['project_id']}/edits")).status_code == 403


async def test_project_and_episode_edits_query_count_is_fixed(as_admin, make, queries):
    project = await make.project()
    episode = await make.episode(project)
    await make.edit(project, "E0", episode=episode)
    urls = [f"/data/projects/{project['id']}/edits", f"/data/episodes/{episode['id']}/edits?relations=true"]
    counts = []
    for url in urls:
        queries.reset()
        assert len((await as_admin.get(url)).json()) == 1
        counts.append(queries.count)
    for i in range(1, 12):
        await make.edit(project, f"E{i}", episode=episode)
    for url, count in zip(urls, counts, strict=True):
        queries.reset()
        assert len((await as_admin.get(url)).json()) == 12
        assert queries.count == count


# --- POST /data/projects/{id}/edits ---------------------------------------------------------------


async def test_create_edit(as_manager, db, prod, people):
    pid, ep = prod["project"]["id"], prod["episode"]["id"]
    body = {"name": "New edit", "episode_id": ep, "description": "d", "data": {"k": 1}}
    r = await as_manager.post(f"/data/projects/{pid}/edits", json=body)
    assert r.status_code == 201, r.text
    edit = r.json()
    assert set(edit) == ENTITY_KEYS
    assert edit["type"] == "Edit" and edit["parent_id"] == ep and edit["data"] == {"k": 1}
    assert edit["created_by"] == people["manager"] and edit["description"] == "d"
    [event] = await events_named(db, "edit:new")
    assert event["data"] == {"edit_id": edit["id"], "parent_id": ep, "project_id": pid}
    assert event["user_id"] == people["manager"]
    # the same name under the same episode: the existing edit, no event
    again = await as_manager.post(f"/data/projects/{pid}/edits", json={"name": "New edit", "episode_id": ep})
    assert again.status_code == 201 and again.json()["id"] == edit["id"]
    assert len(await events_named(db, "edit:new")) == 1


async def test_create_edit_defaults(as_admin, prod):
    r = await as_admin.post(f"/data/projects/{prod['project']['id']}/edits", json={"name": "Bare"})
    edit = r.json()
    assert r.status_code == 201
    assert edit["parent_id"] is None and edit["description"] == "" and edit["data"] == {}


async def test_create_edit_form_body(as_admin, prod):
    r = await as_admin.post(f"/data/projects/{prod['project']['id']}/edits", data={"name": "Form edit"})
    assert r.status_code == 201 and r.json()["name"] == "Form edit"


async def test_create_edit_errors(anon, as_admin, as_supervisor, as_artist, prod):
    pid = prod["project"]["id"]
    assert (await anon.post(f"/data/projects/{pid}/edits", json={"name": "x"})).status_code == 401
    assert (await as_supervisor.post(f"/data/projects/{pid}/edits", json={"name": "x"})).status_code == 403
    assert (await as_artist.post(f"/data/projects/{pid}/edits", json={"name": "x"})).status_code == 403
    assert (await as_admin.post(f"/data/projects/{UNKNOWN}/edits", json={"name": "x"})).status_code == 404
    r = await as_admin.post(f"/data/projects/{pid}/edits", json={})
    assert r.status_code == 400
    assert r.json()["message"] == "Validation error."
    assert r.json()["data"]["errors"][0]["field"] == "name"
    # the body is checked before the project
    assert (await as_admin.post(f"/data/projects/{UNKNOWN}/edits", json={"name": ""})).status_code == 400
    bad_episode = {"name": "x", "episode_id": "nope"}
    assert (await as_admin.post(f"/data/projects/{pid}/edits", json=bad_episode)).status_code == 400
    assert (await as_admin.post("/data/projects/bad/edits", json={"name": "x"})).status_code == 400
