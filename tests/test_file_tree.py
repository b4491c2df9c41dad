"""The file tree: working and output paths and names rendered from a project's `file_tree`, and
guessing what a path points at. Expected strings were read from the reference server with the
same tree and names."""

from __future__ import annotations

import copy

import pytest
from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select

from app.domain.file_tree import TreeContext, path_tokens, render_file_name, render_folder_path
from app.repositories.tables.catalog import OutputType, Software, TaskType
from app.repositories.tables.entities import AssetInstance
from app.repositories.tables.people import Department

# The "default" tree the reference ships (zou/app/file_trees/default.json), as data.
DEFAULT_TREE = {
    "working": {
        "mountpoint": "/simple",
        "root": "productions",
        "folder_path": {
            "shot": "<Project>/shots/<Sequence>/<Shot>/<TaskType>",
            "asset": "<Project>/assets/<AssetType>/<Asset>/<TaskType>",
            "sequence": "<Project>/sequences/<Sequence>/<TaskType>",
            "scene": "<Project>/scenes/<Sequence>/<Scene>/<TaskType>",
            "episode": "<Project>/episodes/<Episode>/<TaskType>",
            "style": "lowercase",
        },
        "file_name": {
            "shot": "<Project>_<Shot>_<TaskType>",
            "asset": "<Project>_<AssetType>_<Asset>_<TaskType>",
            "sequence": "<Project>_<Sequence>_<TaskType>",
            "scene": "<Project>_<Sequence>_<Scene>_<TaskType>",
            "episode": "<Project>_<Episode>_<TaskType>",
            "style": "lowercase",
        },
    },
    "output": {
        "mountpoint": "/simple",
        "root": "productions/export",
        "folder_path": {
            "shot": "<Project>/shots/<Sequence>/<Shot>/<OutputType>",
            "asset": "<Project>/assets/<AssetType>/<Asset>/<OutputType>",
            "sequence": "<Project>/sequences/<Sequence>/<OutputType>",
            "scene": "<Project>/scenes/<Sequence>/<Scene>/<OutputType>",
            "episode": "<Project>/episodes/<Episode>/<OutputType>",
            "style": "lowercase",
        },
        "file_name": {
            "shot": "<Project>_<Sequence>_<Shot>_<OutputType>_<OutputFile>",
            "asset": "<Project>_<AssetType>_<Asset>_<OutputType>_<OutputFile>",
            "sequence": "<Project>_<Sequence>_<OuputType>_<OutputFile>",
            "scene": "<Project>_<Sequence>_<Scene>_<OutputType>_<OutputFile>",
            "episode": "<Project>_<Episode>_<OutputType>_<OutputFile>",
            "style": "lowercase",
        },
    },
    "preview": {
        "mountpoint": "/simple",
        "root": "productions/previews",
        "folder_path": {
            "shot": "<Project>/shots/<Sequence>/<Shot>/<TaskType>",
            "asset": "<Project>/assets/<AssetType>/<Asset>/<TaskType>",
            "sequence": "<Project>/sequences/<Sequence>/<TaskType>",
            "scene": "<Project>/scene/<Scene>/<TaskType>",
            "episode": "<Project>/episodes/<Episode>/<TaskType>",
            "style": "lowercase",
        },
        "file_name": {
            "shot": "<Project>_<Sequence>_<Shot>_<TaskType>",
            "asset": "<Project>_<AssetType>_<Asset>_<TaskType>",
            "sequence": "<Project>_<Sequence>_<TaskType>",
            "scene": "<Project>_<Scene>_<TaskType>",
            "episode": "<Project>_<Episode>_<TaskType>",
            "style": "lowercase",
        },
    },
}
P = "wf_test_ce3d1a"


