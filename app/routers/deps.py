"""Typed dependencies shared by every router: settings, the request's session, the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.storage import Storage
from app.domain import auth, stored_files
from app.domain.events import take_pending
from app.domain.permissions import Caller

ACCESS_COOKIE = "access_token_cookie"
REFRESH_COOKIE = "refresh_token_cookie"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_storage(request: Request) -> Storage:
    return request.app.state.storage


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session and one transaction per request. After the commit, events are published and
    the stored files of deleted rows removed (`stored_files.discard`); a rollback drops both."""
    factory = request.app.state.sessionmaker
    async with factory() as session:
        try:
            async with session.begin():
                yield session
        except BaseException:
            take_pending(session)
            stored_files.take_pending(session)
            raise
        pending = take_pending(session)
        removals = stored_files.take_pending(session)
    if pending:
        await request.app.state.bus.publish(pending)
    if removals:
        await stored_files.remove(request.app.state.storage, removals)


def read_token(request: Request, cookie: str = ACCESS_COOKIE) -> tuple[str | None, str]:
    """The JWT of a request and, when there is none, Zou's message saying why.

    As in Zou (flask-jwt-extended), the cookie comes first: when present it is the only one
    read. Then `Authorization: Bearer <jwt>`; a bare token is also accepted (some scripts send it).
    """
    value = request.cookies.get(cookie)
    if value:
        return value, ""
    header = request.headers.get("authorization")
    if not header:
        return None, f'Missing JWT in cookies or headers (Missing cookie "{cookie}"; Missing Authorization Header)'
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() == "bearer" and rest.strip():
        return rest.strip(), ""
    if not rest and scheme.count(".") == 2:  # a bare JWT
        return scheme, ""
    return None, (
        f"Missing JWT in cookies or headers (Missing cookie \"{cookie}\"; Missing 'Bearer' type in "
        "'Authorization' header. Expected 'Authorization: Bearer <JWT>')"
    )


def bearer_token(request: Request, cookie: str = ACCESS_COOKIE) -> str | None:
    return read_token(request, cookie)[0]


AppSettings = Annotated[Settings, Depends(get_settings)]
FileStorage = Annotated[Storage, Depends(get_storage)]
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]  # commit before the response is sent


async def get_caller(request: Request, session: DbSession, settings: AppSettings) -> Caller:
    token, missing = read_token(request)
    return await auth.authenticate(session, settings, token, missing=missing, method=request.method)


CurrentUser = Annotated[Caller, Depends(get_caller)]
