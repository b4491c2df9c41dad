"""Queries behind adding a preview to a comment, uploading its file and serving its pictures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, exists, func, literal, select, update

from app.repositories.preview_files import PreviewFileRepository
from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import EntityType, TaskType
from app.repositories.tables.entities import Entity
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.people import Organisation
from app.repositories.tables.projects import Project, ProjectPersonLink
from app.repositories.tables.tasks import Comment, CommentPreviewLink, News, Task, TaskPersonLink

preview = PreviewFile.__table__
task = Task.__table__
comment = Comment.__table__
link = CommentPreviewLink.__table__
news = News.__table__
project = Project.__table__
entity = Entity.__table__
entity_type = EntityType.__table__
task_type = TaskType.__table__
team = ProjectPersonLink.__table__
assignment = TaskPersonLink.__table__
organisation = Organisation.__table__


class PreviewUploadRepository(PreviewFileRepository):
    """The preview file queries (`PreviewFileRepository`: insert, update, positions, revisions,
    comment links, main previews) plus what only the upload and serving flows read."""

    # --- add-preview ---

    async def comment_with_previews(self, comment_id: str) -> dict[str, Any] | None:
        """The comment's fields the add-preview flow reads, its number of previews and the
        revision of its first one, and the project's single-preview flag."""
        first = (
            select(preview.c.revision)
            .join(link, link.c.preview_file == preview.c.id)
            .where(link.c.comment == comment.c.id)
            .order_by(preview.c.created_at, preview.c.position)
            .limit(1)
            .scalar_subquery()
        )
        count = select(func.count()).select_from(link).where(link.c.comment == comment.c.id).scalar_subquery()
        stmt = select(
            comment.c.id,
            comment.c.object_id,
            comment.c.person_id,
            comment.c.for_client,
            count.label("nb_previews"),
            first.label("first_revision"),
        ).where(comment.c.id == comment_id)
        return await self._one(stmt)

    async def next_revision(self, task_id: str) -> int:
        value = await self.session.scalar(select(func.max(preview.c.revision)).where(preview.c.task_id == task_id))
        return (value or 0) + 1

    # --- upload ---

    async def upload_context(self, preview_file_id: str) -> dict[str, Any] | None:
        """The preview row, with `project_id`, `entity_id`, the project's
        `is_set_preview_automated` and its comment (`comment_id`, `comment_object_id`,
        `comment_person_id`, `comment_for_client`; None when it hangs on none)."""
        first_comment = (
            select(comment.c.id, comment.c.object_id, comment.c.person_id, comment.c.for_client)
            .join(link, link.c.comment == comment.c.id)
            .where(link.c.preview_file == preview.c.id)
            .order_by(comment.c.created_at)
            .limit(1)
            .lateral("first_comment")
        )
        stmt = (
            select(
                preview,
                task.c.project_id,
                task.c.entity_id,
                project.c.is_set_preview_automated,
                first_comment.c.id.label("comment_id"),
                first_comment.c.object_id.label("comment_object_id"),
                first_comment.c.person_id.label("comment_person_id"),
                first_comment.c.for_client.label("comment_for_client"),
            )
            .select_from(preview)
            .join(task, task.c.id == preview.c.task_id)
            .join(project, project.c.id == task.c.project_id)
            .outerjoin(first_comment, literal(True))
            .where(preview.c.id == preview_file_id)
        )
        return await self._one(stmt)

    async def set_entity_preview(self, entity_id: str, preview_file_id: str) -> dict[str, Any]:
        """Make the preview the entity's main one; answers the entity's project and type name."""
        await self.session.execute(
            update(entity).where(entity.c.id == entity_id).values(preview_file_id=preview_file_id, updated_at=utc_now())
        )
        stmt = (
            select(entity.c.id, entity.c.project_id, entity_type.c.name.label("entity_type_name"))
            .join(entity_type, entity_type.c.id == entity.c.entity_type_id)
            .where(entity.c.id == entity_id)
        )
        return await self._one(stmt) or {}

    async def delete_fresh_preview(self, preview_file_id: str) -> None:
        """Remove a preview that never got a file: its comment links, news pointers and row."""
        await self.session.execute(delete(link).where(link.c.preview_file == preview_file_id))
        await self.session.execute(
            update(news).where(news.c.preview_file_id == preview_file_id).values(preview_file_id=None)
        )
        await self.session.execute(
            update(comment).where(comment.c.preview_file_id == preview_file_id).values(preview_file_id=None)
        )
        await self.session.execute(
            update(entity).where(entity.c.preview_file_id == preview_file_id).values(preview_file_id=None)
        )
        await self.session.execute(delete(preview).where(preview.c.id == preview_file_id))

    # --- serving ---

    async def access_context(self, preview_file_id: str, person_id: str) -> dict[str, Any] | None:
        """In one round trip, what serving a preview's file needs: the preview's `status`,
        `extension`, `updated_at`, `task_id`, its task's `project_id` and `entity_id`, the
        entity's main `entity_preview_file_id` and `is_shared`, and the caller's standing:
        `on_team`, `team_role`, `assigned_on_entity` (for vendors)."""
        member = and_(team.c.project_id == task.c.project_id, team.c.person_id == person_id)
        entity_task = task.alias("entity_task")
        assigned = exists().where(
            assignment.c.person_id == person_id,
            assignment.c.task_id.in_(select(entity_task.c.id).where(entity_task.c.entity_id == task.c.entity_id)),
        )
        stmt = (
            select(
                preview.c.id,
                preview.c.status,
                preview.c.extension,
                preview.c.updated_at,
                preview.c.file_size,
                preview.c.task_id,
                task.c.project_id,
                task.c.entity_id,
                entity.c.preview_file_id.label("entity_preview_file_id"),
                entity.c.is_shared,
                exists().where(member).label("on_team"),
                select(team.c.role).where(member).limit(1).scalar_subquery().label("team_role"),
                assigned.label("assigned_on_entity"),
            )
            .select_from(preview)
            .join(task, task.c.id == preview.c.task_id)
            .outerjoin(entity, entity.c.id == task.c.entity_id)
            .where(preview.c.id == preview_file_id)
        )
        return await self._one(stmt)

    async def download_name_parts(self, preview_file_id: str) -> dict[str, Any] | None:
        """What the download name is built from: the preview's revision, position, extension
        and original name, the project, task type and entity names (with the entity's type,
        parent and grandparent names) and the organisation's `use_original_file_name`."""
        parent = entity.alias("parent")
        grandparent = entity.alias("grandparent")
        stmt = (
            select(
                preview.c.revision,
                preview.c.position,
                preview.c.extension,
                preview.c.original_name,
                project.c.name.label("project_name"),
                task_type.c.name.label("task_type_name"),
                entity.c.name.label("entity_name"),
                entity_type.c.name.label("entity_type_name"),
                parent.c.name.label("parent_name"),
                grandparent.c.name.label("grandparent_name"),
                select(organisation.c.use_original_file_name)
                .order_by(organisation.c.created_at)
                .limit(1)
                .scalar_subquery()
                .label("use_original_file_name"),
            )
            .select_from(preview)
            .join(task, task.c.id == preview.c.task_id)
            .join(project, project.c.id == task.c.project_id)
            .outerjoin(task_type, task_type.c.id == task.c.task_type_id)
            .outerjoin(entity, entity.c.id == task.c.entity_id)
            .outerjoin(entity_type, entity_type.c.id == entity.c.entity_type_id)
            .outerjoin(parent, parent.c.id == entity.c.parent_id)
            .outerjoin(grandparent, grandparent.c.id == parent.c.parent_id)
            .where(preview.c.id == preview_file_id)
        )
        return await self._one(stmt)