async def production(make, people, tree=DEFAULT_TREE):
    """The reference's probe data: a tv show with an asset, an episode, a sequence named Seq2
    and a shot, a modeling task on the asset and an animation task on the shot."""
    project = await make.project("WF Test ce3d1a", team=[people["user"], people["manager"]], file_tree=tree)
    character = await make.entity_type("Character")
    asset = await make.asset(project, character, "Hero Big")
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "Seq2", episode=episode)
    shot = await make.shot(project, sequence, "SH010")
    modeling = await _task_type(make, "Modeling", "Asset")
    animation = await _task_type(make, "Animation", "Shot")
    asset_task = await make.task(asset, modeling)
    shot_task = await make.task(shot, animation)
    geometry = await add(make.session, OutputType, name="Geometry", short_name="geo")
    return {
        "project": project,
        "asset": asset,
        "episode": episode,
        "sequence": sequence,
        "shot": shot,
        "modeling": modeling,
        "animation": animation,
        "asset_task": asset_task,
        "shot_task": shot_task,
        "geometry": geometry,
        "character": character,
    }


async def _task_type(make, name, for_entity):
    """The seeded task type of that name (path guesses take the first one by name), else a new one."""
    table = TaskType.__table__
    stmt = select(table).where(table.c.name == name).order_by(table.c.created_at, table.c.id).limit(1)
    found = (await make.session.execute(stmt)).mappings().first()
    return dict(found) if found else await make.task_type(name, for_entity=for_entity)


# --- POST /data/tasks/{id}/working-file-path ---


async def test_working_file_path(as_artist, anon, as_client, make, people, db):
    p = await production(make, people)
    url = f"/data/tasks/{p['asset_task']['id']}/working-file-path"
    r = await as_artist.post(url, json={})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "path": f"/simple/productions/{P}/assets/character/hero_big/modeling",
        "name": f"{P}_character_hero_big_modeling",
    }
    assert list(r.json()) == ["path", "name"]
    # the default software (3ds Max) is created on first use, as the reference does
    assert len(await events_named(db, "software:new")) == 1
    url = f"/data/tasks/{p['shot_task']['id']}/working-file-path"
    r = await as_artist.post(url, json={})
    assert r.json() == {
        "path": f"/simple/productions/{P}/shots/s002/sh010/animation",
        "name": f"{P}_sh010_animation",
    }
    r = await as_artist.post(url, json={"name": "Main Thing", "revision": 3, "sep": "\\"})
    assert r.json()["path"] == f"/simple\\productions\\{P}\\shots\\s002\\sh010\\animation"
    r = await as_artist.post(url, json={"mode": "output"})
    assert r.json() == {
        "path": f"/simple/productions/export/{P}/shots/s002/sh010/geometry",
        "name": f"{P}_s002_sh010_geometry_main",
    }
    r = await as_artist.post(url, json={"mode": "nope"})
    assert r.status_code == 400
    assert r.json() == {"message": "Mode nope cannot be found on given tree.", "received_data": {"mode": "nope"}}
    r = await as_artist.post(url, json={"revision": "abc"})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "revision"
    assert (await as_artist.post(url, json={"software_id": UNKNOWN})).status_code == 404
    assert (await as_artist.post(url, json={"software_id": "bad"})).status_code == 404
    assert (await as_artist.post(f"/data/tasks/{UNKNOWN}/working-file-path", json={})).status_code == 404
    assert (await as_artist.post("/data/tasks/nope/working-file-path", json={})).status_code == 400
    assert (await anon.post(url, json={})).status_code == 401
    assert (await as_client.post(url, json={})).status_code == 403  # not on the team


