"""The lifecycle of an assignment: available -> completed -> approved, or rejected and available again."""

from __future__ import annotations

from datetime import timedelta

from tests.support.family import (
    approve,
    assignment_of,
    chore,
    complete,
    family,
    let_cooldown_pass,
    parse_time,
    reject,
)


def test_completing_puts_the_assignment_in_the_approval_queue(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, title="Dishes", reward=2, assignee_ids=[kid.id])
    [offer] = api.get("/chores/available", kid).json()["assigned"]
    assert offer["assignment_id"] == created["assignments"][0]["id"]
    response = api.post(f"/chores/{created['id']}/complete", kid)
    assert response.status_code == 200
    body = response.json()
    assert body["assignment"]["is_completed"] is True and body["assignment"]["is_approved"] is False
    assert body["assignment"]["completion_date"] is not None
    assert body["message"]
    assert api.get("/chores/available", kid).json()["total_count"] == 0
    [waiting] = api.get("/chores/pending-approval", home.parent).json()
    assert waiting["assignment_id"] == offer["assignment_id"]
    assert waiting["assignee"] == {"id": kid.id, "username": kid.username}
    assert waiting["assignee_name"] == kid.username
    assert waiting["chore"]["id"] == created["id"]
    assert api.get("/users/me/balance", kid).json()["pending_chores_value"] == 2


def test_the_waiting_count_matches_the_approval_queue(api, app):
    from chores_tracker.chores import queries
    from chores_tracker.identity.models import User

    home = family(api, kids=2)
    for kid in home.kids:
        complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
    chore(api, home.parent, assignee_ids=[home.kids[0].id])
    with app.state.session_factory() as session:
        parent = session.get(User, home.parent.id)
        assert queries.pending_approval_count(session, parent) == 2
    assert len(api.get("/chores/pending-approval", home.parent).json()) == 2


def test_completing_twice_completes_once(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, assignee_ids=[kid.id])
    complete(api, kid, created["id"])
    again = api.post(f"/chores/{created['id']}/complete", kid)
    assert again.status_code == 409
    assert "waiting" in again.json()["detail"]
    assert len(api.get("/chores/pending-approval", home.parent).json()) == 1


def test_approving_a_fixed_chore_earns_its_reward(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, reward="2.35", assignee_ids=[kid.id])
    result = approve(api, home.parent, complete(api, kid, created["id"])["id"])
    assert result["assignment"]["is_approved"] is True
    assert result["assignment"]["approval_reward"] == 2.35
    assert result["assignment"]["approval_date"] is not None
    assert result["assignment"]["next_available_at"] is None  # a one-off chore is done once
    assert api.get("/users/me/balance", kid).json() == {
        "balance": 2.35,
        "total_earned": 2.35,
        "adjustments": 0,
        "paid_out": 0,
        "pending_chores_value": 0,
    }
    assert api.post(f"/chores/{created['id']}/complete", kid).status_code == 409


def test_a_fixed_chore_refuses_a_different_amount(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, reward=2, assignee_ids=[kid.id])
    assignment = complete(api, kid, created["id"])
    response = api.post(f"/assignments/{assignment['id']}/approve", home.parent, json={"reward_value": 5})
    assert response.status_code == 422
    assert approve(api, home.parent, assignment["id"], amount="2.00")["assignment"]["approval_reward"] == 2


def test_a_range_chore_is_approved_with_the_amount_the_parent_chooses(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, is_range_reward=True, min_reward=1, max_reward=5, assignee_ids=[kid.id])
    assignment = complete(api, kid, created["id"])
    assert api.get("/users/me/balance", kid).json()["pending_chores_value"] == 1  # the range's minimum
    for bad in ({}, {"reward_value": "0.99"}, {"reward_value": 5.01}, {"reward_value": "2.555"}):
        response = api.post(f"/assignments/{assignment['id']}/approve", home.parent, json=bad)
        assert response.status_code == 422, bad
    assert api.get("/users/me/balance", kid).json()["total_earned"] == 0
    result = approve(api, home.parent, assignment["id"], amount="3.75")
    assert result["assignment"]["approval_reward"] == 3.75
    assert api.get("/users/me/balance", kid).json()["total_earned"] == 3.75


