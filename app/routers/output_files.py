"""Output files and output types: per entity, per asset instance, per project; revisions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["output-files"])
