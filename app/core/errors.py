"""Domain errors and their one mapping to HTTP, with Zou's body shapes."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.responses import JSONResponse

log = logging.getLogger(__name__)


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, data: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data

    def body(self) -> dict:
        return {"error": True, "message": self.message, "data": self.data}


class WrongParameter(DomainError):
    """A query or body value the request may not carry (400, with `error` and `data`)."""


class InvalidBody(DomainError):
    """A body that does not fit the model (400, `{"message": ...}` only, as Zou's CRUD routes)."""

    def body(self) -> dict:
        return {"message": self.message}


# Zou answers every 404 and 405 with the generic Werkzeug texts; clients get the same words here.
NOT_FOUND_TEXT = (
    "404 Not Found: The requested URL was not found on the server. "
    "If you entered the URL manually please check your spelling and try again."
)
METHOD_NOT_ALLOWED_TEXT = "The method is not allowed for the requested URL."


class NotFound(DomainError):
    """A missing row. `message` says which (for logs and tests); the body holds Zou's generic text."""

    status_code = 404

    def body(self) -> dict:
        return {"error": True, "message": NOT_FOUND_TEXT}


class PermissionDenied(DomainError):
    status_code = 403

    def __init__(
        self,
        message: str = "You don't have the permission to access the requested resource. "
        "It is either read-protected or not readable by the server.",
    ) -> None:
        super().__init__(message)

    def body(self) -> dict:
        return {"error": True, "message": self.message}


class Unauthorized(DomainError):
    status_code = 401

    def body(self) -> dict:
        return {"msg": self.message}


class Conflict(DomainError):
    status_code = 400

    def body(self) -> dict:
        return {"message": self.message}


class PayloadTooLarge(DomainError):
    """An upload over `Settings.max_upload_mb` (413)."""

    status_code = 413


MALFORMED_ID = "Malformed ID."


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        if err.get("type") == "json_invalid":
            return "The request body is not valid JSON."
        where = ".".join(loc)
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "Invalid request."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        for err in exc.errors():
            if err.get("type") == "uuid_parsing" and "path" in err.get("loc", ()):
                return JSONResponse({"error": True, "message": MALFORMED_ID, "data": None}, status_code=400)
        return JSONResponse({"error": True, "message": _validation_message(exc)}, status_code=400)

    @app.exception_handler(IntegrityError)
    async def integrity_error(_: Request, exc: IntegrityError) -> JSONResponse:
        text = str(exc.orig)
        if "unique" in text.lower() or "duplicate" in text.lower():
            return JSONResponse({"message": "A record with the same unique values already exists."}, 400)
        if "not-null" in text.lower() or "null value" in text.lower():
            return JSONResponse({"message": "A required field is missing."}, 400)
        if "foreign key" in text.lower():
            return JSONResponse({"message": "The change conflicts with records referencing this one."}, 400)
        return JSONResponse({"message": "The data breaks an integrity rule."}, 400)

    @app.exception_handler(DataError)
    async def data_error(_: Request, exc: DataError) -> JSONResponse:
        return JSONResponse({"message": "One of the provided values has an invalid format."}, 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = {404: NOT_FOUND_TEXT, 405: METHOD_NOT_ALLOWED_TEXT}.get(exc.status_code, str(exc.detail))
        return JSONResponse({"error": True, "message": message}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse({"error": True, "message": "Internal server error."}, status_code=500)
