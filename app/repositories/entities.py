"""Queries on the polymorphic `entity` table shared by generic entities, edits and concepts.

Every listing runs a fixed number of statements whatever its size: rows first, then one
statement per kind of related ids (links, tasks, assignees), grouped in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.crud import Relation, TableRepository
from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import ProjectStatus
from app.repositories.tables.entities import AssetInstanceLink, Entity, EntityConceptLink, EntityLink, EntityVersion
from app.repositories.tables.files import PreviewFile
from app.repositories.tables.projects import (
    Project,
    ProjectPersonLink,
)
from app.repositories.tables.tasks import Task, TaskPersonLink

entity = Entity.__table__
parent = entity.alias("parent")
entity_link = EntityLink.__table__
concept_link = EntityConceptLink.__table__
instance_link = AssetInstanceLink.__table__
version = EntityVersion.__table__
project = Project.__table__
project_status = ProjectStatus.__table__
team = ProjectPersonLink.__table__
task = Task.__table__
assignment = TaskPersonLink.__table__
preview_file = PreviewFile.__table__

OPEN_STATUS = "Open"

# The many-to-many lists Zou serializes on an entity when relations are asked for.
ENTITIES_OUT = Relation("entities_out", entity_link, "entity_in_id", "entity_out_id")
ENTITIES_IN = Relation("entities_in", entity_link, "entity_out_id", "entity_in_id")
CONCEPT_LINKS = Relation("entity_concept_links", concept_link, "entity_in_id", "entity_out_id")
INSTANCE_CASTING = Relation("instance_casting", instance_link, "entity_id", "asset_instance_id")
ENTITY_RELATIONS = (ENTITIES_OUT, ENTITIES_IN, CONCEPT_LINKS, INSTANCE_CASTING)
RELATIONS_BY_NAME = {r.name: r for r in ENTITY_RELATIONS}

# Task columns of the "full" edit and concept answers (Zou's *_AND_TASKS_TASK_FIELDS).
TASK_COLUMNS = (
    "id",
    "entity_id",
    "task_type_id",
    "task_status_id",
    "priority",
    "estimation",
    "duration",
    "retake_count",
    "real_start_date",
    "end_date",
    "start_date",
    "due_date",
    "done_date",
    "last_comment_date",
    "last_preview_file_id",
    "nb_assets_ready",
    "difficulty",
    "nb_drawings",
    "data",
)


def _rows(result) -> list[dict[str, Any]]:
    return [dict(m) for m in result.mappings()]


def assigned_entity_ids(person_id: str):
    """`SELECT entity_id` of the entities holding a task assigned to the person."""
    return (
        select(task.c.entity_id)
        .join(assignment, assignment.c.task_id == task.c.id)
        .where(assignment.c.person_id == person_id)
    )


def open_team_projects_scope(person_id: str) -> ColumnElement:
    """SQL condition: the entity belongs to an open project whose team holds the person."""
    projects = (
        select(team.c.project_id)
        .join(project, project.c.id == team.c.project_id)
        .join(project_status, project_status.c.id == project.c.project_status_id)
        .where(team.c.person_id == person_id, project_status.c.name == OPEN_STATUS)
    )
    return entity.c.project_id.in_(projects)


def assigned_scope(person_id: str) -> ColumnElement:
    """SQL condition: the entity holds a task assigned to the person."""
    return entity.c.id.in_(assigned_entity_ids(person_id))


def assigned_projects_scope(person_id: str) -> ColumnElement:
    """SQL condition: the entity's project holds a task assigned to the person.

    Zou scopes a vendor's `/data/entities` listing by joining the tasks on the project, so a
    vendor lists every entity of the productions they hold at least one task in.
    """
    projects = (
        select(task.c.project_id)
        .join(assignment, assignment.c.task_id == task.c.id)
        .where(assignment.c.person_id == person_id)
    )
    return entity.c.project_id.in_(projects)


def ids_array(column: ColumnElement, where: ColumnElement) -> ColumnElement:
    """A correlated `array_agg` of ids as text over the rows matching `where` (NULL when none)."""
    return select(func.array_agg(cast(column, Text))).where(where).scalar_subquery()


def relation_id_lists(owner) -> list[ColumnElement]:
    """The four id lists Zou adds to an entity serialized with its relations (NULL when empty)."""
    return [
        ids_array(rel.link.c[rel.remote], rel.link.c[rel.local] == owner.c.id).label(rel.name)
        for rel in (ENTITIES_IN, ENTITIES_OUT, CONCEPT_LINKS, INSTANCE_CASTING)
    ]


def linked_to(owner, name: str, target_id: str) -> ColumnElement:
    """SQL condition: the entity is linked to `target_id` through the named relation."""
    rel = RELATIONS_BY_NAME[name]
    return exists().where(rel.link.c[rel.local] == owner.c.id, rel.link.c[rel.remote] == target_id)


def column_conditions(
    owner,
    equal: Mapping[str, Any],
    names: Iterable[str] = (),
    linked: Iterable[tuple[str, str]] = (),
) -> list[ColumnElement]:
    """Zou's criterions on entity rows: column equality (a list means IN), ILIKE patterns on
    `name`, and "linked to" filters (relation name, entity id)."""
    conditions: list[ColumnElement] = []
    for name, value in equal.items():
        column = owner.c[name]
        if isinstance(value, list):
            conditions.append(column.in_(value))
        elif value is None:
            conditions.append(column.is_(None))
        else:
            conditions.append(column == value)
    conditions.extend(owner.c.name.ilike(pattern) for pattern in names)
    conditions.extend(linked_to(owner, name, target) for name, target in linked)
    return conditions


def filter_clauses(filters: Mapping[str, Any], relation_filters: Mapping[str, str]) -> list[ColumnElement]:
    """Equality filters on entity columns (lists mean IN, `name` is ILIKE) and "linked to" filters."""
    equal = {name: value for name, value in filters.items() if name != "name" or isinstance(value, list)}
    names = [filters["name"]] if "name" in filters and "name" not in equal else []
    return column_conditions(entity, equal, names, relation_filters.items())


class EntityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.table = TableRepository(session, entity)

    # --- reads ---------------------------------------------------------------

    async def get_typed(self, entity_id: str, type_id: str) -> dict[str, Any] | None:
        stmt = select(entity).where(entity.c.id == entity_id, entity.c.entity_type_id == type_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def list_with_project_name(
        self, type_id: str, clauses: Sequence[ColumnElement] = (), *, assigned_to: str | None = None
    ) -> list[dict[str, Any]]:
        """Entities of a type with their project's name, by name (Zou's get_edits / get_concepts)."""
        stmt = (
            select(entity, project.c.name.label("project_name"))
            .join(project, project.c.id == entity.c.project_id)
            .where(entity.c.entity_type_id == type_id, *clauses)
            .order_by(entity.c.name, entity.c.id)
        )
        if assigned_to is not None:
            stmt = stmt.where(assigned_scope(assigned_to))
        return _rows(await self.session.execute(stmt))

    async def list_for_project(
        self, project_id: str, type_id: str, *, assigned_to: str | None = None
    ) -> list[dict[str, Any]]:
        stmt = (
            select(entity)
            .where(entity.c.project_id == project_id, entity.c.entity_type_id == type_id)
            .order_by(entity.c.name, entity.c.id)
        )
        if assigned_to is not None:
            stmt = stmt.where(assigned_scope(assigned_to))
        return _rows(await self.session.execute(stmt))

    async def list_children(self, parent_id: str, type_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(entity)
            .where(entity.c.parent_id == parent_id, entity.c.entity_type_id == type_id)
            .order_by(entity.c.name, entity.c.id)
        )
        return _rows(await self.session.execute(stmt))

    async def related_ids(self, relations: Iterable[Relation], entity_ids: Sequence[str]) -> dict[str, dict[str, list]]:
        """{relation name: {entity id: [ids]}}: one statement per relation."""
        return {rel.name: await self.table.related_ids(rel, entity_ids) for rel in relations}

    async def full_row(self, entity_id: str, type_id: str) -> dict[str, Any] | None:
        """An entity with its project name, its parent (Zou's episode) and its preview status."""
        stmt = (
            select(
                entity,
                project.c.name.label("project_name"),
                parent.c.id.label("episode_id"),
                parent.c.name.label("episode_name"),
                preview_file.c.status.label("preview_file_status"),
            )
            .join(project, project.c.id == entity.c.project_id)
            .outerjoin(parent, parent.c.id == entity.c.parent_id)
            .outerjoin(preview_file, preview_file.c.id == entity.c.preview_file_id)
            .where(entity.c.id == entity_id, entity.c.entity_type_id == type_id)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def tasks_of(self, entity_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """Tasks of the entities with their assignee ids, grouped by entity, in one statement."""
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        if not entity_ids:
            return out
        assignees = (
            select(func.array_agg(cast(assignment.c.person_id, Text)))
            .where(assignment.c.task_id == task.c.id)
            .scalar_subquery()
        )
        stmt = (
            select(*(task.c[name] for name in TASK_COLUMNS), assignees.label("assignees"))
            .where(task.c.entity_id.in_(list(entity_ids)))
            .order_by(task.c.created_at, task.c.id)
        )
        for row in _rows(await self.session.execute(stmt)):
            row["assignees"] = list(row["assignees"] or [])
            out[row["entity_id"]].append(row)
        return out

    async def versions(self, entity_id: str) -> list[dict[str, Any]]:
        stmt = select(version).where(version.c.entity_id == entity_id).order_by(version.c.created_at.desc())
        return _rows(await self.session.execute(stmt))

    async def last_version(self, entity_id: str) -> dict[str, Any] | None:
        stmt = (
            select(version)
            .where(version.c.entity_id == entity_id)
            .order_by(version.c.created_at.desc(), version.c.id)
            .limit(1)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def find_by_name(
        self, project_id: str, type_id: str, name: str, *, parent_id: str | None = None, any_parent: bool = False
    ) -> dict[str, Any] | None:
        """The first entity of the project and type with exactly this name (and this parent)."""
        conditions = [entity.c.project_id == project_id, entity.c.entity_type_id == type_id, entity.c.name == name]
        if not any_parent:
            conditions.append(entity.c.parent_id.is_(None) if parent_id is None else entity.c.parent_id == parent_id)
        stmt = select(entity).where(*conditions).order_by(entity.c.created_at, entity.c.id).limit(1)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def namesake_exists(
        self, entity_id: str, name: str, project_id: str, type_id: str, parent_id: str | None
    ) -> bool:
        """Another entity with the same name, project, type and parent (Zou's unique key)."""
        conditions = [
            entity.c.id != entity_id,
            entity.c.name == name,
            entity.c.project_id == project_id,
            entity.c.entity_type_id == type_id,
            entity.c.parent_id.is_(None) if parent_id is None else entity.c.parent_id == parent_id,
        ]
        return bool((await self.session.execute(select(exists().where(*conditions)))).scalar())

    async def existing_ids(self, ids: Iterable[str]) -> list[str]:
        """The ids among `ids` that are entities, in the given order."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        found = set((await self.session.execute(select(entity.c.id).where(entity.c.id.in_(wanted)))).scalars())
        return [i for i in wanted if i in found]

    # --- writes --------------------------------------------------------------

    async def insert(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return await self.table.insert(values)

    async def update(self, entity_id: str, values: Mapping[str, Any]) -> dict[str, Any] | None:
        return await self.table.update(entity_id, values)

    async def add_concept_links(self, concept_id: str, entity_ids: Sequence[str]) -> None:
        if entity_ids:
            await self.session.execute(
                insert(concept_link), [{"entity_in_id": concept_id, "entity_out_id": i} for i in entity_ids]
            )

    async def move_concepts(
        self, project_id: str, concept_type_id: str, concept_ids: Sequence[str], folder_id: str | None
    ) -> list[str]:
        """Set the folder (parent) of the project's concepts among `concept_ids`; the moved ids."""
        stmt = (
            update(entity)
            .where(
                entity.c.id.in_(list(concept_ids)),
                entity.c.project_id == project_id,
                entity.c.entity_type_id == concept_type_id,
            )
            .values(parent_id=folder_id, updated_at=utc_now())
            .returning(entity.c.id)
        )
        moved = set((await self.session.execute(stmt)).scalars())
        return [i for i in dict.fromkeys(concept_ids) if i in moved]

    async def insert_version(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return await TableRepository(self.session, version).insert(values)

    async def update_version_data(self, version_id: str, data: Any, at: datetime) -> None:
        await self.session.execute(update(version).where(version.c.id == version_id).values(data=data, updated_at=at))

    async def shots_casting(self, asset_id: str) -> list[str]:
        """Ids of the entities under a parent (shots) that cast the asset and are not canceled."""
        shot = entity.alias("shot")
        stmt = (
            select(shot.c.id)
            .join(entity_link, entity_link.c.entity_in_id == shot.c.id)
            .where(
                entity_link.c.entity_out_id == asset_id,
                shot.c.canceled != True,  # noqa: E712  (Zou's test, which also drops a NULL flag)
                shot.c.parent_id.is_not(None),
            )
        )
        return list(dict.fromkeys((await self.session.execute(stmt)).scalars()))

    async def refresh_live_counts(self, entity_ids: Sequence[str]) -> dict[str, int]:
        """Set `nb_entities_out` to the number of non-canceled assets cast; the counts that changed."""
        if not entity_ids:
            return {}
        asset = entity.alias("asset")
        live = (
            select(func.count())
            .select_from(entity_link)
            .join(asset, asset.c.id == entity_link.c.entity_out_id)
            .where(entity_link.c.entity_in_id == entity.c.id, asset.c.canceled != True)  # noqa: E712
            .scalar_subquery()
        )
        stmt = (
            update(entity)
            .where(entity.c.id.in_(list(entity_ids)), entity.c.nb_entities_out.is_distinct_from(live))
            .values(nb_entities_out=live, updated_at=utc_now())
            .returning(entity.c.id, entity.c.nb_entities_out)
        )
        return {row.id: row.nb_entities_out for row in (await self.session.execute(stmt)).all()}
