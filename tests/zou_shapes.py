"""Shapes of Zou's answers that several test modules assert (the contract, stated once for the tests)."""

# A person as Zou shows it to non-admins in lists (and to non-managers on GET one).
PERSON_MINIMAL_KEYS = frozenset(
    {
        "id",
        "type",
        "first_name",
        "last_name",
        "full_name",
        "has_avatar",
        "active",
        "departments",
        "studio_id",
        "role",
        "desktop_login",
        "is_bot",
    }
)

# An entity (asset, shot, sequence, episode, scene, edit, concept) as Zou serializes its row.
ENTITY_KEYS = frozenset(
    {
        "id",
        "type",
        "name",
        "code",
        "description",
        "shotgun_id",
        "canceled",
        "nb_frames",
        "nb_entities_out",
        "is_casting_standby",
        "is_shared",
        "status",
        "project_id",
        "entity_type_id",
        "parent_id",
        "source_id",
        "preview_file_id",
        "data",
        "ready_for",
        "created_by",
        "created_at",
        "updated_at",
    }
)
# The id lists an entity carries when serialized with its relations.
ENTITY_RELATION_KEYS = frozenset({"entities_in", "entities_out", "entity_concept_links", "instance_casting"})

# An edit with its tasks (full GET and the edits board), keys in Zou's order.
FULL_EDIT_KEYS = (
    "canceled",
    "data",
    "description",
    "entity_type_id",
    "episode_id",
    "episode_name",
    "id",
    "name",
    "parent_id",
    "preview_file_id",
    "project_id",
    "project_name",
    "source_id",
    "nb_entities_out",
    "tasks",
    "type",
)
# A task nested in a full edit: Zou's listed keys, then `is_subscribed` and `assignees`.
EDIT_TASK_KEYS = frozenset(
    {
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
        "is_subscribed",
        "assignees",
    }
)
# A task nested in a full concept: as in an edit, without `last_preview_file_id`.
CONCEPT_TASK_KEYS = EDIT_TASK_KEYS - {"last_preview_file_id"}

# A task's own columns in Zou's serialization order, then the keys every row ends with.
TASK_COLUMNS = [
    "name",
    "description",
    "priority",
    "difficulty",
    "duration",
    "estimation",
    "completion_rate",
    "retake_count",
    "sort_order",
    "start_date",
    "due_date",
    "real_start_date",
    "end_date",
    "done_date",
    "last_comment_date",
    "nb_assets_ready",
    "data",
    "nb_drawings",
    "shotgun_id",
    "last_preview_file_id",
    "project_id",
    "task_type_id",
    "task_status_id",
    "entity_id",
    "assigner_id",
]
TASK_KEYS = [*TASK_COLUMNS, "id", "created_at", "updated_at", "type"]
