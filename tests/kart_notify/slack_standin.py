"""A local HTTP server standing in for the Slack Web API: records every request, answers like Slack."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VALID_TOKEN = "xoxb-kart-test-token-123456"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def api(self) -> str:
        return self.path.removeprefix("/api/").split("?")[0]

    @property
    def form(self) -> dict[str, str]:
        if self.headers.get("content-type", "").startswith("application/json"):
            return {
                k: v if isinstance(v, str) else json.dumps(v)
                for k, v in json.loads(self.body or b"{}").items()
            }
        query = urllib.parse.urlsplit(self.path).query
        pairs = urllib.parse.parse_qsl(query) + urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"))
        return dict(pairs)


@dataclass
class SlackStandIn:
    channels: list[dict[str, str]] = field(
        default_factory=lambda: [
            {"id": "C0000000001", "name": "general"},
            {"id": "C0000000002", "name": "random"},
            {"id": "C0000000003", "name": "ml-alerts"},
        ]
    )
    page_size: int = 2
    rate_limit_next: dict[str, int] = field(default_factory=dict)  # api -> how many 429s to answer
    requests: list[Recorded] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def calls(self, api: str) -> list[Recorded]:
        return [r for r in self.requests if r.api == api]

    def answer(self, request: Recorded) -> tuple[int, dict[str, str], dict[str, Any] | bytes]:
        if request.path.startswith("/upload/"):
            return 200, {}, b"OK - 7"
        remaining = self.rate_limit_next.get(request.api, 0)
        if remaining:
            self.rate_limit_next[request.api] = remaining - 1
            return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token != VALID_TOKEN:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        form = request.form
        if request.api == "conversations.list":
            start = int(form.get("cursor") or 0)
            page = self.channels[start : start + self.page_size]
            nxt = str(start + self.page_size) if start + self.page_size < len(self.channels) else ""
            return 200, {}, {"ok": True, "channels": page, "response_metadata": {"next_cursor": nxt}}
        if request.api == "chat.postMessage":
            return 200, {}, {"ok": True, "channel": form.get("channel"), "ts": "1700000000.000100"}
        if request.api == "files.getUploadURLExternal":
            port = self.server.server_address[1] if self.server else 0
            return (
                200,
                {},
                {"ok": True, "upload_url": f"http://127.0.0.1:{port}/upload/F0001", "file_id": "F0001"},
            )
        if request.api == "files.completeUploadExternal":
            return 200, {}, {"ok": True, "files": [{"id": "F0001", "title": "event.txt"}]}
        if request.api == "files.info":
            return 200, {}, {"ok": True, "file": {"id": "F0001"}}
        return 200, {}, {"ok": False, "error": "unknown_method"}

    def start(self) -> SlackStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                recorded = Recorded(self.command, self.path, headers, body)
                standin.requests.append(recorded)
                status, extra_headers, payload = standin.answer(recorded)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in extra_headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _handle
            do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def serve_slack() -> Iterator[SlackStandIn]:
    """A started stand-in for one test, stopped afterwards; conftests make it the `slack` fixture."""
    standin = SlackStandIn().start()
    try:
        yield standin
    finally:
        standin.stop()
