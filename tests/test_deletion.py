"""Deleting entities: DELETE /data/<kind>s/{id}, /data/entities/{id} and the delete-entities batch.

The helpers at the top (`seed_dependents`, `references_to`, `existing`) are shared with
tests/test_deletion_project.py: they plant one row of every kind that hangs off an entity
or a task, and look for anything left pointing at deleted ids afterwards.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from event_log import events_named
from helpers import UNKNOWN
from sqlalchemy import and_, func, insert, select, update

from app.core.errors import NOT_FOUND_TEXT
from app.repositories.tables import metadata

_seq = itertools.count(1)
T = metadata.tables


# --- helpers -------------------------------------------------------------------------------


async def add(db, table: str, **values) -> dict[str, Any]:
    """Insert a row in the named table; answers it."""
    t = T[table]
    row = (await db.execute(insert(t).values(**values).returning(t))).mappings().one()
    return dict(row)


def key_of(table: str, row: dict[str, Any]) -> dict[str, Any]:
    t = T[table]
    return {c.name: row[c.name] for c in t.primary_key.columns}


async def existing(db, rows: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The (table, primary key) pairs still in the database."""
    found = []
    for table, key in rows:
        t = T[table]
        stmt = select(func.count()).select_from(t).where(and_(*(t.c[k] == v for k, v in key.items())))
        if (await db.execute(stmt)).scalar_one():
            found.append((table, key))
    return found


async def references_to(db, ids: list[str]) -> dict[str, int]:
    """Rows of any table whose foreign key to entity, task or project holds one of the ids, and the
    rows naming them by id without a key (comments, schedule items, chats); by `table.column`."""
    columns = [
        fk.parent
        for table in metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name in ("entity", "task", "project")
    ]
    columns += [T["comment"].c.object_id, T["schedule_item"].c.object_id, T["chat"].c.object_id]
    found = {}
    for column in columns:
        stmt = select(func.count()).select_from(column.table).where(column.in_(ids))
        n = (await db.execute(stmt)).scalar_one()
        if n:
            found[f"{column.table.name}.{column.name}"] = n
    return found


async def row_of(db, table: str, row_id: str) -> dict[str, Any] | None:
    t = T[table]
    row = (await db.execute(select(t).where(t.c.id == row_id))).mappings().first()
    return dict(row) if row else None


