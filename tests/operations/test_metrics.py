"""GET /metrics: closed unless configured; after real traffic it shows the series an operator needs."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from chores_tracker.health.service import ReadinessReport
from chores_tracker.observability import metrics
from tests.operations.conftest import client_from
from tests.support.api import PASSWORD, Api, Person
from tests.support.family import approve, chore, complete, reject

TOKEN = "scrape-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]


def value_of(text: str, name: str, **labels: str) -> float | None:
    for sample_name, sample_labels, value in samples(text):
        if sample_name == name and all(sample_labels.get(k) == v for k, v in labels.items()):
            return value
    return None


def increase(before: str, after: str, name: str, **labels: str) -> float:
    """Counters belong to the process, which earlier tests share: compare two scrapes."""
    return (value_of(after, name, **labels) or 0) - (value_of(before, name, **labels) or 0)


def test_metrics_do_not_exist_until_configured(make_sqlite_app):
    client = client_from(make_sqlite_app())
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=AUTH).status_code == 404


def test_metrics_need_the_configured_bearer_token(make_sqlite_app):
    client = client_from(make_sqlite_app(metrics_token=TOKEN))
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer not-the-token"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "chores_tracker_http_requests_total" in response.text


def test_metrics_can_be_made_public(make_sqlite_app):
    client = client_from(make_sqlite_app(metrics_public=True))
    assert client.get("/metrics").status_code == 200


def test_metrics_stay_out_of_the_api_schema(make_sqlite_app):
    client = client_from(make_sqlite_app(metrics_public=True))
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_a_scenario_shows_traffic_pool_readiness_and_business_series(make_app):
    client = client_from(make_app(metrics_token=TOKEN))
    api = Api(client)
    before = client.get("/metrics", headers=AUTH).text

    parent = api.parent()
    child = api.child(parent)
    reset = api.post(f"/users/children/{child.id}/reset-password", parent, json="a-new-password-1")
    assert reset.status_code == 200
    assert api.login(parent.username, "wrong-password").status_code == 401
    assert api.get("/users/me", child).status_code == 401  # its token predates the reset
    assert client.get("/api/v1/health/ready").status_code == 200
    child = Person(child.id, child.username, api.token_for(child.username, "a-new-password-1"), False)
    paid = chore(api, parent, title="Water the plants", reward="2.50", assignee_ids=[child.id])
    approve(api, parent, complete(api, child, paid["id"])["id"])
    redo = chore(api, parent, title="Tidy the room", reward="1.00", assignee_ids=[child.id])
    reject(api, parent, complete(api, child, redo["id"])["id"])

    text = client.get("/metrics", headers=AUTH).text

    reset_route = "/api/v1/users/children/{child_id}/reset-password"
    requests, latency = "chores_tracker_http_requests_total", "chores_tracker_http_request_duration_seconds"
    assert increase(before, text, requests, method="POST", route=reset_route, status="200") == 1
    assert increase(before, text, requests, method="POST", route="/api/v1/users/login", status="401") == 1
    assert increase(before, text, requests, method="POST", route="/api/v1/users/login", status="200") == 3
    assert (
        increase(before, text, requests, method="POST", route="/api/v1/chores/{chore_id}/complete", status="200") == 2
    )
    assert increase(before, text, requests, method="GET", route="/api/v1/users/me", status="401") == 1
    assert increase(before, text, f"{latency}_count", method="POST", route=reset_route, status="200") == 1
    assert increase(before, text, f"{latency}_bucket", method="POST", route=reset_route, status="200", le="+Inf") == 1
    # No raw paths as labels: the child's id never becomes a series of its own.
    assert f"/children/{child.id}/" not in text

    assert value_of(text, "chores_tracker_db_pool_size") >= 1
    assert value_of(text, "chores_tracker_db_pool_connections", state="checked_out") == 0
    assert value_of(text, "chores_tracker_db_pool_connections", state="idle") >= 1
    assert value_of(text, "chores_tracker_database_ready") == 1
    assert value_of(text, "chores_tracker_schema_at_expected_head") == 1
    schema = [labels for name, labels, _ in samples(text) if name == "chores_tracker_schema_revision_info"]
    assert len(schema) == 1 and schema[0]["revision"] == schema[0]["expected"] != "unknown"
    assert value_of(text, "chores_tracker_readiness_checked_timestamp_seconds") > 0

    assert increase(before, text, "chores_tracker_login_failures_total") == 1
    assert increase(before, text, "chores_tracker_chores_completed_total") == 2
    assert increase(before, text, "chores_tracker_chores_approved_total") == 1
    assert increase(before, text, "chores_tracker_chores_rejected_total") == 1
    assert increase(before, text, "chores_tracker_money_approved_cents_total") == 250
    assert value_of(text, "process_resident_memory_bytes") > 0


def test_unknown_paths_share_one_series(make_sqlite_app):
    client = client_from(make_sqlite_app(metrics_token=TOKEN))
    for path in ("/no-such-page/1", "/no-such-page/2", "/wp-login.php"):
        assert client.get(path).status_code == 404
    assert client.request("BREW", "/health").status_code == 405
    text = client.get("/metrics", headers=AUTH).text
    assert value_of(text, "chores_tracker_http_requests_total", route="<unmatched>", status="404") >= 3
    assert value_of(text, "chores_tracker_http_requests_total", method="OTHER", route="/health", status="405") >= 1
    assert "wp-login" not in text
    assert "BREW" not in text


def test_the_schema_gauges_follow_the_readiness_answer():
    metrics.observe_readiness(ReadinessReport(False, "schema_behind", {"current": "0001", "expected": "0002"}))
    assert metrics.SCHEMA_AT_HEAD._value.get() == 0
    assert metrics.DATABASE_READY._value.get() == 0
    labels = [s.labels for s in next(iter(metrics.SCHEMA_REVISION.collect())).samples]
    assert labels == [{"revision": "0001", "expected": "0002"}]

    metrics.observe_readiness(ReadinessReport(True, None, {"current_revision": "0002", "expected_revision": "0002"}))
    assert metrics.SCHEMA_AT_HEAD._value.get() == 1
    assert metrics.DATABASE_READY._value.get() == 1
    labels = [s.labels for s in next(iter(metrics.SCHEMA_REVISION.collect())).samples]
    assert labels == [{"revision": "0002", "expected": "0002"}]


def test_business_counters_have_a_one_call_api():
    completed, rejected = metrics.CHORES_COMPLETED._value.get(), metrics.CHORES_REJECTED._value.get()
    money = metrics.MONEY_APPROVED._value.get()
    metrics.record_chore_completed()
    metrics.record_chore_rejected()
    metrics.record_chore_approved(None)  # a range chore approved at zero, or no reward at all
    assert metrics.CHORES_COMPLETED._value.get() == completed + 1
    assert metrics.CHORES_REJECTED._value.get() == rejected + 1
    assert metrics.MONEY_APPROVED._value.get() == money


def test_a_password_reset_answers_with_the_new_password_working(make_sqlite_app):
    api = Api(client_from(make_sqlite_app()))
    parent = api.parent()
    child = api.child(parent)
    assert api.post(f"/users/children/{child.id}/reset-password", parent, json="a-new-password-1").status_code == 200
    assert api.login(child.username, PASSWORD).status_code == 401
    assert api.login(child.username, "a-new-password-1").status_code == 200


def test_files_of_a_mounted_app_share_one_series(make_sqlite_app, tmp_path):
    from fastapi.staticfiles import StaticFiles

    (tmp_path / "app.css").write_text("body {}")
    app = make_sqlite_app(metrics_token=TOKEN)
    app.mount("/assets", StaticFiles(directory=tmp_path), name="assets")
    client = client_from(app)
    before = client.get("/metrics", headers=AUTH).text
    assert client.get("/assets/app.css").status_code == 200
    assert client.get("/assets/missing.css").status_code == 404
    text = client.get("/metrics", headers=AUTH).text
    requests = "chores_tracker_http_requests_total"
    assert increase(before, text, requests, route="/assets/{path}", status="200") == 1
    assert increase(before, text, requests, route="/assets/{path}", status="404") == 1
    assert "missing.css" not in text
