"""One settings object from the environment; production refuses example secrets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from chores_tracker.settings import Settings, SignupMode

REPO = Path(__file__).resolve().parents[1]


def make(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_without_a_database_url_the_app_uses_an_sqlite_file_in_the_data_dir(tmp_path):
    settings = make(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.as_posix()}/chores-tracker.db"


def test_lists_are_read_from_comma_separated_environment_values(monkeypatch):
    monkeypatch.setenv("BACKEND_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("SIGNUP_MODE", "codes")
    monkeypatch.setenv("REGISTRATION_CODES", "family-2026,grandma")
    settings = Settings(_env_file=None)
    assert settings.backend_cors_origins == ["https://a.example", "https://b.example"]
    assert settings.signup_mode is SignupMode.codes
    assert settings.registration_codes == ["family-2026", "grandma"]


@pytest.mark.parametrize("secret", ["change-me", "short", "development-secret-key-change-me"])
def test_production_refuses_a_missing_short_or_example_secret_key(secret):
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        make(environment="production", secret_key=secret)


def test_production_accepts_a_long_random_secret_key():
    assert make(environment="production", secret_key="x" * 48).is_production


def test_production_refuses_a_test_clock_file(tmp_path):
    assert make(test_clock_file=tmp_path / "now").test_clock_file == tmp_path / "now"
    with pytest.raises(ValidationError, match="TEST_CLOCK_FILE"):
        make(environment="production", secret_key="x" * 48, test_clock_file=tmp_path / "now")


def test_codes_mode_without_codes_is_refused():
    with pytest.raises(ValidationError, match="REGISTRATION_CODES"):
        make(signup_mode="codes")


def test_serving_in_production_with_the_example_key_stops_with_one_clear_line(tmp_path):
    env = {
        "ENVIRONMENT": "production",
        "SECRET_KEY": "change-me",
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO / "backend"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "chores_tracker", "serve", "--port", "1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0] and "Traceback" not in result.stderr


def test_the_readmes_settings_table_lists_every_setting_and_nothing_else():
    import re

    from chores_tracker.migrations.config import MigrationSettings
    from tests.deploy.artifacts import ENTRYPOINT_VARIABLES

    rows = [line for line in (REPO / "README.md").read_text().splitlines() if line.startswith("| `")]
    named = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}
    settings = {name.upper() for name in (*Settings.model_fields, *MigrationSettings.model_fields)}
    assert settings - named == set(), "settings the README does not document"
    assert named - settings - ENTRYPOINT_VARIABLES == set(), "README rows that nothing reads"


def test_the_migration_tools_settings_hold_none_of_the_web_apps_secrets():
    from chores_tracker.migrations.config import MigrationSettings

    assert {"secret_key", "metrics_token", "redis_url"}.isdisjoint(MigrationSettings.model_fields)
    assert MigrationSettings(_env_file=None, environment="production").is_production
