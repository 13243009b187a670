"""Issue 11's "Done when", in a real browser: a parent in America/Chicago sets, through the pages,
a Mon/Wed/Fri 6 pm chore rotating between two children; each child sees it on its own days at
6:00 pm Chicago time (00:00 UTC the next day in winter, 23:00 UTC once summer time has begun on
14 Mar 2027); one occurrence is missed and its child is charged the penalty once, with the time
step (`chores-tracker tick`, a subprocess) run twice.

The served app and the tick read their clock from TEST_CLOCK_FILE, which the test writes: every
instant below is set, never waited for.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.serving import VIEWPORTS, run_command, served
from tests.browser.test_journey import add_child, log_in, sign_up_and_create_family, task
from tests.support.clock_file import write_instant

pytestmark = pytest.mark.browser

CHICAGO = ZoneInfo("America/Chicago")
TITLE = "Take out the trash"


class Journey:
    """The served app with a clock the test sets, its database, and the time step."""

    def __init__(self, workdir: Path, environment: dict[str, str], clock_file: Path, url: str) -> None:
        self.workdir, self.environment, self.clock_file, self.url = workdir, environment, clock_file, url

    def at(self, *when: int) -> datetime:
        """Sets the clock to a Chicago wall time (year, month, day, hour) and gives the instant."""
        instant = datetime(*when, tzinfo=CHICAGO)
        write_instant(self.clock_file, instant)
        return instant

    def tick(self) -> str:
        return run_command(self.workdir, self.environment, "tick").stdout

    def penalties(self, username: str) -> list[int]:
        with sqlite3.connect(self.workdir / "chores.db") as db:
            rows = db.execute(
                "SELECT l.amount_cents FROM ledger_entries l JOIN users u ON u.id = l.child_id "
                "WHERE u.username = ? AND l.occurrence_id IS NOT NULL ORDER BY l.id",
                (username,),
            )
            return [amount for (amount,) in rows]


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    workdir = tmp_path_factory.mktemp("schedule-journey")
    clock_file = workdir / "now"
    write_instant(clock_file, datetime(2027, 3, 7, 12, tzinfo=CHICAGO))
    environment = {
        "ENVIRONMENT": "test",
        "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
        "LOG_LEVEL": "WARNING",
        "TEST_CLOCK_FILE": str(clock_file),
        "TIME_STEP_INTERVAL_SECONDS": "0",  # the test runs the time step itself
    }
    with served(workdir, environment, before=[["db", "upgrade"]]) as url:
        yield Journey(workdir, environment, clock_file, url)


@pytest.fixture
def person(browser, journey: Journey):
    """A fresh browser in Chicago (its own cookies) on the journey's server, at phone size."""
    contexts = []
    problems: list[str] = []

    def open_page() -> Page:
        context = browser.new_context(base_url=journey.url, timezone_id="America/Chicago", **VIEWPORTS["phone"])
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=journey.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, problems


def section(page: Page, heading: str):
    return page.locator("section", has=page.get_by_role("heading", name=heading, exact=True))


def due_pill(page: Page, heading: str):
    """The chore's next due time in a section of the child's home: its text, and its instant in UTC."""
    when = section(page, heading).locator("li.task", has=page.get_by_role("heading", name=TITLE)).locator("time")
    first = when.first  # the earliest
    expect(first).to_be_visible()
    return first.inner_text().strip(), first.get_attribute("datetime")


def set_up_the_chore(parent: Page, ada: str, ben: str) -> None:
    parent.get_by_role("navigation", name="Main").get_by_role("link", name="Chores").click()
    parent.get_by_role("link", name=re.compile("New chore|Create the first chore")).first.click()
    parent.get_by_label("What needs doing?").fill(TITLE)
    parent.get_by_label("A fixed amount").check()
    parent.get_by_label("How much?").fill("1.00")
    parent.get_by_label("Several children").check()
    for child in (ada, ben):
        parent.get_by_role("group", name="Which children?").get_by_label(child).check()
    parent.get_by_label("How often").select_option("weekly")
    days = parent.get_by_role("group", name="On which days?")
    for day in ("Mon", "Wed", "Fri"):
        days.get_by_label(day, exact=True).check()
    parent.get_by_label("Due by").fill("18:00")
    parent.get_by_text("Season, reminders and lateness").click()
    parent.get_by_label("Penalty when missed").fill("0.50")
    parent.get_by_label("Taking turns").check()
    turns = parent.locator(".turns")
    expect(turns.get_by_label(ada, exact=True)).to_have_value("1")  # the order of turns: Ada, then Ben
    expect(turns.get_by_label(ben, exact=True)).to_have_value("2")
    # Read back in plain words before saving: the server's own describe(), as the API's schedule_text.
    parent.get_by_role("button", name="Read it back").click()
    expect(parent.locator(".schedule-text")).to_have_text("Every Mon, Wed and Fri by 6 pm")
    parent.get_by_role("button", name="Create chore").click()
    expect(parent.get_by_role("status")).to_contain_text(
        f"“{TITLE}” is ready for the children: Every Mon, Wed and Fri by 6 pm."
    )


