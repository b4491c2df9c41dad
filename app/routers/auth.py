"""`/auth/*`: login, logout, refresh, who-am-I, passwords, TOTP and recovery codes."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ValidationError
from starlette.background import BackgroundTask

from app.core.errors import DomainError
from app.core.mail import Mail, send_all
from app.core.responses import JSONResponse
from app.domain import auth, two_factor
from app.domain.permissions import Caller
from app.routers.deps import ACCESS_COOKIE, REFRESH_COOKIE, AppSettings, CurrentUser, DbSession, read_token
from app.schemas.auth import (
    ChangePasswordBody,
    LoginBody,
    ResetPasswordBody,
    ResetPasswordRequestBody,
    TotpBody,
    TwoFactorProof,
)

router = APIRouter(prefix="/auth", tags=["auth"])

COOKIE_MAX_AGE = 31540000  # about a year, as Zou
REFRESH_COOKIE_PATH = "/auth/refresh-token"

Body = TypeVar("Body", bound=BaseModel)


# --- Request helpers ----------------------------------------------------------------------------


class BodyInvalid(DomainError):
    """Zou's validation answer: every failing field, in the schema's order."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("Validation error.", data={"errors": errors})


async def read_body(request: Request, model: type[Body]) -> Body:
    """A JSON object body, else form or query values (as Zou reads them), validated by `model`."""
    data: Any = None
    try:
        data = await request.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = dict(request.query_params)
        if "form" in request.headers.get("content-type", ""):
            data.update((await request.form()).items())
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"]} for err in exc.errors()
        ]
        raise BodyInvalid(errors) from None


def body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """Document a body read by `read_body` in the OpenAPI schema."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


_BROWSER = re.compile(r"(Firefox|FxiOS|Chrome|CriOS|Edg|OPR|Opera|Vivaldi|Brave|Safari)/", re.IGNORECASE)
_NOT_BROWSER = re.compile(r"(Electron|Headless|bot|crawler|spider)", re.IGNORECASE)


def is_browser(request: Request) -> bool:
    """Only browsers get cookies; scripts get the tokens in the body only (as Zou does)."""
    agent = request.headers.get("user-agent", "")
    return agent.startswith("Mozilla/") and bool(_BROWSER.search(agent)) and not _NOT_BROWSER.search(agent)


def set_token_cookies(response: Response, settings, access: str, refresh: str | None = None) -> None:
    secure = settings.domain_protocol == "https"
    response.set_cookie(
        ACCESS_COOKIE, access, max_age=COOKIE_MAX_AGE, path="/", httponly=True, samesite="lax", secure=secure
    )
    if refresh:
        response.set_cookie(
            REFRESH_COOKIE,
            refresh,
            max_age=COOKIE_MAX_AGE,
            path=REFRESH_COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=secure,
        )


def unset_cookie(response: Response, name: str, path: str) -> None:
    """An empty cookie that expired in 1970, as Zou unsets them."""
    response.headers.append(
        "set-cookie", f"{name}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path={path}; SameSite=Lax"
    )


def mail_task(settings, *mails: Mail | None) -> BackgroundTask | None:
    """Mails go out after the answer, so that the answer's timing says nothing about them."""
    todo = [m for m in mails if m is not None]
    return BackgroundTask(send_all, settings, todo) if todo else None


async def person_caller(caller: CurrentUser) -> Caller:
    return auth.require_person(caller)


PersonCaller = Annotated[Caller, Depends(person_caller)]


# --- Login, logout, refresh, who am I -----------------------------------------------------------


@router.post("/login", summary="Log in with email (or desktop login) and password", openapi_extra=body_doc(LoginBody))
async def login(request: Request, session: DbSession, settings: AppSettings):
    body = await read_body(request, LoginBody)
    browser = is_browser(request)
    ip = auth.client_ip(request.headers.get("x-real-ip"), request.client.host if request.client else None)
    try:
        answer = await auth.login(session, settings, body, ip, origin="web" if browser else "script")
    except auth.LoginFailed as failed:
        # an answer, not an exception: the transaction (failed-attempt counter) must be committed
        return JSONResponse(failed.body, status_code=failed.status_code)
    response = JSONResponse(answer)
    if browser:
        set_token_cookies(response, settings, answer["access_token"], answer["refresh_token"])
    return response


@router.get("/logout", summary="Log out: revoke this session's tokens")
async def logout(request: Request, session: DbSession, settings: AppSettings, caller: PersonCaller):
    await auth.logout(session, settings, caller)
    response = JSONResponse({"logout": True})
    if is_browser(request):
        unset_cookie(response, ACCESS_COOKIE, "/")
        unset_cookie(response, REFRESH_COOKIE, REFRESH_COOKIE_PATH)
    return response