def test_a_rejection_needs_a_reason_and_makes_the_chore_available_again(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, assignee_ids=[kid.id])
    assignment = complete(api, kid, created["id"])
    for bad in ({}, {"rejection_reason": ""}, {"rejection_reason": "   "}):
        assert api.post(f"/assignments/{assignment['id']}/reject", home.parent, json=bad).status_code == 422
    result = reject(api, home.parent, assignment["id"], "the plates are still greasy")
    assert result["assignment"]["is_completed"] is False
    assert result["assignment"]["rejection_reason"] == "the plates are still greasy"
    [offer] = api.get("/chores/available", kid).json()["assigned"]
    assert offer["assignment"]["rejection_reason"] == "the plates are still greasy"
    redo = complete(api, kid, created["id"])
    assert redo["id"] == assignment["id"] and redo["rejection_reason"] is None
    approve(api, home.parent, redo["id"])
    assert api.get("/users/me/balance", kid).json()["total_earned"] == 1


def test_only_a_waiting_assignment_can_be_reviewed(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, assignee_ids=[kid.id])
    slot = created["assignments"][0]["id"]
    assert api.post(f"/assignments/{slot}/approve", home.parent, json={}).status_code == 409
    assert api.post(f"/assignments/{slot}/reject", home.parent, json={"rejection_reason": "no"}).status_code == 409
    approve(api, home.parent, complete(api, kid, created["id"])["id"])
    assert api.post(f"/assignments/{slot}/approve", home.parent, json={}).status_code == 409
    assert api.post(f"/assignments/{slot}/reject", home.parent, json={"rejection_reason": "no"}).status_code == 409
    assert api.get("/users/me/balance", kid).json()["total_earned"] == 1


def test_a_recurring_chore_is_available_again_cooldown_days_after_approval(api, app):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, title="Lawn", reward=3, assignee_ids=[kid.id], is_recurring=True, cooldown_days=2)
    result = approve(api, home.parent, complete(api, kid, created["id"])["id"])
    approved_at = parse_time(result["assignment"]["approval_date"])
    expected = approved_at + timedelta(days=2)
    assert parse_time(result["assignment"]["next_available_at"]) == expected
    assert parse_time(api.get(f"/chores/{created['id']}", kid).json()["next_available_at"]) == expected
    assert parse_time(api.get(f"/chores/{created['id']}", home.parent).json()["next_available_at"]) == expected
    too_soon = api.post(f"/chores/{created['id']}/complete", kid)
    assert too_soon.status_code == 409 and "available again" in too_soon.json()["detail"]
    assert api.get("/chores/available", kid).json()["total_count"] == 0

    let_cooldown_pass(app, created["id"], days=1.9)
    assert api.post(f"/chores/{created['id']}/complete", kid).status_code == 409
    let_cooldown_pass(app, created["id"], days=0.1)
    again = api.get(f"/chores/{created['id']}", kid).json()
    assert again["next_available_at"] is None
    assert assignment_of(again, kid)["is_completed"] is False
    [offer] = api.get("/chores/available", kid).json()["assigned"]
    approve(api, home.parent, complete(api, kid, offer["chore"]["id"])["id"])
    history = api.get(f"/reports/reward-history/{kid.id}", home.parent).json()
    assert [(h["chore_title"], h["amount"]) for h in history] == [("Lawn", 3), ("Lawn", 3)]
    assert api.get("/users/me/balance", kid).json()["total_earned"] == 6


def test_a_recurring_chore_with_no_cooldown_is_available_again_at_once(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, reward=1, assignee_ids=[kid.id], is_recurring=True, cooldown_days=0)
    for _ in range(3):
        approve(api, home.parent, complete(api, kid, created["id"])["id"])
    assert api.get("/users/me/balance", kid).json()["total_earned"] == 3
    completed = api.get(f"/chores/child/{kid.id}/completed", home.parent).json()
    assert [c["id"] for c in completed] == [created["id"]]


def test_each_child_of_a_multi_chore_does_it_and_is_paid_separately(api):
    home = family(api, kids=2)
    a, b = home.kids
    created = chore(api, home.parent, reward=2, assignment_mode="multi_independent", assignee_ids=[a.id, b.id])
    approve(api, home.parent, complete(api, a, created["id"])["id"])
    assert api.get("/chores/available", b).json()["total_count"] == 1
    approve(api, home.parent, complete(api, b, created["id"])["id"])
    assert api.get("/users/me/balance", a).json()["total_earned"] == 2
    assert api.get("/users/me/balance", b).json()["total_earned"] == 2


