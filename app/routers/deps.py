"""Typed dependencies shared by every router: settings, the request's session, the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.domain import auth
from app.domain.events import take_pending
from app.domain.permissions import Caller

ACCESS_COOKIE = "access_token_cookie"
REFRESH_COOKIE = "refresh_token_cookie"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session and one transaction per request; events are published after commit."""
    factory = request.app.state.sessionmaker
    async with factory() as session:
        async with session.begin():
            yield session
        pending = take_pending(session)
    if pending:
        await request.app.state.bus.publish(pending)


def bearer_token(request: Request, cookie: str = ACCESS_COOKIE) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value:
            return value.strip()
        if not value:  # gazu and curl users sometimes send the bare token
            return scheme.strip()
    return request.cookies.get(cookie)


AppSettings = Annotated[Settings, Depends(get_settings)]
DbSession = Annotated[AsyncSession, Depends(get_session)]


async def get_caller(request: Request, session: DbSession, settings: AppSettings) -> Caller:
    return await auth.authenticate(session, settings, bearer_token(request))


CurrentUser = Annotated[Caller, Depends(get_caller)]
