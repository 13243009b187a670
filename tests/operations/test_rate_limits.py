"""Log-in, sign-up, password resets and joining a family are limited per client address and per
username: 429 with Retry-After. In memory for one process; through Redis, several replicas enforce
one limit.

These run on SQLite only (the limits live in front of the database, whichever it is), except the
tests of which spellings of a username count as one (finding the account is the database's) and the
invite-code guesses, which run on every database.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from chores_tracker.errors import RateLimited
from chores_tracker.ratelimit.service import LOGIN, RateLimiter, rules_from
from chores_tracker.settings import Settings
from tests.operations.conftest import client_from
from tests.support.api import PASSWORD, Api, unique
from tests.support.databases import not_tested

LIMITS = {"rate_limit_login_per_minute": 3, "rate_limit_signup_per_hour": 2, "rate_limit_password_reset_per_hour": 2}


def assert_limited(response, window_seconds: int) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= window_seconds


def test_log_in_attempts_are_limited_per_client_address(make_sqlite_app):
    app = make_sqlite_app(**LIMITS)
    from_here, from_elsewhere = Api(client_from(app, "127.0.0.2")), Api(client_from(app, "127.0.0.3"))
    from_elsewhere.register("erin")
    for name in ("alice", "bob", "carol"):
        assert from_here.login(name, "guess").status_code == 401
    assert_limited(from_here.login("dave", "guess"), 60)
    assert_limited(from_here.login("erin", PASSWORD), 60)  # even the right password waits
    assert from_elsewhere.login("erin", PASSWORD).status_code == 200


def test_log_in_attempts_are_limited_per_username_whatever_the_address(make_sqlite_app):
    app = make_sqlite_app(**LIMITS)
    Api(client_from(app)).register("frank")
    for n in range(3):
        assert Api(client_from(app, f"127.0.1.{n}")).login("frank", "guess").status_code == 401
    assert_limited(Api(client_from(app, "127.0.1.9")).login("FRANK", PASSWORD), 60)
    assert Api(client_from(app, "127.0.1.9")).login("someone-else", "guess").status_code == 401


def test_leading_spaces_do_not_make_a_username_another_one_for_its_limit(make_app):
    """Issue 16.3: log-in strips the spaces, so the limit must count such attempts as the account's."""
    limit = 10  # the default: per username, whatever the address
    app = make_app(rate_limit_login_per_minute=limit)
    Api(client_from(app)).register("grace")
    answers = [
        Api(client_from(app, f"127.0.2.{spaces}")).login(" " * spaces + "grace", "guess").status_code
        for spaces in range(1, 31)
    ]
    assert answers == [401] * limit + [429] * (30 - limit)
    assert_limited(Api(client_from(app, "127.0.2.31")).login("grace", PASSWORD), 60)


def test_every_spelling_that_logs_in_counts_against_the_account_and_no_other_spelling_logs_in(make_app):
    app = make_app(**LIMITS)
    Api(client_from(app)).register("heidi")
    # Lookalikes that MariaDB's collation compares equal (accents, ignorable characters) are other
    # names: they find no account, even with the right password.
    for n, lookalike in enumerate(["h\u00e9idi", "heidi\x01", "hei\u200bdi"]):
        assert Api(client_from(app, f"127.0.3.{n}")).login(lookalike, PASSWORD).status_code == 401
    # Case, compatibility forms (full-width letters) and surrounding spaces are the same name.
    for n, spelling in enumerate(["HEIDI", "\uff48\uff45\uff49\uff44\uff49", "\u3000heidi\t"]):
        assert Api(client_from(app, f"127.0.4.{n}")).login(spelling, "guess").status_code == 401
    assert_limited(Api(client_from(app, "127.0.4.9")).login("heidi", PASSWORD), 60)


def test_sign_ups_are_limited_per_address_and_a_refused_one_writes_nothing(make_sqlite_app):
    app = make_sqlite_app(**LIMITS)
    api = Api(client_from(app, "127.0.0.4"))
    assert api.register("gina").status_code == 201
    assert api.register("hank").status_code == 201
    assert_limited(api.register("ivan"), 3600)
    assert Api(client_from(app, "127.0.0.5")).login("ivan").status_code == 401  # no such user was made


