"""Attachments: adding files to comments, downloads, thumbnails, listings, batch comments."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["attachments"])