async def test_working_file_path_with_software_and_revision(as_admin, make, people, db):
    tree = copy.deepcopy(DEFAULT_TREE)
    tree["working"]["folder_path"]["asset"] = "<Project>/<Asset>/<TaskType>/<Software>"
    tree["working"]["file_name"]["asset"] = "<Project>_<Asset>_<Name>_v<Version>"
    p = await production(make, people, tree)
    maya = await add(db, Software, name="Maya", short_name="ma", file_extension=".ma")
    url = f"/data/tasks/{p['asset_task']['id']}/working-file-path"
    r = await as_admin.post(url, json={"software_id": maya["id"], "name": "Lay Out"})
    assert r.json() == {"path": f"/simple/productions/{P}/hero_big/modeling/maya", "name": f"{P}_hero_big_lay_out_v001"}
    r = await as_admin.post(f"/data/tasks/{p['asset_task']['id']}/working-files/new", json={"name": "Lay Out"})
    assert r.status_code == 201
    r = await as_admin.post(url, json={"software_id": maya["id"], "name": "Lay Out"})
    assert r.json()["name"] == f"{P}_hero_big_lay_out_v002"  # next revision
    r = await as_admin.post(url, json={"software_id": maya["id"], "name": "Lay Out", "revision": 12})
    assert r.json()["name"] == f"{P}_hero_big_lay_out_v012"


async def test_malformed_trees(as_admin, make, people, db):
    p = await production(make, people, None)
    url = f"/data/tasks/{p['asset_task']['id']}/working-file-path"
    body = {"name": "Hé llo-World", "revision": 7}
    r = await as_admin.post(url, json=body)
    assert r.status_code == 400
    assert r.json() == {"message": "No tree can be found for given project.", "received_data": body}
    cases = [
        ({"working": {}}, "Can't find given mode (working) in given tree."),
        ({"working": {"mountpoint": "/m", "root": ""}}, ""),
        ({"working": {"mountpoint": "/m", "root": "", "folder_path": {"shot": "x"}}}, ""),
        (
            {"working": {"mountpoint": "/m", "root": "", "folder_path": {"asset": "<Bad>/<Asset>"}, "file_name": {}}},
            "Unknown data type: Bad.",
        ),
    ]
    for tree, message in cases:
        await _set_tree(db, p["project"], tree)
        r = await as_admin.post(url, json=body)
        assert r.status_code == 400, (tree, r.text)
        assert r.json()["message"] == message
        # creating a working file answers the same 400 (the reference fails with a 500) and writes nothing
        r = await as_admin.post(f"/data/tasks/{p['asset_task']['id']}/working-files/new", json={"name": "main"})
        assert r.status_code == 400 and r.json()["message"] == message


async def _set_tree(db, project, tree):
    from sqlalchemy import update

    from app.repositories.tables.projects import Project

    table = Project.__table__
    await db.execute(update(table).where(table.c.id == project["id"]).values(file_tree=tree))


