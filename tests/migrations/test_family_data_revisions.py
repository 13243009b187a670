"""The data revisions of issue 16, over rows the previous release wrote, on every database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from chores_tracker.migrations import runner

T0 = datetime(2026, 11, 1, 9, 0, 0)  # noqa: DTZ001 (raw rows hold naive UTC, as the database does)
families = sa.table(
    "families",
    sa.column("id"),
    sa.column("name"),
    sa.column("invite_code"),
    sa.column("invite_code_expires_at", sa.DateTime()),
    sa.column("invite_code_max_uses"),
    sa.column("owner_id"),
)
users = sa.table(
    "users",
    sa.column("id"),
    sa.column("username"),
    sa.column("hashed_password"),
    sa.column("is_parent", sa.Boolean()),
    sa.column("family_id"),
    sa.column("family_joined_at", sa.DateTime()),
)


def _person(user_id: int, family_id: int, joined: datetime | None, *, parent: bool = True) -> dict:
    return {
        "id": user_id,
        "username": f"u{user_id}",
        "hashed_password": "x",
        "is_parent": parent,
        "family_id": family_id,
        "family_joined_at": joined,
    }


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_each_family_is_owned_by_its_earliest_joined_parent(backend, fresh_database):
    database = fresh_database(backend)
    runner.upgrade(database.url, "0008")
    with database.engine.begin() as connection:
        connection.execute(
            families.insert(),
            [
                {"id": 1, "name": "two parents", "invite_code": "AAAA2222"},
                {"id": 2, "name": "a parent without a join time", "invite_code": "BBBB2222"},
                {"id": 3, "name": "nobody left", "invite_code": "CCCC2222"},
            ],
        )
        connection.execute(
            users.insert(),
            [
                _person(10, 1, T0 + timedelta(hours=2)),
                _person(11, 1, T0 + timedelta(hours=1)),
                _person(12, 1, T0, parent=False),  # the earliest, but a child
                _person(20, 2, None),
                _person(22, 2, T0),
                _person(21, 2, T0),  # joined at the same moment: the lower id
            ],
        )
    runner.upgrade(database.url, "0009")
    with database.engine.connect() as connection:
        owners = dict(connection.execute(sa.select(families.c.id, families.c.owner_id)).all())
    assert owners == {1: 11, 2: 21, 3: None}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_codes_without_an_expiry_or_a_use_limit_expire_and_limited_ones_stay(backend, fresh_database):
    database = fresh_database(backend)
    later = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(days=3)
    runner.upgrade(database.url, "0007")
    with database.engine.begin() as connection:
        connection.execute(
            families.insert(),
            [
                {"id": 1, "name": "made with a first child", "invite_code": "AAAA2222", "invite_code_expires_at": None},
                {"id": 2, "name": "an old code", "invite_code": "BBBB2222", "invite_code_expires_at": later},
            ],
        )
    runner.upgrade(database.url, "0010")
    with database.engine.begin() as connection:
        connection.execute(
            families.insert(),
            [
                {
                    "id": 3,
                    "name": "a code with a limit",
                    "invite_code": "CCCC2222",
                    "invite_code_expires_at": later,
                    "invite_code_max_uses": 1,
                }
            ],
        )
    started = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    runner.upgrade(database.url, "0011")
    with database.engine.connect() as connection:
        expiries = dict(connection.execute(sa.select(families.c.id, families.c.invite_code_expires_at)).all())
    assert started <= expiries[1] <= datetime.now(UTC).replace(tzinfo=None)
    assert started <= expiries[2] <= datetime.now(UTC).replace(tzinfo=None)
    assert expiries[3] == later
