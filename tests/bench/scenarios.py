"""The measured scenarios. To add one, append a `Scenario` to `SCENARIOS`.

A scenario's `make(ctx, i)` returns the `i`-th request as a `Call` (method, path,
JSON body); it runs in the generator's hot loop, so keep it cheap. `ctx` holds what
seeding produced (admin token, person and department ids, credentials). Requests
carry the admin's bearer token unless `auth=False`. Any status outside `expect`
counts as an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: object = None


@dataclass
class Context:
    email: str
    password: str
    token: str = ""
    person_ids: list[str] = field(default_factory=list)
    department_ids: list[str] = field(default_factory=list)
    project_id: str = ""
    """The seeded production (tests/bench/production.py); empty when none was seeded."""
    shot_ids: list[str] = field(default_factory=list)
    asset_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scenario:
    name: str
    make: Callable[[Context, int], Call]
    auth: bool = True
    expect: tuple[int, ...] = (200,)
    description: str = ""
    cacheable: bool = False
    """True when every request is identical: encode it once instead of per request."""
    production: bool = False
    """Needs the seeded production (skipped when none was seeded)."""


def _login(ctx: Context, i: int) -> Call:
    return Call("POST", "/auth/login", {"email": ctx.email, "password": ctx.password})


def _update_person(ctx: Context, i: int) -> Call:
    person_id = ctx.person_ids[i % len(ctx.person_ids)]
    return Call("PUT", f"/data/persons/{person_id}", {"phone": f"+33 1 {i % 100:02d} {i % 10000:04d}"})


def _update_shot(ctx: Context, i: int) -> Call:
    shot_id = ctx.shot_ids[i % len(ctx.shot_ids)]
    return Call("PUT", f"/data/shots/{shot_id}", {"nb_frames": 24 + i % 100, "data": {"bench_take": i % 1000}})


SCENARIOS: list[Scenario] = [
    Scenario("login", _login, auth=False, cacheable=True, description="POST /auth/login (bcrypt verify)"),
    Scenario(
        "persons",
        lambda ctx, i: Call("GET", "/data/persons"),
        cacheable=True,
        description="GET /data/persons (all persons)",
    ),
    Scenario(
        "task-types", lambda ctx, i: Call("GET", "/data/task-types"), cacheable=True, description="GET /data/task-types"
    ),
    Scenario("update-person", _update_person, description="PUT /data/persons/{id} (change phone)"),
    # The production pages of Kitsu, on the seeded production (1,000 shots x 5 task types by default).
    Scenario(
        "shots-board",
        lambda ctx, i: Call("GET", f"/data/shots/with-tasks?project_id={ctx.project_id}"),
        cacheable=True,
        production=True,
        description="GET /data/shots/with-tasks?project_id= (every shot with its tasks)",
    ),
    Scenario(
        "assets-board",
        lambda ctx, i: Call("GET", f"/data/assets/with-tasks?project_id={ctx.project_id}"),
        cacheable=True,
        production=True,
        description="GET /data/assets/with-tasks?project_id= (every asset with its tasks)",
    ),
    Scenario(
        "casting",
        lambda ctx, i: Call("GET", f"/data/projects/{ctx.project_id}/sequences/all/casting"),
        cacheable=True,
        production=True,
        description="GET /data/projects/{id}/sequences/all/casting (the casting of every shot)",
    ),
    Scenario(
        "update-shot",
        _update_shot,
        production=True,
        description="PUT /data/shots/{id} (frame count and data of one shot of the production)",
    ),
]


def by_name(names: str | None) -> list[Scenario]:
    if not names:
        return list(SCENARIOS)
    known = {s.name: s for s in SCENARIOS}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise SystemExit(f"unknown scenario(s) {unknown}; known: {', '.join(known)}")
    return [known[n] for n in wanted]
