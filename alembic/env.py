"""Alembic environment: runs migrations over the async engine of the settings' database."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import create_async_engine

from alembic import context
from app.core.config import get_settings
from app.core.database import database_url
from app.repositories.tables import metadata

config = context.config


def _url() -> str:
    return config.attributes.get("url") or database_url(get_settings())


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url())
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


if config.attributes.get("connection") is not None:
    # a caller that already runs an event loop (the tests) hands us a sync connection
    _run(config.attributes["connection"])
elif context.is_offline_mode():
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
