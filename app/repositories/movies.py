"""Queries of the movie worker and the movie routes: one statement per need."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select, update

from app.repositories.preview_uploads import PreviewUploadRepository
from app.repositories.tables.base import utc_now
from app.repositories.tables.entities import Entity
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.projects import Project, ProjectTaskTypeLink
from app.repositories.tables.tasks import Task

preview = PreviewFile.__table__
task = Task.__table__
project = Project.__table__
entity = Entity.__table__
link = ProjectTaskTypeLink.__table__

PREVIEW_COLUMNS = (
    preview.c.id,
    preview.c.task_id,
    preview.c.status,
    preview.c.extension,
    preview.c.revision,
    preview.c.position,
    preview.c.original_name,
    preview.c.annotations,
    preview.c.data,
    preview.c.updated_at,
)


class MovieRepository(PreviewUploadRepository):
    """The preview queries (task last preview, entity main preview, ...) plus the movie worker's."""

    async def preview(self, preview_file_id: str) -> dict[str, Any] | None:
        """The preview row fields the routes read."""
        row = (await self.session.execute(select(*PREVIEW_COLUMNS).where(preview.c.id == preview_file_id))).first()
        return None if row is None else dict(row._mapping)

    async def encoding_context(self, preview_file_id: str) -> dict[str, Any] | None:
        """The preview, its task, project, entity and task type link: what an encoding needs."""
        stmt = (
            select(
                *PREVIEW_COLUMNS,
                task.c.project_id,
                task.c.entity_id,
                project.c.fps.label("project_fps"),
                project.c.resolution.label("project_resolution"),
                project.c.hd_bitrate_compression.label("project_hd"),
                project.c.ld_bitrate_compression.label("project_ld"),
                project.c.is_set_preview_automated,
                entity.c.data.label("entity_data"),
                entity.c.entity_type_id,
                link.c.hd_bitrate_compression.label("link_hd"),
                link.c.ld_bitrate_compression.label("link_ld"),
            )
            .select_from(preview)
            .join(task, task.c.id == preview.c.task_id)
            .join(project, project.c.id == task.c.project_id)
            .outerjoin(entity, entity.c.id == task.c.entity_id)
            .outerjoin(link, and_(link.c.project_id == task.c.project_id, link.c.task_type_id == task.c.task_type_id))
            .where(preview.c.id == preview_file_id)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else dict(row._mapping)

    async def set_status(self, preview_file_id: str, values: dict[str, Any]) -> bool:
        """Update the preview's fields; False when the row is gone."""
        result = await self.session.execute(
            update(preview)
            .where(preview.c.id == preview_file_id)
            .values(**values, updated_at=utc_now())
            .returning(preview.c.id)
        )
        return result.first() is not None
