"""Working files (revisions per task and name) and the lookups the file tree renders paths from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.access import in_team_projects
from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import EntityType, OutputType, Software, TaskType
from app.repositories.tables.entities import AssetInstance, Entity
from app.repositories.tables.files import OutputFile, WorkingFile
from app.repositories.tables.people import Department, Person
from app.repositories.tables.projects import Project
from app.repositories.tables.tasks import Task

working_file = WorkingFile.__table__
output_file = OutputFile.__table__
entity = Entity.__table__
entity_type = EntityType.__table__
project = Project.__table__
task = Task.__table__
task_type = TaskType.__table__
department = Department.__table__
software = Software.__table__
output_type = OutputType.__table__
asset_instance = AssetInstance.__table__
person = Person.__table__

ENTITY_FIELDS = ("id", "name", "entity_type_id", "parent_id", "project_id")
PROJECT_FIELDS = ("id", "name", "code", "file_tree")


def _prefixed(table, prefix: str, names: Sequence[str]) -> list[ColumnElement]:
    return [table.c[name].label(f"{prefix}{name}") for name in names]


def _split(row: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    out = {key[len(prefix) :]: value for key, value in row.items() if key.startswith(prefix)}
    return out if out.get("id") is not None else None


async def _one(session: AsyncSession, stmt) -> dict[str, Any] | None:
    row = (await session.execute(stmt)).mappings().first()
    return None if row is None else dict(row)


async def _all(session: AsyncSession, stmt) -> list[dict[str, Any]]:
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


class WorkingFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, working_file_id: str) -> dict[str, Any] | None:
        return await _one(self.session, select(working_file).where(working_file.c.id == working_file_id))

    async def outputs_of(self, working_file_ids: Sequence[str]) -> dict[str, list[str]]:
        """Ids of the output files made from each working file (Zou's `outputs` relation), one query."""
        if not working_file_ids:
            return {}
        stmt = (
            select(output_file.c.source_file_id, output_file.c.id)
            .where(output_file.c.source_file_id.in_(list(working_file_ids)))
            .order_by(output_file.c.created_at, output_file.c.id)
        )
        found: dict[str, list[str]] = {}
        for source_id, output_id in (await self.session.execute(stmt)).all():
            found.setdefault(str(source_id), []).append(str(output_id))
        return found

    async def for_task(self, task_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(working_file)
            .where(working_file.c.task_id == task_id, working_file.c.revision >= 0)
            .order_by(working_file.c.revision.desc(), working_file.c.created_at, working_file.c.name)
        )
        return await _all(self.session, stmt)

    async def for_entity(self, entity_id: str, task_id: str | None, name: str | None) -> list[dict[str, Any]]:
        stmt = select(working_file).where(working_file.c.entity_id == entity_id, working_file.c.revision >= 0)
        if task_id:
            stmt = stmt.where(working_file.c.task_id == task_id)
        if name:
            stmt = stmt.where(working_file.c.name == name)
        stmt = stmt.order_by(working_file.c.revision.desc(), working_file.c.created_at, working_file.c.name)
        return await _all(self.session, stmt)

    async def last_revisions(self, task_id: str) -> list[dict[str, Any]]:
        """The working file of highest revision for each name of the task."""
        last = (
            select(working_file.c.name, func.max(working_file.c.revision).label("revision"))
            .where(working_file.c.task_id == task_id)
            .group_by(working_file.c.name)
            .subquery()
        )
        stmt = (
            select(working_file)
            .join(last, and_(working_file.c.name == last.c.name, working_file.c.revision == last.c.revision))
            .where(working_file.c.task_id == task_id)
            .order_by(working_file.c.name, working_file.c.created_at)
        )
        return await _all(self.session, stmt)

    async def last_revision(self, task_id: str, name: str | None) -> int | None:
        stmt = select(func.max(working_file.c.revision)).where(
            working_file.c.task_id == task_id, working_file.c.name == name
        )
        return (await self.session.execute(stmt)).scalar()

    async def revision_exists(self, task_id: str, entity_id: str | None, name: str, revision: int) -> bool:
        stmt = select(
            exists().where(
                working_file.c.task_id == task_id,
                working_file.c.entity_id == entity_id,
                working_file.c.name == name,
                working_file.c.revision == revision,
            )
        )
        return bool((await self.session.execute(stmt)).scalar())

    async def insert(self, values: dict[str, Any]) -> dict[str, Any]:
        stmt = insert(working_file).values(**values).returning(working_file)
        return dict((await self.session.execute(stmt)).mappings().one())

    async def update(self, working_file_id: str, values: dict[str, Any]) -> dict[str, Any]:
        stmt = (
            update(working_file)
            .where(working_file.c.id == working_file_id)
            .values(**values, updated_at=utc_now())
            .returning(working_file)
        )
        return dict((await self.session.execute(stmt)).mappings().one())

    async def person_exists(self, person_id: str) -> bool:
        return bool((await self.session.execute(select(exists().where(person.c.id == person_id)))).scalar())


def team_working_files(person_id: str) -> ColumnElement:
    """SQL condition: the working file's entity is in one of the person's team projects."""
    return working_file.c.entity_id.in_(select(entity.c.id).where(in_team_projects(entity.c.project_id, person_id)))


class FileTreeRepository:
    """What a file tree template reads: an entity with its type, parents and project, a task type
    with its department, a software, an output type, an asset instance."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def entity_context(self, entity_id: str) -> dict[str, Any] | None:
        """`{entity, entity_type, parent, grand_parent, project}` in one statement (None when unknown)."""
        parent = entity.alias("parent")
        grand = entity.alias("grand")
        stmt = (
            select(
                *_prefixed(entity, "e_", ENTITY_FIELDS),
                *_prefixed(entity_type, "et_", ("id", "name", "short_name")),
                *_prefixed(parent, "p_", ENTITY_FIELDS),
                *_prefixed(grand, "g_", ENTITY_FIELDS),
                *_prefixed(project, "pr_", PROJECT_FIELDS),
            )
            .select_from(
                entity.join(entity_type, entity_type.c.id == entity.c.entity_type_id)
                .join(project, project.c.id == entity.c.project_id)
                .outerjoin(parent, parent.c.id == entity.c.parent_id)
                .outerjoin(grand, grand.c.id == parent.c.parent_id)
            )
            .where(entity.c.id == entity_id)
        )
        row = await _one(self.session, stmt)
        if row is None:
            return None
        return {
            "entity": _split(row, "e_"),
            "entity_type": _split(row, "et_"),
            "parent": _split(row, "p_"),
            "grand_parent": _split(row, "g_"),
            "project": _split(row, "pr_"),
        }

    async def task(self, task_id: str) -> dict[str, Any] | None:
        """The task with its task type and that type's department (prefixed `tt_` and `d_`)."""
        stmt = (
            select(
                task.c.id,
                task.c.name,
                task.c.project_id,
                task.c.entity_id,
                task.c.task_type_id,
                *_prefixed(task_type, "tt_", ("id", "name", "short_name", "department_id")),
                *_prefixed(department, "d_", ("id", "name")),
            )
            .select_from(
                task.outerjoin(task_type, task_type.c.id == task.c.task_type_id).outerjoin(
                    department, department.c.id == task_type.c.department_id
                )
            )
            .where(task.c.id == task_id)
        )
        row = await _one(self.session, stmt)
        if row is None:
            return None
        return {
            "task": {k: row[k] for k in ("id", "name", "project_id", "entity_id", "task_type_id")},
            "task_type": _split(row, "tt_"),
            "department": _split(row, "d_"),
        }

    async def task_type(self, task_type_id: str) -> dict[str, Any] | None:
        stmt = (
            select(
                *_prefixed(task_type, "tt_", ("id", "name", "short_name", "department_id")),
                *_prefixed(department, "d_", ("id", "name")),
            )
            .select_from(task_type.outerjoin(department, department.c.id == task_type.c.department_id))
            .where(task_type.c.id == task_type_id)
        )
        row = await _one(self.session, stmt)
        if row is None:
            return None
        return {"task_type": _split(row, "tt_"), "department": _split(row, "d_")}

    async def software(self, software_id: str) -> dict[str, Any] | None:
        return await _one(self.session, select(software).where(software.c.id == software_id))

    async def output_type(self, output_type_id: str) -> dict[str, Any] | None:
        return await _one(self.session, select(output_type).where(output_type.c.id == output_type_id))

    async def asset_instance(self, asset_instance_id: str) -> dict[str, Any] | None:
        return await _one(self.session, select(asset_instance).where(asset_instance.c.id == asset_instance_id))

    async def get_or_create(self, table, values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The row of `table` named `values["name"]`, created with `values` when missing
        (answers whether it was created)."""
        stmt = select(table).where(table.c.name == values["name"])
        found = await _one(self.session, stmt)
        if found is not None:
            return found, False
        inserted = await _one(self.session, pg_insert(table).values(**values).on_conflict_do_nothing().returning(table))
        if inserted is not None:
            return inserted, True
        return await _one(self.session, stmt), False  # created meanwhile by another request

    async def next_output_revision(
        self,
        entity_id: str,
        output_type_id: str,
        task_type_id: str,
        name: str,
        asset_instance_id: str | None = None,
        temporal_entity_id: str | None = None,
    ) -> int:
        """One more than the highest positive revision of those outputs (1 when none)."""
        stmt = select(func.max(output_file.c.revision)).where(
            output_file.c.output_type_id == output_type_id,
            output_file.c.task_type_id == task_type_id,
            output_file.c.name == name,
            output_file.c.revision > 0,
        )
        if asset_instance_id is None:
            stmt = stmt.where(output_file.c.entity_id == entity_id)
        else:
            stmt = stmt.where(
                output_file.c.asset_instance_id == asset_instance_id,
                output_file.c.temporal_entity_id == temporal_entity_id,
            )
        last = (await self.session.execute(stmt)).scalar()
        return 1 if last is None else last + 1

    # --- guessing from a path: one lookup per token value, first match wins ---

    async def first_id(self, table, *conditions: ColumnElement) -> str | None:
        stmt = select(table.c.id).where(*conditions).order_by(table.c.created_at, table.c.id).limit(1)
        found = (await self.session.execute(stmt)).scalar()
        return None if found is None else str(found)

    async def project(self, project_id: str) -> dict[str, Any] | None:
        return await _one(
            self.session, select(*[project.c[n] for n in PROJECT_FIELDS]).where(project.c.id == project_id)
        )


TABLES = {
    "entity": entity,
    "entity_type": entity_type,
    "department": department,
    "output_type": output_type,
    "task": task,
    "task_type": task_type,
    "project": project,
    "software": software,
}
