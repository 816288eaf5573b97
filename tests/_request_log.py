"""Requests a storage server received, read from its own log (moto and gcp-storage-emulator log one line
per request), so one counter serves every client: kart's, upstream gokart's, luigi's.

Each request is classified by what it asks: `exists` (S3 HEAD, a GCS metadata GET), `list`, `get`
(object bytes), `put` (an upload), `delete` (of an object), or `other` (bucket calls, aborted uploads).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from _servers import Server

# werkzeug colours some lines, DELETE with two codes (magenta, bold): any number of them may lead.
_LINE = re.compile(r'"(?:\x1b\[[0-9;]*m)*(GET|HEAD|PUT|POST|DELETE|PATCH) (\S+) HTTP/[0-9.]+')


def classify(method: str, path: str) -> str:
    """What a request to moto's S3 or the GCS emulator asks for."""
    if path.startswith("/moto-api"):
        return "other"
    if path.startswith("/storage/v1/b/"):  # GCS JSON API: /storage/v1/b/<bucket>/o[/<name>]
        rest = path.split("?", 1)[0].split("/")[5:]
        if method == "GET" and rest[:1] == ["o"]:
            return "exists" if len(rest) > 1 else "list"
        if method == "DELETE" and rest[:1] == ["o"] and len(rest) > 1:
            return "delete"
        return "other"
    if path.startswith("/download/"):
        return "get"
    if path.startswith("/upload/"):
        return "put"
    bare, _, query = path.partition("?")
    has_key = "/" in bare.strip("/")
    if method == "HEAD":
        return "exists" if has_key else "other"
    if method == "GET":
        if "list-type" in query or not has_key:
            return "list"
        return "get"
    if method in ("PUT", "POST") and has_key:
        return "put"
    if method == "DELETE" and has_key and "uploadId=" not in query:
        return "delete"
    return "other"


class RequestLog:
    """The requests `server` logged since the last `mark()` (or since this object was made)."""

    def __init__(self, server: Server) -> None:
        self._path = Path(server.log_path)
        self._offset = self._settled_size()

    def _settled_size(self, quiet_seconds: float = 0.3, limit_seconds: float = 10.0) -> int:
        """The log's size once the server stopped writing (it logs a request after answering it)."""
        deadline = time.monotonic() + limit_seconds
        size = self._path.stat().st_size
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = self._path.stat().st_size
            if now != size:
                size, quiet_since = now, time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_seconds:
                break
        return size

    def mark(self) -> None:
        self._offset = self._settled_size()

    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request since the mark, in order."""
        end = self._settled_size()
        with open(self._path, "rb") as log:
            log.seek(self._offset)
            text = log.read(end - self._offset).decode(errors="replace")
        return [(m.group(1), m.group(2)) for m in _LINE.finditer(text)]

    def counts(self) -> Counter[str]:
        """How many requests of each kind (see `classify`) since the mark."""
        return Counter(classify(method, path) for method, path in self.requests())
