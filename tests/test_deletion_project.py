"""DELETE /data/projects/{id}: closed projects only, by admins; `?force=true` takes every row of the project."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from sqlalchemy import select
from test_deletion import UNKNOWN, add, events_named, existing, key_of, references_to, row_of, seed_dependents

from app.core.errors import NOT_FOUND_TEXT
from app.repositories.tables import metadata

_seq = itertools.count(1)
T = metadata.tables


async def seed_project(db, make, people, project: dict) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """A production with a bit of everything: entities, tasks and their dependents, settings links,
    playlists, budgets, schedules, filters, events. Answers (entity and task ids, planted rows)."""
    n = next(_seq)
    rows: list[tuple[str, dict[str, Any]]] = []

    async def put(table: str, **values) -> dict[str, Any]:
        row = await add(db, table, **values)
        rows.append((table, key_of(table, row)))
        return row

    person = people["user"]
    episode = await make.episode(project)
    sequence = await make.sequence(project, episode=episode)
    shot = await make.shot(project, sequence)
    shot_type = await make.task_type(for_entity="Shot")
    task = await make.task(shot, shot_type, assignees=[people["vendor"]])
    asset = await make.asset(project)
    asset_task = await make.task(asset, await make.task_type(for_entity="Asset"))
    await make.cast(shot, asset)
    rows += await seed_dependents(db, make, people, entity=shot, task=task)
    rows += await seed_dependents(db, make, people, entity=asset, task=asset_task)
    department = await add(db, "department", name=f"Project dep {n}", color="#000000")
    software = await add(db, "software", name=f"Soft {n}", short_name="s", file_extension="ma")
    status = await make.task_status()
    automation = await add(db, "status_automation", in_task_type_id=shot_type["id"])

    await put("project_task_type_link", project_id=project["id"], task_type_id=shot_type["id"], priority=1)
    await put("project_task_status_link", project_id=project["id"], task_status_id=status["id"])
    await put("project_asset_type_link", project_id=project["id"], asset_type_id=asset["entity_type_id"])
    await put("project_status_automation_link", project_id=project["id"], status_automation_id=automation["id"])
    await put(
        "project_task_type_software_link",
        project_id=project["id"],
        task_type_id=shot_type["id"],
        software_id=software["id"],
    )
    playlist = await put("playlist", name=f"Dailies {n}", project_id=project["id"])
    await put("build_job", playlist_id=playlist["id"])
    await put("playlist_share_link", playlist_id=playlist["id"], token=f"share-{n}", created_by=person)
    await put("notification", person_id=person, author_id=people["admin"], playlist_id=playlist["id"], type="playlist")
    budget = await put("budget", project_id=project["id"], name="B")
    await put(
        "budget_entry",
        budget_id=budget["id"],
        department_id=department["id"],
        start_date=datetime.date(2024, 1, 1),
        months_duration=2,
        daily_salary=100.0,
    )
    descriptor = await put(
        "metadata_descriptor", project_id=project["id"], entity_type="Asset", name="Look", field_name="look"
    )
    await put(
        "department_metadata_descriptor_link", metadata_descriptor_id=descriptor["id"], department_id=department["id"]
    )
    await put("milestone", project_id=project["id"], name="M1")
    await put("schedule_item", project_id=project["id"], task_type_id=shot_type["id"])
    version = await put("production_schedule_version", name=f"Plan {n}", project_id=project["id"])
    await put(
        "production_schedule_version",
        name=f"Plan {n}b",
        project_id=project["id"],
        production_schedule_from=version["id"],
    )
    group = await put("search_filter_group", list_type="asset", project_id=project["id"], person_id=person)
    await put("search_filter", list_type="asset", project_id=project["id"], search_filter_group_id=group["id"])
    await put("api_event", name="project:update", project_id=project["id"], data={})
    await put(
        "person",
        first_name="Preview",
        last_name=f"Account {n}",
        email=f"preview-{n}@example.com",
        is_guest=True,
        preview_project_id=project["id"],
    )
    ids = [episode["id"], sequence["id"], shot["id"], asset["id"], task["id"], asset_task["id"]]
    return ids, rows


async def test_force_removes_every_row_of_the_project_and_nothing_else(as_admin, make, db, people):
    doomed_project = await make.project(team=[people["manager"], people["user"]], closed=True)
    doomed_ids, doomed = await seed_project(db, make, people, doomed_project)
    kept_project = await make.project(team=[people["manager"]], closed=True)
    kept_ids, kept = await seed_project(db, make, people, kept_project)

    r = await as_admin.delete(f"/data/projects/{doomed_project['id']}", params={"force": "true"})
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert await row_of(db, "project", doomed_project["id"]) is None
    assert await references_to(db, [doomed_project["id"], *doomed_ids]) == {}
    assert await existing(db, doomed) == []
    assert await existing(db, kept) == kept
    assert await row_of(db, "project", kept_project["id"]) is not None
    events = [e for e in await events_named(db, "project:delete") if e["data"]["project_id"] == doomed_project["id"]]
    assert len(events) == 1
    assert events[0]["project_id"] is None and events[0]["user_id"] == as_admin.person_id
    assert events[0]["data"] == {"project_id": doomed_project["id"]}
    assert await events_named(db, "person:delete")


async def test_force_statement_count_does_not_grow_with_the_project(as_admin, make, db, people, queries):
    counts = []
    for size in (1, 10):
        project = await make.project(team=[people["user"]], closed=True)
        sequence = await make.sequence(project)
        shot_type = await make.task_type(for_entity="Shot")
        for _ in range(size):
            shot = await make.shot(project, sequence)
            task = await make.task(shot, shot_type, assignees=[people["user"]])
            await add(db, "comment", object_id=task["id"], object_type="Task", person_id=people["user"])
            await make.cast(shot, await make.asset(project))
        queries.reset()
        r = await as_admin.delete(f"/data/projects/{project['id']}?force=true")
        assert r.status_code == 204
        counts.append(queries.count)
    assert counts[0] == counts[1]


async def test_open_project_is_refused_before_any_role_check(as_admin, as_manager, make, db, people):
    project = await make.project(team=[people["manager"]])
    for client in (as_admin, as_manager):
        r = await client.delete(f"/data/projects/{project['id']}", params={"force": "true"})
        assert r.status_code == 400
        assert r.json() == {"error": True, "message": "Only closed projects can be deleted"}
    assert await row_of(db, "project", project["id"]) is not None


async def test_only_admins_delete_projects(anon, as_manager, as_supervisor, as_artist, as_vendor, make, people):
    project = await make.project(team=[people[r] for r in ("manager", "supervisor", "user", "vendor")], closed=True)
    url = f"/data/projects/{project['id']}"
    assert (await anon.delete(url)).status_code == 401
    for client in (as_manager, as_supervisor, as_artist, as_vendor):
        r = await client.delete(url)
        assert r.status_code == 403 and r.json()["error"] is True


async def test_not_found_and_malformed(as_admin):
    r = await as_admin.delete(f"/data/projects/{UNKNOWN}")
    assert r.status_code == 404 and r.json() == {"error": True, "message": NOT_FOUND_TEXT}
    r = await as_admin.delete("/data/projects/xyz")
    assert r.status_code == 400 and r.json() == {"error": True, "message": "Malformed ID.", "data": None}
    assert (await as_admin.delete(f"/api/data/projects/{UNKNOWN}")).status_code == 404


async def test_without_force_only_a_bare_project_goes(as_admin, make, db, people):
    bare = await make.project(team=[people["manager"]], closed=True)
    await add(db, "project_task_type_link", project_id=bare["id"], task_type_id=(await make.task_type())["id"])
    account = await add(
        db,
        "person",
        first_name="Preview",
        last_name="Bare",
        email="preview-bare@example.com",
        preview_project_id=bare["id"],
    )
    r = await as_admin.delete(f"/data/projects/{bare['id']}")
    assert r.status_code == 204
    assert await row_of(db, "project", bare["id"]) is None
    assert await row_of(db, "person", account["id"]) is None
    assert await references_to(db, [bare["id"]]) == {}
    assert [e for e in await events_named(db, "project:delete") if e["data"]["project_id"] == bare["id"]]

    busy = await make.project(closed=True)
    shot = await make.shot(busy, await make.sequence(busy))
    r = await as_admin.delete(f"/data/projects/{busy['id']}", params={"force": "false"})
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Some data are still linked to this project."}
    assert await row_of(db, "project", busy["id"]) is not None
    assert await row_of(db, "entity", shot["id"]) is not None
    stmt = select(T["api_event"].c.id).where(T["api_event"].c.name == "project:delete")
    assert busy["id"] not in {e["data"]["project_id"] for e in await events_named(db, "project:delete")}
    assert (await db.execute(stmt)).first() is not None
