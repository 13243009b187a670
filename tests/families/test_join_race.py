"""Parents racing for one single-use invite code, on PostgreSQL and MariaDB/MySQL: one joins.

Joining spends a use with one conditional UPDATE; the database lets one of the racers through.
"""

from __future__ import annotations

from collections import Counter

from tests.chores.test_concurrency import overlapped, race, server_api, statuses  # noqa: F401 (a fixture)

ROUNDS = 3


def test_parents_racing_for_a_single_use_code_let_one_in(server_app, server_api):  # noqa: F811 (server_api imported above)
    api = server_api
    owner = api.parent()
    raced = []
    for _ in range(ROUNDS):
        code = api.post("/families/invite-code/generate", owner, json={"max_uses": 1}).json()["invite_code"]
        racers = [api.parent(with_family=False) for _ in range(4)]
        outcomes = race(server_app, [("POST", "/families/join", who, {"invite_code": code}) for who in racers])
        assert statuses(outcomes) == Counter({200: 1, 404: 3})
        raced.append(overlapped(outcomes))
    members = api.get("/families/members", owner).json()
    assert len(members["parents"]) == 1 + ROUNDS
    assert any(raced), "the calls never overlapped; the test did not race"


def test_parents_racing_for_a_two_use_code_let_two_in(server_app, server_api):  # noqa: F811 (server_api imported above)
    api = server_api
    owner = api.parent()
    code = api.post("/families/invite-code/generate", owner, json={"max_uses": 2}).json()["invite_code"]
    racers = [api.parent(with_family=False) for _ in range(5)]
    outcomes = race(server_app, [("POST", "/families/join", who, {"invite_code": code}) for who in racers])
    assert statuses(outcomes) == Counter({200: 2, 404: 3})
    assert api.get("/families/members", owner).json()["total_members"] == 3
