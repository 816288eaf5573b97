"""Real servers for tests, started on 127.0.0.1 and a free port (standard library only).

Each package's conftest.py wraps what it needs in fixtures. A server that cannot start is an
error that says what to install: tests never skip because a server is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"


class ServerUnavailableError(RuntimeError):
    """A test server could not be started; the message says what to install or look at."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((HOST, port)) == 0


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status < 500)
    except OSError:
        return False


@dataclass
class Server:
    """A server process on 127.0.0.1; `restart()` brings it back on the same port (Redis restart tests)."""

    name: str
    command: list[str]
    port: int
    ready: Callable[[Server], bool]
    env: dict[str, str] = field(default_factory=dict)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kart-server-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return HOST

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def start(self, timeout: float = 30.0) -> Server:
        log = open(self.workdir / f"{self.name}.log", "ab")  # noqa: SIM115 - the process owns it
        try:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env},
                start_new_session=True,
            )
        except FileNotFoundError as exc:
            raise ServerUnavailableError(f"{self.name}: cannot run {self.command[0]!r}: {exc}") from exc
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerUnavailableError(
                    f"{self.name} exited with code {self.process.returncode} at start:\n{self.log_tail()}"
                )
            if self.ready(self):
                return self
            time.sleep(0.05)
        self.stop()
        raise ServerUnavailableError(
            f"{self.name} did not answer on {self.address} in {timeout}s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self) -> Server:
        self.stop()
        deadline = time.monotonic() + 10
        while _port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.start()

    def log_tail(self, lines: int = 30) -> str:
        path = self.workdir / f"{self.name}.log"
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _require_binary(name: str, install_hint: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ServerUnavailableError(f"{name} is not installed: {install_hint}")
    return found


def redis_server() -> Server:
    """Debian's redis-server, in-memory only, on a free loopback port."""
    binary = _require_binary("redis-server", "apt-get install redis-server (scripts/test.sh does this)")
    port = free_port()
    command = [binary, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no"]
    return Server("redis", command, port, ready=lambda s: _port_open(s.port))


def moto_s3_server() -> Server:
    """moto's threaded server (moto[server]) in its own process; boto3 reaches it by endpoint URL."""
    port = free_port()
    code = "import sys; from moto.server import main; main(sys.argv[1:])"
    command = [sys.executable, "-c", code, "-H", HOST, "-p", str(port)]
    return Server("moto", command, port, ready=lambda s: _http_ok(f"http://{s.address}/moto-api/"))


def gcs_emulator() -> Server:
    """gcp-storage-emulator, in memory; google-cloud-storage reaches it through STORAGE_EMULATOR_HOST."""
    port = free_port()
    code = "import sys; from gcp_storage_emulator.__main__ import main; sys.argv[0] = 'gcs'; main()"
    command = [sys.executable, "-c", code, "start", "--host", HOST, "--port", str(port), "--in-memory"]
    return Server("gcs-emulator", command, port, ready=lambda s: _port_open(s.port))


def luigid() -> Server:
    """luigi's central scheduler on loopback, with its state file in a temporary directory."""
    port = free_port()
    code = "import sys; from luigi.cmdline import luigid; luigid(sys.argv[1:])"
    server = Server("luigid", [], port, ready=lambda s: _http_ok(f"http://{s.address}/api/task_list"))
    server.command = [
        sys.executable,
        "-c",
        code,
        "--address",
        HOST,
        "--port",
        str(port),
        "--state-path",
        str(server.workdir / "luigi-state.pickle"),
        "--logdir",
        str(server.workdir),
    ]
    return server


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    """Start a server for the length of a with-block (the usual body of a session fixture)."""
    server.start()
    try:
        yield server
    except BaseException:
        server.stop()  # keep the work directory: its log explains the failure
        raise
    server.stop()
    shutil.rmtree(server.workdir, ignore_errors=True)
