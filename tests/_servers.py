"""Real servers for tests, on 127.0.0.1 and a port that is known to be theirs (standard library only).

Each package's conftest.py wraps what it needs in fixtures. A server that cannot start is an
error that says what to install: tests never skip because a server is missing.

Ports: a program that accepts port 0 (moto, gcp-storage-emulator, luigid) binds a free port itself
and we read back which one from /proc (the listening socket whose inode is among the process's open
files). redis-server takes 0 to mean "no TCP", so it gets a port that was free a moment ago; when
another process takes it first, redis exits with "Address already in use" and we try a fresh port.
Either way a server is ready only when *its own process* listens on the port and answers there, so a
stranger on a recycled port is never mistaken for ours. `restart()` needs the same port again (clients
hold the address); it waits for the port to come free and fails with a clear error if it never does.
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
from typing import Any

HOST = "127.0.0.1"
PORT = "<port>"  # stands for the port in a Server's command; replaced at each start
START_ATTEMPTS = 5  # fresh ports tried when a program that needs a given port finds it taken
_TCP_LISTEN = "0A"  # the state column of /proc/net/tcp for a listening socket


class ServerUnavailableError(RuntimeError):
    """A test server could not be started; the message says what to install or look at."""


def free_port() -> int:
    """A port that was free just now (it may be taken again before anyone binds it)."""
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


def listening_ports(pid: int) -> set[int]:
    """TCP ports on which process `pid` itself holds a listening socket (Linux /proc)."""
    if not Path("/proc/self/fd").is_dir():
        raise ServerUnavailableError("the test servers need Linux's /proc to see which port a server bound")
    inodes: set[str] = set()
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:[") : -1])
    ports: set[int] = set()
    for table in ("tcp", "tcp6"):
        try:
            rows = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == _TCP_LISTEN and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@dataclass
class Server:
    """A server process on 127.0.0.1; `restart()` brings it back on the same port (Redis restart tests).

    `command` holds PORT where the port goes. With `binds_port_zero` the program is given 0 and the
    port it bound is read back; otherwise it is given a free port and retried on collision. `port`
    is 0 until the first start and is kept from then on.
    """

    name: str
    command: list[str]
    ready: Callable[[Server], bool]
    binds_port_zero: bool
    env: dict[str, str] = field(default_factory=dict)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kart-server-")))
    process: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def host(self) -> str:
        return HOST

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def start(self, timeout: float = 30.0) -> Server:
        deadline = time.monotonic() + timeout
        if self.port:  # a restart: clients know this address, so only this port will do
            while not self._attempt(self.port, deadline):
                if time.monotonic() >= deadline:
                    raise ServerUnavailableError(
                        f"{self.name}: port {self.port} stayed taken by another process for {timeout} s, "
                        f"so the server cannot come back on its address:\n{self.log_tail()}"
                    )
                time.sleep(0.2)
            return self
        if self.binds_port_zero:
            if not self._attempt(0, deadline):
                raise ServerUnavailableError(f"{self.name} exited at start:\n{self.log_tail()}")
            return self
        for _ in range(START_ATTEMPTS):
            if self._attempt(free_port(), deadline):
                return self
        raise ServerUnavailableError(
            f"{self.name}: {START_ATTEMPTS} free ports were each taken before it could bind them:\n"
            f"{self.log_tail()}"
        )

    def _attempt(self, port: int, deadline: float) -> bool:
        """Launch on `port` (0: any) and wait until ready: True; False when the port was taken."""
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        process = self._launch(port)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                said = self.log_path.read_bytes()[offset:].decode(errors="replace")
                if port and ("already in use" in said.lower() or _port_open(port)):
                    return False
                raise ServerUnavailableError(
                    f"{self.name} exited with code {process.returncode} at start:\n{self.log_tail()}"
                )
            bound = listening_ports(process.pid)
            if bound and (port in bound or port == 0):
                self.port = port or min(bound)
                if self.ready(self):
                    return True
            time.sleep(0.05)
        self.stop()
        if port and _port_open(port):  # ours is stopped: whoever answers there is a stranger
            return False
        raise ServerUnavailableError(
            f"{self.name} did not answer on {HOST}:{port or '(any port)'} in time:\n{self.log_tail()}"
        )

    def _launch(self, port: int) -> subprocess.Popen[bytes]:
        command = [str(port) if part == PORT else part for part in self.command]
        log = open(self.log_path, "ab")  # noqa: SIM115 - the process owns it
        try:
            self.process = subprocess.Popen(
                command,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env},
                start_new_session=True,
            )
        except FileNotFoundError as exc:
            raise ServerUnavailableError(f"{self.name}: cannot run {command[0]!r}: {exc}") from exc
        finally:
            log.close()
        return self.process

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
        """Stop, then start again on the same port (retrying while another process holds it)."""
        self.stop()
        return self.start()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _require_binary(name: str, install_hint: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ServerUnavailableError(f"{name} is not installed: {install_hint}")
    return found


def _redis_answers(server: Server) -> bool:
    """PING answered (NOAUTH counts: the server is up, the test set a password)."""
    try:
        with socket.create_connection((HOST, server.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(64)
    except OSError:
        return False
    return reply.startswith((b"+PONG", b"-NOAUTH"))


def redis_server() -> Server:
    """Debian's redis-server, in-memory only, on a free loopback port."""
    binary = _require_binary("redis-server", "apt-get install redis-server (scripts/test.sh does this)")
    command = [binary, "--bind", HOST, "--port", PORT, "--save", "", "--appendonly", "no"]
    return Server("redis", command, ready=_redis_answers, binds_port_zero=False)


