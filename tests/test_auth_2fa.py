"""/auth/totp, /auth/recovery-codes and logging in with a second factor."""

from __future__ import annotations

import time
from urllib.parse import quote

import httpx
import pyotp
from sqlalchemy import select, update

from app.repositories.tables.people import Person

PASSWORD = "mysecretpassword"
person = Person.__table__


def code(secret: str, steps: int = 0) -> str:
    """The TOTP code `steps` time steps away from now (each step's code can be used once)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


async def row(db, person_id):
    return (await db.execute(select(person).where(person.c.id == person_id))).mappings().one()


async def enable(as_artist) -> tuple[str, list[str]]:
    r = await as_artist.put("/auth/totp")
    assert r.status_code == 200, r.text
    secret = r.json()["otp_secret"]
    r = await as_artist.post("/auth/totp", json={"totp": code(secret)})
    assert r.status_code == 200, r.text
    return secret, r.json()["otp_recovery_codes"]


async def test_pre_enable_totp(as_artist, db, people):
    r = await as_artist.put("/auth/totp")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"totp_provisionning_uri", "otp_secret"}
    secret = body["otp_secret"]
    assert len(secret) == 32
    assert body["totp_provisionning_uri"] == (
        f"otpauth://totp/Kitsu%20Kitsu:{quote('user@example.com', safe='')}?secret={secret}&issuer=Kitsu%20Kitsu"
    )
    stored = await row(db, people["user"])
    assert stored["totp_secret"] == secret and stored["totp_enabled"] is False
    # each PUT replaces the pending secret
    assert (await as_artist.put("/auth/totp")).json()["otp_secret"] != secret


async def test_enable_totp(app, as_artist, db, people, settings):
    failed = {"error": True, "message": "TOTP verification failed.", "wrong_OTP": True}
    r = await as_artist.post("/auth/totp", json={"totp": "123456"})  # nothing prepared
    assert (r.status_code, r.json()) == (400, failed)
    secret = (await as_artist.put("/auth/totp")).json()["otp_secret"]
    wrong = "000000" if code(secret) != "000000" else "111111"
    r = await as_artist.post("/auth/totp", json={"totp": wrong})
    assert (r.status_code, r.json()) == (400, failed)
    r = await as_artist.post("/auth/totp", json={})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "totp"
    r = await as_artist.post("/auth/totp", json={"totp": code(secret)})
    assert r.status_code == 200, r.text
    body = r.json()
    codes = body["otp_recovery_codes"]
    assert len(codes) == 16 and all(len(c) == 10 and c.isalnum() and c.upper() == c for c in codes)
    assert len(set(codes)) == 16
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as fresh:
        assert (await fresh.get("/auth/authenticated")).json()["user"]["totp_enabled"] is True
    stored = await row(db, people["user"])
    assert stored["totp_enabled"] is True
    assert stored["preferred_two_factor_authentication"] == "totp"
    assert len(stored["otp_recovery_codes"]) == 16
    assert all(bytes(h).startswith(b"$2") for h in stored["otp_recovery_codes"])  # bcrypt, never the codes
    assert codes[0].encode() not in b"".join(bytes(h) for h in stored["otp_recovery_codes"])
    # already enabled
    already = {"error": True, "message": "TOTP already enabled."}
    r = await as_artist.put("/auth/totp")
    assert (r.status_code, r.json()) == (400, already)
    r = await as_artist.post("/auth/totp", json={"totp": code(secret, 1)})
    assert (r.status_code, r.json()) == (400, already)


async def test_login_with_totp(anon, as_artist, db, people):
    secret, codes = await enable(as_artist)
    creds = {"email": "user@example.com", "password": PASSWORD}
    r = await anon.post("/auth/login", json=creds)
    assert r.status_code == 400
    assert r.json() == {
        "error": True,
        "login": False,
        "missing_OTP": True,
        "message": "A two-factor authentication code is required.",
        "preferred_two_factor_authentication": "totp",
        "two_factor_authentication_enabled": ["recovery_code", "totp"],
    }
    assert (await row(db, people["user"]))["login_failed_attemps"] == 0  # a missing code is not a failure
    wrong_otp = {"error": True, "login": False, "wrong_OTP": True, "message": "Wrong two-factor authentication code."}
    r = await anon.post("/auth/login", json={**creds, "totp": ""})
    assert (r.status_code, r.json()) == (400, wrong_otp)
    assert (await row(db, people["user"]))["login_failed_attemps"] == 1
    # totp is tried first, even with a valid recovery code next to it
    r = await anon.post("/auth/login", json={**creds, "totp": "abc", "recovery_code": codes[0]})
    assert (r.status_code, r.json()) == (400, wrong_otp)
    next_code = code(secret, 1)
    r = await anon.post("/auth/login", json={**creds, "totp": next_code})
    assert r.status_code == 200, r.text
    assert r.json()["login"] is True
    assert (await row(db, people["user"]))["login_failed_attemps"] == 0
    # a code is good once: replaying it within its window fails
    r = await anon.post("/auth/login", json={**creds, "totp": next_code})
    assert (r.status_code, r.json()) == (400, wrong_otp)
    # wrong password is checked before the second factor
    r = await anon.post("/auth/login", json={**creds, "password": "nope", "totp": code(secret, -1)})
    assert r.json() == {"login": False, "message": "Wrong email or password."}


async def test_login_with_recovery_code(anon, as_artist, db, people):
    _, codes = await enable(as_artist)
    creds = {"email": "user@example.com", "password": PASSWORD}
    r = await anon.post("/auth/login", json={**creds, "recovery_code": codes[3].lower()})  # case-sensitive
    assert r.status_code == 400 and r.json()["wrong_OTP"] is True
    r = await anon.post("/auth/login", json={**creds, "recovery_code": codes[3]})
    assert r.status_code == 200, r.text
    assert len((await row(db, people["user"]))["otp_recovery_codes"]) == 15
    r = await anon.post("/auth/login", json={**creds, "recovery_code": codes[3]})  # single use
    assert r.status_code == 400 and r.json()["wrong_OTP"] is True


async def test_wrong_codes_count_towards_lockout(anon, as_artist, db, people):
    await enable(as_artist)
    creds = {"email": "user@example.com", "password": PASSWORD}
    for _ in range(5):
        assert (await anon.post("/auth/login", json={**creds, "totp": "999999x"})).json()["wrong_OTP"] is True
    r = await anon.post("/auth/login", json={**creds, "totp": "999999x"})
    assert r.json()["too_many_failed_login_attemps"] is True


async def test_recovery_codes_renewal(anon, as_artist, db, people):
    r = await as_artist.put("/auth/recovery-codes", json={"totp": "123456"})
    assert (r.status_code, r.json()) == (400, {"error": True, "message": "No two factor authentication enabled."})
    secret, codes = await enable(as_artist)
    failed = {"error": True, "message": "OTP verification failed.", "wrong_OTP": True}
    r = await as_artist.put("/auth/recovery-codes", json={})
    assert (r.status_code, r.json()) == (400, failed)
    r = await as_artist.put("/auth/recovery-codes", json={"recovery_code": "NOTACODE00"})
    assert (r.status_code, r.json()) == (400, failed)
    r = await as_artist.put("/auth/recovery-codes", json={"totp": code(secret, 1)})
    assert r.status_code == 200, r.text
    new_codes = r.json()["otp_recovery_codes"]
    assert len(new_codes) == 16 and not set(new_codes) & set(codes)
    # the old codes are gone, the new ones work (and the proof may be a recovery code)
    creds = {"email": "user@example.com", "password": PASSWORD}
    assert (await anon.post("/auth/login", json={**creds, "recovery_code": codes[0]})).status_code == 400
    r = await as_artist.put("/auth/recovery-codes", json={"recovery_code": new_codes[0]})
    assert r.status_code == 200 and len(r.json()["otp_recovery_codes"]) == 16
    assert (await anon.put("/auth/recovery-codes", json={})).status_code == 401


async def test_disable_totp(anon, as_artist, db, people):
    r = await as_artist.request("DELETE", "/auth/totp", json={"totp": "123456"})
    assert (r.status_code, r.json()) == (400, {"error": True, "message": "TOTP not enabled."})
    secret, _ = await enable(as_artist)
    r = await as_artist.request("DELETE", "/auth/totp", json={})
    assert (r.status_code, r.json()) == (400, {"error": True, "message": "OTP verification failed.", "wrong_OTP": True})
    r = await as_artist.request("DELETE", "/auth/totp", json={"totp": code(secret, -1)})
    assert (r.status_code, r.json()) == (200, {"success": True})
    stored = await row(db, people["user"])
    assert stored["totp_enabled"] is False and stored["totp_secret"] is None
    assert stored["otp_recovery_codes"] is None and stored["preferred_two_factor_authentication"] is None
    r = await anon.post("/auth/login", json={"email": "user@example.com", "password": PASSWORD})
    assert r.status_code == 200
    assert (await anon.request("DELETE", "/auth/totp", json={})).status_code == 401


async def test_disable_totp_keeps_other_method(as_artist, db, people):
    secret, _ = await enable(as_artist)
    await db.execute(update(person).where(person.c.id == people["user"]).values(email_otp_enabled=True))
    await db.flush()
    r = await as_artist.request("DELETE", "/auth/totp", json={"totp": code(secret, 1)})
    assert r.status_code == 200
    stored = await row(db, people["user"])
    assert stored["preferred_two_factor_authentication"] == "email_otp"
    assert len(stored["otp_recovery_codes"]) == 16
