"""Authentication: tokens to callers, login, logout, refresh, passwords.

Zou keeps revoked token ids and reset tokens in Redis; Tsubame keeps them in PostgreSQL
(`revoked_token`, `password_reset_token`), checked in the same round trip as the caller's row.
Besides revoked jtis, `revoked_token` holds two kinds of marker rows:
- `all:<person id>`: every login token of that person issued before a password change or reset is
  dead. The row's `expires_at` is the change instant plus the longest token lifetime (so the row
  may be purged once every older token has expired); the cut-off is derived back from it.
- `totp:<person id>:<time step>`: a TOTP code already used, so it cannot be replayed.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import string
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import DomainError, PermissionDenied, Unauthorized
from app.core.mail import Mail, mail_enabled
from app.core.security import decode_token, encode_token, hash_password, verify_password
from app.domain import two_factor
from app.domain.permissions import Caller
from app.domain.persons import full_name, present_person
from app.domain.two_factor import AuthError
from app.repositories.persons import PersonRepository
from app.repositories.tables.base import new_id, utc_now
from app.repositories.tokens import TokenRepository

__all__ = ["AuthError", "LoginFailed", "authenticate", "issue_tokens", "login"]

MISSING_TOKEN = "Missing JWT in cookies or headers."
REVOKED = "Token has been revoked"
NOT_AUTHORIZED = "The server could not verify that you are authorized to access the URL requested."
MIN_PASSWORD_LENGTH = 8
RESET_TOKEN_LENGTH = 64
RESET_ALPHABET = string.ascii_uppercase + string.digits
PERSON, PERSON_API, BOT = "person", "person_api", "bot"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# --- Token errors (Zou's shapes) ----------------------------------------------------------------


class TokenInvalid(DomainError):
    """A token that cannot be decoded or is of the wrong kind (flask-jwt-extended answers 422)."""

    status_code = 422

    def body(self) -> dict:
        return {"msg": self.message}


class TokenExpired(DomainError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("Signature has expired")

    def body(self) -> dict:
        return {"error": True, "message": self.message}


class NotAuthenticated(DomainError):
    """The token is fine but its person is gone, inactive or a closed preview account."""

    status_code = 401

    def __init__(self) -> None:
        super().__init__(NOT_AUTHORIZED)

    def body(self) -> dict:
        return {"error": True, "message": self.message}


# --- Tokens -------------------------------------------------------------------------------------


def _token_lifetime(settings: Settings) -> timedelta:
    return timedelta(days=max(settings.access_token_days, settings.refresh_token_days))


def _all_tokens_key(person_id: str) -> str:
    return f"all:{person_id}"


def _epoch(value: datetime) -> int:
    return int(value.replace(tzinfo=UTC).timestamp())


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def _decode(settings: Settings, token: str) -> dict[str, Any]:
    try:
        return decode_token(settings, token)
    except jwt.ExpiredSignatureError:
        raise TokenExpired() from None
    except jwt.MissingRequiredClaimError as exc:
        if exc.claim == "jti":  # Zou treats a token without jti as revoked
            raise Unauthorized(REVOKED) from None
        raise TokenInvalid(f"Missing claim: {exc.claim}") from None
    except jwt.PyJWTError as exc:
        raise TokenInvalid(str(exc) or "Invalid token.") from None


def preview_session_valid(row: dict[str, Any], issued_at: int | None) -> bool:
    """A preview account works only while its window is open, with tokens issued after it opened."""
    open_until = row.get("preview_open_until")
    if open_until is None or open_until < utc_now():
        return False
    opened_at = row.get("preview_opened_at")
    return not (issued_at is not None and opened_at is not None and issued_at < _epoch(opened_at))


async def authenticate(
    session: AsyncSession,
    settings: Settings,
    token: str | None,
    token_type: str = "access",
    *,
    missing: str = MISSING_TOKEN,
    method: str = "GET",
) -> Caller:
    """Check a JWT (signature, expiry, kind, revocation, person) and return its caller."""
    if not token:
        raise Unauthorized(missing)
    claims = _decode(settings, token)
    kind = claims.get("type", "access")
    if token_type == "refresh" and kind != "refresh":
        raise TokenInvalid("Only refresh tokens are allowed")
    if token_type != "refresh" and kind == "refresh":
        raise TokenInvalid("Only non-refresh tokens are allowed")
    person_id, jti = str(claims["sub"]), str(claims["jti"])
    identity = claims.get("identity_type")
    state = (
        await PersonRepository(session).token_state(person_id, jti, _all_tokens_key(person_id))
        if _is_uuid(person_id)
        else None
    )
    issued_at = claims.get("iat")
    if identity == PERSON:
        revoked = state is not None and bool(state["revoked"])
        until = state and state["all_revoked_until"]
        if until is not None and (issued_at or 0) < _epoch(until - _token_lifetime(settings)):
            revoked = True
    elif identity in (BOT, PERSON_API):
        # long-lived tokens: only the last one issued, whose jti the person row keeps, is valid
        revoked = state is None or state.get("jti") != jti
    else:
        revoked = True
    if revoked:
        raise Unauthorized(REVOKED)
    if state is None or not state.get("active"):
        raise NotAuthenticated()
    if state.get("preview_project_id") is not None:
        if not preview_session_valid(state, issued_at):
            raise NotAuthenticated()
        if method.upper() not in READ_METHODS:
            raise PermissionDenied()
    return Caller(
        id=state["id"],
        role=state["role"],
        is_bot=bool(state.get("is_bot")),
        person=present_person({k: v for k, v in state.items() if k not in ("revoked", "all_revoked_until")}),
        department_ids=list(state.get("department_ids") or []),
        jti=jti,
        identity_type=identity,
        refresh_jti=claims.get("refresh_jti"),
    )


def require_person(caller: Caller) -> Caller:
    """Routes about one's own login (logout, password, 2FA): bots may not use them."""
    if caller.identity_type not in (PERSON, PERSON_API):
        raise PermissionDenied()
    return caller


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


