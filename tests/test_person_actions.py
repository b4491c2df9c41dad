"""Admin actions on people: passwords, reset links, invitations (mailed), departments, 2FA, avatars."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
from urllib.parse import parse_qs, urlparse

import pytest
from aiosmtpd.controller import Controller
from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select, update

from app.core.security import hash_password, verify_password
from app.repositories.organisations import OrganisationRepository
from app.repositories.tables.auth import PasswordResetToken
from app.repositories.tables.people import DepartmentLink, Person

person_t = Person.__table__
link_t = DepartmentLink.__table__
FORBIDDEN = {
    "error": True,
    "message": "You don't have the permission to access the requested resource. "
    "It is either read-protected or not readable by the server.",
}
OTHER_ADMIN = {"error": True, "message": "An admin can't change another admin's password."}
MALFORMED = {"error": True, "message": "Malformed ID.", "data": None}
# Zou's keys for a person with its departments, in its order (GET /data/persons/{id} as an admin).
ZOU_PERSON_KEYS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "country",
    "contract_type",
    "active",
    "archived",
    "last_presence",
    "desktop_login",
    "totp_enabled",
    "email_otp_enabled",
    "fido_enabled",
    "preferred_two_factor_authentication",
    "shotgun_id",
    "timezone",
    "locale",
    "use_12_hour_clock",
    "display_date_format",
    "data",
    "role",
    "position",
    "seniority",
    "daily_salary",
    "has_avatar",
    "notifications_enabled",
    "notifications_slack_enabled",
    "notifications_slack_userid",
    "notifications_mattermost_enabled",
    "notifications_mattermost_userid",
    "notifications_discord_enabled",
    "notifications_discord_userid",
    "is_bot",
    "is_guest",
    "preview_project_id",
    "preview_opened_at",
    "preview_open_until",
    "expiration_date",
    "is_generated_from_ldap",
    "ldap_uid",
    "departments",
    "studio_id",
    "full_name",
    "id",
    "created_at",
    "updated_at",
    "type",
]


# --- a local SMTP server --------------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox(app, settings, monkeypatch):
    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    mail_settings = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "domain_name": "kitsu.example", "domain_protocol": "https"}
    )
    monkeypatch.setattr(app.state, "settings", mail_settings)
    yield box
    controller.stop()


async def wait_for_mail(box: Inbox, count: int = 1) -> None:
    for _ in range(150):
        if len(box.messages) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no mail arrived")


# --- helpers --------------------------------------------------------------------------------------


async def new_person(db, role="user", password: bytes | None = None, **values):
    n = values.pop("n", "")
    return await add(
        db,
        Person,
        first_name=values.pop("first_name", f"Pat{n}"),
        last_name="Doe",
        email=values.pop("email", f"pat{n}.{role}@example.com"),
        role=role,
        password=password,
        **values,
    )


async def person_row(db, person_id):
    return (await db.execute(select(person_t).where(person_t.c.id == person_id))).mappings().one()


async def department_ids(db, person_id):
    rows = await db.execute(select(link_t.c.department_id).where(link_t.c.person_id == person_id))
    return sorted(str(r) for r in rows.scalars())


def link_query(link: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(link).query)


# --- change-password ------------------------------------------------------------------------------


async def test_change_password(as_admin, as_manager, anon, db, inbox, people):
    target = await new_person(db, password=await hash_password("oldpassword", 4))
    url = f"/actions/persons/{target['id']}/change-password"
    body = {"password": "brandnewpass", "password_2": "brandnewpass"}
    r = await as_admin.post(url, json=body)
    assert (r.status_code, r.json()) == (200, {"success": True})
    assert await verify_password("brandnewpass", (await person_row(db, target["id"]))["password"])
    r = await anon.post("/auth/login", json={"email": target["email"], "password": "brandnewpass"})
    assert r.status_code == 200 and r.json()["login"] is True
    await wait_for_mail(inbox)
    ((recipients, message),) = inbox.messages
    assert recipients == [target["email"]] and "password changed" in message["Subject"]
    assert await events_named(db, "person:update") == []  # Zou announces nothing

    # form values are read like Zou's (JSON, else form and query values)
    r = await as_admin.post(url, data={"password": "formpassword", "password_2": "formpassword"})
    assert (r.status_code, r.json()) == (200, {"success": True})

    # an admin may set their own password
    r = await as_admin.post(f"/actions/persons/{people['admin']}/change-password", json=body)
    assert r.status_code == 200


async def test_change_password_refusals(as_admin, as_manager, anon, db, people):
    target = await new_person(db, password=await hash_password("oldpassword", 4))
    url = f"/actions/persons/{target['id']}/change-password"
    body = {"password": "brandnewpass", "password_2": "brandnewpass"}
    assert (await anon.post(url, json=body)).status_code == 401
    r = await as_manager.post(url, json=body)
    assert (r.status_code, r.json()) == (403, FORBIDDEN)
    assert (await as_admin.post(f"/actions/persons/{UNKNOWN}/change-password", json=body)).status_code == 404
    r = await as_admin.post("/actions/persons/nope/change-password", json=body)
    assert (r.status_code, r.json()) == (400, MALFORMED)
    r = await as_admin.post(url, json={"password": "short", "password_2": "short"})
    assert (r.status_code, r.json()) == (400, {"error": True, "message": "Password is too short."})
    r = await as_admin.post(url, json={"password": "brandnewpass", "password_2": "brandnewpasX"})
    assert r.status_code == 400
    assert r.json() == {
        "error": True,
        "message": "Validation error.",
        "data": {"errors": [{"field": "", "message": "Value error, Confirmation password doesn't match."}]},
    }
    r = await as_admin.post(url, json={"password": "brandnewpass"})
    assert r.status_code == 400 and r.json()["data"]["errors"] == [{"field": "password_2", "message": "Field required"}]
    r = await as_admin.post(url, json={"password": 1, "password_2": 1})
    assert r.status_code == 400 and [e["field"] for e in r.json()["data"]["errors"]] == ["password", "password_2"]
    r = await as_admin.post(url, content=b"garbage", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["message"] == "Validation error."
    # nothing was written
    assert await verify_password("oldpassword", (await person_row(db, target["id"]))["password"])

    other_admin = await new_person(db, role="admin", password=b"hash")
    r = await as_admin.post(f"/actions/persons/{other_admin['id']}/change-password", json=body)
    assert (r.status_code, r.json()) == (400, OTHER_ADMIN)
    bot = await new_person(db, is_bot=True, email=None)
    r = await as_admin.post(f"/actions/persons/{bot['id']}/change-password", json=body)
    assert (r.status_code, r.json()) == (403, FORBIDDEN)
    # as in Zou, the person is looked up before the caller's role is checked
    assert (await as_manager.post(f"/actions/persons/{UNKNOWN}/change-password", json=body)).status_code == 404


# --- reset-password-link --------------------------------------------------------------------------


async def test_reset_password_link(as_admin, as_manager, anon, db, people, app):
    settings = app.state.settings
    target = await new_person(db, password=b"hash")
    url = f"/actions/persons/{target['id']}/reset-password-link"
    r = await as_admin.post(url)
    assert r.status_code == 200 and list(r.json()) == ["reset_password_link"]
    link = r.json()["reset_password_link"]
    prefix = f"{settings.domain_protocol}://{settings.domain_name}/reset-change-password?"
    assert link.startswith(prefix)
    query = link_query(link)
    assert query["email"] == [target["email"]] and re.fullmatch(r"[A-Z0-9]{64}", query["token"][0])
    assert "type" not in query
    stored = (await db.execute(select(PasswordResetToken.__table__))).mappings().all()
    assert [row["person_id"] for row in stored] == [target["id"]]
    # the link works
    body = {"email": target["email"], "token": query["token"][0], "password": "fromthelink", "password2": "fromthelink"}
    r = await anon.put("/auth/reset-password", json=body)
    assert (r.status_code, r.json()) == (200, {"success": True})
    assert await verify_password("fromthelink", (await person_row(db, target["id"]))["password"])

    assert (await anon.post(url)).status_code == 401
    assert (await as_manager.post(url)).status_code == 403
    assert (await as_admin.post(f"/actions/persons/{UNKNOWN}/reset-password-link")).status_code == 404
    assert (await as_admin.post("/actions/persons/nope/reset-password-link")).json() == MALFORMED
    other_admin = await new_person(db, role="admin", password=b"hash")
    r = await as_admin.post(f"/actions/persons/{other_admin['id']}/reset-password-link")
    assert (r.status_code, r.json()) == (400, OTHER_ADMIN)
    # an admin without a password yet (invited) may get one
    new_admin = await new_person(db, role="admin", n="2")
    assert (await as_admin.post(f"/actions/persons/{new_admin['id']}/reset-password-link")).status_code == 200
    bot = await new_person(db, is_bot=True, email=None)
    assert (await as_admin.post(f"/actions/persons/{bot['id']}/reset-password-link")).status_code == 403


# --- invite ---------------------------------------------------------------------------------------


async def test_invite_sends_a_mail_with_a_set_password_link(as_admin, anon, db, inbox):
    target = await new_person(db, first_name="Ines", email="ines@example.com")
    r = await as_admin.get(f"/actions/persons/{target['id']}/invite")
    assert (r.status_code, r.json()) == (200, {"success": True, "message": "Email sent"})
    assert list(r.json()) == ["success", "message"]
    await wait_for_mail(inbox)
    ((recipients, message),) = inbox.messages
    assert recipients == ["ines@example.com"] and message["To"] == "ines@example.com"
    organisation = (await OrganisationRepository(db).get_or_create())["name"]
    assert message["Subject"] == f"{organisation} invites you to Kitsu"
    content = message.get_content()
    assert "Hello Ines" in content and "ines@example.com" in content
    link = re.search(r"https://kitsu\.example/reset-change-password\?\S+", content).group(0)
    query = link_query(link)
    assert query["email"] == ["ines@example.com"] and query["type"] == ["new"]
    expires = (await db.execute(select(PasswordResetToken.__table__.c.expires_at))).scalar_one()
    created = (await db.execute(select(person_t.c.created_at).where(person_t.c.id == target["id"]))).scalar_one()
    assert (expires - created).days >= 6  # an invitation lasts a week
    token = query["token"][0]
    body = {"email": "ines@example.com", "token": token, "password": "myfirstpass", "password2": "myfirstpass"}
    r = await anon.put("/auth/reset-password", json=body)
    assert (r.status_code, r.json()) == (200, {"success": True})
    r = await anon.post("/auth/login", json={"email": "ines@example.com", "password": "myfirstpass"})
    assert r.status_code == 200


async def test_invite_refusals_and_no_mail_server(as_admin, as_manager, as_artist, anon, db):
    target = await new_person(db)
    url = f"/actions/persons/{target['id']}/invite"
    # without a mail server the answer is the same (the token is still made)
    r = await as_admin.get(url)
    assert (r.status_code, r.json()) == (200, {"success": True, "message": "Email sent"})
    r = await anon.get(url)
    assert r.status_code == 401 and "msg" in r.json()
    assert (await as_manager.get(url)).json() == FORBIDDEN
    assert (await as_artist.get(url)).status_code == 403
    r = await as_admin.get(f"/actions/persons/{UNKNOWN}/invite")
    assert r.status_code == 404 and r.json()["error"] is True
    assert (await as_admin.get("/actions/persons/nope/invite")).status_code == 400
    bot = await new_person(db, is_bot=True, email=None)
    assert (await as_admin.get(f"/actions/persons/{bot['id']}/invite")).status_code == 403


# --- departments ----------------------------------------------------------------------------------


async def test_add_to_department(as_admin, as_manager, anon, db, make):
    target = await new_person(db)
    first = await make.department()
    department = await make.department()
    url = f"/actions/persons/{target['id']}/departments/add"
    r = await as_admin.post(url, json={"department_id": first["id"]})
    assert r.status_code == 201, r.text
    r = await as_admin.post(url, json={"department_id": department["id"]})
    assert r.status_code == 201
    body = r.json()
    assert list(body) == ZOU_PERSON_KEYS
    assert body["id"] == target["id"] and body["type"] == "Person" and body["full_name"] == "Pat Doe"
    assert sorted(body["departments"]) == sorted([first["id"], department["id"]])
    assert await department_ids(db, target["id"]) == sorted([first["id"], department["id"]])
    events = await events_named(db, "person:update")
    assert [e["data"] for e in events] == [{"person_id": target["id"]}] * 2
    # adding again changes nothing
    r = await as_admin.post(url, json={"department_id": department["id"]})
    assert r.status_code == 201 and len(r.json()["departments"]) == 2

    no_department = {"error": True, "message": "Department ID matches no department", "data": None}
    r = await as_admin.post(url, json={"department_id": UNKNOWN})
    assert (r.status_code, r.json()) == (400, no_department)
    r = await as_admin.post(url, json={"department_id": "bad"})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "department_id"
    r = await as_admin.post(url, json={})
    assert r.json()["data"]["errors"] == [{"field": "department_id", "message": "Field required"}]
    r = await as_admin.post(url, json=[1])
    assert r.status_code == 400
    assert r.json()["data"]["errors"] == [
        {"field": "", "message": "Input should be a valid dictionary or instance of AddToDepartmentSchema"}
    ]
    body = {"department_id": department["id"]}
    assert (await as_admin.post(f"/actions/persons/{UNKNOWN}/departments/add", json=body)).status_code == 404
    assert (await as_admin.post("/actions/persons/nope/departments/add", json=body)).json() == MALFORMED
    assert (await as_manager.post(url, json=body)).status_code == 403
    assert (await anon.post(url, json=body)).status_code == 401


async def test_remove_from_department(as_admin, as_supervisor, anon, db, make):
    target = await new_person(db)
    kept = await make.department(members=[target["id"]])
    department = await make.department(members=[target["id"]])
    url = f"/actions/persons/{target['id']}/departments/{department['id']}"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_supervisor.delete(url)).status_code == 403
    r = await as_admin.delete(url)
    assert r.status_code == 204 and r.content == b""
    assert await department_ids(db, target["id"]) == [kept["id"]]
    events = await events_named(db, "person:update")
    assert [e["data"] for e in events] == [{"person_id": target["id"]}]
    assert (await as_admin.delete(url)).status_code == 204  # not a member any more: nothing to do

    no_department = {"error": True, "message": "Department ID matches no department", "data": None}
    r = await as_admin.delete(f"/actions/persons/{target['id']}/departments/{UNKNOWN}")
    assert (r.status_code, r.json()) == (400, no_department)
    r = await as_admin.delete(f"/actions/persons/{target['id']}/departments/bad")
    assert (r.status_code, r.json()) == (400, no_department)
    assert (await as_admin.delete(f"/actions/persons/{UNKNOWN}/departments/{kept['id']}")).status_code == 404
    assert (await as_admin.delete(f"/actions/persons/nope/departments/{kept['id']}")).json() == MALFORMED
    assert await department_ids(db, target["id"]) == [kept["id"]]


# --- two-factor authentication --------------------------------------------------------------------


async def test_disable_two_factor(as_admin, as_manager, anon, db, inbox, people):
    target = await new_person(
        db,
        totp_enabled=True,
        totp_secret="JBSWY3DPEHPK3PXP",
        email_otp_enabled=True,
        otp_recovery_codes=[b"a", b"b"],
        preferred_two_factor_authentication="totp",
    )
    url = f"/actions/persons/{target['id']}/disable-two-factor-authentication"
    assert (await anon.delete(url)).status_code == 401
    assert (await as_manager.delete(url)).status_code == 403
    r = await as_admin.delete(url)
    assert (r.status_code, r.json()) == (200, {"success": True})
    row = await person_row(db, target["id"])
    assert (row["totp_enabled"], row["totp_secret"], row["email_otp_enabled"], row["fido_enabled"]) == (
        False,
        None,
        False,
        False,
    )
    assert row["otp_recovery_codes"] is None and row["preferred_two_factor_authentication"] is None
    await wait_for_mail(inbox)
    ((recipients, message),) = inbox.messages
    assert recipients == [target["email"]] and "two factor authentication disabled" in message["Subject"]

    r = await as_admin.delete(url)
    assert (r.status_code, r.json()) == (
        400,
        {"error": True, "message": "Two factor authentication not enabled for this user."},
    )
    other_admin = await new_person(db, role="admin", totp_enabled=True)
    r = await as_admin.delete(f"/actions/persons/{other_admin['id']}/disable-two-factor-authentication")
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "An admin can't disable 2FA for other admins."}
    assert (await person_row(db, other_admin["id"]))["totp_enabled"] is True
    r = await as_admin.delete(f"/actions/persons/{people['admin']}/disable-two-factor-authentication")
    assert r.status_code == 400 and r.json()["message"] == "Two factor authentication not enabled for this user."
    assert (await as_admin.delete(f"/actions/persons/{UNKNOWN}/disable-two-factor-authentication")).status_code == 404
    assert (await as_admin.delete("/actions/persons/nope/disable-two-factor-authentication")).json() == MALFORMED
    bot = await new_person(db, is_bot=True, email=None, totp_enabled=True)
    assert (await as_admin.delete(f"/actions/persons/{bot['id']}/disable-two-factor-authentication")).status_code == 403


# --- avatars --------------------------------------------------------------------------------------


async def store_avatar(app, person_id):
    """A stored avatar (bucket `avatars`, key `<id>.png`); answers a check that it is still there."""
    storage = app.state.storage
    await storage.write_bytes("avatars", f"{person_id}.png", b"\x89PNG fake")

    async def stored() -> bool:
        return await storage.exists("avatars", f"{person_id}.png")

    return stored


async def test_clear_person_avatar(as_admin, as_manager, anon, db, app):
    target = await new_person(db, has_avatar=True)
    stored = await store_avatar(app, target["id"])
    url = f"/actions/persons/{target['id']}/clear-avatar"
    assert (await anon.delete(url)).status_code == 401
    r = await as_manager.delete(url)
    assert (r.status_code, r.json()) == (403, FORBIDDEN)
    assert await stored()
    r = await as_admin.delete(url)
    assert r.status_code == 204 and r.content == b""
    assert (await person_row(db, target["id"]))["has_avatar"] is False
    assert not await stored()
    events = await events_named(db, "person:update")
    assert [e["data"] for e in events] == [{"person_id": target["id"]}]
    assert (await as_admin.delete(url)).status_code == 204  # no file: still fine
    assert (await as_admin.delete(f"/actions/persons/{UNKNOWN}/clear-avatar")).status_code == 404
    assert (await as_admin.delete("/actions/persons/nope/clear-avatar")).json() == MALFORMED
    bot = await new_person(db, is_bot=True, email=None, has_avatar=True)
    assert (await as_admin.delete(f"/actions/persons/{bot['id']}/clear-avatar")).status_code == 204


async def test_clear_own_avatar(as_artist, as_client, anon, db, app, people):
    uid = people["user"]
    await db.execute(update(person_t).where(person_t.c.id == uid).values(has_avatar=True))
    stored = await store_avatar(app, uid)
    assert (await anon.delete("/actions/user/clear-avatar")).status_code == 401
    r = await as_artist.delete("/actions/user/clear-avatar")
    assert r.status_code == 204
    assert (await person_row(db, uid))["has_avatar"] is False
    assert not await stored()
    events = await events_named(db, "person:update")
    assert [(e["data"], e["user_id"]) for e in events] == [({"person_id": uid}, uid)]
    assert (await as_client.delete("/actions/user/clear-avatar")).status_code == 204
