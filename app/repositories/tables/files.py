"""Preview, working, output and attachment files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
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

from app.repositories.tables.base import Base


class PreviewFile(Base):
    __tablename__ = "preview_file"
    __table_args__ = (UniqueConstraint("name", "task_id", "revision"),)

    name: Mapped[str | None] = mapped_column(String(250))
    original_name: Mapped[str | None] = mapped_column(String(250))
    revision: Mapped[int | None] = mapped_column(Integer, default=1)
    position: Mapped[int | None] = mapped_column(Integer, default=1)
    extension: Mapped[str | None] = mapped_column(String(6))
    description: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(String(400))
    source: Mapped[str | None] = mapped_column(String(40))
    file_size: Mapped[int | None] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(255), nullable=False, default="processing")
    validation_status: Mapped[str] = mapped_column(String(255), nullable=False, default="neutral")
    annotations: Mapped[Any | None] = mapped_column(JSONB)
    width: Mapped[int | None] = mapped_column(Integer, default=0)
    height: Mapped[int | None] = mapped_column(Integer, default=0)
    duration: Mapped[float | None] = mapped_column(Float, default=0)
    data: Mapped[Any | None] = mapped_column(JSONB)
    token_in: Mapped[int | None] = mapped_column(Integer)
    token_out: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)
    source_file_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("output_file.id"), index=True)
    shotgun_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    is_movie: Mapped[bool | None] = mapped_column(Boolean, default=False)
    url: Mapped[str | None] = mapped_column(String(600))
    uploaded_movie_url: Mapped[str | None] = mapped_column(String(600))
    uploaded_movie_name: Mapped[str | None] = mapped_column(String(150))


class PreviewFileStorageState(Base):
    __tablename__ = "preview_file_storage_state"
    __table_args__ = (UniqueConstraint("preview_file_id", "bucket", "prefix"),)

    preview_file_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("preview_file.id", ondelete="CASCADE"), nullable=False, index=True
    )
    bucket: Mapped[str] = mapped_column(String(20), nullable=False)
    prefix: Mapped[str] = mapped_column(String(40), nullable=False)
    state: Mapped[str] = mapped_column(String(255), nullable=False)


class WorkingFile(Base):
    __tablename__ = "working_file"
    __table_args__ = (UniqueConstraint("name", "task_id", "entity_id", "revision"),)

    shotgun_id: Mapped[int | None] = mapped_column(Integer, index=True)
    name: Mapped[str | None] = mapped_column(String(250))
    description: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int | None] = mapped_column(Integer)
    checksum: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(String(400))
    data: Mapped[Any | None] = mapped_column(JSONB)
    validation_status: Mapped[str] = mapped_column(String(255), nullable=False, default="neutral")
    task_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task.id"), index=True)
    entity_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)
    software_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("software.id"), index=True)


class OutputFile(Base):
    __tablename__ = "output_file"
    __table_args__ = (
        UniqueConstraint(
            "name",
            "entity_id",
            "asset_instance_id",
            "output_type_id",
            "task_type_id",
            "temporal_entity_id",
            "representation",
            "revision",
        ),
    )

    shotgun_id: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(250), nullable=False)
    canceled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    size: Mapped[int | None] = mapped_column(Integer)
    checksum: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    extension: Mapped[str | None] = mapped_column(String(10))
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    representation: Mapped[str | None] = mapped_column(String(20), index=True)
    nb_elements: Mapped[int | None] = mapped_column(Integer, default=1)
    source: Mapped[str | None] = mapped_column(String(40))
    path: Mapped[str | None] = mapped_column(String(400))
    data: Mapped[Any | None] = mapped_column(JSONB)
    quality: Mapped[str | None] = mapped_column(String(255))
    file_status_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("file_status.id"), nullable=False, index=True
    )
    entity_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    asset_instance_id: Mapped[str | None] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("asset_instance.id"), index=True
    )
    output_type_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("output_type.id"), index=True)
    task_type_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)
    source_file_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("working_file.id"), index=True)
    temporal_entity_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)


class AttachmentFile(Base):
    __tablename__ = "attachment_file"

    name: Mapped[str | None] = mapped_column(String(250))
    size: Mapped[int | None] = mapped_column(BigInteger, default=1)
    extension: Mapped[str | None] = mapped_column(String(6))
    mimetype: Mapped[str | None] = mapped_column(String(255))
    comment_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("comment.id"), index=True)
    reply_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False))
    chat_message_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("chat_message.id"), index=True)


class StoredFile(Base):
    __tablename__ = "stored_file"
    __table_args__ = (UniqueConstraint("bucket", "key"),)

    bucket: Mapped[str] = mapped_column(String(20), nullable=False)
    key: Mapped[str] = mapped_column(String(255), nullable=False)
    prefix: Mapped[str] = mapped_column(String(40), nullable=False)
    file_id: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    purge_forced: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    purged_at: Mapped[datetime | None] = mapped_column(DateTime)
    purge_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    journal: Mapped[Any] = mapped_column(JSONB, nullable=False, server_default=text("'[]'::jsonb"))
