from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Form, Request, Response, status
from starlette.concurrency import run_in_threadpool

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.http import RowId, Text, parse_form_or_json
from chores_tracker.identity import service, sessions, tokens
from chores_tracker.identity.deps import BearerToken, CurrentParent, CurrentUser
from chores_tracker.identity.limits import count_attempt
from chores_tracker.identity.schemas import (
    LoginIn,
    NewPersonalTokenOut,
    PersonalTokenOut,
    RegisterIn,
    TokenIn,
    TokenOut,
    UserOut,
)
from chores_tracker.ratelimit.service import LOGIN, PASSWORD_RESET, SIGNUP

router = APIRouter(prefix="/users", tags=["users"])

_REGISTER_FORM_DOC = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {"schema": RegisterIn.model_json_schema()},
            "application/json": {"schema": RegisterIn.model_json_schema()},
        },
        "required": True,
    }
}


@router.post("/register", response_model=UserOut, status_code=status.HTTP_201_CREATED, openapi_extra=_REGISTER_FORM_DOC)
async def register(request: Request, session: DbSession, settings: SettingsDep) -> UserOut:
    """Sign up a parent. Takes a form (as existing clients send it) or the same fields as JSON."""
    data = await parse_form_or_json(request, RegisterIn)
    await run_in_threadpool(count_attempt, request, SIGNUP, data.username)
    user = await run_in_threadpool(service.register_parent, session, settings, data)
    return UserOut.model_validate(user)


@router.post("/login", response_model=TokenOut)
def login(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    form: Annotated[LoginIn, Form()],
) -> TokenOut:
    count_attempt(request, LOGIN, form.username)
    user = service.authenticate(session, settings, form.username, form.password)
    return TokenOut(access_token=sessions.open_session(session, settings, user))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def logout(_user: CurrentUser, token: BearerToken, session: DbSession, settings: SettingsDep) -> Response:
    """Log out: this token stops working at once (401 from then on); the user's other devices stay signed in.

    A token issued before server-side sessions existed cannot be ended alone: logging out with it
    ends every token of the user, as a password change does.
    """
    sessions.end_session(session, settings, token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.post("/children/{child_id}/reset-password", response_model=UserOut)
def reset_child_password(
    request: Request,
    child_id: RowId,
    parent: CurrentParent,
    session: DbSession,
    settings: SettingsDep,
    new_password: Annotated[Text, Body(max_length=256, description="the new password, as a bare JSON string")],
) -> UserOut:
    count_attempt(request, PASSWORD_RESET, parent.username)
    return UserOut.model_validate(service.reset_child_password(session, settings, parent, child_id, new_password))


tokens_router = APIRouter(prefix="/tokens", tags=["tokens"])


@tokens_router.get("", response_model=list[PersonalTokenOut])
def list_tokens(user: CurrentUser, session: DbSession) -> list[PersonalTokenOut]:
    """The caller's personal access tokens (never their secrets), newest first."""
    return [PersonalTokenOut.model_validate(row) for row in tokens.list_tokens(session, user)]


@tokens_router.post("", response_model=NewPersonalTokenOut, status_code=status.HTTP_201_CREATED)
def create_token(user: CurrentUser, session: DbSession, data: TokenIn) -> NewPersonalTokenOut:
    """A personal access token for an automation; its secret is in this answer and never again."""
    row, secret = tokens.create_token(session, user, data.name, list(data.scopes), data.expires_at)
    return NewPersonalTokenOut.model_validate({**PersonalTokenOut.model_validate(row).model_dump(), "token": secret})


@tokens_router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def revoke_token(token_id: RowId, user: CurrentUser, session: DbSession) -> Response:
    """Revoke one of the caller's tokens: it answers 401 from then on."""
    tokens.revoke_token(session, user, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
