"""Events worth telling are written with the change, in its transaction: one row per recipient.

The activity feed's record function writes them, so every service that records its activity tells
whom it should; a change that is rolled back (here: an approval whose payment the ledger's unique
completion refuses at commit) leaves no notification behind.
"""

from __future__ import annotations

from sqlalchemy import func, select

from tests.support.family import approve, chore, complete, family, reject


def rows(app) -> list[tuple[int, str, int | None]]:
    from chores_tracker.notifications.models import Notification

    with app.state.session_factory() as session:
        found = session.execute(
            select(Notification.recipient_id, Notification.event, Notification.child_id).order_by(Notification.id)
        )
        return [tuple(row) for row in found]


def test_a_chore_done_tells_each_parent_once_and_not_the_child(api, app):
    home = family(api, kids=1)
    other_parent = api.second_parent(home.parent)
    kid = home.kids[0]
    made = chore(api, home.parent, assignee_ids=[kid.id])
    complete(api, kid, made["id"])
    assert sorted(rows(app)) == sorted(
        [(home.parent.id, "chore_completed", kid.id), (other_parent.id, "chore_completed", kid.id)]
    )


def test_approval_send_back_bonus_and_payout_tell_the_child_and_not_the_parent_who_acted(api, app):
    home = family(api, kids=2)
    kid, sibling = home.kids
    made = chore(api, home.parent, assignee_ids=[kid.id], is_recurring=True, cooldown_days=0)
    reject(api, home.parent, complete(api, kid, made["id"])["id"], reason="crumbs left")
    approve(api, home.parent, complete(api, kid, made["id"])["id"])
    bonus = {"child_id": kid.id, "amount": "1.00", "reason": "kind"}
    assert api.post("/adjustments/", home.parent, json=bonus).status_code == 201
    assert api.post("/payouts/", home.parent, json={"child_id": kid.id, "amount": "0.50"}).status_code == 201
    told_kid = [event for recipient, event, _ in rows(app) if recipient == kid.id]
    assert told_kid == ["chore_rejected", "chore_approved", "adjustment_applied", "payout_recorded"]
    assert [r for r in rows(app) if r[0] == sibling.id] == []
    assert {event for recipient, event, _ in rows(app) if recipient == home.parent.id} == {"chore_completed"}


def test_changes_not_worth_telling_write_nothing(api, app):
    home = family(api, kids=1)
    chore(api, home.parent, assignee_ids=[home.kids[0].id])
    api.invite_code(home.parent)
    assert rows(app) == []


def test_a_rolled_back_approval_tells_nobody(api, app):
    """The approval gets as far as writing its feed row and its notification; the commit then fails
    (the completion was already paid: the ledger's unique completion_id) and all of it is undone."""
    from chores_tracker.activity.models import Activity
    from chores_tracker.chores.models import Completion
    from chores_tracker.ledger.models import LedgerEntry

    home = family(api, kids=1)
    kid = home.kids[0]
    made = chore(api, home.parent, assignee_ids=[kid.id])
    waiting = complete(api, kid, made["id"])
    with app.state.session_factory() as session:
        completion = session.scalar(select(Completion).where(Completion.assignment_id == waiting["id"]))
        assert completion is not None
        session.add(
            LedgerEntry(
                family_id=completion.family_id,
                child_id=kid.id,
                kind="chore_earning",
                amount_cents=100,
                completion_id=completion.id,
            )
        )
        session.commit()
    response = api.post(f"/assignments/{waiting['id']}/approve", home.parent, json={})
    assert response.status_code == 409, response.text
    assert [r for r in rows(app) if r[1] == "chore_approved"] == []
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count()).where(Activity.activity_type == "chore_approved")) == 0
    # The same approval, once the ledger allows it, tells the child.
    with app.state.session_factory() as session:
        session.query(LedgerEntry).filter(LedgerEntry.completion_id.is_not(None)).delete()
        session.commit()
    approve(api, home.parent, waiting["id"])
    assert [r for r in rows(app) if r[1] == "chore_approved"] == [(kid.id, "chore_approved", kid.id)]