async def seed_dependents(db, make, people, *, entity: dict, task: dict) -> list[tuple[str, dict[str, Any]]]:
    """One row of each kind hanging off `task` and `entity` (comments, previews, files, links,
    notifications...); answers their (table, primary key) pairs."""
    n = next(_seq)
    person, author = people["user"], people["manager"]
    project_id = entity["project_id"]
    out: list[tuple[str, dict[str, Any]]] = []

    async def put(table: str, **values) -> dict[str, Any]:
        row = await add(db, table, **values)
        out.append((table, key_of(table, row)))
        return row

    department = await add(db, "department", name=f"Dep {n}", color="#000000")
    file_status = await add(db, "file_status", name=f"FS {n}", color="#000000")
    asset = await make.asset({"id": project_id}, name=f"Seed asset {n}")
    concept = await make.concept({"id": project_id}, name=f"Seed concept {n}")

    comment = await put("comment", object_id=task["id"], object_type="Task", person_id=author, text="hi")
    await put("comment", object_id=entity["id"], object_type="Entity", person_id=author, text="on entity")
    preview = await put("preview_file", task_id=task["id"], person_id=person, revision=1, extension="png")
    await put("preview_file_storage_state", preview_file_id=preview["id"], bucket="b", prefix="p", state="stored")
    await db.execute(
        update(T["comment"]).where(T["comment"].c.id == comment["id"]).values(preview_file_id=preview["id"])
    )
    await db.execute(update(T["entity"]).where(T["entity"].c.id == entity["id"]).values(preview_file_id=preview["id"]))
    await db.execute(update(T["task"]).where(T["task"].c.id == task["id"]).values(last_preview_file_id=preview["id"]))
    await put("comment_preview_link", comment=comment["id"], preview_file=preview["id"])
    await put("comment_mentions", comment=comment["id"], person=person)
    await put("comment_acknoledgments", comment=comment["id"], person=person)
    await put("comment_department_mentions", comment=comment["id"], department=department["id"])
    await put("attachment_file", comment_id=comment["id"], name="a.txt")
    await put(
        "notification", person_id=person, author_id=author, comment_id=comment["id"], task_id=task["id"], type="comment"
    )
    await put("news", author_id=author, comment_id=comment["id"], task_id=task["id"], preview_file_id=preview["id"])
    await put("subscription", person_id=person, task_id=task["id"])
    await put("subscription", person_id=author, entity_id=entity["id"], task_type_id=task["task_type_id"])
    await put("time_spent", task_id=task["id"], person_id=person, duration=60.0, date=datetime.date(2024, 1, 2))
    await put("task_person_link", task_id=task["id"], person_id=person)
    working = await put("working_file", task_id=task["id"], entity_id=entity["id"], name="wf", revision=1)
    output = await put(
        "output_file",
        entity_id=entity["id"],
        temporal_entity_id=entity["id"],
        source_file_id=working["id"],
        file_status_id=file_status["id"],
        name="of",
        revision=1,
    )
    await db.execute(
        update(T["preview_file"]).where(T["preview_file"].c.id == preview["id"]).values(source_file_id=output["id"])
    )
    await put("entity_version", entity_id=entity["id"], name="v1", person_id=person)
    await put("entity_link", entity_in_id=entity["id"], entity_out_id=asset["id"])
    await put("entity_link", entity_in_id=asset["id"], entity_out_id=entity["id"])
    await put("entity_concept_link", entity_in_id=entity["id"], entity_out_id=concept["id"])
    await put("entity_concept_link", entity_in_id=concept["id"], entity_out_id=entity["id"])
    instance = await put("asset_instance", asset_id=asset["id"], entity_id=entity["id"], number=1)
    await put("asset_instance_link", entity_id=entity["id"], asset_instance_id=instance["id"])
    await put(
        "output_file",
        asset_instance_id=instance["id"],
        file_status_id=file_status["id"],
        name="instance output",
        revision=1,
    )
    await put("schedule_item", project_id=project_id, task_type_id=task["task_type_id"], object_id=entity["id"])
    version = await put("production_schedule_version", name=f"PSV {n}", project_id=project_id)
    version_link = await put(
        "production_schedule_version_task_link", production_schedule_version_id=version["id"], task_id=task["id"]
    )
    await put(
        "production_schedule_version_task_link_person_link",
        production_schedule_version_task_link_id=version_link["id"],
        person_id=person,
    )
    chat = await put("chat", object_id=entity["id"], object_type="entity")
    message = await put("chat_message", chat_id=chat["id"], person_id=person, text="hello")
    await put("chat_participant", chat_id=chat["id"], person_id=person)
    await put("attachment_file", chat_message_id=message["id"], name="b.txt")
    # The production schedule version belongs to the project, not to the entity: it stays.
    out.remove(("production_schedule_version", {"id": version["id"]}))
    return out


@pytest.fixture
async def prod(make, people):
    """A project whose team holds every role (manager and supervisor by their global role)."""
    team = [people[r] for r in ("manager", "supervisor", "user", "client", "vendor")]
    project = await make.project(team=team)
    sequence = await make.sequence(project)
    return {"project": project, "sequence": sequence}


@pytest.fixture
async def shot_type(make):
    return await make.task_type(for_entity="Shot")


@pytest.fixture
async def asset_type(make):
    return await make.task_type(for_entity="Asset")


# --- shots ----------------------------------------------------------------------------------


async def test_shot_without_tasks_is_deleted(as_manager, make, db, prod):
    shot = await make.shot(prod["project"], prod["sequence"])
    r = await as_manager.delete(f"/data/shots/{shot['id']}")
    assert r.status_code == 204 and r.content == b""
    assert await row_of(db, "entity", shot["id"]) is None
    [event] = [e for e in await events_named(db, "shot:delete") if e["data"]["shot_id"] == shot["id"]]
    assert event["data"] == {"shot_id": shot["id"], "project_id": prod["project"]["id"]}
    assert event["project_id"] == prod["project"]["id"] and event["user_id"] == as_manager.person_id


