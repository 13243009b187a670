"""DATABASE_URL accepts what users already have; the app picks its own drivers and never logs a password."""

from __future__ import annotations

import pytest

from chores_tracker.db.urls import UnsupportedDatabaseURL, mask_secrets_in_text, mask_url, normalize_database_url


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("mysql://u:p@db:3306/chores", "mysql+pymysql"),
        ("mysql+pymysql://u:p@db/chores", "mysql+pymysql"),
        ("mysql+aiomysql://u:p@db/chores", "mysql+pymysql"),
        ("mysql+asyncmy://u:p@db/chores", "mysql+pymysql"),
        ("mariadb://u:p@db/chores", "mysql+pymysql"),
        ("postgresql://u:p@db:5432/chores", "postgresql+psycopg"),
        ("postgres://u:p@db/chores", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@db/chores", "postgresql+psycopg"),
        ("postgresql+asyncpg://u:p@db/chores", "postgresql+psycopg"),
        ("postgresql+psycopg2://u:p@db/chores", "postgresql+psycopg"),
        ("sqlite:///data/chores.db", "sqlite"),
    ],
)
def test_every_common_spelling_maps_to_our_driver(given, driver):
    url = normalize_database_url(given)
    assert url.drivername == driver
    assert url.database in ("chores", "data/chores.db")


def test_mysql_urls_get_a_full_unicode_charset_unless_they_name_one():
    assert normalize_database_url("mysql://u@db/x").query["charset"] == "utf8mb4"
    assert normalize_database_url("mysql://u@db/x?charset=latin1").query["charset"] == "latin1"


def test_an_unsupported_database_is_refused_with_a_clear_message():
    with pytest.raises(UnsupportedDatabaseURL, match="mysql://, postgresql:// or sqlite"):
        normalize_database_url("oracle://u:p@db/x")


def test_masking_hides_the_password_and_keeps_the_rest():
    masked = mask_url("mysql://chores_user:s3cr3t-pw@db.internal:3306/chores_db")
    assert "s3cr3t-pw" not in masked
    assert "chores_user" in masked and "db.internal:3306/chores_db" in masked


def test_passwords_inside_error_text_are_masked():
    text = "could not connect to postgresql+psycopg://app:hunter22@10.0.0.5/db: timeout"
    assert "hunter22" not in mask_secrets_in_text(text)
    assert "app:***@10.0.0.5" in mask_secrets_in_text(text)
