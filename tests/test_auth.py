"""/auth: login, lockout, logout, refresh, who-am-I, token validation, password change."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import jwt
import pytest
from sqlalchemy import func, select, update

from app.core.security import encode_token, hash_password, new_jti
from app.repositories.tables.base import utc_now
from app.repositories.tables.people import LoginLog, Person

PASSWORD = "mysecretpassword"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
WRONG = {"login": False, "message": "Wrong email or password."}
person = Person.__table__


def client(app, token: str | None = None, **headers: str) -> httpx.AsyncClient:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers)


async def login(anon, email="user@example.com", password=PASSWORD, **extra):
    return await anon.post("/auth/login", json={"email": email, "password": password, **extra})


def claims(settings, token):
    return jwt.decode(token, settings.jwt_secret(), algorithms=["HS256"])


async def person_row(db, person_id):
    return (await db.execute(select(person).where(person.c.id == person_id))).mappings().one()


async def set_person(db, person_id, **values):
    await db.execute(update(person).where(person.c.id == person_id).values(**values))
    await db.flush()


# --- Login --------------------------------------------------------------------------------------


async def test_login_script(anon, db, people, settings):
    before = (await db.execute(select(func.count()).select_from(LoginLog))).scalar()
    r = await anon.post(
        "/auth/login", json={"email": "User@Example.com", "password": PASSWORD}, headers={"X-Real-IP": "10.1.2.3"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["login"] is True
    assert body["user"]["id"] == people["user"]
    assert body["user"]["email"] == "user@example.com"
    assert body["user"]["type"] == "Person"
    assert body["user"]["full_name"] == "User Tester"
    for secret in ("password", "totp_secret", "otp_recovery_codes", "jti", "login_failed_attemps"):
        assert secret not in body["user"]
    assert body["organisation"]["type"] == "Organisation"
    assert "chat_token_slack" not in body["organisation"]
    access, refresh = claims(settings, body["access_token"]), claims(settings, body["refresh_token"])
    assert access["type"] == "access" and refresh["type"] == "refresh"
    assert access["identity_type"] == refresh["identity_type"] == "person"
    assert access["sub"] == refresh["sub"] == people["user"]
    assert access["refresh_jti"] == refresh["jti"]
    assert access["exp"] - access["iat"] == 7 * 86400
    assert refresh["exp"] - refresh["iat"] == 15 * 86400
    assert "set-cookie" not in r.headers  # scripts get no cookies
    logs = (await db.execute(select(LoginLog.__table__).where(LoginLog.person_id == people["user"]))).mappings().all()
    assert len(logs) >= 1
    assert (await db.execute(select(func.count()).select_from(LoginLog))).scalar() == before + 1
    last = max(logs, key=lambda row: row["created_at"])
    assert last["origin"] == "script" and last["ip_address"] == "10.1.2.3"


async def test_login_browser_sets_cookies(app, db, people, settings):
    async with client(app, **{"User-Agent": CHROME}) as browser:
        r = await login(browser, "admin@example.com")
        assert r.status_code == 200, r.text
        assert "chat_token_slack" in r.json()["organisation"]  # admins see the chat settings
        cookies = r.headers.get_list("set-cookie")
        access = next(c for c in cookies if c.startswith("access_token_cookie="))
        refresh = next(c for c in cookies if c.startswith("refresh_token_cookie="))
        assert "HttpOnly" in access and "Path=/;" in access and "SameSite=lax" in access.replace("Lax", "lax")
        assert "Max-Age=31540000" in access
        assert "Path=/auth/refresh-token" in refresh
        # the browser is now authenticated by cookie alone
        r = await browser.get("/auth/authenticated")
        assert r.status_code == 200 and r.json()["user"]["id"] == people["admin"]
    log = (
        (
            await db.execute(
                select(LoginLog.__table__)
                .where(LoginLog.person_id == people["admin"])
                .order_by(LoginLog.created_at.desc())
            )
        )
        .mappings()
        .first()
    )
    assert log["origin"] == "web" and log["ip_address"] == "127.0.0.1"


async def test_login_by_desktop_login_and_form(anon, db, people):
    await set_person(db, people["manager"], desktop_login="mgr-desk")
    r = await login(anon, "mgr-desk")
    assert r.status_code == 200 and r.json()["user"]["id"] == people["manager"]
    r = await anon.post("/auth/login", data={"email": "manager@example.com", "password": PASSWORD})
    assert r.status_code == 200, r.text


async def test_login_failures(anon, db, people):
    r = await login(anon, password="wrong")
    assert (r.status_code, r.json()) == (400, WRONG)
    r = await login(anon, email="nobody@example.com")
    assert (r.status_code, r.json()) == (400, WRONG)
    r = await anon.post("/auth/login", json={"password": PASSWORD})
    assert r.status_code == 400
    errors = [{"field": "email", "message": "Field required"}]
    assert r.json() == {"error": True, "message": "Validation error.", "data": {"errors": errors}}
    r = await anon.post("/auth/login", json={"email": 12, "password": PASSWORD})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["message"] == "Input should be a valid string"
    await set_person(db, people["vendor"], password=None)
    r = await login(anon, "vendor@example.com")
    assert (r.status_code, r.json()) == (400, WRONG)


async def test_login_inactive(anon, db, people):
    await set_person(db, people["client"], active=False)
    r = await login(anon, "client@example.com")
    assert r.status_code == 401
    assert r.json() == {
        "error": True,
        "login": False,
        "unactive": True,
        "message": "User is unactive, he cannot log in.",
    }
    r = await login(anon, "client@example.com", "wrong")
    assert (r.status_code, r.json()) == (400, WRONG)


async def test_bots_cannot_log_in(anon, db):
    hashed = await hash_password(PASSWORD, 4)
    await db.execute(
        person.insert().values(
            id=str(uuid.uuid4()),
            first_name="Bot",
            last_name="X",
            email="bot@example.com",
            is_bot=True,
            is_guest=False,
            role="user",
            contract_type="open-ended",
            password=hashed,
        )
    )
    await db.flush()
    r = await login(anon, "bot@example.com")
    assert (r.status_code, r.json()) == (400, WRONG)


async def test_lockout_after_five_failures(anon, db, people, settings):
    pid = people["supervisor"]
    for n in range(1, 6):
        r = await login(anon, "supervisor@example.com", "wrong")
        assert (r.status_code, r.json()) == (400, WRONG)
        assert (await person_row(db, pid))["login_failed_attemps"] == n  # committed despite the 400
    r = await login(anon, "supervisor@example.com")  # right password, still refused
    assert r.status_code == 400
    assert r.json() == {
        "error": True,
        "login": False,
        "too_many_failed_login_attemps": True,
        "message": "Too many failed login attempts, retry in a minute.",
    }
    assert (await person_row(db, pid))["login_failed_attemps"] == 5
    # the minute is over: a new burst starts
    await set_person(db, pid, last_login_failed=utc_now() - timedelta(minutes=2))
    r = await login(anon, "supervisor@example.com", "wrong")
    assert (r.status_code, r.json()) == (400, WRONG)
    assert (await person_row(db, pid))["login_failed_attemps"] == 1
    r = await login(anon, "supervisor@example.com")
    assert r.status_code == 200
    assert (await person_row(db, pid))["login_failed_attemps"] == 0


async def test_default_password_gives_reset_token(anon, db, people):
    await set_person(db, people["vendor"], password=await hash_password("default", 4))
    before = (await db.execute(select(func.count()).select_from(LoginLog))).scalar()
    r = await anon.post("/auth/login", json={"email": "vendor@example.com"})  # password defaults to "default"
    assert r.status_code == 400
    body = r.json()
    assert body["login"] is False and body["default_password"] is True
    assert len(body["token"]) == 64 and body["token"].isalnum() and body["token"].upper() == body["token"]
    assert (await db.execute(select(func.count()).select_from(LoginLog))).scalar() == before
    r = await anon.put(
        "/auth/reset-password",
        json={
            "email": "vendor@example.com",
            "token": body["token"],
            "password": "newpassword1",
            "password2": "newpassword1",
        },
    )
    assert r.json() == {"success": True}
    assert (await login(anon, "vendor@example.com", "newpassword1")).status_code == 200


# --- Who am I and token validation --------------------------------------------------------------


async def test_authenticated(as_artist, as_admin, anon, people):
    r = await as_artist.get("/auth/authenticated")
    assert r.status_code == 200
    body = r.json()
    assert body["authenticated"] is True
    assert body["user"]["id"] == people["user"] and body["user"]["role"] == "user"
    assert body["user"]["fido_devices"] == []
    assert "password" not in body["user"]
    assert "chat_token_slack" not in body["organisation"]
    r = await as_admin.get("/api/auth/authenticated")
    assert r.status_code == 200 and "chat_token_slack" in r.json()["organisation"]
    r = await anon.get("/auth/authenticated")
    assert r.status_code == 401
    assert r.json() == {
        "msg": 'Missing JWT in cookies or headers (Missing cookie "access_token_cookie"; Missing Authorization Header)'
    }
    r = await anon.get("/auth/authenticated", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401 and "Missing 'Bearer' type" in r.json()["msg"]


async def test_token_problems(app, settings, people):
    pid = people["user"]
    expired, _ = encode_token(settings, pid, "access", expires=timedelta(seconds=-5))
    bad_signature = jwt.encode(
        {"sub": pid, "jti": new_jti(), "type": "access", "identity_type": "person"},
        "another-secret-key-long-enough-for-hs256",
        algorithm="HS256",
    )
    unknown_person, _ = encode_token(settings, str(uuid.uuid4()), "access", expires=timedelta(days=1))
    not_a_uuid, _ = encode_token(settings, "abc", "access", expires=timedelta(days=1))
    no_identity, _ = encode_token(settings, pid, "access", expires=timedelta(days=1), identity_type="other")
    cases = [
        (expired, 401, {"error": True, "message": "Signature has expired"}),
        (bad_signature, 422, {"msg": "Signature verification failed"}),
        ("garbage", 422, {"msg": "Not enough segments"}),
        (unknown_person, 401, None),
        (not_a_uuid, 401, None),
        (no_identity, 401, {"msg": "Token has been revoked"}),
    ]
    for token, status, body in cases:
        async with client(app, token) as c:
            r = await c.get("/auth/authenticated")
        assert r.status_code == status, (token, r.text)
        if body:
            assert r.json() == body
        else:
            assert r.json()["error"] is True and "authorized" in r.json()["message"]


async def test_inactive_person_token_refused(as_artist, db, people):
    await set_person(db, people["user"], active=False)
    r = await as_artist.get("/auth/authenticated")
    assert r.status_code == 401 and r.json()["error"] is True


async def test_bot_and_api_tokens_follow_person_jti(app, db, settings, people):
    bot_id = str(uuid.uuid4())
    jti = new_jti()
    await db.execute(
        person.insert().values(
            id=bot_id,
            first_name="Bot",
            last_name="B",
            is_bot=True,
            is_guest=False,
            role="user",
            contract_type="open-ended",
            active=True,
            jti=jti,
        )
    )
    await db.flush()
    bot_token, _ = encode_token(settings, bot_id, "access", jti=jti, identity_type="bot")
    async with client(app, bot_token) as bot:
        r = await bot.get("/auth/authenticated")
        assert r.status_code == 200 and r.json()["user"]["is_bot"] is True
        for method, path in (("GET", "/auth/logout"), ("POST", "/auth/change-password"), ("PUT", "/auth/totp")):
            r = await bot.request(method, path, json={})
            assert r.status_code == 403, (path, r.text)
        await set_person(db, bot_id, jti=new_jti())  # a new token was issued: the old one dies
        r = await bot.get("/auth/authenticated")
        assert (r.status_code, r.json()) == (401, {"msg": "Token has been revoked"})

    # an API token of an ordinary person
    api_jti = new_jti()
    await set_person(db, people["manager"], jti=api_jti)
    api_token, _ = encode_token(settings, people["manager"], "access", jti=api_jti, identity_type="person_api")
    async with client(app, api_token) as api:
        assert (await api.get("/auth/authenticated")).status_code == 200
        r = await api.get("/auth/logout")  # allowed, but an API token survives a logout (as in Zou)
        assert r.json() == {"logout": True}
        assert (await api.get("/auth/authenticated")).status_code == 200
        await set_person(db, people["manager"], jti=None)
        assert (await api.get("/auth/authenticated")).status_code == 401


# --- Logout and refresh -------------------------------------------------------------------------


async def test_logout_revokes_access_and_refresh(app, anon):
    tokens = (await login(anon)).json()
    async with client(app, tokens["access_token"]) as c:
        r = await c.get("/auth/logout")
        assert (r.status_code, r.json()) == (200, {"logout": True})
        r = await c.get("/auth/authenticated")
        assert (r.status_code, r.json()) == (401, {"msg": "Token has been revoked"})
        r = await c.get("/auth/logout")
        assert r.status_code == 401
    async with client(app, tokens["refresh_token"]) as c:
        r = await c.get("/auth/refresh-token")
        assert (r.status_code, r.json()) == (401, {"msg": "Token has been revoked"})
    assert (await anon.get("/auth/logout")).status_code == 401


async def test_logout_other_session_untouched(app, anon):
    first = (await login(anon)).json()
    second = (await login(anon)).json()
    async with client(app, first["access_token"]) as c:
        assert (await c.get("/auth/logout")).status_code == 200
    async with client(app, second["access_token"]) as c:
        assert (await c.get("/auth/authenticated")).status_code == 200


async def test_logout_browser_unsets_cookies(app):
    async with client(app, **{"User-Agent": CHROME}) as browser:
        assert (await login(browser)).status_code == 200
        r = await browser.get("/auth/logout")
        assert r.status_code == 200
        cookies = r.headers.get_list("set-cookie")
        assert any(c.startswith('access_token_cookie=""') or c.startswith("access_token_cookie=;") for c in cookies)
        assert any(c.startswith("refresh_token_cookie=") and "1970" in c for c in cookies)


async def test_refresh_token(app, anon, settings, people):
    tokens = (await login(anon)).json()
    async with client(app, tokens["refresh_token"]) as c:
        r = await c.get("/auth/refresh-token")
        assert r.status_code == 200, r.text
        access = r.json()["access_token"]
        assert set(r.json()) == {"access_token"}
        # the refresh token is not rotated: it can be used again
        assert (await c.get("/auth/refresh-token")).status_code == 200
        # a refresh token is not an access token
        r = await c.get("/auth/authenticated")
        assert (r.status_code, r.json()) == (422, {"msg": "Only non-refresh tokens are allowed"})
    data = claims(settings, access)
    assert data["refresh_jti"] == claims(settings, tokens["refresh_token"])["jti"]
    assert data["identity_type"] == "person" and data["sub"] == people["user"]
    async with client(app, access) as c:
        assert (await c.get("/auth/authenticated")).json()["user"]["id"] == people["user"]
        # logging out the new access token also kills the refresh token it came from
        r = await c.get("/auth/refresh-token")
        assert (r.status_code, r.json()) == (422, {"msg": "Only refresh tokens are allowed"})
        assert (await c.get("/auth/logout")).status_code == 200
    async with client(app, tokens["refresh_token"]) as c:
        assert (await c.get("/auth/refresh-token")).status_code == 401
    r = await anon.get("/auth/refresh-token")
    assert r.status_code == 401 and 'Missing cookie "refresh_token_cookie"' in r.json()["msg"]


async def test_refresh_token_by_cookie(app):
    async with client(app, **{"User-Agent": CHROME}) as browser:
        tokens = (await login(browser)).json()
        # the refresh cookie is scoped to /auth/refresh-token, send it as the browser would there
        browser.cookies.clear()
        r = await browser.get("/auth/refresh-token", cookies={"refresh_token_cookie": tokens["refresh_token"]})
        assert (r.status_code, r.json()) == (200, {"refresh": True})
        cookies = r.headers.get_list("set-cookie")
        assert any(c.startswith("access_token_cookie=ey") for c in cookies)
        assert any(c.startswith("refresh_token_cookie=") and "1970" in c for c in cookies)


# --- Change password ----------------------------------------------------------------------------


async def test_change_password(app, anon, db, people, settings):
    pid = people["user"]
    old_session = (await login(anon)).json()
    await asyncio.sleep(1.05)  # tokens carry whole seconds: make the old session strictly older
    current = (await login(anon)).json()
    await asyncio.sleep(1.05)
    async with client(app, current["access_token"]) as c:
        r = await c.post(
            "/auth/change-password",
            json={"old_password": "wrong", "password": "newpassword1", "password_2": "newpassword1"},
        )
        assert (r.status_code, r.json()) == (400, {"error": True, "message": "Old password is wrong."})
        assert (await person_row(db, pid))["login_failed_attemps"] == 1  # counts as a failed login
        r = await c.post(
            "/auth/change-password", json={"old_password": PASSWORD, "password": "short", "password_2": "other"}
        )
        assert (r.status_code, r.json()) == (400, {"error": True, "message": "Password is too short."})
        r = await c.post(
            "/auth/change-password",
            json={"old_password": PASSWORD, "password": "newpassword1", "password_2": "newpassword2"},
        )
        assert (r.status_code, r.json()) == (400, {"error": True, "message": "Confirmation password doesn't match."})
        r = await c.post("/auth/change-password", json={"old_password": PASSWORD})
        assert r.status_code == 400 and [e["field"] for e in r.json()["data"]["errors"]] == ["password", "password_2"]
        r = await c.post(
            "/auth/change-password",
            json={"old_password": PASSWORD, "password": "newpassword1", "password_2": "newpassword1"},
        )
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["success"] is True
        # every earlier session is revoked, including the one used here ...
        assert (await c.get("/auth/authenticated")).status_code == 401
    for token in (old_session["access_token"], current["access_token"]):
        async with client(app, token) as c:
            assert (await c.get("/auth/authenticated")).json() == {"msg": "Token has been revoked"}
    async with client(app, old_session["refresh_token"]) as c:
        assert (await c.get("/auth/refresh-token")).status_code == 401
    # ... and the caller goes on with the new pair it received
    async with client(app, answer["access_token"]) as c:
        assert (await c.get("/auth/authenticated")).status_code == 200
    assert (await person_row(db, pid))["login_failed_attemps"] == 0
    assert (await login(anon)).status_code == 400
    assert (await login(anon, password="newpassword1")).status_code == 200


async def test_change_password_locked_and_unauthenticated(anon, as_artist, db, people):
    r = await anon.post("/auth/change-password", json={"old_password": "a", "password": "b", "password_2": "b"})
    assert r.status_code == 401
    await set_person(db, people["user"], login_failed_attemps=5, last_login_failed=utc_now())
    r = await as_artist.post(
        "/auth/change-password",
        json={"old_password": PASSWORD, "password": "newpassword1", "password_2": "newpassword1"},
    )
    assert r.status_code == 400
    assert r.json() == {
        "error": True,
        "message": "Too many failed login attempts.",
        "too_many_failed_login_attemps": True,
    }


@pytest.mark.parametrize("role", ["admin", "manager", "supervisor", "user", "client", "vendor"])
async def test_every_role_may_use_own_auth_routes(client_for, people, role):
    async with client_for(people[role]) as c:
        assert (await c.get("/auth/authenticated")).status_code == 200
        r = await c.put("/auth/recovery-codes", json={})
        assert r.json() == {"error": True, "message": "No two factor authentication enabled."}
        assert (await c.get("/auth/logout")).status_code == 200
