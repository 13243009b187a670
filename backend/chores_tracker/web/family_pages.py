"""A parent's family: create or join, the invite code, the children and their passwords, the owner."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from chores_tracker import clock, currencies, timezones
from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import DomainError, InvalidInput
from chores_tracker.families import service as families
from chores_tracker.families.schemas import (
    DEFAULT_CODE_USES,
    FamilyCreateIn,
    FamilyCurrencyIn,
    FamilyJoinIn,
    FamilyLanguageIn,
    FamilyTimezoneIn,
    InviteCodeIn,
    OwnerIn,
    StreakBonusIn,
)
from chores_tracker.http import RowId
from chores_tracker.identity import devices
from chores_tracker.identity import service as identity
from chores_tracker.identity.avatars import COLOURS
from chores_tracker.identity.deps import device_token
from chores_tracker.identity.limits import count_attempt
from chores_tracker.identity.models import User
from chores_tracker.identity.schemas import ChildCreateIn, ProfileIn
from chores_tracker.ratelimit.service import JOIN, PASSWORD_RESET
from chores_tracker.web.form_actions import apply_form
from chores_tracker.web.forms import FORM, FormErrors, SubmittedForm, max_length
from chores_tracker.web.i18n import _, message
from chores_tracker.web.rendering import browser_timezone, page_locale, page_money, redirect, render
from chores_tracker.web.session import FamilyParent, PageParent

router = APIRouter()

# The avatars a parent picks from on the page (the API takes any one emoji).
AVATAR_EMOJI = ("🦊", "🐼", "🐯", "🐸", "🦄", "🐙", "🦖", "🐝", "🌟", "🚀", "⚽", "🎨")

# The API's limit (the reset endpoint takes at most as much as sign-up does).
PASSWORD_MAX = max_length(ChildCreateIn, "password")


def _setup_page(
    request: Request,
    *,
    create_errors: FormErrors | None = None,
    join_errors: FormErrors | None = None,
    form: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "family_setup.html",
        {
            "title": _("Set up your family"),
            "create_errors": create_errors.fields if create_errors else {},
            "join_errors": join_errors.fields if join_errors else {},
            "form": form or {},
        },
        status_code=status_code,
    )


@router.get("/family/setup")
def setup_page(request: Request, parent: PageParent, settings: SettingsDep) -> Response:
    if parent.family_id is not None:
        return redirect("/family", settings)
    return _setup_page(request)


@router.post("/family/create")
def create_family(
    request: Request, submitted: SubmittedForm, parent: PageParent, session: DbSession, settings: SettingsDep
) -> Response:
    data = submitted.values()
    errors = FormErrors()
    family = apply_form(
        errors,
        FamilyCreateIn,
        data,
        lambda wanted: families.create_family(
            session,
            parent,
            wanted.name,
            invite_days=settings.invite_code_default_days,
            timezone=browser_timezone(request),
            currency=settings.currency,
        ),
    )
    if family is not None:
        return redirect(
            "/family", settings, flash=message("{family} is ready. Add your children next.", family=family.name)
        )
    return _setup_page(request, create_errors=errors, form=data, status_code=422)


@router.post("/family/join")
def join_family(
    request: Request, submitted: SubmittedForm, parent: PageParent, session: DbSession, settings: SettingsDep
) -> Response:
    data = submitted.values()
    count_attempt(request, JOIN, parent.username)  # the same limit as the API's join
    errors = FormErrors()
    family = apply_form(
        errors,
        FamilyJoinIn,
        data,
        lambda wanted: families.join_family(session, parent, wanted.invite_code),
        rename={"": "invite_code"},
    )
    if family is not None:
        return redirect("/", settings, flash=message("You joined {family}.", family=family.name))
    return _setup_page(request, join_errors=errors, form=data, status_code=422)


def _family_page(
    request: Request,
    session: Session,
    parent: User,
    *,
    errors: FormErrors | None = None,
    form: dict[str, object] | None = None,
    reset_for: int | None = None,
    reset_errors: FormErrors | None = None,
    owner_errors: FormErrors | None = None,
    timezone_errors: FormErrors | None = None,
    timezone_form: dict[str, object] | None = None,
    currency_errors: FormErrors | None = None,
    language_errors: FormErrors | None = None,
    currency_form: dict[str, object] | None = None,
    invite_errors: FormErrors | None = None,
    invite_form: dict[str, object] | None = None,
    profile_for: int | None = None,
    profile_errors: FormErrors | None = None,
    profile_form: dict[str, object] | None = None,
    device_errors: FormErrors | None = None,
    device_form: dict[str, object] | None = None,
    pin_for: int | None = None,
    pin_errors: FormErrors | None = None,
    streak_errors: FormErrors | None = None,
    streak_form: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    found = families.members(session, parent)
    here = devices.device_for_token(session, device_token(request))
    now = clock.now()
    return render(
        request,
        "family.html",
        {
            "title": _("Family"),
            "members": found,
            "invite_uses_left": families.invite_code_uses_left(found.family),
            "invite_errors": invite_errors.fields if invite_errors else {},
            "invite_form": invite_form or {"max_uses": DEFAULT_CODE_USES},
            "errors": errors.fields if errors else {},
            "form": form or {},
            "reset_for": reset_for,
            "reset_errors": reset_errors.fields if reset_errors else {},
            "owner_errors": owner_errors.fields if owner_errors else {},
            "timezone_errors": timezone_errors.fields if timezone_errors else {},
            "timezone_form": timezone_form or {"timezone": found.family.timezone},
            "timezone_choices": timezone_choices(found.family.timezone),
            "currency_errors": currency_errors.fields if currency_errors else {},
            "language_errors": language_errors.fields if language_errors else {},
            "currency_form": currency_form or {"currency": found.family.currency},
            "currency_choices": currency_choices(page_locale(request)),
            "currency_name": currencies.name(found.family.currency, page_locale(request)),
            "currency_example": currencies.example(found.family.currency),
            "profile_for": profile_for,
            "profile_errors": profile_errors.fields if profile_errors else {},
            "profile_form": profile_form or {},
            "avatar_colours": COLOURS,
            "avatar_emoji": AVATAR_EMOJI,
            "devices": devices.list_devices(session, parent),
            "this_device_id": here.id if here is not None and here.family_id == parent.family_id else None,
            "device_errors": device_errors.fields if device_errors else {},
            "device_form": device_form or {},
            "pin_for": pin_for,
            "pin_errors": pin_errors.fields if pin_errors else {},
            "streak_errors": streak_errors.fields if streak_errors else {},
            "streak_form": streak_form
            or dict(zip(("percent", "step_days", "cap_percent"), found.family.streak_bonus, strict=True)),
            "pin_locked": {c.id for c in found.children if c.pin_locked_until is not None and c.pin_locked_until > now},
        },
        status_code=status_code,
    )


def family_page_with(request: Request, session: Session, parent: User, **shown: object) -> Response:
    """The family page with a form's errors (the device pages' forms are on it too)."""
    return _family_page(request, session, parent, **shown)  # type: ignore[arg-type]


def timezone_choices(current: str) -> list[str]:
    """The zones a parent picks from: every Area/Location name, UTC, and the family's own (which may
    be an older alias a browser reported, such as Asia/Calcutta)."""
    names = {name for name in timezones.known_names() if "/" in name and not name.startswith("Etc/")}
    return sorted(names | {timezones.DEFAULT, current})


def currency_choices(locale: str) -> list[tuple[str, str]]:
    """The currencies a family may choose, by their names in the page's language."""
    return sorted(((code, currencies.name(code, locale)) for code in currencies.codes()), key=lambda item: item[1])