def test_password_resets_are_limited_per_parent(make_sqlite_app):
    app = make_sqlite_app(**LIMITS)
    api = Api(client_from(app))
    parent = api.parent()
    child = api.child(parent)
    reset = f"/users/children/{child.id}/reset-password"
    assert api.post(reset, parent, json="new-password-1").status_code == 200
    assert api.post(reset, parent, json="new-password-2").status_code == 200
    assert_limited(api.post(reset, parent, json="new-password-3"), 3600)
    # Refused: the child's password is still the last one set.
    assert api.login(child.username, "new-password-2").status_code == 200


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(make_sqlite_app):
    untrusting = Api(client_from(make_sqlite_app(**LIMITS), "127.0.0.6"))
    for n in range(3):
        forged = {"X-Forwarded-For": f"192.0.2.{n}"}
        assert (
            untrusting.client.post(
                "/api/v1/users/login", data={"username": f"u{n}", "password": "x"}, headers=forged
            ).status_code
            == 401
        )
    assert_limited(
        untrusting.client.post(
            "/api/v1/users/login", data={"username": "u9", "password": "x"}, headers={"X-Forwarded-For": "192.0.2.9"}
        ),
        60,
    )

    behind_proxy = Api(client_from(make_sqlite_app(**LIMITS, trusted_proxies="127.0.0.7"), "127.0.0.7"))
    for n in range(5):  # five different clients behind the one proxy, each under its own limit
        response = behind_proxy.client.post(
            "/api/v1/users/login",
            data={"username": f"v{n}", "password": "x"},
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
        )
        assert response.status_code == 401


def _join(api: Api, who, code: str):
    return api.post("/families/join", who, json={"invite_code": code})


def test_300_invite_code_guesses_are_stopped_long_before_the_300th(make_app):
    """Issue 16, defect 10: 300 wrong guesses got 300 x 404 and no 429."""
    api = Api(client_from(make_app(rate_limit_join_per_hour=10)))
    guesser = api.parent(with_family=False)
    answers = [_join(api, guesser, f"GUESS{n:03d}") for n in range(300)]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [404] * 10 + [429] * 290
    assert_limited(answers[-1], 3600)


def test_invite_code_attempts_are_limited_per_account_whatever_the_address(make_sqlite_app):
    app = make_sqlite_app(rate_limit_join_per_hour=2)
    owner_api = Api(client_from(app, "127.0.2.1"))
    code = owner_api.invite_code(owner_api.parent())
    guesser = owner_api.parent(with_family=False)
    for n in range(2):
        assert _join(Api(client_from(app, f"127.0.2.{10 + n}")), guesser, "WRONG234").status_code == 404
    # Even the right code waits, from a new address.
    assert_limited(_join(Api(client_from(app, "127.0.2.20")), guesser, code), 3600)
    assert _join(Api(client_from(app, "127.0.2.20")), owner_api.parent(with_family=False), code).status_code == 200


def test_invite_code_attempts_are_limited_per_address_whatever_the_account(make_sqlite_app):
    app = make_sqlite_app(rate_limit_join_per_hour=2)
    api = Api(client_from(app, "127.0.3.1"))
    for _ in range(2):
        assert _join(api, api.parent(with_family=False), "WRONG234").status_code == 404
    assert_limited(_join(api, api.parent(with_family=False), "WRONG234"), 3600)
    assert _join(Api(client_from(app, "127.0.3.2")), api.parent(with_family=False), "WRONG234").status_code == 404


