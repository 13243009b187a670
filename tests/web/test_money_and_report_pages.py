"""Bonuses, penalties, payouts, the activity feed and the report, through the pages."""

from __future__ import annotations

import csv
import io
import re

from tests.web.conftest import field_error, user_id


def family_with_earnings(visitor, app, amount: str = "4"):
    parent = visitor()
    parent.parent_with_family()
    name = parent.add_child()
    kid = user_id(app, name)
    parent.get("/chores/new")
    parent.submit(
        "/chores/new",
        {
            "title": "Windows",
            "reward_kind": "fixed",
            "reward": amount,
            "assignment_mode": "single",
            "single_assignee": str(kid),
        },
    )
    child = visitor()
    child.log_in(name)
    chore = parent.api("GET", "/chores").json()[0]["id"]
    child.submit(f"/chores/{chore}/complete")
    slot = parent.api("GET", "/chores/pending-approval").json()[0]["assignment_id"]
    parent.get("/approvals")
    parent.submit(f"/approvals/{slot}/approve")
    return parent, child, kid, name


def balance(page_html: str) -> str:
    return re.search(r'class="balance-value">([^<]+)<', page_html).group(1)


def test_a_bonus_and_a_penalty_change_the_balance(visitor, app):
    parent, child, kid, _ = family_with_earnings(visitor, app)
    parent.get(f"/children/{kid}")
    response = parent.submit(
        f"/children/{kid}/adjustments", {"kind": "bonus", "amount": "1.50", "reason": "Kind to sister"}
    )
    assert "got a bonus of $1.50" in parent.flash()
    response = parent.submit(
        f"/children/{kid}/adjustments", {"kind": "penalty", "amount": "0.75", "reason": "Late to bed"}
    )
    assert balance(response.text) == "$4.75"
    assert parent.api("GET", f"/adjustments/total/{kid}").json()["total_adjustments"] == "0.75"
    assert balance(child.get("/me/money").text) == "$4.75"


def test_adjustment_errors_show_next_to_their_fields(visitor, app):
    parent, _, kid, _ = family_with_earnings(visitor, app)
    parent.get(f"/children/{kid}")
    response = parent.submit(f"/children/{kid}/adjustments", {"kind": "penalty", "amount": "-2", "reason": ""})
    assert response.status_code == 422
    assert (
        field_error(response.text, "adjustment-amount")
        == "Enter the amount without a sign, and choose bonus or penalty."
    )
    response = parent.submit(f"/children/{kid}/adjustments", {"kind": "bonus", "amount": "0", "reason": ""})
    assert field_error(response.text, "adjustment-amount").startswith("An adjustment of 0 changes nothing")
    assert field_error(response.text, "adjustment-reason") == "This field is required."
    assert parent.api("GET", f"/adjustments/child/{kid}").json() == []


def test_a_payout_cannot_exceed_what_is_owed(visitor, app):
    parent, _, kid, name = family_with_earnings(visitor, app)
    parent.get(f"/children/{kid}")
    response = parent.submit(f"/children/{kid}/payouts", {"amount": "4.01", "note": ""})
    assert field_error(response.text, "payout-amount") == f"{name} is owed $4.00; a payout cannot be more than that."
    response = parent.submit(f"/children/{kid}/payouts", {"amount": "4", "note": "Pocket money"})
    assert f"you gave {name} $4.00" in parent.flash()
    assert balance(response.text) == "$0.00"
    assert "Payout: Pocket money" in response.text


def test_another_familys_child_has_no_money_page(visitor, app):
    _, _, kid, _ = family_with_earnings(visitor, app)
    stranger = visitor()
    stranger.parent_with_family()
    assert stranger.get(f"/children/{kid}").status_code == 404
    stranger.get("/family")
    assert stranger.submit(f"/children/{kid}/payouts", {"amount": "1"}).status_code == 404


def test_the_activity_feed_tells_the_story_and_pages(visitor, app):
    parent, _, kid, name = family_with_earnings(visitor, app)
    page = parent.get("/activity").text
    assert re.search(rf"<strong>{name}</strong> finished <strong>Windows</strong>", page)
    assert re.search(rf"approved <strong>Windows</strong> for {name} <span class=\"amount-plus\">\+\$4.00</span>", page)
    parent.get(f"/children/{kid}")
    for n in range(26):
        parent.submit(f"/children/{kid}/adjustments", {"kind": "bonus", "amount": "0.01", "reason": f"star {n}"})
    first = parent.get("/activity")
    assert 'href="/activity?page=2"' in first.text and "star 25" in first.text
    second = parent.get("/activity?page=2").text
    assert "star 0" in second and "star 25" not in second


