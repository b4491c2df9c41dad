"""Bodies of the auth routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: str
    password: str
    totp: str | None = None
    email_otp: str | None = None
    fido_authentication_response: dict | None = None
    recovery_code: str | None = None


class ChangePasswordBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    old_password: str
    password: str
    password_2: str
