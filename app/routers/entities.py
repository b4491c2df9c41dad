"""Generic entities (POST/PUT /data/entities), edits, concepts and concept folders.

`GET /data/entities` and `GET /data/entities/{id}` come from the CRUD registry
(`app.domain.entity_collections`); creation and update are routed here so that they emit the
events of the entity's kind.

Bodies of the edit and concept routes are read as Zou reads them: a JSON object, else the
query-string and form values; they are validated before anything else, as Zou does.

Item routes under `/data/edits` and `/data/concepts` use the shared `item` path convertor
(app/routers/paths.py).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from app.core.errors import WrongParameter
from app.core.responses import JSONResponse
from app.domain import concepts, edits, entities
from app.routers import paths  # noqa: F401  (registers the `item` path convertor)
from app.routers.bodies import read_body
from app.routers.deps import AppSettings, CurrentUser, DbSession
from app.schemas.catalog import request_body
from app.schemas.crud import body_values, create_schema, read_schema, update_schema
from app.schemas.entities import ERRORS, NOT_FOUND, EntityRow, VersionRow

router = APIRouter()


BODY_TYPES = ("application/json", "application/x-www-form-urlencoded")


LIST = {200: {"model": list[EntityRow]}, **ERRORS}
LIST_OF_ONE = {200: {"model": list[EntityRow]}, **ERRORS, **NOT_FOUND}
ONE = {200: {"model": EntityRow}, **ERRORS, **NOT_FOUND}
CREATED = {201: {"model": EntityRow}, **ERRORS, **NOT_FOUND}


# --- bodies --------------------------------------------------------------------------------------


def _check_id(value: str) -> str:
    if not entities.is_uuid(value):
        raise ValueError("must be a valid UUID")
    return entities.canonical_id(value)


IdText = Annotated[str, AfterValidator(_check_id)]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NewEdit(Body):
    name: str = Field(min_length=1, description="The edit name")
    description: str | None = ""
    data: dict | None = None
    episode_id: uuid.UUID | None = Field(default=None, description="The episode holding the edit")


class NewConcept(Body):
    name: str = Field(min_length=1, description="The concept name")
    data: dict | None = None
    description: str | None = None
    entity_concept_links: list[dict] = Field(default=[], description='Linked entities: `[{"id": asset_id}]`')
    parent_id: IdText | None = Field(default=None, description="The concept folder to create it in")


class ConceptFolderName(Body):
    name: str = Field(min_length=1, max_length=160, description="The folder name")


class MoveConcepts(Body):
    concept_ids: list[IdText] = Field(description="The concepts to move")
    concept_folder_id: IdText | None = Field(default=None, description="The folder; none means the project's root")


# --- generic entities ----------------------------------------------------------------------------

EntityCreate = create_schema(entities.ENTITIES)
EntityUpdate = update_schema(entities.ENTITIES)
EntityRead = read_schema(entities.ENTITIES)


async def entity_body(request: Request, model: type[BaseModel]) -> tuple[dict[str, Any], list[str]]:
    """The JSON object body checked against the entity columns, and the keys the client sent.

    `"source_id": "null"` means null, as Zou reads it.
    """
    try:
        payload = await request.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise WrongParameter("Data are empty. Please send a JSON object.")
    if payload.get("source_id") == "null":
        payload["source_id"] = None
    try:
        return body_values(model.model_validate(payload)), list(payload)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


@router.post(
    "/data/entities",
    summary="Create an entity",
    tags=["entities"],
    status_code=201,
    responses={201: {"model": EntityRead}, **ERRORS, **NOT_FOUND},
    openapi_extra=request_body(EntityCreate),
)
async def create_entity(request: Request, session: DbSession, settings: AppSettings, caller: CurrentUser):
    data, _ = await entity_body(request, EntityCreate)
    return JSONResponse(await entities.create_entity(session, caller, settings, data), status_code=201)


@router.put(
    "/data/entities/{instance_id}",
    summary="Update an entity (its data is merged into the stored one)",
    tags=["entities"],
    responses={200: {"model": EntityRead}, **ERRORS, **NOT_FOUND},
    openapi_extra=request_body(EntityUpdate),
)
async def update_entity(
    instance_id: uuid.UUID, request: Request, session: DbSession, settings: AppSettings, caller: CurrentUser
):
    data, sent = await entity_body(request, EntityUpdate)
    updated = await entities.update_entity(session, caller, settings, str(instance_id), data, body_keys=sent)
    return JSONResponse(updated)


# --- edits ---------------------------------------------------------------------------------------


async def _all_edits(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await edits.list_edits(session, caller, request.query_params))


for _path in ("/data/edits", "/data/edits/all"):
    router.add_api_route(
        _path,
        _all_edits,
        methods=["GET"],
        summary="Edits matching the filters (any column; `project_id` required but for admins)",
        tags=["edits"],
        responses=LIST,
        operation_id=f"all_edits_{_path.rsplit('/', 1)[-1]}",
    )


@router.get("/data/edits/{edit_id:item}", summary="An edit with its tasks", tags=["edits"], responses=ONE)
async def get_edit(edit_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await edits.get_edit(session, caller, str(edit_id)))


@router.get(
    "/data/edits/{edit_id:item}/versions",
    summary="The metadata versions of an edit, newest first",
    tags=["edits"],
    responses={200: {"model": list[VersionRow]}, **ERRORS, **NOT_FOUND},
)
async def edit_versions(edit_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await edits.edit_versions(session, caller, str(edit_id)))


@router.get(
    "/data/episodes/{episode_id}/edits", summary="The edits of an episode", tags=["edits"], responses=LIST_OF_ONE
)
async def episode_edits(episode_id: uuid.UUID, session: DbSession, caller: CurrentUser, relations: str = "false"):
    rows = await edits.episode_edits(session, caller, str(episode_id), relations=relations.lower() == "true")
    return JSONResponse(rows)


@router.get(
    "/data/projects/{project_id}/edits", summary="The edits of a project", tags=["edits"], responses=LIST_OF_ONE
)
async def project_edits(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await edits.project_edits(session, caller, str(project_id)))


@router.post(
    "/data/projects/{project_id}/edits",
    summary="Create an edit (an existing one of that name under that episode is returned)",
    tags=["edits"],
    status_code=201,
    responses=CREATED,
    openapi_extra=request_body(NewEdit, BODY_TYPES),
)
async def create_edit(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, NewEdit, first_wins=True)
    row = await edits.create_edit(
        session,
        caller,
        str(project_id),
        name=body.name,
        description=body.description,
        data=body.data,
        episode_id=str(body.episode_id) if body.episode_id else None,
    )
    return JSONResponse(row, status_code=201)


# --- concepts ------------------------------------------------------------------------------------


@router.get(
    "/data/concepts",
    summary="Concepts matching the filters (any column; `project_id` required but for admins)",
    tags=["concepts"],
    responses=LIST,
)
async def all_concepts(request: Request, session: DbSession, caller: CurrentUser):
    return JSONResponse(await concepts.list_concepts(session, caller, request.query_params))


@router.get(
    "/data/concepts/{concept_id:item}",
    summary="A concept with its links and tasks",
    tags=["concepts"],
    responses=ONE,
)
async def get_concept(concept_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await concepts.get_concept(session, caller, str(concept_id)))


@router.get(
    "/data/projects/{project_id}/concepts",
    summary="The concepts of a project",
    tags=["concepts"],
    responses=LIST_OF_ONE,
)
async def project_concepts(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await concepts.project_concepts(session, caller, str(project_id)))


@router.post(
    "/data/projects/{project_id}/concepts",
    summary="Create a concept (an existing one of that name is returned)",
    tags=["concepts"],
    status_code=201,
    responses=CREATED,
    openapi_extra=request_body(NewConcept),
)
async def create_concept(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, NewConcept, first_wins=True)
    row = await concepts.create_concept(
        session,
        caller,
        str(project_id),
        name=body.name,
        data=body.data,
        description=body.description,
        entity_concept_links=body.entity_concept_links,
        parent_id=body.parent_id,
    )
    return JSONResponse(row, status_code=201)


@router.get(
    "/data/projects/{project_id}/concept-folders",
    summary="The concept folders of a project",
    tags=["concepts"],
    responses=LIST_OF_ONE,
)
async def project_concept_folders(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await concepts.project_folders(session, caller, str(project_id)))


@router.post(
    "/data/projects/{project_id}/concept-folders",
    summary="Create a concept folder (an existing one of that name is returned)",
    tags=["concepts"],
    status_code=201,
    responses=CREATED,
    openapi_extra=request_body(ConceptFolderName, BODY_TYPES),
)
async def create_concept_folder(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, ConceptFolderName, first_wins=True)
    return JSONResponse(await concepts.create_folder(session, caller, str(project_id), body.name), status_code=201)


@router.put(
    "/data/concept-folders/{concept_folder_id}",
    summary="Rename a concept folder",
    tags=["concepts"],
    responses=ONE,
    openapi_extra=request_body(ConceptFolderName, BODY_TYPES),
)
async def rename_concept_folder(
    concept_folder_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, ConceptFolderName, first_wins=True)
    return JSONResponse(await concepts.rename_folder(session, caller, str(concept_folder_id), body.name))


@router.post(
    "/actions/projects/{project_id}/move-concepts",
    summary="Move concepts to a concept folder (or back to the project's root); the moved ids",
    tags=["concepts"],
    responses={200: {"model": list[str]}, **ERRORS, **NOT_FOUND},
    openapi_extra=request_body(MoveConcepts),
)
async def move_concepts(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, MoveConcepts, first_wins=True)
    moved = await concepts.move_concepts(session, caller, str(project_id), body.concept_ids, body.concept_folder_id)
    return JSONResponse(moved)