@router.get("/family")
def family_page(request: Request, parent: FamilyParent, session: DbSession) -> Response:
    return _family_page(request, session, parent)


@router.post("/family/invite-code")
def regenerate_invite_code(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    data = submitted.values()
    errors = FormErrors()
    family = apply_form(
        errors,
        InviteCodeIn,
        data,
        lambda wanted: families.regenerate_invite_code(
            session, parent, settings.invite_code_default_days, wanted.max_uses
        ),
    )
    if family is not None:
        said = message("New invite code: {invite_code}. The old one no longer works.", invite_code=family.invite_code)
        return redirect("/family#invite", settings, flash=said)
    return _family_page(request, session, parent, invite_errors=errors, invite_form=data, status_code=422)


@router.post("/family/timezone")
def set_timezone(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    data = submitted.values()
    errors = FormErrors()
    family = apply_form(
        errors, FamilyTimezoneIn, data, lambda wanted: families.set_timezone(session, parent, wanted.timezone)
    )
    if family is not None:
        return redirect(
            "/family#timezone",
            settings,
            flash=message("The family's time zone is {timezone}.", timezone=family.timezone),
        )
    return _family_page(request, session, parent, timezone_errors=errors, timezone_form=data, status_code=422)


@router.post("/family/streak-bonus")
def set_streak_bonus(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    data = {name: submitted.values().get(name, "") for name in ("percent", "step_days", "cap_percent")}
    errors = FormErrors()
    family = apply_form(
        errors,
        StreakBonusIn,
        data,
        lambda wanted: families.set_streak_bonus(session, parent, wanted.percent, wanted.step_days, wanted.cap_percent),
    )
    if family is not None:
        percent, step_days, cap = family.streak_bonus
        flash = (
            f"Streak bonus: +{percent}% per {step_days} days in a row, at most +{cap}%."
            if percent
            else "No streak bonus: each approval pays the reward as set."
        )
        return redirect("/family#streak-bonus", settings, flash=flash)
    return _family_page(request, session, parent, streak_errors=errors, streak_form=data, status_code=422)


@router.post("/family/currency")
def set_currency(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    data = submitted.values()
    errors = FormErrors()
    family = apply_form(
        errors,
        FamilyCurrencyIn,
        data,
        lambda wanted: families.set_currency(session, parent, wanted.currency),
        refusals=InvalidInput,  # a parent who is not the owner gets the 403 page: the form is not theirs
    )
    if family is not None:
        request.state.family = family
        shown = page_money(request, currencies.example(family.currency))
        said = message("Every amount is in {currency} now, like {shown}.", currency=family.currency, shown=shown)
        return redirect("/family#currency", settings, flash=said)
    return _family_page(request, session, parent, currency_errors=errors, currency_form=data, status_code=422)


@router.post("/family/language")
def set_language(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    """The owner's choice of the pages' language; "" (the browser's) clears it."""
    data = submitted.values()
    errors = FormErrors()
    family = apply_form(
        errors,
        FamilyLanguageIn,
        {"language": data.get("language") or None},
        lambda wanted: families.set_language(session, parent, wanted.language),
        refusals=InvalidInput,  # a parent who is not the owner gets the 403 page: the form is not theirs
    )
    if family is not None:
        message = {
            "en": _("The pages are in English now."),
            "es": _("The pages are in Spanish now."),
        }.get(family.language or "", _("The pages follow each browser's language now."))
        return redirect("/family#language", settings, flash=message)
    return _family_page(request, session, parent, language_errors=errors, status_code=422)


@router.post("/family/owner")
def transfer_ownership(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    errors = FormErrors()
    family = apply_form(
        errors,
        OwnerIn,
        submitted.values(),
        lambda wanted: families.transfer_ownership(session, parent, wanted.user_id),
        rename={"user_id": FORM},
        refusals=InvalidInput,  # not the owner, or not in the family: the error pages
    )
    if family is not None:
        heir = session.get_one(User, family.owner_id)
        return redirect("/family#parents", settings, flash=message("{heir} owns the family now.", heir=heir.name))
    return _family_page(request, session, parent, owner_errors=errors, status_code=422)


@router.post("/family/children")
def add_child(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    data = submitted.values()
    data["is_parent"] = False
    errors = FormErrors()
    child = apply_form(errors, ChildCreateIn, data, partial(families.add_child, session, settings, parent))
    if child is not None:
        return redirect(
            "/family#children",
            settings,
            flash=message("{child} can now log in with the password you chose.", child=child.name),
        )
    form = {name: data.get(name, "") for name in ("username", "display_name", "avatar")}
    return _family_page(request, session, parent, errors=errors, form=form, status_code=422)


@router.post("/family/children/{child_id}/password")
def reset_child_password(
    request: Request,
    submitted: SubmittedForm,
    child_id: RowId,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    data = submitted.values()
    password = str(data.get("password", ""))
    errors = FormErrors()
    if not password:
        errors.add("password", _("Choose a new password."))
    elif len(password) > PASSWORD_MAX:
        errors.add("password", f"Use at most {PASSWORD_MAX} characters.")
    else:
        count_attempt(request, PASSWORD_RESET, parent.username)  # the same limit as the API's reset
        try:
            child = identity.reset_child_password(session, settings, parent, child_id, password)
        except DomainError as exc:
            if exc.field is None:
                raise  # an unknown child: the page's 404
            errors.from_domain(exc)
        else:
            return redirect(
                "/family#children", settings, flash=message("{child}'s password is changed.", child=child.name)
            )
    return _family_page(request, session, parent, reset_for=child_id, reset_errors=errors, status_code=422)


@router.post("/family/children/{child_id}/profile")
def change_child_profile(
    request: Request,
    submitted: SubmittedForm,
    child_id: RowId,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    data = {name: submitted.values().get(name, "") for name in ("display_name", "avatar")}
    errors = FormErrors()
    child = apply_form(
        errors,
        ProfileIn,
        data,
        lambda wanted: families.change_profile(session, parent, wanted, child_id),
        refusals=InvalidInput,  # an unknown child: the page's 404
    )
    if child is not None:
        return redirect("/family#children", settings, flash=message("Saved: {child}.", child=child.name))
    return _family_page(
        request, session, parent, profile_for=child_id, profile_errors=errors, profile_form=data, status_code=422
    )


@router.post("/family/children/{child_id}/deactivate")
def deactivate_child(child_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep) -> Response:
    child = families.set_child_active(session, parent, child_id, active=False)
    return redirect(
        "/family#children",
        settings,
        flash=message("{child} can no longer sign in; their history stays.", child=child.name),
    )


@router.post("/family/children/{child_id}/reactivate")
def reactivate_child(child_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep) -> Response:
    child = families.set_child_active(session, parent, child_id, active=True)
    return redirect("/family#children", settings, flash=message("{child} can sign in again.", child=child.name))


@router.post("/family/children/{child_id}/remove")
def remove_child(child_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep) -> Response:
    child = identity.child_of_family(session, parent, child_id)  # a parent is not removed from here
    families.remove_member(session, parent, child.id)
    return redirect(
        "/family#children", settings, flash=message("{child} is no longer in the family.", child=child.name)
    )
