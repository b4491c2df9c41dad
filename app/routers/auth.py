"""`/auth/*`: login, logout, refresh, authentication check, password change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response

from app.core.responses import JSONResponse
from app.domain import auth
from app.routers.deps import ACCESS_COOKIE, REFRESH_COOKIE, AppSettings, CurrentUser, DbSession, bearer_token
from app.schemas.auth import LoginBody

router = APIRouter(prefix="/auth", tags=["auth"])


def set_token_cookies(response: Response, settings, access: str, refresh: str | None = None) -> None:
    secure = settings.domain_protocol == "https"
    response.set_cookie(ACCESS_COOKIE, access, httponly=True, samesite="lax", secure=secure,
                        max_age=settings.access_token_days * 86400, path="/")
    if refresh:
        response.set_cookie(REFRESH_COOKIE, refresh, httponly=True, samesite="lax", secure=secure,
                            max_age=settings.refresh_token_days * 86400, path="/")


@router.post("/login", summary="Log in with email and password")
async def login(request: Request, session: DbSession, settings: AppSettings, body: Annotated[LoginBody, Body()]):
    ip = request.client.host if request.client else None
    try:
        answer = await auth.login(session, settings, body.email, body.password, ip,
                                  check_second_factor=auth.second_factor_checker(session, body))
    except auth.LoginFailed as failed:
        # a normal answer, not an exception: the failed-attempt counter must be committed
        return JSONResponse(failed.body, status_code=400)
    response = JSONResponse(answer)
    set_token_cookies(response, settings, answer["access_token"], answer["refresh_token"])
    return response


@router.get("/logout", summary="Log out: revoke the token")
async def logout(request: Request, session: DbSession, settings: AppSettings, caller: CurrentUser):
    await auth.revoke(session, settings, bearer_token(request))
    response = JSONResponse({"logout": True})
    response.delete_cookie(ACCESS_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path="/")
    return response


@router.get("/refresh-token", summary="Trade a refresh token for a new access token")
async def refresh_token(request: Request, session: DbSession, settings: AppSettings):
    token = bearer_token(request, REFRESH_COOKIE)
    caller = await auth.authenticate(session, settings, token, token_type="refresh")
    access = auth.refresh_access(settings, caller)
    response = JSONResponse({"access_token": access})
    set_token_cookies(response, settings, access)
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
