"""Reading request bodies the way Zou's resources do, for the routes that read their own.

Zou's resources take a JSON body, else the query-string and form values (flask-restful's
reqparse), and answer a body that does not fit the schema with a 400 listing the fields.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from app.core.validation import M, validate, validation_failure
from app.routers.catalog import json_or_none, request_args

__all__ = ["json_or_args", "read_body", "validate", "validation_failure"]


async def json_or_args(request: Request, *, first_wins: bool = False) -> Any:
    """The JSON body when the request declares one and it parses, else the query-string and form
    values by name: the last value of a repeated name, or (`first_wins`, reqparse's reading) the first."""
    payload = await json_or_none(request)
    if payload is not None:
        return payload
    pairs = await request_args(request)
    if not first_wins:
        return dict(pairs)
    values: dict[str, Any] = {}
    for name, value in pairs:
        values.setdefault(name, value)
    return values


async def read_body(request: Request, model: type[M], *, first_wins: bool = False) -> M:
    """A JSON body, else the query and form values, validated by `model`."""
    return validate(model, await json_or_args(request, first_wins=first_wins))
