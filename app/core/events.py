"""The event bus: events are persisted by the domain, then published here after commit.

In-process subscribers (the Socket.IO bridge, tests) always receive them; when
`REDIS_URL` is set they also go through a Redis channel so several workers share them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

log = logging.getLogger(__name__)
CHANNEL = "tsubame:events"
Subscriber = Callable[[dict[str, Any]], Awaitable[None]]


class EventBus:
    def __init__(self, redis_url: str | None = None) -> None:
        self.redis_url = redis_url
        self._redis = None
        self._subscribers: list[Subscriber] = []

    async def start(self) -> None:
        if self.redis_url:
            import redis.asyncio as redis

            self._redis = redis.from_url(self.redis_url)

    async def stop(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.remove(subscriber)

    async def publish(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            for subscriber in list(self._subscribers):
                try:
                    await subscriber(event)
                except Exception:  # a broken listener must not break the request
                    log.exception("event subscriber failed")
        if self._redis is not None and events:
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for event in events:
                        pipe.publish(CHANNEL, orjson.dumps(event))
                    await pipe.execute()
            except Exception:
                log.warning("could not publish events to redis", exc_info=True)

    async def healthy(self) -> bool:
        if self._redis is None:
            return True
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), timeout=1))
        except Exception:
            return False
