"""The runner's log lines never carry a password, and its outcome reaches Prometheus."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from chores_tracker.migrations import log_format as runner_logs
from chores_tracker.migrations.log_format import JsonFormatter, TextFormatter
from chores_tracker.migrations.outcome_metrics import RunOutcome, publish
from chores_tracker.observability import logs as app_logs
from chores_tracker.observability.logs import register_secret


def record(message: str, *args, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("chores_tracker.db.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_passwords_are_masked_in_messages_fields_and_exception_text():
    register_secret("hunter2-literal")
    try:
        raise RuntimeError("connect failed for mysql://app:s3cr3t@db/chores (password=dsn-secret) hunter2-literal")
    except RuntimeError as exc:
        error = exc
    entry = record("cannot reach %s", "postgresql://app:p%40ss@db:5432/chores", exc=error)
    entry.fields = {"database": "postgresql://app:p%40ss@db:5432/chores"}

    for formatter in (JsonFormatter(), TextFormatter()):
        line = formatter.format(entry)
        for secret in ("s3cr3t", "p%40ss", "dsn-secret", "hunter2-literal"):
            assert secret not in line, (type(formatter).__name__, line)
    as_json = json.loads(JsonFormatter().format(entry))
    assert as_json["message"] == "cannot reach postgresql://app:***@db:5432/chores"
    assert as_json["database"] == "postgresql://app:***@db:5432/chores"
    assert "RuntimeError" in as_json["exception"]


def test_the_runner_writes_json_lines_exactly_as_the_app_does(capsys):
    register_secret("runner-only-literal")
    try:
        raise RuntimeError("lock holder sent Authorization: Bearer abc.def.ghi-token")
    except RuntimeError as exc:
        error = exc
    entry = record("retrying with password=open-sesame-9 after runner-only-literal", exc=error)
    entry.fields = {"event": "migration_error", "from": None, "exit_code": 1, "api_token": "plain-token-value"}

    runner_logs.configure_logging(json_logs=True)
    logging.getLogger("chores_tracker.db.test").handle(entry)
    written = capsys.readouterr().err.strip()
    app_handler = logging.StreamHandler()
    app_handler.setFormatter(app_logs.JsonFormatter())
    assert json.loads(written) == json.loads(app_handler.format(entry))

    line = json.loads(written)
    assert list(line)[:4] == ["time", "level", "logger", "message"]
    assert line["level"] == "ERROR" and line["logger"] == "chores_tracker.db.test"
    assert line["message"] == "retrying with password=*** after ***"
    assert (line["event"], line["from"], line["exit_code"], line["api_token"]) == ("migration_error", None, 1, "***")
    assert "RuntimeError" in line["exception"] and "abc.def.ghi-token" not in line["exception"]


def test_the_outcome_is_written_for_the_textfile_collector_and_pushed(tmp_path):
    received: list[tuple[str, str, bytes]] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            received.append(("PUT", self.path, self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        outcome = RunOutcome("failed", 5, "0001", "0001", 0, 1.5, "chores")
        textfile = tmp_path / "node-exporter" / "migration.prom"
        publish(outcome, f"http://127.0.0.1:{server.server_port}", textfile)
    finally:
        server.shutdown()
        server.server_close()

    exported = textfile.read_text()
    assert "chores_tracker_migration_success 0.0" in exported
    assert "chores_tracker_migration_exit_code 5.0" in exported
    assert (
        'chores_tracker_migration_revision_info{from_revision="0001",outcome="failed",to_revision="0001"} 1.0'
        in exported
    )
    assert [(method, path) for method, path, _body in received] == [
        ("PUT", "/metrics/job/chores_tracker_migration/database/chores")
    ]
    assert b"chores_tracker_migration_exit_code 5.0" in received[0][2]
