"""Posting comments: status changes, automations, comment-many, client comment copies, moves, deletion."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["comments"])
