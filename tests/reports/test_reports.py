"""Reports and statistics: sums over the ledger by period, child, ISO week and month (UTC)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, time, timedelta

from tests.support.api import Person
from tests.support.family import approve, chore, complete, family


def _put(
    app, child: Person, kind: str, amount: str, at: datetime, title: str | None = None, note: str | None = None
) -> None:
    """A ledger row at a chosen instant, as history recorded earlier would be."""
    from decimal import Decimal

    from chores_tracker.identity.models import User
    from chores_tracker.ledger.models import LedgerEntry
    from chores_tracker.ledger.service import add_entry

    with app.state.session_factory() as session:
        user = session.get(User, child.id)
        add_entry(
            session,
            LedgerEntry(
                family_id=user.family_id,
                child_id=child.id,
                kind=kind,
                amount_cents=int(Decimal(amount) * 100),
                author_id=user.parent_id,
                created_at=at,
                chore_title=title,
                note=note,
            ),
        )
        session.commit()


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_the_allowance_summary_sums_each_child_within_the_period(api, app):
    home = family(api, kids=2)
    a, b = home.kids
    _put(app, a, "chore_earning", "1.00", _utc(2026, 1, 10, 12), "Dishes")
    _put(app, a, "adjustment", "2.00", _utc(2026, 1, 15, 0, 0, 0), note="bonus")
    _put(app, a, "payout", "0.50", _utc(2026, 1, 20, 23, 59, 59))
    _put(app, a, "chore_earning", "4.00", _utc(2026, 1, 21, 0, 0, 0), "Lawn")
    _put(app, b, "chore_earning", "3.00", _utc(2026, 1, 16, 8), "Car")

    whole = api.get("/reports/allowance-summary", home.parent).json()
    rows = {r["id"]: r for r in whole["child_summaries"]}
    assert (rows[a.id]["total_earned"], rows[a.id]["balance_due"], rows[a.id]["completed_chores"]) == (5, 6.5, 2)
    assert whole["family_summary"] == {
        "total_children": 2,
        "total_earned": 8,
        "total_adjustments": 2,
        "total_balance_due": 9.5,
        "total_completed_chores": 3,
        "period_start": None,
        "period_end": None,
    }

    # Dates are whole UTC days: from the start of date_from through the end of date_to.
    period = api.get(
        "/reports/allowance-summary", home.parent, params={"date_from": "2026-01-15", "date_to": "2026-01-20"}
    ).json()
    rows = {r["id"]: r for r in period["child_summaries"]}
    assert {
        k: rows[a.id][k] for k in ("completed_chores", "total_earned", "total_adjustments", "paid_out", "balance_due")
    } == {
        "completed_chores": 0,
        "total_earned": 0,
        "total_adjustments": 2,
        "paid_out": 0.5,
        "balance_due": 2.5,
    }
    assert (rows[b.id]["total_earned"], rows[b.id]["completed_chores"]) == (3, 1)
    assert period["family_summary"]["period_start"] == "2026-01-15T00:00:00Z"
    assert period["family_summary"]["period_end"] == "2026-01-21T00:00:00Z"

    # An instant is taken as it is; without an offset it is UTC.
    instant = api.get(
        "/reports/allowance-summary",
        home.parent,
        params={"date_from": "2026-01-15T00:00:01", "date_to": "2026-01-20T23:59:59+00:00", "child_id": a.id},
    ).json()
    [only_a] = instant["child_summaries"]
    assert (only_a["total_adjustments"], only_a["paid_out"]) == (0, 0)
    assert instant["family_summary"]["total_children"] == 1

    assert (
        api.get(
            "/reports/allowance-summary", home.parent, params={"date_from": "2026-02-01", "date_to": "2026-01-01"}
        ).status_code
        == 422
    )
    assert api.get("/reports/allowance-summary", home.parent, params={"date_from": "last tuesday"}).status_code == 422
    assert (
        api.get(
            "/reports/allowance-summary", home.parent, params={"child_id": family(api, kids=1).kids[0].id}
        ).status_code
        == 404
    )


def test_the_summary_shows_pending_value_and_last_activity(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    ranged = chore(api, home.parent, is_range_reward=True, min_reward="1.25", max_reward=3, assignee_ids=[kid.id])
    fixed = chore(api, home.parent, reward="2.00", assignee_ids=[kid.id])
    complete(api, kid, ranged["id"])
    complete(api, kid, fixed["id"])
    [row] = api.get("/reports/allowance-summary", home.parent).json()["child_summaries"]
    assert row["pending_chores_value"] == 3.25
    assert row["last_activity_date"] is not None
    assert abs(datetime.fromisoformat(row["last_activity_date"]) - datetime.now(UTC)) < timedelta(minutes=1)


def test_the_summary_exports_as_csv_and_json(api, app):
    home = family(api, kids=1)
    kid = home.kids[0]
    _put(app, kid, "chore_earning", "1.10", _utc(2026, 3, 2, 9), "Dishes")
    _put(app, kid, "adjustment", "-0.35", _utc(2026, 3, 3, 9), note="late")
    exported = api.get("/reports/export/allowance-summary", home.parent, params={"format": "csv"}).json()
    assert exported["content_type"] == "text/csv"
    assert exported["filename"].startswith("allowance-summary-") and exported["filename"].endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(exported["content"])))
    assert rows == [
        {
            "id": str(kid.id),
            "username": kid.username,
            "completed_chores": "1",
            "total_earned": "1.10",
            "total_adjustments": "-0.35",
            "paid_out": "0.00",
            "balance_due": "0.75",
            "pending_chores_value": "0.00",
            "last_activity_date": "",
        }
    ]
    as_json = api.get(
        "/reports/export/allowance-summary", home.parent, params={"format": "json", "date_to": "2026-03-02"}
    ).json()
    assert as_json["content_type"] == "application/json"
    content = json.loads(as_json["content"])
    assert content["child_summaries"][0]["total_earned"] == 1.1
    assert content["child_summaries"][0]["total_adjustments"] == 0
    assert api.get("/reports/export/allowance-summary", home.parent, params={"format": "pdf"}).status_code == 422


def test_the_reward_history_lists_earnings_and_adjustments_newest_first(api, app):
    home = family(api, kids=1)
    kid = home.kids[0]
    _put(app, kid, "chore_earning", "1.00", _utc(2026, 4, 1, 10), "Dishes")
    _put(app, kid, "payout", "0.50", _utc(2026, 4, 2, 10))
    _put(app, kid, "adjustment", "2.00", _utc(2026, 4, 3, 10), note="kind to a sister")
    _put(app, kid, "chore_earning", "3.00", _utc(2026, 4, 4, 10), "Lawn")
    history = api.get(f"/reports/reward-history/{kid.id}", home.parent).json()
    assert [(h["type"], h["amount"]) for h in history] == [
        ("chore_earning", 3),
        ("adjustment", 2),
        ("chore_earning", 1),
    ]
    assert history[0]["chore_title"] == "Lawn" and history[0]["description"] == "Completed Lawn"
    assert history[1]["reason"] == "kind to a sister" and history[1]["adjustment_id"]
    assert history[1]["description"] == "Bonus: kind to a sister"
    assert history[0]["date"] == "2026-04-04T10:00:00Z"
    window = api.get(
        f"/reports/reward-history/{kid.id}", home.parent, params={"date_from": "2026-04-02", "date_to": "2026-04-03"}
    ).json()
    assert [h["type"] for h in window] == ["adjustment"]
    assert len(api.get(f"/reports/reward-history/{kid.id}", home.parent, params={"limit": 1}).json()) == 1


def test_weekly_statistics_cut_at_monday_midnight_utc(api, app):
    home = family(api, kids=2)
    a, b = home.kids
    monday = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
    monday -= timedelta(days=monday.weekday())
    _put(app, a, "chore_earning", "9.00", monday - timedelta(weeks=2, seconds=1), "Too old")
    _put(app, a, "chore_earning", "4.00", monday - timedelta(weeks=2), "Oldest")
    _put(app, a, "chore_earning", "1.00", monday - timedelta(seconds=1), "Sunday night")
    _put(app, a, "chore_earning", "2.00", monday, "Monday morning")
    _put(app, b, "chore_earning", "1.00", monday + timedelta(minutes=1), "Monday too")
    _put(app, b, "adjustment", "-0.50", monday, note="late")
    _put(app, b, "payout", "1.00", monday)  # payouts are not earnings

    points = api.get("/statistics/weekly-summary", home.parent, params={"weeks_back": 3}).json()
    assert [p["week_start"] for p in points] == [(monday - timedelta(weeks=n)).date().isoformat() for n in (2, 1, 0)]
    assert [p["week_end"] for p in points] == [
        (monday - timedelta(weeks=n) + timedelta(days=6)).date().isoformat() for n in (2, 1, 0)
    ]
    figures = [
        (
            p["completed_chores"],
            p["total_earned"],
            p["total_adjustments"],
            p["net_amount"],
            p["active_children"],
            p["average_per_chore"],
        )
        for p in points
    ]
    assert figures == [(1, 4, 0, 4, 1, 4), (1, 1, 0, 1, 1, 1), (2, 3, -0.5, 2.5, 2, 1.5)]

    only_b = api.get("/statistics/weekly-summary", home.parent, params={"weeks_back": 1, "child_id": b.id}).json()
    assert [(p["completed_chores"], p["total_earned"], p["total_adjustments"]) for p in only_b] == [(1, 1, -0.5)]
    assert api.get("/statistics/weekly-summary", home.parent, params={"weeks_back": 0}).status_code == 422


def test_monthly_statistics_cut_at_the_first_of_the_month_utc(api, app):
    home = family(api, kids=1)
    kid = home.kids[0]
    first = datetime.combine(datetime.now(UTC).date().replace(day=1), time.min, tzinfo=UTC)
    _put(app, kid, "chore_earning", "1.00", first - timedelta(seconds=1), "Last night of last month")
    _put(app, kid, "chore_earning", "2.00", first, "First thing")
    _put(app, kid, "chore_earning", "3.00", first, "Also this month")
    points = api.get("/statistics/monthly-summary", home.parent, params={"months_back": 2}).json()
    last_month_start = (first - timedelta(days=1)).replace(day=1)
    assert [(p["month_start"], p["month_end"]) for p in points] == [
        (last_month_start.date().isoformat(), (first - timedelta(days=1)).date().isoformat()),
        (first.date().isoformat(), points[1]["month_end"]),
    ]
    assert [(p["completed_chores"], p["total_earned"], p["average_per_chore"]) for p in points] == [
        (1, 1, 1),
        (2, 5, 2.5),
    ]


def test_average_per_chore_is_rounded_to_the_cent(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    ranged = chore(
        api, home.parent, is_range_reward=True, min_reward=0, max_reward=10, assignee_ids=[kid.id], is_recurring=True
    )
    for amount in ("1.00", "1.00", "0.01"):
        approve(api, home.parent, complete(api, kid, ranged["id"])["id"], amount=amount)
    [week] = api.get("/statistics/weekly-summary", home.parent, params={"weeks_back": 1}).json()
    assert (week["completed_chores"], week["total_earned"], week["average_per_chore"]) == (3, 2.01, 0.67)


def test_a_parent_without_a_family_gets_empty_reports(api):
    loner = api.parent(with_family=False)
    assert api.get("/users/allowance-summary", loner).json() == []
    summary = api.get("/reports/allowance-summary", loner).json()
    assert (summary["child_summaries"], summary["family_summary"]["total_children"]) == ([], 0)
    weeks = api.get("/statistics/weekly-summary", loner, params={"weeks_back": 2}).json()
    assert [w["completed_chores"] for w in weeks] == [0, 0]
