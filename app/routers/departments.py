"""Department members and software licenses (the CRUD itself comes from the registry)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["departments"])
