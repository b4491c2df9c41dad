"""Passwords (bcrypt, off the event loop) and JWTs (PyJWT)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import bcrypt
import jwt
from anyio import to_thread

from app.core.config import Settings

ALGORITHM = "HS256"


def _hash(password: str, rounds: int) -> bytes:
    return bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(rounds))


def _check(password: str, hashed: bytes | None) -> bool:
    if not hashed:
        return False
    try:
        return bcrypt.checkpw(password.encode()[:72], bytes(hashed))
    except ValueError:
        return False


async def hash_password(password: str, rounds: int = 12) -> bytes:
    return await to_thread.run_sync(_hash, password, rounds)


async def verify_password(password: str, hashed: bytes | None) -> bool:
    return await to_thread.run_sync(_check, password, hashed)


def new_jti() -> str:
    return str(uuid.uuid4())


def encode_token(
    settings: Settings,
    subject: str,
    token_type: str,
    *,
    jti: str | None = None,
    expires: timedelta | None = None,
    identity_type: str = "person",
    extra: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "fresh": False,
        "iat": now,
        "jti": jti or new_jti(),
        "type": token_type,
        "sub": subject,
        "nbf": now,
        "identity_type": identity_type,
    }
    if expires is not None:
        claims["exp"] = now + expires
    if extra:
        claims.update(extra)
    return jwt.encode(claims, settings.jwt_secret(), algorithm=ALGORITHM), claims


def decode_token(settings: Settings, token: str) -> dict[str, Any]:
    """Raises jwt.PyJWTError on a bad signature, a bad format or an expired token."""
    return jwt.decode(token, settings.jwt_secret(), algorithms=[ALGORITHM], options={"require": ["sub", "jti"]})
