"""Test data builders: rows written straight through the repositories, inside the test's transaction.

Use them to arrange a production quickly (`make.project(team=[...])`, `make.shot(...)`), then drive
the route under test through the API. Every builder returns the inserted row as a dict.
"""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.entity_kinds import entity_kinds
from app.repositories.crud import TableRepository
from app.repositories.tables import catalog, entities, people, projects, tasks

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix} {next(_seq)}"


class Factory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _insert(self, model, values: dict[str, Any]) -> dict[str, Any]:
        return await TableRepository(self.session, model.__table__).insert(values)

    async def _link(self, model, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(model.__table__), rows)

    async def project_status(self, name: str = "Open") -> dict[str, Any]:
        table = catalog.ProjectStatus.__table__
        row = (await self.session.execute(select(table).where(table.c.name == name))).mappings().first()
        return dict(row) if row else await self._insert(catalog.ProjectStatus, {"name": name, "color": "#000000"})

    async def project(self, name: str | None = None, *, team: list[str] = (), closed: bool = False, **values):
        status = await self.project_status("Closed" if closed else "Open")
        values.setdefault("project_status_id", status["id"])
        row = await self._insert(projects.Project, {"name": name or unique("Project"), **values})
        await self.add_to_team(row, *team)
        return row

    async def add_to_team(self, project: dict, *person_ids: str, role: str | None = None) -> None:
        await self._link(
            projects.ProjectPersonLink,
            [{"project_id": project["id"], "person_id": pid, "role": role} for pid in person_ids],
        )

    async def entity_type(self, name: str | None = None) -> dict[str, Any]:
        table = catalog.EntityType.__table__
        if name:
            row = (await self.session.execute(select(table).where(table.c.name == name))).mappings().first()
            if row:
                return dict(row)
        return await self._insert(catalog.EntityType, {"name": name or unique("Asset type")})

    async def task_type(self, name: str | None = None, *, for_entity: str = "Asset", **values) -> dict[str, Any]:
        return await self._insert(
            catalog.TaskType, {"name": name or unique("Task type"), "for_entity": for_entity, **values}
        )

    async def task_status(self, name: str | None = None, **values) -> dict[str, Any]:
        name = name or unique("Status")
        values.setdefault("short_name", name.lower().replace(" ", "")[:10])
        values.setdefault("color", "#000000")
        return await self._insert(catalog.TaskStatus, {"name": name, **values})

    async def default_task_status(self) -> dict[str, Any]:
        table = catalog.TaskStatus.__table__
        row = (await self.session.execute(select(table).where(table.c.is_default.is_(True)))).mappings().first()
        return dict(row)

    async def entity(self, project: dict, kind_or_type_id: str, name: str | None = None, **values):
        """An entity of a kind ("Shot", "Sequence"...) or of an asset type id."""
        kinds = await entity_kinds(self.session)
        type_id = kinds.by_kind.get(kind_or_type_id, kind_or_type_id)
        return await self._insert(
            entities.Entity,
            {"name": name or unique(kinds.kind_of(type_id)), "project_id": project["id"], "entity_type_id": type_id}
            | values,
        )

    async def asset(self, project: dict, asset_type: dict | None = None, name: str | None = None, **values):
        asset_type = asset_type or await self.entity_type("Character")
        return await self.entity(project, asset_type["id"], name, **values)

    async def episode(self, project: dict, name: str | None = None, **values):
        return await self.entity(project, "Episode", name, **values)

    async def sequence(self, project: dict, name: str | None = None, *, episode: dict | None = None, **values):
        return await self.entity(project, "Sequence", name, parent_id=episode["id"] if episode else None, **values)

    async def shot(self, project: dict, sequence: dict, name: str | None = None, **values):
        return await self.entity(project, "Shot", name, parent_id=sequence["id"], **values)

    async def scene(self, project: dict, sequence: dict, name: str | None = None, **values):
        return await self.entity(project, "Scene", name, parent_id=sequence["id"], **values)

    async def edit(self, project: dict, name: str | None = None, *, episode: dict | None = None, **values):
        return await self.entity(project, "Edit", name, parent_id=episode["id"] if episode else None, **values)

    async def concept(self, project: dict, name: str | None = None, **values):
        return await self.entity(project, "Concept", name, **values)

    async def task(
        self,
        entity: dict,
        task_type: dict,
        *,
        status: dict | None = None,
        assignees: list[str] = (),
        **values,
    ) -> dict[str, Any]:
        status = status or await self.default_task_status()
        row = await self._insert(
            tasks.Task,
            {
                "name": values.pop("name", "main"),
                "project_id": entity["project_id"],
                "entity_id": entity["id"],
                "task_type_id": task_type["id"],
                "task_status_id": status["id"],
                **values,
            },
        )
        await self._link(tasks.TaskPersonLink, [{"task_id": row["id"], "person_id": pid} for pid in assignees])
        return row

    async def cast(self, target: dict, asset: dict, nb_occurences: int = 1, label: str = "") -> dict[str, Any]:
        """Cast `asset` in `target` (a shot, a sequence, an asset...): an entity link."""
        return await self._insert(
            entities.EntityLink,
            {
                "entity_in_id": target["id"],
                "entity_out_id": asset["id"],
                "nb_occurences": nb_occurences,
                "label": label,
            },
        )

    async def department(self, name: str | None = None, *, members: list[str] = ()) -> dict[str, Any]:
        """A department, with these persons in it."""
        row = await self._insert(people.Department, {"name": name or unique("Department"), "color": "#000000"})
        await self._link(people.DepartmentLink, [{"person_id": pid, "department_id": row["id"]} for pid in members])
        return row

    async def metadata_descriptor(
        self, project: dict, field_name: str, *, entity_type: str = "Asset", departments: list[dict] = (), **values
    ) -> dict[str, Any]:
        """A metadata descriptor of the project named after its field, reserved to these departments."""
        row = await self._insert(
            projects.MetadataDescriptor,
            {"project_id": project["id"], "entity_type": entity_type, "name": field_name, "field_name": field_name}
            | values,
        )
        await self._link(
            projects.DepartmentMetadataDescriptorLink,
            [{"metadata_descriptor_id": row["id"], "department_id": d["id"]} for d in departments],
        )
        return row

    async def status_automation(self, **values) -> dict[str, Any]:
        """A status automation on assets: a new status of a new task type sets that same status."""
        task_type = await self.task_type()
        status = await self.task_status()
        return await self._insert(
            catalog.StatusAutomation,
            {
                "entity_type": "asset",
                "in_task_type_id": task_type["id"],
                "in_task_status_id": status["id"],
                "out_field_type": "status",
                "out_task_type_id": task_type["id"],
                "out_task_status_id": status["id"],
            }
            | values,
        )
