from __future__ import annotations

from typing import Annotated

from fastapi import Body, Form, Request, Response, status
from starlette.concurrency import run_in_threadpool

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import Unauthorized
from chores_tracker.http import ApiRouter, RowId, Text, parse_form_or_json
from chores_tracker.identity import devices, service, sessions, tokens
from chores_tracker.identity.deps import (
    DEVICE_HEADER,
    BearerToken,
    CurrentParent,
    CurrentUser,
    device_token,
    set_device_cookie,
)
from chores_tracker.identity.limits import count_attempt, count_pin_attempt
from chores_tracker.identity.models import FamilyDevice
from chores_tracker.identity.schemas import (
    DeviceChildOut,
    DeviceIn,
    DeviceOut,
    LoginIn,
    NewDeviceOut,
    NewPersonalTokenOut,
    PasswordChangeIn,
    PersonalTokenOut,
    PinIn,
    PinSignInIn,
    RegisterIn,
    TokenIn,
    TokenOut,
    UserOut,
)
from chores_tracker.ratelimit.service import LOGIN, PASSWORD_RESET, SIGNUP

router = ApiRouter(prefix="/users", tags=["users"])

_REGISTER_FORM_DOC = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {"schema": RegisterIn.model_json_schema()},
            "application/json": {"schema": RegisterIn.model_json_schema()},
        },
        "required": True,
    }
}


@router.post(
    "/register",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_REGISTER_FORM_DOC,
    responses={
        409: {"description": "The username is taken (whatever its case)."},
        422: {"description": "A field is missing or breaks its rules (the password's, the username's)."},
        429: {"description": "Too many sign-ups from this address (RATE_LIMIT_SIGNUP_PER_HOUR)."},
    },
)
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


@router.post(
    "/me/password",
    response_model=TokenOut,
    summary="Change one's own password",
    responses={
        422: {"description": "The current password is not right, or the new one breaks the password rules."},
        429: {"description": "Too many attempts for this account (RATE_LIMIT_PASSWORD_RESET_PER_HOUR)."},
    },
)
def change_own_password(
    request: Request, data: PasswordChangeIn, user: CurrentUser, session: DbSession, settings: SettingsDep
) -> TokenOut:
    """Change the caller's password (as the account page does). Every session and token of the
    caller ends, this one included; the answer is a new access token for the new password."""
    # It checks the current password: limited like a log-in would be, per account.
    count_attempt(request, PASSWORD_RESET, user.username)
    updated = service.change_own_password(session, settings, user, data.current_password, data.new_password)
    return TokenOut(access_token=sessions.open_session(session, settings, updated))


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


@router.put("/children/{child_id}/pin", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def set_child_pin(
    child_id: RowId, data: PinIn, parent: CurrentParent, session: DbSession, settings: SettingsDep
) -> Response:
    """Set a child's PIN for signing in on the family's devices (4 to 6 digits, stored hashed). It also
    unlocks the child's PIN sign-in after too many wrong PINs. 404 for a child not of the family."""
    devices.set_pin(session, settings, parent, child_id, data.pin)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/children/{child_id}/pin", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def clear_child_pin(child_id: RowId, parent: CurrentParent, session: DbSession, settings: SettingsDep) -> Response:
    """Clear a child's PIN: the child can no longer sign in on a family device (the password still works)."""
    devices.set_pin(session, settings, parent, child_id, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


tokens_router = ApiRouter(prefix="/tokens", tags=["tokens"])


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


devices_router = ApiRouter(prefix="/families/devices", tags=["devices"])

_DEVICE_TOKEN_DOC = {
    "parameters": [
        {
            "name": DEVICE_HEADER,
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "The device's token (`ctdev_...`); a browser sends the `ct_device` cookie instead.",
        }
    ]
}
_NO_DEVICE = "this is not a family device (its token is missing, unknown or revoked)"


def _device(request: Request, session: DbSession) -> FamilyDevice:
    device = devices.device_for_token(session, device_token(request))
    if device is None:
        raise Unauthorized(_NO_DEVICE)
    return device


@devices_router.get("", response_model=list[DeviceOut])
def list_devices(parent: CurrentParent, session: DbSession) -> list[DeviceOut]:
    """The family's devices not revoked (name, who made it, last PIN sign-in), newest first."""
    return [DeviceOut.model_validate(row) for row in devices.list_devices(session, parent)]


@devices_router.post(
    "",
    response_model=NewDeviceOut,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"description": "The parent has no family yet."}},
)
def create_device(
    request: Request,
    response: Response,
    data: DeviceIn,
    parent: CurrentParent,
    session: DbSession,
    settings: SettingsDep,
) -> NewDeviceOut:
    """Turn the calling browser or app into a family device: on it, the family's children sign in
    with their PINs. The token is in this answer (and the `ct_device` cookie it sets), never again."""
    row, secret = devices.create_device(session, parent, data.name)
    set_device_cookie(response, request, settings, secret)
    return NewDeviceOut.model_validate({**DeviceOut.model_validate(row).model_dump(), "token": secret})


@devices_router.delete(
    "/{device_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={404: {"description": "No live device of the family has this id."}},
)
def revoke_device(device_id: RowId, parent: CurrentParent, session: DbSession) -> Response:
    """Revoke a family device: its token (and cookie) does nothing from then on."""
    devices.revoke_device(session, parent, device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@devices_router.get(
    "/current/children",
    response_model=list[DeviceChildOut],
    openapi_extra=_DEVICE_TOKEN_DOC,
    responses={401: {"description": "Not a family device."}},
)
def device_children(request: Request, session: DbSession) -> list[DeviceChildOut]:
    """On a family device (its token, no sign-in): the family's active children to pick from."""
    device = _device(request, session)
    return [DeviceChildOut.model_validate(child) for child in devices.children_on_device(session, device)]


@devices_router.post(
    "/current/sign-in",
    response_model=TokenOut,
    openapi_extra=_DEVICE_TOKEN_DOC,
    responses={
        401: {"description": "Not a family device, a wrong PIN, no PIN set, or PIN sign-in locked (the message says)."},
        404: {"description": "No active child of the device's family has this id."},
        429: {"description": "Too many PIN attempts on this device or for this child."},
    },
)
def device_sign_in(request: Request, data: PinSignInIn, session: DbSession, settings: SettingsDep) -> TokenOut:
    """On a family device: a child signs in with its PIN, and gets a session as a password log-in does.
    Limited per device and per child (RATE_LIMIT_PIN_PER_MINUTE); PIN_MAX_FAILURES wrong PINs in a row
    lock the child's PIN sign-in for PIN_LOCK_MINUTES, or until a parent sets the PIN again."""
    device = _device(request, session)
    count_pin_attempt(request, device.id, data.child_id)
    child = devices.sign_in_with_pin(session, settings, device, data.child_id, data.pin)
    return TokenOut(access_token=sessions.open_session(session, settings, child))
