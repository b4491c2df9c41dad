"""Queries on preview files: one preview with its task and entity, main previews, positions,
comment links, removal, and the per task / entity / project listings.

Every listing is one statement (two with a page count), whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, delete, exists, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.catalog import ProjectStatus, TaskType
from app.repositories.tables.entities import Entity
from app.repositories.tables.files import PreviewFile, PreviewFileStorageState
from app.repositories.tables.projects import Project, ProjectPersonLink
from app.repositories.tables.tasks import Comment, CommentPreviewLink, News, Task, TaskPersonLink

preview = PreviewFile.__table__
storage_state = PreviewFileStorageState.__table__
task = Task.__table__
task_type = TaskType.__table__
entity = Entity.__table__
project = Project.__table__
project_status = ProjectStatus.__table__
team = ProjectPersonLink.__table__
assignment = TaskPersonLink.__table__
comment = Comment.__table__
link = CommentPreviewLink.__table__
news = News.__table__

MAIN_PREVIEW_EXTENSIONS = ("png", "mp4")
"""The previews an upload makes current with a thumbnail (pictures and movies)."""
OPEN_STATUS = "Open"


def _rows(result) -> list[dict[str, Any]]:
    return [dict(r) for r in result.mappings()]


def visible_preview_condition(person_id: str, vendor: bool) -> ColumnElement:
    """Zou's listing filter for non-admins: previews of tasks in open projects the person is on
    the team of (vendors: of the tasks assigned to them)."""
    open_projects = (
        select(project.c.id)
        .join(project_status, project_status.c.id == project.c.project_status_id)
        .where(project_status.c.name == OPEN_STATUS)
    )
    tasks = select(task.c.id).where(task.c.project_id.in_(open_projects))
    if vendor:
        tasks = tasks.where(task.c.id.in_(select(assignment.c.task_id).where(assignment.c.person_id == person_id)))
    else:
        tasks = tasks.where(task.c.project_id.in_(select(team.c.project_id).where(team.c.person_id == person_id)))
    return preview.c.task_id.in_(tasks)


def in_project_condition(project_id: str) -> ColumnElement:
    """`?project_id=` on `/data/preview-files`: a preview has no project column, its task has."""
    return preview.c.task_id.in_(select(task.c.id).where(task.c.project_id == project_id))


class PreviewFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, stmt) -> dict[str, Any] | None:
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else dict(row)

    # --- one preview ---------------------------------------------------

    async def get(self, preview_file_id: str) -> dict[str, Any] | None:
        return await self._one(select(preview).where(preview.c.id == preview_file_id))

    async def context(self, preview_file_id: str) -> dict[str, Any] | None:
        """The preview row with `project_id`, `entity_id`, `task_type_id`, `task_last_preview_file_id`
        of its task, `entity_preview_file_id` of its entity, and the project's
        `is_set_preview_automated`, `project_fps` and `entity_data` (a movie's frame rate);
        None when the preview does not exist."""
        stmt = (
            select(
                preview,
                task.c.project_id,
                task.c.entity_id,
                task.c.task_type_id,
                task_type.c.department_id.label("task_type_department_id"),
                task.c.last_preview_file_id.label("task_last_preview_file_id"),
                entity.c.preview_file_id.label("entity_preview_file_id"),
                project.c.is_set_preview_automated,
                project.c.fps.label("project_fps"),
                entity.c.data.label("entity_data"),
            )
            .select_from(preview)
            .outerjoin(task, task.c.id == preview.c.task_id)
            .outerjoin(task_type, task_type.c.id == task.c.task_type_id)
            .outerjoin(entity, entity.c.id == task.c.entity_id)
            .outerjoin(project, project.c.id == task.c.project_id)
            .where(preview.c.id == preview_file_id)
        )
        return await self._one(stmt)

    async def update(self, preview_file_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        stmt = (
            update(preview)
            .where(preview.c.id == preview_file_id)
            .values(**values, updated_at=utc_now())
            .returning(*preview.c)
        )
        return dict((await self.session.execute(stmt)).mappings().one())

    async def lock_annotations(self, preview_file_id: str) -> Any:
        """The preview's annotations, its row held until the transaction ends."""
        stmt = select(preview.c.annotations).where(preview.c.id == preview_file_id).with_for_update()
        return await self.session.scalar(stmt)

    # --- revisions and positions ---------------------------------------

    async def lock_task_revisions(self, task_id: str) -> None:
        """Serialise revision numbering per task until the transaction ends (same key as the uploads)."""
        key = func.hashtextextended(literal("preview_revision:") + literal(task_id), 0)
        await self.session.execute(select(func.pg_advisory_xact_lock(key)))

    async def revision_previews(self, task_id: str, revision: int) -> list[dict[str, Any]]:
        stmt = (
            select(preview)
            .where(preview.c.task_id == task_id, preview.c.revision == revision)
            .order_by(preview.c.position, preview.c.created_at, preview.c.id)
        )
        return _rows(await self.session.execute(stmt))

    async def set_positions(self, positions: Mapping[str, int]) -> None:
        """Give each preview its position, in one statement."""
        if not positions:
            return
        whens = [(preview.c.id == preview_id, position) for preview_id, position in positions.items()]
        await self.session.execute(
            update(preview)
            .where(preview.c.id.in_(list(positions)))
            .values(position=case(*whens, else_=preview.c.position).cast(Integer), updated_at=utc_now())
        )

    async def next_position(self, task_id: str, revision: int) -> int:
        stmt = select(func.count()).where(preview.c.task_id == task_id, preview.c.revision == revision)
        return int(await self.session.scalar(stmt) or 0) + 1

    async def revision_taken(self, task_id: str, revision: int, exclude_id: str | None = None) -> bool:
        """Whether a main preview (position 1) of the task already has this revision."""
        where = [preview.c.task_id == task_id, preview.c.revision == revision, preview.c.position == 1]
        if exclude_id is not None:
            where.append(preview.c.id != exclude_id)
        return bool(await self.session.scalar(select(exists().where(and_(*where)))))

    async def move_revision(self, task_id: str, old: int, new: int, except_id: str) -> None:
        """The extra previews of a revision follow their main preview to its new revision."""
        await self.session.execute(
            update(preview)
            .where(preview.c.task_id == task_id, preview.c.revision == old, preview.c.id != except_id)
            .values(revision=new, updated_at=utc_now())
        )

    async def clients_isolated(self, project_id: str) -> bool:
        return bool(await self.session.scalar(select(project.c.is_clients_isolated).where(project.c.id == project_id)))

    async def single_preview_per_revision(self, project_id: str) -> bool:
        stmt = select(project.c.is_single_preview_per_revision).where(project.c.id == project_id)
        return bool(await self.session.scalar(stmt))

    # --- comments ------------------------------------------------------

    async def comment(self, comment_id: str) -> dict[str, Any] | None:
        """The comment's fields the preview routes read and its number of previews."""
        count = select(func.count()).select_from(link).where(link.c.comment == comment.c.id).scalar_subquery()
        stmt = select(
            comment.c.id,
            comment.c.object_id,
            comment.c.person_id,
            comment.c.for_client,
            comment.c.preview_file_id,
            count.label("nb_previews"),
        ).where(comment.c.id == comment_id)
        return await self._one(stmt)

    async def is_linked(self, comment_id: str, preview_file_id: str) -> bool:
        where = and_(link.c.comment == comment_id, link.c.preview_file == preview_file_id)
        return bool(await self.session.scalar(select(exists().where(where))))

    async def insert(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """A new preview row with Zou's defaults for a preview waiting for its file."""
        now = utc_now()
        row = {
            "id": new_id(),
            "source": "webgui",
            "extension": "mp4",
            "status": "processing",
            "validation_status": "neutral",
            "file_size": 0,
            "width": 0,
            "height": 0,
            "duration": 0,
            "is_movie": False,
            "created_at": now,
            "updated_at": now,
            **values,
        }
        return dict((await self.session.execute(insert(preview).values(row).returning(*preview.c))).mappings().one())

    async def link_to_comment(self, comment_id: str, preview_file_id: str) -> None:
        await self.session.execute(insert(link).values(comment=comment_id, preview_file=preview_file_id))
        await self.session.execute(
            update(news).where(news.c.comment_id == comment_id).values(preview_file_id=preview_file_id)
        )

    async def comment_ids(self, preview_file_id: str) -> list[str]:
        stmt = select(link.c.comment).where(link.c.preview_file == preview_file_id).order_by(link.c.comment)
        return [str(c) for c in (await self.session.execute(stmt)).scalars()]

    # --- removal -------------------------------------------------------

    async def remove(self, preview_file_id: str) -> None:
        """Delete the preview row and every reference to it: entities showing it, news and comments
        pointing at it, comment links and storage states."""
        for column in (entity.c.preview_file_id, news.c.preview_file_id, comment.c.preview_file_id):
            await self.session.execute(
                update(column.table).where(column == preview_file_id).values({column.name: None})
            )
        await self.session.execute(delete(link).where(link.c.preview_file == preview_file_id))
        await self.session.execute(delete(storage_state).where(storage_state.c.preview_file_id == preview_file_id))
        await self.session.execute(delete(preview).where(preview.c.id == preview_file_id))

    async def last_main_preview(self, *, task_id: str | None = None, entity_id: str | None = None) -> dict | None:
        """The newest ready main preview (position 1, picture or movie) of a task or of an entity's tasks."""
        stmt = (
            select(preview.c.id, preview.c.status)
            .join(task, task.c.id == preview.c.task_id)
            .where(
                preview.c.position == 1,
                preview.c.status == "ready",
                preview.c.extension.in_(MAIN_PREVIEW_EXTENSIONS),
            )
            .order_by(preview.c.created_at.desc(), preview.c.id)
            .limit(1)
        )
        stmt = stmt.where(task.c.id == task_id) if task_id is not None else stmt.where(task.c.entity_id == entity_id)
        return await self._one(stmt)

    async def set_task_last_preview(self, task_id: str, preview_file_id: str | None) -> None:
        await self.session.execute(
            update(task).where(task.c.id == task_id).values(last_preview_file_id=preview_file_id, updated_at=utc_now())
        )

    # --- main previews of entities ---------------------------------------

    async def set_entity_previews(self, previews: Mapping[str, str | None]) -> list[dict[str, Any]]:
        """Set the main preview of each entity (entity id -> preview id) in one statement; answers the
        entities in the given order, each with `preview_file_status`."""
        if not previews:
            return []
        whens = [(entity.c.id == entity_id, literal(pid, preview.c.id.type)) for entity_id, pid in previews.items()]
        result = await self.session.execute(
            update(entity)
            .where(entity.c.id.in_(list(previews)))
            .values(preview_file_id=case(*whens, else_=entity.c.preview_file_id), updated_at=utc_now())
            .returning(*entity.c)
        )
        rows = {r["id"]: dict(r) for r in result.mappings()}
        ids = [p for p in previews.values() if p is not None]
        status: dict[str, str] = {}
        if ids:
            stmt = select(preview.c.id, preview.c.status).where(preview.c.id.in_(ids))
            status = {r.id: r.status for r in await self.session.execute(stmt)}
        out = []
        for entity_id, pid in previews.items():
            if entity_id in rows:
                out.append({**rows[entity_id], "preview_file_status": status.get(pid) if pid else None})
        return out

    async def tasks(self, task_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        stmt = select(task.c.id, task.c.project_id, task.c.entity_id).where(task.c.id.in_(task_ids))
        return {r["id"]: r for r in _rows(await self.session.execute(stmt))}

    async def last_previews_of_tasks(self, task_ids: Iterable[str]) -> dict[str, str]:
        """Task id -> its last preview (highest revision, first created), in one statement."""
        stmt = (
            select(preview.c.task_id, preview.c.id)
            .where(preview.c.task_id.in_(list(task_ids)))
            .ext(distinct_on(preview.c.task_id))
            .order_by(preview.c.task_id, preview.c.revision.desc(), preview.c.created_at, preview.c.id)
        )
        return {r.task_id: r.id for r in await self.session.execute(stmt)}

    # --- listings --------------------------------------------------------

    async def entity_project(self, entity_id: str) -> dict[str, Any] | None:
        return await self._one(
            select(entity.c.id, entity.c.project_id, entity.c.entity_type_id).where(entity.c.id == entity_id)
        )

    async def for_entity(self, entity_id: str) -> list[dict[str, Any]]:
        """Zou's short form of the entity's previews, by task type name, newest revision first."""
        stmt = (
            select(
                preview.c.id,
                preview.c.name,
                preview.c.original_name,
                preview.c.extension,
                preview.c.revision,
                preview.c.position,
                preview.c.file_size,
                preview.c.status,
                preview.c.validation_status,
                preview.c.task_id,
                preview.c.person_id,
                preview.c.created_at,
                preview.c.token_in,
                preview.c.token_out,
            )
            .join(task, task.c.id == preview.c.task_id)
            .join(task_type, task_type.c.id == task.c.task_type_id)
            .where(task.c.entity_id == entity_id)
            .order_by(task_type.c.name, preview.c.revision.desc(), preview.c.position, preview.c.id)
        )
        return _rows(await self.session.execute(stmt))

    async def for_entity_by_task_type(self, entity_id: str) -> list[dict[str, Any]]:
        """The entity's previews with their task type, in Zou's playlist order."""
        stmt = (
            select(
                preview.c.id,
                preview.c.revision,
                preview.c.position,
                preview.c.original_name,
                preview.c.extension,
                preview.c.width,
                preview.c.height,
                preview.c.duration,
                preview.c.status,
                preview.c.annotations,
                preview.c.created_at,
                preview.c.task_id,
                task.c.task_type_id,
                preview.c.data,
            )
            .join(task, task.c.id == preview.c.task_id)
            .join(task_type, task_type.c.id == task.c.task_type_id)
            .where(task.c.entity_id == entity_id)
            .order_by(
                task_type.c.priority.desc(),
                task_type.c.name,
                preview.c.revision.desc(),
                preview.c.created_at,
                preview.c.id,
            )
        )
        return _rows(await self.session.execute(stmt))

    async def for_task(self, task_id: str, *, hide_rejected: bool = False) -> list[dict[str, Any]]:
        stmt = select(preview).where(preview.c.task_id == task_id)
        if hide_rejected:
            stmt = stmt.where(preview.c.validation_status != "rejected")
        stmt = stmt.order_by(preview.c.revision.desc(), preview.c.position, preview.c.created_at, preview.c.id)
        return _rows(await self.session.execute(stmt))

    def _project_query(self, project_id: str):
        return select(preview).join(task, task.c.id == preview.c.task_id).where(task.c.project_id == project_id)

    async def for_project(self, project_id: str, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        stmt = self._project_query(project_id).order_by(preview.c.updated_at.desc(), preview.c.id)
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return _rows(await self.session.execute(stmt))

    async def count_for_project(self, project_id: str) -> int:
        stmt = select(func.count()).select_from(self._project_query(project_id).subquery())
        return int(await self.session.scalar(stmt) or 0)

    async def project_exists(self, project_id: str) -> bool:
        return bool(await self.session.scalar(select(exists().where(project.c.id == project_id))))
