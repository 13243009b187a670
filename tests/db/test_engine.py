"""The app's engine limits statements in each database's own terms."""

from __future__ import annotations

import pytest

from chores_tracker.db.engine import mysql_statement_limit


@pytest.mark.parametrize(
    ("server_version", "statement"),
    [
        ("5.5.5-10.11.19-MariaDB-0+deb12u1", "SET SESSION max_statement_time = 2.500"),
        ("11.4.2-MariaDB", "SET SESSION max_statement_time = 2.500"),
        # MySQL 8 has no max_statement_time: a SET of it would refuse every connection.
        ("8.0.36", "SET SESSION max_execution_time = 2500"),
    ],
)
def test_mariadb_and_mysql_each_get_the_statement_limit_they_know(server_version, statement):
    assert mysql_statement_limit(server_version, 2.5) == statement