async def test_shot_with_tasks_is_canceled_without_force(as_manager, make, db, prod, shot_type):
    shot = await make.shot(prod["project"], prod["sequence"])
    task = await make.task(shot, shot_type)
    r = await as_manager.delete(f"/data/shots/{shot['id']}", params={"force": "false"})
    assert r.status_code == 204
    assert (await row_of(db, "entity", shot["id"]))["canceled"] is True
    assert await row_of(db, "task", task["id"]) is not None
    [event] = [e for e in await events_named(db, "shot:update") if e["data"]["shot_id"] == shot["id"]]
    assert event["data"] == {"shot_id": shot["id"], "project_id": prod["project"]["id"]}
    assert not [e for e in await events_named(db, "shot:delete") if e["data"]["shot_id"] == shot["id"]]
    # Canceled again (not removed) on a second delete without force.
    assert (await as_manager.delete(f"/data/shots/{shot['id']}")).status_code == 204
    assert await row_of(db, "entity", shot["id"]) is not None


async def test_shot_force_takes_every_dependent(as_admin, make, db, people, prod, shot_type):
    shot = await make.shot(prod["project"], prod["sequence"])
    task = await make.task(shot, shot_type, assignees=[people["vendor"]])
    doomed = await seed_dependents(db, make, people, entity=shot, task=task)
    # The same in another shot, which must stay whole.
    other = await make.shot(prod["project"], prod["sequence"])
    other_task = await make.task(other, shot_type)
    kept = await seed_dependents(db, make, people, entity=other, task=other_task)

    r = await as_admin.delete(f"/data/shots/{shot['id']}", params={"force": "TRUE"})
    assert r.status_code == 204, r.text
    assert await existing(db, doomed) == []
    assert await references_to(db, [shot["id"], task["id"]]) == {}
    assert await existing(db, kept) == kept
    assert await row_of(db, "entity", other["id"]) is not None
    [event] = [e for e in await events_named(db, "task:delete") if e["data"]["task_id"] == task["id"]]
    assert event["data"] == {
        "task_id": task["id"],
        "entity_id": shot["id"],
        "task_type_id": shot_type["id"],
        "project_id": prod["project"]["id"],
    }
    assert [e for e in await events_named(db, "shot:delete") if e["data"]["shot_id"] == shot["id"]]


async def test_shot_force_statement_count_does_not_grow_with_tasks(as_admin, make, db, people, prod, queries):
    counts = []
    for nb_tasks in (1, 12):
        shot = await make.shot(prod["project"], prod["sequence"])
        for _ in range(nb_tasks):
            task = await make.task(shot, await make.task_type(for_entity="Shot"), assignees=[people["user"]])
            await add(db, "comment", object_id=task["id"], object_type="Task", person_id=people["user"])
            await add(db, "preview_file", task_id=task["id"], revision=1)
        queries.reset()
        assert (await as_admin.delete(f"/data/shots/{shot['id']}?force=true")).status_code == 204
        counts.append(queries.count)
        assert await references_to(db, [shot["id"]]) == {}
    assert counts[0] == counts[1]


async def test_shot_delete_access(anon, as_artist, as_supervisor, as_client, as_vendor, make, prod, people, client_for):
    shot = await make.shot(prod["project"], prod["sequence"])
    url = f"/data/shots/{shot['id']}"
    assert (await anon.delete(url)).status_code == 401
    for client in (as_artist, as_supervisor, as_client, as_vendor):
        r = await client.delete(url)
        assert r.status_code == 403, client.person_id
        assert r.json()["error"] is True


async def test_manager_off_the_team_may_not_delete(as_manager, make):
    project = await make.project()
    shot = await make.shot(project, await make.sequence(project))
    assert (await as_manager.delete(f"/data/shots/{shot['id']}")).status_code == 403


async def test_creator_on_the_team_may_delete_their_shot(as_artist, make, db, prod, people):
    shot = await make.shot(prod["project"], prod["sequence"], created_by=people["user"])
    assert (await as_artist.delete(f"/data/shots/{shot['id']}")).status_code == 204
    assert await row_of(db, "entity", shot["id"]) is None


async def test_creator_off_the_team_may_not_delete(as_artist, make, people):
    project = await make.project()
    shot = await make.shot(project, await make.sequence(project), created_by=people["user"])
    assert (await as_artist.delete(f"/data/shots/{shot['id']}")).status_code == 403


async def test_shot_not_found_and_malformed(as_admin, prod):
    r = await as_admin.delete(f"/data/shots/{UNKNOWN}")
    assert r.status_code == 404 and r.json() == {"error": True, "message": NOT_FOUND_TEXT}
    # An id of another kind is not a shot.
    assert (await as_admin.delete(f"/data/shots/{prod['sequence']['id']}")).status_code == 404
    r = await as_admin.delete("/data/shots/not-an-id")
    assert r.status_code == 400 and r.json() == {"error": True, "message": "Malformed ID.", "data": None}
    assert (await as_admin.delete(f"/api/data/shots/{UNKNOWN}")).status_code == 404


