"""Authentication: tokens to callers, login, logout, refresh."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import Unauthorized
from app.core.security import decode_token, encode_token
from app.domain.permissions import Caller
from app.domain.persons import present_person
from app.repositories.persons import PersonRepository
from app.repositories.tokens import TokenRepository

MISSING_TOKEN = "Missing JWT in cookies or headers."


def _expiry(claims: dict[str, Any]) -> datetime | None:
    exp = claims.get("exp")
    if exp is None:
        return None
    if isinstance(exp, datetime):
        return exp.astimezone(timezone.utc).replace(tzinfo=None)
    return datetime.fromtimestamp(exp, timezone.utc).replace(tzinfo=None)


async def authenticate(
    session: AsyncSession, settings: Settings, token: str | None, token_type: str = "access"
) -> Caller:
    """Check a JWT and return its caller; any failure is a 401."""
    if not token:
        raise Unauthorized(MISSING_TOKEN)
    try:
        claims = decode_token(settings, token)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("Token has expired") from None
    except jwt.PyJWTError:
        raise Unauthorized("Invalid token.") from None
    if claims.get("type") != token_type:
        raise Unauthorized(f"Only {token_type} tokens are allowed")
    found = await PersonRepository(session).for_token(str(claims["sub"]), str(claims["jti"]))
    if found is None:
        raise Unauthorized("User not found.")
    row, revoked = found
    if revoked:
        raise Unauthorized("Token has been revoked")
    if claims.get("identity_type") == "bot" and row.get("jti") != claims["jti"]:
        raise Unauthorized("Token has been revoked")
    if not row.get("active"):
        raise Unauthorized("User is inactive.")
    return Caller(
        id=row["id"],
        role=row["role"],
        is_bot=bool(row.get("is_bot")),
        person=present_person(row),
        department_ids=list(row.get("department_ids") or []),
        jti=str(claims["jti"]),
    )


def issue_tokens(settings: Settings, person_id: str) -> tuple[str, str]:
    """A fresh access/refresh pair; the access token remembers its refresh token's jti."""
    refresh, refresh_claims = encode_token(
        settings, person_id, "refresh", expires=timedelta(days=settings.refresh_token_days)
    )
    access, _ = encode_token(
        settings,
        person_id,
        "access",
        expires=timedelta(days=settings.access_token_days),
        extra={"refresh_jti": refresh_claims["jti"]},
    )
    return access, refresh


async def revoke(session: AsyncSession, settings: Settings, token: str | None) -> None:
    """Revoke a token (and its paired refresh token); unreadable tokens are ignored."""
    if not token:
        return
    try:
        claims = decode_token(settings, token)
    except jwt.PyJWTError:
        return
    tokens = TokenRepository(session)
    await tokens.revoke(str(claims["jti"]), _expiry(claims))
    if claims.get("refresh_jti"):
        access_expiry = _expiry(claims)
        refresh_expiry = access_expiry + timedelta(days=settings.refresh_token_days) if access_expiry else None
        await tokens.revoke(str(claims["refresh_jti"]), refresh_expiry)


WRONG_CREDENTIALS = "Wrong email or password."


class LoginFailed(Exception):
    """Login refused; carries Zou's `{"login": false, ...}` body."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.body = {"login": False, "message": message, **extra}


async def organisation(session: AsyncSession, caller_is_admin: bool) -> dict[str, Any]:
    from app.domain.catalog_hooks import ORGANISATION_PRIVATE
    from app.repositories.organisations import OrganisationRepository

    row = await OrganisationRepository(session).get_or_create()
    row["type"] = "Organisation"
    if not caller_is_admin:
        row = {k: v for k, v in row.items() if k not in ORGANISATION_PRIVATE}
    return row


async def login(
    session: AsyncSession,
    settings: Settings,
    email: str,
    password: str,
    ip_address: str | None,
    origin: str = "web",
    check_second_factor=None,
) -> dict[str, Any]:
    """Check credentials and return the login answer with a new token pair."""
    from app.core.security import verify_password
    from app.repositories.tables.base import new_id, utc_now

    repo = PersonRepository(session)
    row = await repo.by_email(email or "")
    if row is None or not row.get("active"):
        raise LoginFailed(WRONG_CREDENTIALS)
    now = utc_now()
    failures = row.get("login_failed_attemps") or 0
    last_failed = row.get("last_login_failed")
    locked = (
        failures >= settings.login_max_failed_attempts
        and last_failed is not None
        and now - last_failed < timedelta(minutes=settings.login_lockout_minutes)
    )
    if locked:
        raise LoginFailed("Too many failed login attempts, please wait before retrying.", too_many_failed_login_attemps=True)
    if not await verify_password(password or "", row.get("password")):
        await repo.set_fields(row["id"], login_failed_attemps=failures + 1, last_login_failed=now)
        raise LoginFailed(WRONG_CREDENTIALS)
    if check_second_factor is not None:
        await check_second_factor(row)
    if failures:
        await repo.set_fields(row["id"], login_failed_attemps=0, last_login_failed=None)
    await repo.add_login_log(
        {"id": new_id(), "person_id": row["id"], "ip_address": ip_address, "origin": origin,
         "created_at": now, "updated_at": now}
    )
    access, refresh = issue_tokens(settings, row["id"])
    return {
        "user": present_person(row),
        "organisation": await organisation(session, row["role"] == "admin"),
        "login": True,
        "access_token": access,
        "refresh_token": refresh,
    }


def refresh_access(settings: Settings, caller: Caller) -> str:
    access, _ = encode_token(
        settings,
        caller.id,
        "access",
        expires=timedelta(days=settings.access_token_days),
        extra={"refresh_jti": caller.jti},
    )
    return access


def second_factor_checker(session: AsyncSession, body: Any):
    """Returns the check run after the password for persons with two-factor authentication."""

    async def check(row: dict[str, Any]) -> None:
        from app.domain import two_factor

        await two_factor.check_login(session, row, body)

    return check
