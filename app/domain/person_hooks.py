"""CRUD rules for `/data/persons`: validation, password hashing, bot tokens, redaction."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email

from app.core.errors import WrongParameter
from app.core.security import encode_token, hash_password, new_jti
from app.domain.crud import CrudContext, Hooks
from app.domain.permissions import ROLES
from app.domain.persons import CONTRACT_TYPES, present_person
from app.repositories.persons import PersonRepository

# What a non-manager sees of other people (Zou's "safe" presentation).
PRIVATE_FIELDS = frozenset(
    {"email", "phone", "daily_salary", "contract_type", "position", "seniority", "notifications_slack_userid",
     "notifications_mattermost_userid", "notifications_discord_userid", "expiration_date", "ldap_uid",
     "is_generated_from_ldap", "last_presence", "desktop_login"}
)


def check_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise WrongParameter(f"Email is not valid: {exc}") from None


class PersonHooks(Hooks):
    def list_filters(self, ctx: CrudContext) -> dict[str, Any]:
        # preview accounts (guests of one project) are not part of the studio's people
        return {} if ctx.caller.is_admin else {"preview_project_id": None}

    async def _validate(self, ctx: CrudContext, data: dict[str, Any], person_id: str | None) -> dict[str, Any]:
        if "role" in data and data["role"] not in ROLES:
            raise WrongParameter("Invalid role")
        if "contract_type" in data and data["contract_type"] not in CONTRACT_TYPES:
            raise WrongParameter("Invalid contract_type")
        if data.get("email"):
            data["email"] = check_email(data["email"])
            if not data.get("is_bot"):
                existing = await PersonRepository(ctx.session).by_email(data["email"])
                if existing is not None and existing["id"] != person_id:
                    raise WrongParameter("Email already in use.")
        if data.get("password"):
            data["password"] = await hash_password(data["password"], ctx.settings.bcrypt_rounds)
        elif "password" in data:
            data.pop("password")
        return data

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        data = await self._validate(ctx, data, None)
        data.setdefault("timezone", ctx.settings.default_timezone)
        data.setdefault("locale", ctx.settings.default_locale)
        if data.get("is_bot"):
            data["jti"] = new_jti()
        return data

    async def after_create(self, ctx: CrudContext, row: dict[str, Any]) -> dict[str, Any] | None:
        if not row.get("is_bot"):
            return None
        token, _ = encode_token(ctx.settings, row["id"], "access", jti=row["jti"], identity_type="bot")
        return {"access_token": token}

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        return await self._validate(ctx, data, row["id"])

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        redact = not ctx.caller.is_manager
        out = []
        for row in rows:
            person = present_person(row)
            if redact and person.get("id") != ctx.caller.id:
                for key in PRIVATE_FIELDS:
                    person.pop(key, None)
            out.append(person)
        return out