async def test_every_token(as_admin, make, people, db):
    """One template with every token, uppercase style, on an asset (reference answer)."""
    table = Department.__table__
    department = (await db.execute(select(table).where(table.c.name == "Modeling"))).mappings().first()
    department = department or await add(db, Department, name="Modeling", color="#000000")
    project = await make.project("WF NoTree b2ca81", file_tree=None)
    character = await make.entity_type("Character")
    asset = await make.asset(project, character, "Bob")
    modeling = await make.task_type("Modeling X", department_id=department["id"], short_name="")
    task = await make.task(asset, modeling)
    await add(db, OutputType, name="Geometry", short_name="geo")
    tree = {
        "working": {
            "mountpoint": "/m",
            "root": "r/x",
            "folder_path": {
                "asset": "<Project>/<Asset.id>/<Project.id>/<TaskType.short_name>/<Department>/<Task>/<Software>/"
                "<Software.short_name>/<Version>/<Episode>/<Sequence>/<Shot>/<Scene>/<Instance>/<Representation>/"
                "<TemporalEntityType>/<TemporalEntity>/<AssetType>/<Name>/<Revision>/<WorkingFile>/<Shot.foo>/"
                "<OutputType>",
                "style": "uppercase",
            },
            "file_name": {
                "asset": "<Project.id>-<Asset> Name <Name>_v<Version>__<OutputType>-<Task.id>-<Shot.id>",
                "style": "uppercase",
            },
        }
    }
    await _set_tree(db, project, tree)
    url = f"/data/tasks/{task['id']}/working-file-path"
    r = await as_admin.post(url, json={"name": "Hé llo-World", "revision": 7})
    assert r.status_code == 200, r.text
    pid, aid, tid = project["id"], asset["id"], task["id"]
    assert r.json() == {
        "path": f"/m/r/x/WF_NOTREE_B2CA81/{aid}/{pid}//MODELING/MAIN/3DS_MAX/MAX/007/E001//BOB/BOB///CHARACTER/BOB/"
        "CHARACTER/HE_LLO_WORLD/007/HE_LLO_WORLD/BOB/GEOMETRY",
        "name": f"{pid}_BOB_NAME_HE_LLO_WORLD_V007_GEOMETRY_{tid}_{aid}",
    }
    r = await as_admin.post(url, json={"name": "Hé llo-World", "revision": 7, "sep": "::"})
    assert r.json()["path"].startswith("/m::r/x::WF_NOTREE_B2CA81::")
    small = {"mountpoint": "/m", "root": "", "folder_path": {"asset": "<Asset>_<Task.id>"}}
    await _set_tree(db, project, {"working": {**small, "file_name": {"asset": "<Asset> x <Name>", "style": "none"}}})
    r = await as_admin.post(url, json={"name": "Hé llo-World"})
    assert r.json() == {"path": f"/m/bob_{tid}", "name": "bob_x_he_llo_world"}
    bare = {"mountpoint": "", "root": "", "folder_path": {"asset": "<Asset>"}, "file_name": {"asset": "<Asset>"}}
    await _set_tree(db, project, {"working": bare})
    assert (await as_admin.post(url, json={"sep": "::"})).json() == {"path": "::bob", "name": "bob"}
    empty = {"mountpoint": "/m", "root": "", "folder_path": {"asset": ""}, "file_name": {"asset": ""}}
    await _set_tree(db, project, {"working": empty})
    assert (await as_admin.post(url, json={})).json() == {"path": "/m/", "name": ""}


def test_render_pure():
    """The renderer alone: sequence names, episode fallback, unknown fields read the name."""
    project = {"id": "p", "name": "My Film", "code": None}
    seq = {"id": "s", "name": "Seq12", "parent_id": None}
    shot = {"id": "x", "name": "SH 010", "parent_id": "s"}
    ctx = TreeContext(project=project, entity=shot, kind="shot", entity_kind="Shot", parent=seq, revision=4)
    tree = {"m": {"mountpoint": "/mnt", "root": "", "folder_path": {"shot": "<Project>/<Episode>/<Sequence>/<Shot>"}}}
    assert render_folder_path(tree, "m", ctx) == "/mnt/my_film/e001/s012/sh_010"
    tree["m"]["file_name"] = {"shot": "<Shot.nope>_v<Revision>", "style": "uppercase"}
    assert render_file_name(tree, "m", ctx, nb_elements=3) == "SH_010_V004_[1-3]"
    assert path_tokens(["abc", "v003"], ["<Name>", "v<Version>"]) == {"Name": "abc", "Version": "003"}


# --- output paths ---


