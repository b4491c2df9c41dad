"""Queries behind pictures: the avatar flags of persons, organisations and projects, and the
preview background files with their project and template links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import PreviewBackgroundFile
from app.repositories.tables.people import Organisation, Person
from app.repositories.tables.projects import (
    Project,
    ProjectPersonLink,
    ProjectPreviewBackgroundFileLink,
    ProjectTemplate,
    ProjectTemplatePreviewBackgroundFileLink,
)

person = Person.__table__
organisation = Organisation.__table__
project = Project.__table__
team = ProjectPersonLink.__table__
background = PreviewBackgroundFile.__table__
project_background = ProjectPreviewBackgroundFileLink.__table__
template = ProjectTemplate.__table__
template_background = ProjectTemplatePreviewBackgroundFileLink.__table__

AVATAR_TABLES = {"persons": person, "organisations": organisation, "projects": project}


class PictureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- avatars -----------------------------------------------------------------------------

    async def avatar_state(self, kind: str, row_id: str, person_id: str | None = None) -> dict[str, Any] | None:
        """`has_avatar` and `updated_at` of a person, organisation or project (None when unknown)
        and, for a project, whether `person_id` is on its team: one query."""
        table = AVATAR_TABLES[kind]
        columns = [table.c.has_avatar, table.c.updated_at]
        if kind == "projects" and person_id is not None:
            on_team = exists().where(team.c.project_id == table.c.id, team.c.person_id == person_id)
            columns.append(on_team.label("on_team"))
        row = (await self.session.execute(select(*columns).where(table.c.id == row_id))).mappings().first()
        return dict(row) if row is not None else None

    async def exists(self, kind: str, row_id: str) -> bool:
        table = AVATAR_TABLES[kind]
        return bool((await self.session.execute(select(exists().where(table.c.id == row_id)))).scalar())

    async def set_avatar(self, kind: str, row_id: str, value: bool) -> datetime | None:
        """Set `has_avatar` (the row is saved: `updated_at` moves); answers the new `updated_at`."""
        table = AVATAR_TABLES[kind]
        stmt = (
            update(table)
            .where(table.c.id == row_id)
            .values(has_avatar=value, updated_at=utc_now())
            .returning(table.c.updated_at)
        )
        return (await self.session.execute(stmt)).scalar()

    # --- preview background files --------------------------------------------------------------

    async def background(self, background_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(background).where(background.c.id == background_id))).mappings()
        found = row.first()
        return dict(found) if found is not None else None

    async def background_file_state(self, background_id: str) -> dict[str, Any] | None:
        """What serving a background's file needs: extension, original name and save time."""
        stmt = select(background.c.extension, background.c.original_name, background.c.updated_at).where(
            background.c.id == background_id
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def update_background(self, background_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
        stmt = (
            update(background)
            .where(background.c.id == background_id)
            .values(**values, updated_at=utc_now())
            .returning(background)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row is not None else None

    async def delete_background(self, background_id: str) -> None:
        await self.session.execute(delete(background).where(background.c.id == background_id))

    async def background_named(self, name: str, except_id: str | None = None) -> bool:
        condition = background.c.name == name
        if except_id is not None:
            condition = condition & (background.c.id != except_id)
        return bool((await self.session.execute(select(exists().where(condition)))).scalar())

    async def clear_default_backgrounds(self, except_id: str | None = None) -> None:
        """Only one background is the studio default: every other one loses the flag."""
        stmt = update(background).where(background.c.is_default.is_(True))
        if except_id is not None:
            stmt = stmt.where(background.c.id != except_id)
        await self.session.execute(stmt.values(is_default=False, updated_at=utc_now()))

    async def background_in_use(self, background_id: str) -> bool:
        """Whether a project or a template still points at the background (links or default)."""
        used = or_(
            exists().where(project_background.c.preview_background_file_id == background_id),
            exists().where(template_background.c.preview_background_file_id == background_id),
            exists().where(project.c.default_preview_background_file_id == background_id),
            exists().where(template.c.default_preview_background_file_id == background_id),
        )
        return bool((await self.session.execute(select(literal(True)).where(used))).first())

    async def template_backgrounds(self, template_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(background.c.id, background.c.name, background.c.is_default)
            .join(template_background, template_background.c.preview_background_file_id == background.c.id)
            .where(template_background.c.project_template_id == template_id)
            .order_by(background.c.name, background.c.id)
        )
        return [
            {"id": r["id"], "name": r["name"], "is_default": bool(r["is_default"])}
            for r in (await self.session.execute(stmt)).mappings()
        ]

    async def template_has_background(self, template_id: str, background_id: str) -> bool:
        condition = (template_background.c.project_template_id == template_id) & (
            template_background.c.preview_background_file_id == background_id
        )
        return bool((await self.session.execute(select(exists().where(condition)))).scalar())

    async def clear_template_default(self, template_id: str, background_id: str) -> None:
        """Drop the template's default background when it is `background_id`."""
        await self.session.execute(
            update(template)
            .where(template.c.id == template_id, template.c.default_preview_background_file_id == background_id)
            .values(default_preview_background_file_id=None, updated_at=utc_now())
        )
