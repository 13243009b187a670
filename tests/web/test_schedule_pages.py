"""Schedules through the pages: the chore form's schedule picker (every kind, read back in the API's
plain words, errors at their inputs), the child's Overdue / Today / Coming up, and a parent's week
with skip, snooze and pausing a child. Times show in the family's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from chores_tracker import clock
from chores_tracker.chores.schedule import local_date
from tests.support.clock_file import write_instant
from tests.web.conftest import field_error, user_id


@pytest.fixture
def family(visitor, app):
    """A parent with two children in America/Chicago, each child logged in on its own browser."""
    parent = visitor()
    parent.parent_with_family()
    assert parent.api("PUT", "/families/timezone", json={"timezone": "America/Chicago"}).status_code == 200
    names = [parent.add_child(), parent.add_child()]
    children = []
    for name in names:
        child = visitor()
        child.log_in(name)
        children.append(child)
    return parent, children, [user_id(app, name) for name in names], names


CHICAGO = ZoneInfo("America/Chicago")


def chicago_today() -> date:
    return local_date(datetime.now(UTC), CHICAGO)


def create(parent, **fields):
    parent.get("/chores/new")
    body = {"title": "Trash", "reward_kind": "fixed", "reward": "1", "assignment_mode": "single", **fields}
    return parent.submit("/chores/new", body)


def api_chore(parent, title: str) -> dict:
    return next(c for c in parent.api("GET", "/chores").json() if c["title"] == title)


# Every kind, as the picker's inputs, and the schedule the API then holds.
KINDS = [
    ({"schedule_kind": "once"}, {"kind": "once"}, "Once"),
    (
        {"schedule_kind": "once", "schedule_due_date": "2027-06-04", "schedule_due_time": "18:00"},
        {"kind": "once", "due_date": "2027-06-04", "due_time": "18:00"},
        "Once, due Fri 4 Jun by 6 pm",
    ),
    ({"schedule_kind": "daily", "schedule_due_time": "07:30"}, {"kind": "daily", "due_time": "07:30"}, None),
    (
        {"schedule_kind": "every_n_days", "schedule_every_days": "3", "schedule_anchor": "2027-01-04"},
        {"kind": "every_n_days", "interval": 3, "anchor": "2027-01-04"},
        "Every 3 days",
    ),
    (
        {"schedule_kind": "weekly", "schedule_weekdays": ["0", "2", "4"], "schedule_due_time": "18:00"},
        {"kind": "weekly", "weekdays": [0, 2, 4], "due_time": "18:00"},
        "Every Mon, Wed and Fri by 6 pm",
    ),
    (
        {
            "schedule_kind": "every_n_weeks",
            "schedule_every_weeks": "2",
            "schedule_weekdays": ["5"],
            "schedule_anchor": "2027-01-04",
        },
        {"kind": "every_n_weeks", "interval": 2, "weekdays": [5], "anchor": "2027-01-04"},
        "Every 2 weeks on Sat",
    ),
    (
        {"schedule_kind": "monthly_day", "schedule_day_of_month": "15"},
        {"kind": "monthly_day", "day_of_month": 15},
        "Monthly on the 15th",
    ),
    (
        {"schedule_kind": "monthly_nth_weekday", "schedule_nth": "2", "schedule_nth_weekday": "5"},
        {"kind": "monthly_nth_weekday", "nth": 2, "weekdays": [5]},
        "Monthly on the second Saturday",
    ),
    ({"schedule_kind": "monthly_last_day"}, {"kind": "monthly_last_day"}, "Monthly on the last day"),
    (
        {"schedule_kind": "yearly", "schedule_month": "7", "schedule_day_of_month": "4"},
        {"kind": "yearly", "month": 7, "day_of_month": 4},
        "Every year on 4 Jul",
    ),
    (
        {"schedule_kind": "after_completion", "schedule_after_days": "3"},
        {"kind": "after_completion", "interval": 3},
        "3 days after it is done",
    ),
]


@pytest.mark.parametrize(("inputs", "expected", "words"), KINDS, ids=[k[1]["kind"] for k in KINDS])
def test_the_picker_sets_every_kind_and_the_edit_form_shows_it_again(family, inputs, expected, words):
    parent, _, (ada, _ben), _ = family
    response = create(parent, single_assignee=str(ada), **inputs)
    assert response.url.path == "/chores", response.text
    made = api_chore(parent, "Trash")
    assert {name: made["schedule"].get(name) for name in expected} == expected
    if words:
        assert made["schedule_text"] == words
    # The message and the edit form read it back in the API's words.
    assert f"ready for the children: {made['schedule_text']}." in response.text

    page = parent.get(f"/chores/{made['id']}/edit")
    assert re.search(r'class="schedule-text"[^>]*>.*?<span>([^<]*)</span>', page.text).group(1) == made["schedule_text"]
    assert re.search(rf'<option value="{expected["kind"]}" selected>', page.text)
    # Saving the form unchanged keeps the schedule.
    fields = dict(
        re.findall(r'<input id="f-(schedule_[a-z_]+)" name="\1" type="(?:text|date|time)"\s*value="([^"]*)"', page.text)
    )
    resaved = parent.submit(
        f"/chores/{made['id']}/edit",
        {
            "title": "Trash",
            "reward_kind": "fixed",
            "reward": "1",
            "assignment_mode": "single",
            "single_assignee": str(ada),
            **inputs,
            **{k: v for k, v in fields.items() if v},
        },
    )
    assert resaved.url.path == "/chores", resaved.text
    assert api_chore(parent, "Trash")["schedule"] == made["schedule"]


def test_due_time_season_lead_grace_and_penalty_are_read_and_shown(family):
    parent, _, (ada, _ben), _ = family
    create(
        parent,
        single_assignee=str(ada),
        schedule_kind="weekly",
        schedule_weekdays=["5"],
        schedule_due_time="09:00",
        schedule_season_start="04-01",
        schedule_season_end="10-31",
        schedule_lead_time_hours="12",
        schedule_grace_hours="2",
        schedule_missed_penalty="0.50",
    )
    made = api_chore(parent, "Trash")["schedule"]
    assert made["season"] == {"start": "04-01", "end": "10-31"}
    assert (made["lead_time_hours"], made["grace_hours"], made["missed_penalty_cents"]) == (12, 2, 50)
    page = parent.get(f"/chores/{api_chore(parent, 'Trash')['id']}/edit").text
    assert "Every Sat by 9 am (Apr–Oct)" in page
    for name, value in [
        ("schedule_season_start", "04-01"),
        ("schedule_missed_penalty", "0.50"),
        ("schedule_grace_hours", "2"),
    ]:
        assert re.search(rf'name="{name}" type="text"\s*value="{re.escape(value)}"', page), name


def test_only_the_chosen_kinds_inputs_are_read(family):
    """An interval typed for "every few days" does not count when "on days of the week" is chosen."""
    parent, _, (ada, _ben), _ = family
    response = create(
        parent,
        single_assignee=str(ada),
        schedule_kind="weekly",
        schedule_weekdays=["1"],
        schedule_every_days="nonsense",
        schedule_due_date="not a date",
        schedule_month="13",
    )
    assert response.url.path == "/chores", response.text
    assert api_chore(parent, "Trash")["schedule_text"] == "Every Tue"


@pytest.mark.parametrize(
    ("inputs", "field", "words"),
    [
        ({"schedule_kind": "weekly"}, "schedule_weekdays", "which days of the week"),
        (
            {"schedule_kind": "every_n_days", "schedule_every_days": "x", "schedule_anchor": "2027-01-04"},
            "schedule_every_days",
            "whole number",
        ),
        (
            {"schedule_kind": "every_n_days", "schedule_every_days": "0", "schedule_anchor": "2027-01-04"},
            "schedule_every_days",
            "1 to 365",
        ),
        (
            {
                "schedule_kind": "every_n_weeks",
                "schedule_every_weeks": "2",
                "schedule_weekdays": ["1"],
                "schedule_anchor": "",
            },
            "schedule_anchor",
            "required",
        ),
        ({"schedule_kind": "monthly_day", "schedule_day_of_month": "32"}, "schedule_day_of_month", "31"),
        ({"schedule_kind": "monthly_nth_weekday", "schedule_nth": "2"}, "schedule_nth_weekday", "required"),
        (
            {"schedule_kind": "yearly", "schedule_month": "2", "schedule_day_of_month": "30"},
            "schedule_day_of_month",
            "Feb has 29 days",
        ),
        ({"schedule_kind": "once", "schedule_due_date": "2027-02-30"}, "schedule_due_date", "not a day"),
        ({"schedule_kind": "daily", "schedule_due_time": "25:00"}, "schedule_due_time", "HH:MM"),
        (
            {"schedule_kind": "daily", "schedule_season_start": "13-01", "schedule_season_end": "10-31"},
            "schedule_season_start",
            "MM-DD",
        ),
        (
            {"schedule_kind": "daily", "schedule_grace_hours": "-1"},
            "schedule_grace_hours",
            "greater than or equal to 0",
        ),
        ({"schedule_kind": "daily", "schedule_missed_penalty": "1.234"}, "schedule_missed_penalty", "0.50"),
        ({"schedule_kind": "once", "schedule_missed_penalty": "1"}, "schedule_missed_penalty", "never missed"),
        ({"schedule_kind": "nightly"}, "schedule_kind", "Input should be"),
    ],
)
def test_a_schedule_that_makes_no_sense_is_shown_again_with_the_error_at_its_input(family, inputs, field, words):
    parent, _, (ada, _ben), _ = family
    response = create(parent, single_assignee=str(ada), **inputs)
    assert response.status_code == 422
    message = field_error(response.text, field)
    assert message and words in message, (field, message, re.findall(r'id="(f-[a-z_]+)-error">([^<]*)<', response.text))
    assert not any(c["title"] == "Trash" for c in parent.api("GET", "/chores").json())
    # What was typed stays in the form.
    for name, value in inputs.items():
        if isinstance(value, str) and value and name != "schedule_kind":
            assert f'value="{value}"' in response.text


def test_a_rotation_needs_several_children_and_takes_turns_in_the_order_given(family):
    parent, _, (ada, ben), _ = family
    refused = create(
        parent,
        assignment_mode="multi_independent",
        multi_assignees=[str(ada)],
        schedule_kind="daily",
        schedule_rotation="round_robin",
    )
    assert refused.status_code == 422 and "two or more" in field_error(refused.text, "schedule_rotation")
    create(
        parent,
        title="Dishes",
        assignment_mode="multi_independent",
        multi_assignees=[str(ada), str(ben)],
        **{f"turn_{ben}": "1", f"turn_{ada}": "2"},
        schedule_kind="daily",
        schedule_rotation="round_robin",
    )
    made = api_chore(parent, "Dishes")
    assert made["schedule"]["rotation"] == "round_robin" and made["assignee_ids"] == [ben, ada]
    page = parent.get(f"/chores/{made['id']}/edit").text
    assert re.search(r'name="schedule_rotation" value="round_robin" checked', page)
    assert f'name="turn_{ben}" inputmode="numeric" class="days" autocomplete="off" value="1"' in page


def test_read_it_back_shows_the_words_without_saving(family):
    parent, _, (ada, _ben), _ = family
    parent.get("/chores/new")
    page = parent.submit(
        "/chores/new",
        {
            "title": "Trash",
            "reward_kind": "fixed",
            "reward": "1",
            "assignment_mode": "single",
            "single_assignee": str(ada),
            "schedule_kind": "weekly",
            "schedule_weekdays": ["0", "2", "4"],
            "schedule_due_time": "18:00",
            "action": "preview",
        },
    )
    assert page.status_code == 200 and "Every Mon, Wed and Fri by 6 pm" in page.text
    assert 'value="Trash"' in page.text and parent.api("GET", "/chores").json() == []
    bad = parent.submit("/chores/new", {"title": "Trash", "schedule_kind": "weekly", "action": "preview"})
    assert bad.status_code == 422 and field_error(bad.text, "schedule_weekdays")


def test_the_new_form_starts_the_day_counts_today_in_the_familys_zone(family):
    parent, *_ = family
    page = parent.get("/chores/new").text
    assert re.search(rf'name="schedule_anchor" type="date"\s*value="{chicago_today().isoformat()}"', page)


# -- the child's day and the parent's week, at set instants (TEST_CLOCK_FILE's clock) -------------

MONDAY_10AM = datetime(2027, 1, 4, 10, 0, tzinfo=CHICAGO)  # 16:00 UTC


@pytest.fixture
def set_clock(app, tmp_path):
    """The app's clock at the instants a test writes (after the app is built: building resets it)."""
    path = tmp_path / "now"
    clock.follow_file(path)
    yield lambda instant: write_instant(path, instant)
    clock.follow_file(None)