def test_the_first_child_to_complete_a_pool_chore_gets_it(api):
    home = family(api, kids=2)
    a, b = home.kids
    pool = chore(api, home.parent, title="Car", reward=4, assignment_mode="unassigned")
    [offer] = api.get("/chores/available", a).json()["pool"]
    assert (offer["assignment"], offer["assignment_id"]) == (None, None)
    taken = complete(api, b, pool["id"])
    assert taken["assignee_id"] == b.id
    late = api.post(f"/chores/{pool['id']}/complete", a)
    assert late.status_code == 409 and "another child" in late.json()["detail"]
    assert api.get("/chores/available", a).json()["pool"] == []
    approve(api, home.parent, taken["id"])
    assert api.get("/users/me/balance", b).json()["total_earned"] == 4
    assert api.get("/users/me/balance", a).json()["total_earned"] == 0
    assert api.post(f"/chores/{pool['id']}/complete", a).status_code == 409  # one-off: done


def test_a_rejected_pool_chore_goes_back_to_the_pool_for_any_child(api):
    home = family(api, kids=2)
    a, b = home.kids
    pool = chore(api, home.parent, assignment_mode="unassigned")
    reject(api, home.parent, complete(api, a, pool["id"])["id"], "missed a spot")
    assert [p["chore"]["id"] for p in api.get("/chores/available", b).json()["pool"]] == [pool["id"]]
    assert complete(api, b, pool["id"])["assignee_id"] == b.id


def test_a_recurring_pool_chore_returns_to_the_pool_after_its_cooldown(api, app):
    home = family(api, kids=2)
    a, b = home.kids
    pool = chore(api, home.parent, reward=1, assignment_mode="unassigned", is_recurring=True, cooldown_days=1)
    approve(api, home.parent, complete(api, a, pool["id"])["id"])
    assert api.post(f"/chores/{pool['id']}/complete", b).status_code == 409
    assert api.get(f"/chores/{pool['id']}", b).json()["next_available_at"] is not None
    let_cooldown_pass(app, pool["id"], days=1)
    assert complete(api, b, pool["id"])["assignee_id"] == b.id


def test_a_child_acts_only_on_its_own_assignments(api):
    home = family(api, kids=2)
    a, b = home.kids
    mine = chore(api, home.parent, assignee_ids=[a.id])
    assert api.post(f"/chores/{mine['id']}/complete", b).status_code == 404
    elsewhere = family(api, kids=1)
    pool = chore(api, elsewhere.parent, assignment_mode="unassigned")
    assert api.post(f"/chores/{pool['id']}/complete", a).status_code == 404
    assert api.post("/chores/999999/complete", a).status_code == 404


def test_older_clients_approve_and_reject_through_the_chore(api):
    home = family(api, kids=2)
    a, b = home.kids
    single = chore(api, home.parent, reward=2, assignee_ids=[a.id])
    assert api.post(f"/chores/{single['id']}/approve", home.parent, json={}).status_code == 409
    complete(api, a, single["id"])
    rejected = api.post(f"/chores/{single['id']}/reject", home.parent, json={"rejection_reason": "again"})
    assert rejected.status_code == 200
    assert rejected.json()["assignments"][0]["rejection_reason"] == "again"
    complete(api, a, single["id"])
    approved = api.post(f"/chores/{single['id']}/approve", home.parent)
    assert approved.status_code == 200
    assert approved.json()["assignments"][0]["is_approved"] is True

    both = chore(api, home.parent, assignment_mode="multi_independent", assignee_ids=[a.id, b.id])
    complete(api, a, both["id"])
    complete(api, b, both["id"])
    assert api.post(f"/chores/{both['id']}/approve", home.parent, json={}).status_code == 409
    assert api.get("/users/me/balance", a).json()["total_earned"] == 2


def test_my_children_lists_each_childs_assignments(api):
    home = family(api, kids=1)
    a = home.kids[0]
    second = api.second_parent(home.parent)
    b = api.child(second)
    done = chore(api, home.parent, title="Done", reward=2, assignee_ids=[a.id])
    chore(
        api,
        home.parent,
        title="Range",
        is_range_reward=True,
        min_reward=1,
        max_reward=3,
        assignee_ids=[a.id, b.id],
        assignment_mode="multi_independent",
    )
    approve(api, home.parent, complete(api, a, done["id"])["id"])

    mine = api.get("/users/my-children", home.parent).json()
    assert [c["username"] for c in mine] == [a.username]
    assert mine[0]["parent_id"] == home.parent.id
    assert [(c["chore_title"], c["reward"], c["is_completed"], c["is_approved"]) for c in mine[0]["chores"]] == [
        ("Done", 2, True, True),
        ("Range", None, False, False),
    ]
    assert [c["username"] for c in api.get("/users/my-children", second).json()] == [b.username]
    family_children = api.get("/users/my-family-children", second).json()
    assert sorted(c["username"] for c in family_children) == sorted([a.username, b.username])
    assert all(item["id"] and item["chore_id"] for c in family_children for item in c["chores"])
