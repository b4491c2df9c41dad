"""The persisted event log and import errors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Enum,
    ForeignKey,
    String,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.tables.base import Base


class ApiEvent(Base):
    __tablename__ = "api_event"

    name: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    user_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), index=True)
    data: Mapped[Any | None] = mapped_column(JSONB)


class DataImportError(Base):
    __tablename__ = "data_import_error"

    event_data: Mapped[Any] = mapped_column(JSONB, nullable=False)
    source: Mapped[str | None] = mapped_column(Enum("csv", "shotgun", name="import_source_enum"))
