"""The generic CRUD engine behind `/data/<collection>`.

A `Collection` declares a table, its URL and type names, its permission policies,
which columns are hidden or not filterable, its many-to-many relations and optional
hooks. `CrudService` implements Zou's list/read/create/update/delete semantics once
for all of them; specialised behaviour lives in hooks, never in a copy of this code.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

import orjson
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import NotFound, WrongParameter
from app.domain import events
from app.domain.permissions import Caller, Policy, admin_only, anyone, require
from app.repositories.crud import Relation, TableRepository

RESERVED_PARAMS = {"page", "limit", "relations", "fields"}
TRUE_VALUES = ("y", "yes", "t", "true", "on", "1")
FALSE_VALUES = ("n", "no", "f", "false", "off", "0")
INVALID_FORMAT = "One of the provided values has an invalid format."
DEFAULT_PAGE_SIZE = 100
Validator = Callable[[Any], dict[str, Any]]
"""Turns a raw request body into clean column values, or raises a 400."""


@dataclass(slots=True)
class CrudContext:
    session: AsyncSession
    caller: Caller
    settings: Settings
    params: Mapping[str, str] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    """Scratch space shared by the hooks of one operation."""

    def flag(self, name: str) -> bool:
        return str(self.params.get(name, "")).lower() == "true"


class Hooks:
    """Per-collection behaviour. Every method is optional; defaults do nothing."""

    def list_filters(self, ctx: CrudContext) -> dict[str, Any]:
        """Equality filters always applied to reads (e.g. hide preview accounts)."""
        return {}

    def list_scope(self, ctx: CrudContext) -> list[Any]:
        """Extra SQL conditions (built by a repository) restricting what the caller may list."""
        return []

    def filterable(self, ctx: CrudContext, collection: Collection) -> frozenset[str] | None:
        """Columns the caller may filter on; None means every visible column."""
        return None

    async def present(self, ctx: CrudContext, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        """Final shaping of serialized rows, once per response; `mode` is "list", "get" or "write"."""
        return rows

    async def check_read(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        """Instance-level read check for GET one (after the collection's read policy)."""
        return None

    async def before_create(self, ctx: CrudContext, data: dict[str, Any]) -> dict[str, Any]:
        return data

    async def after_create(self, ctx: CrudContext, row: dict[str, Any]) -> dict[str, Any] | None:
        """Runs after the insert; may return extra fields for the answer (e.g. a bot's token)."""
        return None

    async def before_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        return data

    async def after_update(self, ctx: CrudContext, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
        """Runs after the update; may return extra fields for the answer."""
        return None

    async def before_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        return None

    async def after_delete(self, ctx: CrudContext, row: dict[str, Any]) -> None:
        return None

    async def event(self, ctx: CrudContext, action: str, row: dict[str, Any]) -> tuple[dict, str | None] | None:
        """The payload and project of the `<prefix>:<action>` event when it differs from the
        default `{<table>_id: id}` (e.g. Zou's comment events name the task and the author)."""
        return None


@dataclass(eq=False)
class Collection:
    url: str
    model: type
    type_name: str
    read: Policy = anyone
    create: Policy = admin_only
    update: Policy = admin_only
    delete: Policy = admin_only
    hidden: frozenset[str] = frozenset()
    """Columns never returned (secrets)."""
    not_filterable: frozenset[str] = frozenset()
    writable_hidden: frozenset[str] = frozenset()
    """Hidden columns a body may still set (e.g. a person's password, hashed by a hook)."""
    relations: tuple[Relation, ...] = ()
    hooks: Hooks = field(default_factory=Hooks)
    insensitive: frozenset[str] = frozenset({"name"})
    """Columns filtered with ILIKE (case-insensitive, wildcards allowed), as Zou does for `name`."""
    lowercased: frozenset[str] = frozenset()
    """Columns stored lower-cased (emails): their filter values are lower-cased too."""
    event_name: str | None = None
    """Event prefix when it differs from the table name (entity types emit `asset-type:*`)."""
    routes: frozenset[str] = frozenset({"list", "create", "get", "update", "delete"})

    @property
    def table(self):
        return self.model.__table__

    @property
    def event_prefix(self) -> str:
        return self.event_name or self.table.name.replace("_", "-")

    @property
    def event_key(self) -> str:
        return f"{self.event_prefix.replace('-', '_')}_id"

    @cached_property
    def public_columns(self) -> list:
        return [c for c in self.table.columns if c.name not in self.hidden]

    @cached_property
    def column_names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.table.columns)

    @cached_property
    def relation_names(self) -> dict[str, Relation]:
        return {r.name: r for r in self.relations}


class InvalidFormat(WrongParameter):
    """A filter value the column's type cannot hold (Zou answers without `data`)."""

    def __init__(self) -> None:
        super().__init__(INVALID_FORMAT)

    def body(self) -> dict:
        return {"error": True, "message": self.message}


def parse_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise WrongParameter(f"Invalid boolean value: {value}")


def parse_uuid(value: str) -> str:
    if value == "":
        raise InvalidFormat()
    try:
        parsed = uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise WrongParameter(f"Invalid UUID value: {value}") from None
    if len(value) != 36:
        raise WrongParameter(f"Invalid UUID value: {value}")
    return str(parsed)


def parse_filter_value(column, raw: Any) -> Any:
    """Turn a query-string value into a typed one for `column` (lists mean IN)."""
    if isinstance(raw, list):
        return [parse_filter_value(column, v) for v in raw]
    if isinstance(column.type, JSONB):
        raise InvalidFormat()
    raw = raw if isinstance(raw, str) else str(raw)
    ctype = column.type
    try:
        if isinstance(ctype, Uuid):
            return parse_uuid(raw)
        if isinstance(ctype, Boolean):
            return parse_bool(raw)
        if isinstance(ctype, Integer):
            return int(raw)
        if isinstance(ctype, Float):
            return float(raw)
        if isinstance(ctype, DateTime):
            return datetime.fromisoformat(raw)
        if isinstance(ctype, Date):
            return date.fromisoformat(raw)
    except ValueError:
        raise InvalidFormat() from None
    return raw


def parse_filter_param(name: str, value: str) -> Any:
    """`?id=["a","b"]` is a JSON list (IN); anything else is a plain value."""
    if not value.startswith("["):
        return value
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        raise WrongParameter(f"Malformed list filter for field {name}.") from None
    if not isinstance(parsed, list):
        raise WrongParameter(f"Malformed list filter for field {name}.")
    return [v if isinstance(v, str) else orjson.dumps(v).decode() for v in parsed]


def parse_int(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise WrongParameter(f"{name} must be an integer.") from None


class CrudService:
    """List/read/create/update/delete of one collection, with Zou's semantics."""

    def __init__(self, collection: Collection, ctx: CrudContext) -> None:
        self.collection = collection
        self.ctx = ctx
        self.repo = TableRepository(ctx.session, collection.table, collection.public_columns)

    # --- reading -------------------------------------------------------

    def _filters(self, params: Mapping[str, str]) -> dict[str, Any]:
        c = self.collection
        allowed = c.hooks.filterable(self.ctx, c)
        filters: dict[str, Any] = {}
        for name, raw in params.items():
            if name in RESERVED_PARAMS:
                continue
            if name in c.relation_names:
                filters[name] = parse_uuid(raw)
                continue
            if name not in c.column_names:
                continue
            if name in c.hidden or name in c.not_filterable or (allowed is not None and name not in allowed):
                raise WrongParameter(f"Filtering on {name} is not allowed.")
            if name in c.insensitive:
                filters[name] = raw  # ILIKE pattern, taken literally (Zou allows wildcards)
                continue
            value = parse_filter_value(c.table.c[name], parse_filter_param(name, raw))
            if name in c.lowercased:
                value = [v.lower() for v in value] if isinstance(value, list) else value.lower()
            filters[name] = value
        filters.update(c.hooks.list_filters(self.ctx))
        return filters

    async def _serialize(self, rows: list[dict[str, Any]], relations: bool, mode: str) -> list[dict[str, Any]]:
        c = self.collection
        if relations and c.relations and rows:
            ids = [r["id"] for r in rows]
            for rel in c.relations:
                by_owner = await self.repo.related_ids(rel, ids)
                for r in rows:
                    r[rel.name] = by_owner.get(r["id"], [])
        type_name = c.type_name
        for r in rows:
            r["type"] = type_name
        return await c.hooks.present(self.ctx, rows, mode)

    @staticmethod
    def _only_fields(rows: list[dict[str, Any]], params: Mapping[str, str]) -> list[dict[str, Any]]:
        raw = params.get("fields")
        if not raw:
            return rows
        wanted = {f.strip() for f in raw.split(",") if f.strip()} | {"id", "type"}
        return [{k: v for k, v in r.items() if k in wanted} for r in rows]

    async def list(self, params: Mapping[str, str]) -> list[dict[str, Any]] | dict[str, Any]:
        c = self.collection
        require(c.read, self.ctx.caller)
        filters = self._filters(params)
        page = parse_int(params, "page")
        relations = str(params.get("relations", "")).lower() == "true"
        query = {
            "insensitive": c.insensitive,
            "relations": c.relation_names,
            "extra": c.hooks.list_scope(self.ctx),
        }
        if page is None or page < 0:
            rows = await self.repo.list(filters, **query)
            return self._only_fields(await self._serialize(rows, relations, "list"), params)
        limit = parse_int(params, "limit") or DEFAULT_PAGE_SIZE
        if limit < 1:
            raise WrongParameter("limit must be a positive integer.")
        offset = (page - 1) * limit
        total = await self.repo.count(filters, **query)
        rows = []
        if page >= 1 and offset < total:
            rows = await self.repo.list(filters, **query, paged=True, limit=limit, offset=offset)
        data = self._only_fields(await self._serialize(rows, relations, "list"), params)
        return {
            "data": data,
            "total": total,
            "nb_pages": math.ceil(total / limit),
            "limit": limit,
            "offset": offset,
            "page": page,
        }

    async def fetch(self, row_id: str) -> dict[str, Any]:
        row = await self.repo.get(row_id)
        if row is None:
            raise NotFound(f"{self.collection.type_name} not found.")
        return row

    async def get(self, row_id: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        row = await self.fetch(row_id)
        require(self.collection.read, self.ctx.caller, row)
        await self.collection.hooks.check_read(self.ctx, row)
        relations = str((params or {}).get("relations", "true")).lower() != "false"
        return (await self._serialize([row], relations, "get"))[0]

    # --- writing -------------------------------------------------------

    def _split_relations(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        links = {k: data.pop(k) for k in list(data) if k in self.collection.relation_names}
        return data, {k: [str(v) for v in (ids or [])] for k, ids in links.items()}

    async def _write_links(self, row_id: str, links: dict[str, list[str]]) -> None:
        for name, ids in links.items():
            await self.repo.replace_links(self.collection.relation_names[name], row_id, ids)

    async def _event(self, action: str, row: dict[str, Any]) -> None:
        custom = await self.collection.hooks.event(self.ctx, action, row)
        data, project_id = (
            custom if custom is not None else ({self.collection.event_key: row["id"]}, row.get("project_id"))
        )
        await events.emit(
            self.ctx.session,
            f"{self.collection.event_prefix}:{action}",
            data,
            project_id=project_id,
            user_id=self.ctx.caller.id,
        )

    async def create(self, data: Any, validate: Validator | None = None) -> dict[str, Any]:
        """Create a row. With `validate`, `data` is the raw body, checked only once the caller
        may create (Zou answers 403 before looking at the body)."""
        c = self.collection
        require(c.create, self.ctx.caller, data if isinstance(data, dict) else None)
        if validate is not None:
            data = validate(data)
        data = await c.hooks.before_create(self.ctx, dict(data))
        data, links = self._split_relations(data)
        row = await self.repo.insert(data)
        await self._write_links(row["id"], links)
        extra = await c.hooks.after_create(self.ctx, row)
        await self._event("new", row)
        out = (await self._serialize([row], True, "write"))[0]
        return {**out, **extra} if extra else out

    async def update(self, row_id: str, data: Any, validate: Validator | None = None) -> dict[str, Any]:
        """Update a row: 404 for an unknown id, then 403, then (with `validate`) 400 for a bad body."""
        c = self.collection
        row = await self.fetch(row_id)
        require(c.update, self.ctx.caller, row)
        if validate is not None:
            data = validate(data)
        data = dict(data)
        data.pop("project_id", None)  # rows never move between projects through PUT
        data = await c.hooks.before_update(self.ctx, row, data)
        data, links = self._split_relations(data)
        updated = await self.repo.update(row_id, data) if data else row
        await self._write_links(row_id, links)
        extra = await c.hooks.after_update(self.ctx, updated, data)
        await self._event("update", updated)
        out = (await self._serialize([updated], True, "write"))[0]
        return {**out, **extra} if extra else out

    async def delete(self, row_id: str) -> None:
        c = self.collection
        row = await self.fetch(row_id)
        require(c.delete, self.ctx.caller, row)
        await c.hooks.before_delete(self.ctx, row)
        for rel in c.relations:
            await self.repo.replace_links(rel, row_id, [])
        await self.repo.delete(row_id)
        await c.hooks.after_delete(self.ctx, row)
        await self._event("delete", row)
