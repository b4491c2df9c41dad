"""Builds the five `/data/<collection>` routes of every registered collection."""

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from app.core.responses import JSONResponse
from app.domain.collections import COLLECTIONS
from app.domain.crud import Collection, CrudContext, CrudService
from app.routers.deps import AppSettings, CurrentUser, DbSession
from app.schemas.crud import body_values, create_schema, read_schema, update_schema

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id, bad filter or invalid body"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller's role may not do this"},
}


async def json_body(request: Request) -> Any:
    """The raw JSON body (None when empty); 400 when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error"}]) from None


def validator(model: type[BaseModel]):
    """Checks a raw body against the collection's schema, with FastAPI's 400 on failure."""

    def validate(data: Any) -> dict[str, Any]:
        try:
            return body_values(model.model_validate(data if data is not None else {}))
        except ValidationError as exc:
            raise RequestValidationError(
                [{**err, "loc": ("body", *err["loc"])} for err in exc.errors(include_url=False)]
            ) from None

    return validate


def request_body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """The body schema for /openapi.json (the body is read by hand so that rights are checked first)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _service(c: Collection, request: Request, session, settings, caller) -> CrudService:
    return CrudService(c, CrudContext(session, caller, settings, dict(request.query_params)))


def add_collection_routes(router: APIRouter, c: Collection) -> None:
    base = f"/data/{c.url}"
    tag = c.url
    Read = read_schema(c)
    Create = create_schema(c)
    Update = update_schema(c)
    name = c.type_name

    async def list_rows(
        request: Request,
        session: DbSession,
        settings: AppSettings,
        caller: CurrentUser,
        page: Annotated[str | None, Query(description="Page number; turns the answer into a page object")] = None,
        limit: Annotated[str | None, Query(description="Page size (default 100)")] = None,
        relations: Annotated[str | None, Query(description="`true` adds many-to-many id lists")] = None,
        fields: Annotated[str | None, Query(description="Comma-separated fields to return")] = None,
    ) -> Response:
        return JSONResponse(await _service(c, request, session, settings, caller).list(request.query_params))

    async def create_row(request: Request, session: DbSession, settings: AppSettings, caller: CurrentUser) -> Response:
        body = await json_body(request)
        row = await _service(c, request, session, settings, caller).create(body, validator(Create))
        return JSONResponse(row, status_code=201)

    async def get_row(
        instance_id: uuid.UUID, request: Request, session: DbSession, settings: AppSettings, caller: CurrentUser
    ) -> Response:
        service = _service(c, request, session, settings, caller)
        return JSONResponse(await service.get(str(instance_id), request.query_params))

    async def update_row(
        instance_id: uuid.UUID, request: Request, session: DbSession, settings: AppSettings, caller: CurrentUser
    ) -> Response:
        body = await json_body(request)
        service = _service(c, request, session, settings, caller)
        return JSONResponse(await service.update(str(instance_id), body, validator(Update)))

    async def delete_row(
        instance_id: uuid.UUID, request: Request, session: DbSession, settings: AppSettings, caller: CurrentUser
    ) -> Response:
        await _service(c, request, session, settings, caller).delete(str(instance_id))
        return Response(status_code=204)

    many = {200: {"model": list[Read]}, **ERRORS}
    one = {200: {"model": Read}, **ERRORS, 404: {"description": "Unknown id"}}
    for path, shown in ((base, True), (base + "/", False)):
        if "list" in c.routes:
            router.add_api_route(
                path,
                list_rows,
                methods=["GET"],
                summary=f"List {c.url}",
                tags=[tag],
                responses=many,
                include_in_schema=shown,
                operation_id=f"list_{c.url}_{int(shown)}",
            )
        if "create" not in c.routes:
            continue
        router.add_api_route(
            path,
            create_row,
            methods=["POST"],
            summary=f"Create a {name}",
            tags=[tag],
            status_code=201,
            responses={201: {"model": Read}, **ERRORS},
            openapi_extra=request_body_doc(Create),
            include_in_schema=shown,
            operation_id=f"create_{c.url}_{int(shown)}",
        )
    item = base + "/{instance_id}"
    unknown = {**ERRORS, 404: {"description": "Unknown id"}}
    item_routes = (
        ("get", get_row, "GET", f"Get a {name}", 200, one),
        ("update", update_row, "PUT", f"Update a {name}", 200, one),
        ("delete", delete_row, "DELETE", f"Delete a {name}", 204, unknown),
    )
    for kind, endpoint, method, summary, status, responses in item_routes:
        if kind in c.routes:
            router.add_api_route(
                item,
                endpoint,
                methods=[method],
                summary=summary,
                tags=[tag],
                status_code=status,
                responses=responses,
                operation_id=f"{kind}_{c.url}",
                openapi_extra=request_body_doc(Update) if kind == "update" else None,
            )


def build_router() -> APIRouter:
    router = APIRouter()
    for collection in COLLECTIONS.values():
        add_collection_routes(router, collection)
    return router
