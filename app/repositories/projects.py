"""Projects: their listings with extra data, their team and their settings links.

Listings are built in a fixed number of statements whatever the number of
projects: the many-to-many id lists, the task type and task status links and
the first episode are correlated subqueries of the one project select, and the
metadata descriptors of every listed project come from one more query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    case,
    cast,
    delete,
    exists,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.persons import departments_subquery
from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.catalog import (
    EntityType,
    PreviewBackgroundFile,
    ProjectStatus,
    StatusAutomation,
    TaskStatus,
    TaskType,
)
from app.repositories.tables.entities import Entity
from app.repositories.tables.people import Person
from app.repositories.tables.projects import (
    DepartmentMetadataDescriptorLink,
    MetadataDescriptor,
    Project,
    ProjectAssetTypeLink,
    ProjectPersonLink,
    ProjectPreviewBackgroundFileLink,
    ProjectStatusAutomationLink,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
)

project = Project.__table__
project_status = ProjectStatus.__table__
team = ProjectPersonLink.__table__
person = Person.__table__
task_type = TaskType.__table__
task_status = TaskStatus.__table__
entity_type = EntityType.__table__
entity = Entity.__table__
status_automation = StatusAutomation.__table__
preview_background_file = PreviewBackgroundFile.__table__
task_type_link = ProjectTaskTypeLink.__table__
task_status_link = ProjectTaskStatusLink.__table__
asset_type_link = ProjectAssetTypeLink.__table__
automation_link = ProjectStatusAutomationLink.__table__
background_link = ProjectPreviewBackgroundFileLink.__table__
descriptor = MetadataDescriptor.__table__
descriptor_department = DepartmentMetadataDescriptorLink.__table__

OPEN_STATUS_NAMES = ("Active", "open", "Open")
"""Status names the admin open-project listing accepts (non-admins only get "Open" itself)."""

# name of a project's id list -> (link table, owner column, listed column)
RELATIONS: dict[str, tuple[Any, str, str]] = {
    "team": (team, "project_id", "person_id"),
    "asset_types": (asset_type_link, "project_id", "asset_type_id"),
    "task_statuses": (task_status_link, "project_id", "task_status_id"),
    "task_types": (task_type_link, "project_id", "task_type_id"),
    "status_automations": (automation_link, "project_id", "status_automation_id"),
    "preview_background_files": (background_link, "project_id", "preview_background_file_id"),
}


# name of a project's id list -> the table of the listed rows
TARGETS: dict[str, Any] = {
    "team": person,
    "asset_types": entity_type,
    "task_statuses": task_status,
    "task_types": task_type,
    "status_automations": status_automation,
    "preview_background_files": preview_background_file,
}
# how the rows of a settings list are ordered when a route lists them
SETTINGS_ORDER: dict[str, tuple[Any, ...]] = {
    "task_types": (task_type.c.priority, task_type.c.name),
    "task_statuses": (task_status.c.priority, task_status.c.name),
    "status_automations": (status_automation.c.created_at,),
}


def _ids(link, local: str, remote: str) -> ColumnElement:
    """The ids linked to the project row, as an array (empty, not null, when there is none)."""
    agg = func.array_agg(link.c[remote])
    return (
        select(func.coalesce(agg, cast(literal("{}"), agg.type))).where(link.c[local] == project.c.id).scalar_subquery()
    )


def _task_type_links() -> ColumnElement:
    link = task_type_link
    value = func.jsonb_build_object(
        "priority",
        link.c.priority,
        "hd_bitrate_compression",
        link.c.hd_bitrate_compression,
        "ld_bitrate_compression",
        link.c.ld_bitrate_compression,
        "is_client_visible",
        link.c.is_client_visible,
    )
    agg = func.jsonb_object_agg(cast(link.c.task_type_id, String), value)
    return (
        select(func.coalesce(agg, cast(literal("{}"), JSONB)))
        .where(link.c.project_id == project.c.id)
        .scalar_subquery()
    )


def _task_status_links() -> ColumnElement:
    link = task_status_link
    value = func.jsonb_build_object(
        "priority",
        link.c.priority,
        "roles_for_board",
        func.to_jsonb(link.c.roles_for_board),
        "is_client_allowed",
        link.c.is_client_allowed,
    )
    agg = func.jsonb_object_agg(cast(link.c.task_status_id, String), value)
    return (
        select(func.coalesce(agg, cast(literal("{}"), JSONB)))
        .where(link.c.project_id == project.c.id)
        .scalar_subquery()
    )


def _first_episode_id() -> ColumnElement:
    """The project's first running episode by name, else its first episode at all (tv shows only)."""
    episode_type = select(entity_type.c.id).where(entity_type.c.name == "Episode").limit(1).scalar_subquery()
    return (
        select(entity.c.id)
        .where(entity.c.project_id == project.c.id, entity.c.entity_type_id == episode_type)
        .where(project.c.production_type == "tvshow")
        .order_by(case((entity.c.status == "running", 0), else_=1), entity.c.name, entity.c.id)
        .limit(1)
        .scalar_subquery()
    )


