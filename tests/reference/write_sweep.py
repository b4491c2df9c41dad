"""Every write route of the production area, replayed in one order on a production built by
`sweep.build`, each call tried by callers of rising rank until one is allowed.

Run against the reference Zou to record what it answers (`python tests/reference/write_sweep.py
http://127.0.0.1:5000 > tests/reference/production_writes.json`); `tests/test_production_writes.py`
replays the same calls on a live Tsubame and compares, call by call and caller by caller, the
status code and the shape of the answer. Calls that succeed change the production, so later calls
see what earlier ones did, on both servers alike.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

try:
    from reference import sweep
except ImportError:  # run as a script: this folder is on the path
    import sweep

RANKS = ("outsider", "vendor", "client", "member", "supervisor", "manager", "admin")
Body = Callable[[dict[str, str]], Any] | Any


def call(name: str, method: str, path: str, body: Body = None, *, save: str | None = None, ranks=RANKS):
    return {"name": name, "method": method, "path": path, "body": body, "save": save, "ranks": ranks}


CALLS = [
    # projects, team, settings
    call("new project", "POST", "/data/projects", lambda i: {"name": f"W {i['tag']}"}, save="p2"),
    call("update project", "PUT", "/data/projects/{project_id}", {"description": "by sweep"}),
    call(
        "settings task type",
        "POST",
        "/data/projects/{p2}/settings/task-types",
        lambda i: {"task_type_id": i["task_type_id"], "priority": 2},
    ),
    call("add team member", "POST", "/data/projects/{project_id}/team", lambda i: {"person_id": i["outsider"]}),
    call("team role", "PUT", "/data/projects/{project_id}/team/{outsider}", {"role": "supervisor"}),
    call("remove team member", "DELETE", "/data/projects/{project_id}/team/{outsider}"),
    call(
        "settings asset type",
        "POST",
        "/data/projects/{project_id}/settings/asset-types",
        lambda i: {"asset_type_id": i["asset_type_id"]},
    ),
    call(
        "settings task status",
        "POST",
        "/data/projects/{project_id}/settings/task-status",
        lambda i: {"task_status_id": i["task_status_id"]},
    ),
    call(
        "task status client",
        "PUT",
        "/data/projects/{project_id}/settings/task-status/{task_status_id}",
        {"is_client_allowed": False},
    ),
    call(
        "settings automation",
        "POST",
        "/data/projects/{project_id}/settings/status-automations",
        lambda i: {"status_automation_id": i["status_automation_id"]},
    ),
    call(
        "remove automation", "DELETE", "/data/projects/{project_id}/settings/status-automations/{status_automation_id}"
    ),
    call(
        "settings batch",
        "POST",
        "/data/projects/{project_id}/settings/batch",
        lambda i: {"task_type_ids": [i["task_type_id"]], "asset_type_ids": [i["asset_type_id"]]},
    ),
    call(
        "reorder type links",
        "POST",
        "/actions/projects/{project_id}/task-type-links/reorder",
        lambda i: {"task_type_ids": [i["task_type_id"]]},
    ),
    call(
        "reorder status links",
        "POST",
        "/actions/projects/{project_id}/task-status-links/reorder",
        lambda i: {"task_status_ids": [i["task_status_id"]]},
    ),
    # breakdown
    call("new episode", "POST", "/data/projects/{project_id}/episodes", {"name": "E02"}, save="ep2"),
    call(
        "new sequence",
        "POST",
        "/data/projects/{project_id}/sequences",
        lambda i: {"name": "SQ02", "episode_id": i["ep2"]},
        save="sq2",
    ),
    call(
        "new shot",
        "POST",
        "/data/projects/{project_id}/shots",
        lambda i: {"name": "SH02", "sequence_id": i["sq2"], "nb_frames": 24, "data": {"frame_in": 1}},
        save="sh2",
    ),
    call("update shot", "PUT", "/data/shots/{sh2}", {"nb_frames": 48, "data": {"frame_in": 10}}),
    call(
        "new scene",
        "POST",
        "/data/projects/{project_id}/scenes",
        lambda i: {"name": "SC02", "sequence_id": i["sq2"]},
        save="sc2",
    ),
    call("link shot to scene", "POST", "/data/scenes/{sc2}/shots", lambda i: {"shot_id": i["sh2"]}),
    call("unlink shot from scene", "DELETE", "/data/scenes/{sc2}/shots/{sh2}"),
    call(
        "new asset",
        "POST",
        "/data/projects/{project_id}/asset-types/{asset_type_id}/assets/new",
        {"name": "Villain", "description": "bad"},
        save="as2",
    ),
    call("update entity", "PUT", "/data/entities/{as2}", {"description": "very bad", "data": {"k": "v"}}),
    call(
        "new entity",
        "POST",
        "/data/entities",
        lambda i: {"name": "Prop X", "project_id": i["project_id"], "entity_type_id": i["asset_type_id"]},
        save="as3",
    ),
    call("new edit", "POST", "/data/projects/{project_id}/edits", lambda i: {"name": "ED02"}, save="ed2"),
    call("new concept", "POST", "/data/projects/{project_id}/concepts", {"name": "CO02"}, save="co2"),
    call("new concept folder", "POST", "/data/projects/{project_id}/concept-folders", {"name": "F2"}, save="cf2"),
    call("rename concept folder", "PUT", "/data/concept-folders/{cf2}", {"name": "F3"}),
    call(
        "move concepts",
        "POST",
        "/actions/projects/{project_id}/move-concepts",
        lambda i: {"concept_ids": [i["co2"]], "concept_folder_id": i["cf2"]},
    ),
    call("create tasks", "POST", "/data/entities/{as2}/tasks", lambda i: {"task_type_ids": [i["modeling_id"]]}),
    call(
        "share type assets",
        "POST",
        "/actions/projects/{project_id}/asset-types/{asset_type_id}/assets/share",
        {"is_shared": True},
    ),
    call("share project assets", "POST", "/actions/projects/{project_id}/assets/share", {"is_shared": False}),
    call("share assets", "POST", "/actions/assets/share", lambda i: {"asset_ids": [i["as2"]], "is_shared": True}),
    # casting and links
    call(
        "cast in shot",
        "PUT",
        "/data/projects/{project_id}/entities/{sh2}/casting",
        lambda i: [{"asset_id": i["as2"], "nb_occurences": 2, "label": "fg"}],
    ),
    call(
        "cast many",
        "PUT",
        "/data/projects/{project_id}/entities/casting",
        lambda i: {i["sh2"]: [{"asset_id": i["asset_id"], "nb_occurences": 1}]},
    ),
    call(
        "cast asset in shots",
        "PUT",
        "/data/projects/{project_id}/entities/casting/assets/{as2}",
        lambda i: {"entity_ids": [i["shot_id"]], "nb_occurences": 3, "label": "bg"},
    ),
    call(
        "asset casting",
        "PUT",
        "/data/assets/{as3}/casting",
        lambda i: [{"asset_id": i["asset_id"], "nb_occurences": 1}],
    ),
    call(
        "new entity link",
        "POST",
        "/data/entity-links",
        lambda i: {"entity_in_id": i["sq2"], "entity_out_id": i["as3"]},
        save="el2",
    ),
    call("update entity link", "PUT", "/data/entity-links/{el2}", {"nb_occurences": 4}),
    call("delete entity link", "DELETE", "/data/entity-links/{el2}"),
    call("delete project link", "DELETE", "/data/projects/{project_id}/entity-links/{entity_link_id}"),
    # asset instances
    call("scene instance", "POST", "/data/scenes/{sc2}/asset-instances", lambda i: {"asset_id": i["as2"]}, save="ai2"),
    call(
        "asset instance",
        "POST",
        "/data/assets/{as2}/asset-asset-instances",
        lambda i: {"asset_to_instantiate_id": i["asset_id"]},
    ),
    call(
        "add instance to shot", "POST", "/data/shots/{sh2}/asset-instances", lambda i: {"asset_instance_id": i["ai2"]}
    ),
    call("remove instance from shot", "DELETE", "/data/shots/{sh2}/asset-instances/{ai2}"),
    call("update instance", "PUT", "/data/asset-instances/{ai2}", {"description": "x"}),
    call(
        "crud instance",
        "POST",
        "/data/asset-instances",
        lambda i: {"asset_id": i["as3"], "name": "inst", "number": 7},
        save="ai3",
    ),
    call("delete instance", "DELETE", "/data/asset-instances/{ai3}"),
    # descriptors, templates, automations
    call(
        "new descriptor",
        "POST",
        "/data/projects/{project_id}/metadata-descriptors",
        {"name": "Mood", "entity_type": "Shot", "choices": ["calm", "wild"]},
        save="md2",
    ),
    call("update descriptor", "PUT", "/data/projects/{project_id}/metadata-descriptors/{md2}", {"name": "Mood 2"}),
    call(
        "reorder descriptors",
        "POST",
        "/data/projects/{project_id}/metadata-descriptors/reorder",
        lambda i: {"entity_type": "Shot", "descriptor_ids": [i["md2"]]},
    ),
    call("delete descriptor", "DELETE", "/data/projects/{project_id}/metadata-descriptors/{md2}"),
    call(
        "crud descriptor",
        "POST",
        "/data/metadata-descriptors",
        lambda i: {"name": "Budget", "entity_type": "Asset", "project_id": i["project_id"], "field_name": "budget"},
        save="md3",
    ),
    call("crud update descriptor", "PUT", "/data/metadata-descriptors/{md3}", {"for_client": True}),
    call("crud delete descriptor", "DELETE", "/data/metadata-descriptors/{md3}"),
    call("new template", "POST", "/data/project-templates", lambda i: {"name": f"T2 {i['tag']}"}, save="pt2"),
    call("update template", "PUT", "/data/project-templates/{pt2}", {"fps": "24"}),
    call(
        "template task type",
        "POST",
        "/data/project-templates/{pt2}/task-types",
        lambda i: {"task_type_id": i["task_type_id"]},
    ),
    call(
        "template task status",
        "POST",
        "/data/project-templates/{pt2}/task-statuses",
        lambda i: {"task_status_id": i["task_status_id"]},
    ),
    call(
        "template asset type",
        "POST",
        "/data/project-templates/{pt2}/asset-types",
        lambda i: {"asset_type_id": i["asset_type_id"]},
    ),
    call(
        "template automation",
        "POST",
        "/data/project-templates/{pt2}/status-automations",
        lambda i: {"status_automation_id": i["status_automation_id"]},
    ),
    call(
        "template descriptors",
        "PUT",
        "/data/project-templates/{pt2}/metadata-descriptors",
        {"metadata_descriptors": [{"name": "Size", "entity_type": "Asset", "data_type": "string"}]},
    ),
    call(
        "reorder template types",
        "POST",
        "/actions/project-templates/{pt2}/task-types/reorder",
        lambda i: {"task_type_ids": [i["task_type_id"]]},
    ),
    call(
        "reorder template statuses",
        "POST",
        "/actions/project-templates/{pt2}/task-statuses/reorder",
        lambda i: {"task_status_ids": [i["task_status_id"]]},
    ),
    call("template minus type", "DELETE", "/data/project-templates/{pt2}/task-types/{task_type_id}"),
    call("template minus status", "DELETE", "/data/project-templates/{pt2}/task-statuses/{task_status_id}"),
    call("template minus asset type", "DELETE", "/data/project-templates/{pt2}/asset-types/{asset_type_id}"),
    call(
        "template minus automation", "DELETE", "/data/project-templates/{pt2}/status-automations/{status_automation_id}"
    ),
    call(
        "template from project",
        "POST",
        "/data/project-templates/from-project/{project_id}",
        lambda i: {"name": f"T3 {i['tag']}"},
    ),
    call("apply template", "POST", "/data/projects/{p2}/apply-template/{pt2}"),
    call("delete template", "DELETE", "/data/project-templates/{pt2}"),
    call(
        "new automation",
        "POST",
        "/data/status-automations",
        lambda i: {
            "entity_type": "shot",
            "in_task_type_id": i["task_type_id"],
            "in_task_status_id": i["task_status_id"],
            "out_field_type": "status",
            "out_task_type_id": i["task_type_id"],
            "out_task_status_id": i["task_status_id"],
        },
        save="sa2",
    ),
    call("update automation", "PUT", "/data/status-automations/{sa2}", {"archived": True}),
    call("delete automation", "DELETE", "/data/status-automations/{sa2}"),
    # frames, settings removal, deletions
    call("frames from previews", "POST", "/actions/projects/{project_id}/task-types/{task_type_id}/set-shot-nb-frames"),
    call("remove settings task status", "DELETE", "/data/projects/{project_id}/settings/task-status/{task_status_id}"),
    call("remove settings asset type", "DELETE", "/data/projects/{project_id}/settings/asset-types/{asset_type_id}"),
    call("remove settings task type", "DELETE", "/data/projects/{project_id}/settings/task-types/{task_type_id}"),
    call("delete asset with tasks", "DELETE", "/data/assets/{as2}"),
    call("delete edit", "DELETE", "/data/edits/{ed2}"),
    call("delete concept", "DELETE", "/data/concepts/{co2}"),
    call("delete concept folder", "DELETE", "/data/concept-folders/{cf2}"),
    call("delete scene", "DELETE", "/data/scenes/{sc2}"),
    call("delete shot", "DELETE", "/data/shots/{sh2}"),
    call("delete entity", "DELETE", "/data/entities/{as3}"),
    call("delete entities", "POST", "/actions/projects/{project_id}/delete-entities", lambda i: [i["concept_id"]]),
    call("delete sequence", "DELETE", "/data/sequences/{sq2}"),
    call("delete episode", "DELETE", "/data/episodes/{ep2}"),
    call("delete open project", "DELETE", "/data/projects/{p2}"),
    call("close project", "PUT", "/data/projects/{p2}", lambda i: {"project_status_id": i["closed_status_id"]}),
    call("delete closed project", "DELETE", "/data/projects/{p2}?force=true"),
]


def run(admin, clients: dict[str, Any], ids: dict[str, str]) -> list[dict[str, Any]]:
    ids = dict(ids)
    statuses = admin.get("/data/project-status").json()
    ids["closed_status_id"] = next(s["id"] for s in statuses if s["name"] == "Closed")
    modeling = next(
        t for t in admin.get("/data/task-types").json() if (t["name"], t["for_entity"]) == ("Modeling", "Asset")
    )
    ids["modeling_id"] = modeling["id"]
    out = []
    for entry in CALLS:
        body = entry["body"](ids) if callable(entry["body"]) else entry["body"]
        url = sweep.fill(entry["path"], {**ids, "outsider": ids["outsider"]})
        tried = {}
        for role in entry["ranks"]:
            response = clients[role].request(entry["method"], url, json=body)
            result: dict[str, Any] = {"status": response.status_code}
            if response.content:
                try:
                    answer = response.json()
                except ValueError:
                    answer = None
                if response.status_code < 300:
                    result.update(sweep.shape(answer, ids))
                    if entry["save"] and isinstance(answer, dict) and "id" in answer:
                        ids[entry["save"]] = answer["id"]
            tried[role] = result
            if response.status_code < 400:
                break
        out.append({"name": entry["name"], "tried": tried})
    return out


def main(base: str) -> None:
    admin, clients, ids = sweep.connect(base)
    json.dump(run(admin, clients, ids), sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
