"""Working files and the file tree: revisions, storage, paths and names, guessing from a path."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["working-files"])