@router.get("/refresh-token", summary="Trade a refresh token for a new access token")
async def refresh_token(request: Request, session: DbSession, settings: AppSettings):
    token, missing = read_token(request, REFRESH_COOKIE)
    caller = await auth.authenticate(
        session, settings, token, token_type="refresh", missing=missing, method=request.method
    )
    auth.require_person(caller)
    access = auth.refresh_access(settings, caller)
    if not is_browser(request):
        return JSONResponse({"access_token": access})
    response = JSONResponse({"refresh": True})
    set_token_cookies(response, settings, access)
    unset_cookie(response, REFRESH_COOKIE, REFRESH_COOKIE_PATH)
    return response


@router.get("/authenticated", summary="Who am I")
async def authenticated(session: DbSession, caller: CurrentUser):
    return JSONResponse(
        {
            "authenticated": True,
            "user": {**caller.person, "fido_devices": []},
            "organisation": await auth.organisation(session, caller.is_admin),
        }
    )


# --- Passwords ----------------------------------------------------------------------------------


@router.post("/change-password", summary="Change one's password", openapi_extra=body_doc(ChangePasswordBody))
async def change_password(request: Request, session: DbSession, settings: AppSettings, caller: PersonCaller):
    body = await read_body(request, ChangePasswordBody)
    try:
        tokens, mail = await auth.change_password(
            session, settings, caller, body.old_password, body.password, body.password_2
        )
    except auth.AuthError as error:
        # answered, not raised: a wrong old password is a failed login and its count must be committed
        return JSONResponse(error.body(), status_code=error.status_code)
    answer: dict[str, Any] = {"success": True}
    if tokens:
        # earlier sessions are revoked, this one continues with a new pair
        answer.update(access_token=tokens[0], refresh_token=tokens[1])
    response = JSONResponse(answer, background=mail_task(settings, mail))
    if tokens and is_browser(request):
        set_token_cookies(response, settings, *tokens)
    return response


@router.post(
    "/reset-password", summary="Ask for a password reset link by mail", openapi_extra=body_doc(ResetPasswordRequestBody)
)
async def ask_password_reset(request: Request, session: DbSession, settings: AppSettings):
    body = await read_body(request, ResetPasswordRequestBody)
    mail = await auth.request_password_reset(session, settings, body.email)
    return JSONResponse({"success": "Reset token sent"}, background=mail_task(settings, mail))


@router.put(
    "/reset-password", summary="Set a new password with a reset token", openapi_extra=body_doc(ResetPasswordBody)
)
async def reset_password(request: Request, session: DbSession, settings: AppSettings):
    body = await read_body(request, ResetPasswordBody)
    await auth.reset_password(session, settings, body.email, body.token, body.password, body.password2)
    return JSONResponse({"success": True})


# --- Two-factor authentication ------------------------------------------------------------------


@router.put("/totp", summary="Prepare TOTP: a new secret and its provisioning URI")
async def pre_enable_totp(session: DbSession, caller: PersonCaller):
    org = await auth.organisation(session, False)
    return JSONResponse(await two_factor.pre_enable_totp(session, caller.id, org["name"]))


@router.post("/totp", summary="Enable TOTP with a code from the prepared secret", openapi_extra=body_doc(TotpBody))
async def enable_totp(request: Request, session: DbSession, settings: AppSettings, caller: PersonCaller):
    body = await read_body(request, TotpBody)
    codes = await two_factor.enable_totp(session, settings, caller.id, body.totp)
    access, refresh = auth.issue_tokens(settings, caller.id)
    response = JSONResponse({"otp_recovery_codes": codes, "access_token": access, "refresh_token": refresh})
    if is_browser(request):
        set_token_cookies(response, settings, access, refresh)
    return response


@router.delete("/totp", summary="Disable TOTP (needs a second-factor proof)", openapi_extra=body_doc(TwoFactorProof))
async def disable_totp(request: Request, session: DbSession, caller: PersonCaller):
    proof = await read_body(request, TwoFactorProof)
    await two_factor.disable_totp(session, caller.id, proof)
    return JSONResponse({"success": True})


@router.put(
    "/recovery-codes",
    summary="Replace one's recovery codes (needs a second-factor proof)",
    openapi_extra=body_doc(TwoFactorProof),
)
async def new_recovery_codes(request: Request, session: DbSession, settings: AppSettings, caller: PersonCaller):
    proof = await read_body(request, TwoFactorProof)
    codes = await two_factor.renew_recovery_codes(session, settings, caller.id, proof)
    return JSONResponse({"otp_recovery_codes": codes})
