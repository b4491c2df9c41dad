"""Answer HEAD like GET without a body, as Flask (and so Zou) does; gazu's `host_is_up` sends HEAD."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEAD_FLAG = "tsubame.head"
"""Scope key set on a HEAD request served as GET (file responses then skip reading the file)."""


def is_head(request: Request) -> bool:
    """Whether the client sent HEAD (the route sees GET): no body will be sent."""
    return bool(request.scope.get(HEAD_FLAG))


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET", HEAD_FLAG: True}, receive, send_without_body)
