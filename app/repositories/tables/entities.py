"""The polymorphic entity table (assets, shots, sequences, episodes...) and its links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.tables.base import Base, LinkBase


class Entity(Base):
    __tablename__ = "entity"
    __table_args__ = (UniqueConstraint("name", "project_id", "entity_type_id", "parent_id"),)

    name: Mapped[str] = mapped_column(String(160), nullable=False)
    code: Mapped[str | None] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(Text)
    shotgun_id: Mapped[int | None] = mapped_column(Integer)
    canceled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    nb_frames: Mapped[int | None] = mapped_column(Integer)
    nb_entities_out: Mapped[int | None] = mapped_column(Integer, default=0)
    is_casting_standby: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_shared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(255), nullable=False, default="running", index=True)
    project_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), nullable=False, index=True)
    entity_type_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("entity_type.id"), nullable=False, index=True
    )
    parent_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    source_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    preview_file_id: Mapped[str | None] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("preview_file.id", use_alter=True), index=True
    )
    data: Mapped[Any | None] = mapped_column(JSONB)
    ready_for: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)
    created_by: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)


class EntityLink(Base):
    __tablename__ = "entity_link"
    __table_args__ = (UniqueConstraint("entity_in_id", "entity_out_id"),)

    entity_in_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    entity_out_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    data: Mapped[Any | None] = mapped_column(JSONB)
    nb_occurences: Mapped[int | None] = mapped_column(Integer, default=1)
    label: Mapped[str | None] = mapped_column(String(80), default="")


class EntityConceptLink(Base):
    __tablename__ = "entity_concept_link"
    __table_args__ = (UniqueConstraint("entity_in_id", "entity_out_id"),)

    entity_in_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    entity_out_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)


class EntityVersion(Base):
    __tablename__ = "entity_version"

    name: Mapped[str] = mapped_column(String(160), nullable=False)
    data: Mapped[Any | None] = mapped_column(JSONB)
    entity_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)


class AssetInstance(Base):
    __tablename__ = "asset_instance"
    __table_args__ = (UniqueConstraint("asset_id", "target_asset_id", "scene_id", "number"),)

    asset_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), nullable=False, index=True)
    name: Mapped[str | None] = mapped_column(String(80))
    number: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool | None] = mapped_column(Boolean, default=True)
    data: Mapped[Any | None] = mapped_column(JSONB)
    scene_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    target_asset_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    entity_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    entity_type_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity_type.id"), index=True)


class AssetInstanceLink(LinkBase):
    __tablename__ = "asset_instance_link"

    entity_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), primary_key=True, index=True)
    asset_instance_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("asset_instance.id"), primary_key=True, index=True
    )
