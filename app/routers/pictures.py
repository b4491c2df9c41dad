"""Pictures of persons, organisations and projects; preview background files."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["pictures"])
