"""Studio-wide catalogues: statuses, task types, entity types, software, hardware."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.tables.base import Base, LinkBase


class ProjectStatus(Base):
    __tablename__ = "project_status"

    name: Mapped[str] = mapped_column(String(20), nullable=False, index=True, unique=True)
    color: Mapped[str] = mapped_column(String(7), nullable=False)


class TaskType(Base):
    __tablename__ = "task_type"
    __table_args__ = (UniqueConstraint("name", "for_entity", "department_id"),)

    name: Mapped[str] = mapped_column(String(40), nullable=False)
    short_name: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    color: Mapped[str | None] = mapped_column(String(7), default="#FFFFFF")
    priority: Mapped[int | None] = mapped_column(Integer, default=1)
    for_entity: Mapped[str | None] = mapped_column(String(30), default="Asset")
    allow_timelog: Mapped[bool | None] = mapped_column(Boolean, default=True)
    archived: Mapped[bool | None] = mapped_column(Boolean, default=False)
    shotgun_id: Mapped[int | None] = mapped_column(Integer, index=True)
    department_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("department.id"), index=True)


class TaskStatus(Base):
    __tablename__ = "task_status"

    name: Mapped[str] = mapped_column(String(40), nullable=False)
    archived: Mapped[bool | None] = mapped_column(Boolean, default=False)
    short_name: Mapped[str] = mapped_column(String(10), nullable=False, index=True, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    color: Mapped[str] = mapped_column(String(7), nullable=False)
    priority: Mapped[int | None] = mapped_column(Integer, default=1)
    is_done: Mapped[bool | None] = mapped_column(Boolean, default=False, index=True)
    is_artist_allowed: Mapped[bool | None] = mapped_column(Boolean, default=True)
    is_client_allowed: Mapped[bool | None] = mapped_column(Boolean, default=True)
    is_retake: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_feedback_request: Mapped[bool | None] = mapped_column(Boolean, default=False, index=True)
    is_default: Mapped[bool | None] = mapped_column(Boolean, default=False, index=True)
    is_wip: Mapped[bool | None] = mapped_column(Boolean, default=False, server_default=text("false"), index=True)
    shotgun_id: Mapped[int | None] = mapped_column(Integer)
    for_concept: Mapped[bool | None] = mapped_column(Boolean, default=False, server_default=text("false"))


class EntityType(Base):
    __tablename__ = "entity_type"

    name: Mapped[str] = mapped_column(String(30), nullable=False, index=True, unique=True)
    short_name: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool | None] = mapped_column(Boolean, default=False)


class TaskTypeAssetTypeLink(LinkBase):
    __tablename__ = "task_type_asset_type_link"

    asset_type_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("entity_type.id"), primary_key=True, index=True
    )
    task_type_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("task_type.id"), primary_key=True, index=True
    )


class StatusAutomation(Base):
    __tablename__ = "status_automation"

    entity_type: Mapped[str | None] = mapped_column(String(40), default="asset")
    in_task_type_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)
    in_task_status_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_status.id"), index=True)
    out_field_type: Mapped[str] = mapped_column(String(255), nullable=False, default="status")
    out_task_type_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)
    out_task_status_id: Mapped[str | None] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("task_status.id"), index=True
    )
    import_last_revision: Mapped[bool | None] = mapped_column(Boolean, default=False)
    archived: Mapped[bool | None] = mapped_column(Boolean, default=False)


class Software(Base):
    __tablename__ = "software"

    name: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    short_name: Mapped[str] = mapped_column(String(20), nullable=False)
    archived: Mapped[bool | None] = mapped_column(Boolean, default=False)
    version: Mapped[str | None] = mapped_column(String(20))
    file_extension: Mapped[str] = mapped_column(String(20), nullable=False)
    secondary_extensions: Mapped[Any | None] = mapped_column(JSONB)
    monthly_cost: Mapped[int | None] = mapped_column(Integer, default=0)
    inventory_amount: Mapped[int | None] = mapped_column(Integer, default=0)


class SoftwareDepartmentLink(Base):
    __tablename__ = "software_department_link"
    __table_args__ = (UniqueConstraint("department_id", "software_id"),)

    department_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("department.id"), index=True)
    software_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("software.id"), index=True)


class HardwareItem(Base):
    __tablename__ = "hardware_item"

    name: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    short_name: Mapped[str] = mapped_column(String(20), nullable=False)
    archived: Mapped[bool | None] = mapped_column(Boolean, default=False)
    monthly_cost: Mapped[int | None] = mapped_column(Integer, default=0)
    inventory_amount: Mapped[int | None] = mapped_column(Integer, default=0)


class HardwareItemDepartmentLink(Base):
    __tablename__ = "hardware_item_department_link"
    __table_args__ = (UniqueConstraint("hardware_item_id", "department_id"),)

    department_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("department.id"), index=True)
    hardware_item_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("hardware_item.id"), index=True)


class FileStatus(Base):
    __tablename__ = "file_status"

    name: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    color: Mapped[str] = mapped_column(String(7), nullable=False)


class OutputType(Base):
    __tablename__ = "output_type"

    name: Mapped[str] = mapped_column(String(40), nullable=False, index=True, unique=True)
    short_name: Mapped[str] = mapped_column(String(20), nullable=False)


class CustomAction(Base):
    __tablename__ = "custom_action"

    name: Mapped[str] = mapped_column(String(80), nullable=False)
    url: Mapped[str | None] = mapped_column(String(400))
    entity_type: Mapped[str | None] = mapped_column(String(40), default="all")
    is_ajax: Mapped[bool | None] = mapped_column(Boolean, default=False)


class PreviewBackgroundFile(Base):
    __tablename__ = "preview_background_file"

    name: Mapped[str] = mapped_column(String(40), nullable=False)
    archived: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_default: Mapped[bool | None] = mapped_column(Boolean, default=False, index=True)
    original_name: Mapped[str | None] = mapped_column(String(250))
    extension: Mapped[str | None] = mapped_column(String(6))
    file_size: Mapped[int | None] = mapped_column(BigInteger, default=0)


class Plugin(Base):
    __tablename__ = "plugin"

    plugin_id: Mapped[str] = mapped_column(String(80), nullable=False, index=True, unique=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(50), nullable=False)
    maintainer_name: Mapped[str] = mapped_column(String(200), nullable=False)
    maintainer_email: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String)
    license: Mapped[str] = mapped_column(String(80), nullable=False)
    revision: Mapped[str | None] = mapped_column(String(12))
    frontend_project_enabled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    frontend_studio_enabled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    icon: Mapped[str | None] = mapped_column(String(255))
