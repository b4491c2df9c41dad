"""/auth/reset-password: asking for a link (mailed through a local SMTP server) and using it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
from urllib.parse import parse_qs, urlparse

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.repositories.tables.auth import PasswordResetToken

resets = PasswordResetToken.__table__
SENT = {"success": "Reset token sent"}


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message.get_content()))
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
    for _ in range(100):
        if len(box.messages) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no mail arrived")


async def count_resets(db) -> int:
    return (await db.execute(select(func.count()).select_from(resets))).scalar()


async def test_reset_password_by_mail(anon, db, inbox, people):
    r = await anon.post("/auth/reset-password", json={"email": "User@example.com"})
    assert (r.status_code, r.json()) == (200, SENT)
    await wait_for_mail(inbox)
    ((recipients, content),) = inbox.messages
    assert recipients == ["user@example.com"]
    link = re.search(r"https://kitsu\.example/reset-change-password\?\S+", content).group(0)
    query = parse_qs(urlparse(link).query)
    assert query["email"] == ["User@example.com"]
    token = query["token"][0]
    assert len(token) == 64 and re.fullmatch(r"[A-Z0-9]{64}", token)
    stored = (await db.execute(select(resets))).mappings().all()
    assert [row["person_id"] for row in stored] == [people["user"]]
    assert stored[0]["token_hash"] != token  # kept hashed

    wrong = {"error": True, "message": "Wrong or expired token."}
    body = {"email": "user@example.com", "token": token, "password": "brandnewpass", "password2": "brandnewpass"}
    r = await anon.put("/auth/reset-password", json={**body, "token": "X" * 64})
    assert (r.status_code, r.json()) == (400, wrong)
    r = await anon.put("/auth/reset-password", json={**body, "email": "admin@example.com"})
    assert (r.status_code, r.json()) == (400, wrong)
    r = await anon.put("/auth/reset-password", json={**body, "password": "short", "password2": "short"})
    assert (r.status_code, r.json()) == (400, {"error": True, "message": "Password is too short."})
    r = await anon.put("/auth/reset-password", json={**body, "password2": "brandnewpasX"})
    assert (r.status_code, r.json()) == (400, {"error": True, "message": "Confirmation password doesn't match."})
    r = await anon.put("/auth/reset-password", json={"email": "user@example.com", "token": token})
    assert r.status_code == 400 and [e["field"] for e in r.json()["data"]["errors"]] == ["password", "password2"]
    assert await count_resets(db) == 1  # failed attempts do not use the token up
    r = await anon.put("/auth/reset-password", json=body)
    assert (r.status_code, r.json()) == (200, {"success": True})
    assert await count_resets(db) == 0
    r = await anon.put("/auth/reset-password", json=body)  # one use only
    assert (r.status_code, r.json()) == (400, wrong)
    r = await anon.post("/auth/login", json={"email": "user@example.com", "password": "brandnewpass"})
    assert r.status_code == 200


async def test_reset_password_same_answer_for_unknown_or_inactive(anon, db, inbox, people):
    from sqlalchemy import update

    from app.repositories.tables.people import Person

    r = await anon.post("/auth/reset-password", json={"email": "nobody@example.com"})
    assert (r.status_code, r.json()) == (200, SENT)
    person = Person.__table__
    await db.execute(update(person).where(person.c.id == people["client"]).values(active=False))
    await db.flush()
    r = await anon.post("/auth/reset-password", json={"email": "client@example.com"})
    assert (r.status_code, r.json()) == (200, SENT)
    await asyncio.sleep(0.2)
    assert inbox.messages == []
    assert await count_resets(db) == 0
    r = await anon.post("/auth/reset-password", json={})
    assert r.status_code == 400 and r.json()["message"] == "Validation error."


async def test_reset_password_without_mail_still_stores_token(anon, db):
    r = await anon.post("/auth/reset-password", json={"email": "manager@example.com"})
    assert (r.status_code, r.json()) == (200, SENT)
    assert await count_resets(db) == 1


async def test_new_reset_replaces_the_old_one(anon, db, inbox):
    for n in (1, 2):
        assert (await anon.post("/auth/reset-password", json={"email": "user@example.com"})).status_code == 200
        await wait_for_mail(inbox, n)
    first, second = (re.search(r"token=([A-Z0-9]{64})", content).group(1) for _, content in inbox.messages)
    body = {"email": "user@example.com", "password": "brandnewpass", "password2": "brandnewpass"}
    assert (await anon.put("/auth/reset-password", json={**body, "token": first})).status_code == 400
    assert (await anon.put("/auth/reset-password", json={**body, "token": second})).status_code == 200


async def test_reset_revokes_sessions(app, anon, db):
    import httpx

    tokens = (await anon.post("/auth/login", json={"email": "user@example.com", "password": "mysecretpassword"})).json()
    await asyncio.sleep(1.05)  # tokens carry whole seconds
    await anon.post("/auth/reset-password", json={"email": "user@example.com"})
    from app.domain import auth

    # the mail is off here: take a token the way the login default-password flow makes one
    token = await auth._create_reset_token(db, app.state.settings, tokens["user"]["id"])
    await db.flush()
    body = {"email": "user@example.com", "token": token, "password": "brandnewpass", "password2": "brandnewpass"}
    assert (await anon.put("/auth/reset-password", json=body)).status_code == 200
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers) as c:
        r = await c.get("/auth/authenticated")
    assert (r.status_code, r.json()) == (401, {"msg": "Token has been revoked"})
