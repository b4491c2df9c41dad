"""Queries behind the task workflow: reading tasks with their assignees, the full task view,
assignment writes, set-based task removal, a person's tasks, open tasks and their aggregates.

Every listing is one flat statement (plus one per side table: assignees, last comments,
episode castings), whatever the number of rows; ids are read as text.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Date,
    Select,
    String,
    Uuid,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import EntityType, ProjectStatus, TaskStatus, TaskType
from app.repositories.tables.entities import Entity, EntityLink
from app.repositories.tables.files import AttachmentFile, OutputFile, PreviewFile, PreviewFileStorageState, WorkingFile
from app.repositories.tables.people import DepartmentLink, Person
from app.repositories.tables.projects import (
    ProductionScheduleVersionTaskLink,
    ProductionScheduleVersionTaskLinkPersonLink,
    Project,
    ProjectPersonLink,
)
from app.repositories.tables.tasks import (
    Comment,
    CommentAcknoledgments,
    CommentDepartmentMentions,
    CommentMentions,
    CommentPreviewLink,
    News,
    Notification,
    Subscription,
    Task,
    TaskPersonLink,
    TimeSpent,
)

task = Task.__table__
assignment = TaskPersonLink.__table__
task_type = TaskType.__table__
task_status = TaskStatus.__table__
entity = Entity.__table__
entity_type = EntityType.__table__
entity_link = EntityLink.__table__
project = Project.__table__
project_status = ProjectStatus.__table__
team = ProjectPersonLink.__table__
person = Person.__table__
department_link = DepartmentLink.__table__
subscription = Subscription.__table__
comment = Comment.__table__
notification = Notification.__table__
news = News.__table__
preview = PreviewFile.__table__
working_file = WorkingFile.__table__
output_file = OutputFile.__table__
attachment = AttachmentFile.__table__
time_spent = TimeSpent.__table__
schedule_task_link = ProductionScheduleVersionTaskLink.__table__
schedule_person_link = ProductionScheduleVersionTaskLinkPersonLink.__table__

sequence = entity.alias("sequence")
episode = entity.alias("episode")
source = entity.alias("source")

TASK_COLUMNS = tuple(c.name for c in task.columns)
OPEN = "Open"


def _text(column: ColumnElement) -> ColumnElement:
    return cast(column, String)


def _ids(ids: Sequence[str]) -> ColumnElement:
    """A list of ids bound as one array parameter."""
    return literal(list(ids), ARRAY(Uuid(as_uuid=False)))


def in_ids(column: ColumnElement, ids: Sequence[str]) -> ColumnElement:
    return column == func.any(_ids(ids))


def assignee_array(task_id: ColumnElement) -> ColumnElement:
    """The task's assignee ids (text), an empty array when none."""
    ids = select(_text(assignment.c.person_id)).where(assignment.c.task_id == task_id)
    return func.array(ids.scalar_subquery())


def open_project_ids() -> Select:
    return (
        select(project.c.id)
        .join(project_status, project_status.c.id == project.c.project_status_id)
        .where(project_status.c.name == OPEN)
    )


def team_open_project_ids(person_id: str) -> Select:
    """Open projects whose team holds the person (Zou's `related_projects`)."""
    return open_project_ids().where(exists().where(team.c.project_id == project.c.id, team.c.person_id == person_id))


def _prefixed(table, prefix: str, names: Iterable[str] | None = None) -> list[ColumnElement]:
    cols = table.c if names is None else [table.c[n] for n in names]
    return [c.label(f"{prefix}{c.name}") for c in cols]