def test_the_report_shows_the_week_and_downloads_the_same_summary_as_csv(visitor, app):
    parent, _, kid, name = family_with_earnings(visitor, app, amount="3.25")
    page = parent.get("/reports").text
    assert page.count('class="chart-bar"') == 2  # this week's bar, in the phone and the desktop drawing
    assert re.search(r'<text class="chart-value"[^>]*>\$3.25</text>', page)
    response = parent.get(f"/reports/allowance-summary.csv?child_id={kid}")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="allowance-summary-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["username"], r["total_earned"], r["balance_due"]) for r in rows] == [(name, "3.25", "3.25")]


def test_a_bad_report_date_is_explained_on_its_field(visitor, app):
    parent, _, _, _ = family_with_earnings(visitor, app)
    response = parent.get("/reports?date_from=2026-02-30")
    assert response.status_code == 422
    assert field_error(response.text, "date_from") == "Enter a date like 2026-01-31."
    response = parent.get("/reports?date_from=2026-03-02&date_to=2026-03-01")
    assert field_error(response.text, "date_to") == "“To” must not be before “From”."


def test_a_child_cannot_open_the_parents_pages(visitor, app):
    _, child, kid, _ = family_with_earnings(visitor, app)
    for path in (
        "/approvals",
        "/chores",
        "/reports",
        f"/children/{kid}",
        "/activity",
        "/reports/allowance-summary.csv",
    ):
        assert child.get(path).status_code == 403, path


# Each was taken for an amount: 1000.00, 5.00, 12.00, 100.00, 5.00, 0.50, 5.00 (issue 16.9).
LENIENT_AMOUNTS = ["1_000", "\uff15", "\u0661\u0662", "1e2", "+5", ".5", "5.", "NaN", "Infinity", "1e309"]


def test_every_amount_on_the_pages_has_the_apis_strict_format(visitor, app):
    parent, child, kid, _ = family_with_earnings(visitor, app, amount="2000")
    parent.get("/chores/new")
    parent.submit("/chores/new", {"title": "Garden", "reward_kind": "range", "min_reward": "1", "max_reward": "2000",
                                  "assignment_mode": "single", "single_assignee": str(kid)})  # fmt: skip
    garden = next(chore["id"] for chore in parent.api("GET", "/chores").json() if chore["title"] == "Garden")
    child.submit(f"/chores/{garden}/complete")
    slot = parent.api("GET", "/chores/pending-approval").json()[0]["assignment_id"]
    chores_before = parent.api("GET", "/chores").json()

    for spelling in LENIENT_AMOUNTS:
        forms = [
            (f"/children/{kid}", f"/children/{kid}/adjustments", {"kind": "bonus", "reason": "Kind"}, "amount", "adjustment-amount"),
            (f"/children/{kid}", f"/children/{kid}/payouts", {"note": ""}, "amount", "payout-amount"),
            ("/approvals", f"/approvals/{slot}/approve", {}, "reward_value", f"reward-{slot}"),
            ("/chores/new", "/chores/new", {"title": "Fixed", "reward_kind": "fixed", "assignment_mode": "single",
                                            "single_assignee": str(kid)}, "reward", "reward"),
            ("/chores/new", "/chores/new", {"title": "Ranged", "reward_kind": "range", "max_reward": "9",
                                            "assignment_mode": "single", "single_assignee": str(kid)}, "min_reward", "min_reward"),
            ("/chores/new", "/chores/new", {"title": "Ranged", "reward_kind": "range", "min_reward": "1",
                                            "assignment_mode": "single", "single_assignee": str(kid)}, "max_reward", "max_reward"),
        ]  # fmt: skip
        for page, action, fields, name, shown_at in forms:
            parent.get(page)
            response = parent.submit(action, {**fields, name: spelling})
            assert response.status_code == 422, (action, name, spelling)
            assert field_error(response.text, shown_at), (action, name, spelling)

    assert parent.api("GET", f"/adjustments/child/{kid}").json() == []
    assert parent.api("GET", f"/payouts/child/{kid}").json() == []
    assert parent.api("GET", "/chores/pending-approval").json()[0]["assignment_id"] == slot
    assert parent.api("GET", "/chores").json() == chores_before
    assert field_error(response.text, "max_reward") == "Enter an amount like $2.50: digits, and at most two decimals."