def refresh_access(settings: Settings, caller: Caller) -> str:
    """A new access token for the refresh token `caller` came with (the refresh token is kept)."""
    access, _ = encode_token(
        settings,
        caller.id,
        "access",
        expires=timedelta(days=settings.access_token_days),
        extra={"refresh_jti": caller.jti},
    )
    return access


async def logout(session: AsyncSession, settings: Settings, caller: Caller) -> None:
    """Revoke the caller's access token and its refresh token. An API token (person_api) is not
    revoked by a logout, as in Zou: it lives as long as the person's jti."""
    if caller.identity_type != PERSON:
        return
    tokens = TokenRepository(session)
    until = utc_now() + _token_lifetime(settings)
    if caller.jti:
        await tokens.revoke(caller.jti, until)
    if caller.refresh_jti:
        await tokens.revoke(caller.refresh_jti, until)


async def revoke_all_tokens(session: AsyncSession, settings: Settings, person_id: str) -> None:
    """Kill every login token (access and refresh) issued to the person before now. API and bot
    tokens are untouched (they follow person.jti)."""
    now = utc_now().replace(microsecond=0)
    await TokenRepository(session).set_marker(_all_tokens_key(person_id), now + _token_lifetime(settings))


# --- Login --------------------------------------------------------------------------------------

WRONG_CREDENTIALS = "Wrong email or password."


class LoginFailed(Exception):
    """Login refused; carries Zou's `{"login": false, ...}` body and status."""

    def __init__(self, body: dict[str, Any], status_code: int = 400) -> None:
        super().__init__(body.get("message", "login failed"))
        self.body = body
        self.status_code = status_code


def _wrong_credentials() -> LoginFailed:
    return LoginFailed({"login": False, "message": WRONG_CREDENTIALS})


def _inactive() -> LoginFailed:
    return LoginFailed(
        {"error": True, "login": False, "unactive": True, "message": "User is unactive, he cannot log in."}, 401
    )


def _too_many() -> LoginFailed:
    return LoginFailed(
        {
            "error": True,
            "login": False,
            "too_many_failed_login_attemps": True,
            "message": "Too many failed login attempts, retry in a minute.",
        }
    )


_dummy_hash: bytes | None = None


async def _check_password(settings: Settings, password: str, hashed: bytes | None) -> bool:
    """bcrypt check that takes as long when there is no hash to check against."""
    global _dummy_hash
    if not hashed:
        if _dummy_hash is None:
            _dummy_hash = await hash_password("dummy-password", settings.bcrypt_rounds)
        await verify_password(password, _dummy_hash)
        return False
    return await verify_password(password, hashed)


