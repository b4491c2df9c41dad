"""Seed a production for the board scenarios, through the public API only (as a studio
script would): one project, `shots` shots in sequences of 50, five shot task types,
`assets` assets over four asset types with four task types each, one task per shot or
asset and task type (most of them assigned to a bench person, statuses spread), and a
casting of three to five assets per shot.

Idempotent like the rest of the seeding: rows found from an earlier run (same names)
are reused, only what is missing is created, so `--keep-seed` runs against a reference
server do the work once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx

from tests.bench.scenarios import Context

PROJECT_NAME = "Bench Production"
SHOT_TASK_TYPES = ("Storyboard", "Layout", "Animation", "Lighting", "Compositing")
ASSET_TASK_TYPES = ("Concept", "Modeling", "Shading", "Rigging")
ASSET_TYPES = ("Character", "Prop", "Environment", "FX")
SHOTS_PER_SEQUENCE = 50
ASSIGNED_EVERY = 5  # four tasks in five get an assignee


async def _gather(calls: Iterable[Callable[[], Awaitable[None]]], gate: asyncio.Semaphore) -> None:
    async def guarded(call: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            await call()

    await asyncio.gather(*(guarded(call) for call in calls))


def _ok(report: dict, what: str, response: httpx.Response) -> Any:
    if response.status_code in (200, 201):
        return response.json()
    report["errors"].append(f"{what}: {response.status_code} {response.text[:200]}")
    return None


async def _project(client: httpx.AsyncClient, report: dict) -> str | None:
    found = await client.get("/data/projects", params={"name": PROJECT_NAME})
    if found.status_code == 200 and found.json():
        return found.json()[0]["id"]
    created = _ok(report, "project", await client.post("/data/projects", json={"name": PROJECT_NAME}))
    if created is None:
        return None
    report["created"].insert(0, f"/data/projects/{created['id']}")
    return created["id"]


async def _task_types(client: httpx.AsyncClient, project_id: str, report: dict) -> tuple[list[str], list[str]]:
    rows = (await client.get("/data/task-types")).json()
    by_key = {(t["name"], t["for_entity"]): t["id"] for t in rows}
    shot_types = [by_key[(name, "Shot")] for name in SHOT_TASK_TYPES if (name, "Shot") in by_key]
    asset_types = [by_key[(name, "Asset")] for name in ASSET_TASK_TYPES if (name, "Asset") in by_key]
    enabled = await client.get(f"/data/projects/{project_id}/task-types")
    already = {t["id"] for t in enabled.json()} if enabled.status_code == 200 else set()
    for type_id in shot_types + asset_types:
        if type_id not in already:
            response = await client.post(
                f"/data/projects/{project_id}/settings/task-types", json={"task_type_id": type_id}
            )
            _ok(report, "enable task type", response)
    return shot_types, asset_types


async def seed_production(
    client: httpx.AsyncClient, ctx: Context, report: dict, shots: int, assets: int, gate: asyncio.Semaphore
) -> None:
    if shots <= 0:
        return
    project_id = await _project(client, report)
    if project_id is None:
        return
    ctx.project_id = project_id
    base = f"/data/projects/{project_id}"
    shot_types, asset_types = await _task_types(client, project_id, report)
    statuses = [s["id"] for s in (await client.get("/data/task-status")).json() if not s.get("for_concept")]
    statuses.sort()

    # sequences, then shots
    nb_sequences = (shots + SHOTS_PER_SEQUENCE - 1) // SHOTS_PER_SEQUENCE
    sequences = {s["name"]: s["id"] for s in (await client.get(f"{base}/sequences")).json()}

    def new_sequence(name: str) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            row = _ok(report, f"sequence {name}", await client.post(f"{base}/sequences", json={"name": name}))
            if row:
                sequences[name] = row["id"]

        return call

    wanted_sequences = [f"SQ{n:03d}" for n in range(1, nb_sequences + 1)]
    await _gather((new_sequence(n) for n in wanted_sequences if n not in sequences), gate)
    existing_shots = {(s["parent_id"], s["name"]): s["id"] for s in (await client.get(f"{base}/shots")).json()}
    shot_ids: dict[int, str] = {}

    def new_shot(n: int, sequence_id: str, name: str) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            body = {"name": name, "sequence_id": sequence_id, "nb_frames": 24 + n % 100}
            row = _ok(report, f"shot {name}", await client.post(f"{base}/shots", json=body))
            if row:
                shot_ids[n] = row["id"]

        return call

    calls = []
    for n in range(shots):
        sequence_id = sequences.get(wanted_sequences[n // SHOTS_PER_SEQUENCE])
        if sequence_id is None:
            continue
        name = f"SH{n % SHOTS_PER_SEQUENCE + 1:03d}0"
        if (sequence_id, name) in existing_shots:
            shot_ids[n] = existing_shots[(sequence_id, name)]
        else:
            calls.append(new_shot(n, sequence_id, name))
    await _gather(calls, gate)
    ctx.shot_ids = [shot_ids[n] for n in sorted(shot_ids)]

    # assets
    asset_types_rows = {t["name"]: t["id"] for t in (await client.get("/data/asset-types")).json()}
    existing_assets = {a["name"]: a["id"] for a in (await client.get(f"{base}/assets")).json()}
    asset_ids: dict[int, str] = {}

    def new_asset(n: int, type_id: str, name: str) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            url = f"{base}/asset-types/{type_id}/assets/new"
            row = _ok(report, f"asset {name}", await client.post(url, json={"name": name, "description": "bench"}))
            if row:
                asset_ids[n] = row["id"]

        return call

    calls = []
    for n in range(assets):
        type_name = ASSET_TYPES[n % len(ASSET_TYPES)]
        name = f"{type_name} {n:04d}"
        if name in existing_assets:
            asset_ids[n] = existing_assets[name]
        elif type_name in asset_types_rows:
            calls.append(new_asset(n, asset_types_rows[type_name], name))
    await _gather(calls, gate)
    ctx.asset_ids = [asset_ids[n] for n in sorted(asset_ids)]

    # tasks: one per entity and task type, most of them assigned
    existing_tasks = await client.get("/data/tasks", params={"project_id": project_id})
    have = (
        {(t["entity_id"], t["task_type_id"]) for t in existing_tasks.json()}
        if existing_tasks.status_code == 200
        else set()
    )
    counter = {"n": 0}

    def new_task(entity_id: str, type_id: str) -> Callable[[], Awaitable[None]]:
        counter["n"] += 1
        n = counter["n"]
        assigned = n % ASSIGNED_EVERY != 0 and ctx.person_ids
        body: dict[str, Any] = {
            "project_id": project_id,
            "entity_id": entity_id,
            "task_type_id": type_id,
            "task_status_id": statuses[n % len(statuses)] if statuses else None,
            "assignees": [ctx.person_ids[n % len(ctx.person_ids)]] if assigned else [],
        }

        async def call() -> None:
            _ok(report, "task", await client.post("/data/tasks", json=body))

        return call

    calls = [
        new_task(entity_id, type_id)
        for entity_ids, types in ((ctx.shot_ids, shot_types), (ctx.asset_ids, asset_types))
        for entity_id in entity_ids
        for type_id in types
        if (entity_id, type_id) not in have
    ]
    await _gather(calls, gate)
    report["tasks_created"] = len(calls)

    # casting: three to five assets per shot, unless the shot is cast already
    if ctx.asset_ids:
        casting = await client.get(f"{base}/sequences/all/casting")
        cast_shots = set()  # the answer maps each cast shot's id to its assets
        if casting.status_code == 200 and isinstance(casting.json(), dict):
            cast_shots = {shot_id for shot_id, links in casting.json().items() if links}

        def cast(n: int, shot_id: str) -> Callable[[], Awaitable[None]]:
            picks = [ctx.asset_ids[(n * 7 + k * 13) % len(ctx.asset_ids)] for k in range(3 + n % 3)]
            body = [{"asset_id": a, "nb_occurences": 1 + k % 2} for k, a in enumerate(dict.fromkeys(picks))]

            async def call() -> None:
                _ok(report, "casting", await client.put(f"{base}/entities/{shot_id}/casting", json=body))

            return call

        await _gather((cast(n, s) for n, s in enumerate(ctx.shot_ids) if s not in cast_shots), gate)
    report["production"] = {"project_id": project_id, "shots": len(ctx.shot_ids), "assets": len(ctx.asset_ids)}
