"""One table of route x role -> status for the core area (DESIGN.md section 4).

Each case runs in its own rolled-back transaction, so a DELETE that succeeds for
one role does not change what the next role sees.
"""

from __future__ import annotations

import uuid

import pytest

ROLES = ("admin", "manager", "supervisor", "user", "client", "vendor")
ADMIN_ONLY = {"admin": None, "manager": 403, "supervisor": 403, "user": 403, "client": 403, "vendor": 403}
EVERYONE = {role: 200 for role in ROLES}


def uid() -> str:
    return uuid.uuid4().hex[:8]


CATALOGUES = {
    "departments": lambda: {"name": f"D{uid()}", "color": "#000000"},
    "studios": lambda: {"name": f"S{uid()}", "color": "#000000"},
    "project-status": lambda: {"name": f"P{uid()}", "color": "#000000"},
    "task-types": lambda: {"name": f"T{uid()}"},
    "task-status": lambda: {"name": f"S{uid()}", "short_name": uid(), "color": "#000000"},
    "entity-types": lambda: {"name": f"E{uid()}"},
    "organisations": lambda: {"name": f"O{uid()}"},
}

MATRIX: list[tuple[str, str, object, dict[str, int | None]]] = []
for name, body in CATALOGUES.items():
    MATRIX += [
        ("GET", f"/data/{name}", None, EVERYONE),
        ("GET", f"/data/{name}/{{{name}}}", None, EVERYONE),
        ("POST", f"/data/{name}", body, {**ADMIN_ONLY, "admin": 201}),
        ("PUT", f"/data/{name}/{{{name}}}", lambda: {"name": f"N{uid()}"}, {**ADMIN_ONLY, "admin": 200}),
        ("DELETE", f"/data/{name}/{{{name}}}", None, {**ADMIN_ONLY, "admin": 204}),
    ]
MATRIX += [
    ("GET", "/data/persons", None, EVERYONE),
    ("GET", "/data/persons/{self}", None, EVERYONE),
    ("GET", "/data/persons/{other}", None, {**EVERYONE, "client": 403}),
    (
        "POST",
        "/data/persons",
        lambda: {"first_name": "A", "last_name": "B", "email": f"{uid()}@x.org"},
        {**ADMIN_ONLY, "admin": 201},
    ),
    ("PUT", "/data/persons/{self}", lambda: {"phone": "123"}, EVERYONE),
    ("PUT", "/data/persons/{other}", lambda: {"phone": "123"}, {**ADMIN_ONLY, "admin": 200}),
    ("DELETE", "/data/persons/{other}", None, {**ADMIN_ONLY, "admin": 204}),
    ("GET", "/data/departments/{departments}/persons", None, EVERYONE),
    ("GET", "/data/departments/software-licenses", None, {**ADMIN_ONLY, "admin": 200}),
    ("POST", "/actions/task-types/reorder", lambda: {"task_type_ids": []}, {**ADMIN_ONLY, "admin": 200}),
    ("GET", "/stats", None, {**ADMIN_ONLY, "admin": 200}),
    ("GET", "/auth/authenticated", None, EVERYONE),
    ("GET", "/config", None, EVERYONE),
    ("GET", "/status", None, EVERYONE),
]


def case_id(case) -> str:
    return f"{case[0]} {case[1]}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", MATRIX, ids=case_id)
async def test_matrix(case, role, as_admin, client_for, people):
    method, template, body, expected = case
    ids = {"self": people[role], "other": None}
    other = await as_admin.post("/data/persons", json={"first_name": "O", "last_name": "P", "email": f"{uid()}@x.org"})
    ids["other"] = other.json()["id"]
    for name, make in CATALOGUES.items():
        if "{" + name + "}" in template:
            created = await as_admin.post(f"/data/{name}", json=make())
            assert created.status_code == 201, created.text
            ids[name] = created.json()["id"]
    path = template.format(**ids)
    async with client_for(people[role]) as client:
        r = await client.request(method, path, json=body() if body else None)
    assert r.status_code == expected[role], (method, path, role, r.text)