@pytest.fixture
def rotation(set_clock, family):
    """At 10:00 on Monday 4 Jan 2027 in Chicago: Trash every Mon, Wed and Fri by 6 pm, taking turns."""
    parent, _children, (ada, ben), _names = family
    response = create(
        parent,
        assignment_mode="multi_independent",
        multi_assignees=[str(ada), str(ben)],
        schedule_kind="weekly",
        schedule_weekdays=["0", "2", "4"],
        schedule_due_time="18:00",
        schedule_rotation="round_robin",
    )
    assert response.url.path == "/chores", response.text
    return family


def sections(html: str) -> dict[str, str]:
    """The child's home, by section: its heading's id and its text (tags dropped)."""
    parts = re.split(r'<h2 id="([a-z]+)-title">', html)
    return {
        name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }


@pytest.fixture(autouse=False)
def monday(set_clock):
    set_clock(MONDAY_10AM)


def test_a_child_sees_today_overdue_and_coming_up_at_the_familys_local_time(monday, set_clock, rotation):
    parent, (ada, ben), _ids, _names = rotation
    first = sections(ada.get("/").text)
    # Monday is Ada's turn: due by 6:00 pm Chicago (00:00 UTC on Tuesday), with its Done button.
    assert "Trash By 6:00 pm" in first["today"] and "Done : Trash" in first["today"]
    assert "Trash" not in first["todo"]  # not listed twice
    assert "Fri 8 Jan, by 6:00 pm" in first["coming"] and "Wed 6 Jan" not in first["coming"]
    assert "12:00 am" not in ada.page.text and "overdue" not in first
    other = sections(ben.get("/").text)
    assert "Nothing on the calendar for today" in other["today"] and "Trash" not in other["todo"]
    assert "Wed 6 Jan, by 6:00 pm" in other["coming"] and "Done" not in other["coming"]

    # Tuesday morning: Monday's is overdue for Ada (still hers to do); Wednesday's is Ben's, later.
    set_clock(datetime(2027, 1, 5, 9, 0, tzinfo=CHICAGO))
    late = sections(ada.get("/").text)
    assert "Trash Was due Yesterday, 6:00 pm" in late["overdue"] and "Done : Trash" in late["overdue"]
    tomorrow = sections(ben.get("/").text)
    assert "Trash Tomorrow, by 6:00 pm" in tomorrow["coming"] and "Trash" not in tomorrow["todo"]
    refused = ben.submit(f"/chores/{api_chore(parent, 'Trash')['id']}/complete")
    assert "it is not your turn" in refused.text
    ada.submit(f"/chores/{api_chore(parent, 'Trash')['id']}/complete")
    done = sections(ada.get("/").text)
    assert "overdue" not in done and "Trash" in done["waiting"]


