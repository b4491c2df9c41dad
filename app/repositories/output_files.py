"""Output files and output types: listings, revisions, the rows a publication needs.

Every listing is one statement: the output file's columns plus its source working file's,
LEFT JOINed and labelled `sf_*`, so the domain nests `source_file` without another query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import FileStatus, OutputType, TaskType
from app.repositories.tables.entities import AssetInstance, Entity
from app.repositories.tables.files import OutputFile, WorkingFile
from app.repositories.tables.people import Person
from app.repositories.tables.tasks import Task

output_file = OutputFile.__table__
output_type = OutputType.__table__
working_file = WorkingFile.__table__
file_status = FileStatus.__table__
entity = Entity.__table__
asset_instance = AssetInstance.__table__
task_type = TaskType.__table__
person = Person.__table__
task = Task.__table__

SOURCE_PREFIX = "sf_"
_source_columns = [c.label(SOURCE_PREFIX + c.name) for c in working_file.columns]
_joined = output_file.outerjoin(working_file, working_file.c.id == output_file.c.source_file_id)


def _row(mapping) -> dict[str, Any]:
    """An output file row with its source working file under `source_file` (None without one)."""
    row: dict[str, Any] = {}
    source: dict[str, Any] = {}
    for key, value in mapping.items():
        if key.startswith(SOURCE_PREFIX):
            source[key[len(SOURCE_PREFIX) :]] = value
        else:
            row[key] = value
    row["source_file"] = source if source.get("id") is not None else None
    return row


def file_filters(
    *,
    task_type_id: str | None = None,
    output_type_id: str | None = None,
    name: str | None = None,
    representation: str | None = None,
    file_status_id: str | None = None,
) -> list[ColumnElement]:
    """Zou's optional listing filters: an empty value leaves its filter out."""
    c = output_file.c
    pairs = (
        (c.task_type_id, task_type_id),
        (c.output_type_id, output_type_id),
        (c.name, name),
        (c.representation, representation),
        (c.file_status_id, file_status_id),
    )
    return [column == value for column, value in pairs if value]


class OutputFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- output files ---------------------------------------------------

    async def files(self, *where: ColumnElement, order_by: Sequence[ColumnElement] = ()) -> list[dict[str, Any]]:
        stmt = select(output_file, *_source_columns).select_from(_joined).where(*where)
        stmt = stmt.order_by(*order_by, output_file.c.id)
        return [_row(m) for m in (await self.session.execute(stmt)).mappings()]

    async def get(self, output_file_id: str) -> dict[str, Any] | None:
        rows = await self.files(output_file.c.id == output_file_id)
        return rows[0] if rows else None

    async def sources(self, source_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Working files by id (for rows written through the generic engine)."""
        if not source_ids:
            return {}
        stmt = select(working_file).where(working_file.c.id.in_(list(source_ids)))
        return {m["id"]: dict(m) for m in (await self.session.execute(stmt)).mappings()}

    async def for_entity(self, entity_id: str, filters: list[ColumnElement]) -> list[dict[str, Any]]:
        c = output_file.c
        return await self.files(
            c.entity_id == entity_id,
            c.asset_instance_id.is_(None),
            c.temporal_entity_id.is_(None),
            c.revision >= 0,
            *filters,
            order_by=[c.revision.desc()],
        )

    async def for_project(self, project_id: str, filters: list[ColumnElement]) -> list[dict[str, Any]]:
        c = output_file.c
        in_project = select(entity.c.id).where(entity.c.project_id == project_id)
        return await self.files(
            c.entity_id.in_(in_project),
            c.asset_instance_id.is_(None),
            c.temporal_entity_id.is_(None),
            c.revision >= 0,
            *filters,
            order_by=[c.created_at.desc()],
        )

    async def for_instance(
        self, instance_id: str, temporal_entity_id: str | None, filters: list[ColumnElement]
    ) -> list[dict[str, Any]]:
        c = output_file.c
        where = [c.asset_instance_id == instance_id, c.revision >= 0, *filters]
        if temporal_entity_id:
            where.append(c.temporal_entity_id == temporal_entity_id)
        return await self.files(*where, order_by=[c.revision.desc()])

    async def for_output_type(
        self,
        output_type_id: str,
        representation: str | None,
        *,
        entity_id: str | None = None,
        instance_id: str | None = None,
        temporal_entity_id: str | None = None,
    ) -> list[dict[str, Any]]:
        c = output_file.c
        where = [c.output_type_id == output_type_id]
        if instance_id is None:
            where += [c.entity_id == entity_id, c.asset_instance_id.is_(None)]
        else:
            where += [c.asset_instance_id == instance_id, c.temporal_entity_id == temporal_entity_id]
        if representation is not None:
            where.append(c.representation == representation)
        return await self.files(*where, order_by=[c.revision.desc()])

    async def last_revisions(
        self,
        filters: list[ColumnElement],
        group_by_status: bool,
        *,
        entity_id: str | None = None,
        instance_id: str | None = None,
        temporal_entity_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """The highest revision of each (task type, output type, name, representation), in one statement."""
        c = output_file.c
        keys = [c.task_type_id, c.output_type_id, c.name, c.representation]
        if group_by_status:
            keys.append(c.file_status_id)
        if instance_id is None:
            scope = [c.entity_id == entity_id, c.asset_instance_id.is_(None)]
        else:
            scope = [c.asset_instance_id == instance_id, c.temporal_entity_id == temporal_entity_id]
        last = (
            select(*keys, func.max(c.revision).label("last")).where(*scope, *filters).group_by(*keys).subquery("last")
        )
        match = and_(
            last.c.task_type_id == c.task_type_id,
            last.c.output_type_id == c.output_type_id,
            last.c.name == c.name,
            last.c.representation == c.representation,
            last.c.last == c.revision,
        )
        source = _joined.join(last, match)
        stmt = select(output_file, *_source_columns).select_from(source).where(*scope)
        stmt = stmt.order_by(c.created_at, c.id)
        return [_row(m) for m in (await self.session.execute(stmt)).mappings()]

    async def last_revision_number(
        self,
        output_type_id: str,
        task_type_id: str,
        name: str,
        *,
        entity_id: str | None = None,
        instance_id: str | None = None,
        temporal_entity_id: str | None = None,
    ) -> int | None:
        c = output_file.c
        where = [c.output_type_id == output_type_id, c.task_type_id == task_type_id, c.name == name, c.revision > 0]
        if instance_id is None:
            where.append(c.entity_id == entity_id)
        else:
            where += [c.asset_instance_id == instance_id, c.temporal_entity_id == temporal_entity_id]
        return (await self.session.execute(select(func.max(c.revision)).where(*where))).scalar()

    async def exists(self, values: dict[str, Any]) -> bool:
        """Whether a row holds these values of the unique key (NULLs compared as equal, as Zou's lookup does)."""
        c = output_file.c
        where = [c[k].is_(None) if v is None else c[k] == v for k, v in values.items()]
        return bool((await self.session.execute(select(exists().where(*where)))).scalar())

    async def insert(self, values: dict[str, Any]) -> str:
        stmt = insert(output_file).values(**values).returning(output_file.c.id)
        return (await self.session.execute(stmt)).scalar_one()

    async def set_path(self, output_file_id: str, path: str) -> None:
        stmt = update(output_file).where(output_file.c.id == output_file_id).values(path=path, updated_at=utc_now())
        await self.session.execute(stmt)

    # --- context rows ---------------------------------------------------

    async def entity(self, entity_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(entity).where(entity.c.id == entity_id))).mappings().first()
        return None if row is None else dict(row)

    async def instance(self, instance_id: str) -> dict[str, Any] | None:
        """The asset instance with its asset's project (`project_id`, None when the asset is gone)."""
        stmt = (
            select(asset_instance, entity.c.project_id)
            .select_from(asset_instance.outerjoin(entity, entity.c.id == asset_instance.c.asset_id))
            .where(asset_instance.c.id == instance_id)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else dict(row)

    async def output_type(self, output_type_id: str) -> dict[str, Any] | None:
        stmt = select(output_type).where(output_type.c.id == output_type_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else dict(row)

    async def task_type(self, task_type_id: str) -> dict[str, Any] | None:
        stmt = select(task_type).where(task_type.c.id == task_type_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else dict(row)

    async def person_exists(self, person_id: str) -> bool:
        return bool((await self.session.execute(select(exists().where(person.c.id == person_id)))).scalar())

    async def working_file_id(self, working_file_id: str) -> str | None:
        stmt = select(working_file.c.id).where(working_file.c.id == working_file_id)
        return (await self.session.execute(stmt)).scalar()

    async def working_file(self, working_file_id: str) -> dict[str, Any] | None:
        """A working file with its project (through its task) and the ids of its outputs."""
        outputs = (
            select(func.coalesce(func.array_agg(output_file.c.id), []))
            .where(output_file.c.source_file_id == working_file.c.id)
            .scalar_subquery()
        )
        stmt = (
            select(working_file, outputs.label("outputs"), task.c.project_id.label("task_project_id"))
            .select_from(working_file.outerjoin(task, task.c.id == working_file.c.task_id))
            .where(working_file.c.id == working_file_id)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else dict(row)

    async def file_status_exists(self, file_status_id: str) -> bool:
        stmt = select(exists().where(file_status.c.id == file_status_id))
        return bool((await self.session.execute(stmt)).scalar())

    async def default_file_status_id(self, name: str) -> str:
        """The id of the status named `name`, created (white) when missing."""
        found = (await self.session.execute(select(file_status.c.id).where(file_status.c.name == name))).scalar()
        if found is not None:
            return found
        stmt = insert(file_status).values(name=name, color="#FFFFFF").returning(file_status.c.id)
        return (await self.session.execute(stmt)).scalar_one()

    # --- output types ---------------------------------------------------

    async def output_types_used(
        self, *, entity_id: str | None = None, instance_id: str | None = None, temporal_entity_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The output types of the files of an entity (or of an asset instance in a temporal entity), by name."""
        c = output_file.c
        if instance_id is None:
            used = select(c.output_type_id).where(c.entity_id == entity_id)
        else:
            temporal = (
                c.temporal_entity_id.is_(None)
                if temporal_entity_id is None
                else c.temporal_entity_id == temporal_entity_id
            )
            used = select(c.output_type_id).where(c.asset_instance_id == instance_id, temporal)
        stmt = select(output_type).where(output_type.c.id.in_(used)).order_by(output_type.c.name, output_type.c.id)
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    async def entity_projects(self, entity_ids: Sequence[str]) -> dict[str, str]:
        if not entity_ids:
            return {}
        stmt = select(entity.c.id, entity.c.project_id).where(entity.c.id.in_(list(entity_ids)))
        return {r.id: r.project_id for r in await self.session.execute(stmt)}