async def _check_lockout(repo: PersonRepository, settings: Settings, row: dict[str, Any]) -> int:
    """The failure count to go on from; raises TOO_MANY while the account is locked."""
    failures = row.get("login_failed_attemps") or 0
    if failures < settings.login_max_failed_attempts:
        return failures
    last_failed = row.get("last_login_failed")
    if last_failed is not None and last_failed + timedelta(minutes=settings.login_lockout_minutes) > utc_now():
        raise _too_many()
    # the lockout is over: a new burst starts from zero
    await repo.set_fields(row["id"], login_failed_attemps=0)
    return 0


async def organisation(session: AsyncSession, caller_is_admin: bool) -> dict[str, Any]:
    from app.domain.catalog_hooks import ORGANISATION_PRIVATE
    from app.repositories.organisations import OrganisationRepository

    row = await OrganisationRepository(session).get_or_create()
    row["type"] = "Organisation"
    if not caller_is_admin:
        row = {k: v for k, v in row.items() if k not in ORGANISATION_PRIVATE}
    return row


def client_ip(real_ip_header: str | None, remote: str | None) -> str | None:
    """`X-Real-IP` (set by the reverse proxy) when it is an IP address, else the peer address."""
    if real_ip_header:
        try:
            return str(ipaddress.ip_address(real_ip_header.strip()))
        except ValueError:
            pass
    return remote


async def login(
    session: AsyncSession,
    settings: Settings,
    body: Any,
    ip_address: str | None,
    origin: str = "script",
) -> dict[str, Any]:
    """Check credentials (and the second factor) and return the login answer with a token pair.

    Raises LoginFailed; the caller must still commit the transaction, which holds the
    failed-attempt count."""
    repo = PersonRepository(session)
    password = body.password
    row = await repo.for_login(body.email)
    if row is None:
        await _check_password(settings, password, None)
        raise _wrong_credentials()
    failures = await _check_lockout(repo, settings, row)
    if not await _check_password(settings, password, row.get("password")):
        await repo.count_failed_login(row["id"], utc_now())
        raise _wrong_credentials()
    if not row.get("active"):
        raise _inactive()
    if row.get("preview_project_id") is not None and not preview_session_valid(row, None):
        raise _inactive()
    if two_factor.any_enabled(row):
        passed = await two_factor.verify(session, row, body)
        if passed is None:
            raise LoginFailed(
                {
                    "error": True,
                    "login": False,
                    "missing_OTP": True,
                    "message": "A two-factor authentication code is required.",
                    "preferred_two_factor_authentication": row.get("preferred_two_factor_authentication"),
                    "two_factor_authentication_enabled": two_factor.enabled_methods(row),
                }
            )
        if not passed:
            await repo.count_failed_login(row["id"], utc_now())
            raise LoginFailed(
                {"error": True, "login": False, "wrong_OTP": True, "message": "Wrong two-factor authentication code."}
            )
    if failures:
        await repo.set_fields(row["id"], login_failed_attemps=0)
    if password == "default":
        # An account created with the default password must choose one: hand out a reset token.
        token = await _create_reset_token(session, settings, row["id"])
        raise LoginFailed({"login": False, "default_password": True, "token": token})
    now = utc_now()
    await repo.add_login_log(
        {
            "id": new_id(),
            "person_id": row["id"],
            "ip_address": ip_address,
            "origin": origin,
            "created_at": now,
            "updated_at": now,
        }
    )
    access, refresh = issue_tokens(settings, row["id"])
    return {
        "user": present_person(row),
        "organisation": await organisation(session, row["role"] == "admin"),
        "login": True,
        "access_token": access,
        "refresh_token": refresh,
    }


# --- Passwords ----------------------------------------------------------------------------------