def occurrence_ids(parent, day: str) -> dict[int | None, int]:
    found = parent.api("GET", "/occurrences", params={"date_from": day, "date_to": day}).json()
    return {item["child_id"]: item["id"] for item in found}


def test_a_parents_week_shows_each_day_per_child_and_skips_snoozes_and_pauses(monday, rotation):
    parent, _children, (ada, ben), (ada_name, ben_name) = rotation
    page = parent.get("/week?start=2027-01-04")
    assert page.status_code == 200 and "Week of Mon 4 Jan 2027" in page.text

    def day(on: str) -> str:
        body = parent.page.text.split(f'id="day-{on}"', 1)[1].split("</section>", 1)[0]
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))

    assert re.search(rf"{ada_name} Trash 6:00 pm due Skip", day("2027-01-04"))
    assert re.search(rf"{ben_name} Trash 6:00 pm upcoming", day("2027-01-06"))
    assert re.search(rf"{ada_name} Trash 6:00 pm upcoming", day("2027-01-08"))
    assert f"{ben_name} Nothing due" in day("2027-01-04") and "Trash" not in day("2027-01-05")

    wednesday = occurrence_ids(parent, "2027-01-06")[ben]
    page = parent.submit(f"/week/occurrences/{wednesday}/skip", {"start": "2027-01-04"})
    assert page.url.path == "/week" and "Skipped “Trash” for" in parent.flash()
    assert re.search(rf"{ben_name} Trash 6:00 pm skipped", day("2027-01-06"))
    again = parent.submit(f"/week/occurrences/{wednesday}/skip", {"start": "2027-01-04"})
    assert "skipped" in parent.flash() and again.url.path == "/week"

    friday = occurrence_ids(parent, "2027-01-08")[ada]
    parent.submit(f"/week/occurrences/{friday}/snooze", {"start": "2027-01-04", "days": "2"})
    assert "now due Sun 10 Jan" in parent.flash()
    assert re.search(rf"{ada_name} Trash 6:00 pm \(Sun 10 Jan\) upcoming", day("2027-01-08"))

    # Ada is away on Monday 11 Jan: her turn that day goes to Ben.
    parent.get("/week?start=2027-01-11")
    page = parent.submit(
        "/week/pauses",
        {"start": "2027-01-11", "child_id": str(ada), "first_day": "2027-01-11", "last_day": "2027-01-11"},
    )
    assert page.url.path == "/week" and "is paused from Mon 11 Jan to Mon 11 Jan" in parent.flash()
    monday_next = day("2027-01-11")
    assert f"{ada_name} Paused Nothing due" in monday_next and re.search(
        rf"{ben_name} Trash 6:00 pm upcoming", monday_next
    )


