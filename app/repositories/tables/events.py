"""The persisted event log and import errors."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Boolean, Date, DateTime, Enum, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.tables.base import Base, LinkBase


class ApiEvent(Base):
    __tablename__ = "api_event"

    name: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    user_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), index=True)
    data: Mapped[Any | None] = mapped_column(JSONB)

class DataImportError(Base):
    __tablename__ = "data_import_error"

    event_data: Mapped[Any] = mapped_column(JSONB, nullable=False)
    source: Mapped[str | None] = mapped_column(Enum('csv', 'shotgun', name='import_source_enum'))