# --- assets ---------------------------------------------------------------------------------


async def test_asset_with_tasks_is_canceled_and_castings_recounted(as_manager, make, db, prod, asset_type, shot_type):
    project = prod["project"]
    shot = await make.shot(project, prod["sequence"], nb_entities_out=2)
    shot_task = await make.task(shot, shot_type)
    asset = await make.asset(project, ready_for=shot_type["id"])
    other = await make.asset(project)
    await make.cast(shot, asset)
    await make.cast(shot, other)
    await add(db, "project_task_type_link", project_id=project["id"], task_type_id=shot_type["id"], priority=1)
    await make.task(asset, asset_type)

    r = await as_manager.delete(f"/data/assets/{asset['id']}")
    assert r.status_code == 204
    assert (await row_of(db, "entity", asset["id"]))["canceled"] is True
    assert (await row_of(db, "entity", shot["id"]))["nb_entities_out"] == 1
    assert (await row_of(db, "task", shot_task["id"]))["nb_assets_ready"] == 0
    assert [e for e in await events_named(db, "asset:update") if e["data"]["asset_id"] == asset["id"]]
    [cast] = [e for e in await events_named(db, "shot:casting-update") if e["data"]["shot_id"] == shot["id"]]
    assert cast["data"] == {
        "shot_id": shot["id"],
        "nb_entities_out": 1,
        "added_asset_ids": [],
        "removed_asset_ids": [],
        "project_id": project["id"],
    }


async def test_asset_without_tasks_is_deleted_with_its_links(as_manager, make, db, prod, shot_type):
    project = prod["project"]
    shot = await make.shot(project, prod["sequence"], nb_entities_out=2)
    shot_task = await make.task(shot, shot_type)
    asset = await make.asset(project)
    ready = await make.asset(project, ready_for=shot_type["id"])
    await make.cast(shot, asset)
    await make.cast(shot, ready)
    await add(db, "project_task_type_link", project_id=project["id"], task_type_id=shot_type["id"], priority=1)
    child = await make.asset(project, parent_id=asset["id"])

    r = await as_manager.delete(f"/data/assets/{asset['id']}")
    assert r.status_code == 204
    assert await row_of(db, "entity", asset["id"]) is None
    assert await references_to(db, [asset["id"]]) == {}
    assert (await row_of(db, "entity", child["id"]))["parent_id"] is None
    assert (await row_of(db, "entity", shot["id"]))["nb_entities_out"] == 1
    assert (await row_of(db, "task", shot_task["id"]))["nb_assets_ready"] == 1
    assert [e for e in await events_named(db, "asset:delete") if e["data"]["asset_id"] == asset["id"]]
    assert [e for e in await events_named(db, "shot:casting-update") if e["data"]["shot_id"] == shot["id"]]


async def test_asset_force_removes_its_tasks(as_admin, make, db, people, prod, asset_type):
    asset = await make.asset(prod["project"])
    task = await make.task(asset, asset_type)
    doomed = await seed_dependents(db, make, people, entity=asset, task=task)
    assert (await as_admin.delete(f"/data/assets/{asset['id']}?force=true")).status_code == 204
    assert await existing(db, doomed) == []
    assert await references_to(db, [asset["id"], task["id"]]) == {}


async def test_asset_errors(anon, as_admin, as_artist, make, prod):
    asset = await make.asset(prod["project"])
    assert (await anon.delete(f"/data/assets/{asset['id']}")).status_code == 401
    assert (await as_artist.delete(f"/data/assets/{asset['id']}")).status_code == 403
    r = await as_admin.delete(f"/data/assets/{UNKNOWN}")
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    assert (await as_admin.delete(f"/data/assets/{prod['sequence']['id']}")).status_code == 404
    assert (await as_admin.delete("/data/assets/xyz")).status_code == 400


