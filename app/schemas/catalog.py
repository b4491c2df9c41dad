"""Bodies and answers of the department-license, task-type reorder and project link routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["admin", "manager", "supervisor", "user", "client", "vendor"]


class SoftwareLicenseBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    software_id: uuid.UUID = Field(description="The software the department gets a license for")


class TaskTypeReorderBody(BaseModel):
    task_type_ids: list[uuid.UUID] = Field(
        description="Task type ids in their new order; the one at position i (from 1) gets priority i"
    )


class TaskTypeLinkBody(BaseModel):
    """Read from the query string and form values first, then from a JSON object body."""

    project_id: uuid.UUID
    task_type_id: uuid.UUID
    priority: int | None = 1


class TaskStatusLinkBody(BaseModel):
    """Read from the query string and form values first, then from a JSON object body."""

    project_id: uuid.UUID
    task_status_id: uuid.UUID
    priority: int | None = 1
    roles_for_board: list[Role] | Role = Field(
        default_factory=list, description="Roles that see this status on the board; omitted means none"
    )


class _Row(BaseModel):
    id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None


class SoftwareRead(_Row):
    name: str
    short_name: str
    archived: bool | None = None
    version: str | None = None
    file_extension: str
    secondary_extensions: Any = None
    monthly_cost: int | None = None
    inventory_amount: int | None = None
    type: Literal["Software"] = "Software"


class SoftwareDepartmentLinkRead(_Row):
    department_id: str
    software_id: str
    type: Literal["SoftwareDepartmentLink"] = "SoftwareDepartmentLink"


class DepartmentMember(BaseModel):
    """The minimal shape non-admins get; admins get the full person (safe fields)."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: Literal["Person"] = "Person"
    first_name: str
    last_name: str
    full_name: str
    has_avatar: bool | None = None
    active: bool | None = None
    departments: list[str]
    studio_id: str | None = None
    role: Role
    desktop_login: str | None = None
    is_bot: bool


class TaskTypeRead(_Row):
    model_config = ConfigDict(extra="allow")

    name: str
    priority: int | None = None
    for_entity: str | None = None
    type: Literal["TaskType"] = "TaskType"


class ProjectTaskTypeLinkRead(_Row):
    project_id: str
    task_type_id: str
    priority: int | None = None
    hd_bitrate_compression: int | None = None
    ld_bitrate_compression: int | None = None
    is_client_visible: bool | None = None
    type: Literal["ProjectTaskTypeLink"] = "ProjectTaskTypeLink"


class ProjectTaskStatusLinkRead(_Row):
    project_id: str
    task_status_id: str
    priority: int | None = None
    roles_for_board: list[Role] | None = None
    is_client_allowed: bool | None = None
    type: Literal["ProjectTaskStatusLink"] = "ProjectTaskStatusLink"


def request_body(model: type[BaseModel], content_types: tuple[str, ...] = ("application/json",)) -> dict[str, Any]:
    """`openapi_extra` documenting a body that the route reads itself (not through a parameter)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {
        "requestBody": {
            "required": True,
            "content": {ct: {"schema": schema} for ct in content_types},
        }
    }
