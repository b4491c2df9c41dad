"""Pydantic request and response models built from a collection's table.

They validate bodies (types, lengths, unknown fields on create) and generate the
OpenAPI documentation, so the docs and the checks never disagree.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, create_model
from sqlalchemy import ARRAY, BigInteger, Boolean, Date, DateTime, Float, Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from app.domain.crud import Collection

SERVER_SET = {"id", "created_at", "updated_at"}


def python_type(column) -> Any:
    t = column.type
    if isinstance(t, Uuid):
        return uuid.UUID
    if isinstance(t, Boolean):
        return bool
    if isinstance(t, (Integer, BigInteger)):
        return int
    if isinstance(t, Float):
        return float
    if isinstance(t, DateTime):
        return datetime
    if isinstance(t, Date):
        return date
    if isinstance(t, JSONB):
        return Any
    if isinstance(t, ARRAY):
        return list[Any]
    if isinstance(t, LargeBinary):
        return str
    if isinstance(t, String) and t.length and not isinstance(t, Text):
        return Annotated[str, StringConstraints(max_length=t.length)]
    return str


def _required(column) -> bool:
    return not column.nullable and column.default is None and column.server_default is None and not column.primary_key


class CreateBase(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UpdateBase(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _fields(collection: Collection, for_create: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for column in collection.table.columns:
        if column.name in SERVER_SET:
            continue
        if column.name in collection.hidden and column.name not in collection.writable_hidden:
            continue
        typ = python_type(column)
        if for_create and _required(column):
            fields[column.name] = (typ, ...)
        else:
            fields[column.name] = (typ | None, None)
    for rel in collection.relations:
        fields[rel.name] = (list[uuid.UUID] | None, None)
    return fields


def create_schema(collection: Collection) -> type[BaseModel]:
    fields = _fields(collection, True)
    # `id` is accepted and ignored, as Zou does
    fields["id"] = (Any, None)
    fields["created_at"] = (Any, None)
    fields["updated_at"] = (Any, None)
    return create_model(f"{collection.type_name}Create", __base__=CreateBase, **fields)


def update_schema(collection: Collection) -> type[BaseModel]:
    return create_model(f"{collection.type_name}Update", __base__=UpdateBase, **_fields(collection, False))


def read_schema(collection: Collection) -> type[BaseModel]:
    fields: dict[str, Any] = {c.name: (python_type(c) | None, None) for c in collection.public_columns}
    fields["type"] = (str, collection.type_name)
    for rel in collection.relations:
        fields[rel.name] = (list[str] | None, None)
    return create_model(collection.type_name, __base__=BaseModel, **fields)


def body_values(model: BaseModel) -> dict[str, Any]:
    """The fields a client sent, with UUIDs as text and server-set fields dropped."""
    data = model.model_dump(exclude_unset=True)
    for key in SERVER_SET:
        data.pop(key, None)
    for key, value in data.items():
        if isinstance(value, uuid.UUID):
            data[key] = str(value)
        elif isinstance(value, list):
            data[key] = [str(v) if isinstance(v, uuid.UUID) else v for v in value]
    return data
