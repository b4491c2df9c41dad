"""Database engine and per-request sessions.

One request = one session = one transaction: `session_scope` commits when the
request handler returns and rolls back on any error, so nothing is half-written.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.core.config import Settings

log = logging.getLogger(__name__)
_embedded = None


def embedded_url(data_dir: Path) -> str:
    """Start (or reuse) a private PostgreSQL under `data_dir/pgdata` and return its URL."""
    global _embedded
    import pgserver

    pgdata = (data_dir / "pgdata").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    if _embedded is None:
        _embedded = pgserver.get_server(str(pgdata), cleanup_mode=None)
    return f"postgresql+asyncpg://postgres@/postgres?host={pgdata}"


def database_url(settings: Settings) -> str:
    url = settings.database_url or embedded_url(settings.data_dir)
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def _json_dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str, **kwargs) -> AsyncEngine:
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_async_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_pre_ping=False,
        **kwargs,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with factory() as session:
        async with session.begin():
            yield session
