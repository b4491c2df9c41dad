"""Output files and output types: registries, per entity, per asset instance, per project, `/data/files`."""

from __future__ import annotations

import pytest
from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import func, select

from app.repositories.tables.catalog import FileStatus, OutputType
from app.repositories.tables.entities import AssetInstance
from app.repositories.tables.files import OutputFile, WorkingFile

OUTPUT_FILE_FIELDS = [
    "shotgun_id",
    "name",
    "canceled",
    "size",
    "checksum",
    "description",
    "comment",
    "extension",
    "revision",
    "representation",
    "nb_elements",
    "source",
    "path",
    "data",
    "quality",
    "file_status_id",
    "entity_id",
    "asset_instance_id",
    "output_type_id",
    "task_type_id",
    "person_id",
    "source_file_id",
    "source_file",
    "temporal_entity_id",
    "id",
    "created_at",
    "updated_at",
    "type",
]

TREE = {
    "output": {
        "mountpoint": "/simple",
        "root": "productions/export",
        "folder_path": {
            "shot": "<Project>/shots/<Sequence>/<Shot>/<OutputType>",
            "asset": "<Project>/assets/<AssetType>/<Asset>/<OutputType>",
            "sequence": "<Project>/sequences/<Sequence>/<OutputType>",
            "scene": "<Project>/scenes/<Sequence>/<Scene>/<OutputType>",
            "instance": "<Project>/assets/<AssetType>/<Asset>/<OutputType>/<Instance>",
            "instance_asset": "<Project>/assets/<AssetType>/<Asset>/<OutputType>/<Instance>",
            "style": "lowercase",
        },
        "file_name": {
            "shot": "<Project>_<Sequence>_<Shot>_<OutputType>_<OutputFile>",
            "asset": "<Project>_<AssetType>_<Asset>_<OutputType>_<OutputFile>",
            "sequence": "<Project>_<Sequence>_<OutputType>_<OutputFile>",
            "scene": "<Project>_<Sequence>_<Scene>_<OutputType>_<OutputFile>",
            "instance": "<Project>_<Asset>_<Instance>_<OutputType>_<OutputFile>",
            "instance_asset": "<Project>_<Asset>_<Instance>_<OutputType>_<OutputFile>",
            "style": "lowercase",
        },
    }
}


async def setup(make, people, db, *, tree=True, team=("user", "manager", "supervisor")):
    project = await make.project("Big Buck", team=[people[r] for r in team], file_tree=TREE if tree else None)
    asset_type = await make.entity_type("Props")
    asset = await make.asset(project, asset_type, "Bunny")
    task_type = await make.task_type("Modeling")
    output_type = await add(db, OutputType, name="Cache", short_name="abc")
    return project, asset, task_type, output_type


def new_url(entity):
    return f"/data/entities/{entity['id']}/output-files/new"


async def publish(client, entity, output_type, task_type, **values):
    body = {"output_type_id": output_type["id"], "task_type_id": task_type["id"], **values}
    return await client.post(new_url(entity), json=body)