# --- edits and concepts ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["edit", "concept"])
async def test_edit_and_concept_cancel_then_force(kind, as_manager, make, db, people, prod):
    project = prod["project"]
    entity = await getattr(make, kind)(project)
    task = await make.task(entity, await make.task_type(for_entity=kind.title()))
    url = f"/data/{kind}s/{entity['id']}"
    assert (await as_manager.delete(url)).status_code == 204
    assert (await row_of(db, "entity", entity["id"]))["canceled"] is True
    assert [e for e in await events_named(db, f"{kind}:update") if e["data"][f"{kind}_id"] == entity["id"]]

    doomed = await seed_dependents(db, make, people, entity=entity, task=task)
    assert (await as_manager.delete(url, params={"force": "true"})).status_code == 204
    assert await existing(db, doomed) == []
    assert await references_to(db, [entity["id"], task["id"]]) == {}
    assert [e for e in await events_named(db, f"{kind}:delete") if e["data"][f"{kind}_id"] == entity["id"]]


@pytest.mark.parametrize("kind", ["edit", "concept"])
async def test_edit_and_concept_errors(kind, anon, as_admin, as_supervisor, make, prod):
    entity = await getattr(make, kind)(prod["project"])
    url = f"/data/{kind}s/{entity['id']}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_supervisor.delete(url)).status_code == 403
    r = await as_admin.delete(f"/data/{kind}s/{UNKNOWN}")
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    assert (await as_admin.delete(f"/data/{kind}s/{prod['sequence']['id']}")).status_code == 404
    assert (await as_admin.delete(f"/data/{kind}s/12")).status_code == 400


async def test_artist_deletes_the_concept_they_made(as_artist, make, db, prod, people):
    concept = await make.concept(prod["project"], created_by=people["user"])
    assert (await as_artist.delete(f"/data/concepts/{concept['id']}")).status_code == 204
    assert await row_of(db, "entity", concept["id"]) is None


# --- scenes ----------------------------------------------------------------------------------------


async def test_scene_is_deleted_or_canceled(as_manager, make, db, prod):
    free = await make.scene(prod["project"], prod["sequence"])
    shot = await make.shot(prod["project"], prod["sequence"])
    await make.cast(free, shot)  # a link the scene owns goes with it
    assert (await as_manager.delete(f"/data/scenes/{free['id']}")).status_code == 204
    assert await row_of(db, "entity", free["id"]) is None

    busy = await make.scene(prod["project"], prod["sequence"])
    task = await make.task(busy, await make.task_type(for_entity="Scene"))
    assert (await as_manager.delete(f"/data/scenes/{busy['id']}?force=true")).status_code == 204
    assert (await row_of(db, "entity", busy["id"]))["canceled"] is True
    assert await row_of(db, "task", task["id"]) is not None
    deleted = [e["data"]["scene_id"] for e in await events_named(db, "scene:delete")]
    assert free["id"] in deleted and busy["id"] in deleted


async def test_scene_errors(anon, as_admin, as_artist, make, prod):
    scene = await make.scene(prod["project"], prod["sequence"])
    assert (await anon.delete(f"/data/scenes/{scene['id']}")).status_code == 401
    assert (await as_artist.delete(f"/data/scenes/{scene['id']}")).status_code == 403
    r = await as_admin.delete(f"/data/scenes/{UNKNOWN}")
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    assert (await as_admin.delete("/data/scenes/nope")).status_code == 400


# --- sequences and episodes ---------------------------------------------------------------------------


async def test_sequence_without_force_is_refused_while_it_has_shots(as_manager, make, db, prod):
    sequence = prod["sequence"]
    shot = await make.shot(prod["project"], sequence)
    r = await as_manager.delete(f"/data/sequences/{sequence['id']}")
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Some data are still linked to this sequence."}
    assert await row_of(db, "entity", sequence["id"]) is not None
    assert await row_of(db, "entity", shot["id"]) is not None

    empty = await make.sequence(prod["project"])
    asset = await make.asset(prod["project"])
    await make.cast(empty, asset)
    assert (await as_manager.delete(f"/data/sequences/{empty['id']}")).status_code == 204
    assert await references_to(db, [empty["id"]]) == {}
    assert [e for e in await events_named(db, "sequence:delete") if e["data"]["sequence_id"] == empty["id"]]


async def test_sequence_force_takes_its_shots_and_scenes(as_admin, make, db, people, prod, shot_type):
    sequence = prod["sequence"]
    shot = await make.shot(prod["project"], sequence)
    task = await make.task(shot, shot_type)
    scene = await make.scene(prod["project"], sequence)
    scene_task = await make.task(scene, await make.task_type(for_entity="Scene"))
    doomed = await seed_dependents(db, make, people, entity=shot, task=task)
    doomed += await seed_dependents(db, make, people, entity=sequence, task=scene_task)

    r = await as_admin.delete(f"/data/sequences/{sequence['id']}", params={"force": "true"})
    assert r.status_code == 204
    ids = [sequence["id"], shot["id"], scene["id"], task["id"], scene_task["id"]]
    assert await references_to(db, ids) == {}
    assert await existing(db, doomed) == []
    names = {e["name"] for e in await events_named(db, "shot:delete") + await events_named(db, "scene:delete")}
    assert names == {"shot:delete", "scene:delete"}
    assert [e for e in await events_named(db, "sequence:delete") if e["data"]["sequence_id"] == sequence["id"]]


