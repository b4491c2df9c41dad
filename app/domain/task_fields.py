"""The task keys Zou shows on each board and full entity view, and what a client reads of them.

Every board (`/data/<kinds>/with-tasks`) and the "full" answer of an entity of the same
kind (`/data/shots/{id}`, `/data/assets/{id}`, ...) nest the tasks with the same keys in
the same order. The edit, concept and generic entity boards list fewer keys; Zou appends
`is_subscribed` and `assignees` last (see `APPENDED_FIELDS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.repositories.entity_tasks import CLIENT_BLANKS

SHOT_TASK_FIELDS = (
    "id",
    "duration",
    "due_date",
    "end_date",
    "done_date",
    "entity_id",
    "estimation",
    "is_subscribed",
    "last_comment_date",
    "last_preview_file_id",
    "nb_assets_ready",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "difficulty",
    "nb_drawings",
    "task_status_id",
    "task_type_id",
    "assignees",
    "data",
)
ASSET_TASK_FIELDS = (
    "id",
    "due_date",
    "done_date",
    "duration",
    "entity_id",
    "estimation",
    "end_date",
    "is_subscribed",
    "last_comment_date",
    "last_preview_file_id",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "difficulty",
    "task_status_id",
    "task_type_id",
    "assignees",
    "data",
)
APPENDED_FIELDS = ("is_subscribed", "assignees")
"""The keys Zou adds after the listed ones on the edit, concept and entity boards."""
EDIT_TASK_FIELDS = (
    "id",
    "duration",
    "due_date",
    "entity_id",
    "end_date",
    "estimation",
    "last_comment_date",
    "last_preview_file_id",
    "nb_assets_ready",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "task_status_id",
    "task_type_id",
    "data",
    *APPENDED_FIELDS,
)
CONCEPT_TASK_FIELDS = (
    "id",
    "duration",
    "due_date",
    "end_date",
    "entity_id",
    "estimation",
    "last_comment_date",
    "nb_assets_ready",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "task_status_id",
    "task_type_id",
    "data",
    *APPENDED_FIELDS,
)
ENTITY_TASK_FIELDS = (
    "id",
    "estimation",
    "entity_id",
    "end_date",
    "due_date",
    "done_date",
    "duration",
    "last_comment_date",
    "last_preview_file_id",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "difficulty",
    "task_status_id",
    "task_type_id",
    "data",
    *APPENDED_FIELDS,
)


def blank_for_client(task: dict[str, Any]) -> dict[str, Any]:
    """The task with its studio side blank (what a client reads): the keys stay, each list a new one."""
    blanks = {name: list(value) if isinstance(value, list) else value for name, value in CLIENT_BLANKS.items()}
    return {**task, **{name: value for name, value in blanks.items() if name in task}}


def present_task(row: dict[str, Any], fields: Sequence[str], *, client: bool) -> dict[str, Any]:
    """A task row (with its `assignees`) as a full entity view nests it, keys in `fields` order.

    Such views are not scoped to a project's subscriptions: `is_subscribed` is False. On the
    boards whose keys end with `APPENDED_FIELDS`, Zou adds those after blanking a client's
    task, so a client reads the assignees there."""
    appended = fields[-len(APPENDED_FIELDS) :] == APPENDED_FIELDS
    listed = fields[: -len(APPENDED_FIELDS)] if appended else fields
    task = {name: row.get(name) for name in listed}
    task["priority"] = row.get("priority") or 0
    if "is_subscribed" in task:
        task["is_subscribed"] = False
    if "assignees" in task:
        task["assignees"] = list(row.get("assignees") or [])
    if client:
        task = blank_for_client(task)
    if appended:
        task["is_subscribed"] = False
        task["assignees"] = list(row.get("assignees") or [])
    return task
