"""Declarative base shared by every table.

Ids are UUIDs decoded straight to text (`as_uuid=False`): the API speaks strings,
and skipping uuid.UUID objects saves work on every row of a large list.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    """Naive UTC timestamp, as Zou stores them."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_id() -> str:
    return str(uuid.uuid4())


class LinkBase(DeclarativeBase):
    """Base for every table; association tables use it directly (no id, no timestamps)."""

    metadata = MetaData(naming_convention=NAMING)


class Base(LinkBase):
    """Tables with Zou's `id`, `created_at` and `updated_at` columns."""

    __abstract__ = True

    id: Mapped[str] = mapped_column(Uuid(as_uuid=False), primary_key=True, default=new_id)
    created_at: Mapped[datetime | None] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, default=utc_now, onupdate=utc_now)
