"""Admin actions on a person's account: password, invitation, departments, 2FA reset, avatar.

As in Zou, the routes that act on a login (password, reset link, invitation, 2FA) look the person
up first (404) and refuse bots (403) before checking that the caller is an admin; the others check
the admin first. Mails are returned to the router, which sends them after the answer.
"""

from __future__ import annotations

import ipaddress
import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.core.mail import Mail
from app.core.security import hash_password
from app.domain import auth, stored_files
from app.domain.events import emit
from app.domain.permissions import Caller
from app.domain.persons import full_name, present_person
from app.domain.pictures import AVATAR_BUCKET, avatar_key
from app.domain.two_factor import AuthError
from app.repositories.departments import DepartmentRepository
from app.repositories.organisations import OrganisationRepository
from app.repositories.persons import PersonRepository

log = logging.getLogger(__name__)

INVITATION_LIFETIME = timedelta(days=7)
NO_DEPARTMENT = "Department ID matches no department"
OTHER_ADMIN_PASSWORD = "An admin can't change another admin's password."
OTHER_ADMIN_2FA = "An admin can't disable 2FA for other admins."
NO_2FA = "Two factor authentication not enabled for this user."
TWO_FACTOR_CLEARED = {
    "totp_enabled": False,
    "totp_secret": None,
    "email_otp_enabled": False,
    "email_otp_secret": None,
    "fido_enabled": False,
    "fido_credentials": None,
    "otp_recovery_codes": None,
    "preferred_two_factor_authentication": None,
}
# Zou's serialization order: the columns, then these (departments sits before studio_id).
TAIL_KEYS = ("departments", "studio_id", "full_name", "id", "created_at", "updated_at", "type")


def present_full_person(row: dict[str, Any]) -> dict[str, Any]:
    """A person with its departments, keys in Zou's order (as an admin sees it)."""
    out = present_person(row)
    head = {k: v for k, v in out.items() if k not in TAIL_KEYS}
    return head | {k: out[k] for k in TAIL_KEYS if k in out}


def forwarded_ip(header: str | None) -> str | None:
    """The first address of `X-Forwarded-For` when it is one, for the notice mails."""
    if not header:
        return None
    first = header.split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(first))
    except ValueError:
        return None


def require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise PermissionDenied()


async def _person(session: AsyncSession, person_id: str, *, lock: bool = False) -> dict[str, Any]:
    repo = PersonRepository(session)
    row = await (repo.lock_by_id(person_id) if lock else repo.by_id(person_id))
    if row is None:
        raise NotFound("Person not found.")
    return row


async def login_target(session: AsyncSession, caller: Caller, person_id: str, *, lock: bool = False) -> dict:
    """The person whose login an admin acts on: 404 when unknown, 403 for a bot or a non-admin."""
    row = await _person(session, person_id, lock=lock)
    if row.get("is_bot"):
        raise PermissionDenied()
    require_admin(caller)
    return row


def _check_password_change_allowed(caller: Caller, row: dict[str, Any]) -> None:
    """One's own account is always fine; another admin's only while it has no password."""
    if row["id"] != caller.id and row["role"] == "admin" and row.get("password") is not None:
        raise AuthError(OTHER_ADMIN_PASSWORD)


async def _organisation_name(session: AsyncSession) -> str:
    return (await OrganisationRepository(session).get_or_create()).get("name") or "Kitsu"


def _admin_notice(row: dict[str, Any], organisation: str, what: str, ip: str | None) -> Mail | None:
    if not row.get("email"):
        return None
    origin = f" from the address {ip}" if ip else ""
    return Mail(
        to=row["email"],
        subject=f"{organisation} - Kitsu: {what}",
        text=f"Hello {row.get('first_name') or full_name(row)},\n\n"
        f"An administrator of {organisation} made this change to your account{origin}: {what}.\n"
        "If you did not expect it, contact your studio's support team.\n",
    )


# --- Passwords and invitations ------------------------------------------------------------------


async def change_password(
    session: AsyncSession,
    settings: Settings,
    caller: Caller,
    row: dict[str, Any],
    password: str,
    ip: str | None = None,
) -> Mail | None:
    """An admin sets the password of a person found by `login_target` (the body's schema already
    checked the confirmation). As in Zou, the person's open sessions are kept and the failed-login
    count is untouched."""
    _check_password_change_allowed(caller, row)
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        raise AuthError("Password is too short.")
    hashed = await hash_password(password, settings.bcrypt_rounds)
    await PersonRepository(session).set_fields(row["id"], password=hashed)
    log.warning("%s changed the password of %s", caller.person.get("email"), row.get("email"))
    return _admin_notice(row, await _organisation_name(session), "password changed", ip)


