"""The registry of `/data/<collection>` entries: one declaration per model."""

from __future__ import annotations

from app.domain.catalog_hooks import EntityTypeHooks, OrganisationHooks, TaskStatusHooks, TaskTypeHooks
from app.domain.crud import Collection
from app.domain.permissions import admin_only, anyone, self_or_admin
from app.domain.person_hooks import PersonHooks
from app.domain.persons import SECRET_FIELDS
from app.repositories.crud import Relation
from app.repositories.tables import catalog, people

COLLECTIONS: dict[str, Collection] = {}


def register(collection: Collection) -> Collection:
    COLLECTIONS[collection.url] = collection
    return collection


register(
    Collection(
        "persons",
        people.Person,
        "Person",
        hidden=SECRET_FIELDS,
        writable_hidden=frozenset({"password"}),
        relations=(Relation("departments", people.DepartmentLink.__table__, "person_id", "department_id"),),
        lowercased=frozenset({"email"}),
        update=self_or_admin,
        hooks=PersonHooks(),
    )
)
register(Collection("departments", people.Department, "Department"))
register(Collection("studios", people.Studio, "Studio"))
register(Collection("organisations", people.Organisation, "Organisation", hooks=OrganisationHooks()))
register(Collection("project-status", catalog.ProjectStatus, "ProjectStatus"))
register(Collection("task-types", catalog.TaskType, "TaskType", hooks=TaskTypeHooks()))
register(Collection("task-status", catalog.TaskStatus, "TaskStatus", hooks=TaskStatusHooks()))
register(
    Collection(
        "entity-types",
        catalog.EntityType,
        "EntityType",
        relations=(Relation("task_types", catalog.TaskTypeAssetTypeLink.__table__, "asset_type_id", "task_type_id"),),
        event_name="asset-type",
        hooks=EntityTypeHooks(),
    )
)

# Each area registers its own entries; importing them here fills the registry.
from app.domain import (  # noqa: E402, F401
    asset_collections,
    attachment_collections,
    background_collections,
    casting_collections,
    chats_collections,
    comment_collections,
    day_offs_collections,
    entity_collections,
    event_log_collections,
    file_catalog_collections,
    notification_collections,
    output_collections,
    preview_file_collections,
    project_collections,
    task_collections,
    template_collections,
    time_spents_collections,
    working_file_collections,
)

__all__ = ["COLLECTIONS", "register", "admin_only", "anyone"]
