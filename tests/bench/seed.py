"""Seed the target through its public API only (idempotent: reuses earlier bench rows)."""

from __future__ import annotations

import asyncio

import httpx

from tests.bench.production import seed_production
from tests.bench.scenarios import Context
from tests.bench.workflow import seed_workflow

ROLES = ("user", "user", "user", "supervisor", "manager")


async def login(client: httpx.AsyncClient, email: str, password: str) -> str:
    response = await client.post("/auth/login", json={"email": email, "password": password})
    if response.status_code != 200:
        raise SystemExit(f"login as {email} failed: {response.status_code} {response.text[:300]}")
    return response.json()["access_token"]


async def seed(
    base_url: str, email: str, password: str, persons: int, departments: int, shots: int = 0, assets: int = 0
) -> tuple[Context, dict]:
    ctx = Context(email=email, password=password)
    report: dict = {"persons_created": 0, "departments_created": 0, "errors": [], "created": []}
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        ctx.token = await login(client, email, password)
        client.headers["Authorization"] = f"Bearer {ctx.token}"
        report["server"] = (await client.get("/")).json()

        existing = {d["name"]: d["id"] for d in (await client.get("/data/departments")).json()}
        for n in range(departments):
            name = f"Bench Department {n:02d}"
            if name not in existing:
                response = await client.post("/data/departments", json={"name": name, "color": "#3273dc"})
                if response.status_code in (200, 201):
                    existing[name] = response.json()["id"]
                    report["departments_created"] += 1
                    report["created"].append(f"/data/departments/{existing[name]}")
                else:
                    report["errors"].append(f"department {name}: {response.status_code} {response.text[:200]}")
        ctx.department_ids = [existing[n] for n in sorted(existing) if n.startswith("Bench Department")]

        gate = asyncio.Semaphore(8)
        listing = await client.get("/data/persons")
        if listing.status_code == 200:
            people = {p["email"]: p["id"] for p in listing.json()}
        else:  # the target cannot list persons: look the bench ones up one by one
            report["errors"].append(f"GET /data/persons: {listing.status_code} {listing.text[:200]}")
            people = {}

            async def find(n: int) -> None:
                async with gate:
                    found = await client.get("/data/persons", params={"email": f"bench-{n:03d}@example.com"})
                if found.status_code == 200 and found.json():
                    people[found.json()[0]["email"]] = found.json()[0]["id"]

            await asyncio.gather(*(find(n) for n in range(persons)))
        missing = [n for n in range(persons) if f"bench-{n:03d}@example.com" not in people]

        async def create(n: int) -> None:
            body = {
                "first_name": f"Bench{n:03d}",
                "last_name": "Person",
                "email": f"bench-{n:03d}@example.com",
                "role": ROLES[n % len(ROLES)],
            }
            async with gate:
                response = await client.post("/data/persons", json=body)
            if response.status_code in (200, 201):
                people[body["email"]] = response.json()["id"]
                report["persons_created"] += 1
                report["created"].append(f"/data/persons/{people[body['email']]}")
            else:
                report["errors"].append(f"person {n}: {response.status_code} {response.text[:200]}")

        await asyncio.gather(*(create(n) for n in missing))
        ctx.person_ids = [people[e] for e in sorted(people) if e.startswith("bench-")][:persons]
        report["persons_total"] = len(people) if listing.status_code == 200 else None
        report["bench_persons"] = len(ctx.person_ids)
        report["task_types_total"] = len((await client.get("/data/task-types")).json())
        await seed_production(client, ctx, report, shots, assets, asyncio.Semaphore(16))
        await seed_workflow(client, ctx, report, asyncio.Semaphore(8))
    if not ctx.person_ids:
        raise SystemExit(f"seeding created no person: {report['errors'][:3]}")
    return ctx, report


async def cleanup(base_url: str, token: str, paths: list[str]) -> list[str]:
    """Delete what `seed` created (the production first, closed then removed with all it holds,
    then persons, then departments); return the failures."""
    failures: list[str] = []
    gate = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=base_url, timeout=300, headers={"Authorization": f"Bearer {token}"}) as c:
        projects = [p for p in paths if p.startswith("/data/projects/")]
        if projects:
            closed = (await c.get("/data/project-status", params={"name": "Closed"})).json()
            for path in projects:
                if closed:  # Zou removes a production only once it is closed
                    await c.put(path, json={"project_status_id": closed[0]["id"]})
                response = await c.delete(path, params={"force": "true"})
                if response.status_code not in (200, 204, 404):
                    failures.append(f"DELETE {path}: {response.status_code} {response.text[:200]}")
            paths = [p for p in paths if p not in projects]

        async def delete(path: str) -> None:
            async with gate:
                response = await c.delete(path)
                if response.status_code == 400:  # Zou wants ?force=true for rows with history
                    response = await c.delete(path, params={"force": "true"})
            if response.status_code not in (200, 204, 404):
                failures.append(f"DELETE {path}: {response.status_code} {response.text[:200]}")

        persons = [p for p in paths if p.startswith("/data/persons/")]
        await asyncio.gather(*(delete(p) for p in persons))
        await asyncio.gather(*(delete(p) for p in paths if p not in persons))
    return failures