def _check_new_password(password: str, confirmation: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError("Password is too short.")
    if password != confirmation:
        raise AuthError("Confirmation password doesn't match.")


def password_changed_mail(row: dict[str, Any]) -> Mail | None:
    if not row.get("email"):
        return None
    return Mail(
        to=row["email"],
        subject="Your Kitsu password has been changed",
        text=f"Hello {full_name(row)},\n\nThe password of your account was just changed.\n"
        "If you did not do it, ask your studio administrator to reset it now.\n",
    )


async def change_password(
    session: AsyncSession, settings: Settings, caller: Caller, old_password: str, password: str, confirmation: str
) -> tuple[tuple[str, str] | None, Mail | None]:
    """Change the caller's password, checking the old one like a login (lockout included).

    Every earlier login session of the person is revoked; the caller gets a new token pair
    (None for API tokens, which stay valid). Raises AuthError; the caller must still commit
    (a wrong old password counts as a failed login)."""
    repo = PersonRepository(session)
    row = await repo.lock_by_id(caller.id)
    if row is None:
        raise NotAuthenticated()
    try:
        await _check_lockout(repo, settings, row)
    except LoginFailed:
        raise AuthError("Too many failed login attempts.", too_many_failed_login_attemps=True) from None
    if not await _check_password(settings, old_password, row.get("password")):
        await repo.count_failed_login(row["id"], utc_now())
        raise AuthError("Old password is wrong.")
    if not row.get("active"):
        raise AuthError("User is unactive.")
    _check_new_password(password, confirmation)
    hashed = await hash_password(password, settings.bcrypt_rounds)
    await repo.set_fields(row["id"], password=hashed, login_failed_attemps=0)
    await revoke_all_tokens(session, settings, row["id"])
    tokens = issue_tokens(settings, row["id"]) if caller.identity_type == PERSON else None
    return tokens, password_changed_mail(row)


def _reset_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _create_reset_token(
    session: AsyncSession, settings: Settings, person_id: str, lifetime: timedelta | None = None
) -> str:
    """A new one-time token replacing the person's earlier one; `lifetime` defaults to the settings'."""
    token = "".join(secrets.choice(RESET_ALPHABET) for _ in range(RESET_TOKEN_LENGTH))
    expires = utc_now() + (lifetime or timedelta(minutes=settings.reset_token_minutes))
    await TokenRepository(session).add_reset(_reset_hash(token), person_id, expires)
    return token


create_reset_token = _create_reset_token


def reset_link(settings: Settings, email: str, token: str, token_type: str | None = None) -> str:
    params = {"email": email, "token": token}
    if token_type is not None:  # "new": an invitation, the person sets a first password
        params["type"] = token_type
    query = urlencode(params)
    return f"{settings.domain_protocol}://{settings.domain_name}/reset-change-password?{query}"


async def request_password_reset(session: AsyncSession, settings: Settings, email: str) -> Mail | None:
    """Make a one-time reset token for an active person and return the mail carrying its link.
    Nothing tells the caller whether the address exists."""
    row = await PersonRepository(session).by_email(email)
    if row is None or not row.get("active"):
        return None
    token = await _create_reset_token(session, settings, row["id"])
    if not mail_enabled(settings):
        return None
    minutes = settings.reset_token_minutes
    return Mail(
        to=row["email"],
        subject="Kitsu password reset",
        text=f"Hello {full_name(row)},\n\nSomeone asked to reset the password of your account.\n"
        f"To choose a new password, open this link within {minutes} minutes:\n\n"
        f"{reset_link(settings, email, token)}\n\nIf you did not ask for it, ignore this message.\n",
    )


WRONG_RESET_TOKEN = "Wrong or expired token."


async def reset_password(
    session: AsyncSession, settings: Settings, email: str, token: str, password: str, confirmation: str
) -> None:
    """Set a new password with a reset token; the token is used up only on success."""
    tokens = TokenRepository(session)
    repo = PersonRepository(session)
    found = await tokens.find_reset(_reset_hash(token))
    if found is None or found[1] < utc_now():
        raise AuthError(WRONG_RESET_TOKEN)
    row = await repo.lock_by_id(found[0])
    login = email.lower()
    if row is None or login not in ((row.get("email") or "").lower(), (row.get("desktop_login") or "").lower()):
        raise AuthError(WRONG_RESET_TOKEN)
    _check_new_password(password, confirmation)
    if await tokens.take_reset(_reset_hash(token)) is None:  # used meanwhile by another request
        raise AuthError(WRONG_RESET_TOKEN)
    hashed = await hash_password(password, settings.bcrypt_rounds)
    # proving the mailbox ends a lockout, and whoever had the old password loses its sessions
    await repo.set_fields(row["id"], password=hashed, login_failed_attemps=0, last_login_failed=None)
    await revoke_all_tokens(session, settings, row["id"])