def test_a_rotating_mon_wed_fri_6pm_chore_in_chicago_across_the_clock_change(journey, person):
    ada, ben, mum = "adasched", "bensched", "mumsched"
    # Sunday 7 March 2027, noon in Chicago (CST, UTC-6).
    parent = person()
    sign_up_and_create_family(parent, mum)
    add_child(parent, ada)
    add_child(parent, ben)
    set_up_the_chore(parent, ada, ben)

    # Monday 8 March, 10 am: Ada's turn, due at 6:00 pm, which is midnight UTC.
    journey.at(2027, 3, 8, 10)
    ada_page, ben_page = person(), person()
    log_in(ada_page, ada)
    assert due_pill(ada_page, "Today") == ("By 6:00 pm", "2027-03-09T00:00:00+00:00")
    log_in(ben_page, ben)
    expect(section(ben_page, "Today")).to_contain_text("Nothing on the calendar for today")
    assert due_pill(ben_page, "Coming up") == ("Wed 10 Mar, by 6:00 pm", "2027-03-11T00:00:00+00:00")
    expect(task(ben_page, TITLE).get_by_role("button", name=re.compile("Done"))).to_have_count(0)

    task(ada_page, TITLE).get_by_role("button", name=re.compile("Done")).first.click()
    expect(ada_page.get_by_role("status")).to_contain_text("waiting for a parent")
    parent.goto("/approvals")
    parent.get_by_role("button", name=re.compile("Approve")).first.click()
    expect(parent.get_by_role("status")).to_contain_text("Approved")

    # Wednesday is Ben's: it shows to him at 6:00 pm, and he lets it pass.
    journey.at(2027, 3, 10, 9)
    ben_page.goto("/")
    assert due_pill(ben_page, "Today") == ("By 6:00 pm", "2027-03-11T00:00:00+00:00")
    ada_page.goto("/")
    assert due_pill(ada_page, "Coming up") == ("Fri 12 Mar, by 6:00 pm", "2027-03-13T00:00:00+00:00")

    # Friday 10 am: Wednesday's was missed when Friday began. The time step, run twice, charges once.
    journey.at(2027, 3, 12, 10)
    first, second = journey.tick(), journey.tick()
    assert "2027-03-12T16:00:00+00:00" in first and "2027-03-12T16:00:00+00:00" in second
    assert journey.penalties(ben) == [-50] and journey.penalties(ada) == []
    ben_page.goto("/")
    expect(ben_page.locator(".balance-chip-value")).to_have_text("−$0.50")
    parent.goto("/week?start=2027-03-08")
    wednesday = parent.locator("section.week-day", has=parent.locator("#day-2027-03-10"))
    expect(wednesday.locator(".week-lane[data-child]", has_text=ben).locator(".state-pill")).to_have_text("missed")
    # Friday is Ada's again; she does it, so nothing more is missed.
    ada_page.goto("/")
    assert due_pill(ada_page, "Today") == ("By 6:00 pm", "2027-03-13T00:00:00+00:00")
    task(ada_page, TITLE).get_by_role("button", name=re.compile("Done")).first.click()
    expect(ada_page.get_by_role("status")).to_contain_text("waiting for a parent")

    # Monday 15 March, after the clocks went forward (CDT, UTC-5): still 6:00 pm, now 23:00 UTC.
    journey.at(2027, 3, 15, 11)
    journey.tick()
    for page, name in ((ben_page, ben), (ada_page, ada)):
        log_in(page, name)  # a week later: the sessions of last Sunday have ended
    assert due_pill(ben_page, "Today") == ("By 6:00 pm", "2027-03-15T23:00:00+00:00")
    assert due_pill(ada_page, "Coming up") == ("Wed 17 Mar, by 6:00 pm", "2027-03-17T23:00:00+00:00")
    assert journey.penalties(ben) == [-50] and journey.penalties(ada) == []
