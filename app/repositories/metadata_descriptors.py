"""Metadata descriptors (custom columns) and the values they keep in the `data` JSON of rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.catalog import ProjectStatus, TaskType
from app.repositories.tables.entities import Entity
from app.repositories.tables.people import Department
from app.repositories.tables.projects import (
    DepartmentMetadataDescriptorLink,
    MetadataDescriptor,
    Project,
    ProjectPersonLink,
)
from app.repositories.tables.tasks import Task

descriptor = MetadataDescriptor.__table__
department_link = DepartmentMetadataDescriptorLink.__table__
department = Department.__table__
entity = Entity.__table__
task = Task.__table__
project = Project.__table__
team = ProjectPersonLink.__table__
project_status = ProjectStatus.__table__
task_type = TaskType.__table__

OPEN_STATUS = "Open"


def departments_of_descriptor():
    """The department ids of the current descriptor row, as a (possibly empty) array."""
    return (
        select(func.coalesce(func.array_agg(department_link.c.department_id), []))
        .where(department_link.c.metadata_descriptor_id == descriptor.c.id)
        .scalar_subquery()
    )


def visibility_clause(for_client: bool, vendor_departments: Sequence[str] | None) -> ColumnElement:
    """What a client (published descriptors) or a vendor (no department, or one of theirs) may read."""
    if for_client:
        return descriptor.c.for_client.is_(True)
    if vendor_departments is not None:
        linked = (
            select(department_link.c.metadata_descriptor_id)
            .where(department_link.c.metadata_descriptor_id == descriptor.c.id)
            .correlate(descriptor)
        )
        if not vendor_departments:
            return ~exists(linked)
        return or_(~exists(linked), exists(linked.where(department_link.c.department_id.in_(list(vendor_departments)))))
    return true()


def listing_scope(person_id: str, global_role: str, department_ids: Sequence[str]) -> ColumnElement:
    """Descriptors of the open projects a non-admin is on the team of, narrowed on the role held on each.

    The role of a team link replaces the global one (never "admin"); clients see the descriptors
    published to them, vendors the ones of no department or of one of theirs.
    """
    role = func.coalesce(func.nullif(team.c.role, "admin"), literal(global_role))
    open_team_links = (
        select(literal(1))
        .select_from(team.join(project, project.c.id == team.c.project_id))
        .join(project_status, project_status.c.id == project.c.project_status_id)
        .where(
            team.c.project_id == descriptor.c.project_id,
            team.c.person_id == person_id,
            project_status.c.name == OPEN_STATUS,
        )
        .correlate(descriptor)
    )
    return exists(
        open_team_links.where(
            or_(
                role.not_in(("client", "vendor")),
                and_(role == "client", visibility_clause(True, None)),
                and_(role == "vendor", visibility_clause(False, list(department_ids))),
            )
        )
    )


def _without(data, key: str) -> ColumnElement:
    """`data - key`: the JSON object without that key."""
    return data.op("-", return_type=JSONB)(literal(key, String))


@dataclass(frozen=True, slots=True)
class DataTarget:
    """The rows whose `data` JSON holds the values of descriptors of one entity type.

    `kind` is "project", "task" (rows of `task_type_id`) or "entity" (rows whose entity type is in
    `entity_type_ids`, or not in them when `exclude`; no entity at all when `entity_type_ids` is None).
    """

    kind: str
    project_ids: tuple[str, ...]
    entity_type_ids: tuple[str, ...] | None = None
    exclude: bool = False
    task_type_id: str | None = None

    def table_and_where(self):
        ids = list(self.project_ids)
        if self.kind == "project":
            return project, [project.c.id.in_(ids)]
        if self.kind == "task":
            return task, [task.c.project_id.in_(ids), task.c.task_type_id == self.task_type_id]
        if self.entity_type_ids is None:
            scope = false()
        elif self.exclude:
            scope = entity.c.entity_type_id.not_in(list(self.entity_type_ids))
        else:
            scope = entity.c.entity_type_id.in_(list(self.entity_type_ids))
        return entity, [entity.c.project_id.in_(ids), scope]


class MetadataDescriptorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _select(self):
        return select(descriptor, departments_of_descriptor().label("departments"))

    async def _rows(self, stmt) -> list[dict[str, Any]]:
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    async def get(self, descriptor_id: str) -> dict[str, Any] | None:
        rows = await self._rows(self._select().where(descriptor.c.id == descriptor_id))
        return rows[0] if rows else None

    async def visible(self, descriptor_id: str, for_client: bool, vendor_departments: Sequence[str] | None) -> bool:
        stmt = select(
            exists().where(descriptor.c.id == descriptor_id, visibility_clause(for_client, vendor_departments))
        )
        return bool((await self.session.execute(stmt)).scalar())

    async def for_project(
        self,
        project_id: str,
        *,
        entity_type: str | None = None,
        for_client: bool = False,
        vendor_departments: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """A project's descriptors with their department ids, by position then name."""
        stmt = self._select().where(
            descriptor.c.project_id == project_id, visibility_clause(for_client, vendor_departments)
        )
        if entity_type is not None:
            stmt = stmt.where(descriptor.c.entity_type == entity_type)
        return await self._rows(stmt.order_by(descriptor.c.position, descriptor.c.name))

    async def for_projects(
        self, project_ids: Sequence[str], entity_type: str, field_name: str | None = None
    ) -> list[dict[str, Any]]:
        """Descriptors of one entity type (and field name) over several projects."""
        if not project_ids:
            return []
        stmt = self._select().where(
            descriptor.c.project_id.in_(list(project_ids)), descriptor.c.entity_type == entity_type
        )
        if field_name is not None:
            stmt = stmt.where(descriptor.c.field_name == field_name)
        return await self._rows(stmt.order_by(descriptor.c.project_id, descriptor.c.position, descriptor.c.name))

    async def hidden_fields(
        self, entity_type: str, department_ids: Sequence[str], project_ids: Iterable[str]
    ) -> dict[str, set[str]]:
        """Project id -> the metadata field names a vendor of these departments may not read: the
        descriptors of the entity type restricted to departments none of which is theirs."""
        project_ids = [p for p in dict.fromkeys(project_ids) if p]
        if not project_ids:
            return {}
        restricted = exists().where(department_link.c.metadata_descriptor_id == descriptor.c.id)
        theirs = exists().where(
            department_link.c.metadata_descriptor_id == descriptor.c.id,
            department_link.c.department_id.in_(list(department_ids)),
        )
        stmt = select(descriptor.c.project_id, descriptor.c.field_name).where(
            descriptor.c.project_id.in_(project_ids),
            descriptor.c.entity_type == entity_type,
            restricted,
            ~theirs,
        )
        hidden: dict[str, set[str]] = {pid: set() for pid in project_ids}
        for project_id, field_name in (await self.session.execute(stmt)).all():
            hidden.setdefault(project_id, set()).add(field_name)
        return hidden

    async def departments_by_descriptor(self, descriptor_ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {i: [] for i in descriptor_ids}
        if not descriptor_ids:
            return out
        stmt = select(department_link.c.metadata_descriptor_id, department_link.c.department_id).where(
            department_link.c.metadata_descriptor_id.in_(list(descriptor_ids))
        )
        for owner, dep in (await self.session.execute(stmt)).all():
            out.setdefault(owner, []).append(dep)
        return out

    async def conflicts(
        self,
        project_ids: Sequence[str],
        entity_type: str,
        task_type_id: str | None,
        name: str,
        field_name: str,
        except_ids: Sequence[str] = (),
        *,
        any_task_type: bool = False,
    ) -> set[str]:
        """Projects (among the given) holding another descriptor of that name or field name.

        The scope is Zou's unique indexes: project, entity type and task type (a null task type
        matching only null ones, unless `any_task_type`).
        """
        if not project_ids:
            return set()
        stmt = select(descriptor.c.project_id).where(
            descriptor.c.project_id.in_(list(project_ids)),
            descriptor.c.entity_type == entity_type,
            or_(descriptor.c.name == name, descriptor.c.field_name == field_name),
        )
        if task_type_id is None:
            if not any_task_type:
                stmt = stmt.where(descriptor.c.task_type_id.is_(None))
        else:
            stmt = stmt.where(descriptor.c.task_type_id == task_type_id)
        if except_ids:
            stmt = stmt.where(descriptor.c.id.not_in(list(except_ids)))
        return set((await self.session.execute(stmt)).scalars())

    async def task_type_exists(self, task_type_id: str) -> bool:
        stmt = select(exists().where(task_type.c.id == task_type_id))
        return bool((await self.session.execute(stmt)).scalar())

    async def existing_departments(self, department_ids: Iterable[str]) -> list[str]:
        """The given department ids that exist, in the given order."""
        wanted = list(dict.fromkeys(department_ids))
        if not wanted:
            return []
        found = set((await self.session.execute(select(department.c.id).where(department.c.id.in_(wanted)))).scalars())
        return [d for d in wanted if d in found]

    async def insert_many(self, rows: Sequence[Mapping[str, Any]], department_ids: Sequence[str]) -> list[str]:
        """Insert descriptors sharing the same departments; returns their ids (two statements at most)."""
        return await self.insert_rows([{**row, "departments": list(department_ids)} for row in rows])

    async def insert_rows(self, rows: Sequence[Mapping[str, Any]]) -> list[str]:
        """Insert descriptors, each with its own `departments` ids; returns their ids (two statements at most)."""
        now = utc_now()
        values, links = [], []
        for row in rows:
            row = dict(row)
            departments = row.pop("departments", None) or []
            value = {"id": new_id(), "created_at": now, "updated_at": now, **row}
            values.append(value)
            links.extend({"metadata_descriptor_id": value["id"], "department_id": d} for d in departments)
        if not values:
            return []
        await self.session.execute(insert(descriptor), values)
        if links:
            await self.session.execute(insert(department_link), links)
        return [v["id"] for v in values]

    async def by_ids(self, descriptor_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not descriptor_ids:
            return []
        rows = await self._rows(self._select().where(descriptor.c.id.in_(list(descriptor_ids))))
        order = {d: i for i, d in enumerate(descriptor_ids)}
        return sorted(rows, key=lambda r: order[r["id"]])

    async def update_many(self, descriptor_ids: Sequence[str], values: Mapping[str, Any]) -> None:
        if not descriptor_ids or not values:
            return
        stmt = (
            update(descriptor).where(descriptor.c.id.in_(list(descriptor_ids))).values(**values, updated_at=utc_now())
        )
        await self.session.execute(stmt)

    async def set_departments(self, descriptor_ids: Sequence[str], department_ids: Sequence[str]) -> None:
        if not descriptor_ids:
            return
        await self.session.execute(
            delete(department_link).where(department_link.c.metadata_descriptor_id.in_(list(descriptor_ids)))
        )
        if department_ids:
            await self.session.execute(
                insert(department_link),
                [{"metadata_descriptor_id": i, "department_id": d} for i in descriptor_ids for d in department_ids],
            )

    async def delete_many(self, descriptor_ids: Sequence[str]) -> None:
        if not descriptor_ids:
            return
        ids = list(descriptor_ids)
        await self.session.execute(delete(department_link).where(department_link.c.metadata_descriptor_id.in_(ids)))
        await self.session.execute(delete(descriptor).where(descriptor.c.id.in_(ids)))

    async def set_positions(self, positions: Mapping[str, int]) -> None:
        """Write many descriptors' positions in one statement."""
        if not positions:
            return
        stmt = (
            update(descriptor)
            .where(descriptor.c.id.in_(list(positions)))
            .values(position=case(*((descriptor.c.id == i, p) for i, p in positions.items())), updated_at=utc_now())
        )
        await self.session.execute(stmt)

    # --- values kept in the `data` JSON of projects, entities and tasks --------------------------

    async def rename_values(self, target: DataTarget, old: str, new: str) -> None:
        """Move `data[old]` to `data[new]` on every targeted row holding a non-null value (one statement)."""
        table, where = target.table_and_where()
        data = table.c.data
        value = data[old]
        stmt = (
            update(table)
            .where(*where, data.has_key(old), func.jsonb_typeof(value) != "null")
            .values(
                data=_without(data, old).op("||", return_type=JSONB)(func.jsonb_build_object(new, value)),
                updated_at=utc_now(),
            )
        )
        await self.session.execute(stmt)

    async def remove_values(self, target: DataTarget, key: str) -> None:
        """Drop `data[key]` from every targeted row holding it (one statement)."""
        table, where = target.table_and_where()
        data = table.c.data
        stmt = update(table).where(*where, data.has_key(key)).values(data=_without(data, key), updated_at=utc_now())
        await self.session.execute(stmt)

    # --- projects ---------------------------------------------------------------------------------

    async def open_project_ids(self) -> list[str]:
        stmt = (
            select(project.c.id)
            .join(project_status, project_status.c.id == project.c.project_status_id)
            .where(project_status.c.name == OPEN_STATUS)
            .order_by(project.c.name)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def managed_open_project_ids(self, person_id: str, global_role: str) -> list[str]:
        """Open projects whose team holds the person with manager as effective role."""
        role = func.coalesce(team.c.role, literal(global_role))
        stmt = (
            select(project.c.id)
            .join(project_status, project_status.c.id == project.c.project_status_id)
            .join(team, team.c.project_id == project.c.id)
            .where(project_status.c.name == OPEN_STATUS, team.c.person_id == person_id, role == "manager")
            .order_by(project.c.name)
        )
        return list((await self.session.execute(stmt)).scalars())
