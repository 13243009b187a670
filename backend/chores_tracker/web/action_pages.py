"""Act from a message: a signed approve or send-back link (notifications.links) opens a confirmation
page (GET changes nothing); its form (POST) acts as the parent the link was sent to."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from chores_tracker.chores import lifecycle
from chores_tracker.chores.models import Chore, Completion, CompletionStatus
from chores_tracker.chores.schemas import ApproveIn, RejectIn
from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import Conflict, InvalidInput
from chores_tracker.identity.models import User
from chores_tracker.notifications import links
from chores_tracker.settings import Settings
from chores_tracker.web.form_actions import apply_form
from chores_tracker.web.forms import FormErrors, SubmittedForm
from chores_tracker.web.i18n import _
from chores_tracker.web.rendering import render

router = APIRouter()

Token = Path(min_length=20, max_length=1000)


class _Found:
    def __init__(
        self, claims: links.LinkClaims, parent: User, completion: Completion, chore: Chore, child: User | None
    ):
        self.claims, self.parent, self.completion, self.chore, self.child = claims, parent, completion, chore, child


def _page(request: Request, state: str, values: dict[str, object] | None = None, *, status_code: int = 200) -> Response:
    context: dict[str, object] = {"title": _("Review a chore"), "state": state, **(values or {})}
    return render(request, "act.html", context, status_code=status_code)


def _find(session: Session, settings: Settings, token: str) -> _Found | str:
    """What the link is about, or why it does not work ("expired", "invalid")."""
    try:
        claims = links.read(settings, token)
    except links.LinkExpired:
        return "expired"
    except links.LinkInvalid:
        return "invalid"
    parent = session.get(User, claims.parent_id)
    if (
        parent is None
        or not parent.is_active
        or not parent.is_parent
        or parent.family_id is None
        or parent.token_version != claims.token_version
    ):
        return "invalid"
    completion = session.scalar(
        select(Completion).where(Completion.id == claims.completion_id, Completion.family_id == parent.family_id)
    )
    if completion is None or completion.assignment_id is None:
        return "invalid"
    chore = session.get(Chore, completion.chore_id)
    if chore is None:
        return "invalid"
    return _Found(claims, parent, completion, chore, session.get(User, completion.child_id))


def _answer(request: Request, found: _Found | str, **values: object) -> Response:
    if isinstance(found, str):
        return _page(request, found, status_code=410 if found == "expired" else 404)
    if found.completion.status != CompletionStatus.pending.value:
        return _page(request, "reviewed", {"found": found})
    status_code = 422 if values.get("errors") else 200
    context = {"found": found, "action": found.claims.action.value, **values}
    return _page(request, "confirm", context, status_code=status_code)


@router.get("/act/{token}")
def confirm(request: Request, session: DbSession, settings: SettingsDep, token: str = Token) -> Response:
    """The confirmation page: what the link would do, and a button. Changes nothing."""
    return _answer(request, _find(session, settings, token))


@router.post("/act/{token}")
def act(
    request: Request, submitted: SubmittedForm, session: DbSession, settings: SettingsDep, token: str = Token
) -> Response:
    found = _find(session, settings, token)
    if isinstance(found, str) or found.completion.status != CompletionStatus.pending.value:
        return _answer(request, found)
    data = submitted.values()
    errors = FormErrors()
    assignment_id = found.completion.assignment_id or 0  # never 0: _find refuses a completion without one
    try:
        if found.claims.action is links.Action.approve:
            result = apply_form(
                errors,
                ApproveIn,
                {"reward_value": data.get("reward_value") or None},
                lambda wanted: lifecycle.approve_assignment(session, found.parent, assignment_id, wanted.reward_value),
                words={"reward_value": "the amount"},
                refusals=InvalidInput,
            )
        else:
            result = apply_form(
                errors,
                RejectIn,
                {"rejection_reason": data.get("rejection_reason", "")},
                lambda wanted: lifecycle.reject_assignment(
                    session, found.parent, assignment_id, wanted.rejection_reason
                ),
                words={"rejection_reason": "the reason"},
                refusals=InvalidInput,
            )
    except Conflict:
        session.rollback()
        return _page(request, "reviewed", {"found": found})
    if result is None:
        return _answer(request, found, errors=errors.fields, form=data)
    return _page(request, "done", {"found": found, "message": result.message})
