"""Log in, sign up, log out, change one's own password, one's personal access tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import DomainError, Unauthorized
from chores_tracker.http import RowId
from chores_tracker.identity import devices, tokens
from chores_tracker.identity import service as identity
from chores_tracker.identity.deps import device_token
from chores_tracker.identity.limits import count_attempt
from chores_tracker.identity.models import User
from chores_tracker.identity.schemas import RegisterIn
from chores_tracker.ratelimit.service import LOGIN, PASSWORD_RESET, SIGNUP
from chores_tracker.settings import Settings, SignupMode
from chores_tracker.web.csrf import renew_nonce
from chores_tracker.web.forms import FORM, FormErrors, SubmittedForm, max_length, validate
from chores_tracker.web.i18n import _, message
from chores_tracker.web.rendering import page_error, redirect, render
from chores_tracker.web.session import MaybeUser, PageUser, end_session, safe_next, start_session

router = APIRouter()

PASSWORD_MAX = max_length(RegisterIn, "password")


def _signed_in(response: Response, session: Session, settings: Settings, user: User) -> Response:
    start_session(response, session, settings, user)
    renew_nonce(response, settings)
    return response


def _login_page(
    request: Request,
    settings: Settings,
    session: Session,
    *,
    form: dict[str, object] | None = None,
    errors: FormErrors | None = None,
    next_url: str = "/",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "login.html",
        {
            "form": form or {},
            "errors": (errors.fields if errors else {}),
            "next": next_url,
            "signup_open": settings.signup_mode is not SignupMode.closed,
            # On a family device: the children to pick from (None: not a device).
            "device_children": _device_children(request, session),
        },
        status_code=status_code,
    )


def _device_children(request: Request, session: Session) -> list[User] | None:
    device = devices.device_for_token(session, device_token(request))
    return devices.children_on_device(session, device) if device is not None else None


@router.get("/login")
def login_page(
    request: Request,
    user: MaybeUser,
    session: DbSession,
    settings: SettingsDep,
    next: str = "/",  # noqa: A002 (the query parameter's name)
) -> Response:
    if user is not None:
        return redirect(safe_next(next), settings)
    return _login_page(request, settings, session, next_url=safe_next(next))


@router.post("/login")
def login(
    request: Request,
    submitted: SubmittedForm,
    session: DbSession,
    settings: SettingsDep,
    next: str = "/",  # noqa: A002 (the query parameter's name)
) -> Response:
    data = submitted.values()
    username, password = str(data.get("username", "")), str(data.get("password", ""))
    errors = FormErrors()
    if not username:
        errors.add("username", _("Enter your username."))
    if not password:
        errors.add("password", _("Enter your password."))
    if not errors:
        count_attempt(request, LOGIN, username)  # the same limits as the API's log-in
        try:
            user = identity.authenticate(session, settings, username, password)
        except Unauthorized as exc:
            errors.add(FORM, page_error(request, exc.message))
        else:
            return _signed_in(redirect(safe_next(next), settings), session, settings, user)
    status_code = 401 if FORM in errors.fields else 422
    return _login_page(
        request,
        settings,
        session,
        form={"username": username},
        errors=errors,
        next_url=safe_next(next),
        status_code=status_code,
    )


def _signup_page(
    request: Request,
    settings: Settings,
    *,
    form: dict[str, object] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "signup.html",
        {
            "form": form or {},
            "errors": (errors.fields if errors else {}),
            "signup_closed": settings.signup_mode is SignupMode.closed,
            "needs_code": settings.signup_mode is SignupMode.codes,
            "password_min_length": settings.password_min_length,
        },
        status_code=status_code,
    )


@router.get("/signup")
def signup_page(request: Request, user: MaybeUser, settings: SettingsDep) -> Response:
    if user is not None:
        return redirect("/", settings)
    return _signup_page(request, settings)


@router.post("/signup")
def signup(request: Request, submitted: SubmittedForm, session: DbSession, settings: SettingsDep) -> Response:
    data = submitted.values()
    data["is_parent"] = True
    errors = FormErrors()
    registration = validate(RegisterIn, data, errors)
    if registration is not None:
        count_attempt(request, SIGNUP, registration.username)
        try:
            user = identity.register_parent(session, settings, registration)
        except DomainError as exc:
            errors.from_domain(exc)
        else:
            response = redirect(
                "/family/setup",
                settings,
                flash=message("Welcome, {username}! Now set up your family.", username=user.username),
            )
            return _signed_in(response, session, settings, user)
    form = {key: value for key, value in data.items() if "password" not in key}
    return _signup_page(request, settings, form=form, errors=errors, status_code=422)


@router.post("/logout")
def logout(request: Request, session: DbSession, settings: SettingsDep) -> Response:
    response = redirect("/login", settings, flash=_("You are logged out. See you soon!"))
    end_session(request, response, session, settings)
    renew_nonce(response, settings)
    return response


def _account_page(request: Request, session: Session, user: User, status_code: int = 200, **extra: object) -> Response:
    context = {
        "title": _("Your account"),
        "tokens": tokens.list_tokens(session, user),
        "scopes": tokens.SCOPES,
        "new_token": None,
        "token_errors": None,
        **extra,
    }
    return render(request, "password.html", context, status_code=status_code)


@router.get("/account/password")
def password_page(request: Request, user: PageUser, session: DbSession) -> Response:
    return _account_page(request, session, user)


@router.post("/account/tokens")
def create_token(request: Request, submitted: SubmittedForm, user: PageUser, session: DbSession) -> Response:
    """An API token: its secret is on the page this answers, and never again."""
    data = submitted.values(lists=("scopes",))
    scopes = data.get("scopes")
    chosen = [str(s) for s in scopes] if isinstance(scopes, list) else []
    try:
        _row, secret = tokens.create_token(session, user, str(data.get("name", ""))[:64], chosen, None)
    except DomainError as exc:
        errors = FormErrors()
        errors.from_domain(exc)
        return _account_page(request, session, user, 422, token_errors=errors.fields)
    return _account_page(request, session, user, new_token=secret)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    token_id: RowId, submitted: SubmittedForm, user: PageUser, session: DbSession, settings: SettingsDep
) -> Response:
    try:
        tokens.revoke_token(session, user, token_id)
    except DomainError:
        return redirect("/account/password", settings, flash=_("That token is already gone."))
    return redirect("/account/password", settings, flash=_("The token is revoked."))


@router.post("/account/password")
def change_password(
    request: Request, submitted: SubmittedForm, user: PageUser, session: DbSession, settings: SettingsDep
) -> Response:
    data = submitted.values()
    errors = FormErrors()
    current, new = str(data.get("current_password", "")), str(data.get("new_password", ""))
    if not current:
        errors.add("current_password", _("Enter your current password."))
    if not new:
        errors.add("new_password", _("Choose a new password."))
    elif len(new) > PASSWORD_MAX:
        errors.add("new_password", f"Use at most {PASSWORD_MAX} characters.")
    if not errors:
        # It checks the current password: limited like a log-in would be, per account.
        count_attempt(request, PASSWORD_RESET, user.username)
        try:
            updated = identity.change_own_password(session, settings, user, current, new)
        except DomainError as exc:
            errors.from_domain(exc)
        else:
            # The change logs out every other device; this browser gets a session for the new password.
            return _signed_in(redirect("/", settings, flash=_("Your password is changed.")), session, settings, updated)
    return _account_page(request, session, user, 422, errors=errors.fields)
