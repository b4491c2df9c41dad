"""Build one small production through the API, then call every GET route of an area as each role.

Run against the reference Zou to record what it answers (`python tests/reference/sweep.py
http://127.0.0.1:5000 > tests/reference/production_reads.json`); `tests/test_production_reads.py`
replays the same sweep on our app and compares status codes and answer shapes route by route.
Only HTTP is used, so the same code drives both servers.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

ROUTES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "routes.tsv"
PASSWORD = "Passw0rd!xyz-sweep"
ROLES = ("admin", "manager", "supervisor", "member", "outsider", "client", "vendor")
QUERY = {  # listings that need a filter to mean anything
    "/data/assets/with-tasks": "project_id",
    "/data/shots/with-tasks": "project_id",
    "/data/sequences/with-tasks": "project_id",
    "/data/episodes/with-tasks": "project_id",
    "/data/scenes/with-tasks": "project_id",
    "/data/edits/with-tasks": "project_id",
    "/data/concepts/with-tasks": "project_id",
}


def get_routes(area: str = "production") -> list[str]:
    """The GET routes of an area: from the contract when it is at hand, else from the copy kept here."""
    copy = Path(__file__).with_name(f"{area}_get_routes.txt")
    if ROUTES.exists():
        with ROUTES.open() as f:
            rows = [r for r in csv.DictReader(f, delimiter="\t") if r["area"] == area and r["method"] == "GET"]
        paths = [r["path"] for r in rows]
        if not copy.exists() or copy.read_text().split() != paths:
            copy.write_text("\n".join(paths) + "\n")
        return paths
    return copy.read_text().split()


def ok(response, *expected: int) -> Any:
    if response.status_code not in expected:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
    return response.json() if response.content else None


def build(admin, login) -> tuple[dict[str, str], dict[str, Any]]:
    """Create the production; returns the ids to put in paths and one client per role."""
    tag = uuid.uuid4().hex[:8]
    people = {}
    for name, role in (
        ("manager", "manager"),
        ("supervisor", "supervisor"),
        ("member", "user"),
        ("outsider", "user"),
        ("client", "client"),
        ("vendor", "vendor"),
    ):
        body = {"first_name": name, "last_name": tag, "email": f"{name}.{tag}@example.com", "role": role}
        people[name] = ok(admin.post("/data/persons", json={**body, "password": PASSWORD}), 201)["id"]
    project = ok(admin.post("/data/projects", json={"name": f"Sweep {tag}", "production_type": "tvshow"}), 201)
    pid = project["id"]
    for name in ("manager", "supervisor", "member", "client", "vendor"):
        ok(admin.post(f"/data/projects/{pid}/team", json={"person_id": people[name]}), 201)
    task_types = ok(admin.get("/data/task-types"), 200)
    layout = next(t for t in task_types if (t["name"], t["for_entity"]) == ("Layout", "Shot"))
    modeling = next(t for t in task_types if (t["name"], t["for_entity"]) == ("Modeling", "Asset"))
    status = next(s for s in ok(admin.get("/data/task-status"), 200) if s["is_default"])
    character = next(t for t in ok(admin.get("/data/asset-types"), 200) if t["name"] == "Character")
    for tt in (layout, modeling):
        ok(admin.post(f"/data/projects/{pid}/settings/task-types", json={"task_type_id": tt["id"]}), 201)
    ok(admin.post(f"/data/projects/{pid}/settings/task-status", json={"task_status_id": status["id"]}), 201)
    ok(admin.post(f"/data/projects/{pid}/settings/asset-types", json={"asset_type_id": character["id"]}), 201)

    episode = ok(admin.post(f"/data/projects/{pid}/episodes", json={"name": "E01"}), 201)
    sequence = ok(
        admin.post(f"/data/projects/{pid}/sequences", json={"name": "SQ01", "episode_id": episode["id"]}), 201
    )
    shot = ok(admin.post(f"/data/projects/{pid}/shots", json={"name": "SH01", "sequence_id": sequence["id"]}), 201)
    scene = ok(admin.post(f"/data/projects/{pid}/scenes", json={"name": "SC01", "sequence_id": sequence["id"]}), 201)
    asset = ok(
        admin.post(
            f"/data/projects/{pid}/asset-types/{character['id']}/assets/new",
            json={"name": "Hero", "description": "", "episode_id": episode["id"]},
        ),
        201,
    )
    edit = ok(admin.post(f"/data/projects/{pid}/edits", json={"name": "ED01", "episode_id": episode["id"]}), 201)
    concept = ok(admin.post(f"/data/projects/{pid}/concepts", json={"name": "CO01"}), 201)
    folder = ok(admin.post(f"/data/projects/{pid}/concept-folders", json={"name": "Folder"}), 201)
    shot_task = ok(
        admin.post(
            "/data/tasks",
            json={
                "name": "main",
                "project_id": pid,
                "task_type_id": layout["id"],
                "task_status_id": status["id"],
                "entity_id": shot["id"],
                "assignees": [people["vendor"], people["member"]],
            },
        ),
        201,
    )
    ok(
        admin.post(
            "/data/tasks",
            json={
                "name": "main",
                "project_id": pid,
                "task_type_id": modeling["id"],
                "task_status_id": status["id"],
                "entity_id": asset["id"],
            },
        ),
        201,
    )
    ok(
        admin.put(
            f"/data/projects/{pid}/entities/{shot['id']}/casting", json=[{"asset_id": asset["id"], "nb_occurences": 1}]
        ),
        200,
    )
    instance = ok(admin.post(f"/data/scenes/{scene['id']}/asset-instances", json={"asset_id": asset["id"]}), 201)
    link = ok(admin.get(f"/data/entity-links?entity_in_id={shot['id']}"), 200)[0]
    descriptor = ok(
        admin.post(
            f"/data/projects/{pid}/metadata-descriptors",
            json={"name": f"Difficulty {tag}", "entity_type": "Asset", "choices": ["easy", "hard"]},
        ),
        201,
    )
    template = ok(admin.post("/data/project-templates", json={"name": f"Template {tag}"}), 201)
    automation = ok(
        admin.post(
            "/data/status-automations",
            json={
                "entity_type": "asset",
                "in_task_type_id": modeling["id"],
                "in_task_status_id": status["id"],
                "out_field_type": "status",
                "out_task_type_id": modeling["id"],
                "out_task_status_id": status["id"],
            },
        ),
        201,
    )
    ids = {
        "project_id": pid,
        "asset_id": asset["id"],
        "shot_id": shot["id"],
        "sequence_id": sequence["id"],
        "episode_id": episode["id"],
        "scene_id": scene["id"],
        "edit_id": edit["id"],
        "concept_id": concept["id"],
        "concept_folder_id": folder["id"],
        "asset_type_id": character["id"],
        "task_type_id": layout["id"],
        "task_status_id": status["id"],
        "entity_id": shot["id"],
        "person_id": people["member"],
        "metadata_descriptor_id": descriptor["id"],
        "project_template_id": template["id"],
        "status_automation_id": automation["id"],
        "asset_instance_id": instance["id"],
        "entity_link_id": link["id"],
        "task_id": shot_task["id"],
        "outsider": people["outsider"],
        "tag": tag,
    }
    clients = {"admin": admin}
    for name in people:
        clients[name] = login(f"{name}.{tag}@example.com", PASSWORD)
    return ids, clients


INSTANCE = {  # what `{instance_id}` means, by path prefix
    "/data/projects/": "project_id",
    "/data/entities/": "shot_id",
    "/data/asset-instances/": "asset_instance_id",
    "/data/entity-links/": "entity_link_id",
    "/data/metadata-descriptors/": "metadata_descriptor_id",
    "/data/project-templates/": "project_template_id",
    "/data/status-automations/": "status_automation_id",
}


def fill(path: str, ids: dict[str, str], instance: dict[str, str] = INSTANCE) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "instance_id":
            name = next(v for prefix, v in instance.items() if path.startswith(prefix))
        return ids[name]

    url = re.sub(r"\{(\w+)\}", value, path)
    if path in QUERY:
        url += f"?{QUERY[path]}={ids['project_id']}"
    return url


UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def shape(body: Any, ids: dict[str, str]) -> dict[str, Any]:
    """What is compared between servers: the kind of answer and whether it shows the production.

    Maps keyed by ids (casting by shot, stats by episode) are described by their number of ids
    and the shape of the first value, since ids differ from one server to the other.
    """
    text = json.dumps(body)
    out: dict[str, Any] = {"kind": type(body).__name__, "shows_project": ids["project_id"] in text}
    if isinstance(body, dict) and body and all(UUID.match(k) for k in body):
        out["len"] = len(body)
        first = next(iter(body.values()))
        body = first
        out["value_kind"] = type(first).__name__
    if isinstance(body, list):
        out["len" if "len" not in out else "value_len"] = len(body)
        if body and isinstance(body[0], dict):
            out["keys"] = sorted(k for k in body[0] if not UUID.match(k))
    elif isinstance(body, dict):
        out["keys"] = sorted(k for k in body if not UUID.match(k))
    return out


def sweep(
    clients: dict[str, Any], ids: dict[str, str], area: str = "production", instance: dict[str, str] = INSTANCE
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for path in get_routes(area):
        url = fill(path, ids, instance)
        results[path] = {}
        for role in ROLES:
            response = clients[role].get(url)
            entry: dict[str, Any] = {"status": response.status_code}
            if response.status_code == 200:
                if response.headers.get("content-type", "").startswith("application/json"):
                    entry.update(shape(response.json(), ids))
                else:
                    entry.update(kind="text", content_type=response.headers.get("content-type", "").split(";")[0])
            results[path][role] = entry
    return results


def connect(base: str) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """Log in as the admin of the server at `base`, build the production; (admin, clients, ids)."""
    import httpx

    def login(email: str, password: str) -> httpx.Client:
        r = httpx.post(f"{base}/auth/login", json={"email": email, "password": password})
        token = r.json()["access_token"]
        return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    admin = login("admin@example.com", "mysecretpassword")
    ids, clients = build(admin, login)
    return admin, clients, ids


def main(base: str) -> None:
    _, clients, ids = connect(base)
    json.dump(sweep(clients, ids), sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