async def test_new_entity_output_file(as_admin, as_artist, as_client, anon, make, people, db):
    project, asset, task_type, output_type = await setup(make, people, db)
    r = await publish(as_artist, asset, output_type, task_type, comment="first", extension=".abc", nb_elements=3)
    assert r.status_code == 201, r.text
    body = r.json()
    assert list(body) == [*OUTPUT_FILE_FIELDS, "folder_path", "file_name"]
    assert body["revision"] == 1 and body["name"] == "main" and body["comment"] == "first"
    assert body["representation"] == "" and body["nb_elements"] == 3 and body["person_id"] == people["user"]
    assert body["folder_path"] == "/simple/productions/export/big_buck/assets/props/bunny/cache"
    assert body["file_name"] == "big_buck_props_bunny_cache_main_[1-3]"
    assert body["path"] == body["folder_path"] + "/" + body["file_name"] + ".abc"
    assert body["source_file"] is None and body["type"] == "OutputFile"
    status = await db.execute(select(FileStatus.__table__).where(FileStatus.__table__.c.id == body["file_status_id"]))
    assert status.mappings().one()["name"] == "To review"
    events = await events_named(db, "output-file:new")
    assert [e["data"]["output_file_id"] for e in events] == [body["id"]]
    assert events[0]["project_id"] == project["id"]
    # the next one takes revision 2; a given revision that exists is refused
    r = await publish(as_artist, asset, output_type, task_type)
    assert r.status_code == 201 and r.json()["revision"] == 2
    r = await publish(as_artist, asset, output_type, task_type, revision=2)
    assert r.status_code == 400 and r.json() == {"error": "The given output file already exists."}
    r = await publish(as_artist, asset, output_type, task_type, revision=7, sep="\\", name="lod")
    assert r.status_code == 201 and r.json()["revision"] == 7
    assert r.json()["path"] == r.json()["folder_path"] + "\\" + r.json()["file_name"]
    # errors
    assert (await publish(anon, asset, output_type, task_type)).status_code == 401
    assert (await publish(as_client, asset, output_type, task_type)).status_code == 403
    assert (await publish(as_admin, {"id": UNKNOWN}, output_type, task_type)).status_code == 404
    assert (await publish(as_admin, {"id": "nope"}, output_type, task_type)).status_code == 400
    r = await publish(as_admin, asset, {"id": UNKNOWN}, task_type)
    assert r.status_code == 400 and r.json() == {"error": "Cannot find given output type."}
    assert (await publish(as_admin, asset, output_type, {"id": UNKNOWN})).status_code == 404
    r = await publish(as_admin, asset, output_type, task_type, person_id=UNKNOWN)
    assert r.status_code == 400 and r.json() == {"error": "Cannot find given person."}
    r = await as_admin.post(new_url(asset), json={"task_type_id": task_type["id"]})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "output_type_id"
    r = await publish(as_admin, asset, output_type, task_type, revision="x")
    assert r.status_code == 400 and r.json()["message"] == "Validation error."
    count = (await db.execute(select(func.count()).select_from(OutputFile.__table__))).scalar()
    assert count == 3


