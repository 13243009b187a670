"""A TCP proxy a test controls, to simulate a database outage without touching the shared server.

    with TcpProxy("127.0.0.1", 5432) as proxy:       # listens on a free port
        url = proxy.url_for(database_url)            # same URL, through the proxy
        proxy.cut()                                  # drops every connection, refuses new ones
        proxy.silence()                              # keeps every connection, passes nothing on
        proxy.restore()                              # accepts and forwards again, same port

While cut, nothing listens on the port, so clients see "connection refused", as with a database
that is down; established connections are reset. While silent, connections stay open and new
ones are accepted, but no byte goes through either way: a database that went quiet behind a
network that still acknowledges, so a client waits until its own timeouts end the wait.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
from typing import Any

from sqlalchemy.engine import URL, make_url

_BUFFER = 65536


class TcpProxy:
    def __init__(
        self, target_host: str, target_port: int, listen_host: str = "127.0.0.1", listen_port: int = 0
    ) -> None:
        self.target = (target_host, target_port)
        self.listen_host = listen_host
        self.port = listen_port
        self.accepted = 0
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._stop_accepting = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._silent = threading.Event()
        self._unanswered: set[socket.socket] = set()  # accepted while silent, never connected upstream

    # -- control ----------------------------------------------------------------------------------
    def start(self) -> TcpProxy:
        self._listen()
        return self

    def cut(self) -> None:
        """Refuse new connections (nothing listens) and reset the established ones."""
        self._close_listener()
        with self._lock:
            connections, self._connections = [*self._connections, *self._unanswered], set()
            self._unanswered = set()
        for sock in connections:
            _reset(sock)

    def silence(self) -> None:
        """Keep every connection open, accept new ones, and drop whatever either side sends."""
        self._silent.set()

    def restore(self) -> None:
        """Listen on the same port again and forward new connections."""
        self._silent.clear()
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        self.cut()

    @property
    def is_cut(self) -> bool:
        return self._listener is None

    @property
    def active_connections(self) -> int:
        with self._lock:
            return len(self._connections) // 2

    def url_for(self, url: str | URL) -> URL:
        """The database URL with host and port pointing at the proxy."""
        parsed = make_url(url) if isinstance(url, str) else url
        return parsed.set(host=self.listen_host, port=self.port)

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *_exc: Any) -> None:
        self.stop()

    # -- machinery --------------------------------------------------------------------------------
    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.listen_host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop_accepting = threading.Event()
        self._accept_thread = threading.Thread(
            target=self._accept_loop, args=(listener, self._stop_accepting), name=f"tcp-proxy-{self.port}", daemon=True
        )
        self._accept_thread.start()

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        self._stop_accepting.set()
        if self._accept_thread is not None:
            self._accept_thread.join(timeout=5)
        listener.close()

    def _accept_loop(self, listener: socket.socket, stop: threading.Event) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            while not stop.is_set():
                if not selector.select(timeout=0.05):
                    continue
                try:
                    client, _ = listener.accept()
                except OSError:
                    continue
                if stop.is_set():
                    _reset(client)
                    break
                self.accepted += 1
                threading.Thread(target=self._connect_upstream, args=(client,), daemon=True).start()

    def _connect_upstream(self, client: socket.socket) -> None:
        if self._silent.is_set():
            with self._lock:
                self._unanswered.add(client)
            return
        try:
            upstream = socket.create_connection(self.target, timeout=10)
            upstream.settimeout(None)
        except OSError:
            _reset(client)
            return
        with self._lock:
            if self._listener is None:  # cut while connecting
                _reset(client)
                _reset(upstream)
                return
            self._connections.update((client, upstream))
        pumps_left = [2]
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink, client, upstream, pumps_left), daemon=True).start()

    def _pump(
        self,
        source: socket.socket,
        sink: socket.socket,
        client: socket.socket,
        upstream: socket.socket,
        pumps_left: list[int],
    ) -> None:
        try:
            while True:
                data = source.recv(_BUFFER)
                if not data:
                    break
                if not self._silent.is_set():
                    sink.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)  # pass the half-close on
        with self._lock:
            pumps_left[0] -= 1
            last = pumps_left[0] == 0
            if last:
                self._connections.discard(client)
                self._connections.discard(upstream)
        if last:
            client.close()
            upstream.close()


def _reset(sock: socket.socket) -> None:
    """Close with RST, as a vanished server does, instead of an orderly FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()
