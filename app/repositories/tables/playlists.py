"""Playlists, their build jobs and share links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.tables.base import Base


class Playlist(Base):
    __tablename__ = "playlist"
    __table_args__ = (UniqueConstraint("name", "project_id", "episode_id"),)

    name: Mapped[str] = mapped_column(String(80), nullable=False)
    shots: Mapped[Any | None] = mapped_column(JSONB)
    project_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), index=True)
    episode_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    task_type_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)
    for_client: Mapped[bool | None] = mapped_column(Boolean, default=False, index=True)
    for_entity: Mapped[str | None] = mapped_column(String(10), default="shot", index=True)
    is_for_all: Mapped[bool | None] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)


class BuildJob(Base):
    __tablename__ = "build_job"

    status: Mapped[str] = mapped_column(String(255), nullable=False, default="running")
    job_type: Mapped[str] = mapped_column(String(255), nullable=False, default="movie")
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    message: Mapped[str | None] = mapped_column(Text)
    playlist_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("playlist.id"), nullable=False, index=True)


class PlaylistShareLink(Base):
    __tablename__ = "playlist_share_link"

    token: Mapped[str] = mapped_column(String(64), nullable=False, index=True, unique=True)
    playlist_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("playlist.id"), nullable=False, index=True)
    created_by: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), nullable=False, index=True)
    expiration_date: Mapped[datetime | None] = mapped_column(DateTime)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    can_comment: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    password: Mapped[str | None] = mapped_column(String(255))
