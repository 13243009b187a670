"""Real receivers on this machine for the notification tests: an HTTP endpoint that records what it
is sent (JSON webhooks, ntfy) and can be taken down (it answers 503) and brought back."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    port: int
    received: list[Received] = field(default_factory=list)
    down: bool = False
    refused: int = 0
    status: int = 200  # what it answers when it is up (a push service: 201; a subscription gone: 410)
    # Called with each request before it is answered (a test may block here, e.g. to kill the sender).
    on_request: Callable[[Received], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wait_for(self, count: int, timeout: float = 15) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"the receiver got {len(self.received)} messages, not {count}, in {timeout} s")


@contextmanager
def http_receiver() -> Iterator[HttpReceiver]:
    state = HttpReceiver(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            item = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
            if state.on_request is not None:
                state.on_request(item)
            if state.down:
                with state.lock:
                    state.refused += 1
                self.send_response(503)
                self.end_headers()
                return
            with state.lock:
                state.received.append(item)
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        do_PUT = do_POST

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