def test_the_join_page_and_the_api_share_one_limit(make_sqlite_app):
    from tests.web.conftest import Visitor

    app = make_sqlite_app(rate_limit_join_per_hour=2)
    api = Api(client_from(app, "testclient"))  # the address the page visitor's client comes from
    assert _join(api, api.parent(with_family=False), "WRONG234").status_code == 404
    visitor = Visitor(app)
    try:
        visitor.sign_up()
        assert visitor.submit("/family/join", {"invite_code": "WRONG234"}).status_code == 422
        refused = visitor.submit("/family/join", {"invite_code": "WRONG234"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 3600
        assert "text/html" in refused.headers["content-type"]
    finally:
        visitor.close()


def test_the_log_in_page_and_the_api_share_one_limit(make_sqlite_app):
    from tests.web.conftest import Visitor

    app = make_sqlite_app(**LIMITS)
    Api(client_from(app)).register("quinn")
    api = Api(client_from(app, "testclient"))  # the address the page visitor's client comes from
    assert api.login("quinn", "guess").status_code == 401
    visitor = Visitor(app)
    try:
        for _ in range(2):
            visitor.get("/login")
            assert visitor.submit("/login", {"username": "quinn", "password": "guess"}).status_code == 401
        visitor.get("/login")
        refused = visitor.submit("/login", {"username": "quinn", "password": PASSWORD})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "text/html" in refused.headers["content-type"]
    finally:
        visitor.close()
    assert_limited(api.login("quinn", PASSWORD), 60)


def test_the_limiter_is_a_plain_service_for_the_web_pages_too():
    limiter = RateLimiter.from_settings(Settings(_env_file=None, rate_limit_login_per_minute=2))
    limiter.hit(LOGIN, "address:127.0.0.8", "user:zoe")
    limiter.hit(LOGIN, "address:127.0.0.8", "user:zoe")
    with pytest.raises(RateLimited) as refused:
        limiter.hit(LOGIN, "address:127.0.0.8")
    assert 1 <= refused.value.retry_after <= 60
    limiter.hit(LOGIN, "address:127.0.0.99")  # another key is not affected


def test_a_redis_url_for_an_asyncio_store_stops_start_up_with_a_reason():
    """The limiter is synchronous: a store it cannot use is refused in words, not with a bare assertion."""
    with pytest.raises(ValueError, match=r"REDIS_URL cannot be used for rate limits: .*async"):
        RateLimiter.from_settings(Settings(_env_file=None, redis_url="async+memory://"))


# --- shared through Redis ------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        not_tested("redis", f"{url} answers: {exc}")
    return url


@pytest.fixture
def key_prefix(redis_url: str):
    prefix = f"chores_tracker_test_{uuid.uuid4().hex[:12]}"
    yield prefix
    connection = redis.Redis.from_url(redis_url)
    keys = list(connection.scan_iter(f"{prefix}*"))
    if keys:
        connection.delete(*keys)


def test_replicas_sharing_redis_enforce_one_limit(make_sqlite_app, redis_url: str, key_prefix: str):
    settings = {**LIMITS, "redis_url": redis_url, "rate_limit_key_prefix": key_prefix}
    replicas = [Api(client_from(make_sqlite_app(**settings), "127.0.0.10")) for _ in range(2)]
    replicas[0].register("nina")
    assert replicas[0].login("nina", "guess").status_code == 401
    assert replicas[1].login("nina", "guess").status_code == 401
    assert replicas[0].login("nina", "guess").status_code == 401
    assert_limited(replicas[1].login("nina", PASSWORD), 60)
    assert_limited(replicas[0].login("nina", PASSWORD), 60)
    assert redis.Redis.from_url(redis_url).keys(f"{key_prefix}*"), "the counts were not kept in Redis"


def test_without_redis_sharing_each_process_counts_alone(make_sqlite_app):
    replicas = [Api(client_from(make_sqlite_app(**LIMITS), "127.0.0.11")) for _ in range(2)]
    replicas[0].register("olga")
    for replica in replicas:
        for _ in range(3):
            assert replica.login("olga", "guess").status_code == 401
    assert_limited(replicas[0].login("olga", PASSWORD), 60)


def test_an_unreachable_redis_lets_logins_through(make_sqlite_app):
    from chores_tracker.observability import metrics

    errors = metrics.RATE_LIMIT_ERRORS._value.get()
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    app = make_sqlite_app(**LIMITS, redis_url="redis://127.0.0.1:1/0")
    api = Api(client_from(app))
    name = unique("pia")
    assert api.register(name).status_code == 201
    for _ in range(5):
        assert api.login(name).status_code == 200
    assert metrics.RATE_LIMIT_ERRORS._value.get() > errors


def test_the_rules_come_from_the_settings():
    rules = rules_from(Settings(_env_file=None, rate_limit_login_per_minute=7, rate_limit_signup_per_hour=5,
                                rate_limit_password_reset_per_hour=4, rate_limit_join_per_hour=3))  # fmt: skip
    assert str(rules["login"].limit) == "7 per 1 minute"
    assert str(rules["signup"].limit) == "5 per 1 hour"
    assert str(rules["password_reset"].limit) == "4 per 1 hour"
    assert str(rules["join"].limit) == "3 per 1 hour"