async def test_sequence_access(anon, as_artist, as_vendor, as_admin, make, prod, people):
    sequence = prod["sequence"]
    url = f"/data/sequences/{sequence['id']}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_artist.delete(url)).status_code == 403
    assert (await as_vendor.delete(url)).status_code == 403
    own = await make.sequence(prod["project"], created_by=people["user"])
    assert (await as_artist.delete(f"/data/sequences/{own['id']}")).status_code == 204
    r = await as_admin.delete(f"/data/sequences/{UNKNOWN}")
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    assert (await as_admin.delete("/data/sequences/1-2-3")).status_code == 400


async def test_episode_force_takes_its_whole_subtree(as_admin, make, db, people, prod, shot_type, queries):
    project = prod["project"]
    counts = []
    for width in (1, 4):
        episode = await make.episode(project)
        ids = [episode["id"]]
        for _ in range(width):
            sequence = await make.sequence(project, episode=episode)
            shot = await make.shot(project, sequence)
            task = await make.task(shot, shot_type)
            scene = await make.scene(project, sequence)
            ids += [sequence["id"], shot["id"], task["id"], scene["id"]]
        edit = await make.edit(project, episode=episode)
        asset = await make.asset(project, source_id=episode["id"])
        playlist = await add(
            db, "playlist", name=f"PL {next(_seq)}", project_id=project["id"], episode_id=episode["id"]
        )
        await add(db, "build_job", playlist_id=playlist["id"])
        await add(
            db, "playlist_share_link", playlist_id=playlist["id"], token=f"tok{next(_seq)}", created_by=people["admin"]
        )
        ids += [edit["id"], asset["id"]]
        queries.reset()
        r = await as_admin.delete(f"/data/episodes/{episode['id']}?force=true")
        assert r.status_code == 204, r.text
        counts.append(queries.count)
        assert await references_to(db, ids) == {}
        assert await row_of(db, "playlist", playlist["id"]) is None
        assert [e for e in await events_named(db, "episode:delete") if e["data"]["episode_id"] == episode["id"]]
        assert [e for e in await events_named(db, "asset:delete") if e["data"]["asset_id"] == asset["id"]]
    assert counts[0] == counts[1]


async def test_episode_without_force(as_manager, anon, as_client, as_admin, make, db, prod):
    project = prod["project"]
    episode = await make.episode(project)
    await make.sequence(project, episode=episode)
    r = await as_manager.delete(f"/data/episodes/{episode['id']}")
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Some data are still linked to this episode."}
    lone = await make.episode(project)
    assert (await anon.delete(f"/data/episodes/{lone['id']}")).status_code == 401
    assert (await as_client.delete(f"/data/episodes/{lone['id']}")).status_code == 403
    assert (await as_manager.delete(f"/data/episodes/{lone['id']}")).status_code == 204
    assert await row_of(db, "entity", lone["id"]) is None
    r = await as_admin.delete(f"/data/episodes/{UNKNOWN}")
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    assert (await as_admin.delete("/data/episodes/x")).status_code == 400


# --- concept folders ------------------------------------------------------------------------------------


async def test_concept_folder_delete_moves_its_concepts_to_the_root(as_supervisor, make, db, prod):
    project = prod["project"]
    folder = await make.entity(project, "ConceptFolder")
    concepts = [await make.concept(project, parent_id=folder["id"]) for _ in range(2)]
    r = await as_supervisor.delete(f"/data/concept-folders/{folder['id']}")
    assert r.status_code == 204
    assert await row_of(db, "entity", folder["id"]) is None
    for concept in concepts:
        assert (await row_of(db, "entity", concept["id"]))["parent_id"] is None
    updated = {e["data"]["concept_id"] for e in await events_named(db, "concept:update")}
    assert {c["id"] for c in concepts} <= updated
    [event] = [
        e for e in await events_named(db, "concept-folder:delete") if e["data"]["concept_folder_id"] == folder["id"]
    ]
    assert event["data"] == {"concept_folder_id": folder["id"], "project_id": project["id"]}


