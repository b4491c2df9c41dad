"""Pictures of persons, organisations and projects; preview background files.

`GET /pictures/thumbnails/<kind>/<id>.png` runs one permission query, then streams the stored
PNG with Zou's headers (`app.routers.file_responses`: private week-long caching, `Last-Modified`
from the row's save time, `ETag`, 304 on conditional requests, single byte ranges).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field
from starlette.datastructures import UploadFile

from app.core.errors import WrongParameter
from app.core.responses import JSONResponse
from app.core.storage import Storage
from app.domain import pictures
from app.domain.pictures import FILE_NOT_PROVIDED, RefusedUpload, StoredPicture
from app.routers.bodies import read_body
from app.routers.catalog import admin_first
from app.routers.deps import CurrentUser, DbSession, FileStorage
from app.routers.file_responses import send_stored_file
from app.routers.uploads import NO_FILE, receive_uploads, upload_chunks
from app.schemas.catalog import request_body
from app.schemas.projects import Schema

router = APIRouter(tags=["pictures"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed id, missing file or not a picture"},
    401: {"description": "Missing or invalid token"},
    403: {"description": "The caller may not do this"},
    404: {"description": "Unknown row or no picture"},
    413: {"description": "The upload is over the size limit"},
}
PICTURE = {200: {"content": {"image/png": {}}, "description": "The picture"}, **ERRORS}
UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
    }
}
ADMIN = [Depends(admin_first)]
PROJECT_DISPLAY_URL = (
    "Upload project thumbnails on the url without extension: /pictures/thumbnails/projects/<project_id>."
)


class PreviewBackgroundBody(Schema):
    preview_background_file_id: str = Field(..., min_length=1, description="Preview background file UUID")


class DefaultBackgroundBody(Schema):
    default_preview_background_file_id: str | None = None


# --- sending stored files ------------------------------------------------------------------------


async def send_stored(request: Request, storage: Storage, picture: StoredPicture) -> Response:
    return await send_stored_file(
        request,
        storage,
        picture.bucket,
        picture.key,
        media_type=picture.content_type,
        last_modified=picture.last_modified,
        download_name=picture.download_name,
    )


async def picture_upload(request: Request) -> UploadFile:
    """The multipart part named `file` (Zou's field); 400 "File not provided." otherwise."""
    try:
        await receive_uploads(request)
    except WrongParameter as exc:
        if exc.message == NO_FILE:
            raise WrongParameter(FILE_NOT_PROVIDED) from None
        raise
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile):
        raise WrongParameter(FILE_NOT_PROVIDED)
    return upload


# --- avatars of persons, organisations and projects ----------------------------------------------


def _avatar_routes(kind: str, label: str, post_on_display_url: bool) -> None:
    async def get_avatar(
        instance_id: uuid.UUID, request: Request, session: DbSession, storage: FileStorage, caller: CurrentUser
    ):
        picture = await pictures.avatar_for_read(session, caller, kind, str(instance_id))
        return await send_stored(request, storage, picture)

    async def post_avatar(
        instance_id: uuid.UUID, request: Request, session: DbSession, storage: FileStorage, caller: CurrentUser
    ):
        await pictures.check_avatar_upload(session, caller, kind, str(instance_id))
        upload = await picture_upload(request)
        body = await pictures.save_avatar(session, storage, caller, kind, str(instance_id), upload.file)
        return JSONResponse(body, status_code=201)

    base = f"/pictures/thumbnails/{kind}/{{instance_id}}"
    # The `.png` display url first: the plain id route would otherwise take `<id>.png` as an id.
    for path in (f"{base}.png", base):
        router.add_api_route(
            path, get_avatar, methods=["GET"], summary=f"Get the picture of a {label}", responses=PICTURE
        )
        if path == base or post_on_display_url:
            router.add_api_route(
                path,
                post_avatar,
                methods=["POST"],
                status_code=201,
                summary=f"Upload the picture of a {label}",
                responses=ERRORS,
                openapi_extra=UPLOAD_DOC,
            )
        else:
            router.add_api_route(
                path,
                display_url_post(PROJECT_DISPLAY_URL),
                methods=["POST"],
                status_code=405,
                summary="Uploads are not allowed on the display url.",
                responses={405: {"description": "Upload on the url without extension"}},
            )


def display_url_post(message: str):
    async def refuse(instance_id: uuid.UUID, caller: CurrentUser):
        return JSONResponse({"error": True, "message": message}, status_code=405)

    return refuse


_avatar_routes("persons", "person", post_on_display_url=True)
_avatar_routes("organisations", "organisation", post_on_display_url=True)
_avatar_routes("projects", "project", post_on_display_url=False)


# --- preview background files: files ---------------------------------------------------------------