def _split(row: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    out = {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}
    return None if out.get("id") is None else out


class TaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _dicts(self, stmt) -> list[dict[str, Any]]:
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    # --- single tasks -----------------------------------------------------------------

    async def get(self, task_id: str) -> dict[str, Any] | None:
        rows = await self._dicts(select(task).where(task.c.id == task_id))
        return rows[0] if rows else None

    async def contexts(self, task_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Tasks with what the access checks read (`assignee_ids`, `task_type_department_id`,
        `entity_created_by`), as `task_access.load_task` gives them, in one statement."""
        if not task_ids:
            return []
        stmt = (
            select(
                task,
                assignee_array(task.c.id).label("assignee_ids"),
                task_type.c.department_id.label("task_type_department_id"),
                entity.c.created_by.label("entity_created_by"),
            )
            .outerjoin(task_type, task_type.c.id == task.c.task_type_id)
            .outerjoin(entity, entity.c.id == task.c.entity_id)
            .where(in_ids(task.c.id, task_ids))
        )
        return await self._dicts(stmt)

    async def assignees_of(self, task_ids: Sequence[str]) -> dict[str, list[str]]:
        if not task_ids:
            return {}
        stmt = select(_text(assignment.c.task_id), _text(assignment.c.person_id)).where(
            in_ids(assignment.c.task_id, task_ids)
        )
        found: dict[str, list[str]] = defaultdict(list)
        for task_id, person_id in (await self.session.execute(stmt)).all():
            found[task_id].append(person_id)
        return found

    async def update(self, task_ids: Sequence[str], values: dict[str, Any]) -> list[dict[str, Any]]:
        """Set the values on the tasks (and `updated_at`); answers the updated rows."""
        if not task_ids:
            return []
        stmt = (
            update(task)
            .where(in_ids(task.c.id, task_ids))
            .values(**values, updated_at=utc_now())
            .returning(*task.columns)
        )
        return await self._dicts(stmt)

    async def persons(self, person_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """id -> {is_bot, preview_project_id, active} for the persons that exist."""
        if not person_ids:
            return {}
        stmt = select(
            _text(person.c.id).label("id"), person.c.is_bot, _text(person.c.preview_project_id).label("preview")
        ).where(in_ids(person.c.id, person_ids))
        return {row["id"]: row for row in await self._dicts(stmt)}

    async def project_flags(self, project_ids: Sequence[str]) -> dict[str, bool]:
        """project id -> whether bots may collaborate on it."""
        if not project_ids:
            return {}
        stmt = select(_text(project.c.id), project.c.is_bot_collaboration_enabled).where(
            in_ids(project.c.id, project_ids)
        )
        return {pid: bool(flag) for pid, flag in (await self.session.execute(stmt)).all()}

    async def add_assignees(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Link (task_id, person_id) pairs, keeping the links that already exist."""
        if pairs:
            stmt = pg_insert(assignment).on_conflict_do_nothing()
            await self.session.execute(stmt, [{"task_id": t, "person_id": p} for t, p in pairs])

    async def remove_assignees(self, task_ids: Sequence[str], person_id: str | None = None) -> list[tuple[str, str]]:
        """Unlink the person (everyone when None) from the tasks; answers the (task, person) pairs removed."""
        if not task_ids:
            return []
        stmt = delete(assignment).where(in_ids(assignment.c.task_id, task_ids))
        if person_id is not None:
            stmt = stmt.where(assignment.c.person_id == person_id)
        stmt = stmt.returning(_text(assignment.c.task_id), _text(assignment.c.person_id))
        return [tuple(r) for r in (await self.session.execute(stmt)).all()]

    async def add_team_members(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Put (project_id, person_id) pairs on the teams, keeping existing memberships."""
        if pairs:
            stmt = pg_insert(team).on_conflict_do_nothing()
            await self.session.execute(stmt, [{"project_id": p, "person_id": q} for p, q in dict.fromkeys(pairs)])

    # --- the full task --------------------------------------------------------------------

    async def full(self, task_id: str, user_id: str) -> dict[str, Any] | None:
        """The task with its project, type, status, entity, entity type, parent and grand-parent
        entities, assigner (with department ids), assignee ids and the caller's subscription."""
        assigner = person.alias("assigner")
        parent = entity.alias("parent")
        grand = entity.alias("grand")
        assigner_departments = func.array(
            select(_text(department_link.c.department_id))
            .where(department_link.c.person_id == assigner.c.id)
            .scalar_subquery()
        )
        subscribed = exists().where(subscription.c.task_id == task.c.id, subscription.c.person_id == user_id)
        stmt = (
            select(
                *_prefixed(task, "t__"),
                assignee_array(task.c.id).label("assignees"),
                subscribed.label("is_subscribed"),
                *_prefixed(project, "p__"),
                *_prefixed(task_type, "tt__"),
                *_prefixed(task_status, "ts__"),
                *_prefixed(entity, "e__"),
                *_prefixed(entity_type, "et__"),
                *_prefixed(parent, "par__"),
                *_prefixed(grand, "gr__"),
                *_prefixed(assigner, "as__"),
                assigner_departments.label("assigner_departments"),
            )
            .select_from(task)
            .outerjoin(project, project.c.id == task.c.project_id)
            .outerjoin(task_type, task_type.c.id == task.c.task_type_id)
            .outerjoin(task_status, task_status.c.id == task.c.task_status_id)
            .outerjoin(entity, entity.c.id == task.c.entity_id)
            .outerjoin(entity_type, entity_type.c.id == entity.c.entity_type_id)
            .outerjoin(parent, parent.c.id == entity.c.parent_id)
            .outerjoin(grand, grand.c.id == parent.c.parent_id)
            .outerjoin(assigner, assigner.c.id == task.c.assigner_id)
            .where(task.c.id == task_id)
        )
        rows = await self._dicts(stmt)
        if not rows:
            return None
        row = rows[0]
        return {
            "task": {k[3:]: v for k, v in row.items() if k.startswith("t__")},
            "assignees": list(row["assignees"] or []),
            "is_subscribed": bool(row["is_subscribed"]),
            "project": _split(row, "p__"),
            "task_type": _split(row, "tt__"),
            "task_status": _split(row, "ts__"),
            "entity": _split(row, "e__"),
            "entity_type": _split(row, "et__"),
            "parent": _split(row, "par__"),
            "grand": _split(row, "gr__"),
            "assigner": _split(row, "as__"),
            "assigner_departments": list(row["assigner_departments"] or []),
        }

    async def person_rows(self, person_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not person_ids:
            return []
        stmt = (
            select(person)
            .where(in_ids(person.c.id, person_ids))
            .order_by(person.c.first_name, person.c.last_name, person.c.id)
        )
        return await self._dicts(stmt)

    # --- creation --------------------------------------------------------------------------

    async def entities(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        cols = (entity.c.id, entity.c.project_id, entity.c.entity_type_id, entity.c.name)
        return await self._dicts(select(*cols).where(in_ids(entity.c.id, ids)))

    async def project_entities(
        self, project_id: str, type_condition: ColumnElement, episode_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The project's entities meeting the type condition, by name; with `episode_id`, those whose
        parent, grand-parent or source is the episode."""
        cols = (entity.c.id, entity.c.project_id, entity.c.entity_type_id, entity.c.name)
        stmt = select(*cols).where(entity.c.project_id == project_id, type_condition)
        if episode_id is not None:
            parent = entity.alias("parent")
            stmt = stmt.outerjoin(parent, parent.c.id == entity.c.parent_id).where(
                or_(
                    entity.c.parent_id == episode_id,
                    parent.c.parent_id == episode_id,
                    entity.c.source_id == episode_id,
                )
            )
        return await self._dicts(stmt.order_by(entity.c.name, entity.c.id))

    async def entities_with_task_type(self, entity_ids: Sequence[str], task_type_id: str) -> set[str]:
        if not entity_ids:
            return set()
        stmt = select(_text(task.c.entity_id)).where(
            in_ids(task.c.entity_id, entity_ids), task.c.task_type_id == task_type_id
        )
        return set((await self.session.execute(stmt)).scalars())

    async def project_exists(self, project_id: str) -> bool:
        return bool((await self.session.execute(select(exists().where(project.c.id == project_id)))).scalar())

    async def entity_type_by_name(self, name: str) -> dict[str, Any] | None:
        rows = await self._dicts(select(entity_type).where(entity_type.c.name == name).limit(1))
        return rows[0] if rows else None

    # --- removal -----------------------------------------------------------------------------

    async def task_ids(self, *conditions: ColumnElement) -> list[dict[str, Any]]:
        cols = (task.c.id, task.c.project_id, task.c.entity_id, task.c.task_type_id)
        return await self._dicts(select(*cols).where(*conditions).order_by(task.c.id))

    async def try_delete(self, task_id: str) -> bool:
        """Delete the task and its assignments unless other rows still point at it."""
        try:
            async with self.session.begin_nested():
                await self.session.execute(delete(assignment).where(assignment.c.task_id == task_id))
                await self.session.execute(delete(task).where(task.c.id == task_id))
        except IntegrityError:
            return False
        return True

    async def purge(self, task_ids: Sequence[str]) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
        """Delete the tasks and everything hanging off them (comments, notifications, news,
        previews, files, subscriptions, time spents, assignments, schedule links), one
        statement per table. Entities showing a removed preview lose it. Answers the news
        removed, and the removed rows owning stored files (`stored_files.discard_removed`)."""
        if not task_ids:
            return [], {}
        T = select(func.unnest(_ids(task_ids))).scalar_subquery()
        P = select(preview.c.id).where(preview.c.task_id.in_(T)).scalar_subquery()
        C = select(comment.c.id).where(comment.c.object_id.in_(T)).scalar_subquery()
        WF = select(working_file.c.id).where(working_file.c.task_id.in_(T)).scalar_subquery()
        OF = select(output_file.c.id).where(output_file.c.source_file_id.in_(WF)).scalar_subquery()
        SL = select(schedule_task_link.c.id).where(schedule_task_link.c.task_id.in_(T)).scalar_subquery()
        ptl, cm, cdm, ca = (
            CommentPreviewLink.__table__,
            CommentMentions.__table__,
            CommentDepartmentMentions.__table__,
            CommentAcknoledgments.__table__,
        )
        run = self.session.execute
        await run(update(entity).where(entity.c.preview_file_id.in_(P)).values(preview_file_id=None))
        await run(update(news).where(news.c.preview_file_id.in_(P)).values(preview_file_id=None))
        await run(update(comment).where(comment.c.preview_file_id.in_(P)).values(preview_file_id=None))
        await run(update(preview).where(preview.c.source_file_id.in_(OF)).values(source_file_id=None))
        await run(delete(ptl).where(or_(ptl.c.preview_file.in_(P), ptl.c.comment.in_(C))))
        await run(delete(cm).where(cm.c.comment.in_(C)))
        await run(delete(cdm).where(cdm.c.comment.in_(C)))
        await run(delete(ca).where(ca.c.comment.in_(C)))
        await run(delete(notification).where(or_(notification.c.comment_id.in_(C), notification.c.task_id.in_(T))))
        removed_news = await self._dicts(
            delete(news)
            .where(or_(news.c.comment_id.in_(C), news.c.task_id.in_(T)))
            .returning(_text(news.c.id).label("id"), _text(news.c.task_id).label("task_id"))
        )
        removed_files = {
            "attachment_files": await self._dicts(
                delete(attachment).where(attachment.c.comment_id.in_(C)).returning(attachment.c.id)
            )
        }
        await run(delete(comment).where(comment.c.id.in_(C)))
        state = PreviewFileStorageState.__table__
        await run(delete(state).where(state.c.preview_file_id.in_(P)))
        removed_files["preview_files"] = await self._dicts(
            delete(preview).where(preview.c.id.in_(P)).returning(preview.c.id, preview.c.extension)
        )
        await run(delete(output_file).where(output_file.c.id.in_(OF)))
        removed_files["working_files"] = await self._dicts(
            delete(working_file).where(working_file.c.id.in_(WF)).returning(working_file.c.id)
        )
        await run(delete(subscription).where(subscription.c.task_id.in_(T)))
        await run(delete(time_spent).where(time_spent.c.task_id.in_(T)))
        await run(delete(assignment).where(assignment.c.task_id.in_(T)))
        await run(
            delete(schedule_person_link).where(schedule_person_link.c.production_schedule_version_task_link_id.in_(SL))
        )
        await run(delete(schedule_task_link).where(schedule_task_link.c.id.in_(SL)))
        await run(delete(task).where(task.c.id.in_(T)))
        return removed_news, removed_files

    # --- listings --------------------------------------------------------------------------

    async def plain_tasks(self, *conditions: ColumnElement, order_by: Sequence[ColumnElement] = ()) -> list[dict]:
        stmt = select(task).where(*conditions).order_by(*order_by, task.c.id)
        return await self._dicts(stmt)

    async def project_tasks(
        self,
        conditions: Sequence[ColumnElement],
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Tasks with their assignee ids, newest update first."""
        stmt = (
            select(task, assignee_array(task.c.id).label("assignees"))
            .where(*conditions)
            .order_by(task.c.updated_at.desc(), task.c.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return await self._dicts(stmt)

    async def count(self, conditions: Sequence[ColumnElement]) -> int:
        stmt = select(func.count()).select_from(task).where(*conditions)
        return int((await self.session.execute(stmt)).scalar() or 0)

    def _detailed_select(self, *extra: ColumnElement) -> Select:
        """Tasks joined to what Zou's todo lists show (project, entity, its sequence and episode,
        type, status), as `resolve_episode_and_build_task_dict` reads them."""
        return (
            select(
                task,
                project.c.name.label("x_project_name"),
                project.c.has_avatar.label("x_project_has_avatar"),
                entity.c.name.label("x_entity_name"),
                entity.c.description.label("x_entity_description"),
                entity.c.data.label("x_entity_data"),
                _text(entity.c.preview_file_id).label("x_entity_preview_file_id"),
                _text(entity.c.source_id).label("x_entity_source_id"),
                entity.c.canceled.label("x_entity_canceled"),
                _text(entity.c.parent_id).label("x_entity_parent_id"),
                entity_type.c.name.label("x_entity_type_name"),
                sequence.c.name.label("x_sequence_name"),
                _text(episode.c.id).label("x_episode_id"),
                episode.c.name.label("x_episode_name"),
                source.c.name.label("x_source_name"),
                task_type.c.name.label("x_task_type_name"),
                task_type.c.for_entity.label("x_task_type_for_entity"),
                task_type.c.color.label("x_task_type_color"),
                task_status.c.name.label("x_task_status_name"),
                task_status.c.color.label("x_task_status_color"),
                task_status.c.short_name.label("x_task_status_short_name"),
                *extra,
            )
            .select_from(task)
            .join(project, project.c.id == task.c.project_id)
            .join(project_status, project_status.c.id == project.c.project_status_id)
            .join(task_type, task_type.c.id == task.c.task_type_id)
            .join(task_status, task_status.c.id == task.c.task_status_id)
            .join(entity, entity.c.id == task.c.entity_id)
            .join(entity_type, entity_type.c.id == entity.c.entity_type_id)
            .outerjoin(sequence, sequence.c.id == entity.c.parent_id)
            .outerjoin(episode, episode.c.id == sequence.c.parent_id)
            .outerjoin(source, source.c.id == entity.c.source_id)
        )

    async def person_tasks(self, person_id: str, project_ids: Select, done: bool) -> list[dict[str, Any]]:
        stmt = self._detailed_select().where(
            task.c.id.in_(select(assignment.c.task_id).where(assignment.c.person_id == person_id)),
            task.c.project_id.in_(project_ids),
            func.coalesce(task_status.c.is_done, False).is_(done),
        )
        if done:
            stmt = stmt.order_by(task.c.end_date.desc(), task_type.c.name, entity.c.name, task.c.id)
        else:
            stmt = stmt.order_by(project.c.name, task_type.c.name, entity.c.name, task.c.id)
        return await self._dicts(stmt)

    async def episode_castings(self, entity_ids: Sequence[str], episode_type_id: str | None) -> dict[str, list]:
        """asset id -> [(episode id, episode name)] of the episodes casting it, by name."""
        if not entity_ids or episode_type_id is None:
            return {}
        ep = entity.alias("ep")
        stmt = (
            select(_text(entity_link.c.entity_out_id), _text(ep.c.id), ep.c.name)
            .join(ep, ep.c.id == entity_link.c.entity_in_id)
            .where(ep.c.entity_type_id == episode_type_id, in_ids(entity_link.c.entity_out_id, entity_ids))
            .order_by(ep.c.name)
        )
        found: dict[str, list] = defaultdict(list)
        for asset_id, episode_id, name in (await self.session.execute(stmt)).all():
            found[asset_id].append((episode_id, name))
        return found

    async def last_comments(self, task_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """task id -> its last comment written by someone who is not a client on the project."""
        if not task_ids:
            return {}
        author_role = func.coalesce(team.c.role, person.c.role)
        stmt = (
            select(
                _text(comment.c.object_id).label("task_id"),
                comment.c.text,
                comment.c.created_at,
                _text(comment.c.person_id).label("person_id"),
            )
            .ext(distinct_on(comment.c.object_id))
            .join(person, person.c.id == comment.c.person_id)
            .join(task, task.c.id == comment.c.object_id)
            .outerjoin(team, and_(team.c.person_id == person.c.id, team.c.project_id == task.c.project_id))
            .where(in_ids(comment.c.object_id, task_ids), func.coalesce(author_role, "") != "client")
            .order_by(comment.c.object_id, comment.c.created_at.desc())
        )
        return {
            row["task_id"]: {"text": row["text"], "date": row["created_at"], "person_id": row["person_id"]}
            for row in await self._dicts(stmt)
        }

    async def related_tasks(
        self, person_id: str, task_type_id: str, scope: Sequence[ColumnElement] = ()
    ) -> list[dict[str, Any]]:
        """`scope`: extra conditions on the task (the caller's visible projects)."""
        worked = (
            select(task.c.entity_id)
            .join(assignment, assignment.c.task_id == task.c.id)
            .where(assignment.c.person_id == person_id, task.c.project_id.in_(open_project_ids()))
        )
        return await self.plain_tasks(
            task.c.entity_id.in_(worked), task.c.task_type_id == task_type_id, *scope, order_by=(task.c.name,)
        )

    # --- open tasks --------------------------------------------------------------------------

    async def open_tasks(
        self, conditions: Sequence[ColumnElement], limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
        """(a page of tasks, the totals, the amounts per status) of the open tasks pool."""
        stmt = (
            self._detailed_select(assignee_array(task.c.id).label("x_assignees"))
            .where(*conditions)
            .order_by(
                project.c.name,
                episode.c.name,
                sequence.c.name,
                entity_type.c.name,
                entity.c.name,
                task_type.c.name,
                task.c.id,
            )
            .limit(limit)
            .offset(offset)
        )
        rows = await self._dicts(stmt)
        if not rows:
            return [], {}, []
        base = self._pool()
        totals = select(
            func.count().label("total"),
            func.sum(task.c.duration).label("total_duration"),
            func.sum(task.c.estimation).label("total_estimation"),
        ).select_from(base)
        totals_row = (await self._dicts(totals.where(*conditions)))[0]
        per_status = (
            select(_text(task.c.task_status_id).label("task_status_id"), func.count().label("amount"))
            .select_from(base)
            .where(*conditions)
            .group_by(task.c.task_status_id)
            .order_by(task.c.task_status_id)
        )
        return rows, totals_row, await self._dicts(per_status)

    def _pool(self):
        return (
            task.join(project, project.c.id == task.c.project_id)
            .join(project_status, project_status.c.id == project.c.project_status_id)
            .join(task_type, task_type.c.id == task.c.task_type_id)
            .join(task_status, task_status.c.id == task.c.task_status_id)
            .join(entity, entity.c.id == task.c.entity_id)
            .outerjoin(sequence, sequence.c.id == entity.c.parent_id)
            .outerjoin(episode, episode.c.id == sequence.c.parent_id)
        )

    async def open_tasks_stats(self, conditions: Sequence[ColumnElement]) -> list[dict[str, Any]]:
        stmt = (
            select(
                _text(task_status.c.id).label("task_status_id"),
                _text(task_type.c.id).label("task_type_id"),
                _text(project.c.id).label("project_id"),
                func.count().label("amount"),
                func.count(case((task_status.c.is_done.is_(True), task.c.id))).label("amount_done"),
                func.sum(task.c.duration).label("total_duration"),
                func.sum(task.c.estimation).label("total_estimation"),
            )
            .select_from(self._pool())
            .where(func.coalesce(task_type.c.for_entity, "") != "Concept", *conditions)
            .group_by(project.c.id, task_type.c.id, task_status.c.id)
            .order_by(project.c.id, task_type.c.id, task_status.c.id)
        )
        return await self._dicts(stmt)

    async def burndown(self, conditions: Sequence[ColumnElement]) -> tuple[dict[str, Any], list[tuple]]:
        pool = (
            select(
                task.c.id,
                task.c.estimation,
                task.c.start_date,
                task.c.due_date,
                task.c.done_date,
                project.c.start_date.label("project_start_date"),
                project.c.end_date.label("project_end_date"),
            )
            .select_from(self._pool())
            .where(*conditions)
            .subquery()
        )
        totals = select(
            func.count().label("total"),
            func.sum(pool.c.estimation).label("total_estimation"),
            cast(func.min(pool.c.start_date), Date).label("first_start"),
            cast(func.max(pool.c.due_date), Date).label("last_due"),
            func.min(pool.c.project_start_date).label("project_start"),
            func.max(pool.c.project_end_date).label("project_end"),
        )
        day = cast(pool.c.done_date, Date)
        done = (
            select(day, func.count(), func.sum(pool.c.estimation))
            .where(pool.c.done_date.is_not(None))
            .group_by(day)
            .order_by(day)
        )
        head = (await self._dicts(totals))[0]
        return head, [tuple(r) for r in (await self.session.execute(done)).all()]

    async def persons_task_dates(self, project_ids: Select | Sequence[str]) -> list[tuple]:
        if isinstance(project_ids, Select):
            in_projects = task.c.project_id.in_(project_ids)
        else:
            in_projects = in_ids(task.c.project_id, project_ids)
        stmt = (
            select(_text(person.c.id), func.min(task.c.start_date), func.max(task.c.due_date))
            .select_from(task)
            .join(assignment, assignment.c.task_id == task.c.id)
            .join(person, person.c.id == assignment.c.person_id)
            .where(person.c.active.is_(True), in_projects)
            .group_by(person.c.id)
            .order_by(person.c.id)
        )
        return [tuple(r) for r in (await self.session.execute(stmt)).all()]

    async def busy_periods(self, project_ids: Select) -> list[tuple]:
        stmt = (
            select(_text(person.c.id), task.c.start_date, task.c.due_date)
            .select_from(task)
            .join(assignment, assignment.c.task_id == task.c.id)
            .join(person, person.c.id == assignment.c.person_id)
            .where(
                person.c.active.is_(True),
                task.c.project_id.in_(project_ids),
                task.c.start_date.is_not(None),
                task.c.due_date.is_not(None),
            )
        )
        return [tuple(r) for r in (await self.session.execute(stmt)).all()]

    async def person_exists_and_bot(self, person_id: str) -> tuple[bool, bool, str | None]:
        """(exists, is_bot, role) of a person."""
        rows = await self._dicts(select(person.c.is_bot, person.c.role).where(person.c.id == person_id))
        if not rows:
            return False, False, None
        return True, bool(rows[0]["is_bot"]), rows[0]["role"]

    async def entity_project(self, entity_id: str) -> str | None:
        stmt = select(_text(entity.c.project_id)).where(entity.c.id == entity_id)
        return (await self.session.execute(stmt)).scalar()


# --- conditions for the open tasks pool ---------------------------------------------------------


def pool_conditions(
    *,
    project_id: str | None,
    project_ids: Select | None,
    task_type_id: str | None,
    task_status_id: str | None,
    person_ids: list[str] | None,
    unassigned: bool,
    studio_id: str | None,
    department_id: str | None,
    start_date: datetime.datetime | None,
    due_date: datetime.datetime | None,
    priority: int | None,
) -> list[ColumnElement]:
    """The SQL conditions of Zou's open tasks filters (listing, stats and burndown alike)."""
    conds: list[ColumnElement] = []
    if project_id is not None:
        conds.append(project.c.id == project_id)
    elif project_ids is not None:
        conds.append(project.c.id.in_(project_ids))
    else:
        conds.append(project_status.c.name == OPEN)
    if task_type_id is not None:
        conds.append(task_type.c.id == task_type_id)
    else:
        conds.append(func.coalesce(task_type.c.for_entity, "") != "Concept")
    if task_status_id is not None:
        conds.append(task_status.c.id == task_status_id)
    if unassigned:
        conds.append(~exists().where(assignment.c.task_id == task.c.id))
    elif person_ids:
        conds.append(exists().where(assignment.c.task_id == task.c.id, in_ids(assignment.c.person_id, person_ids)))
    if studio_id is not None:
        conds.append(
            exists().where(
                assignment.c.task_id == task.c.id,
                person.c.id == assignment.c.person_id,
                person.c.studio_id == studio_id,
            )
        )
    if department_id is not None:
        conds.append(
            exists().where(
                assignment.c.task_id == task.c.id,
                department_link.c.person_id == assignment.c.person_id,
                department_link.c.department_id == department_id,
            )
        )
    if start_date is not None:
        conds.append(task.c.start_date >= start_date)
    if due_date is not None:
        conds.append(task.c.due_date <= due_date)
    if priority is not None:
        conds.append(task_type.c.priority == priority)
    return conds


def project_task_conditions(
    project_id: str, task_type_id: str | None, episode_id: str | None, assigned_to: str | None
) -> list[ColumnElement]:
    conds: list[ColumnElement] = [task.c.project_id == project_id]
    if task_type_id is not None:
        conds.append(task.c.task_type_id == task_type_id)
    if episode_id is not None:
        conds.append(
            task.c.entity_id.in_(
                select(entity.c.id)
                .join(sequence, sequence.c.id == entity.c.parent_id)
                .where(sequence.c.parent_id == episode_id)
            )
        )
    if assigned_to is not None:
        conds.append(task.c.id.in_(select(assignment.c.task_id).where(assignment.c.person_id == assigned_to)))
    return conds


def entity_kind_condition(type_ids: Sequence[str], *, exclude: bool = False) -> ColumnElement:
    """Entities whose type is (or, `exclude`, is not) one of the given ones."""
    cond = entity.c.entity_type_id.in_(list(type_ids))
    return ~cond if exclude else cond
