"""Bodies of the auth routes (unknown fields are ignored, as in Zou)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

NonEmpty = Annotated[str, Field(min_length=1)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TwoFactorProof(_Body):
    """One proof of a second factor; the first one present that the person has enabled is checked."""

    totp: str | None = None
    email_otp: str | None = None
    fido_authentication_response: dict[str, Any] | None = None
    recovery_code: str | None = None


class LoginBody(TwoFactorProof):
    email: NonEmpty
    password: str = "default"


class ChangePasswordBody(_Body):
    old_password: NonEmpty
    password: NonEmpty
    password_2: NonEmpty


class ResetPasswordRequestBody(_Body):
    email: NonEmpty


class ResetPasswordBody(_Body):
    email: NonEmpty
    token: NonEmpty
    password: NonEmpty
    password2: NonEmpty


class TotpBody(_Body):
    totp: NonEmpty
