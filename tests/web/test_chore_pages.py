"""Chores through the pages, as plain forms: what a parent creates is what the API serves."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import field_error, user_id


@pytest.fixture
def family(visitor, app):
    """A parent with two children, each child logged in on its own browser."""
    parent = visitor()
    parent.parent_with_family()
    names = [parent.add_child(), parent.add_child()]
    children = []
    for name in names:
        child = visitor()
        child.log_in(name)
        children.append(child)
    ids = [user_id(app, name) for name in names]
    return parent, children, ids


def create(parent, **fields) -> object:
    parent.get("/chores/new")
    return parent.submit("/chores/new", fields)


def chore_id(parent, title: str) -> int:
    return next(c["id"] for c in parent.api("GET", "/chores").json() if c["title"] == title)


def test_the_three_kinds_of_chore_reach_the_api_as_entered(family):
    parent, _, (ada, ben) = family
    create(
        parent, title="Tidy room", reward_kind="fixed", reward="2", assignment_mode="single", single_assignee=str(ada)
    )
    create(
        parent,
        title="Wash car",
        reward_kind="range",
        min_reward="3",
        max_reward="8.50",
        assignment_mode="multi_independent",
        multi_assignees=[str(ada), str(ben)],
        is_recurring="true",
        cooldown_days="7",
    )
    response = create(parent, title="Feed cat", reward_kind="fixed", reward="1.25", assignment_mode="unassigned")
    assert response.url.path == "/chores" and "“Feed cat” is ready" in response.text
    chores = {c["title"]: c for c in parent.api("GET", "/chores").json()}
    tidy = chores["Tidy room"]
    assert (tidy["reward"], tidy["is_range_reward"], tidy["assignment_mode"], tidy["assignee_ids"]) == (
        2.0,
        False,
        "single",
        [ada],
    )
    assert chores["Wash car"]["min_reward"] == 3.0 and chores["Wash car"]["max_reward"] == 8.5
    assert chores["Wash car"]["assignee_ids"] == [ada, ben] and chores["Wash car"]["cooldown_days"] == 7
    assert chores["Feed cat"]["assignment_mode"] == "unassigned" and chores["Feed cat"]["is_recurring"] is False


def test_only_the_chosen_options_inputs_are_read(family):
    """A child ticked for “several children” does not count when “one child” is chosen."""
    parent, _, (ada, ben) = family
    create(
        parent,
        title="Dishes",
        reward_kind="fixed",
        reward="1",
        min_reward="9",
        max_reward="1",
        assignment_mode="single",
        single_assignee=str(ada),
        multi_assignees=[str(ben)],
        cooldown_days="5",
    )
    dishes = next(c for c in parent.api("GET", "/chores").json() if c["title"] == "Dishes")
    assert dishes["assignee_ids"] == [ada] and dishes["min_reward"] is None and dishes["cooldown_days"] is None


def test_chore_errors_show_next_to_their_fields_and_nothing_is_created(family):
    parent, _, _ = family
    response = create(parent, title="", reward_kind="range", min_reward="5", max_reward="2", assignment_mode="single")
    assert response.status_code == 422
    # Every error of the form at once, each at its input.
    assert field_error(response.text, "title") == "Say what needs doing."
    assert field_error(response.text, "max_reward") == "“At most” must be at least “At least”."
    assert field_error(response.text, "single_assignee") == "Choose the child who does it."
    response = create(
        parent, title="Lawn", reward_kind="range", min_reward="5", max_reward="2", assignment_mode="single"
    )
    assert field_error(response.text, "max_reward") == "“At most” must be at least “At least”."
    response = create(parent, title="Lawn", reward_kind="fixed", reward="2.555", assignment_mode="single")
    assert field_error(response.text, "reward")
    response = create(parent, title="Lawn", reward_kind="fixed", reward="2", assignment_mode="single")
    assert field_error(response.text, "single_assignee") == "Choose the child who does it."
    response = create(parent, title="Lawn", reward_kind="fixed", reward="2", assignment_mode="multi_independent")
    assert field_error(response.text, "multi_assignees")
    assert 'value="Lawn"' in response.text  # what was typed stays
    assert parent.api("GET", "/chores").json() == []


def test_editing_shows_the_chore_and_saves_the_changes(family):
    parent, _, (ada, ben) = family
    create(parent, title="Bins", reward_kind="fixed", reward="1.50", assignment_mode="single", single_assignee=str(ada))
    bins = chore_id(parent, "Bins")
    page = parent.get(f"/chores/{bins}/edit").text
    assert 'value="Bins"' in page and 'value="1.50"' in page
    assert re.search(rf'name="single_assignee" value="{ada}" checked', page)
    response = parent.submit(
        f"/chores/{bins}/edit",
        {
            "title": "Bins out",
            "reward_kind": "fixed",
            "reward": "2",
            "assignment_mode": "single",
            "single_assignee": str(ben),
        },
    )
    assert response.url.path == "/chores"
    saved = parent.api("GET", f"/chores/{bins}").json()
    assert saved["title"] == "Bins out" and saved["reward"] == 2.0 and saved["assignee_ids"] == [ben]


def test_pausing_hides_a_chore_from_children_and_deleting_removes_it(family):
    parent, (ada, _), (ada_id, _) = family
    create(
        parent, title="Plants", reward_kind="fixed", reward="1", assignment_mode="single", single_assignee=str(ada_id)
    )
    plants = chore_id(parent, "Plants")
    assert "Plants" in ada.get("/").text
    parent.get("/chores")
    assert "is paused" in parent.submit(f"/chores/{plants}/disable").text
    assert "Plants" not in ada.get("/").text
    parent.submit(f"/chores/{plants}/enable")
    assert "Plants" in ada.get("/").text
    parent.get(f"/chores/{plants}/edit")
    assert "is deleted" in parent.submit(f"/chores/{plants}/delete").text
    assert "Plants" not in ada.get("/").text
    assert parent.get(f"/chores/{plants}/edit").status_code == 404


def test_a_chore_waiting_for_approval_cannot_be_deleted(family):
    parent, (ada, _), (ada_id, _) = family
    create(
        parent, title="Shoes", reward_kind="fixed", reward="1", assignment_mode="single", single_assignee=str(ada_id)
    )
    shoes = chore_id(parent, "Shoes")
    ada.get("/")
    ada.submit(f"/chores/{shoes}/complete")
    parent.get(f"/chores/{shoes}/edit")
    response = parent.submit(f"/chores/{shoes}/delete")
    assert response.url.path == f"/chores/{shoes}/edit"
    assert "waiting for approval" in parent.flash()
    assert parent.api("GET", f"/chores/{shoes}").status_code == 200


def test_a_child_sees_to_do_waiting_and_available_again(family, app):
    parent, (ada, _), (ada_id, _) = family
    create(
        parent,
        title="Dog walk",
        reward_kind="fixed",
        reward="2",
        assignment_mode="single",
        single_assignee=str(ada_id),
        is_recurring="true",
        cooldown_days="3",
    )
    create(parent, title="Hoover", reward_kind="fixed", reward="1", assignment_mode="unassigned")
    walk, hoover = chore_id(parent, "Dog walk"), chore_id(parent, "Hoover")

    def lists() -> dict[str, list[str]]:
        html = ada.get("/").text
        sections = re.split(r'<h2 id="(todo|waiting|later)-title">', html)
        found = dict(zip(sections[1::2], sections[2::2], strict=True))
        return {name: re.findall(r'<h3 class="task-title">([^<]+)</h3>', body) for name, body in found.items()}

    assert lists() == {"todo": ["Dog walk", "Hoover"], "waiting": [], "later": []}
    ada.submit(f"/chores/{walk}/complete")
    ada.submit(f"/chores/{hoover}/complete")
    assert lists() == {"todo": [], "waiting": ["Dog walk", "Hoover"], "later": []}
    parent.get("/approvals")
    assignment = parent.api("GET", "/chores/pending-approval").json()
    walk_slot = next(a["assignment_id"] for a in assignment if a["chore"]["id"] == walk)
    parent.submit(f"/approvals/{walk_slot}/approve")
    assert lists() == {"todo": [], "waiting": ["Hoover"], "later": ["Dog walk"]}
    assert "$2.00" in ada.get("/").text  # the balance


def test_a_double_submitted_done_completes_once(family):
    parent, (ada, _), (ada_id, _) = family
    create(
        parent, title="Laundry", reward_kind="fixed", reward="1", assignment_mode="single", single_assignee=str(ada_id)
    )
    laundry = chore_id(parent, "Laundry")
    ada.get("/")
    token = ada.csrf_token()
    ada.submit(f"/chores/{laundry}/complete", token=token)
    response = ada.submit(f"/chores/{laundry}/complete", token=token)
    assert "already marked as done" in ada.flash()
    assert response.status_code == 200
    assert len(parent.api("GET", "/chores/pending-approval").json()) == 1


def test_a_range_chore_needs_an_amount_within_its_range(family):
    parent, (ada, _), (ada_id, _) = family
    create(
        parent,
        title="Car",
        reward_kind="range",
        min_reward="3",
        max_reward="8",
        assignment_mode="single",
        single_assignee=str(ada_id),
    )
    ada.get("/")
    ada.submit(f"/chores/{chore_id(parent, 'Car')}/complete")
    slot = parent.api("GET", "/chores/pending-approval").json()[0]["assignment_id"]
    page = parent.get("/approvals").text
    assert f'id="reward-{slot}"' in page and 'value="8.00"' in page  # the range's top, ready to lower
    response = parent.submit(f"/approvals/{slot}/approve", {"reward_value": "9"})
    assert response.status_code == 422
    assert field_error(response.text, f"reward-{slot}") == "Must be between $3.00 and $8.00."
    assert parent.api("GET", "/reports/allowance-summary").json()["family_summary"]["total_earned"] == 0
    response = parent.submit(f"/approvals/{slot}/approve", {"reward_value": "4.75"})
    assert "earned $4.75" in parent.flash()
    assert "4.75" in ada.get("/me/money").text


def test_sending_back_needs_a_reason_which_the_child_then_reads(family):
    parent, (ada, _), (ada_id, _) = family
    create(parent, title="Bed", reward_kind="fixed", reward="1", assignment_mode="single", single_assignee=str(ada_id))
    ada.get("/")
    ada.submit(f"/chores/{chore_id(parent, 'Bed')}/complete")
    slot = parent.api("GET", "/chores/pending-approval").json()[0]["assignment_id"]
    parent.get("/approvals")
    response = parent.submit(f"/approvals/{slot}/reject", {"rejection_reason": "   "})
    assert field_error(response.text, f"reason-{slot}")
    assert '<details class="reject" open>' in response.text
    parent.submit(f"/approvals/{slot}/reject", {"rejection_reason": "Pillows on the floor"})
    home = ada.get("/").text
    assert re.search(r'class="sent-back"><strong>Sent back:</strong> Pillows on the floor<', home)


def test_another_familys_chore_and_assignment_are_not_found(family, visitor):
    parent, (ada, _), (ada_id, _) = family
    create(
        parent, title="Secret", reward_kind="fixed", reward="1", assignment_mode="single", single_assignee=str(ada_id)
    )
    secret = chore_id(parent, "Secret")
    ada.get("/")
    ada.submit(f"/chores/{secret}/complete")
    slot = parent.api("GET", "/chores/pending-approval").json()[0]["assignment_id"]
    stranger = visitor()
    stranger.parent_with_family("The Others")
    assert stranger.get(f"/chores/{secret}/edit").status_code == 404
    assert stranger.submit(f"/approvals/{slot}/approve").status_code == 404
    assert stranger.submit(f"/chores/{secret}/delete").status_code == 404
    assert len(parent.api("GET", "/chores/pending-approval").json()) == 1


def test_approving_twice_pays_once_and_says_why_the_second_did_nothing(family):
    parent, (ada, _), (ada_id, _) = family
    create(
        parent, title="Trash", reward_kind="fixed", reward="1", assignment_mode="single", single_assignee=str(ada_id)
    )
    ada.get("/")
    ada.submit(f"/chores/{chore_id(parent, 'Trash')}/complete")
    slot = parent.api("GET", "/chores/pending-approval").json()[0]["assignment_id"]
    parent.get("/approvals")
    token = parent.csrf_token()
    parent.submit(f"/approvals/{slot}/approve", token=token)
    response = parent.submit(f"/approvals/{slot}/approve", token=token)
    assert response.url.path == "/approvals"
    assert "Nothing to review" in parent.flash()
    assert parent.api("GET", "/reports/allowance-summary").json()["family_summary"]["total_earned"] == 1


def test_a_missing_amount_is_said_in_plain_words(family):
    """The form's labels replace API field names in a message, never the same word in its sentence."""
    parent, _, _ = family
    response = create(parent, title="Lawn", reward_kind="fixed", reward="", assignment_mode="unassigned")
    assert response.status_code == 422
    assert field_error(response.text, "reward") == "Say how much it earns (0 or more)."
    response = create(
        parent, title="Lawn", reward_kind="range", min_reward="", max_reward="3", assignment_mode="unassigned"
    )
    assert field_error(response.text, "min_reward") == "Say the least it earns."