def _status_name() -> ColumnElement:
    return select(project_status.c.name).where(project_status.c.id == project.c.project_status_id).scalar_subquery()


def open_team_projects_select(person_id: str) -> Select:
    """`SELECT project_id` of the open ("Open" status) projects whose team holds the person."""
    return (
        select(team.c.project_id)
        .join(project, project.c.id == team.c.project_id)
        .join(project_status, project_status.c.id == project.c.project_status_id)
        .where(team.c.person_id == person_id, project_status.c.name == "Open")
    )


def open_team_projects(person_id: str) -> ColumnElement:
    """SQL condition for the project CRUD listing: the project is an open one of the person's teams."""
    return project.c.id.in_(open_team_projects_select(person_id))


class ProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- project statuses ------------------------------------------------

    async def status_id(self, name: str) -> str:
        """The id of the project status of that name, created (black) when missing."""
        stmt = (
            insert(project_status)
            .values(id=new_id(), name=name, color="#000000", created_at=utc_now(), updated_at=utc_now())
            .on_conflict_do_nothing(index_elements=[project_status.c.name])
        )
        await self.session.execute(stmt)
        stmt = select(project_status.c.id).where(project_status.c.name == name)
        return (await self.session.execute(stmt)).scalar_one()

    # --- reads -----------------------------------------------------------

    async def get(self, project_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(project).where(project.c.id == project_id))).mappings().first()
        return dict(row) if row is not None else None

    async def listing(
        self,
        *,
        where: Sequence[ColumnElement] = (),
        order_by_name: bool = True,
        relations: bool = False,
        extra: bool = False,
        status_name: bool = False,
        team_role_of: str | None = None,
    ) -> list[dict[str, Any]]:
        """Project rows in one statement, with on demand: the id lists (`relations`), the
        links and first episode (`extra`), `project_status_name`, and the `_team_role` the
        given person holds on each (the role set on their team link, null when none)."""
        columns: list[Any] = [project]
        if relations:
            columns += [_ids(*RELATIONS[name]).label(name) for name in RELATIONS]
        if extra:
            columns += [
                _task_type_links().label("task_type_links"),
                _task_status_links().label("task_statuses_link"),
                _first_episode_id().label("first_episode_id"),
            ]
        if status_name:
            columns.append(_status_name().label("project_status_name"))
        if team_role_of is not None:
            role = (
                select(team.c.role)
                .where(team.c.project_id == project.c.id, team.c.person_id == team_role_of)
                .limit(1)
                .scalar_subquery()
            )
            columns.append(role.label("_team_role"))
        stmt = select(*columns).where(*where)
        if order_by_name:
            stmt = stmt.order_by(project.c.name, project.c.id)
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    def open_projects_where(self, *, any_open_name: bool, name: str | None, member_id: str | None) -> list:
        """Conditions of the open projects listing: open status, exact name, team membership."""
        names = OPEN_STATUS_NAMES if any_open_name else ("Open",)
        statuses = select(project_status.c.id).where(project_status.c.name.in_(names))
        where: list[Any] = [project.c.project_status_id.in_(statuses)]
        if name is not None:
            where.append(project.c.name == name)
        if member_id is not None:
            where.append(project.c.id.in_(select(team.c.project_id).where(team.c.person_id == member_id)))
        return where

    def with_status_where(self) -> list:
        """Projects that have a project status (Zou's listings join the status table)."""
        return [project.c.project_status_id.is_not(None)]

    def id_where(self, project_id: str) -> list:
        return [project.c.id == project_id]

    def team_projects_where(self, member_id: str, name: str | None = None) -> list:
        """The person's team projects that have a status, optionally the one named `name` (any case)."""
        where: list[Any] = [
            project.c.id.in_(select(team.c.project_id).where(team.c.person_id == member_id)),
            *self.with_status_where(),
        ]
        if name is not None:
            where.append(func.lower(project.c.name) == name.lower())
        return where

    async def named_like(self, name: str) -> dict[str, Any] | None:
        """The first project whose name matches `name` case-insensitively (ILIKE, wildcards allowed)."""
        stmt = select(project).where(project.c.name.ilike(name)).order_by(project.c.name, project.c.id).limit(1)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def descriptors(
        self, project_ids: Sequence[str], *, entity_type_name: str | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """Metadata descriptors of the projects, each with its department ids, grouped by project."""
        if not project_ids:
            return {}
        departments = (
            select(func.coalesce(func.array_agg(descriptor_department.c.department_id), []))
            .where(descriptor_department.c.metadata_descriptor_id == descriptor.c.id)
            .scalar_subquery()
        )
        stmt = select(descriptor, departments.label("departments")).where(descriptor.c.project_id.in_(project_ids))
        if entity_type_name is not None:
            stmt = stmt.where(descriptor.c.entity_type == entity_type_name)
        stmt = stmt.order_by(descriptor.c.created_at, descriptor.c.id)
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in (await self.session.execute(stmt)).mappings():
            grouped[m["project_id"]].append(dict(m))
        return grouped

    # --- team ------------------------------------------------------------

    async def team_members(self, project_id: str) -> list[dict[str, Any]]:
        """The persons of the project team with their department ids and their project role."""
        stmt = (
            select(person, departments_subquery().label("department_ids"), team.c.role.label("_project_role"))
            .join(team, team.c.person_id == person.c.id)
            .where(team.c.project_id == project_id)
            .order_by(person.c.first_name, person.c.last_name, person.c.id)
        )
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    async def person_state(self, project_id: str, person_id: str) -> dict[str, Any] | None:
        """The person (exists?), their preview project and whether they are on the team; None when unknown."""
        on_team = exists().where(team.c.project_id == project_id, team.c.person_id == person_id)
        stmt = select(person.c.id, person.c.preview_project_id, on_team.label("on_team")).where(
            person.c.id == person_id
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def add_member(self, project_id: str, person_id: str) -> bool:
        """Put the person on the team; False when they already were."""
        stmt = (
            insert(team)
            .values(project_id=project_id, person_id=person_id)
            .on_conflict_do_nothing(index_elements=[team.c.project_id, team.c.person_id])
            .returning(team.c.person_id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def set_member_role(self, project_id: str, person_id: str, role: str | None) -> dict[str, Any] | None:
        stmt = (
            update(team)
            .where(team.c.project_id == project_id, team.c.person_id == person_id)
            .values(role=role)
            .returning(team.c.project_id, team.c.person_id, team.c.role)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def remove_member(self, project_id: str, person_id: str) -> None:
        await self.session.execute(delete(team).where(team.c.project_id == project_id, team.c.person_id == person_id))

    # --- settings links ----------------------------------------------------

    async def target_exists(self, relation: str, target_id: str) -> bool:
        table = TARGETS[relation]
        return bool((await self.session.execute(select(exists().where(table.c.id == target_id)))).scalar())

    async def add_link(self, relation: str, project_id: str, target_id: str, **values: Any) -> bool:
        """Link the target to the project; False when it already was (the link is left as is)."""
        link, local, remote = RELATIONS[relation]
        row = {local: project_id, remote: target_id, **values}
        if "id" in link.c:
            row.setdefault("id", new_id())
            now = utc_now()
            row.setdefault("created_at", now)
            row.setdefault("updated_at", now)
        stmt = (
            insert(link)
            .values(**row)
            .on_conflict_do_nothing(index_elements=[link.c[local], link.c[remote]])
            .returning(link.c[remote])
        )
        return (await self.session.execute(stmt)).first() is not None

    async def add_links(self, relation: str, project_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Create the missing links (rows hold the target id and the link values); existing ones stay."""
        if not rows:
            return
        link, local, remote = RELATIONS[relation]
        now = utc_now()
        values = []
        for row in rows:
            value = {local: project_id, **row}
            if "id" in link.c:
                value.update(id=new_id(), created_at=now, updated_at=now)
            values.append(value)
        stmt = insert(link).on_conflict_do_nothing(index_elements=[link.c[local], link.c[remote]])
        await self.session.execute(stmt, values)

    async def remove_links(self, relation: str, project_id: str, target_ids: Iterable[str]) -> None:
        ids = list(target_ids)
        if not ids:
            return
        link, local, remote = RELATIONS[relation]
        await self.session.execute(delete(link).where(link.c[local] == project_id, link.c[remote].in_(ids)))

    async def linked_ids(self, relation: str, project_id: str) -> list[str]:
        link, local, remote = RELATIONS[relation]
        stmt = select(link.c[remote]).where(link.c[local] == project_id)
        return list((await self.session.execute(stmt)).scalars())

    async def existing_targets(self, relation: str, ids: Iterable[str]) -> set[str]:
        """The ids among `ids` of rows that exist in the relation's target table."""
        table = TARGETS[relation]
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return set()
        return set((await self.session.execute(select(table.c.id).where(table.c.id.in_(wanted)))).scalars())

    async def task_type_links(self, project_id: str) -> dict[str, dict[str, Any]]:
        stmt = select(task_type_link).where(task_type_link.c.project_id == project_id)
        return {m["task_type_id"]: dict(m) for m in (await self.session.execute(stmt)).mappings()}

    async def update_task_type_links(self, project_id: str, changes: Mapping[str, Mapping[str, Any]]) -> None:
        """Apply per task type changes to the project's task type links (one statement per set of columns)."""
        by_columns: dict[tuple[str, ...], dict[str, Mapping[str, Any]]] = defaultdict(dict)
        for task_type_id, values in changes.items():
            if values:
                by_columns[tuple(sorted(values))][task_type_id] = values
        link = task_type_link
        for columns, rows in by_columns.items():
            values = {
                name: case(*((link.c.task_type_id == tid, v[name]) for tid, v in rows.items()), else_=link.c[name])
                for name in columns
            }
            await self.session.execute(
                update(link)
                .where(link.c.project_id == project_id, link.c.task_type_id.in_(list(rows)))
                .values(**values, updated_at=utc_now())
            )

    async def update_task_type_link(self, project_id: str, task_type_id: str, values: Mapping[str, Any]) -> None:
        await self.session.execute(
            update(task_type_link)
            .where(task_type_link.c.project_id == project_id, task_type_link.c.task_type_id == task_type_id)
            .values(**values, updated_at=utc_now())
        )

    async def set_task_status_client_allowed(
        self, project_id: str, task_status_id: str, value: bool | None
    ) -> dict[str, Any] | None:
        stmt = (
            update(task_status_link)
            .where(task_status_link.c.project_id == project_id, task_status_link.c.task_status_id == task_status_id)
            .values(is_client_allowed=value, updated_at=utc_now())
            .returning(task_status_link)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def update(self, project_id: str, values: Mapping[str, Any]) -> dict[str, Any] | None:
        stmt = (
            update(project).where(project.c.id == project_id).values(**values, updated_at=utc_now()).returning(project)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def touch(self, project_id: str) -> dict[str, Any] | None:
        """Bump the project's `updated_at` (a settings change saves the project) and answer the row."""
        stmt = update(project).where(project.c.id == project_id).values(updated_at=utc_now()).returning(project)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def project_settings(self, relation: str, project_id: str) -> list[dict[str, Any]]:
        """The rows linked to the project through `relation` (task types, task statuses...)."""
        link, local, remote = RELATIONS[relation]
        table = TARGETS[relation]
        order_by = SETTINGS_ORDER.get(relation, ())
        stmt = (
            select(table)
            .join(link, link.c[remote] == table.c.id)
            .where(link.c[local] == project_id)
            .order_by(*order_by, table.c.id)
        )
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    # --- creation helpers ---------------------------------------------------

    async def first_episode(self, project_id: str) -> dict[str, Any] | None:
        """The project's first episode by name (any status)."""
        episode_type = select(entity_type.c.id).where(entity_type.c.name == "Episode").limit(1).scalar_subquery()
        stmt = (
            select(entity)
            .where(entity.c.project_id == project_id, entity.c.entity_type_id == episode_type)
            .order_by(entity.c.name, entity.c.id)
            .limit(1)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def create_episode(self, project_id: str, name: str, created_by: str | None) -> dict[str, Any]:
        episode_type = select(entity_type.c.id).where(entity_type.c.name == "Episode").limit(1).scalar_subquery()
        now = utc_now()
        stmt = (
            insert(entity)
            .values(
                id=new_id(),
                name=name,
                project_id=project_id,
                entity_type_id=episode_type,
                status="running",
                description="",
                data={},
                created_by=created_by,
                canceled=False,
                nb_entities_out=0,
                is_casting_standby=False,
                is_shared=False,
                created_at=now,
                updated_at=now,
            )
            .returning(entity)
        )
        return dict((await self.session.execute(stmt)).mappings().one())

    async def copy_project_descriptors(self, project_id: str) -> list[str]:
        """Copy onto the project the Project-scoped descriptors of the open projects, one per field name
        it does not own yet (earliest position, then name, wins); answers the new descriptor ids."""
        source = descriptor.alias("source")
        owner = project.alias("owner")
        owned = select(descriptor.c.field_name).where(
            descriptor.c.project_id == project_id, descriptor.c.entity_type == "Project"
        )
        open_statuses = select(project_status.c.id).where(project_status.c.name.in_(OPEN_STATUS_NAMES))
        stmt = (
            select(source)
            .join(owner, owner.c.id == source.c.project_id)
            .where(
                owner.c.project_status_id.in_(open_statuses),
                source.c.entity_type == "Project",
                source.c.project_id != project_id,
                source.c.field_name.not_in(owned),
            )
            .order_by(source.c.position.asc().nulls_last(), source.c.name, source.c.id)
        )
        chosen: dict[str, dict[str, Any]] = {}
        for m in (await self.session.execute(stmt)).mappings():
            chosen.setdefault(m["field_name"], dict(m))
        if not chosen:
            return []
        now = utc_now()
        new_rows = []
        source_of: dict[str, str] = {}
        for row in chosen.values():
            new_id_ = new_id()
            source_of[row["id"]] = new_id_
            new_rows.append(
                {
                    "id": new_id_,
                    "project_id": project_id,
                    "entity_type": "Project",
                    "task_type_id": None,
                    "name": row["name"],
                    "data_type": row["data_type"],
                    "field_name": row["field_name"],
                    "choices": row["choices"],
                    "for_client": row["for_client"],
                    "position": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        await self.session.execute(insert(descriptor), new_rows)
        links = (
            await self.session.execute(
                select(descriptor_department).where(descriptor_department.c.metadata_descriptor_id.in_(list(source_of)))
            )
        ).mappings()
        department_rows = [
            {"metadata_descriptor_id": source_of[m["metadata_descriptor_id"]], "department_id": m["department_id"]}
            for m in links
        ]
        if department_rows:
            await self.session.execute(insert(descriptor_department), department_rows)
        return [row["id"] for row in new_rows]

    # --- status automations ---------------------------------------------------

    async def automation_in_use(self, status_automation_id: str) -> bool:
        stmt = select(exists().where(automation_link.c.status_automation_id == status_automation_id))
        return bool((await self.session.execute(stmt)).scalar())
