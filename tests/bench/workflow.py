"""Seed the daily-work data the task-workflow scenarios read, through the public API only:
an artist with a password on the production's team, assigned to `ARTIST_TASKS` tasks; one
"crowded" task with 10 assignees and 20 subscribers (the comment scenario posts on it);
status comments on `COMMENTED_TASKS` tasks (which notify their assignees); and a time spent
by the artist on each of their tasks, spread over a year (the time tables read them); and on a
comment of the artist's first task, one uploaded PNG preview plus a pool of empty previews for
the upload scenario (a preview takes one upload).

Idempotent like the rest of the seeding: an existing artist is reused and the writes are
upserts (assignments, subscriptions, time spents) or only add rows (comments).
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import httpx

from tests.bench.production import _gather, _ok
from tests.bench.scenarios import Context

ARTIST_EMAIL = "bench-artist@example.com"
ARTIST_PASSWORD = "bench-artist-password"
ARTIST_TASKS = 300
COMMENTED_TASKS = 200
CROWD_ASSIGNEES, CROWD_SUBSCRIBERS = 10, 20
YEAR = 2024
PREVIEW_POOL = 2000


async def _artist(client: httpx.AsyncClient, report: dict) -> str | None:
    found = await client.get("/data/persons", params={"email": ARTIST_EMAIL})
    if found.status_code == 200 and found.json():
        return found.json()[0]["id"]
    body = {"first_name": "Bench", "last_name": "Artist", "email": ARTIST_EMAIL, "role": "user"}
    row = _ok(report, "artist", await client.post("/data/persons", json={**body, "password": ARTIST_PASSWORD}))
    if row:
        report["created"].append(f"/data/persons/{row['id']}")
    return row["id"] if row else None


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 200)).save(out, format="PNG")
    return out.getvalue()


async def _seed_previews(
    client: httpx.AsyncClient, ctx: Context, report: dict, task_id: str, gate: asyncio.Semaphore
) -> None:
    """One uploaded preview (the thumbnail scenario reads it) and `PREVIEW_POOL` empty ones on
    a comment of the artist's first task (the upload scenario fills them, one upload each)."""
    ctx.png = _png()
    body = {"task_status_id": ctx.status_ids[0], "comment": "previews"}
    comment = _ok(report, "preview comment", await client.post(f"/actions/tasks/{task_id}/comment", json=body))
    if not comment:
        return
    url = f"/actions/tasks/{task_id}/comments/{comment['id']}/add-preview"
    created: list[str] = []

    def add():
        async def call() -> None:
            row = _ok(report, "add-preview", await client.post(url, json={}))
            if row:
                created.append(row["id"])

        return call

    await _gather((add() for _ in range(PREVIEW_POOL + 1)), gate)
    if not created:
        return
    ctx.preview_id, ctx.empty_preview_ids = created[0], created[1:]
    files = {"file": ("frame.png", ctx.png, "image/png")}
    _ok(report, "preview upload", await client.post(f"/pictures/preview-files/{ctx.preview_id}", files=files))


async def seed_workflow(client: httpx.AsyncClient, ctx: Context, report: dict, gate: asyncio.Semaphore) -> None:
    if not ctx.project_id:
        return
    artist_id = await _artist(client, report)
    if artist_id is None:
        return
    base = f"/data/projects/{ctx.project_id}"
    await client.post(f"{base}/team", json={"person_id": artist_id})
    tasks = (await client.get(f"{base}/tasks")).json() if ctx.project_id else []
    tasks = sorted(tasks, key=lambda t: t["id"]) if isinstance(tasks, list) else []
    if len(tasks) < ARTIST_TASKS + 1:
        report["errors"].append(f"workflow: only {len(tasks)} tasks in the production")
        return
    mine = [t["id"] for t in tasks[:ARTIST_TASKS]]
    _ok(report, "assign artist", await client.put(f"/actions/persons/{artist_id}/assign", json={"task_ids": mine}))
    ctx.task_ids = mine

    crowded = tasks[ARTIST_TASKS]["id"]
    ctx.crowded_task_id = crowded
    for person_id in ctx.person_ids[:CROWD_ASSIGNEES]:
        await client.put(f"/actions/persons/{person_id}/assign", json={"task_ids": [crowded]})
    subscribers = ctx.person_ids[CROWD_ASSIGNEES : CROWD_ASSIGNEES + CROWD_SUBSCRIBERS]

    def subscribe(person_id: str):
        async def call() -> None:
            await client.post("/data/subscriptions", json={"person_id": person_id, "task_id": crowded})

        return call

    await _gather((subscribe(p) for p in subscribers), gate)

    statuses = {s["short_name"]: s["id"] for s in (await client.get("/data/task-status")).json()}
    ctx.status_ids = [statuses[name] for name in ("wip", "wfa") if name in statuses]

    def comment(n: int, task_id: str):
        body: dict[str, Any] = {"task_status_id": ctx.status_ids[n % 2], "comment": f"bench note {n}"}

        async def call() -> None:
            _ok(report, "comment", await client.post(f"/actions/tasks/{task_id}/comment", json=body))

        return call

    existing = await client.get(f"{base}/notifications", params={"page": 1})
    if existing.status_code == 200 and not existing.json().get("data") and ctx.status_ids:
        await _gather((comment(n, t) for n, t in enumerate(mine[:COMMENTED_TASKS])), gate)

    def spend(n: int, task_id: str):
        day = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=n % 360)
        url = f"/actions/tasks/{task_id}/time-spents/{day.isoformat()}/persons/{artist_id}"

        async def call() -> None:
            _ok(report, "time spent", await client.post(url, json={"duration": 60 + n % 420}))

        return call

    await _gather((spend(n, t) for n, t in enumerate(mine)), gate)
    await _seed_previews(client, ctx, report, mine[0], gate)
    login = await client.post("/auth/login", json={"email": ARTIST_EMAIL, "password": ARTIST_PASSWORD})
    if login.status_code == 200:
        ctx.artist_token = login.json()["access_token"]
    else:
        report["errors"].append(f"artist login: {login.status_code} {login.text[:200]}")
    report["workflow"] = {"artist_tasks": len(mine), "crowded_task": crowded}
