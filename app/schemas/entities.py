"""Documentation models of the entity routes (shots, sequences, episodes, scenes, edits, concepts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id, bad filter or invalid body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
}
NOT_FOUND = {404: {"description": "Unknown id"}}


class EntityRow(BaseModel):
    """An entity: every column of the `entity` table, its `type`, and extra keys per route."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: str
    name: str
    project_id: str
    entity_type_id: str
    parent_id: str | None = None
    data: dict | None = None


class EntityRead(EntityRow):
    """A shot, sequence, episode or scene: every entity column, its `type`, and extra keys per route."""

    source_id: str | None = None
    nb_frames: int | None = None
    description: str | None = None
    status: str


class VersionRow(BaseModel):
    """A recorded version of an entity's metadata."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: str
    name: str
    data: dict | None = None
    entity_id: str | None = None
    person_id: str | None = None