async def test_new_output_file_with_working_file_person_and_status(as_admin, make, people, db):
    project, asset, task_type, output_type = await setup(make, people, db)
    task = await make.task(asset, task_type)
    working = await add(db, WorkingFile, name="main", revision=1, task_id=task["id"], entity_id=asset["id"])
    status = await add(db, FileStatus, name="Approved", color="#00FF00")
    r = await publish(
        as_admin,
        asset,
        output_type,
        task_type,
        working_file_id=working["id"],
        person_id=people["manager"],
        file_status_id=status["id"],
        representation="abc",
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["source_file_id"] == working["id"] and body["person_id"] == people["manager"]
    assert body["file_status_id"] == status["id"] and body["representation"] == "abc"
    assert body["source_file"]["id"] == working["id"] and body["source_file"]["type"] == "WorkingFile"
    assert list(body["source_file"])[:3] == ["shotgun_id", "name", "description"]
    # an unknown working file is ignored, an unknown status refused
    r = await publish(as_admin, asset, output_type, task_type, working_file_id=UNKNOWN, representation="x")
    assert r.status_code == 201 and r.json()["source_file_id"] is None
    r = await publish(as_admin, asset, output_type, task_type, file_status_id=UNKNOWN)
    assert r.status_code == 400
    # the working file answers through /data/files with its outputs
    r = await as_admin.get(f"/data/files/{working['id']}")
    assert r.status_code == 200 and r.json()["type"] == "WorkingFile"
    assert r.json()["outputs"] == [body["id"]]
    keys = list(r.json())
    assert keys.index("outputs") == keys.index("software_id") + 1
    assert list(r.json())[-4:] == ["id", "created_at", "updated_at", "type"]


async def test_new_output_file_without_tree_writes_nothing(as_admin, make, people, db):
    project, asset, task_type, output_type = await setup(make, people, db, tree=False)
    r = await publish(as_admin, asset, output_type, task_type)
    assert r.status_code == 400 and r.json() == {"error": "No tree can be found for given project."}
    count = (await db.execute(select(func.count()).select_from(OutputFile.__table__))).scalar()
    assert count == 0
    assert await events_named(db, "output-file:new") == []


async def test_next_revision_and_listings(as_admin, as_artist, as_client, as_vendor, anon, make, people, db, queries):
    project, asset, task_type, output_type = await setup(make, people, db)
    other_type = await add(db, OutputType, name="Alembic", short_name="alb")
    url = f"/data/entities/{asset['id']}/output-files/next-revision"
    body = {"output_type_id": output_type["id"], "task_type_id": task_type["id"]}
    r = await as_artist.post(url, json=body)
    assert r.status_code == 200 and r.json() == {"next_revision": 1}
    await publish(as_admin, asset, output_type, task_type, representation="abc")
    await publish(as_admin, asset, output_type, task_type, representation="abc")
    await publish(as_admin, asset, output_type, task_type, name="other")
    await publish(as_admin, asset, other_type, task_type)
    assert (await as_artist.post(url, json=body)).json() == {"next_revision": 3}
    assert (await as_artist.post(url, json={**body, "name": "other"})).json() == {"next_revision": 2}
    assert (await anon.post(url, json=body)).status_code == 401
    assert (await as_client.post(url, json=body)).status_code == 403
    assert (await as_artist.post(url, json={**body, "output_type_id": UNKNOWN})).status_code == 404
    assert (await as_artist.post(url, json={**body, "task_type_id": UNKNOWN})).status_code == 404
    assert (await as_artist.post(f"/data/entities/{UNKNOWN}/output-files/next-revision", json=body)).status_code == 404
    r = await as_artist.post(url, json={})
    assert r.status_code == 400 and len(r.json()["data"]["errors"]) == 2

    base = f"/data/entities/{asset['id']}/output-files"
    r = await as_artist.get(base)
    assert r.status_code == 200
    assert sorted(f["revision"] for f in r.json()) == [1, 1, 1, 2]
    assert r.json()[0]["revision"] == 2 and list(r.json()[0]) == OUTPUT_FILE_FIELDS
    r = await as_artist.get(base, params={"representation": "abc"})
    assert [f["revision"] for f in r.json()] == [2, 1]
    r = await as_artist.get(base, params={"output_type_id": other_type["id"]})
    assert len(r.json()) == 1 and r.json()[0]["output_type_id"] == other_type["id"]
    assert len((await as_artist.get(base, params={"name": "other"})).json()) == 1
    assert (await as_artist.get(base, params={"task_type_id": UNKNOWN})).json() == []
    assert (await as_artist.get(base, params={"task_type_id": "bad"})).status_code == 400
    assert (await anon.get(base)).status_code == 401
    assert (await as_client.get(base)).status_code == 403
    assert (await as_artist.get(f"/data/entities/{UNKNOWN}/output-files")).status_code == 404
    assert (await as_artist.get("/data/entities/bad/output-files")).status_code == 400

    r = await as_artist.get(base + "/last-revisions")
    assert r.status_code == 200
    last = {(f["output_type_id"], f["name"], f["representation"]): f["revision"] for f in r.json()}
    assert last == {
        (output_type["id"], "main", "abc"): 2,
        (output_type["id"], "other", ""): 1,
        (other_type["id"], "main", ""): 1,
    }
    r = await as_artist.get(base + "/last-revisions", params={"name": "main", "output_type_id": output_type["id"]})
    assert [(f["name"], f["revision"]) for f in r.json()] == [("main", 2)]
    status_id = r.json()[0]["file_status_id"]
    r = await as_artist.get(base + "/last-revisions", params={"file_status_id": status_id})
    assert len(r.json()) == 3
    assert (await as_client.get(base + "/last-revisions")).status_code == 403
    assert (await anon.get(base + "/last-revisions")).status_code == 401
    assert (await as_artist.get(f"/data/entities/{UNKNOWN}/output-files/last-revisions")).status_code == 404

    r = await as_artist.get(f"/data/entities/{asset['id']}/output-types")
    assert r.status_code == 200 and [t["name"] for t in r.json()] == ["Alembic", "Cache"]
    assert list(r.json()[0]) == ["name", "short_name", "id", "created_at", "updated_at", "type"]
    assert (await as_client.get(f"/data/entities/{asset['id']}/output-types")).status_code == 403
    assert (await as_artist.get(f"/data/entities/{UNKNOWN}/output-types")).status_code == 404

    typed = f"/data/entities/{asset['id']}/output-types/{output_type['id']}/output-files"
    r = await as_artist.get(typed)
    assert r.status_code == 200 and len(r.json()) == 3
    assert len((await as_artist.get(typed, params={"representation": "abc"})).json()) == 2
    assert (await as_client.get(typed)).status_code == 403
    assert (await anon.get(typed)).status_code == 401
    assert (await as_artist.get(f"/data/entities/{asset['id']}/output-types/{UNKNOWN}/output-files")).status_code == 404
    assert (await as_artist.get(f"/data/entities/{asset['id']}/output-types/x/output-files")).status_code == 400

    # the project's listing: managers only, newest first
    purl = f"/data/projects/{project['id']}/output-files"
    r = await as_admin.get(purl)
    assert r.status_code == 200 and len(r.json()) == 4
    r = await as_admin.get(purl, params={"representation": "abc"})
    assert [f["revision"] for f in r.json()] == [2, 1]
    await make.add_to_team(project, people["vendor"])
    assert (await as_artist.get(purl)).status_code == 403
    assert (await as_vendor.get(purl)).status_code == 403
    assert (await anon.get(purl)).status_code == 401
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/output-files")).json() == []
    assert (await as_admin.get(purl, params={"output_type_id": "bad"})).status_code == 400
    assert (await as_admin.get("/data/projects/bad/output-files")).status_code == 400

    # a fixed number of statements whatever the row count
    queries.reset()
    await as_artist.get(base)
    await as_artist.get(base + "/last-revisions")
    await as_admin.get(purl)
    few = queries.count
    for i in range(20):
        await publish(as_admin, asset, output_type, task_type, name=f"n{i}")
    queries.reset()
    await as_artist.get(base)
    await as_artist.get(base + "/last-revisions")
    await as_admin.get(purl)
    assert queries.count == few


async def test_manager_listing_and_admin_only_unknown(as_manager, make, people, db):
    project, asset, task_type, output_type = await setup(make, people, db)
    r = await as_manager.get(f"/data/projects/{project['id']}/output-files")
    assert r.status_code == 200 and r.json() == []
    assert (await as_manager.get(f"/data/projects/{UNKNOWN}/output-files")).status_code == 404


async def instance_setup(make, people, db):
    project, asset, task_type, output_type = await setup(make, people, db)
    sequence = await make.sequence(project, "SQ01")
    shot = await make.shot(project, sequence, "SH01")
    instance = await add(db, AssetInstance, asset_id=asset["id"], name="bunny_0001", number=1)
    return project, asset, task_type, output_type, shot, instance


async def test_asset_instance_output_files(as_admin, as_artist, as_client, anon, make, people, db, queries):
    project, asset, task_type, output_type, shot, instance = await instance_setup(make, people, db)
    base = f"/data/asset-instances/{instance['id']}/entities/{shot['id']}"
    body = {"output_type_id": output_type["id"], "task_type_id": task_type["id"], "representation": "abc"}
    r = await as_artist.post(base + "/output-files/new", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["asset_instance_id"] == instance["id"] and created["temporal_entity_id"] == shot["id"]
    assert created["entity_id"] == asset["id"] and created["revision"] == 1
    assert created["path"] == created["folder_path"] + "/" + created["file_name"]
    assert created["folder_path"].startswith("/simple/productions/export/big_buck/assets/props/bunny/cache")
    assert [e["data"]["output_file_id"] for e in await events_named(db, "output-file:new")] == [created["id"]]
    assert (await as_artist.post(base + "/output-files/new", json=body)).json()["revision"] == 2
    r = await as_artist.post(base + "/output-files/new", json={**body, "revision": 1})
    assert r.status_code == 400 and r.json() == {"message": "The given output file already exists."}
    r = await as_artist.post(base + "/output-files/new", json={**body, "output_type_id": UNKNOWN})
    assert r.status_code == 400 and r.json() == {"message": "Cannot find given output type."}
    r = await as_artist.post(base + "/output-files/new", json={**body, "person_id": UNKNOWN})
    assert r.status_code == 400 and r.json() == {"message": "Cannot find given person."}
    assert (await anon.post(base + "/output-files/new", json=body)).status_code == 401
    assert (await as_client.post(base + "/output-files/new", json=body)).status_code == 403
    unknown = f"/data/asset-instances/{UNKNOWN}/entities/{shot['id']}"
    assert (await as_artist.post(unknown + "/output-files/new", json=body)).status_code == 404
    r = await as_artist.post(f"/data/asset-instances/{instance['id']}/entities/{UNKNOWN}/output-files/new", json=body)
    assert r.status_code == 404
    assert (await as_artist.post(base + "/output-files/new", json={})).status_code == 400
    # entity files do not list instance files
    assert (await as_artist.get(f"/data/entities/{asset['id']}/output-files")).json() == []

    r = await as_artist.post(base + "/output-files/next-revision", json=body)
    assert r.status_code == 200 and r.json() == {"next_revision": 3}
    assert (await as_client.post(base + "/output-files/next-revision", json=body)).status_code == 403
    assert (await as_artist.post(unknown + "/output-files/next-revision", json=body)).status_code == 404
    assert (await as_artist.post(base + "/output-files/next-revision", json={})).status_code == 400

    r = await as_artist.get(f"/data/asset-instances/{instance['id']}/output-files")
    assert r.status_code == 200 and [f["revision"] for f in r.json()] == [2, 1]
    assert list(r.json()[0]) == OUTPUT_FILE_FIELDS
    r = await as_artist.get(
        f"/data/asset-instances/{instance['id']}/output-files", params={"temporal_entity_id": UNKNOWN}
    )
    assert r.json() == []
    r = await as_artist.get(
        f"/data/asset-instances/{instance['id']}/output-files",
        params={"temporal_entity_id": shot["id"], "representation": "abc", "task_type_id": task_type["id"]},
    )
    assert len(r.json()) == 2
    assert (await as_client.get(f"/data/asset-instances/{instance['id']}/output-files")).status_code == 403
    assert (await anon.get(f"/data/asset-instances/{instance['id']}/output-files")).status_code == 401
    assert (await as_artist.get(f"/data/asset-instances/{UNKNOWN}/output-files")).status_code == 404
    assert (await as_artist.get("/data/asset-instances/bad/output-files")).status_code == 400

    r = await as_artist.get(base + "/output-files/last-revisions")
    assert r.status_code == 200 and [f["revision"] for f in r.json()] == [2]
    assert (await as_client.get(base + "/output-files/last-revisions")).status_code == 403
    assert (await as_artist.get(unknown + "/output-files/last-revisions")).status_code == 404

    r = await as_artist.get(base + "/output-types")
    assert r.status_code == 200 and [t["id"] for t in r.json()] == [output_type["id"]]
    assert (await as_client.get(base + "/output-types")).status_code == 403
    assert (await as_artist.get(unknown + "/output-types")).status_code == 404

    typed = base + f"/output-types/{output_type['id']}/output-files"
    r = await as_artist.get(typed)
    assert r.status_code == 200 and [f["revision"] for f in r.json()] == [2, 1]
    assert (await as_artist.get(typed, params={"representation": "x"})).json() == []
    assert (await as_client.get(typed)).status_code == 403
    assert (await anon.get(typed)).status_code == 401
    assert (await as_artist.get(base + f"/output-types/{UNKNOWN}/output-files")).status_code == 404
    assert (await as_artist.get(unknown + f"/output-types/{output_type['id']}/output-files")).status_code == 404

    queries.reset()
    await as_artist.get(f"/data/asset-instances/{instance['id']}/output-files")
    few = queries.count
    for _ in range(10):
        await as_artist.post(base + "/output-files/new", json=body)
    queries.reset()
    await as_artist.get(f"/data/asset-instances/{instance['id']}/output-files")
    assert queries.count == few


async def test_get_file(as_admin, as_artist, as_client, anon, make, people, db):
    project, asset, task_type, output_type = await setup(make, people, db)
    created = (await publish(as_admin, asset, output_type, task_type)).json()
    r = await as_artist.get(f"/data/files/{created['id']}")
    assert r.status_code == 200 and list(r.json()) == OUTPUT_FILE_FIELDS and r.json()["id"] == created["id"]
    assert (await as_client.get(f"/data/files/{created['id']}")).status_code == 403
    assert (await anon.get(f"/data/files/{created['id']}")).status_code == 401
    assert (await as_artist.get(f"/data/files/{UNKNOWN}")).status_code == 404
    assert (await as_artist.get("/data/files/bad")).status_code == 400


# --- the registries ---


async def test_output_files_registry(as_admin, as_artist, as_manager, as_vendor, as_client, anon, make, people, db):
    project, asset, task_type, output_type = await setup(make, people, db, team=("user", "supervisor"))
    other = await make.project(file_tree=TREE)
    other_asset = await make.asset(other)
    created = (await publish(as_admin, asset, output_type, task_type)).json()
    await publish(as_admin, other_asset, output_type, task_type)
    r = await as_admin.get("/data/output-files")
    assert r.status_code == 200 and len(r.json()) == 2 and list(r.json()[0]) == OUTPUT_FILE_FIELDS
    r = await as_artist.get("/data/output-files")
    assert [f["id"] for f in r.json()] == [created["id"]]
    assert len((await as_admin.get("/data/output-files", params={"entity_id": asset["id"]})).json()) == 1
    assert (await as_vendor.get("/data/output-files")).status_code == 403
    assert (await anon.get("/data/output-files")).status_code == 401
    page = (await as_admin.get("/data/output-files", params={"page": 1})).json()
    assert page["total"] == 2
    # one
    r = await as_artist.get(f"/data/output-files/{created['id']}")
    assert r.status_code == 200 and list(r.json()) == OUTPUT_FILE_FIELDS
    assert (await as_client.get(f"/data/output-files/{created['id']}")).status_code == 403
    assert (await as_admin.get(f"/data/output-files/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/output-files/bad")).status_code == 400
    # create: admins only, an entity required
    body = {"name": "x", "revision": 1, "file_status_id": created["file_status_id"], "entity_id": asset["id"]}
    assert (await as_manager.post("/data/output-files", json=body)).status_code == 403
    r = await as_admin.post("/data/output-files", json=body)
    assert r.status_code == 201 and list(r.json()) == OUTPUT_FILE_FIELDS and r.json()["comment"] is None
    new = r.json()
    events = await events_named(db, "output-file:new")
    assert events[-1]["data"]["output_file_id"] == new["id"] and events[-1]["project_id"] == project["id"]
    r = await as_admin.post("/data/output-files", json={k: v for k, v in body.items() if k != "entity_id"})
    assert r.status_code == 404
    assert (await as_admin.post("/data/output-files", json={**body, "quality": "ultra"})).status_code == 400
    assert (await as_admin.post("/data/output-files", json={**body, "nope": 1})).status_code == 400
    # update: a manager of the project or an assignee of the entity
    url = f"/data/output-files/{new['id']}"
    r = await as_artist.put(url, json={"comment": "no"})
    assert r.status_code == 403
    task = await make.task(asset, task_type, assignees=[people["user"]])
    assert task["id"]
    r = await as_artist.put(url, json={"comment": "yes"})
    assert r.status_code == 200 and r.json()["comment"] == "yes" and list(r.json()) == OUTPUT_FILE_FIELDS
    r = await as_manager.put(url, json={"quality": "bad"})
    assert r.status_code == 403  # not on the team
    await make.add_to_team(project, people["manager"])
    r = await as_manager.put(url, json={"quality": "bad"})
    assert r.status_code == 400 and r.json() == {"error": True, "message": "Invalid quality", "data": None}
    r = await as_manager.put(url, json={"quality": "high"})
    assert r.status_code == 200 and r.json()["quality"] == "high"
    assert [e["data"]["output_file_id"] for e in await events_named(db, "output-file:update")] == [new["id"]] * 2
    assert (await anon.put(url, json={})).status_code == 401
    assert (await as_admin.put(f"/data/output-files/{UNKNOWN}", json={})).status_code == 404
    # delete: admins
    assert (await as_manager.delete(url)).status_code == 403
    assert (await as_admin.delete(url)).status_code == 204
    events = await events_named(db, "output-file:delete")
    assert events[0]["data"]["output_file_id"] == new["id"] and events[0]["project_id"] == project["id"]
    assert (await as_admin.delete(url)).status_code == 404


async def test_output_types_registry(as_admin, as_artist, as_vendor, anon, db):
    r = await as_admin.post("/data/output-types", json={"name": "Render", "short_name": "rnd"})
    assert r.status_code == 201
    created = r.json()
    assert list(created) == ["name", "short_name", "id", "created_at", "updated_at", "type"]
    assert created["type"] == "OutputType"
    assert [e["data"]["output_type_id"] for e in await events_named(db, "output-type:new")] == [created["id"]]
    r = await as_vendor.get("/data/output-types")
    assert r.status_code == 200 and created["id"] in [t["id"] for t in r.json()]
    r = await as_artist.get(f"/data/output-types/{created['id']}")
    assert r.status_code == 200 and r.json()["name"] == "Render"
    r = await as_admin.post("/data/output-types", json={"name": "Render", "short_name": "x"})
    assert r.status_code == 400
    assert (await as_artist.post("/data/output-types", json={"name": "A", "short_name": "a"})).status_code == 403
    assert (await anon.get("/data/output-types")).status_code == 401
    assert (await as_admin.get(f"/data/output-types/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/output-types/bad")).status_code == 400
    r = await as_admin.put(f"/data/output-types/{created['id']}", json={"short_name": "r"})
    assert r.status_code == 200 and r.json()["short_name"] == "r"
    assert (await as_artist.put(f"/data/output-types/{created['id']}", json={"short_name": "r"})).status_code == 403
    assert (await as_artist.delete(f"/data/output-types/{created['id']}")).status_code == 403
    assert (await as_admin.delete(f"/data/output-types/{created['id']}")).status_code == 204
    assert len(await events_named(db, "output-type:delete")) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/data/entities/{asset}/output-files",
        "/data/entities/{asset}/output-files/last-revisions",
        "/data/entities/{asset}/output-types",
        "/data/entities/{asset}/output-types/{output_type}/output-files",
        "/data/asset-instances/{instance}/output-files",
        "/data/asset-instances/{instance}/entities/{shot}/output-files/last-revisions",
        "/data/asset-instances/{instance}/entities/{shot}/output-types",
        "/data/asset-instances/{instance}/entities/{shot}/output-types/{output_type}/output-files",
        "/data/projects/{project}/output-files",
        "/data/files/{file}",
        "/data/output-files/{file}",
    ],
)
async def test_client_without_access_gets_403(path, as_admin, as_client, make, people, db):
    project, asset, task_type, output_type, shot, instance = await instance_setup(make, people, db)
    created = (await publish(as_admin, asset, output_type, task_type)).json()
    url = path.format(
        asset=asset["id"],
        output_type=output_type["id"],
        instance=instance["id"],
        shot=shot["id"],
        project=project["id"],
        file=created["id"],
    )
    assert (await as_client.get(url)).status_code == 403
