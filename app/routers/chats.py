"""Routes of the tasks area (being built)."""

from fastapi import APIRouter

router = APIRouter()
