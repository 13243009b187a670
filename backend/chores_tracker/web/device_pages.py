"""Kid sign-in on a shared device: a parent turns this browser into a family device (and revokes
devices) and sets children's PINs on the family page; on the device, the log-in page shows the
children (account_pages) and a child signs in with its PIN here. identity.devices holds the rules."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import DomainError, NotFound, Unauthorized
from chores_tracker.http import RowId
from chores_tracker.identity import devices
from chores_tracker.identity.deps import device_token, set_device_cookie
from chores_tracker.identity.limits import count_pin_attempt
from chores_tracker.identity.models import FamilyDevice, User
from chores_tracker.web.csrf import renew_nonce
from chores_tracker.web.family_pages import family_page_with
from chores_tracker.web.forms import FORM, FormErrors, SubmittedForm
from chores_tracker.web.i18n import _, message
from chores_tracker.web.rendering import page_error, redirect, render
from chores_tracker.web.session import FamilyParent, MaybeUser, start_session

router = APIRouter()


def this_device(request: Request, session: Session) -> FamilyDevice | None:
    """The family device this browser is (its cookie), if it is a live one."""
    return devices.device_for_token(session, device_token(request))


# -- a parent: devices and PINs ------------------------------------------------------------------


@router.post("/family/devices")
def make_device(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    """This browser becomes a family device: on it, the log-in page shows the children."""
    name = str(submitted.values().get("name", ""))
    try:
        row, secret = devices.create_device(session, parent, name[: devices.NAME_MAX + 1])
    except DomainError as exc:
        errors = FormErrors()
        errors.from_domain(exc)
        return family_page_with(
            request, session, parent, device_errors=errors, device_form={"name": name}, status_code=422
        )
    flash = message(
        "This browser is now the family device “{device}”: children sign in here with their PINs.", device=row.name
    )
    response = redirect("/family#devices", settings, flash=flash)
    set_device_cookie(response, request, settings, secret)
    return response


@router.post("/family/devices/{device_id}/revoke")
def revoke_device(device_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep) -> Response:
    try:
        devices.revoke_device(session, parent, device_id)
    except NotFound:
        return redirect("/family#devices", settings, flash="That device is already gone.")
    return redirect("/family#devices", settings, flash="The device is revoked: children can no longer sign in on it.")


@router.post("/family/children/{child_id}/pin")
def set_child_pin(
    request: Request,
    submitted: SubmittedForm,
    child_id: RowId,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    pin = str(submitted.values().get("pin", ""))
    errors = FormErrors()
    if not pin:
        errors.add("pin", _("Choose a PIN of 4 to 6 digits."))
    else:
        try:
            child = devices.set_pin(session, settings, parent, child_id, pin)
        except DomainError as exc:
            if exc.field is None:
                raise  # an unknown child: the page's 404
            errors.from_domain(exc)
        else:
            flash = message("{child} can now sign in on the family device with the new PIN.", child=child.name)
            return redirect("/family#children", settings, flash=flash)
    return family_page_with(request, session, parent, pin_for=child_id, pin_errors=errors, status_code=422)


@router.post("/family/children/{child_id}/pin/clear")
def clear_child_pin(child_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep) -> Response:
    child = devices.set_pin(session, settings, parent, child_id, None)
    return redirect("/family#children", settings, flash=message("{child} has no PIN now.", child=child.name))


# -- a child, on the device ----------------------------------------------------------------------


def _child_on_device(session: Session, device: FamilyDevice, child_id: int) -> User | None:
    return next((c for c in devices.children_on_device(session, device) if c.id == child_id), None)


def _pin_page(
    request: Request, child: User, errors: FormErrors | None = None, status_code: int = 200
) -> Response:  # fmt: skip
    context = {
        "title": message("Hi, {name}", name=child.name),
        "child": child,
        "errors": errors.fields if errors else {},
    }
    return render(request, "pin.html", context, status_code=status_code)


@router.get("/login/pin/{child_id}")
def pin_page(
    request: Request, child_id: RowId, user: MaybeUser, session: DbSession, settings: SettingsDep
) -> Response:  # fmt: skip
    if user is not None:
        return redirect("/", settings)
    device = this_device(request, session)
    child = _child_on_device(session, device, child_id) if device is not None else None
    if child is None:
        return redirect("/login", settings)
    return _pin_page(request, child)


@router.post("/login/pin/{child_id}")
def pin_sign_in(
    request: Request, submitted: SubmittedForm, child_id: RowId, session: DbSession, settings: SettingsDep
) -> Response:
    device = this_device(request, session)
    if device is None:
        return redirect("/login", settings, flash=_("This browser is not a family device any more."), kind="error")
    child = _child_on_device(session, device, child_id)
    if child is None:
        return redirect("/login", settings)
    pin = str(submitted.values().get("pin", ""))
    errors = FormErrors()
    if not pin:
        errors.add("pin", _("Enter your PIN."))
        return _pin_page(request, child, errors, 422)
    count_pin_attempt(request, device.id, child.id)  # per device and per child, as the API's
    try:
        signed_in = devices.sign_in_with_pin(session, settings, device, child.id, pin)
    except Unauthorized as exc:
        errors.add(FORM, page_error(request, exc.message, capitalize=False), capitalize=False)
        return _pin_page(request, child, errors, 401)
    response = redirect("/", settings, flash=message("Hi, {name}!", name=signed_in.name))
    start_session(response, session, settings, signed_in)
    renew_nonce(response, settings)
    return response
