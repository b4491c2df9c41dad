"""Projects, their settings links, templates, custom fields, schedules and budgets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
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


class Project(Base):
    __tablename__ = "project"

    name: Mapped[str] = mapped_column(String(80), nullable=False, index=True, unique=True)
    code: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    shotgun_id: Mapped[int | None] = mapped_column(Integer)
    file_tree: Mapped[Any | None] = mapped_column(JSONB)
    data: Mapped[Any | None] = mapped_column(JSONB)
    has_avatar: Mapped[bool | None] = mapped_column(Boolean, default=False)
    fps: Mapped[str | None] = mapped_column(String(10), default="25")
    ratio: Mapped[str | None] = mapped_column(String(10), default="16:9")
    resolution: Mapped[str | None] = mapped_column(String(12), default="1920x1080")
    production_type: Mapped[str | None] = mapped_column(String(20), default="short")
    production_style: Mapped[str] = mapped_column(String(255), nullable=False, default="2d3d")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    man_days: Mapped[int | None] = mapped_column(Integer)
    nb_episodes: Mapped[int | None] = mapped_column(Integer, default=0)
    episode_span: Mapped[int | None] = mapped_column(Integer, default=0)
    max_retakes: Mapped[int | None] = mapped_column(Integer, default=0)
    is_clients_isolated: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_client_stats_visible: Mapped[bool | None] = mapped_column(Boolean, default=True)
    is_client_task_list_visible: Mapped[bool | None] = mapped_column(Boolean, default=True)
    is_client_task_panel_visible: Mapped[bool | None] = mapped_column(Boolean, default=True)
    is_preview_download_allowed: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_set_preview_automated: Mapped[bool | None] = mapped_column(Boolean, default=False)
    homepage: Mapped[str | None] = mapped_column(String(80), default="assets")
    is_publish_default_for_artists: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_bot_collaboration_enabled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_single_preview_per_revision: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_frame_in_numbering: Mapped[bool | None] = mapped_column(Boolean, default=False)
    revision_padding: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    hd_bitrate_compression: Mapped[int | None] = mapped_column(Integer)
    ld_bitrate_compression: Mapped[int | None] = mapped_column(Integer)
    project_status_id: Mapped[str | None] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("project_status.id"), index=True
    )
    default_preview_background_file_id: Mapped[str | None] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("preview_background_file.id"), index=True
    )
    from_schedule_version_id: Mapped[str | None] = mapped_column(
        Uuid(as_uuid=False),
        ForeignKey("production_schedule_version.id", ondelete="SET NULL", use_alter=True),
        index=True,
    )


class ProjectPersonLink(LinkBase):
    __tablename__ = "project_person_link"

    project_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), primary_key=True, index=True)
    person_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), primary_key=True, index=True)
    shotgun_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(String(255))


class ProjectTaskTypeLink(Base):
    __tablename__ = "project_task_type_link"
    __table_args__ = (UniqueConstraint("project_id", "task_type_id"),)

    project_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), index=True)
    task_type_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)
    priority: Mapped[int | None] = mapped_column(Integer)
    hd_bitrate_compression: Mapped[int | None] = mapped_column(Integer)
    ld_bitrate_compression: Mapped[int | None] = mapped_column(Integer)
    is_client_visible: Mapped[bool | None] = mapped_column(Boolean, default=True)


class ProjectTaskStatusLink(Base):
    __tablename__ = "project_task_status_link"
    __table_args__ = (UniqueConstraint("project_id", "task_status_id"),)

    project_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), index=True)
    task_status_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_status.id"), index=True)
    priority: Mapped[int | None] = mapped_column(Integer)
    roles_for_board: Mapped[list[str] | None] = mapped_column(
        ARRAY(String), default=["user", "admin", "supervisor", "manager", "vendor"]
    )
    is_client_allowed: Mapped[bool | None] = mapped_column(Boolean)


class ProjectAssetTypeLink(LinkBase):
    __tablename__ = "project_asset_type_link"

    project_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), primary_key=True, index=True)
    asset_type_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("entity_type.id"), primary_key=True, index=True
    )


class ProjectStatusAutomationLink(LinkBase):
    __tablename__ = "project_status_automation_link"

    project_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), primary_key=True, index=True)
    status_automation_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("status_automation.id"), primary_key=True, index=True
    )


class ProjectPreviewBackgroundFileLink(LinkBase):
    __tablename__ = "project_preview_background_file_link"

    project_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), primary_key=True, index=True)
    preview_background_file_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("preview_background_file.id"), primary_key=True, index=True
    )


class ProjectTaskTypeSoftwareLink(Base):
    __tablename__ = "project_task_type_software_link"
    __table_args__ = (UniqueConstraint("project_id", "task_type_id", "software_id"),)

    project_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    task_type_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("task_type.id", ondelete="CASCADE"), index=True
    )
    software_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("software.id", ondelete="CASCADE"), index=True
    )


class ProjectTemplate(Base):
    __tablename__ = "project_template"

    name: Mapped[str] = mapped_column(String(80), nullable=False, index=True, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    fps: Mapped[str | None] = mapped_column(String(10), default="25")
    ratio: Mapped[str | None] = mapped_column(String(10), default="16:9")
    resolution: Mapped[str | None] = mapped_column(String(12), default="1920x1080")
    production_type: Mapped[str | None] = mapped_column(String(20), default="short")
    production_style: Mapped[str] = mapped_column(String(255), nullable=False, default="2d3d")
    max_retakes: Mapped[int | None] = mapped_column(Integer, default=0)
    is_clients_isolated: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_client_stats_visible: Mapped[bool | None] = mapped_column(Boolean, default=True)
    is_client_task_list_visible: Mapped[bool | None] = mapped_column(Boolean, default=True)
    is_client_task_panel_visible: Mapped[bool | None] = mapped_column(Boolean, default=True)
    is_preview_download_allowed: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_set_preview_automated: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_publish_default_for_artists: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_single_preview_per_revision: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_frame_in_numbering: Mapped[bool | None] = mapped_column(Boolean, default=False)
    revision_padding: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    homepage: Mapped[str | None] = mapped_column(String(80), default="assets")
    hd_bitrate_compression: Mapped[int | None] = mapped_column(Integer)
    ld_bitrate_compression: Mapped[int | None] = mapped_column(Integer)
    file_tree: Mapped[Any | None] = mapped_column(JSONB)
    data: Mapped[Any | None] = mapped_column(JSONB)
    metadata_descriptors: Mapped[Any | None] = mapped_column(JSONB)
    default_preview_background_file_id: Mapped[str | None] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("preview_background_file.id"), index=True
    )


class ProjectTemplateTaskTypeLink(Base):
    __tablename__ = "project_template_task_type_link"
    __table_args__ = (UniqueConstraint("project_template_id", "task_type_id"),)

    project_template_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("project_template.id"), index=True)
    task_type_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)
    priority: Mapped[int | None] = mapped_column(Integer)
    hd_bitrate_compression: Mapped[int | None] = mapped_column(Integer)
    ld_bitrate_compression: Mapped[int | None] = mapped_column(Integer)
    is_client_visible: Mapped[bool | None] = mapped_column(Boolean, default=True)


class ProjectTemplateTaskStatusLink(Base):
    __tablename__ = "project_template_task_status_link"
    __table_args__ = (UniqueConstraint("project_template_id", "task_status_id"),)

    project_template_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("project_template.id"), index=True)
    task_status_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_status.id"), index=True)
    priority: Mapped[int | None] = mapped_column(Integer)
    roles_for_board: Mapped[list[str] | None] = mapped_column(
        ARRAY(String), default=["user", "admin", "supervisor", "manager", "vendor"]
    )
    is_client_allowed: Mapped[bool | None] = mapped_column(Boolean)


class ProjectTemplateAssetTypeLink(LinkBase):
    __tablename__ = "project_template_asset_type_link"

    project_template_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("project_template.id"), primary_key=True, index=True
    )
    asset_type_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("entity_type.id"), primary_key=True, index=True
    )


class ProjectTemplateStatusAutomationLink(LinkBase):
    __tablename__ = "project_template_status_automation_link"

    project_template_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("project_template.id"), primary_key=True, index=True
    )
    status_automation_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("status_automation.id"), primary_key=True, index=True
    )


class ProjectTemplatePreviewBackgroundFileLink(LinkBase):
    __tablename__ = "project_template_preview_background_file_link"

    project_template_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("project_template.id"), primary_key=True, index=True
    )
    preview_background_file_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("preview_background_file.id"), primary_key=True, index=True
    )


class MetadataDescriptor(Base):
    __tablename__ = "metadata_descriptor"
    # One name and one field name per (project, entity type), and per task type for task descriptors.
    __table_args__ = (
        Index(
            "metadata_descriptor_uc",
            "project_id",
            "entity_type",
            "name",
            unique=True,
            postgresql_where=text("task_type_id IS NULL"),
        ),
        Index(
            "metadata_descriptor_uc2",
            "project_id",
            "entity_type",
            "field_name",
            unique=True,
            postgresql_where=text("task_type_id IS NULL"),
        ),
        Index(
            "metadata_descriptor_task_type_uc",
            "project_id",
            "entity_type",
            "task_type_id",
            "name",
            unique=True,
            postgresql_where=text("task_type_id IS NOT NULL"),
        ),
        Index(
            "metadata_descriptor_task_type_uc2",
            "project_id",
            "entity_type",
            "task_type_id",
            "field_name",
            unique=True,
            postgresql_where=text("task_type_id IS NOT NULL"),
        ),
    )

    project_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), nullable=False, index=True)
    entity_type: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    task_type_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    data_type: Mapped[str | None] = mapped_column(String(255))
    field_name: Mapped[str] = mapped_column(String(120), nullable=False)
    choices: Mapped[Any | None] = mapped_column(JSONB)
    for_client: Mapped[bool | None] = mapped_column(Boolean, default=False, index=True)
    position: Mapped[int | None] = mapped_column(Integer)


class DepartmentMetadataDescriptorLink(LinkBase):
    __tablename__ = "department_metadata_descriptor_link"

    metadata_descriptor_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("metadata_descriptor.id"), primary_key=True, index=True
    )
    department_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("department.id"), primary_key=True, index=True
    )


class Milestone(Base):
    __tablename__ = "milestone"

    date: Mapped[date | None] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(40), nullable=False)
    project_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), index=True)
    task_type_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)


class ScheduleItem(Base):
    __tablename__ = "schedule_item"
    __table_args__ = (UniqueConstraint("project_id", "task_type_id", "object_id"),)

    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    man_days: Mapped[int | None] = mapped_column(Integer)
    project_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), index=True)
    task_type_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)
    object_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), index=True)


class ProductionScheduleVersion(Base):
    __tablename__ = "production_schedule_version"
    __table_args__ = (UniqueConstraint("name", "project_id"),)

    name: Mapped[str] = mapped_column(String(80), nullable=False)
    project_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True
    )
    production_schedule_from: Mapped[str | None] = mapped_column(
        Uuid(as_uuid=False),
        ForeignKey("production_schedule_version.id", ondelete="SET NULL", use_alter=True),
        index=True,
    )
    locked: Mapped[bool | None] = mapped_column(Boolean, default=False)
    canceled: Mapped[bool | None] = mapped_column(Boolean, default=False)


class ProductionScheduleVersionTaskLink(Base):
    __tablename__ = "production_schedule_version_task_link"
    __table_args__ = (UniqueConstraint("production_schedule_version_id", "task_id"),)

    production_schedule_version_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False),
        ForeignKey("production_schedule_version.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    task_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("task.id", ondelete="CASCADE"), nullable=False, index=True
    )
    start_date: Mapped[datetime | None] = mapped_column(DateTime)
    due_date: Mapped[datetime | None] = mapped_column(DateTime)
    estimation: Mapped[float | None] = mapped_column(Float, default=0)


class ProductionScheduleVersionTaskLinkPersonLink(LinkBase):
    __tablename__ = "production_schedule_version_task_link_person_link"

    production_schedule_version_task_link_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False),
        ForeignKey("production_schedule_version_task_link.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )
    person_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Budget(Base):
    __tablename__ = "budget"

    project_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    currency: Mapped[str | None] = mapped_column(String(3))


class BudgetEntry(Base):
    __tablename__ = "budget_entry"

    budget_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("budget.id"), nullable=False, index=True)
    department_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("department.id"), nullable=False, index=True
    )
    person_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    months_duration: Mapped[int] = mapped_column(Integer, nullable=False)
    daily_salary: Mapped[float] = mapped_column(Float, nullable=False)
    position: Mapped[str | None] = mapped_column(String(255), default="artist")
    seniority: Mapped[str | None] = mapped_column(String(255), default="mid")
    exceptions: Mapped[Any | None] = mapped_column(JSONB)
