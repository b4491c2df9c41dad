"""File catalogues of a production: the softwares set per task type, and the preview account.

The preview account is a guest person (role client) tied to one project by `preview_project_id`:
a manager creates it (or resets its password, which closes its access window), opens its window
for an hour (re-opening an open window only extends it) or closes it, and deletes it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import DomainError, NotFound, PermissionDenied, WrongParameter
from app.core.security import hash_password
from app.domain import events
from app.domain.access import project_scope as load_scope
from app.domain.access import require_manager, require_member
from app.domain.entity_tasks import is_valid_id
from app.domain.permissions import Caller
from app.repositories.cascade import CascadeRepository
from app.repositories.file_catalogs import FileCatalogRepository
from app.repositories.persons import PersonRepository
from app.repositories.tables.base import utc_now

PREVIEW_OPEN_DURATION = timedelta(hours=1)
PREVIEW_EMAIL_DOMAIN = "preview.kitsu.invalid"
LAST_NAME_LENGTH = 80
NOT_IN_PROJECT = "The task type is not a task type of the project."
SOFTWARE_ARCHIVED = "The software is archived."
INVALID_IDS = "task_type_id and software_id must be valid UUIDs."
NO_PREVIEW_ACCOUNT = "No preview account for this project"
PREVIEW_UNAVAILABLE = "Preview accounts require the local authentication strategy"


class PreviewAccountNotFound(NotFound):
    """Zou's 404 naming the missing preview account (not the generic URL text)."""

    def body(self) -> dict:
        return {"error": True, "message": f"404 Not Found: {self.message}"}


class PreviewAccountsUnavailable(DomainError):
    """400 when the server does not offer preview accounts (`Settings.preview_accounts_enabled`)."""

    def body(self) -> dict:
        return {"error": True, "message": self.message}


# --- task-type softwares ---------------------------------------------------------------


async def task_type_softwares(session: AsyncSession, caller: Caller, project_id: str) -> list[dict[str, Any]]:
    """GET /data/projects/{id}/task-type-softwares: `{project_id, task_type_id, software_id}` rows."""
    await require_member(session, caller, project_id)
    return await FileCatalogRepository(session).task_type_software_links(project_id)


async def _require_task_type_supervisor(
    session: AsyncSession, caller: Caller, project_id: str, task_type_id: str
) -> None:
    """Zou's `check_supervisor_project_task_type_access`: admins, the project's managers, and its
    supervisors when they have no department or the task type belongs to one of theirs."""
    scope = await load_scope(session, caller, project_id)
    if scope.is_manager:
        return
    if not scope.is_supervisor:
        raise PermissionDenied()
    if not caller.department_ids:
        return
    found, department_id = await FileCatalogRepository(session).task_type_department(task_type_id)
    if not found:
        raise NotFound("Task type not found.")
    if department_id is None or department_id not in caller.department_ids:
        raise PermissionDenied()


def _link(project_id: str, task_type_id: str, software_id: str) -> dict[str, str]:
    return {"project_id": project_id, "task_type_id": task_type_id, "software_id": software_id}


async def add_task_type_software(
    session: AsyncSession, caller: Caller, project_id: str, task_type_id: str, software_id: str
) -> dict[str, str]:
    """Link a software to a task type of the project; an existing link is answered as is."""
    await _require_task_type_supervisor(session, caller, project_id, task_type_id)
    if not is_valid_id(software_id):
        raise WrongParameter(INVALID_IDS)
    software_id = software_id.lower()
    repo = FileCatalogRepository(session)
    state = await repo.link_context(project_id, task_type_id, software_id)
    if not state["in_project"]:
        raise WrongParameter(NOT_IN_PROJECT)
    if not state["software_found"]:
        raise NotFound("Software not found.")
    if state["archived"]:
        raise WrongParameter(SOFTWARE_ARCHIVED)
    if not state["linked"] and await repo.add_link(project_id, task_type_id, software_id):
        await events.emit(session, "project:update", {}, project_id=project_id, user_id=caller.id)
    return _link(project_id, task_type_id, software_id)


