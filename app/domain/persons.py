"""Person presentation and rules shared by the CRUD entry and the auth routes."""

from __future__ import annotations

from typing import Any

SECRET_FIELDS = frozenset(
    {
        "password",
        "login_failed_attemps",
        "last_login_failed",
        "totp_secret",
        "email_otp_secret",
        "fido_credentials",
        "otp_recovery_codes",
        "jti",
        "oidc_issuer",
        "oidc_subject",
        "saml_issuer",
        "saml_subject",
    }
)


def full_name(row: dict[str, Any]) -> str:
    first, last = row.get("first_name") or "", row.get("last_name") or ""
    return f"{first} {last}" if first and last else first + last


def present_person(row: dict[str, Any]) -> dict[str, Any]:
    """A person as Zou serializes it: public columns, `full_name`, `departments`, `type`."""
    out = {k: v for k, v in row.items() if k not in SECRET_FIELDS and k != "department_ids"}
    if "department_ids" in row:
        out["departments"] = list(row["department_ids"] or [])
    out.setdefault("departments", [])
    out["full_name"] = full_name(row)
    out["type"] = "Person"
    return out


CONTRACT_TYPES = ("open-ended", "fixed-term", "short-term", "freelance", "apprentice", "internship")
TWO_FACTOR_TYPES = ("totp", "email_otp", "fido")
