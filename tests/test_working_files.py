"""Working files: new revisions, listings, the stored binary, comment and modified actions, and
the `/data/working-files` registry entry."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select
from test_file_tree import DEFAULT_TREE, P, production

from app.repositories.tables.files import OutputFile, WorkingFile
from app.repositories.tables.tasks import TaskPersonLink

FIELDS = [
    "shotgun_id",
    "name",
    "description",
    "comment",
    "revision",
    "size",
    "checksum",
    "path",
    "data",
    "validation_status",
    "task_id",
    "entity_id",
    "person_id",
    "software_id",
    "id",
    "created_at",
    "updated_at",
    "type",
]
WITH_OUTPUTS = FIELDS[:14] + ["outputs"] + FIELDS[14:]
ASSET_PATH = f"/simple/productions/{P}/assets/character/hero_big/modeling/{P}_character_hero_big_modeling"


async def new(client, task, **body):
    return await client.post(f"/data/tasks/{task['id']}/working-files/new", json=body)


async def test_new_working_file(as_artist, anon, as_client, as_vendor, make, people, db):
    p = await production(make, people)
    task = p["asset_task"]
    r = await new(as_artist, task, name="main", comment="first")
    assert r.status_code == 201, r.text
    first = r.json()
    assert list(first) == FIELDS
    assert first["name"] == "main" and first["revision"] == 1 and first["comment"] == "first"
    assert first["path"] == ASSET_PATH
    assert first["task_id"] == task["id"] and first["entity_id"] == p["asset"]["id"]
    assert first["person_id"] == people["user"] and first["validation_status"] == "neutral"
    assert first["description"] is None and first["type"] == "WorkingFile"
    # the default software is Blender, created on first use
    software = await events_named(db, "software:new")
    assert len(software) == 1 and software[0]["data"]["software_id"] == first["software_id"]
    # the author is assigned to the task, as the reference does
    link = TaskPersonLink.__table__
    assigned = (await db.execute(select(link.c.person_id).where(link.c.task_id == task["id"]))).scalars().all()
    assert assigned == [people["user"]]
    assert [e["data"] for e in await events_named(db, "task:assign")] == [
        {"task_id": task["id"], "person_id": people["user"], "project_id": p["project"]["id"]}
    ]
    new_events = await events_named(db, "working-file:new")
    assert [e["data"] for e in new_events] == [{"working_file_id": first["id"], "project_id": p["project"]["id"]}]

    second = (await new(as_artist, task, name="main", comment="second", sep="\\")).json()
    assert second["revision"] == 2 and second["software_id"] == first["software_id"]
    assert second["path"] == ASSET_PATH.replace(f"/{P}_character", f"\\{P}_character")
    other = (await new(as_artist, task, name="other", person_id=people["manager"])).json()
    assert other["revision"] == 1 and other["person_id"] == people["manager"] and other["comment"] == ""
    r = await new(as_artist, task, name="other", revision=1)
    assert r.status_code == 400 and r.json() == {"error": "The given working file already exists."}
    r = await new(as_artist, task, name="other", revision=7)
    assert r.status_code == 201 and r.json()["revision"] == 7
    # errors
    r = await new(as_artist, task)
    assert r.status_code == 400 and r.json()["data"]["errors"] == [{"field": "name", "message": "Field required"}]
    assert (await new(as_artist, task, name="x", software_id=UNKNOWN)).status_code == 404
    assert (await new(as_artist, task, name="x", person_id=UNKNOWN)).status_code == 400
    assert (await new(as_artist, {"id": UNKNOWN}, name="x")).status_code == 404
    assert (await new(as_artist, {"id": "nope"}, name="x")).status_code == 400
    assert (await new(anon, task, name="x")).status_code == 401
    assert (await new(as_client, task, name="x")).status_code == 403
    await make.add_to_team(p["project"], people["vendor"])
    assert (await new(as_vendor, task, name="x")).status_code == 403  # vendor without a task on the asset


async def test_listings(as_artist, anon, as_client, make, people, db, queries):
    p = await production(make, people)
    task = p["asset_task"]
    main1 = (await new(as_artist, task, name="main", comment="first")).json()
    main2 = (await new(as_artist, task, name="main", comment="second")).json()
    other = (await new(as_artist, task, name="other")).json()
    shot_file = (await new(as_artist, p["shot_task"], name="main")).json()

    r = await as_artist.get(f"/data/tasks/{task['id']}/working-files/last-revisions")
    assert r.status_code == 200
    last = r.json()
    assert list(last) == ["main", "other"]
    assert last["main"]["id"] == main2["id"] and last["other"]["id"] == other["id"]
    assert list(last["main"]) == FIELDS

    r = await as_artist.get(f"/data/tasks/{task['id']}/working-files")
    assert [w["id"] for w in r.json()] == [main2["id"], main1["id"], other["id"]]
    assert list(r.json()[0]) == FIELDS

    url = f"/data/entities/{p['asset']['id']}/working-files"
    assert [w["id"] for w in (await as_artist.get(url)).json()] == [main2["id"], main1["id"], other["id"]]
    assert [w["id"] for w in (await as_artist.get(url, params={"name": "other"})).json()] == [other["id"]]
    assert (await as_artist.get(url, params={"task_id": p["shot_task"]["id"]})).json() == []
    output = await _output(db, p, main1)
    related = (await as_artist.get(url, params={"relations": "true"})).json()
    assert list(related[0]) == WITH_OUTPUTS
    assert {w["id"]: w["outputs"] for w in related} == {main2["id"]: [], main1["id"]: [output["id"]], other["id"]: []}
    shot_url = f"/data/entities/{p['shot']['id']}/working-files"
    assert [w["id"] for w in (await as_artist.get(shot_url)).json()] == [shot_file["id"]]

    # errors and access
    for path in (
        f"/data/tasks/{task['id']}/working-files/last-revisions",
        f"/data/tasks/{task['id']}/working-files",
        url,
    ):
        assert (await anon.get(path)).status_code == 401
        assert (await as_client.get(path)).status_code == 403
        assert (
            await as_artist.get(path.replace(task["id"], UNKNOWN).replace(p["asset"]["id"], UNKNOWN))
        ).status_code == 404
        assert (
            await as_artist.get(path.replace(task["id"], "bad").replace(p["asset"]["id"], "bad"))
        ).status_code == 400
    assert (await as_artist.get(url, params={"task_id": "bad"})).status_code == 400

    # a fixed number of queries whatever the number of files
    queries.reset()
    await as_artist.get(url, params={"relations": "true"})
    few = queries.count
    for i in range(20):
        await add(db, WorkingFile, name=f"bulk {i}", revision=1, task_id=task["id"], entity_id=p["asset"]["id"])
    queries.reset()
    r = await as_artist.get(url, params={"relations": "true"})
    assert len(r.json()) == 23 and queries.count == few
    queries.reset()
    r = await as_artist.get(f"/data/tasks/{task['id']}/working-files/last-revisions")
    assert len(r.json()) == 22
    many = queries.count
    queries.reset()
    await as_artist.get(f"/data/tasks/{p['shot_task']['id']}/working-files/last-revisions")
    assert queries.count == many


async def _output(db, p, working_file):
    from app.repositories.tables.catalog import FileStatus

    status = await add(db, FileStatus, name="Published wf", color="#000000")
    return await add(
        db,
        OutputFile,
        name="main",
        revision=1,
        file_status_id=status["id"],
        entity_id=p["asset"]["id"],
        output_type_id=p["geometry"]["id"],
        task_type_id=p["modeling"]["id"],
        source_file_id=working_file["id"],
    )


async def test_comment_and_modified(as_artist, as_admin, anon, as_client, client_for, make, people, db):
    p = await production(make, people)
    row = (await new(as_artist, p["asset_task"], name="main")).json()
    url = f"/actions/working-files/{row['id']}"
    r = await as_artist.put(f"{url}/comment", json={"comment": "hello"})
    assert r.status_code == 200, r.text
    assert r.json()["comment"] == "hello" and list(r.json()) == FIELDS
    assert r.json()["updated_at"] >= row["updated_at"]
    updates = await events_named(db, "working-file:update")
    assert [e["data"] for e in updates] == [{"working_file_id": row["id"], "project_id": p["project"]["id"]}]
    r = await as_artist.put(f"{url}/comment", json={})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "comment"
    assert (await as_artist.put(f"{url}/comment", json={"comment": ""})).status_code == 400
    r = await as_artist.put(f"{url}/modified")
    assert r.status_code == 200 and r.json()["comment"] == "hello"
    assert len(await events_named(db, "working-file:update")) == 2
    for action, body in (("comment", {"comment": "x"}), ("modified", None)):
        assert (await anon.put(f"{url}/{action}", json=body)).status_code == 401
        assert (await as_client.put(f"{url}/{action}", json=body)).status_code == 403
        assert (await as_admin.put(f"/actions/working-files/{UNKNOWN}/{action}", json=body)).status_code == 404
        assert (await as_admin.put(f"/actions/working-files/nope/{action}", json=body)).status_code == 400
    # a team member neither assigned nor supervising may not act on it
    artist2 = (await _person(db, "user"))["id"]
    await make.add_to_team(p["project"], artist2)
    async with client_for(artist2) as other:
        assert (await other.put(f"{url}/comment", json={"comment": "x"})).status_code == 403


async def _person(db, role):
    from app.repositories.tables.people import Person

    return await add(db, Person, first_name="Other", last_name=role, email=f"{role}-wf@example.com", role=role)


async def test_store_and_download(as_artist, as_admin, anon, as_client, make, people, app, db):
    p = await production(make, people)
    row = (await new(as_artist, p["asset_task"], name="main")).json()
    url = f"/data/working-files/{row['id']}/file"
    r = await as_artist.get(url)
    assert r.status_code == 404 and r.json() == {"error": True, "message": f"Working file not found for: {row['id']}"}
    data = b"blend file data " * 1000
    files = {"file": ("../../x.blend", data, "application/octet-stream")}
    r = await as_artist.post(url, files=files)
    assert r.status_code == 201, r.text
    assert r.json()["id"] == row["id"] and list(r.json()) == WITH_OUTPUTS
    stored = app.state.storage.path("working-files", row["id"])  # the key comes from the id, not the name
    assert stored.is_file() and stored.read_bytes() == data
    assert not list(stored.parents[3].glob("**/x.blend"))
    r = await as_artist.get(url)
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-length"] == str(len(data))
    assert r.headers["cache-control"] == "public, max-age=604800"
    assert r.headers["accept-ranges"] == "bytes" and "last-modified" in r.headers
    r2 = await as_artist.get(url, headers={"Range": "bytes=0-3"})
    assert r2.status_code == 206 and r2.content == data[:4] and r2.headers["content-range"] == f"bytes 0-3/{len(data)}"
    r3 = await as_artist.get(url, headers={"If-None-Match": r.headers["etag"]})
    assert r3.status_code == 304 and r3.content == b""
    assert (await as_artist.get(url, headers={"Range": f"bytes={len(data)}-"})).status_code == 416
    # errors and access
    assert (await as_artist.post(url)).status_code == 400  # no file
    assert (await anon.post(url, files=files)).status_code == 401
    assert (await anon.get(url)).status_code == 401
    assert (await as_client.post(url, files=files)).status_code == 403
    assert (await as_client.get(url)).status_code == 403
    assert (await as_admin.get(f"/data/working-files/{UNKNOWN}/file")).status_code == 404
    assert (await as_admin.post(f"/data/working-files/{UNKNOWN}/file", files=files)).status_code == 404
    assert (await as_admin.get("/data/working-files/nope/file")).status_code == 400


async def test_upload_over_the_limit(as_artist, make, people, app, monkeypatch):
    p = await production(make, people)
    row = (await new(as_artist, p["asset_task"], name="main")).json()
    monkeypatch.setattr(app.state.settings, "max_upload_mb", 1)
    files = {"file": ("big.bin", b"x" * (1024 * 1024 + 10), "application/octet-stream")}
    r = await as_artist.post(f"/data/working-files/{row['id']}/file", files=files)
    assert r.status_code == 413
    assert not app.state.storage.path("working-files", row["id"]).exists()


# --- the registry entry ---


async def test_crud(as_admin, as_artist, as_manager, anon, as_client, as_vendor, make, people, db):
    p = await production(make, people)
    task = p["asset_task"]
    body = {"name": "crud", "revision": 1, "task_id": task["id"], "entity_id": p["asset"]["id"]}
    r = await as_admin.post("/data/working-files", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert list(created) == WITH_OUTPUTS and created["outputs"] == [] and created["comment"] is None
    assert [e["data"] for e in await events_named(db, "working-file:new")] == [{"working_file_id": created["id"]}]
    r = await as_admin.post("/data/working-files", json={"name": "crud2", "validation_status": "bad"})
    assert r.status_code == 400 and r.json()["message"] == "Invalid validation_status"
    assert (await as_artist.post("/data/working-files", json=body)).status_code == 403
    assert (await anon.post("/data/working-files", json=body)).status_code == 401

    one = f"/data/working-files/{created['id']}"
    r = await as_artist.get(one)
    assert r.status_code == 200 and list(r.json()) == WITH_OUTPUTS
    assert (await as_client.get(one)).status_code == 403
    assert (await as_admin.get(f"/data/working-files/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/working-files/bad")).status_code == 400

    listed = (await as_artist.get("/data/working-files", params={"name": "crud"})).json()
    assert [w["id"] for w in listed] == [created["id"]] and list(listed[0]) == FIELDS
    assert (await as_client.get("/data/working-files")).json() == []  # not on the team
    assert (await as_vendor.get("/data/working-files")).status_code == 403
    assert (await anon.get("/data/working-files")).status_code == 401

    r = await as_manager.put(one, json={"comment": "x"})
    assert r.status_code == 200 and r.json()["comment"] == "x" and list(r.json()) == FIELDS
    assert len(await events_named(db, "working-file:update")) == 1
    assert (await as_manager.put(one, json={"validation_status": "bad"})).status_code == 400
    assert (await as_artist.put(one, json={"comment": "y"})).status_code == 403  # not assigned
    assert (await as_manager.put(f"/data/working-files/{UNKNOWN}", json={})).status_code == 404

    assert (await as_manager.delete(one)).status_code == 403
    assert (await anon.delete(one)).status_code == 401
    assert (await as_admin.delete(one)).status_code == 204
    assert len(await events_named(db, "working-file:delete")) == 1
    assert (await as_admin.delete(one)).status_code == 404


@pytest.mark.parametrize("tree", [DEFAULT_TREE])
async def test_client_on_the_team_reads_but_outsider_does_not(tree, as_client, make, people):
    """The reference's checks are project membership: a client on the team may read working files
    and paths; a client outside the project gets 403 everywhere (covered above)."""
    p = await production(make, people, tree)
    await make.add_to_team(p["project"], people["client"])
    r = await as_client.get(f"/data/tasks/{p['asset_task']['id']}/working-files")
    assert r.status_code == 200 and r.json() == []
    r = await as_client.post(f"/data/tasks/{p['asset_task']['id']}/working-file-path", json={})
    assert r.status_code == 200 and r.json()["name"] == f"{P}_character_hero_big_modeling"