@pytest.mark.parametrize(
    ("inputs", "field", "words"),
    [
        ({"first_day": "2027-01-12", "last_day": "2027-01-11"}, "last_day", "must not be before"),
        ({"first_day": "someday", "last_day": "2027-01-11"}, "first_day", "Enter a date"),
        ({"first_day": "2027-01-11", "last_day": "2028-06-11"}, "last_day", "at most"),
        ({"child_id": "", "first_day": "2027-01-11", "last_day": "2027-01-11"}, "child_id", "Choose a child"),
        ({"child_id": "999999", "first_day": "2027-01-11", "last_day": "2027-01-11"}, "child_id", "Choose a child"),
    ],
)
def test_a_pause_that_makes_no_sense_is_shown_again_with_the_error_at_its_input(monday, family, inputs, field, words):
    parent, _children, (ada, _ben), _names = family
    parent.get("/week")
    page = parent.submit("/week/pauses", {"child_id": str(ada), **inputs})
    assert page.status_code == 422
    assert words in (field_error(page.text, field) or ""), re.findall(r'id="(f-[a-z_]+)-error">([^<]*)<', page.text)


def test_a_week_that_is_not_a_date_is_a_clear_422_and_a_child_may_not_see_the_week(monday, family):
    parent, (ada, _ben), _ids, _names = family
    page = parent.get("/week?start=next-monday")
    assert page.status_code == 422 and "Enter a date" in field_error(page.text, "start")
    assert ada.get("/week").status_code == 403
    assert parent.get("/week").status_code == 200 and "Week of Mon 4 Jan 2027" in parent.page.text