async def test_entity_output_file_path(as_artist, anon, as_client, make, people):
    p = await production(make, people)
    geo, anim = p["geometry"]["id"], p["animation"]["id"]
    url = f"/data/entities/{p['asset']['id']}/output-file-path"
    r = await as_artist.post(url, json={"output_type_id": geo, "task_type_id": p["modeling"]["id"]})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "folder_path": f"/simple/productions/export/{P}/assets/character/hero_big/geometry",
        "file_name": f"{P}_character_hero_big_geometry_main",
    }
    url = f"/data/entities/{p['shot']['id']}/output-file-path"
    body = {"output_type_id": geo, "task_type_id": anim, "name": "Cache", "revision": 4, "separator": "\\"}
    r = await as_artist.post(url, json={**body, "representation": "abc", "extension": ".abc"})
    assert r.json() == {
        "folder_path": f"/simple\\productions/export\\{P}\\shots\\s002\\sh010\\geometry",
        "file_name": f"{P}_s002_sh010_geometry_cache",
    }
    r = await as_artist.post(f"/data/entities/{p['sequence']['id']}/output-file-path", json={**body, "mode": "working"})
    assert r.json() == {
        "folder_path": f"/simple\\productions\\{P}\\sequences\\s002\\animation",
        "file_name": f"{P}_s002_animation",
    }
    r = await as_artist.post(
        f"/data/entities/{p['episode']['id']}/output-file-path", json={"output_type_id": geo, "task_type_id": anim}
    )
    assert r.json() == {
        "folder_path": f"/simple/productions/export/{P}/episodes/e01/geometry",
        "file_name": f"{P}_e01_geometry_main",
    }
    r = await as_artist.post(url, json={"task_type_id": anim})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "output_type_id"
    assert (await as_artist.post(url, json={"output_type_id": UNKNOWN, "task_type_id": anim})).status_code == 404
    assert (await as_artist.post(url, json={"output_type_id": geo, "task_type_id": UNKNOWN})).status_code == 404
    unknown = f"/data/entities/{UNKNOWN}/output-file-path"
    assert (await as_artist.post(unknown, json={"output_type_id": geo, "task_type_id": anim})).status_code == 404
    assert (await as_artist.post("/data/entities/x/output-file-path", json={})).status_code == 400
    assert (await anon.post(url, json={"output_type_id": geo, "task_type_id": anim})).status_code == 401
    assert (await as_client.post(url, json={"output_type_id": geo, "task_type_id": anim})).status_code == 403


async def test_instance_output_file_path(as_artist, anon, as_client, make, people, db):
    p = await production(make, people)
    geo, anim = p["geometry"]["id"], p["animation"]["id"]
    named = await add(db, AssetInstance, asset_id=p["asset"]["id"], name="Hero Inst", number=3)
    numbered = await add(db, AssetInstance, asset_id=p["asset"]["id"], number=12)
    url = f"/data/asset-instances/{named['id']}/entities/{p['shot']['id']}/output-file-path"
    body = {"output_type_id": geo, "task_type_id": anim}
    r = await as_artist.post(url, json=body)
    assert r.status_code == 400 and r.json() == {"message": "", "received_data": body}  # no instance template
    tree = copy.deepcopy(DEFAULT_TREE)
    tree["output"]["folder_path"]["instance"] = (
        "<Project>/inst/<Sequence>/<Shot>/<AssetType>/<Asset>/<Instance>/<Instance.number>/<OutputType>/"
        "<Representation>/v<Revision>"
    )
    tree["output"]["file_name"]["instance"] = "<Project>_<Shot>_<Asset>_<Instance>_<OutputType>_<Name>_v<Revision>"
    await _set_tree(db, p["project"], tree)
    r = await as_artist.post(url, json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "folder_path": f"/simple/productions/export/{P}/inst/s002/sh010/character/hero_big/hero_inst/0003/geometry"
        "//v000",
        "file_name": f"{P}_sh010_hero_big_hero_inst_geometry_main_v000",
    }
    r = await as_artist.post(url, json={**body, "revision": 5, "name": "X", "representation": "ABC"})
    assert r.json()["folder_path"].endswith("/hero_inst/0003/geometry/abc/v005")
    r = await as_artist.post(url.replace(p["shot"]["id"], p["asset"]["id"]), json=body)
    assert r.json()["folder_path"] == (
        f"/simple/productions/export/{P}/inst//hero_big/character/hero_big/hero_inst/0003/geometry//v000"
    )
    r = await as_artist.post(url.replace(named["id"], numbered["id"]), json=body)
    assert r.json() == {
        "folder_path": f"/simple/productions/export/{P}/inst/s002/sh010/character/hero_big/0012/0012/geometry//v000",
        "file_name": f"{P}_sh010_hero_big_0012_geometry_main_v000",
    }
    assert (await as_artist.post(url.replace(named["id"], UNKNOWN), json=body)).status_code == 404
    assert (await as_artist.post(url.replace(p["shot"]["id"], UNKNOWN), json=body)).status_code == 404
    assert (await as_artist.post(url.replace(named["id"], "bad"), json=body)).status_code == 400
    assert (await as_artist.post(url, json={})).status_code == 400
    assert (await anon.post(url, json=body)).status_code == 401
    assert (await as_client.post(url, json=body)).status_code == 403


