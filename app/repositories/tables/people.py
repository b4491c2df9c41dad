"""People, departments, studios and the organisation."""

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
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.tables.base import Base, LinkBase


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("saml_issuer", "saml_subject"),
        UniqueConstraint("oidc_issuer", "oidc_subject"),
    )

    first_name: Mapped[str] = mapped_column(String(80), nullable=False)
    last_name: Mapped[str] = mapped_column(String(80), nullable=False)
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(30))
    country: Mapped[str | None] = mapped_column(String(2))
    contract_type: Mapped[str] = mapped_column(String(255), nullable=False, default="open-ended")
    active: Mapped[bool | None] = mapped_column(Boolean, default=True)
    archived: Mapped[bool | None] = mapped_column(Boolean, default=False)
    last_presence: Mapped[date | None] = mapped_column(Date)
    password: Mapped[bytes | None] = mapped_column(LargeBinary)
    desktop_login: Mapped[str | None] = mapped_column(String(80))
    login_failed_attemps: Mapped[int | None] = mapped_column(Integer, default=0)
    last_login_failed: Mapped[datetime | None] = mapped_column(DateTime)
    totp_enabled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    email_otp_enabled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    email_otp_secret: Mapped[str | None] = mapped_column(String(32))
    fido_enabled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    fido_credentials: Mapped[list[Any] | None] = mapped_column(ARRAY(JSONB))
    otp_recovery_codes: Mapped[list[bytes] | None] = mapped_column(ARRAY(LargeBinary))
    preferred_two_factor_authentication: Mapped[str | None] = mapped_column(String(255))
    shotgun_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    timezone: Mapped[str | None] = mapped_column(String(50))
    locale: Mapped[str | None] = mapped_column(String(10))
    use_12_hour_clock: Mapped[bool | None] = mapped_column(Boolean, default=False)
    display_date_format: Mapped[str | None] = mapped_column(String(20), default="YYYY-MM-DD")
    data: Mapped[Any | None] = mapped_column(JSONB)
    role: Mapped[str] = mapped_column(String(255), nullable=False, default="user")
    position: Mapped[str | None] = mapped_column(String(255), default="artist")
    seniority: Mapped[str | None] = mapped_column(String(255), default="mid")
    daily_salary: Mapped[int | None] = mapped_column(Integer, default=0)
    has_avatar: Mapped[bool | None] = mapped_column(Boolean, default=False)
    notifications_enabled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    notifications_slack_enabled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    notifications_slack_userid: Mapped[str | None] = mapped_column(String(60), default="")
    notifications_mattermost_enabled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    notifications_mattermost_userid: Mapped[str | None] = mapped_column(String(60), default="")
    notifications_discord_enabled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    notifications_discord_userid: Mapped[str | None] = mapped_column(String(60), default="")
    is_bot: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_guest: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    preview_project_id: Mapped[str | None] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("project.id"), index=True, unique=True
    )
    preview_opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    preview_open_until: Mapped[datetime | None] = mapped_column(DateTime)
    jti: Mapped[str | None] = mapped_column(String(60), unique=True)
    expiration_date: Mapped[date | None] = mapped_column(Date)
    is_generated_from_ldap: Mapped[bool | None] = mapped_column(Boolean, default=False)
    ldap_uid: Mapped[str | None] = mapped_column(String(60), unique=True)
    oidc_issuer: Mapped[str | None] = mapped_column(Text)
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    saml_issuer: Mapped[str | None] = mapped_column(Text)
    saml_subject: Mapped[str | None] = mapped_column(String(255))
    studio_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("studio.id"), index=True)


class Department(Base):
    __tablename__ = "department"

    name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    color: Mapped[str] = mapped_column(String(7), nullable=False)
    archived: Mapped[bool | None] = mapped_column(Boolean, default=False)


class DepartmentLink(LinkBase):
    __tablename__ = "department_link"

    person_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), primary_key=True, index=True)
    department_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("department.id"), primary_key=True, index=True
    )


class Studio(Base):
    __tablename__ = "studio"

    name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    color: Mapped[str] = mapped_column(String(7), nullable=False)
    archived: Mapped[bool | None] = mapped_column(Boolean, default=False)


class Organisation(Base):
    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    hours_by_day: Mapped[float] = mapped_column(Float, nullable=False, default=8)
    has_avatar: Mapped[bool | None] = mapped_column(Boolean, default=False)
    use_original_file_name: Mapped[bool | None] = mapped_column(Boolean, default=False)
    timesheets_locked: Mapped[bool | None] = mapped_column(Boolean, default=False)
    format_duration_in_hours: Mapped[bool | None] = mapped_column(Boolean, default=False)
    hd_by_default: Mapped[bool | None] = mapped_column(Boolean, default=False)
    chat_token_slack: Mapped[str | None] = mapped_column(String(80), default="")
    chat_webhook_mattermost: Mapped[str | None] = mapped_column(String(80), default="")
    chat_token_discord: Mapped[str | None] = mapped_column(String(80), default="")
    dark_theme_by_default: Mapped[bool | None] = mapped_column(Boolean, default=False)


class LoginLog(Base):
    __tablename__ = "login_log"

    person_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), nullable=False, index=True)
    ip_address: Mapped[str | None] = mapped_column(String(50))
    origin: Mapped[str | None] = mapped_column(String(255))


class DesktopLoginLog(Base):
    __tablename__ = "desktop_login_log"

    person_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), nullable=False, index=True)
    date: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class SalaryScale(Base):
    __tablename__ = "salary_scale"

    department_id: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("department.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[str | None] = mapped_column(String(255), default="artist")
    seniority: Mapped[str | None] = mapped_column(String(255), default="mid")
    salary: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
