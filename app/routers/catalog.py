"""Catalogue actions beyond CRUD: reordering task types."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["task-types"])
