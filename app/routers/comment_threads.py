"""Reading a task's comments, replies, acknowledgements, a project's comments."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["comment-threads"])
