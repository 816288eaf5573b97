from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kart_notify import TREE_INFO_PLACEHOLDER, RunEvents, RunReport, WebhookNotifier

NL = os.linesep


def test_comment_and_content_follow_gokarts_layout() -> None:
    events = RunEvents()
    events.failure("Child:[0e28]", ValueError("boom"))
    events.success("Ok:[3b73]")
    report = RunReport("Root", events)
    assert report.comment == f"Report of Root{NL}Success: 1; Failure: 1"
    assert report.content == NL.join(
        [
            "===== Event List ====",
            f"---- Failure Tasks ----{NL}Task: Child:[0e28]; Exception: boom{NL}"
            f"---- Success Tasks ----{NL}Ok:[3b73]",
            NL,
            "==== Tree Info ====",
            TREE_INFO_PLACEHOLDER,
        ]
    )


def test_empty_run_and_missing_tasks() -> None:
    assert RunEvents().event_list() == "Tasks were not executed."
    assert not RunEvents().failed
    events = RunEvents()
    events.missing_task("ExternalData:[aa]")
    assert events.failed
    assert events.event_list() == f"---- Missing Tasks ----{NL}ExternalData:[aa]"


def test_webhook_posts_json_and_respects_only_on_failure() -> None:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        ok = RunReport("Root", RunEvents(successes=["A:[1]"]))
        assert WebhookNotifier(url, only_on_failure=True).notify(ok)
        assert received == []
        assert WebhookNotifier(url).notify(ok)
        assert received == [{"text": ok.comment, "content": ok.content}]
    finally:
        server.shutdown()
        server.server_close()
    assert WebhookNotifier(url, timeout=1).notify(ok) is False
