"""Comment rows and what posting, moving and deleting a comment reads and writes.

Every method runs a fixed number of statements, whatever the number of mentions,
followers or comments involved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import String, and_, cast, delete, exists, func, insert, literal, select, union_all, update
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.catalog import EntityType, StatusAutomation, TaskStatus, TaskType
from app.repositories.tables.entities import Entity
from app.repositories.tables.files import AttachmentFile, PreviewFile, PreviewFileStorageState
from app.repositories.tables.people import Person
from app.repositories.tables.projects import (
    Project,
    ProjectPersonLink,
    ProjectStatusAutomationLink,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
)
from app.repositories.tables.tasks import (
    Comment,
    CommentAcknoledgments,
    CommentDepartmentMentions,
    CommentMentions,
    CommentPreviewLink,
    News,
    Notification,
    Task,
    TaskPersonLink,
    TimeSpent,
)

comment = Comment.__table__
mentions = CommentMentions.__table__
department_mentions = CommentDepartmentMentions.__table__
acknowledgements = CommentAcknoledgments.__table__
preview_links = CommentPreviewLink.__table__
attachment = AttachmentFile.__table__
preview = PreviewFile.__table__
preview_state = PreviewFileStorageState.__table__
task = Task.__table__
task_status = TaskStatus.__table__
task_type = TaskType.__table__
entity = Entity.__table__
entity_type = EntityType.__table__
project = Project.__table__
team = ProjectPersonLink.__table__
person = Person.__table__
news = News.__table__
notification = Notification.__table__
automation = StatusAutomation.__table__
project_automation = ProjectStatusAutomationLink.__table__
project_status_link = ProjectTaskStatusLink.__table__
project_task_type = ProjectTaskTypeLink.__table__
time_spent = TimeSpent.__table__
assignment = TaskPersonLink.__table__

RELATION_SOURCES = (
    ("previews", preview_links, preview_links.c.comment, preview_links.c.preview_file),
    ("mentions", mentions, mentions.c.comment, mentions.c.person),
    ("department_mentions", department_mentions, department_mentions.c.comment, department_mentions.c.department),
    ("acknowledgements", acknowledgements, acknowledgements.c.comment, acknowledgements.c.person),
    ("attachment_files", attachment, attachment.c.comment_id, attachment.c.id),
)
RELATION_NAMES = tuple(name for name, *_ in RELATION_SOURCES)


def _text(column) -> Any:
    return cast(column, String)


class CommentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, stmt) -> dict[str, Any] | None:
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def _all(self, stmt) -> list[dict[str, Any]]:
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    # --- reading ---------------------------------------------------------------------

    async def get(self, comment_id: str) -> dict[str, Any] | None:
        return await self._one(select(comment).where(comment.c.id == comment_id))

    async def relation_ids(self, comment_ids: Sequence[str]) -> dict[str, dict[str, list[str]]]:
        """For each comment id: its previews, mentions, department mentions, acknowledgements
        and attachment files (ids), read in one statement."""
        if not comment_ids:
            return {}
        ids = list(comment_ids)
        parts = [
            select(literal(name).label("kind"), _text(owner).label("owner"), _text(value).label("value")).where(
                owner.in_(ids)
            )
            for name, _table, owner, value in RELATION_SOURCES
        ]
        found: dict[str, dict[str, list[str]]] = {cid: {name: [] for name in RELATION_NAMES} for cid in ids}
        for row in await self._all(union_all(*parts)):
            found.setdefault(row["owner"], {name: [] for name in RELATION_NAMES})[row["kind"]].append(row["value"])
        return found

    async def task_status(self, status_id: str) -> dict[str, Any] | None:
        return await self._one(select(task_status).where(task_status.c.id == status_id))

    async def task_statuses(self, status_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not status_ids:
            return {}
        rows = await self._all(select(task_status).where(task_status.c.id.in_(list(set(status_ids)))))
        return {str(r["id"]): r for r in rows}

    async def client_allowed_override(self, project_id: str, status_id: str) -> bool | None:
        """The project's own `is_client_allowed` for the status (None when the project keeps the studio's)."""
        stmt = select(project_status_link.c.is_client_allowed).where(
            project_status_link.c.project_id == project_id, project_status_link.c.task_status_id == status_id
        )
        return (await self.session.execute(stmt)).scalar()

    async def person(self, person_id: str) -> dict[str, Any] | None:
        return await self._one(select(person).where(person.c.id == person_id))

    async def short_persons(self, person_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not person_ids:
            return {}
        stmt = select(person.c.id, person.c.first_name, person.c.last_name, person.c.has_avatar, person.c.role).where(
            person.c.id.in_(list(set(person_ids)))
        )
        return {str(r["id"]): r for r in await self._all(stmt)}

    async def task_context(self, task_id: str) -> dict[str, Any] | None:
        """What posting a comment reads besides the task: its entity's type and data, its task
        type's name, the project's retake cap and whether the project has status automations."""
        has_automations = exists().where(project_automation.c.project_id == task.c.project_id)
        stmt = (
            select(
                task,
                entity.c.entity_type_id,
                entity.c.data.label("entity_data"),
                task_type.c.name.label("task_type_name"),
                project.c.max_retakes,
                has_automations.label("has_automations"),
            )
            .outerjoin(entity, entity.c.id == task.c.entity_id)
            .outerjoin(task_type, task_type.c.id == task.c.task_type_id)
            .outerjoin(project, project.c.id == task.c.project_id)
            .where(task.c.id == task_id)
        )
        return await self._one(stmt)

    async def tasks(self, task_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not task_ids:
            return {}
        assignees = (
            select(func.coalesce(func.array_agg(_text(assignment.c.person_id)), cast([], ARRAY(String))))
            .where(assignment.c.task_id == task.c.id)
            .scalar_subquery()
        )
        stmt = select(
            task, task_type.c.department_id.label("task_type_department_id"), assignees.label("assignee_ids")
        ).outerjoin(task_type, task_type.c.id == task.c.task_type_id)
        rows = await self._all(stmt.where(task.c.id.in_(list(set(task_ids)))))
        return {str(r["id"]): r for r in rows}

    async def entity_tasks_with_type(self, entity_id: str) -> list[dict[str, Any]]:
        """The entity's tasks with their task type's name (for hashtags)."""
        stmt = (
            select(task.c.id, task.c.task_status_id, task_type.c.name.label("task_type_name"))
            .join(task_type, task_type.c.id == task.c.task_type_id)
            .where(task.c.entity_id == entity_id)
            .order_by(task.c.created_at, task.c.id)
        )
        return await self._all(stmt)

    async def first_task_of_type(self, entity_id: str, task_type_id: str) -> dict[str, Any] | None:
        stmt = (
            select(task.c.id)
            .where(task.c.entity_id == entity_id, task.c.task_type_id == task_type_id)
            .order_by(task.c.created_at, task.c.id)
            .limit(1)
        )
        return await self._one(stmt)

    async def automations(self, project_id: str) -> list[dict[str, Any]]:
        """The project's status automations, with the names the comment they post quotes."""
        in_type = task_type.alias("in_type")
        in_status = task_status.alias("in_status")
        stmt = (
            select(
                automation,
                in_type.c.name.label("in_task_type_name"),
                in_status.c.name.label("in_task_status_name"),
            )
            .join(project_automation, project_automation.c.status_automation_id == automation.c.id)
            .outerjoin(in_type, in_type.c.id == automation.c.in_task_type_id)
            .outerjoin(in_status, in_status.c.id == automation.c.in_task_status_id)
            .where(project_automation.c.project_id == project_id)
            .order_by(automation.c.created_at, automation.c.id)
        )
        return await self._all(stmt)

    async def task_type_priorities(self, project_id: str, for_entity: str) -> dict[str, int | None]:
        stmt = (
            select(project_task_type.c.task_type_id, project_task_type.c.priority)
            .join(task_type, task_type.c.id == project_task_type.c.task_type_id)
            .where(project_task_type.c.project_id == project_id, task_type.c.for_entity == for_entity)
        )
        return {str(r["task_type_id"]): r["priority"] for r in await self._all(stmt)}

    async def entity_type_name(self, entity_type_id: str) -> str | None:
        return (
            await self.session.execute(select(entity_type.c.name).where(entity_type.c.id == entity_type_id))
        ).scalar()

    async def history(self, task_id: str) -> list[dict[str, Any]]:
        """The task's comments oldest first, with the flags of their status."""
        stmt = (
            select(
                comment.c.created_at,
                comment.c.task_status_id,
                task_status.c.is_retake,
                task_status.c.is_feedback_request,
                task_status.c.is_done,
                task_status.c.is_wip,
            )
            .join(task_status, task_status.c.id == comment.c.task_status_id)
            .where(comment.c.object_id == task_id)
            .order_by(comment.c.created_at, comment.c.id)
        )
        return await self._all(stmt)

    async def default_status_id(self, for_concept: bool) -> str | None:
        stmt = (
            select(task_status.c.id)
            .where(task_status.c.is_default.is_(True), func.coalesce(task_status.c.for_concept, False) == for_concept)
            .order_by(task_status.c.created_at)
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar()

    async def total_duration(self, task_id: str) -> float:
        stmt = select(func.coalesce(func.sum(time_spent.c.duration), 0)).where(time_spent.c.task_id == task_id)
        return float((await self.session.execute(stmt)).scalar() or 0)

    async def last_client_comments(self, project_id: str, task_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The newest comment written by a client of the project (team role, else global role)
        on each given task of the project."""
        stmt = (
            select(comment)
            .join(task, task.c.id == comment.c.object_id)
            .join(person, person.c.id == comment.c.person_id)
            .outerjoin(team, and_(team.c.person_id == person.c.id, team.c.project_id == task.c.project_id))
            .where(
                task.c.project_id == project_id,
                comment.c.object_id.in_(list(task_ids)),
                func.coalesce(team.c.role, person.c.role) == "client",
            )
            .order_by(comment.c.object_id, comment.c.created_at.desc())
            .ext(distinct_on(comment.c.object_id))
        )
        return await self._all(stmt)

    # --- writing ---------------------------------------------------------------------

    async def insert(self, values: Mapping[str, Any]) -> dict[str, Any]:
        now = utc_now()
        row = {"id": new_id(), "created_at": now, "updated_at": now, "replies": [], "checklist": [], **values}
        return dict((await self.session.execute(insert(comment).values(row).returning(comment))).mappings().one())

    async def set_mentions(
        self, comment_id: str, person_ids: Sequence[str], department_ids: Sequence[str], *, replace: bool = False
    ) -> None:
        if replace:
            await self.session.execute(delete(mentions).where(mentions.c.comment == comment_id))
            await self.session.execute(delete(department_mentions).where(department_mentions.c.comment == comment_id))
        if person_ids:
            await self.session.execute(
                insert(mentions), [{"comment": comment_id, "person": p} for p in dict.fromkeys(person_ids)]
            )
        if department_ids:
            await self.session.execute(
                insert(department_mentions),
                [{"comment": comment_id, "department": d} for d in dict.fromkeys(department_ids)],
            )

    async def update_task(self, task_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        stmt = update(task).where(task.c.id == task_id).values(**values, updated_at=utc_now()).returning(task)
        return dict((await self.session.execute(stmt)).mappings().one())

    async def update_comment(self, comment_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        stmt = update(comment).where(comment.c.id == comment_id).values(**values).returning(comment)
        return dict((await self.session.execute(stmt)).mappings().one())

    async def insert_news(self, values: Mapping[str, Any]) -> dict[str, Any]:
        now = utc_now()
        row = {"id": new_id(), "updated_at": now, "preview_file_id": None, **values}
        row["created_at"] = row.get("created_at") or now
        return dict((await self.session.execute(insert(news).values(row).returning(news))).mappings().one())

    async def delete_news(self, comment_id: str) -> list[dict[str, Any]]:
        """Delete the comment's news; answers (id, project_id) of each."""
        project_of = select(task.c.project_id).where(task.c.id == news.c.task_id).scalar_subquery()
        stmt = (
            delete(news)
            .where(news.c.comment_id == comment_id)
            .returning(_text(news.c.id).label("id"), _text(project_of).label("project_id"))
        )
        return await self._all(stmt)

    async def delete_notifications(self, comment_id: str) -> None:
        await self.session.execute(delete(notification).where(notification.c.comment_id == comment_id))

    async def delete(self, comment_row: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """Delete the comment and what hangs off it: links, attachments, its previews. Answers
        the file-owning rows removed: `preview_files` (id, extension) and `attachment_files` (id)."""
        comment_id = comment_row["id"]
        linked = select(preview_links.c.preview_file).where(preview_links.c.comment == comment_id)
        preview_ids = [str(p) for p in (await self.session.execute(linked)).scalars()]
        if comment_row.get("preview_file_id"):
            preview_ids.append(str(comment_row["preview_file_id"]))
        preview_ids = list(dict.fromkeys(preview_ids))
        for table, column in (
            (mentions, mentions.c.comment),
            (department_mentions, department_mentions.c.comment),
            (acknowledgements, acknowledgements.c.comment),
            (preview_links, preview_links.c.comment),
        ):
            await self.session.execute(delete(table).where(column == comment_id))
        removed = {
            "attachment_files": await self._returning(
                delete(attachment).where(attachment.c.comment_id == comment_id).returning(attachment.c.id)
            )
        }
        await self.session.execute(delete(comment).where(comment.c.id == comment_id))
        removed["preview_files"] = await self._remove_previews(preview_ids) if preview_ids else []
        return removed

    async def _remove_previews(self, preview_ids: list[str]) -> list[dict[str, Any]]:
        for column in (entity.c.preview_file_id, task.c.last_preview_file_id, news.c.preview_file_id):
            await self.session.execute(update(column.table).where(column.in_(preview_ids)).values({column.name: None}))
        await self.session.execute(delete(preview_links).where(preview_links.c.preview_file.in_(preview_ids)))
        await self.session.execute(delete(preview_state).where(preview_state.c.preview_file_id.in_(preview_ids)))
        return await self._returning(
            delete(preview).where(preview.c.id.in_(preview_ids)).returning(preview.c.id, preview.c.extension)
        )

    async def _returning(self, statement: Any) -> list[dict[str, Any]]:
        return [dict(row) for row in (await self.session.execute(statement)).mappings()]

    async def has_previews(self, comment_id: str) -> bool:
        stmt = select(exists().where(preview_links.c.comment == comment_id))
        return bool((await self.session.execute(stmt)).scalar())

    async def set_ready_for(self, entity_id: str, task_type_id: str | None) -> dict[str, Any]:
        stmt = (
            update(entity)
            .where(entity.c.id == entity_id)
            .values(ready_for=task_type_id, updated_at=utc_now())
            .returning(entity)
        )
        return dict((await self.session.execute(stmt)).mappings().one())

    async def clients_isolated(self, project_id: str) -> bool:
        stmt = select(project.c.is_clients_isolated).where(project.c.id == project_id)
        return bool((await self.session.execute(stmt)).scalar())

    async def attachments(self, attachment_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Zou's presentation of attachment files: id, name, extension, size."""
        stmt = (
            select(_text(attachment.c.id).label("id"), attachment.c.name, attachment.c.extension, attachment.c.size)
            .where(attachment.c.id.in_(list(attachment_ids)))
            .order_by(attachment.c.created_at, attachment.c.id)
        )
        return await self._all(stmt)

    async def previews_of(self, comment_id: str) -> list[dict[str, Any]]:
        """The previews attached to the comment, as a comment read embeds them."""
        stmt = (
            select(
                _text(preview.c.id).label("id"),
                _text(preview.c.task_id).label("task_id"),
                preview.c.revision,
                preview.c.extension,
                preview.c.width,
                preview.c.height,
                preview.c.duration,
                func.coalesce(preview.c.status, "ready").label("status"),
                func.coalesce(preview.c.validation_status, "neutral").label("validation_status"),
                preview.c.original_name,
                preview.c.position,
                preview.c.annotations,
            )
            .join(preview_links, preview_links.c.preview_file == preview.c.id)
            .where(preview_links.c.comment == comment_id)
            .order_by(preview.c.revision, preview.c.position, preview.c.id)
        )
        return await self._all(stmt)
