"""Tsubame's own auth bookkeeping (Zou keeps these in Redis)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.tables.base import LinkBase


class RevokedToken(LinkBase):
    """A JWT id that may no longer be used (logout, refresh rotation, password change)."""

    __tablename__ = "revoked_token"

    jti: Mapped[str] = mapped_column(String(60), primary_key=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)


class PasswordResetToken(LinkBase):
    """A one-time password reset token, stored as its SHA-256 digest."""

    __tablename__ = "password_reset_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("person.id", ondelete="CASCADE"), index=True, nullable=False
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
