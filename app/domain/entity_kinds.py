"""The kinds of rows in the polymorphic `entity` table.

Zou types an entity by its `entity_type_id`. Seven entity types are "temporal"
kinds (Shot, Sequence, Episode, Scene, Edit, Concept, ConceptFolder); every
other entity type is an asset type, and its entities are assets. The API names
an entity by its kind: `"type": "Shot"`, `"Asset"`, `"ConceptFolder"`...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.entity_kinds import ids_by_name

SHOT, SEQUENCE, EPISODE, SCENE, EDIT, CONCEPT, CONCEPT_FOLDER = (
    "Shot",
    "Sequence",
    "Episode",
    "Scene",
    "Edit",
    "Concept",
    "ConceptFolder",
)
ASSET = "Asset"
TEMPORAL_KINDS = (SHOT, SEQUENCE, EPISODE, SCENE, EDIT, CONCEPT, CONCEPT_FOLDER)
_SESSION_KEY = "entity_kinds"


@dataclass(frozen=True, slots=True)
class EntityKinds:
    """Entity type ids of the temporal kinds, for one database."""

    by_kind: dict[str, str]

    def id(self, kind: str) -> str:
        return self.by_kind[kind]

    @property
    def temporal_ids(self) -> list[str]:
        return list(self.by_kind.values())

    def kind_of(self, entity_type_id: str) -> str:
        """ "Shot", "Sequence"... or "Asset" for any other entity type."""
        for kind, type_id in self.by_kind.items():
            if type_id == entity_type_id:
                return kind
        return ASSET

    def is_asset_type(self, entity_type_id: str) -> bool:
        return entity_type_id not in self.by_kind.values()

    def typed(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Set each entity row's `type` from its entity type, in place; returns the rows."""
        kinds = {type_id: kind for kind, type_id in self.by_kind.items()}
        for row in rows:
            row["type"] = kinds.get(row["entity_type_id"], ASSET)
        return rows


async def entity_kinds(session: AsyncSession) -> EntityKinds:
    """The kinds' ids, read once per session (one query; created on first use like Zou)."""
    cached = session.info.get(_SESSION_KEY)
    if cached is None:
        cached = EntityKinds(await ids_by_name(session, TEMPORAL_KINDS))
        session.info[_SESSION_KEY] = cached
    return cached
