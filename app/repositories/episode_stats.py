"""Task counts per episode of a production: one GROUP BY query per report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.catalog import TaskStatus
from app.repositories.tables.entities import Entity
from app.repositories.tables.projects import Project
from app.repositories.tables.tasks import Task, TaskPersonLink

task = Task.__table__
task_status = TaskStatus.__table__
entity = Entity.__table__
project = Project.__table__
assignment = TaskPersonLink.__table__


def _episode_tasks(project_id: str, assignee_id: str | None):
    """Tasks of the project's shots (entities whose parent has a parent episode), with their episode."""
    sequence, episode = entity.alias("sequence"), entity.alias("episode")
    stmt = (
        select()
        .select_from(task)
        .join(task_status, task_status.c.id == task.c.task_status_id)
        .join(entity, entity.c.id == task.c.entity_id)
        .join(sequence, sequence.c.id == entity.c.parent_id)
        .join(episode, episode.c.id == sequence.c.parent_id)
        .where(task.c.project_id == project_id)
    )
    if assignee_id is not None:
        stmt = stmt.where(task.c.id.in_(select(assignment.c.task_id).where(assignment.c.person_id == assignee_id)))
    return stmt, episode


def _sum(column: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(column), 0)


class EpisodeStatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def client_stats_visible(self, project_id: str) -> bool | None:
        stmt = select(project.c.is_client_stats_visible).where(project.c.id == project_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def status_counts(self, project_id: str, assignee_id: str | None = None) -> list[dict[str, Any]]:
        """Per episode, task type and task status: the number of tasks, their drawings and frames."""
        base, episode = _episode_tasks(project_id, assignee_id)
        stmt = base.add_columns(
            episode.c.id.label("episode_id"),
            task.c.task_type_id,
            task.c.task_status_id,
            task_status.c.short_name,
            task_status.c.color,
            func.count(task.c.id).label("count"),
            _sum(task.c.nb_drawings).label("drawings"),
            _sum(entity.c.nb_frames).label("frames"),
        ).group_by(
            episode.c.id,
            task.c.task_type_id,
            task.c.task_status_id,
            task_status.c.short_name,
            task_status.c.color,
        )
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    async def retake_counts(self, project_id: str, assignee_id: str | None = None) -> list[dict[str, Any]]:
        """Per episode, task type, retake count and done/retake flags: tasks, frames and drawings."""
        base, episode = _episode_tasks(project_id, assignee_id)
        retake_count = func.coalesce(task.c.retake_count, 0)
        is_done = func.coalesce(task_status.c.is_done, false())
        is_retake = func.coalesce(task_status.c.is_retake, false())
        stmt = base.add_columns(
            episode.c.id.label("episode_id"),
            task.c.task_type_id,
            retake_count.label("retake_count"),
            is_done.label("is_done"),
            is_retake.label("is_retake"),
            func.count(task.c.id).label("count"),
            _sum(entity.c.nb_frames).label("frames"),
            _sum(task.c.nb_drawings).label("drawings"),
        ).group_by(episode.c.id, task.c.task_type_id, retake_count, is_done, is_retake)
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]
