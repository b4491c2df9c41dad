"""Tasks: bulk creation and deletion, assignment, priorities, open tasks, a person's tasks, the full task."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["tasks"])
