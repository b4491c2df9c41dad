"""Registry entries of the task workflow (filled by the area)."""

from __future__ import annotations
