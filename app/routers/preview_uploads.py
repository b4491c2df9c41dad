"""Preview uploads: adding a preview to a comment, the upload itself, serving preview pictures."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["preview-uploads"])
