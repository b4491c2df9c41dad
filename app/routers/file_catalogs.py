"""File catalogues: file statuses, softwares, task-type softwares, the preview account."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["file-catalogs"])
