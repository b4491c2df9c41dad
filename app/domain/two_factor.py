"""Two-factor authentication: TOTP (RFC 6238) and single-use recovery codes.

E-mail OTP and FIDO are a later issue: their proofs are refused for now.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import string
import time
from datetime import timedelta
from typing import Any

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import DomainError
from app.core.security import hash_password, verify_password
from app.repositories.persons import PersonRepository
from app.repositories.tables.base import utc_now
from app.repositories.tokens import TokenRepository

TOTP_STEP = 30
TOTP_WINDOW = 1  # steps accepted either side of now
RECOVERY_CODE_COUNT = 16
RECOVERY_CODE_LENGTH = 10
RECOVERY_ALPHABET = string.ascii_uppercase + string.digits
METHODS = ("totp", "email_otp", "fido")


class AuthError(DomainError):
    """An /auth refusal: `{"error": true, "message": ..., **flags}`."""

    def __init__(self, message: str, status_code: int = 400, **flags: Any) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.flags = flags

    def body(self) -> dict:
        return {"error": True, "message": self.message, **self.flags}


def is_enabled(row: dict[str, Any], method: str) -> bool:
    return bool(row.get(f"{method}_enabled"))


def any_enabled(row: dict[str, Any]) -> bool:
    return any(is_enabled(row, m) for m in METHODS)


def enabled_methods(row: dict[str, Any]) -> list[str]:
    """As Zou lists them: recovery codes first, then each enabled method."""
    return ["recovery_code", *(m for m in METHODS if is_enabled(row, m))]


# --- TOTP ---------------------------------------------------------------------------------------


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    totp = pyotp.TOTP(secret, interval=TOTP_STEP)
    current = int((time.time() if now is None else now) // TOTP_STEP)
    for step in sorted(range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1), key=lambda s: abs(s - current)):
        if hmac.compare_digest(totp.generate_otp(step).encode(), code.encode()):
            return step
    return None


async def check_totp(session: AsyncSession, person_id: str, secret: str | None, code: str) -> bool:
    """A valid code is accepted once: its time step is recorded, so the same code cannot be replayed."""
    if not secret or not code:
        return False
    step = _matching_step(secret, code)
    if step is None:
        return False
    expires = utc_now() + timedelta(seconds=TOTP_STEP * (2 * TOTP_WINDOW + 2))
    return await TokenRepository(session).mark_once(f"totp:{person_id}:{step}", expires)


# --- Recovery codes -----------------------------------------------------------------------------


def generate_recovery_codes() -> list[str]:
    return [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


async def hash_recovery_codes(settings: Settings, codes: list[str]) -> list[bytes]:
    # bcrypt releases the GIL: hashing in parallel threads keeps this to about one hash's time
    return list(await asyncio.gather(*(hash_password(code, settings.bcrypt_rounds) for code in codes)))


async def use_recovery_code(session: AsyncSession, row: dict[str, Any], code: str) -> bool:
    """Check a recovery code (case-sensitive) and remove it when it matches."""
    hashes = list(row.get("otp_recovery_codes") or [])
    if not code or not hashes:
        return False
    results = await asyncio.gather(*(verify_password(code, h) for h in hashes))
    if not any(results):
        return False
    index = results.index(True)
    remaining = hashes[:index] + hashes[index + 1 :]
    await PersonRepository(session).set_fields(row["id"], otp_recovery_codes=remaining)
    row["otp_recovery_codes"] = remaining
    return True


# --- Checking a proof ---------------------------------------------------------------------------


async def verify(session: AsyncSession, row: dict[str, Any], proof: Any) -> bool | None:
    """Check the first proof given for a method the person has enabled, in Zou's order (TOTP,
    e-mail OTP, FIDO, then a recovery code). None when no usable proof was given."""
    if is_enabled(row, "totp") and proof.totp is not None:
        return await check_totp(session, row["id"], row.get("totp_secret"), proof.totp)
    if is_enabled(row, "email_otp") and proof.email_otp is not None:
        return False  # e-mail OTP is not implemented yet
    if is_enabled(row, "fido") and proof.fido_authentication_response is not None:
        return False  # FIDO is not implemented yet
    if proof.recovery_code is not None:
        return await use_recovery_code(session, row, proof.recovery_code)
    return None


async def _locked_row(session: AsyncSession, person_id: str) -> dict[str, Any]:
    row = await PersonRepository(session).lock_by_id(person_id)
    if row is None:
        raise AuthError("Person not found.", status_code=404)
    return row


WRONG_PROOF = "OTP verification failed."


async def _require_proof(session: AsyncSession, row: dict[str, Any], proof: Any) -> None:
    if not await verify(session, row, proof):
        raise AuthError(WRONG_PROOF, wrong_OTP=True)


# --- TOTP set-up --------------------------------------------------------------------------------


async def pre_enable_totp(session: AsyncSession, person_id: str, organisation_name: str) -> dict[str, str]:
    """A new pending secret (replacing any earlier one) and its provisioning URI."""
    row = await _locked_row(session, person_id)
    if row.get("totp_enabled"):
        raise AuthError("TOTP already enabled.")
    secret = pyotp.random_base32()
    await PersonRepository(session).set_fields(person_id, totp_secret=secret)
    issuer = f"Kitsu {organisation_name}"
    uri = pyotp.TOTP(secret, interval=TOTP_STEP).provisioning_uri(name=row.get("email") or "", issuer_name=issuer)
    return {"totp_provisionning_uri": uri, "otp_secret": secret}


async def enable_totp(session: AsyncSession, settings: Settings, person_id: str, code: str) -> list[str] | None:
    """Turn TOTP on with a code from the pending secret. Returns new recovery codes when the
    person had none, else None."""
    row = await _locked_row(session, person_id)
    if row.get("totp_enabled"):
        raise AuthError("TOTP already enabled.")
    # Zou fails with a 500 when no secret was prepared; here it is a wrong code.
    if not await check_totp(session, person_id, row.get("totp_secret"), code):
        raise AuthError("TOTP verification failed.", wrong_OTP=True)
    values: dict[str, Any] = {"totp_enabled": True}
    if not row.get("preferred_two_factor_authentication"):
        values["preferred_two_factor_authentication"] = "totp"
    codes = None
    if not row.get("otp_recovery_codes"):
        codes = generate_recovery_codes()
        values["otp_recovery_codes"] = await hash_recovery_codes(settings, codes)
    await PersonRepository(session).set_fields(person_id, **values)
    return codes


async def disable_totp(session: AsyncSession, person_id: str, proof: Any) -> None:
    row = await _locked_row(session, person_id)
    # Zou checks (and may use up a recovery code) before noticing TOTP is off; this checks first.
    if not row.get("totp_enabled"):
        raise AuthError("TOTP not enabled.")
    await _require_proof(session, row, proof)
    values: dict[str, Any] = {"totp_enabled": False, "totp_secret": None}
    others = [m for m in ("fido", "email_otp") if is_enabled(row, m)]
    if not others:
        values.update(otp_recovery_codes=None, preferred_two_factor_authentication=None)
    elif row.get("preferred_two_factor_authentication") in (None, "totp"):
        values["preferred_two_factor_authentication"] = others[0]
    await PersonRepository(session).set_fields(person_id, **values)


async def renew_recovery_codes(session: AsyncSession, settings: Settings, person_id: str, proof: Any) -> list[str]:
    row = await _locked_row(session, person_id)
    if not any_enabled(row):
        raise AuthError("No two factor authentication enabled.")
    await _require_proof(session, row, proof)
    codes = generate_recovery_codes()
    await PersonRepository(session).set_fields(person_id, otp_recovery_codes=await hash_recovery_codes(settings, codes))
    return codes
