"""Actions on people: passwords, invitations, departments, two-factor reset, avatars."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, model_validator

from app.core.responses import JSONResponse
from app.domain import person_actions
from app.routers.auth import body_doc, mail_task
from app.routers.bodies import read_body
from app.routers.deps import AppSettings, CurrentUser, DbSession

router = APIRouter(tags=["person-actions"])

# The models keep Zou's names: a body that is not an object is refused with a message naming them.


class ChangePasswordSchema(BaseModel):
    password: str = Field(min_length=1)
    password_2: str = Field(min_length=1)

    @model_validator(mode="after")
    def confirmed(self) -> ChangePasswordSchema:
        if self.password != self.password_2:
            raise ValueError("Confirmation password doesn't match.")
        return self


class AddToDepartmentSchema(BaseModel):
    department_id: uuid.UUID


def _ip(request: Request) -> str | None:
    return person_actions.forwarded_ip(request.headers.get("x-forwarded-for"))


@router.post(
    "/actions/persons/{person_id}/change-password",
    summary="Change person password",
    openapi_extra=body_doc(ChangePasswordSchema),
)
async def change_password(
    person_id: uuid.UUID, request: Request, session: DbSession, settings: AppSettings, caller: CurrentUser
):
    # Zou's order: the person (404, 403 for a bot), the caller (403), then the body (400)
    row = await person_actions.login_target(session, caller, str(person_id), lock=True)
    body = await read_body(request, ChangePasswordSchema)
    mail = await person_actions.change_password(session, settings, caller, row, body.password, _ip(request))
    return JSONResponse({"success": True}, background=mail_task(settings, mail))


@router.post("/actions/persons/{person_id}/reset-password-link", summary="Get a password reset link")
async def reset_password_link(person_id: uuid.UUID, session: DbSession, settings: AppSettings, caller: CurrentUser):
    link = await person_actions.reset_password_link(session, settings, caller, str(person_id))
    return JSONResponse({"reset_password_link": link})


@router.get("/actions/persons/{person_id}/invite", summary="Invite person")
async def invite(person_id: uuid.UUID, session: DbSession, settings: AppSettings, caller: CurrentUser):
    mail = await person_actions.invite(session, settings, caller, str(person_id))
    return JSONResponse({"success": True, "message": "Email sent"}, background=mail_task(settings, mail))


@router.post(
    "/actions/persons/{person_id}/departments/add",
    summary="Add person to department",
    openapi_extra=body_doc(AddToDepartmentSchema),
)
async def add_to_department(person_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentUser):
    person_actions.require_admin(caller)
    body = await read_body(request, AddToDepartmentSchema)
    row = await person_actions.add_to_department(session, caller, str(person_id), str(body.department_id))
    return JSONResponse(row, status_code=201)


@router.delete("/actions/persons/{person_id}/departments/{department_id}", summary="Remove person from department")
async def remove_from_department(person_id: uuid.UUID, department_id: str, session: DbSession, caller: CurrentUser):
    await person_actions.remove_from_department(session, caller, str(person_id), department_id)
    return Response(status_code=204)


@router.delete(
    "/actions/persons/{person_id}/disable-two-factor-authentication", summary="Disable two factor authentication"
)
async def disable_two_factor(
    person_id: uuid.UUID, request: Request, session: DbSession, settings: AppSettings, caller: CurrentUser
):
    mail = await person_actions.disable_two_factor(session, caller, str(person_id), _ip(request))
    return JSONResponse({"success": True}, background=mail_task(settings, mail))


@router.delete("/actions/persons/{person_id}/clear-avatar", summary="Clear person avatar")
async def clear_person_avatar(person_id: uuid.UUID, session: DbSession, caller: CurrentUser):
    await person_actions.clear_avatar(session, caller, str(person_id))
    return Response(status_code=204)


@router.delete("/actions/user/clear-avatar", summary="Clear avatar")
async def clear_own_avatar(session: DbSession, caller: CurrentUser):
    await person_actions.clear_avatar(session, caller, caller.id, own=True)
    return Response(status_code=204)