def moto_s3_server() -> Server:
    """moto's server (moto[server]) in its own process; boto3 reaches it by endpoint URL."""
    code = "import sys; from moto.server import main; main(sys.argv[1:])"
    command = [sys.executable, "-c", code, "-H", HOST, "-p", PORT]
    return Server(
        "moto", command, ready=lambda s: _http_ok(f"http://{s.address}/moto-api/"), binds_port_zero=True
    )


def aws_environment(server: Server, no_config: Path) -> dict[str, str | None]:
    """AWS_* variables that point boto3 at `server` with test credentials and no stored profile
    (`no_config`: a path that does not exist); None means: unset the variable."""
    return {
        "AWS_ENDPOINT_URL": f"http://{server.address}",
        "AWS_ACCESS_KEY_ID": "kart-testing",
        "AWS_SECRET_ACCESS_KEY": "kart-testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(no_config),
        "AWS_SHARED_CREDENTIALS_FILE": str(no_config),
        "AWS_PROFILE": None,
        "AWS_SESSION_TOKEN": None,
    }


def point_boto3_at(patch: Any, server: Server, no_config: Path) -> None:
    """Set (on a pytest MonkeyPatch) the variables of `aws_environment`."""
    for name, value in aws_environment(server, no_config).items():
        if value is None:
            patch.delenv(name, raising=False)
        else:
            patch.setenv(name, value)


def gcs_emulator() -> Server:
    """gcp-storage-emulator, in memory; google-cloud-storage reaches it through STORAGE_EMULATOR_HOST."""
    code = "import sys; from gcp_storage_emulator.__main__ import main; sys.argv[0] = 'gcs'; main()"
    command = [sys.executable, "-c", code, "start", "--host", HOST, "--port", PORT, "--in-memory"]
    return Server("gcs-emulator", command, ready=lambda s: _port_open(s.port), binds_port_zero=True)


def luigid() -> Server:
    """luigi's central scheduler on loopback, with its state file in a temporary directory."""
    code = "import sys; from luigi.cmdline import luigid; luigid(sys.argv[1:])"
    server = Server(
        "luigid", [], ready=lambda s: _http_ok(f"http://{s.address}/api/task_list"), binds_port_zero=True
    )
    server.command = [
        sys.executable,
        "-c",
        code,
        "--address",
        HOST,
        "--port",
        PORT,
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
