"""Issue 14's "Done when": everything a parent (or a child) can do on the pages is also in the API,
documented in OpenAPI. Every form post of the pages, read from the app's route table as
tests/web/test_page_writes_bump.py does, is mapped below to the API call that does the same; a form
post without an API twin fails the first test, and a twin that is not in the API, not in its OpenAPI
document (a summary, the success answer) or not in the docs fails the others."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.routes import routes

DOCS = Path(__file__).resolve().parents[2] / "docs"

# The page's form post -> the API calls (method, path under /api/v1) that do the same thing.
TWINS: dict[str, list[tuple[str, str]]] = {
    # signing up, in and out; one's own account
    "/signup": [("POST", "/users/register")],
    "/login": [("POST", "/users/login")],
    "/login/pin/{child_id}": [("POST", "/families/devices/current/sign-in")],
    "/logout": [("POST", "/users/logout")],
    "/account/password": [("POST", "/users/me/password")],
    "/account/tokens": [("POST", "/tokens")],
    "/account/tokens/{token_id}/revoke": [("DELETE", "/tokens/{token_id}")],
    # the family
    "/family/create": [("POST", "/families/create")],
    "/family/join": [("POST", "/families/join")],
    "/family/invite-code": [("POST", "/families/invite-code/generate")],
    "/family/timezone": [("PUT", "/families/timezone")],
    "/family/currency": [("PUT", "/families/currency")],
    "/family/language": [("PUT", "/families/language")],
    "/family/owner": [("POST", "/families/owner")],
    "/family/streak-bonus": [("PUT", "/families/streak-bonus")],
    "/family/children": [("POST", "/users/")],
    "/family/children/{child_id}/password": [("POST", "/users/children/{child_id}/reset-password")],
    "/family/children/{child_id}/profile": [("PATCH", "/users/children/{child_id}")],
    "/family/children/{child_id}/pin": [("PUT", "/users/children/{child_id}/pin")],
    "/family/children/{child_id}/pin/clear": [("DELETE", "/users/children/{child_id}/pin")],
    "/family/children/{child_id}/deactivate": [("POST", "/users/children/{child_id}/deactivate")],
    "/family/children/{child_id}/reactivate": [("POST", "/users/children/{child_id}/reactivate")],
    "/family/children/{child_id}/remove": [("DELETE", "/families/members/{user_id}")],
    "/family/devices": [("POST", "/families/devices")],
    "/family/devices/{device_id}/revoke": [("DELETE", "/families/devices/{device_id}")],
    # chores and their review
    "/chores/new": [("POST", "/chores")],
    "/chores/{chore_id}/edit": [("PUT", "/chores/{chore_id}")],
    "/chores/{chore_id}/disable": [("POST", "/chores/{chore_id}/disable")],
    "/chores/{chore_id}/enable": [("POST", "/chores/{chore_id}/enable")],
    "/chores/{chore_id}/delete": [("DELETE", "/chores/{chore_id}")],
    "/chores/{chore_id}/complete": [("POST", "/chores/{chore_id}/complete")],
    "/chores/{chore_id}/take-back": [("POST", "/chores/{chore_id}/take-back")],
    "/approvals/{assignment_id}/approve": [("POST", "/assignments/{assignment_id}/approve")],
    "/approvals/{assignment_id}/reject": [("POST", "/assignments/{assignment_id}/reject")],
    "/approvals/approve-many": [("POST", "/assignments/approve-many")],
    # a notification's signed link approves or sends back
    "/act/{token}": [("POST", "/assignments/{assignment_id}/approve"), ("POST", "/assignments/{assignment_id}/reject")],
    # the week: occurrences and pauses
    "/week/occurrences/{occurrence_id}/skip": [("POST", "/occurrences/{occurrence_id}/skip")],
    "/week/occurrences/{occurrence_id}/snooze": [("POST", "/occurrences/{occurrence_id}/snooze")],
    "/week/pauses": [("POST", "/children/{child_id}/pauses")],
    "/week/children/{child_id}/pauses/{pause_id}/delete": [("DELETE", "/children/{child_id}/pauses/{pause_id}")],
    # money
    "/children/{child_id}/adjustments": [("POST", "/adjustments/")],
    "/children/{child_id}/payouts": [("POST", "/payouts/")],
    "/children/{child_id}/entries/{entry_id}/reverse": [("POST", "/ledger/entries/{entry_id}/reverse")],
    "/children/{child_id}/allowance": [("PUT", "/allowances/{child_id}")],
    "/children/{child_id}/allowance/stop": [("DELETE", "/allowances/{child_id}")],
    "/children/{child_id}/goals": [("POST", "/goals")],
    # rewards
    "/rewards/new": [("POST", "/rewards")],
    "/rewards/{reward_id}/toggle": [("PUT", "/rewards/{reward_id}")],
    "/rewards/claims/{claim_id}/approve": [("POST", "/rewards/claims/{claim_id}/approve")],
    "/rewards/claims/{claim_id}/decline": [("POST", "/rewards/claims/{claim_id}/decline")],
    "/me/rewards/{reward_id}/claim": [("POST", "/rewards/{reward_id}/claim")],
    "/me/rewards/claims/{claim_id}/cancel": [("POST", "/rewards/claims/{claim_id}/cancel")],
    "/me/goals": [("POST", "/goals")],
    # notifications
    "/notifications/read-all": [("POST", "/notifications/read-all")],
    "/notifications/{notification_id}/read": [("POST", "/notifications/{notification_id}/read")],
    "/notifications/push": [("POST", "/notifications/push-subscriptions")],
}

ALL_TWINS = sorted({twin for twins in TWINS.values() for twin in twins})


def test_every_form_post_of_the_pages_has_an_api_twin(app):
    posts = {path for method, path in routes(app) if method == "POST" and not path.startswith("/api/")}
    assert posts - set(TWINS) == set(), "a page action without an API twin: add one (and map it here)"
    assert set(TWINS) - posts == set(), "no such form post any more: take it out of TWINS"


def test_every_twin_is_an_api_route(app):
    api = {(method, path.removeprefix("/api/v1")) for method, path in routes(app) if path.startswith("/api/v1/")}
    assert [twin for twin in ALL_TWINS if twin not in api] == []


@pytest.fixture
def openapi(app) -> dict:
    return app.openapi()


@pytest.mark.parametrize(("method", "path"), ALL_TWINS, ids=[f"{m} {p}" for m, p in ALL_TWINS])
def test_every_twin_is_documented_in_openapi(openapi, method: str, path: str):
    operation = openapi["paths"][f"/api/v1{path}"][method.lower()]
    assert operation.get("summary"), f"{method} {path}: no summary"
    answers = operation["responses"]
    successes = [code for code in answers if code.startswith("2")]
    assert successes, f"{method} {path}: no success answer documented"
    for code in successes:
        if code != "204":
            assert "content" in answers[code], f"{method} {path}: the {code} answer has no schema"
    if "requestBody" in operation or any(p["in"] == "path" for p in operation.get("parameters", [])):
        assert "422" in answers, f"{method} {path}: the answer to bad input is not documented"


@pytest.mark.parametrize(("method", "path"), ALL_TWINS, ids=[f"{m} {p}" for m, p in ALL_TWINS])
def test_every_twin_is_in_the_docs(method: str, path: str):
    # The docs name a call as `METHOD /path`, with its placeholders spelled as they like ({parent_id}).
    literal_parts = re.split(r"\{[^}]+\}", path.rstrip("/"))
    shape = r"\{[^}]+\}".join(re.escape(part) for part in literal_parts)
    pattern = re.compile(f"`{method} (/api/v1)?{shape}/?[`? ]")
    text = "\n".join(page.read_text(encoding="utf-8") for page in DOCS.rglob("*.md"))
    text += (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert pattern.search(text), f"{method} {path} is not in docs/ (name it as `{method} {path}`)"
