"""Checking a body against a Pydantic schema with Zou's 400 answer, for routers and domain alike."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.core.errors import WrongParameter

M = TypeVar("M", bound=BaseModel)


def validation_failure(exc: ValidationError) -> WrongParameter:
    """Zou's 400 for a body that does not fit the schema: each field in error and why."""
    errors = [
        {"field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"), "message": err.get("msg", "")}
        for err in exc.errors()
    ]
    return WrongParameter("Validation error.", {"errors": errors})


def validate(model: type[M], payload: Any) -> M:
    """The payload as `model` (no payload reads as `{}`), or Zou's 400 listing each field in error."""
    try:
        return model.model_validate(payload if payload is not None else {})
    except ValidationError as exc:
        raise validation_failure(exc) from None
