"""The production of `sweep.py` plus files on it, then every GET route of the `files` area called
as each role.

On top of the production, through the API only: the artist (`member`) comments the shot task
and adds a PNG preview to the comment (`add-preview`, then the upload), then an attachment to
the same comment; the admin gives the project a file tree, creates an output type, a file
status and a software (also set for the layout task type of the project), the artist creates a
working file on the shot task and uploads its binary, the admin creates an output file on the
shot and one on the asset instance of the scene, uploads the artist's avatar, the project's
picture and the organisation's picture, and an HDR preview background file linked to the
project and the project template; the manager creates the project's preview account; a client
off the team (`stranger`) is added to the callers. Movies
are left out (the reference converts them inside the request): the movie routes look for a
movie of the PNG preview. A binary answer is recorded by its content type, picture size, caching
header, disposition type and which of the usual file headers it carries.

Record from the reference with `python tests/reference/files_sweep.py http://127.0.0.1:5000 >
tests/reference/files_reads.json`; `tests/test_files_reads.py` replays it on our app.
"""

from __future__ import annotations

import io
import json
import re
import sys
from typing import Any

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, __import__("os").path.dirname(__file__))
    import sweep  # type: ignore[no-redef]
else:
    from reference import sweep

AREA = "files"
INSTANCE = {  # what `{instance_id}` means, by path prefix (first match wins)
    "/data/attachment-files/": "attachment_file_id",
    "/data/file-status/": "file_status_id",
    "/data/output-files/": "output_file_id",
    "/data/output-types/": "output_type_id",
    "/data/preview-background-files/": "preview_background_file_id",
    "/data/preview-files/": "preview_file_id",
    "/data/softwares/": "software_id",
    "/data/working-files/": "working_file_id",
    "/pictures/preview-background-files/": "preview_background_file_id",
    "/pictures/thumbnails/preview-background-files/": "preview_background_file_id",
    "/pictures/thumbnails/organisations/": "organisation_id",
    "/pictures/thumbnails/persons/": "person_id",
    "/pictures/thumbnails/projects/": "project_id",
    "/pictures/": "preview_file_id",
    "/movies/": "preview_file_id",
}
ROLES = (*sweep.ROLES, "stranger")
"""The sweep's roles plus `stranger`: a client off the team (the issue wants 403 on every file route)."""
EXTENSION = {"/pictures/preview-background-files/": "hdr"}  # `{extension}` by path prefix; else the preview's
TREE = {
    "working": {
        "mountpoint": "/simple",
        "root": "productions",
        "folder_path": {
            "shot": "<Project>/shots/<Sequence>/<Shot>/<TaskType>",
            "asset": "<Project>/assets/<AssetType>/<Asset>/<TaskType>",
            "sequence": "<Project>/sequences/<Sequence>/<TaskType>",
            "scene": "<Project>/scenes/<Sequence>/<Scene>/<TaskType>",
            "style": "lowercase",
        },
        "file_name": {
            "shot": "<Project>_<Shot>_<TaskType>",
            "asset": "<Project>_<AssetType>_<Asset>_<TaskType>",
            "sequence": "<Project>_<Sequence>_<TaskType>",
            "scene": "<Project>_<Sequence>_<Scene>_<TaskType>",
            "style": "lowercase",
        },
    },
    "output": {
        "mountpoint": "/simple",
        "root": "productions/export",
        "folder_path": {
            "shot": "<Project>/shots/<Sequence>/<Shot>/<OutputType>",
            "asset": "<Project>/assets/<AssetType>/<Asset>/<OutputType>",
            "scene": "<Project>/scenes/<Sequence>/<Scene>/<OutputType>",
            "instance": "<Project>/<TemporalEntityType>/<Sequence>/<TemporalEntity>/<OutputType>/<Asset>/<Instance>",
            "style": "lowercase",
        },
        "file_name": {
            "shot": "<Project>_<Sequence>_<Shot>_<OutputType>_<OutputFile>",
            "asset": "<Project>_<AssetType>_<Asset>_<OutputType>_<OutputFile>",
            "scene": "<Project>_<Sequence>_<Scene>_<OutputType>_<OutputFile>",
            "instance": "<Project>_<Sequence>_<TemporalEntity>_<OutputType>_<Name>_<Instance>_v<Version>",
            "style": "lowercase",
        },
    },
}