@router.get(
    "/pictures/thumbnails/preview-background-files/{instance_id}.png",
    summary="Get the thumbnail of a preview background file",
    responses=PICTURE,
)
async def get_background_thumbnail(
    instance_id: uuid.UUID, request: Request, session: DbSession, storage: FileStorage, caller: CurrentUser
):
    return await send_stored(request, storage, await pictures.background_thumbnail(session, str(instance_id)))


router.add_api_route(
    "/pictures/thumbnails/preview-background-files/{instance_id}.png",
    display_url_post(
        "Preview backgrounds are uploaded through /pictures/preview-background-files/<preview_background_file_id>."
    ),
    methods=["POST"],
    status_code=405,
    summary="Uploads are not allowed on the display url.",
    responses={405: {"description": "Upload through /pictures/preview-background-files/{id}"}},
)


@router.post(
    "/pictures/preview-background-files/{instance_id}",
    summary="Upload the file of a preview background (HDR)",
    status_code=201,
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=UPLOAD_DOC,
)
async def upload_background(
    instance_id: uuid.UUID, request: Request, session: DbSession, storage: FileStorage, caller: CurrentUser
):
    await pictures.check_background_upload(session, caller, str(instance_id))
    upload = await picture_upload(request)
    try:
        row = await pictures.save_background(
            session, storage, caller, str(instance_id), upload.file, upload.filename, upload_chunks(upload)
        )
    except RefusedUpload as exc:  # answered, not raised: the row's removal is committed
        return JSONResponse(exc.body(), status_code=exc.status_code)
    return JSONResponse(row, status_code=201)


@router.get(
    "/pictures/preview-background-files/{instance_id}.{extension}",
    summary="Get the file of a preview background",
    responses={200: {"content": {"image/vnd.radiance": {}}, "description": "The file"}, **ERRORS},
)
async def get_background_file(
    instance_id: uuid.UUID,
    extension: str,
    request: Request,
    session: DbSession,
    storage: FileStorage,
    caller: CurrentUser,
):
    picture = await pictures.background_file(session, str(instance_id), extension)
    return await send_stored(request, storage, picture)


# --- preview background files: productions ------------------------------------------------------


@router.get(
    "/data/projects/{project_id}/settings/preview-background-files",
    summary="Preview background files of the production",
    responses=ERRORS,
)
async def get_project_backgrounds(project_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await pictures.project_backgrounds(session, caller, str(project_id)))


@router.post(
    "/data/projects/{project_id}/settings/preview-background-files",
    summary="Add a preview background file to the production",
    status_code=201,
    responses=ERRORS,
    openapi_extra=request_body(PreviewBackgroundBody),
)
async def add_project_background(project_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    body = await read_body(request, PreviewBackgroundBody)
    row = await pictures.add_project_background(session, caller, str(project_id), body.preview_background_file_id)
    return JSONResponse(row, status_code=201)


@router.delete(
    "/data/projects/{project_id}/settings/preview-background-files/{preview_background_file_id}",
    summary="Remove a preview background file from the production",
    status_code=204,
    responses=ERRORS,
)
async def remove_project_background(
    project_id: uuid.UUID, preview_background_file_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await pictures.remove_project_background(session, caller, str(project_id), str(preview_background_file_id))
    return Response(status_code=204)


# --- preview background files: project templates -----------------------------------------------


@router.get(
    "/data/project-templates/{project_template_id}/preview-background-files",
    summary="List preview background files attached to a project template.",
    responses=ERRORS,
)
async def get_template_backgrounds(project_template_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    return JSONResponse(await pictures.template_backgrounds(session, caller, str(project_template_id)))


@router.post(
    "/data/project-templates/{project_template_id}/preview-background-files",
    summary="Attach a preview background file to a project template.",
    status_code=201,
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=request_body(PreviewBackgroundBody),
)
async def add_template_background(
    project_template_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, PreviewBackgroundBody)
    row = await pictures.add_template_background(
        session, caller, str(project_template_id), body.preview_background_file_id
    )
    return JSONResponse(row, status_code=201)


@router.delete(
    "/data/project-templates/{project_template_id}/preview-background-files/{preview_background_file_id}",
    summary="Detach a preview background file from a project template.",
    status_code=204,
    dependencies=ADMIN,
    responses=ERRORS,
)
async def remove_template_background(
    project_template_id: uuid.UUID, preview_background_file_id: uuid.UUID, session: DbSession, caller: CurrentUser
):
    await pictures.remove_template_background(
        session, caller, str(project_template_id), str(preview_background_file_id)
    )
    return Response(status_code=204)


@router.put(
    "/data/project-templates/{project_template_id}/default-preview-background-file",
    summary="Set the default preview background file for a project template.",
    dependencies=ADMIN,
    responses=ERRORS,
    openapi_extra=request_body(DefaultBackgroundBody),
)
async def set_template_default_background(
    project_template_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser
):
    body = await read_body(request, DefaultBackgroundBody)
    row = await pictures.set_template_default_background(
        session, caller, str(project_template_id), body.default_preview_background_file_id
    )
    return JSONResponse(row)
