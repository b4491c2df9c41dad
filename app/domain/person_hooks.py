"""CRUD rules for `/data/persons`: validation, password hashing, API tokens, per-role shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email

from app.core.errors import PermissionDenied, WrongParameter
from app.core.security import encode_token, hash_password, new_jti
from app.domain import stored_files
from app.domain.crud import CrudContext, Hooks
from app.domain.permissions import ROLES, Caller
from app.domain.persons import CONTRACT_TYPES, TWO_FACTOR_TYPES, full_name, present_person
from app.repositories.persons import PersonRepository

DATE_FORMATS = ("YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY")
PREVIEW_FIELDS = ("preview_project_id", "preview_opened_at", "preview_open_until")
# Never writable through PUT: secrets and fields owned by dedicated routes.
PUT_PROTECTED = (
    "password",
    "jti",
    "totp_enabled",
    "totp_secret",
    "email_otp_enabled",
    "email_otp_secret",
    "fido_enabled",
    "fido_credentials",
    "otp_recovery_codes",
    "preferred_two_factor_authentication",
    *PREVIEW_FIELDS,
)
# Only admins may change these, even on their own account.
ADMIN_FIELDS = (
    "role",
    "departments",
    "active",
    "is_bot",
    "archived",
    "login_failed_attemps",
    "last_login_failed",
    "is_generated_from_ldap",
    "ldap_uid",
    "oidc_issuer",
    "oidc_subject",
    "saml_issuer",
    "saml_subject",
    "last_presence",
    "studio_id",
)
MINIMAL_FIELDS = (
    "id",
    "type",
    "first_name",
    "last_name",
    "full_name",
    "has_avatar",
    "active",
    "departments",
    "studio_id",
    "role",
    "desktop_login",
    "is_bot",
)
CLIENT_FIELDS = ("id", "type", "first_name", "last_name", "full_name", "has_avatar", "active", "role", "is_bot")
PUBLIC_FILTERS = frozenset(
    {
        "id",
        "first_name",
        "last_name",
        "has_avatar",
        "active",
        "departments",
        "studio_id",
        "role",
        "desktop_login",
        "email",
        "is_bot",
        "is_guest",
    }
)


def check_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise WrongParameter(str(exc)) from None


def _check_choices(data: dict[str, Any]) -> None:
    if "role" in data and data["role"] not in ROLES:
        raise WrongParameter("Invalid role")
    if "contract_type" in data and data["contract_type"] not in CONTRACT_TYPES:
        raise WrongParameter("Invalid contract_type")
    if data.get("country"):
        country = str(data["country"]).strip().upper()
        if len(country) != 2 or not country.isascii() or not country.isalpha():
            raise WrongParameter("Invalid country code: use an ISO 3166-1 alpha-2 code such as FR.")
        data["country"] = country
    if data.get("locale"):
        locale = str(data["locale"]).strip()
        language, _, region = locale.partition("_")
        if (
            len(locale) > 10
            or not (language.isalpha() and 2 <= len(language) <= 3)
            or (region and not region.isalnum())
        ):
            raise WrongParameter("Invalid locale: use a name such as en_US or fr_FR.")
        data["locale"] = locale
    if data.get("display_date_format") is not None and data["display_date_format"] not in DATE_FORMATS:
        raise WrongParameter(f"Invalid display_date_format: use one of {', '.join(DATE_FORMATS)}.")
    if "two_factor_authentication" in data:
        if data.pop("two_factor_authentication") not in TWO_FACTOR_TYPES:
            raise WrongParameter("Invalid two_factor_authentication")


def _check_expiration(data: dict[str, Any], current: date | None = None) -> None:
    value = data.get("expiration_date")
    if value is None:
        return
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise WrongParameter("Expiration date is not valid.") from None
    if isinstance(value, datetime):
        raise WrongParameter("Expiration date is not valid.")
    if value < date.today() and value != current:
        raise WrongParameter("Expiration date can't be in the past.")
    data["expiration_date"] = value


def api_token(ctx: CrudContext, person: dict[str, Any], jti: str) -> str:
    """A long-lived API token: valid until the end of the expiration date, or forever."""
    identity = "bot" if person.get("is_bot") else "person_api"
    expires = None
    if person.get("expiration_date"):
        end = datetime.combine(person["expiration_date"] + timedelta(days=1), time.min, tzinfo=UTC)
        expires = end - datetime.now(UTC)
    token, _ = encode_token(ctx.settings, person["id"], "access", jti=jti, identity_type=identity, expires=expires)
    return token


def _shape(person: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {key: person.get(key) for key in fields}


class PersonHooks(Hooks):
    def list_filters(self, ctx: CrudContext) -> dict[str, Any]:
        # preview accounts (guests of one project) are not part of the studio's people
        return {"preview_project_id": None}

    def list_scope(self, ctx: CrudContext) -> list[Any]:
        if ctx.caller.is_client:
            return [PersonRepository.client_visible_clause(ctx.caller.id)]
        return []

    def filterable(self, ctx: CrudContext, collection) -> frozenset[str] | None:
        return None if ctx.caller.is_admin else PUBLIC_FILTERS

    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        # a client always sees itself (Zou refuses it when the client is on no open project)
        if (
            ctx.caller.is_client
            and row["id"] != ctx.caller.id
            and not await PersonRepository(ctx.session).client_can_see(ctx.caller.id, row["id"])
        ):
            raise PermissionDenied()

    async def _validate(self, ctx: CrudContext, data: dict[str, Any], row: dict[str, Any] | None) -> dict[str, Any]:
        _check_choices(data)
        _check_expiration(data, row.get("expiration_date") if row else None)
        if data.get("email"):
            data["email"] = check_email(data["email"])
            is_bot = data.get("is_bot", row.get("is_bot") if row else False)
            if not is_bot:
                existing = await PersonRepository(ctx.session).by_email(data["email"])
                if existing is not None and (row is None or existing["id"] != row["id"]):
                    raise WrongParameter("Email already in use.")
        return data

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        data = await self._validate(ctx, data, None)
        for key in PREVIEW_FIELDS:
            data.pop(key, None)
        if data.get("password"):
            data["password"] = await hash_password(data["password"], ctx.settings.bcrypt_rounds)
        else:
            data.pop("password", None)
        data.setdefault("timezone", ctx.settings.default_timezone)
        data.setdefault("locale", ctx.settings.default_locale)
        if data.get("is_bot"):
            data["jti"] = ctx.state["new_api_jti"] = new_jti()
        return data

    async def after_create(self, ctx: CrudContext, row: dict[str, Any]) -> dict[str, Any] | None:
        jti = ctx.state.get("new_api_jti")
        return {"access_token": api_token(ctx, row, jti)} if jti else None

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        caller: Caller = ctx.caller
        if row.get("preview_project_id"):
            raise PermissionDenied()
        for key in PUT_PROTECTED:
            data.pop(key, None)
        if not caller.is_admin:
            for key in ADMIN_FIELDS:
                data.pop(key, None)
        data = await self._validate(ctx, data, row)
        if "expiration_date" in data:
            # a new expiration date re-issues the person's API token (the old one stops working)
            data["jti"] = new_jti()
            ctx.state["new_api_jti"] = data["jti"]
        return data

    async def after_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
        if data.get("active") is False:
            # a deactivated person's sessions end now, not when they are next used
            from app.domain.auth import revoke_all_tokens

            await revoke_all_tokens(ctx.session, ctx.settings, row["id"])
        jti = ctx.state.get("new_api_jti")
        if jti:
            return {"access_token": api_token(ctx, row, jti)}
        return None

    async def before_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        if row["id"] == ctx.caller.id:
            raise PermissionDenied()
        repo = PersonRepository(ctx.session)
        if ctx.flag("force"):
            await repo.detach(row["id"])
        elif await repo.is_referenced(row["id"]):
            raise WrongParameter("Some data are still linked to given person.", data=None)
        stored_files.discard(ctx.session, "avatars", f"{row['id']}.png")  # removed once the delete commits

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        caller = ctx.caller
        out = []
        for row in rows:
            person = present_person(row)
            person["full_name"] = full_name(row)
            if caller.is_client:
                person = _shape(person, CLIENT_FIELDS)
            elif mode == "list" and not caller.is_admin or mode == "get" and not caller.is_manager:
                person = _shape(person, MINIMAL_FIELDS)
            out.append(person)
        return out
