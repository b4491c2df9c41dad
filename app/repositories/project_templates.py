"""Project templates, their link tables, and copying settings between templates and projects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, Uuid, case, delete, exists, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.crud import TableRepository
from app.repositories.tables.base import new_id, utc_now
from app.repositories.tables.catalog import EntityType, StatusAutomation, TaskStatus, TaskType
from app.repositories.tables.projects import (
    Project,
    ProjectAssetTypeLink,
    ProjectPreviewBackgroundFileLink,
    ProjectStatusAutomationLink,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
    ProjectTemplate,
    ProjectTemplateAssetTypeLink,
    ProjectTemplatePreviewBackgroundFileLink,
    ProjectTemplateStatusAutomationLink,
    ProjectTemplateTaskStatusLink,
    ProjectTemplateTaskTypeLink,
)

template = ProjectTemplate.__table__
project = Project.__table__
task_type = TaskType.__table__
task_status = TaskStatus.__table__
entity_type = EntityType.__table__
status_automation = StatusAutomation.__table__
tt_link = ProjectTemplateTaskTypeLink.__table__
ts_link = ProjectTemplateTaskStatusLink.__table__
at_link = ProjectTemplateAssetTypeLink.__table__
sa_link = ProjectTemplateStatusAutomationLink.__table__
bg_link = ProjectTemplatePreviewBackgroundFileLink.__table__
project_tt_link = ProjectTaskTypeLink.__table__
project_ts_link = ProjectTaskStatusLink.__table__
project_at_link = ProjectAssetTypeLink.__table__
project_sa_link = ProjectStatusAutomationLink.__table__
project_bg_link = ProjectPreviewBackgroundFileLink.__table__

TASK_TYPE_LINK_FIELDS = ("priority", "hd_bitrate_compression", "ld_bitrate_compression", "is_client_visible")
TASK_STATUS_LINK_FIELDS = ("priority", "roles_for_board", "is_client_allowed")
# (template link, project link, the column naming the linked row)
PLAIN_LINKS = (
    (at_link, project_at_link, "asset_type_id"),
    (sa_link, project_sa_link, "status_automation_id"),
    (bg_link, project_bg_link, "preview_background_file_id"),
)


def _uuid(value: str):
    return literal(value, Uuid(as_uuid=False))


class ProjectTemplateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.templates = TableRepository(session, template)

    # --- templates ---------------------------------------------------------------------------

    async def get(self, template_id: str) -> dict[str, Any] | None:
        return await self.templates.get(template_id)

    async def name_taken(self, name: str, except_id: str | None = None) -> bool:
        stmt = exists().where(template.c.name == name)
        if except_id is not None:
            stmt = stmt.where(template.c.id != except_id)
        return bool((await self.session.execute(select(stmt))).scalar())

    async def insert(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return await self.templates.insert(values)

    async def update(self, template_id: str, values: Mapping[str, Any]) -> dict[str, Any] | None:
        return await self.templates.update(template_id, values)

    async def delete(self, template_id: str) -> None:
        for link in (tt_link, ts_link, at_link, sa_link, bg_link):
            await self.session.execute(delete(link).where(link.c.project_template_id == template_id))
        await self.templates.delete(template_id)

    async def row_exists(self, table: Table, row_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(table).where(table.c.id == row_id))).mappings().first()
        return dict(row) if row is not None else None

    # --- task types and task statuses ----------------------------------------------------------

    async def task_types(self, template_id: str) -> list[dict[str, Any]]:
        """The template's task types, each with the priority, bitrates and visibility of its link."""
        stmt = (
            select(task_type, *(tt_link.c[f].label(f"_link_{f}") for f in TASK_TYPE_LINK_FIELDS))
            .join(tt_link, tt_link.c.task_type_id == task_type.c.id)
            .where(tt_link.c.project_template_id == template_id)
        )
        return self._with_link(await self._rows(stmt), TASK_TYPE_LINK_FIELDS)

    async def task_statuses(self, template_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(task_status, *(ts_link.c[f].label(f"_link_{f}") for f in TASK_STATUS_LINK_FIELDS))
            .join(ts_link, ts_link.c.task_status_id == task_status.c.id)
            .where(ts_link.c.project_template_id == template_id)
        )
        return self._with_link(await self._rows(stmt), TASK_STATUS_LINK_FIELDS)

    async def _rows(self, stmt) -> list[dict[str, Any]]:
        return [dict(m) for m in (await self.session.execute(stmt)).mappings()]

    @staticmethod
    def _with_link(rows: list[dict[str, Any]], fields: Sequence[str]) -> list[dict[str, Any]]:
        for row in rows:
            row["_link"] = {f: row.pop(f"_link_{f}") for f in fields}
        return rows

    async def task_type_link(self, template_id: str, task_type_id: str) -> dict[str, Any] | None:
        stmt = select(tt_link).where(
            tt_link.c.project_template_id == template_id, tt_link.c.task_type_id == task_type_id
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def task_status_link(self, template_id: str, task_status_id: str) -> dict[str, Any] | None:
        stmt = select(ts_link).where(
            ts_link.c.project_template_id == template_id, ts_link.c.task_status_id == task_status_id
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def insert_link(self, table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
        return await TableRepository(self.session, table).insert(values)

    async def update_link(self, table: Table, link_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        return await TableRepository(self.session, table).update(link_id, values)

    async def delete_link(self, table: Table, template_id: str, column: str, row_id: str) -> None:
        await self.session.execute(
            delete(table).where(table.c.project_template_id == template_id, table.c[column] == row_id)
        )

    # --- asset types and status automations ----------------------------------------------------

    async def asset_types(self, template_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(entity_type.c.id, entity_type.c.name)
            .join(at_link, at_link.c.asset_type_id == entity_type.c.id)
            .where(at_link.c.project_template_id == template_id)
            .order_by(entity_type.c.name)
        )
        return await self._rows(stmt)

    async def status_automations(self, template_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(status_automation)
            .join(sa_link, sa_link.c.status_automation_id == status_automation.c.id)
            .where(sa_link.c.project_template_id == template_id)
            .order_by(status_automation.c.created_at, status_automation.c.id)
        )
        return await self._rows(stmt)

    async def add_plain_link(self, table: Table, template_id: str, column: str, row_id: str) -> None:
        """Link a row to the template unless already linked (race-safe)."""
        stmt = (
            pg_insert(table)
            .values(project_template_id=template_id, **{column: row_id})
            .on_conflict_do_nothing(index_elements=[table.c.project_template_id, table.c[column]])
        )
        await self.session.execute(stmt)

    # --- reorder --------------------------------------------------------------------------------

    async def set_priorities(
        self, table: Table, column: str, template_id: str, priorities: Mapping[str, int]
    ) -> list[dict[str, Any]]:
        """Give each listed row its priority on the template, creating missing links (2 statements)."""
        if not priorities:
            return []
        now = utc_now()
        await self.session.execute(
            update(table)
            .where(table.c.project_template_id == template_id, table.c[column].in_(list(priorities)))
            .values(
                priority=case(*((table.c[column] == row_id, p) for row_id, p in priorities.items())), updated_at=now
            )
        )
        values = [
            {
                "id": new_id(),
                "project_template_id": template_id,
                column: row_id,
                "priority": priority,
                "created_at": now,
                "updated_at": now,
            }
            for row_id, priority in priorities.items()
        ]
        stmt = pg_insert(table).values(values)
        stmt = stmt.on_conflict_do_nothing(index_elements=[table.c.project_template_id, table.c[column]])
        await self.session.execute(stmt)
        rows = await self._rows(
            select(table).where(table.c.project_template_id == template_id, table.c[column].in_(list(priorities)))
        )
        order = {row_id: i for i, row_id in enumerate(priorities)}
        return sorted(rows, key=lambda r: order[r[column]])

    async def existing_ids(self, table: Table, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        return set((await self.session.execute(select(table.c.id).where(table.c.id.in_(list(ids))))).scalars())

    # --- copying between projects and templates --------------------------------------------------

    async def copy_project_links(self, project_id: str, template_id: str) -> None:
        """Copy a project's task type, task status, asset type, automation and background links."""
        now = utc_now()
        tt_cols = ("priority", "hd_bitrate_compression", "ld_bitrate_compression", "is_client_visible")
        await self.session.execute(
            insert(tt_link).from_select(
                ["id", "project_template_id", "task_type_id", *tt_cols, "created_at", "updated_at"],
                select(
                    func.gen_random_uuid(),
                    _uuid(template_id),
                    project_tt_link.c.task_type_id,
                    *(project_tt_link.c[c] for c in tt_cols),
                    literal(now),
                    literal(now),
                ).where(project_tt_link.c.project_id == project_id),
            )
        )
        ts_cols = ("priority", "roles_for_board", "is_client_allowed")
        await self.session.execute(
            insert(ts_link).from_select(
                ["id", "project_template_id", "task_status_id", *ts_cols, "created_at", "updated_at"],
                select(
                    func.gen_random_uuid(),
                    _uuid(template_id),
                    project_ts_link.c.task_status_id,
                    *(project_ts_link.c[c] for c in ts_cols),
                    literal(now),
                    literal(now),
                ).where(project_ts_link.c.project_id == project_id),
            )
        )
        for template_link, project_link, column in PLAIN_LINKS:
            await self.session.execute(
                insert(template_link).from_select(
                    ["project_template_id", column],
                    select(_uuid(template_id), project_link.c[column]).where(project_link.c.project_id == project_id),
                )
            )

    async def apply_links(self, template_id: str, project_id: str) -> None:
        """Add the template's links to the project, keeping the ones it already has."""
        now = utc_now()
        tt_cols = ("priority", "hd_bitrate_compression", "ld_bitrate_compression", "is_client_visible")
        await self.session.execute(
            insert(project_tt_link).from_select(
                ["id", "project_id", "task_type_id", *tt_cols, "created_at", "updated_at"],
                select(
                    func.gen_random_uuid(),
                    _uuid(project_id),
                    tt_link.c.task_type_id,
                    *(tt_link.c[c] for c in tt_cols),
                    literal(now),
                    literal(now),
                ).where(
                    tt_link.c.project_template_id == template_id,
                    ~exists().where(
                        project_tt_link.c.project_id == project_id,
                        project_tt_link.c.task_type_id == tt_link.c.task_type_id,
                    ),
                ),
            )
        )
        ts_cols = ("priority", "roles_for_board", "is_client_allowed")
        await self.session.execute(
            insert(project_ts_link).from_select(
                ["id", "project_id", "task_status_id", *ts_cols, "created_at", "updated_at"],
                select(
                    func.gen_random_uuid(),
                    _uuid(project_id),
                    ts_link.c.task_status_id,
                    *(ts_link.c[c] for c in ts_cols),
                    literal(now),
                    literal(now),
                ).where(
                    ts_link.c.project_template_id == template_id,
                    ~exists().where(
                        project_ts_link.c.project_id == project_id,
                        project_ts_link.c.task_status_id == ts_link.c.task_status_id,
                    ),
                ),
            )
        )
        for template_link, project_link, column in PLAIN_LINKS:
            await self.session.execute(
                insert(project_link).from_select(
                    ["project_id", column],
                    select(_uuid(project_id), template_link.c[column]).where(
                        template_link.c.project_template_id == template_id,
                        ~exists().where(
                            project_link.c.project_id == project_id,
                            project_link.c[column] == template_link.c[column],
                        ),
                    ),
                )
            )

    async def project(self, project_id: str) -> dict[str, Any] | None:
        return await TableRepository(self.session, project).get(project_id)

    async def update_project(self, project_id: str, values: Mapping[str, Any]) -> dict[str, Any] | None:
        return await TableRepository(self.session, project).update(project_id, values)
