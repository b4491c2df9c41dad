"""Notifications and subscriptions: the registry entries' companions, the user's notifications, subscribing."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["notifications"])
