"""The test servers start on a port that is really theirs, report it, and come back on it after a restart."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from _servers import (
    HOST,
    Server,
    ServerUnavailableError,
    gcs_emulator,
    listening_ports,
    luigid,
    moto_s3_server,
    redis_server,
    running,
)


def _redis_ping(server: Server) -> bytes:
    with socket.create_connection((HOST, server.port), timeout=5) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(64)


@pytest.mark.parametrize("make", [redis_server, moto_s3_server, gcs_emulator, luigid])
def test_server_reports_the_port_its_own_process_listens_on(make: Callable[[], Server]) -> None:
    with running(make()) as server:
        assert server.port > 0
        assert server.process is not None
        assert server.port in listening_ports(server.process.pid)


@pytest.fixture
def squatter() -> Iterator[socket.socket]:
    """A listening socket on 127.0.0.1 that is not a server of ours."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        sock.listen(1)
        yield sock


def test_redis_tries_a_fresh_port_when_its_port_was_taken(
    monkeypatch: pytest.MonkeyPatch, squatter: socket.socket
) -> None:
    taken = squatter.getsockname()[1]
    offered = iter([taken])
    monkeypatch.setattr("_servers.free_port", lambda: next(offered, 0) or _fresh_port())
    with running(redis_server()) as server:
        assert server.port != taken
        assert _redis_ping(server) == b"+PONG\r\n"


def _fresh_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def test_restart_comes_back_on_the_same_port() -> None:
    with running(redis_server()) as server:
        port, first_pid = server.port, server.process.pid if server.process else 0
        server.restart()
        assert server.port == port
        assert server.process is not None
        assert server.process.pid != first_pid
        assert _redis_ping(server) == b"+PONG\r\n"


def test_restart_waits_while_a_stranger_briefly_holds_the_port() -> None:
    with running(redis_server()) as server:
        port = server.port
        server.stop()
        stranger = socket.socket()
        stranger.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        stranger.bind((HOST, port))
        stranger.listen(1)
        threading.Timer(1.0, stranger.close).start()
        server.start()
        assert server.port == port
        assert _redis_ping(server) == b"+PONG\r\n"


def test_restart_fails_clearly_when_the_port_stays_taken() -> None:
    with running(redis_server()) as server:
        port = server.port
        server.stop()
        with socket.socket() as stranger:
            stranger.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            stranger.bind((HOST, port))
            stranger.listen(1)
            with pytest.raises(ServerUnavailableError, match=f"port {port} stayed taken by another process"):
                server.start(timeout=2)
