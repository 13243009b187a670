"""Security headers on every answer, CORS only for configured origins, a request body size limit.

SQLite only: these are properties of the HTTP layer, not of the database behind it.
"""

from __future__ import annotations

from fastapi.responses import HTMLResponse

from tests.operations.conftest import client_from
from tests.support.api import Api

PAGE_CSP = "default-src 'self'; frame-ancestors 'none'"


def test_api_answers_carry_the_security_headers(make_sqlite_app):
    api = Api(client_from(make_sqlite_app()))
    parent = api.parent()
    for response in (api.get("/users/me", parent), api.get("/users/me"), api.client.get("/api/v1/no-such-thing")):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be meaningless


def test_html_pages_get_the_configured_page_policy(make_sqlite_app):
    app = make_sqlite_app(content_security_policy=PAGE_CSP)

    @app.get("/a-page")
    def a_page() -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>a page</title>")

    response = client_from(app).get("/a-page")
    assert response.headers["Content-Security-Policy"] == PAGE_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Cache-Control" not in response.headers


def test_the_default_page_policy_forbids_framing_and_foreign_scripts(make_sqlite_app):
    policy = make_sqlite_app().state.settings.content_security_policy
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_api_docs_may_load_swagger_ui_but_not_be_framed(make_sqlite_app):
    response = client_from(make_sqlite_app()).get("/docs")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "https://cdn.jsdelivr.net" in policy
    assert "frame-ancestors 'none'" in policy


def test_https_answers_carry_hsts(make_sqlite_app):
    client = client_from(make_sqlite_app(), base_url="https://chores.example")
    assert client.get("/health").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_scheme_a_trusted_proxy_reports_is_believed(make_sqlite_app):
    forwarded = {"X-Forwarded-Proto": "https"}
    trusted = client_from(make_sqlite_app(trusted_proxies="127.0.0.12"), "127.0.0.12")
    assert "Strict-Transport-Security" in trusted.get("/health", headers=forwarded).headers
    untrusted = client_from(make_sqlite_app(), "127.0.0.12")
    assert "Strict-Transport-Security" not in untrusted.get("/health", headers=forwarded).headers


def test_cors_answers_only_configured_origins(make_sqlite_app):
    client = client_from(make_sqlite_app(backend_cors_origins="https://app.example"))
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = client.options("/api/v1/users/login", headers={"Origin": "https://app.example", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    refused = client.options("/api/v1/users/login", headers={"Origin": "https://evil.example", **preflight})
    assert "Access-Control-Allow-Origin" not in refused.headers
    simple = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in simple.headers
    answered = client.get("/health", headers={"Origin": "https://app.example"})
    assert answered.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert {"x-request-id", "retry-after"} <= set(answered.headers["Access-Control-Expose-Headers"].lower().split(", "))


def test_without_configured_origins_there_is_no_cors_at_all(make_sqlite_app):
    client = client_from(make_sqlite_app())
    response = client.get("/health", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_body_over_the_limit_answers_413_and_writes_nothing(make_sqlite_app):
    app = make_sqlite_app(max_request_body_bytes=4096)
    api = Api(client_from(app))
    padding = "x" * 5000
    declared = api.client.post(
        "/api/v1/users/register", data={"username": "big", "password": "long-enough-1", "email": "", "pad": padding}
    )
    assert declared.status_code == 413

    def chunks():  # no Content-Length: the limit must count what actually arrives
        yield b'{"username": "big2", "password": "long-enough-1", "pad": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}'

    streamed = api.client.post("/api/v1/users/register", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert api.login("big", "long-enough-1").status_code == 401
    assert api.login("big2", "long-enough-1").status_code == 401
    assert api.register("small").status_code == 201  # a normal body still goes through