async def remove_task_type_software(
    session: AsyncSession, caller: Caller, project_id: str, task_type_id: str, software_id: str
) -> None:
    """Unlink a software from a task type of the project (nothing to do when not linked)."""
    await _require_task_type_supervisor(session, caller, project_id, task_type_id)
    if await FileCatalogRepository(session).remove_link(project_id, task_type_id, software_id):
        await events.emit(session, "project:update", {}, project_id=project_id, user_id=caller.id)


# --- preview account -------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def present_account(row: dict[str, Any]) -> dict[str, Any]:
    first, last = row.get("first_name") or "", row.get("last_name") or ""
    return {
        "id": row["id"],
        "email": row["email"],
        "full_name": f"{first} {last}" if first and last else first + last,
        "preview_open_until": _iso(row.get("preview_open_until")),
    }


async def get_preview_account(session: AsyncSession, caller: Caller, project_id: str) -> dict[str, Any] | None:
    await require_manager(session, caller, project_id)
    row = await FileCatalogRepository(session).preview_account(project_id)
    return None if row is None else present_account(row)


async def create_or_reset_preview_account(
    session: AsyncSession, settings: Settings, caller: Caller, project_id: str
) -> dict[str, Any]:
    """Create the account (on the project's team) or give it a new password; the window closes in
    both cases, which ends its sessions. The clear password is answered this once."""
    await require_manager(session, caller, project_id)
    if not settings.preview_accounts_enabled:
        raise PreviewAccountsUnavailable(PREVIEW_UNAVAILABLE)
    repo = FileCatalogRepository(session)
    password = secrets.token_urlsafe(12)
    hashed = await hash_password(password, settings.bcrypt_rounds)
    existing = await repo.preview_account(project_id, lock=True)
    if existing is None:
        name = await repo.project_name(project_id) or ""
        row = await repo.create_preview_account(
            project_id,
            {
                "email": f"preview-{secrets.token_hex(6)}@{PREVIEW_EMAIL_DOMAIN}",
                "password": hashed,
                "first_name": "Preview",
                "last_name": name[:LAST_NAME_LENGTH],
                "role": "client",
            },
        )
        await events.emit(session, "project:update", {}, project_id=project_id, user_id=caller.id)
    else:
        row = await repo.update_preview_account(
            existing["id"], {"password": hashed, "preview_opened_at": None, "preview_open_until": None}
        )
    return {**present_account(row), "password": password}


async def set_preview_account_open(session: AsyncSession, caller: Caller, project_id: str, is_open: bool) -> dict:
    """Open the access window for an hour (an open window is only extended) or close it."""
    await require_manager(session, caller, project_id)
    repo = FileCatalogRepository(session)
    row = await repo.preview_account(project_id, lock=True)
    if row is None:
        raise PreviewAccountNotFound(NO_PREVIEW_ACCOUNT)
    if is_open:
        now = utc_now()
        opened_at = row["preview_opened_at"]
        if row["preview_open_until"] is None or row["preview_open_until"] < now:
            opened_at = now
        values = {"preview_opened_at": opened_at, "preview_open_until": now + PREVIEW_OPEN_DURATION}
    else:
        values = {"preview_opened_at": None, "preview_open_until": None}
    return present_account(await repo.update_preview_account(row["id"], values))


async def delete_preview_account(session: AsyncSession, caller: Caller, project_id: str) -> None:
    """Remove the account and everything it left (comments, logs, team link...), if there is one."""
    await require_manager(session, caller, project_id)
    row = await FileCatalogRepository(session).preview_account(project_id, lock=True)
    if row is None:
        return
    await PersonRepository(session).detach(row["id"])
    await CascadeRepository(session).delete_person(row["id"])
    await events.emit(session, "person:delete", {"person_id": row["id"]}, user_id=caller.id)