async def reset_password_link(session: AsyncSession, settings: Settings, caller: Caller, person_id: str) -> str:
    """A fresh reset link for the person (an earlier unused one stops working)."""
    row = await login_target(session, caller, person_id)
    _check_password_change_allowed(caller, row)
    token = await auth.create_reset_token(session, settings, row["id"])
    log.info("%s made a password reset link for %s", caller.person.get("email"), row.get("email"))
    return auth.reset_link(settings, row.get("email") or "", token)


async def invite(session: AsyncSession, settings: Settings, caller: Caller, person_id: str) -> Mail | None:
    """The invitation mail: how to reach Kitsu and a link (valid a week) to set a first password."""
    row = await login_target(session, caller, person_id)
    if not row.get("email"):
        return None
    token = await auth.create_reset_token(session, settings, row["id"], INVITATION_LIFETIME)
    link = auth.reset_link(settings, row["email"], token, token_type="new")
    organisation = await _organisation_name(session)
    return Mail(
        to=row["email"],
        subject=f"{organisation} invites you to Kitsu",
        text=f"Hello {row.get('first_name') or full_name(row)},\n\n"
        f"{organisation} invites you to work with its team on Kitsu.\n"
        f"Your login: {row['email']}\n\n"
        f"Choose your password with this link (valid for {INVITATION_LIFETIME.days} days):\n\n{link}\n",
    )


# --- Two-factor authentication ------------------------------------------------------------------


async def disable_two_factor(
    session: AsyncSession, caller: Caller, person_id: str, ip: str | None = None
) -> Mail | None:
    """Turn every second factor of the person off (for someone who lost their device)."""
    row = await login_target(session, caller, person_id, lock=True)
    if row["role"] == "admin" and row["id"] != caller.id:
        raise AuthError(OTHER_ADMIN_2FA)
    if not any(row.get(f"{method}_enabled") for method in ("totp", "email_otp", "fido")):
        raise AuthError(NO_2FA)
    await PersonRepository(session).set_fields(row["id"], **TWO_FACTOR_CLEARED)
    log.warning("%s disabled the two-factor authentication of %s", caller.person.get("email"), row.get("email"))
    return _admin_notice(row, await _organisation_name(session), "two factor authentication disabled", ip)


# --- Departments --------------------------------------------------------------------------------


async def _check_department(session: AsyncSession, department_id: str) -> None:
    try:
        department_id = str(uuid.UUID(department_id))
    except ValueError:
        raise WrongParameter(NO_DEPARTMENT) from None
    if not (await DepartmentRepository(session).existing(department_id))[0]:
        raise WrongParameter(NO_DEPARTMENT)


async def add_to_department(session: AsyncSession, caller: Caller, person_id: str, department_id: str) -> dict:
    require_admin(caller)
    await _check_department(session, department_id)
    row = await _person(session, person_id)
    await PersonRepository(session).add_department(person_id, department_id)
    ids = [str(d) for d in row.get("department_ids") or []]
    if department_id not in ids:
        ids.append(department_id)
    row["department_ids"] = ids
    await emit(session, "person:update", {"person_id": person_id}, user_id=caller.id)
    return present_full_person(row)


async def remove_from_department(session: AsyncSession, caller: Caller, person_id: str, department_id: str) -> None:
    require_admin(caller)
    await _check_department(session, department_id)
    await _person(session, person_id)
    await PersonRepository(session).remove_department(person_id, department_id)
    await emit(session, "person:update", {"person_id": person_id}, user_id=caller.id)


# --- Avatars ------------------------------------------------------------------------------------


async def clear_avatar(session: AsyncSession, caller: Caller, person_id: str, *, own: bool = False) -> None:
    """`has_avatar` off and a `person:update` so clients drop the picture; the stored picture
    (bucket `avatars`, key `<person_id>.png`) goes once the change is committed."""
    if not own:
        require_admin(caller)
    await _person(session, person_id)
    await PersonRepository(session).set_fields(person_id, has_avatar=False)
    stored_files.discard(session, AVATAR_BUCKET, avatar_key(person_id))
    await emit(session, "person:update", {"person_id": person_id}, user_id=caller.id)
