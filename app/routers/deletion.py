"""Routes of the production area (being built)."""

from fastapi import APIRouter

router = APIRouter()