# --- guessing ---


@pytest.mark.parametrize("spelling", ["guess-from-path", "guess_from_path"])
async def test_guess_from_path(spelling, as_artist, anon, as_client, make, people):
    p = await production(make, people)
    url = f"/data/entities/{spelling}"
    pid = p["project"]["id"]

    async def guess(path, **extra):
        r = await as_artist.post(url, json={"project_id": pid, "file_path": path, **extra})
        assert r.status_code == 200, r.text
        return r.json()

    assert await guess(f"/simple/productions/{P}/assets/character/hero_big/modeling") == [
        {
            "Template": "asset",
            "Project": pid,
            "AssetType": p["character"]["id"],
            "Asset": p["asset"]["id"],
            "TaskType": p["modeling"]["id"],
        }
    ]
    assert await guess(f"/simple/productions/{P}/shots/s002/sh010/animation/file.ma") == [
        {"Template": "shot", "Project": pid}
    ]
    assert await guess(f"/simple/productions/{P}/shots/seq2/sh010/animation") == [
        {
            "Template": "shot",
            "Project": pid,
            "Sequence": p["sequence"]["id"],
            "Shot": p["shot"]["id"],
            "TaskType": p["animation"]["id"],
        }
    ]
    assert await guess(f"/simple/productions/export/{P}/assets/character/hero_big/geometry") == [
        {
            "Template": "asset",
            "Project": pid,
            "AssetType": p["character"]["id"],
            "Asset": p["asset"]["id"],
            "OutputType": p["geometry"]["id"],
        }
    ]
    assert await guess("/other/path") == []
    # a bare project folder matches every template of the working mode (JSONB key order)
    assert [m["Template"] for m in await guess(f"/simple/productions/{P}")] == [
        "shot",
        "asset",
        "scene",
        "episode",
        "sequence",
    ]
    assert await guess(f"/SIMPLE/productions/{P.upper()}/ASSETS/Character") == [
        {"Template": "asset", "Project": pid, "AssetType": p["character"]["id"]}
    ]
    assert await guess(f"\\simple\\productions\\{P}\\assets", sep="\\") == []
    r = await as_artist.post(url, json={"project_id": pid})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "file_path"
    assert (await as_artist.post(url, json={"project_id": UNKNOWN, "file_path": "/x"})).status_code == 404
    assert (await as_artist.post(url, json={"project_id": "bad", "file_path": "/x"})).status_code == 404
    assert (await anon.post(url, json={"project_id": pid, "file_path": "/x"})).status_code == 401
    assert (await as_client.post(url, json={"project_id": pid, "file_path": "/x"})).status_code == 403


async def test_guess_does_not_leak_other_projects(as_artist, make, people):
    p = await production(make, people)
    other = await make.project("Other Show", team=[people["user"]], file_tree=DEFAULT_TREE)
    r = await as_artist.post(
        "/data/entities/guess-from-path",
        json={"project_id": other["id"], "file_path": f"/simple/productions/{P}/assets/character/hero_big"},
    )
    assert r.json() == [{"Template": "asset"}]
    assert p  # the path names the first production, which is not the one asked about
