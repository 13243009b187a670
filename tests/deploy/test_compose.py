"""docker-compose.yml: a valid Compose file where `up -d` migrates once, safely, before the API starts."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from tests.deploy import artifacts as a


@pytest.fixture(scope="module")
def compose() -> dict:
    return a.load_compose()


def test_the_file_is_valid_compose_and_the_invalid_is_rejected(compose):
    assert a.validate_compose(compose) == [
        "mysql",
        "migrate",
        "api",
        "tick",
        "worker",
        "postgres",
        "migrate-postgres",
        "api-postgres",
    ]
    broken = a.load_compose()
    broken["services"]["api"]["depends_on"]["migrate"]["condition"] = "service_finished"
    with pytest.raises(ValueError):
        a.validate_compose(broken)


def test_mysql_8_has_a_healthcheck_and_a_named_volume(compose):
    mysql = compose["services"]["mysql"]
    image, _, tag = mysql["image"].partition(":")
    assert image == "mysql" and tag.split(".")[0] == "8"
    assert "mysqladmin ping -h 127.0.0.1" in " ".join(mysql["healthcheck"]["test"])
    volume = mysql["volumes"][0].split(":")[0]
    assert volume in compose["volumes"], "a named volume keeps the data across `docker compose down`"


def test_migrate_runs_the_migration_entrypoint_once_before_the_api(compose):
    services = compose["services"]
    for migrate, api, database in (("migrate", "api", "mysql"), ("migrate-postgres", "api-postgres", "postgres")):
        assert services[migrate]["entrypoint"] == ["/app/migrate-entrypoint.sh"]
        assert services[migrate]["restart"] == "no"
        assert services[migrate]["depends_on"] == {database: {"condition": "service_healthy"}}
        assert services[api]["depends_on"][migrate] == {"condition": "service_completed_successfully"}
        assert services[api]["depends_on"][database] == {"condition": "service_healthy"}
        assert a.image_path_to_repo(services[migrate]["entrypoint"][0]).is_file()


def test_the_api_keeps_the_image_entrypoint_and_the_legacy_switch(compose):
    api = compose["services"]["api"]
    assert "entrypoint" not in api and "command" not in api, "the image's ENTRYPOINT and CMD serve the API"
    assert a.compose_environment(api)["RUN_MIGRATIONS"] == "false"
    legacy = a.load_compose({"RUN_MIGRATIONS": "true"})
    assert a.compose_environment(legacy["services"]["api"])["RUN_MIGRATIONS"] == "true"
    assert api["ports"] == ["8000:8000"]


def test_every_app_service_builds_the_runtime_stage_of_the_dockerfile(compose):
    stages = {s.name for s in a.dockerfile_stages()}
    for name in ("migrate", "api", "tick", "worker", "migrate-postgres", "api-postgres"):
        build = compose["services"][name]["build"]
        assert (a.REPO / build["context"] / build.get("dockerfile", "Dockerfile")).resolve() == a.DOCKERFILE
        assert build["target"] == "runtime" in stages


def test_every_variable_compose_sets_for_the_app_is_a_setting_it_reads(compose):
    known = a.settings_variables() | a.ENTRYPOINT_VARIABLES
    for name in ("migrate", "api", "tick", "worker", "migrate-postgres", "api-postgres"):
        environment = a.compose_environment(compose["services"][name])
        assert not set(environment) - known, f"{name}: set but never read: {sorted(set(environment) - known)}"
        assert {"DATABASE_URL", "SECRET_KEY"} <= set(environment)


def test_production_values_come_from_the_shell(compose):
    chosen = a.load_compose({"ENVIRONMENT": "production", "SECRET_KEY": "s" * 40, "MYSQL_PASSWORD": "pw"})
    environment = a.compose_environment(chosen["services"]["api"])
    assert environment["ENVIRONMENT"] == "production" and environment["SECRET_KEY"] == "s" * 40
    assert make_url(environment["DATABASE_URL"]).password == "pw"
    assert chosen["services"]["mysql"]["environment"]["MYSQL_PASSWORD"] == "pw"


@pytest.mark.parametrize(
    "api, database, prefix",
    [("api", "mysql", "MYSQL"), ("api-postgres", "postgres", "POSTGRES")],
)
def test_the_database_url_names_the_database_the_server_creates(compose, api, database, prefix):
    url = make_url(a.compose_environment(compose["services"][api])["DATABASE_URL"])
    server = compose["services"][database]["environment"]
    assert url.host == database, "services reach each other by service name"
    assert url.username == server[f"{prefix}_USER"]
    assert url.password == server[f"{prefix}_PASSWORD"]
    assert url.database == server[f"{prefix}_DB" if prefix == "POSTGRES" else "MYSQL_DATABASE"]


def test_postgres_is_an_opt_in_profile(compose):
    for name in ("postgres", "migrate-postgres", "api-postgres"):
        assert compose["services"][name]["profiles"] == ["postgres"]
    for name in ("mysql", "migrate", "api"):
        assert "profiles" not in compose["services"][name]
    assert compose["services"]["api-postgres"]["ports"] == ["8001:8000"]
    assert compose["services"]["postgres"]["volumes"][0].split(":")[0] in compose["volumes"]


def test_the_guides_exec_commands_run_in_the_api_container(compose):
    # docker compose exec api python -m alembic -c /app/backend/alembic.ini upgrade head | current
    # `exec` skips the entrypoint: the image's PATH must already lead to the environment with alembic.
    assert a.image_environment(a.final_stage())["PATH"].startswith("/opt/venv/bin:")
    assert a.image_path_to_repo("/app/backend/alembic.ini").is_file()
    assert "DATABASE_URL" in a.compose_environment(compose["services"]["api"])


def test_the_time_step_runs_every_minute_after_the_migration_through_the_image_entrypoint(compose):
    tick = compose["services"]["tick"]
    assert "entrypoint" not in tick, "the image's entrypoint waits for the database first"
    assert tick["command"] == ["python", "-m", "chores_tracker", "tick", "--every", "60"]
    assert tick["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert tick["restart"] == "unless-stopped"
    assert "ports" not in tick


def test_the_notification_worker_runs_after_the_migration_through_the_image_entrypoint(compose):
    worker = compose["services"]["worker"]
    assert "entrypoint" not in worker, "the image's entrypoint waits for the database first"
    assert worker["command"] == ["python", "-m", "chores_tracker", "worker"]
    assert worker["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert worker["restart"] == "unless-stopped" and "ports" not in worker
    # The tick service steps time; the worker only delivers.
    assert worker["environment"]["WORKER_TIME_STEP_SECONDS"] == "0"