async def test_concept_folder_errors(anon, as_artist, as_admin, make, prod):
    folder = await make.entity(prod["project"], "ConceptFolder")
    url = f"/data/concept-folders/{folder['id']}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_artist.delete(url)).status_code == 403
    r = await as_admin.delete(f"/data/concept-folders/{UNKNOWN}")
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    concept = await make.concept(prod["project"])
    assert (await as_admin.delete(f"/data/concept-folders/{concept['id']}")).status_code == 404
    assert (await as_admin.delete("/data/concept-folders/abc")).status_code == 400


# --- /data/entities/{id} --------------------------------------------------------------------------------


async def test_generic_entity_delete_drops_links_then_the_entity(as_manager, make, db, prod):
    project = prod["project"]
    asset = await make.asset(project)
    shot = await make.shot(project, prod["sequence"])
    await make.cast(shot, asset)
    concept = await make.concept(project)
    await add(db, "entity_concept_link", entity_in_id=concept["id"], entity_out_id=asset["id"])
    r = await as_manager.delete(f"/data/entities/{asset['id']}")
    assert r.status_code == 204
    assert await references_to(db, [asset["id"]]) == {}
    assert [e for e in await events_named(db, "asset:delete") if e["data"]["asset_id"] == asset["id"]]

    folder = await make.entity(project, "ConceptFolder")
    assert (await as_manager.delete(f"/data/entities/{folder['id']}")).status_code == 204
    events = await events_named(db, "concept-folder:delete")
    assert [e for e in events if e["data"] == {"concept_folder_id": folder["id"], "project_id": project["id"]}]


async def test_generic_entity_delete_is_refused_with_tasks(as_admin, make, db, prod, shot_type):
    shot = await make.shot(prod["project"], prod["sequence"])
    await make.task(shot, shot_type)
    for params in ({}, {"force": "true"}):  # no force on the generic route
        r = await as_admin.delete(f"/data/entities/{shot['id']}", params=params)
        assert r.status_code == 400
        assert r.json() == {"message": "The change conflicts with records referencing this one."}
    assert await row_of(db, "entity", shot["id"]) is not None


async def test_generic_entity_errors(anon, as_artist, as_admin, make, prod, people):
    shot = await make.shot(prod["project"], prod["sequence"])
    url = f"/data/entities/{shot['id']}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_artist.delete(url)).status_code == 403
    own = await make.shot(prod["project"], prod["sequence"], created_by=people["user"])
    assert (await as_artist.delete(f"/data/entities/{own['id']}")).status_code == 204
    r = await as_admin.delete(f"/data/entities/{UNKNOWN}")
    assert r.status_code == 404 and r.json() == {"error": True, "message": NOT_FOUND_TEXT}
    r = await as_admin.delete("/data/entities/nope")
    assert r.status_code == 400 and r.json()["message"] == "Malformed ID."


# --- the batch -----------------------------------------------------------------------------------------------


def batch_url(project: dict, force: bool = False) -> str:
    return f"/actions/projects/{project['id']}/delete-entities" + ("?force=true" if force else "")


async def test_batch_dispatches_by_kind(as_manager, make, db, prod, asset_type, shot_type):
    project = prod["project"]
    free = await make.asset(project)
    busy = await make.asset(project)
    await make.task(busy, asset_type)
    canceled = await make.asset(project, canceled=True)
    await make.task(canceled, asset_type)
    concept = await make.concept(project)
    await make.task(concept, await make.task_type(for_entity="Concept"))
    shot = await make.shot(project, prod["sequence"])
    await make.task(shot, shot_type)
    edit = await make.edit(project)
    episode = await make.episode(project)
    elsewhere = await make.asset(await make.project(team=[as_manager.person_id]))
    body = [
        free["id"],
        busy["id"],
        UNKNOWN,
        canceled["id"],
        concept["id"],
        shot["id"],
        edit["id"],
        episode["id"],
        elsewhere["id"],
        free["id"],
    ]
    r = await as_manager.post(batch_url(project), json=body)
    assert r.status_code == 200, r.text
    assert r.json() == [free["id"], busy["id"], canceled["id"], concept["id"], shot["id"], edit["id"]]
    for gone in (free, canceled, concept, edit):
        assert await row_of(db, "entity", gone["id"]) is None
    for kept in (busy, shot):
        assert (await row_of(db, "entity", kept["id"]))["canceled"] is True
    for untouched in (episode, elsewhere):
        assert await row_of(db, "entity", untouched["id"]) is not None
    assert [e for e in await events_named(db, "asset:update") if e["data"]["asset_id"] == busy["id"]]
    assert [e for e in await events_named(db, "shot:update") if e["data"]["shot_id"] == shot["id"]]
    assert [e for e in await events_named(db, "concept:delete") if e["data"]["concept_id"] == concept["id"]]
    assert [e for e in await events_named(db, "edit:delete") if e["data"]["edit_id"] == edit["id"]]


