"""API identity, health, resources, configuration and usage."""

from __future__ import annotations

import os
import time
from datetime import datetime
from typing import Any

import psutil
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import VERSION, Settings
from app.core.events import EventBus
from app.repositories.status import StatusRepository

API_NAME = "Zou"  # clients check this name to recognise the API


def identity() -> dict[str, str]:
    return {"api": API_NAME, "version": VERSION}


async def health(session: AsyncSession, bus: EventBus, settings: Settings) -> dict[str, Any]:
    bus_up = await bus.healthy()
    return {
        "name": API_NAME,
        "version": VERSION,
        "database-up": await StatusRepository(session).database_up(),
        # Tsubame keeps tokens and caches in PostgreSQL: its key-value store is the database
        "key-value-store-up": bus_up,
        "event-stream-up": bus_up,
        "job-queue-up": True,
        "indexer-up": False,
    }


def health_text(status: dict[str, Any]) -> str:
    lines = [f"name: {status['name']}", f"version: {status['version']}"]
    for key in ("database-up", "event-stream-up", "key-value-store-up", "job-queue-up", "indexer-up"):
        lines.append(f"{key}: {'up' if status[key] else 'down'}")
    return "\n".join(lines) + "\n"


def influx(status: dict[str, Any]) -> dict[str, Any]:
    keys = ("database-up", "key-value-store-up", "event-stream-up", "job-queue-up", "indexer-up")
    return {**{k: int(bool(status[k])) for k in keys}, "time": time.time()}


def resources() -> dict[str, Any]:
    memory = psutil.virtual_memory()
    load = os.getloadavg()
    return {
        "date": datetime.now().isoformat(),
        "cpu": {
            "percent": psutil.cpu_percent(percpu=True),
            "loadavg": {"last 1 min": load[0], "last 5 min": load[1], "last 10 min": load[2]},
        },
        "memory": {
            "total": memory.total,
            "used": memory.used,
            "available": memory.available,
            "percent": memory.percent,
        },
        "jobs": {"running_jobs": 0},
    }


def config(settings: Settings, organisation: dict[str, Any]) -> dict[str, Any]:
    return {
        "is_self_hosted": settings.is_self_hosted,
        "crisp_token": settings.crisp_token,
        "dark_theme_by_default": bool(organisation.get("dark_theme_by_default")),
        "indexer_configured": False,
        "saml_enabled": False,
        "saml_idp_name": "",
        "oidc_enabled": False,
        "oidc_idp_name": "",
        "default_locale": settings.default_locale,
        "default_timezone": settings.default_timezone,
        "enforce_2fa": settings.enforce_2fa,
        "movie_highdef_bitrate": settings.movie_highdef_bitrate,
        "movie_lowdef_bitrate": settings.movie_lowdef_bitrate,
        "preview_accounts_enabled": settings.preview_accounts_enabled,
    }


async def usage(session: AsyncSession) -> dict[str, int]:
    return await StatusRepository(session).usage()
