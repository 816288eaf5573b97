"""A TCP server on 127.0.0.1 that accepts connections and never answers: a hung Redis (standard library).

It counts the connections it accepted, so a test can tell whether a client asked it again, and holds
them open until it is closed (a client then waits for its socket timeout, never for a refusal).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

HOST = "127.0.0.1"


class SilentServer:
    """Listening on `host`:`port`; `accepted` connections so far."""

    def __init__(self) -> None:
        self._listener = socket.create_server((HOST, 0), backlog=64)
        self.host = HOST
        self.port = int(self._listener.getsockname()[1])
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept_forever, name="silent-server", daemon=True)
        self._thread.start()

    @property
    def accepted(self) -> int:
        with self._lock:
            return len(self._connections)

    def _accept_forever(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:  # the listener was closed
                return
            with self._lock:
                self._connections.append(connection)

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)
        with self._lock:
            for connection in self._connections:
                connection.close()


@contextlib.contextmanager
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()