async def test_batch_force_removes_everything_listed(as_admin, make, db, people, prod, asset_type):
    project = prod["project"]
    asset = await make.asset(project)
    task = await make.task(asset, asset_type)
    doomed = await seed_dependents(db, make, people, entity=asset, task=task)
    r = await as_admin.post(batch_url(project, force=True), json=[asset["id"]])
    assert r.status_code == 200 and r.json() == [asset["id"]]
    assert await existing(db, doomed) == []
    assert await references_to(db, [asset["id"], task["id"]]) == {}


async def test_batch_statement_count_does_not_grow(as_admin, make, prod, asset_type, queries):
    counts = []
    for size in (1, 12):
        ids = []
        for i in range(size):
            asset = await make.asset(prod["project"])
            if i % 2:
                await make.task(asset, asset_type)
            ids.append(asset["id"])
        queries.reset()
        r = await as_admin.post(batch_url(prod["project"], force=True), json=ids)
        assert r.status_code == 200 and r.json() == ids
        counts.append(queries.count)
    assert counts[0] == counts[1]


async def test_batch_body_and_project_errors(anon, as_admin, prod):
    url = batch_url(prod["project"])
    assert (await anon.post(url, json=[])).status_code == 401
    for body in ({"ids": []}, "x", None):
        r = await as_admin.post(url, json=body)
        assert r.status_code == 400
        assert r.json() == {"error": True, "message": "Request body must be a JSON array.", "data": None}
    r = await as_admin.post(url, content=b"not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    for body in (["abc"], [12]):
        r = await as_admin.post(url, json=body)
        assert r.status_code == 400
        assert r.json() == {"error": True, "message": "Request body must only contain valid UUIDs.", "data": None}
    r = await as_admin.post(f"/actions/projects/{UNKNOWN}/delete-entities", json=[])
    assert r.status_code == 404 and r.json()["message"] == NOT_FOUND_TEXT
    assert (await as_admin.post("/actions/projects/zz/delete-entities", json=[])).status_code == 400
    assert (await as_admin.post(url, json=[])).json() == []


async def test_batch_access(as_artist, as_vendor, make, db, prod, people):
    project = prod["project"]
    asset = await make.asset(project)
    for client in (as_artist, as_vendor):
        r = await client.post(batch_url(project), json=[asset["id"]])
        assert r.status_code == 403
    assert await row_of(db, "entity", asset["id"]) is not None
    # Nothing to authorize for ids that do not exist; creators delete their own.
    assert (await as_artist.post(batch_url(project), json=[UNKNOWN])).json() == []
    own = await make.asset(project, created_by=people["user"])
    r = await as_artist.post(batch_url(project), json=[own["id"]])
    assert r.status_code == 200 and r.json() == [own["id"]]
    outsider_project = await make.project()
    theirs = await make.asset(outsider_project, created_by=people["user"])
    assert (await as_artist.post(batch_url(outsider_project), json=[theirs["id"]])).status_code == 403


async def test_batch_of_thousands(as_admin, make, db, prod):
    """Thousands of ids in one request (each id set is bound as one array parameter)."""
    project = prod["project"]
    asset_type = await make.entity_type("Character")
    values = [
        {"name": f"Bulk {i}", "project_id": project["id"], "entity_type_id": asset_type["id"]} for i in range(4000)
    ]
    ids = list((await db.execute(insert(T["entity"]).returning(T["entity"].c.id), values)).scalars())
    r = await as_admin.post(batch_url(project, force=True), json=ids)
    assert r.status_code == 200, r.text
    assert len(r.json()) == 4000
    left = select(func.count()).select_from(T["entity"]).where(T["entity"].c.id.in_(ids[:100]))
    assert (await db.execute(left)).scalar_one() == 0
