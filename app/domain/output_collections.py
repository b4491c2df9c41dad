"""Registry entries of the files area (filled by the area)."""

from __future__ import annotations
