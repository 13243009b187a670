"""The answer cache (http.AnswerCache): the three main reads' bodies kept per process by ETag.

A kept body is sent only while its ETag is still the answer: the family's revision (every write
bumps it), the caller, the query string and the moment the answer changes by itself. These tests
compare every answer with one made by an app that keeps nothing (ANSWER_CACHE_BYTES=0).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chores_tracker import clock
from chores_tracker.http import AnswerCache
from tests.support.api import Api
from tests.support.family import approve, chore, complete, family
from tests.test_statement_counts import counting_statements

READS = [
    ("/chores/available", "kid", None),
    ("/chores/pending-approval", "parent", None),
    ("/chores/pending-approval", "parent", {"limit": "1"}),
    ("/reports/allowance-summary", "parent", None),
    ("/reports/allowance-summary", "parent", {"date_from": "2026-01-01"}),
]


@pytest.fixture
def uncached(database, build_app) -> Iterator[Api]:
    """The same database served by an app that keeps no answers: what every answer must be."""
    with TestClient(build_app(database, answer_cache_bytes=0)) as client:
        yield Api(client)


def same_as_uncached(api: Api, uncached: Api, path: str, who, params=None) -> bytes:
    answer = api.get(path, who, params=params)
    fresh = uncached.get(path, who, params=params)
    assert answer.status_code == fresh.status_code == 200
    assert answer.content == fresh.content
    assert answer.headers["etag"] == fresh.headers["etag"]
    assert answer.headers["content-type"] == fresh.headers["content-type"]
    return answer.content


@pytest.mark.parametrize(("path", "who", "params"), READS)
def test_a_write_makes_the_next_read_fresh(api, app, uncached, path, who, params):
    home = family(api, kids=1)
    kid = home.kids[0]
    caller = kid if who == "kid" else home.parent
    done = chore(api, home.parent, title="Dishes", assignee_ids=[kid.id], is_recurring=True, cooldown_days=0)
    waiting = complete(api, kid, done["id"])
    complete(api, kid, chore(api, home.parent, title="Bins", assignee_ids=[kid.id])["id"])

    first = same_as_uncached(api, uncached, path, caller, params)
    hits = app.state.answer_cache.hits
    # Asked again with nothing changed: the kept body, after the one lookup a 304 costs.
    with counting_statements(app.state.engine) as seen:
        again = api.get(path, caller, params=params)
    assert (again.status_code, again.content) == (200, first)
    assert app.state.answer_cache.hits == hits + 1
    assert len(seen) == 1 and "families" in seen[0], seen

    # A write to the family: the next answer is made anew, and says so.
    approve(api, home.parent, waiting["id"])
    after = same_as_uncached(api, uncached, path, caller, params)
    assert after != first
    assert app.state.answer_cache.hits == hits + 1


def test_two_callers_never_share_a_body(api, app, uncached):
    home = family(api, kids=2)
    other_parent = api.second_parent(home.parent)
    first, second = home.kids
    for kid in home.kids:
        complete(api, kid, chore(api, home.parent, title=f"Bed of {kid.username}", assignee_ids=[kid.id])["id"])
        chore(api, home.parent, title=f"Desk of {kid.username}", assignee_ids=[kid.id])
    # All at the same revision, with the same (empty) query: only the caller tells them apart.
    hits = app.state.answer_cache.hits
    mine = same_as_uncached(api, uncached, "/chores/available", first)
    theirs = same_as_uncached(api, uncached, "/chores/available", second)
    assert mine != theirs
    for parent in (home.parent, other_parent):
        same_as_uncached(api, uncached, "/chores/pending-approval", parent)
        same_as_uncached(api, uncached, "/reports/allowance-summary", parent)
    assert app.state.answer_cache.hits == hits  # nobody was sent another caller's (or another read's) body
    assert api.get("/chores/available", first).content == mine
    assert api.get("/chores/available", second).content == theirs
    assert app.state.answer_cache.hits == hits + 2


def test_a_turn_passing_by_itself_makes_the_next_read_fresh(database, build_app, tmp_path: Path):
    """Whose turn it is changes at the open occurrence's missed_at, with no write and no new
    revision: the kept body is not sent past that moment."""
    now_file = tmp_path / "now"
    try:
        app = build_app(database, test_clock_file=now_file)
        plain = build_app(database, test_clock_file=now_file, answer_cache_bytes=0)
        with TestClient(app) as client, TestClient(plain) as plain_client:
            api, uncached = Api(client), Api(plain_client)
            home = family(api, kids=2)
            first, second = home.kids
            chore(
                api,
                home.parent,
                title="Walk the dog",
                assignment_mode="multi_independent",
                assignee_ids=[kid.id for kid in home.kids],
                schedule={"kind": "daily", "due_time": "18:00", "rotation": "round_robin"},
            )
            missed = min(
                datetime.fromisoformat(o["missed_at"])
                for o in api.get("/occurrences", home.parent).json()
                if o["missed_at"]
            )
            lists = {kid.id: same_as_uncached(api, uncached, "/chores/available", kid) for kid in home.kids}
            assert api.get("/chores/available", first).content == lists[first.id]  # kept
            whose = [kid for kid in home.kids if b"Walk the dog" in lists[kid.id]]
            assert len(whose) == 1

            # The clock passes the turn's missed_at; nothing is written.
            _set_clock(now_file, missed + timedelta(minutes=1))
            hits = app.state.answer_cache.hits
            later = {kid.id: same_as_uncached(api, uncached, "/chores/available", kid) for kid in home.kids}
            assert app.state.answer_cache.hits == hits
            assert later != lists
            assert b"Walk the dog" in later[second.id if whose[0] is first else first.id]
    finally:
        clock.follow_file(None)


def _set_clock(path: Path, instant: datetime) -> None:
    written = path.with_suffix(".new")
    written.write_text(instant.astimezone(UTC).isoformat())
    written.replace(path)


def test_the_cache_keeps_to_its_size():
    cache = AnswerCache(max_bytes=10)
    cache.put(("/a", 1, 1, ""), b"12345", '"a"', 0)
    cache.put(("/b", 1, 1, ""), b"12345", '"b"', 0)
    assert len(cache) == 2 and cache.size == 10
    assert cache.get(("/a", 1, 1, ""), 0) is not None  # used last: /b goes first
    cache.put(("/c", 1, 1, ""), b"123", '"c"', 0)
    assert cache.get(("/b", 1, 1, ""), 0) is None
    assert cache.get(("/a", 1, 1, ""), 0) is not None and cache.size == 8
    cache.put(("/d", 1, 1, ""), b"x" * 11, '"d"', 0)  # larger than the whole cache: not kept
    assert cache.get(("/d", 1, 1, ""), 0) is None and cache.size == 8
    cache.put(("/a", 1, 1, ""), b"1", '"a2"', 0)  # the same key again replaces its body
    assert cache.get(("/a", 1, 1, ""), 0) == (b"1", '"a2"') and cache.size == 4
    # A body that changes by itself at 100 is sent before that moment, never from it on.
    cache.put(("/e", 1, 1, ""), b"12", '"e"', 100)
    assert cache.get(("/e", 1, 1, ""), 99.5) == (b"12", '"e"')
    assert cache.get(("/e", 1, 1, ""), 100) is None
    assert cache.hits == 4


@pytest.mark.parametrize(
    ("path", "role_that_may", "bad_query"),
    [
        ("/chores/available", "kid", None),  # no query parameters of its own
        ("/chores/pending-approval", "parent", {"skip": "-1"}),
        ("/reports/allowance-summary", "parent", {"child_id": "not-a-number"}),
    ],
)
def test_the_conditional_reads_refuse_in_the_order_the_other_routes_do(api, path, role_that_may, bad_query):
    # Found in one worker-thread hop with the known answer (identity.deps.ConditionalRead), the caller
    # is still checked first: no token 401, the wrong role 403, then a bad query parameter 422.
    home = family(api, kids=1)
    allowed, refused = (home.kids[0], home.parent) if role_that_may == "kid" else (home.parent, home.kids[0])
    params = bad_query or {}
    assert api.get(path, None, params=params).status_code == 401
    assert api.get(path, refused, params=params).status_code == 403
    assert api.get(path, allowed, params=params).status_code == (422 if bad_query else 200)
