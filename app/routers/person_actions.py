"""Actions on people: passwords, invitations, departments, two-factor reset, avatars."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["person-actions"])
