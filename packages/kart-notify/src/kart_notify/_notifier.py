"""The one thing every notification channel does, so Slack is one implementation among others."""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Protocol, runtime_checkable

from ._report import RunReport

logger = logging.getLogger("kart_notify")


@runtime_checkable
class Notifier(Protocol):
    """Anything that delivers a run report: Slack, a webhook, your own channel."""

    def notify(self, report: RunReport) -> bool:
        """Deliver `report`; True when delivered. Never raises: a failed notification must not fail a run."""
        ...


class WebhookNotifier:
    """Posts `{"text": ..., "content": ...}` as JSON to a URL (Slack incoming webhooks, chat bridges)."""

    def __init__(self, url: str, *, timeout: float = 10.0, only_on_failure: bool = False) -> None:
        self._url = url
        self._timeout = timeout
        self._only_on_failure = only_on_failure

    def notify(self, report: RunReport) -> bool:
        if self._only_on_failure and not report.events.failed:
            return True
        body = json.dumps({"text": report.comment, "content": report.content}).encode("utf-8")
        request = urllib.request.Request(
            self._url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return 200 <= int(response.status) < 300
        except OSError as exc:
            logger.warning("Failed to send webhook notification: %s", exc)
            return False
