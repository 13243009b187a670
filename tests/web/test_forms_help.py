"""Forms that help (issue 14, point 9) and amounts in the family's currency (point 10) on the pages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from chores_tracker.chores.schedule import ScheduleKind
from chores_tracker.errors import DomainError, InvalidInput
from chores_tracker.web import chore_templates
from chores_tracker.web.chore_pages import LABELS
from chores_tracker.web.forms import FormErrors
from tests.web.conftest import field_error, user_id

RULES = Path(__file__).resolve().parents[2] / "backend" / "chores_tracker" / "chores" / "rules.py"
# "a an", "an an", "a a": an article before an article; a word said twice ("a reward reward").
GARBLED = re.compile(r"\b(?:an?) (?:an?)\b|\b(\w+) \1\b", re.IGNORECASE)
# A name only the API uses (reward_value, assignee_ids, multi_independent...).
API_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b")


@pytest.fixture
def family(visitor, app):
    parent = visitor()
    parent.parent_with_family()
    names = [parent.add_child(), parent.add_child()]
    return parent, [user_id(app, name) for name in names]


def create(parent, fields: dict) -> object:
    parent.get("/chores/new")
    return parent.submit("/chores/new", fields)


def errors_on(html: str) -> dict[str, str]:
    return dict(re.findall(r'id="f-([\w-]+)-error">([^<]*)<', html))


def rule_messages() -> list[str]:
    """Every message chores/rules.py raises, f-strings written out for each value they can take."""
    found: list[str] = []
    for node in ast.walk(ast.parse(RULES.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "InvalidInput" and node.args:
            text = node.args[0]
            if isinstance(text, ast.Constant):
                found.append(text.value)
            elif isinstance(text, ast.JoinedStr):
                parts = ["{}" if isinstance(part, ast.FormattedValue) else part.value for part in text.values]
                template = "".join(parts)
                found += [template.format(*[value] * template.count("{}")) for value in _placeholders(template)]
    assert len(found) > 10
    return found


def _placeholders(template: str) -> list[str]:
    if "chore is never missed" in template:
        return ["once", "after_completion"]
    if "which {}" in template:
        return ["repeats", "happens once"]
    return ["x"]


def test_every_chore_form_message_reads_as_plain_words():
    """No "a an", no doubled word, no API name, in what the chore form shows for each rule."""
    shown = []
    for message in rule_messages():
        if message.startswith(("is_recurring", "cooldown_days", "must not be null")):
            continue  # API-only: the form sends neither field, and never a null
        errors = FormErrors().from_domain(InvalidInput(message, field="title"), words=LABELS)
        shown.append(errors.fields["title"])
    for text in shown:
        assert not GARBLED.search(text), text
        assert not API_NAME.search(text), text
    assert "Say how much it earns (0 or more)." in shown


def test_labels_do_not_garble_the_old_missing_amount_message():
    errors = FormErrors().from_domain(InvalidInput("a fixed reward chore needs a reward", field="reward"), words=LABELS)
    assert "an amount" not in errors.fields["reward"] and not GARBLED.search(errors.fields["reward"])


def test_the_form_shows_every_error_at_once_each_at_its_input(family):
    parent, (_ada, _) = family
    response = create(
        parent,
        {
            "title": "",
            "reward_kind": "range",
            "min_reward": "2.555",  # the schema refuses it
            "max_reward": "",  # a rule refuses it
            "assignment_mode": "single",  # and no child chosen: another rule
            "schedule_kind": "daily",
            "schedule_missed_penalty": "lots",  # the page refuses it
            "auto_approve": "true",  # a range cannot approve itself
        },
    )
    assert response.status_code == 422
    errors = errors_on(response.text)
    assert set(errors) >= {"title", "min_reward", "max_reward", "single_assignee", "schedule_missed_penalty"}, errors
    assert errors["title"] == "Say what needs doing."
    assert errors["max_reward"] == "Say the most it earns."
    assert errors["single_assignee"] == "Choose the child who does it."
    assert errors["min_reward"] == "Enter an amount like $2.50: digits, and at most two decimals."
    assert errors["schedule_missed_penalty"] == "Enter an amount like $0.50: digits, and at most two decimals."
    for text in errors.values():
        assert not GARBLED.search(text) and not API_NAME.search(text), text
    assert parent.api("GET", "/chores").json() == []


def test_a_rotation_without_children_says_so_in_plain_words(family):
    parent, (ada, _) = family
    response = create(
        parent,
        {"title": "Bins", "reward_kind": "fixed", "reward": "1", "assignment_mode": "multi_independent",
         "multi_assignees": [str(ada)], "schedule_kind": "daily", "schedule_rotation": "round_robin"},
    )  # fmt: skip
    assert response.status_code == 422
    assert field_error(response.text, "schedule_rotation") == (
        "Taking turns needs several children: choose “Several children” and tick two or more."
    )


def test_chores_to_start_from_fill_the_form_and_save_as_the_api_takes_them(family):
    parent, (ada, _) = family
    page = parent.get("/chores/new")
    for template in chore_templates.TEMPLATES:
        assert f'href="/chores/new?template={template.slug}#f-title"' in page.text
    page = parent.get("/chores/new?template=take-out-the-bins")
    assert 'value="Take out the bins"' in page.text and 'value="1.00"' in page.text
    assert 'value="weekly" selected' in page.text
    assert "Every Tue by 8 pm" in page.text  # read back in the API's words
    form = {
        "title": "Take out the bins",
        "description": "The night before collection.",
        "reward_kind": "fixed",
        "reward": "1.00",
        "assignment_mode": "single",
        "single_assignee": str(ada),
        "schedule_kind": "weekly",
        "schedule_weekdays": ["1"],
        "schedule_due_time": "20:00",
    }
    response = parent.submit("/chores/new", form)
    assert response.url.path == "/chores", response.text
    (made,) = parent.api("GET", "/chores").json()
    assert (made["reward"], made["schedule"]["kind"], made["schedule"]["weekdays"]) == (1.0, "weekly", [1])
    # An unknown template is just the empty form.
    assert 'value="Take out the bins"' not in parent.get("/chores/new?template=nope").text


def test_every_template_reads_back_as_a_valid_schedule(family):
    parent, _ = family
    for template in chore_templates.TEMPLATES:
        page = parent.get(f"/chores/new?template={template.slug}")
        assert 'id="schedule-text"' in page.text, template.slug
        assert ScheduleKind(template.schedule["schedule_kind"])


def test_date_inputs_are_date_pickers(family):
    parent, _ = family
    page = parent.get("/chores/new")
    assert re.search(r'id="f-schedule_due_date" name="schedule_due_date" type="date"', page.text)
    assert re.search(r'id="f-schedule_anchor" name="schedule_anchor" type="date"', page.text)
    assert re.search(r'name="schedule_due_time" type="time"', page.text)


def test_amount_inputs_carry_the_currency_symbol_and_errors_their_amounts_in_it(family):
    parent, (_ada, _) = family
    page = parent.get("/chores/new")
    assert page.text.count('<span class="money-symbol" aria-hidden="true">$</span>') == 4
    assert '<span class="visually-hidden"> (in USD)</span>' in page.text
    response = create(
        parent, {"title": "Car", "reward_kind": "fixed", "reward": "2000000", "assignment_mode": "unassigned"}
    )
    assert field_error(response.text, "reward") == "Must be between $0.00 and $1,000,000.00."


def test_the_owner_chooses_the_currency_on_the_family_page_and_every_amount_follows(family, visitor):
    parent, (ada, _) = family
    page = parent.get("/family")
    assert '<option value="JPY">Japanese Yen (JPY)</option>' in page.text
    response = parent.submit("/family/currency", {"currency": "JPY"})
    assert response.url.path == "/family"
    assert parent.flash() == "Every amount is in JPY now, like ¥1,234."
    assert 'value="JPY" selected' in response.text

    page = parent.get("/chores/new")
    assert '<span class="money-symbol" aria-hidden="true">¥</span>' in page.text
    assert 'placeholder="2"' in page.text
    # Decimals in yen are refused at the input, in plain words; whole yen are taken.
    response = parent.submit(
        "/chores/new",
        {"title": "Bins", "reward_kind": "fixed", "reward": "150.50", "assignment_mode": "single",
         "single_assignee": str(ada)},
    )  # fmt: skip
    assert response.status_code == 422
    assert field_error(response.text, "reward") == "Amounts in JPY are a whole amount: no decimals."
    response = parent.submit(
        "/chores/new",
        {"title": "Bins", "reward_kind": "fixed", "reward": "abc", "assignment_mode": "single",
         "single_assignee": str(ada)},
    )  # fmt: skip
    assert field_error(response.text, "reward") == "Enter an amount like ¥500: whole numbers, no decimals."
    parent.submit(
        "/chores/new",
        {"title": "Bins", "reward_kind": "fixed", "reward": "150", "assignment_mode": "single",
         "single_assignee": str(ada)},
    )  # fmt: skip
    assert "¥150" in parent.get("/chores").text
    parent.get(f"/children/{ada}")
    parent.submit(f"/children/{ada}/adjustments", {"kind": "bonus", "amount": "1200", "reason": "Kind"})
    assert parent.flash().endswith("got a bonus of ¥1,200.")
    assert "+¥1,200" in parent.get(f"/children/{ada}").text
    # The edit form shows whole yen.
    chore = parent.api("GET", "/chores").json()[0]
    assert 'name="reward" type="text" value="150"' in parent.get(f"/chores/{chore['id']}/edit").text


def test_another_parent_sees_the_currency_but_cannot_change_it(family, visitor):
    parent, _ = family
    code = parent.api("POST", "/families/invite-code/generate", json={}).json()["invite_code"]
    other = visitor()
    other.sign_up()
    other.get("/family/setup")
    other.submit("/family/join", {"invite_code": code})
    page = other.get("/family")
    assert "The family's money is in US Dollar (USD). The family's owner can change it." in page.text
    assert 'action="/family/currency"' not in page.text
    assert other.submit("/family/currency", {"currency": "EUR"}).status_code == 403
    assert parent.api("GET", "/families/context").json()["family"]["currency"] == "USD"


def test_amounts_follow_the_browsers_language(family):
    parent, _ = family
    parent.get("/family")
    parent.submit("/family/currency", {"currency": "EUR"})
    english = parent.get("/family")
    assert "like €1,234.50" in english.text
    spanish = parent.get("/family", headers={"Accept-Language": "es-ES,es;q=0.9"})
    # The page is in Spanish too now (issue 14 point 10): its words and its amounts.
    assert "como 1.234,50\xa0€" in spanish.text


def test_a_domain_error_carries_its_further_problems_and_a_page_shows_them_all():
    first = InvalidInput("a chore needs a title", field="title")
    error = DomainError.first_of([first, InvalidInput("a range reward needs max_reward", field="max_reward")])
    assert error is first
    shown = FormErrors().from_domain(error, words=LABELS).fields
    assert shown == {"title": "Say what needs doing.", "max_reward": "Say the most it earns."}


def test_a_bonus_form_shows_the_sign_and_the_missing_reason_at_once(family):
    parent, (ada, _) = family
    parent.get(f"/children/{ada}")
    response = parent.submit(f"/children/{ada}/adjustments", {"kind": "bonus", "amount": "-2", "reason": ""})
    assert response.status_code == 422
    assert field_error(response.text, "adjustment-amount") == (
        "Enter the amount without a sign, and choose bonus or penalty."
    )
    assert field_error(response.text, "adjustment-reason") == "This field is required."
