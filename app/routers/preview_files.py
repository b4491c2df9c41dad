"""Preview files: the registry entry, main previews, annotations, positions, comment links, listings."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["preview-files"])
