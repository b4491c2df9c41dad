"""Registry entries of the files area: file statuses and softwares.

Both are studio catalogues as in Zou: any logged-in person reads them, admins write them, and
every write emits `file-status:*` / `software:*`. Names are unique (a duplicate is a 400);
a software's `file_extension` is required; a row still referenced (an output file's status,
a department's software licence, a working file's software) cannot be deleted (400).
"""

from __future__ import annotations

from app.domain.collections import register
from app.domain.crud import Collection
from app.repositories.tables.catalog import FileStatus, Software

register(Collection("file-status", FileStatus, "FileStatus"))
register(Collection("softwares", Software, "Software"))
