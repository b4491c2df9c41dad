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

from tests.bench.client import FileUpload


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
    # the task workflow (tests/bench/workflow.py)
    artist_token: str = ""
    task_ids: list[str] = field(default_factory=list)
    crowded_task_id: str = ""
    status_ids: list[str] = field(default_factory=list)
    # previews (tests/bench/workflow.py): one uploaded, and a pool of empty ones to upload into
    preview_id: str = ""
    empty_preview_ids: list[str] = field(default_factory=list)
    uploads_sent: int = 0
    png: bytes = b""


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
    workflow: bool = False
    """Needs the seeded daily-work data (tests/bench/workflow.py; skipped when missing)."""
    as_artist: bool = False
    """Sent with the seeded artist's token instead of the admin's."""


def _login(ctx: Context, i: int) -> Call:
    return Call("POST", "/auth/login", {"email": ctx.email, "password": ctx.password})


def _update_person(ctx: Context, i: int) -> Call:
    person_id = ctx.person_ids[i % len(ctx.person_ids)]
    return Call("PUT", f"/data/persons/{person_id}", {"phone": f"+33 1 {i % 100:02d} {i % 10000:04d}"})


def _update_shot(ctx: Context, i: int) -> Call:
    shot_id = ctx.shot_ids[i % len(ctx.shot_ids)]
    return Call("PUT", f"/data/shots/{shot_id}", {"nb_frames": 24 + i % 100, "data": {"bench_take": i % 1000}})


def _task_full(ctx: Context, i: int) -> Call:
    return Call("GET", f"/data/tasks/{ctx.task_ids[i % len(ctx.task_ids)]}/full")


def _post_comment(ctx: Context, i: int) -> Call:
    body = {"task_status_id": ctx.status_ids[i % len(ctx.status_ids)], "comment": f"bench comment {i}"}
    return Call("POST", f"/actions/tasks/{ctx.crowded_task_id}/comment", body)


def _upload_preview(ctx: Context, i: int) -> Call:
    # A preview takes one upload: every request, whatever the run, gets the next empty one.
    preview_id = ctx.empty_preview_ids[ctx.uploads_sent % len(ctx.empty_preview_ids)]
    ctx.uploads_sent += 1
    return Call("POST", f"/pictures/preview-files/{preview_id}", FileUpload("frame.png", ctx.png, "image/png"))


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
    # Daily work (tests/bench/workflow.py): the artist's to-do, a task page, notifications, time.
    Scenario(
        "user-tasks",
        lambda ctx, i: Call("GET", "/data/user/tasks"),
        cacheable=True,
        production=True,
        workflow=True,
        as_artist=True,
        description="GET /data/user/tasks as an artist with 300 assigned tasks",
    ),
    Scenario(
        "task-full", _task_full, production=True, workflow=True, description="GET /data/tasks/{id}/full (one task page)"
    ),
    Scenario(
        "notifications",
        lambda ctx, i: Call("GET", f"/data/projects/{ctx.project_id}/notifications?page=1"),
        cacheable=True,
        production=True,
        workflow=True,
        description="GET /data/projects/{id}/notifications (first page)",
    ),
    Scenario(
        "month-table",
        lambda ctx, i: Call("GET", "/data/persons/time-spents/month-table/2024"),
        cacheable=True,
        production=True,
        workflow=True,
        description="GET /data/persons/time-spents/month-table/2024 (studio time table)",
    ),
    Scenario(
        "post-comment",
        _post_comment,
        production=True,
        workflow=True,
        expect=(201,),
        description="POST /actions/tasks/{id}/comment with a status change (10 assignees, 20 subscribers)",
    ),
    Scenario(
        "thumbnail",
        lambda ctx, i: Call("GET", f"/pictures/thumbnails/preview-files/{ctx.preview_id}.png"),
        cacheable=True,
        production=True,
        workflow=True,
        description="GET /pictures/thumbnails/preview-files/{id}.png (a 150x100 PNG from storage)",
    ),
    Scenario(
        "preview-upload",
        _upload_preview,
        production=True,
        workflow=True,
        expect=(200, 201),
        description="POST /pictures/preview-files/{id}: a 320x240 PNG made into original, preview and thumbnails",
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