def png(width: int = 320, height: int = 240, color: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def hdr(width: int = 16, height: int = 8) -> bytes:
    """A flat Radiance HDR picture (uncompressed RGBE scanlines)."""
    head = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y %d +X %d\n" % (height, width)
    return head + bytes([128, 64, 32, 129]) * (width * height)


def files_work(admin, clients: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
    ok, tag, pid, task_id = sweep.ok, ids["tag"], ids["project_id"], ids["task_id"]
    member, manager = clients["member"], clients["manager"]
    comment = ok(
        member.post(
            f"/actions/tasks/{task_id}/comment",
            json={"task_status_id": ids["task_status_id"], "comment": f"First still {tag}"},
        ),
        201,
    )
    preview = ok(member.post(f"/actions/tasks/{task_id}/comments/{comment['id']}/add-preview", json={}), 201)
    ok(member.post(f"/pictures/preview-files/{preview['id']}", files={"file": ("still.png", png(), "image/png")}), 201)
    ok(admin.put(f"/actions/preview-files/{preview['id']}/set-main-preview"), 200)
    ok(
        member.post(
            f"/actions/tasks/{task_id}/comments/{comment['id']}/add-attachment",
            files={"reference": ("reference.png", png(64, 48, (10, 200, 10)), "image/png")},
        ),
        201,
    )
    attachment = ok(admin.get(f"/data/tasks/{task_id}/attachment-files"), 200)[0]

    ok(admin.put(f"/data/projects/{pid}", json={"file_tree": TREE}), 200)
    output_type = ok(admin.post("/data/output-types", json={"name": f"Geometry {tag}", "short_name": "geo"}), 201)
    file_status = ok(admin.post("/data/file-status", json={"name": f"Approved {tag}", "color": "#00ff00"}), 201)
    software = ok(
        admin.post(
            "/data/softwares", json={"name": f"Blender {tag}", "short_name": f"bl{tag[:4]}", "file_extension": "blend"}
        ),
        201,
    )
    ok(
        admin.post(
            f"/data/projects/{pid}/task-types/{ids['task_type_id']}/softwares", json={"software_id": software["id"]}
        ),
        201,
    )
    working = ok(
        member.post(
            f"/data/tasks/{task_id}/working-files/new",
            json={"name": "main", "comment": "first", "software_id": software["id"]},
        ),
        201,
    )
    ok(
        member.post(
            f"/data/working-files/{working['id']}/file",
            files={"file": ("scene.blend", b"BLENDER-v300" + bytes(range(256)) * 8, "application/octet-stream")},
        ),
        201,
    )
    output = ok(
        admin.post(
            f"/data/entities/{ids['shot_id']}/output-files/new",
            json={
                "output_type_id": output_type["id"],
                "task_type_id": ids["task_type_id"],
                "working_file_id": working["id"],
                "representation": "abc",
                "extension": "abc",
                "comment": "export",
                "file_status_id": file_status["id"],
            },
        ),
        201,
    )
    ok(
        admin.post(
            f"/data/asset-instances/{ids['asset_instance_id']}/entities/{ids['scene_id']}/output-files/new",
            json={"output_type_id": output_type["id"], "task_type_id": ids["task_type_id"], "representation": "abc"},
        ),
        201,
    )

    picture_upload = {"file": ("me.png", png(), "image/png")}
    ok(admin.post(f"/pictures/thumbnails/persons/{ids['person_id']}", files=picture_upload), 201)
    ok(admin.post(f"/pictures/thumbnails/projects/{pid}", files=picture_upload), 201)
    organisation = ok(admin.get("/data/organisations"), 200)[0]
    ok(
        admin.post(
            f"/pictures/thumbnails/organisations/{organisation['id']}", files={"file": ("o.png", png(), "image/png")}
        ),
        201,
    )
    background = ok(admin.post("/data/preview-background-files", json={"name": f"Sky {tag}"}), 201)
    ok(
        admin.post(
            f"/pictures/preview-background-files/{background['id']}",
            files={"file": ("sky.hdr", hdr(), "application/octet-stream")},
        ),
        201,
    )
    ok(
        admin.post(
            f"/data/projects/{pid}/settings/preview-background-files",
            json={"preview_background_file_id": background["id"]},
        ),
        201,
    )
    ok(
        admin.post(
            f"/data/project-templates/{ids['project_template_id']}/preview-background-files",
            json={"preview_background_file_id": background["id"]},
        ),
        201,
    )
    ok(manager.post(f"/data/projects/{pid}/preview-account"), 201)
    email = f"stranger.{tag}@example.com"
    body = {"first_name": "stranger", "last_name": tag, "email": email, "role": "client", "password": sweep.PASSWORD}
    ok(admin.post("/data/persons", json=body), 201)
    token = ok(admin.post("/auth/login", json={"email": email, "password": sweep.PASSWORD}), 200)["access_token"]
    clients["stranger"] = type(admin)(base_url=admin.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    return {
        "comment_id": comment["id"],
        "preview_file_id": preview["id"],
        "attachment_file_id": attachment["id"],
        "file_name": attachment["name"],
        "output_type_id": output_type["id"],
        "file_status_id": file_status["id"],
        "software_id": software["id"],
        "working_file_id": working["id"],
        "file_id": working["id"],
        "output_file_id": output["id"],
        "temporal_entity_id": ids["scene_id"],
        "organisation_id": organisation["id"],
        "preview_background_file_id": background["id"],
        "extension": "png",
    }


def fill(path: str, ids: dict[str, str]) -> str:
    extension = next((v for prefix, v in EXTENSION.items() if path.startswith(prefix)), ids["extension"])
    return sweep.fill(path, {**ids, "extension": extension}, INSTANCE)


HEADERS = ("accept-ranges", "content-length", "etag", "expires", "last-modified", "x-content-type-options")
"""Headers of a file answer whose presence is compared (their values differ between servers)."""


def picture(response) -> dict[str, Any]:
    """What a binary answer is: its content type and, for a picture, its size in pixels."""
    from PIL import Image

    content_type = response.headers.get("content-type", "").split(";")[0]
    out: dict[str, Any] = {"kind": "text", "content_type": content_type}
    if content_type.startswith("image/") and content_type != "image/vnd.radiance":
        try:
            out["size"] = list(Image.open(io.BytesIO(response.content)).size)
        except Exception:  # noqa: BLE001  (recorded as not a picture)
            out["size"] = None
    cache = response.headers.get("cache-control")
    if cache:
        out["cache_control"] = ", ".join(sorted(re.split(r"\s*,\s*", cache)))
    disposition = response.headers.get("content-disposition")
    if disposition:
        out["disposition"] = disposition.split(";")[0].strip()
    out["headers"] = sorted(h for h in HEADERS if h in response.headers)
    return out


def run(admin, clients: dict[str, Any], ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    ids = {**ids, **files_work(admin, clients, ids)}
    results: dict[str, dict[str, Any]] = {}
    for path in sweep.get_routes(AREA):
        url = fill(path, ids)
        results[path] = {}
        for role in ROLES:
            response = clients[role].get(url)
            entry: dict[str, Any] = {"status": response.status_code}
            if response.status_code == 200:
                if response.headers.get("content-type", "").startswith("application/json"):
                    body = response.json()
                    entry.update(sweep.shape(body, ids))
                    first = body[0] if isinstance(body, list) and body else body
                    if isinstance(first, dict) and "keys" in entry:
                        entry["order"] = [k for k in first if not sweep.UUID.match(k)]
                else:
                    entry.update(picture(response))
            results[path][role] = entry
    return results


def main(base: str) -> None:
    admin, clients, ids = sweep.connect(base)
    json.dump(run(admin, clients, ids), sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
