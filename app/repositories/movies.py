"""Queries of the movie worker and the movie routes: one statement per need."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import EntityType, TaskType
from app.repositories.tables.entities import Entity
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.people import Organisation
from app.repositories.tables.projects import Project, ProjectTaskTypeLink
from app.repositories.tables.tasks import Task

preview = PreviewFile.__table__
task = Task.__table__
project = Project.__table__
entity = Entity.__table__
entity_type = EntityType.__table__
task_type = TaskType.__table__
link = ProjectTaskTypeLink.__table__
organisation = Organisation.__table__

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


class MovieRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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

    async def set_task_last_preview(self, task_id: str, preview_file_id: str) -> None:
        await self.session.execute(
            update(task).where(task.c.id == task_id).values(last_preview_file_id=preview_file_id, updated_at=utc_now())
        )

    async def set_entity_preview(self, entity_id: str, preview_file_id: str) -> dict[str, Any] | None:
        """Set the entity's main preview; answers the entity's project and type name."""
        stmt = (
            update(entity)
            .where(entity.c.id == entity_id)
            .values(preview_file_id=preview_file_id, updated_at=utc_now())
            .returning(entity.c.project_id, entity.c.entity_type_id)
        )
        row = (await self.session.execute(stmt)).first()
        if row is None:
            return None
        type_name = await self.session.scalar(select(entity_type.c.name).where(entity_type.c.id == row.entity_type_id))
        return {"project_id": row.project_id, "type_name": type_name}

    async def naming(self, preview_file_id: str) -> dict[str, Any] | None:
        """What the download name is made of: project, entity (with parents), task type, revision."""
        parent = aliased(Entity.__table__)
        grand = aliased(Entity.__table__)
        own_type = aliased(EntityType.__table__)
        stmt = (
            select(
                preview.c.revision,
                preview.c.position,
                preview.c.extension,
                preview.c.original_name,
                project.c.name.label("project_name"),
                task_type.c.name.label("task_type_name"),
                entity.c.name.label("entity_name"),
                own_type.c.name.label("entity_type_name"),
                parent.c.name.label("parent_name"),
                grand.c.name.label("grand_name"),
                select(organisation.c.use_original_file_name)
                .order_by(organisation.c.created_at)
                .limit(1)
                .scalar_subquery()
                .label("use_original_file_name"),
            )
            .select_from(preview)
            .join(task, task.c.id == preview.c.task_id)
            .join(project, project.c.id == task.c.project_id)
            .join(task_type, task_type.c.id == task.c.task_type_id)
            .join(entity, entity.c.id == task.c.entity_id)
            .join(own_type, own_type.c.id == entity.c.entity_type_id)
            .outerjoin(parent, parent.c.id == entity.c.parent_id)
            .outerjoin(grand, grand.c.id == parent.c.parent_id)
            .where(preview.c.id == preview_file_id)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else dict(row._mapping)
