"""The user's context: open projects, entities, task types and tasks as the logged-in person sees them."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["user-context"])
