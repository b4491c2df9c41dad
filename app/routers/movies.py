"""Movies: normalisation in a worker, serving with ranges, frames, tiles and annotated frames."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["movies"])
