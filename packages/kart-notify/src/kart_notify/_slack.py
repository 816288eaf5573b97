"""Slack delivery with slack-sdk: a message in the channel, the details as a file in its thread.

Upstream gokart uploads with `files.upload`, which Slack shut down in November 2025; this uses
`files_upload_v2` (get an upload URL, send the bytes, complete the upload). Every failure becomes
a warning, as upstream: a broken notification never breaks a pipeline. The token is redacted
from everything this module logs.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import slack_sdk
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from ._errors import ChannelNotFoundError
from ._report import RunReport

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
START_WARNING = "The job will start without slack notification: %s"
SEND_WARNING = "Failed to send slack notification: %s"


@dataclass(frozen=True)
class SlackSettings:
    """gokart's `SlackConfig` fields as plain data (the luigi Config lives in the gokart meta-package)."""

    token_name: str = "SLACK_TOKEN"
    channel: str = ""
    to_user: str = ""
    send_tree_info: bool = False
    send_only_on_failure: bool = False

    def active_token(
        self, environ: Mapping[str, str] | None = None, *, logger: logging.Logger | None = None
    ) -> str | None:
        """The token when notifications are on (a token in the `token_name` variable and a channel), else
        None; which of the two is logged at INFO, in gokart's words. For hosts that build their own client."""
        log = logger or logging.getLogger("kart_notify.slack")
        token = (os.environ if environ is None else environ).get(self.token_name, "")
        if not token or not self.channel:
            log.info("Slack notification is not activated.")
            return None
        log.info("Slack notification is activated.")
        return token

    def notifier(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        base_url: str | None = None,
        logger: logging.Logger | None = None,
    ) -> SlackNotifier | None:
        """The notifier these settings describe, or None (logged at INFO, as gokart) without token or channel.

        The token is read from the environment variable named by `token_name`, never stored here.
        """
        token = self.active_token(environ, logger=logger)
        if token is None:
            return None
        return SlackNotifier(
            token,
            self.channel,
            self.to_user,
            base_url=base_url,
            only_on_failure=self.send_only_on_failure,
            logger=logger,
        )


class SlackNotifier:
    """Sends run reports to one channel.

    `channel` is a name (with or without `#`) or a channel id; a name is resolved once, lazily or
    by `check()`. `base_url` points slack-sdk elsewhere (tests use a local stand-in server).
    """

    def __init__(
        self,
        token: str,
        channel: str,
        to_user: str = "",
        *,
        base_url: str | None = None,
        only_on_failure: bool = False,
        max_rate_limit_retries: int = 3,
        timeout: int = 30,
        logger: logging.Logger | None = None,
    ) -> None:
        self._token = token
        self._channel = channel.removeprefix("#")
        self._to_user = to_user if not to_user or to_user.startswith("@") else "@" + to_user
        self._only_on_failure = only_on_failure
        self._logger = logger or logging.getLogger("kart_notify.slack")
        client_options: dict[str, Any] = {"token": token, "timeout": timeout}
        if base_url is not None:
            client_options["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
        self._client = slack_sdk.WebClient(**client_options)
        self._client.retry_handlers.extend(
            [
                RateLimitErrorRetryHandler(max_retry_count=max_rate_limit_retries),
                ConnectionErrorRetryHandler(),
            ]
        )
        self._channel_id: str | None = self._channel if _CHANNEL_ID.match(self._channel) else None

    @property
    def client(self) -> slack_sdk.WebClient:
        """The slack-sdk WebClient this notifier posts with."""
        return self._client

    def _redact(self, text: object) -> str:
        message = str(text)
        return message.replace(self._token, "xox*-<redacted>") if self._token else message

    def _channel_id_or_raise(self) -> str:
        if self._channel_id is None:
            self._channel_id = self._find_channel(self._channel)
        return self._channel_id

    def _find_channel(self, name: str) -> str:
        cursor: str | None = None
        while True:
            page = self._client.conversations_list(
                exclude_archived=True, limit=200, types="public_channel,private_channel", cursor=cursor
            )
            channels: list[dict[str, Any]] = page.get("channels", []) or []
            for channel in channels:
                if channel.get("name") == name:
                    return str(channel["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                raise ChannelNotFoundError(f"Channel {name} is not found in public channels.")

    def check(self) -> bool:
        """Resolve the channel now, so a wrong token or channel is reported before a long run starts."""
        try:
            self._channel_id_or_raise()
        except Exception as exc:
            self._logger.warning(START_WARNING, self._redact(exc))
            return False
        return True

    def notify(self, report: RunReport) -> bool:
        if self._only_on_failure and not report.events.failed:
            return True
        return self.send(report.comment, report.content)

    def send(self, comment: str, content: str, title: str = "event.txt") -> bool:
        """Post `comment` (mentioning `to_user`) and attach `content` as a file in its thread.

        Failures are logged as warnings (token redacted) and reported by the return value, never raised:
        a notification must not fail the pipeline it reports on.
        """
        text = f"<{self._to_user}> {comment}" if self._to_user else comment
        try:
            channel_id = self._channel_id_or_raise()
            message = self._client.chat_postMessage(channel=channel_id, text=text)
            self._client.files_upload_v2(
                channel=channel_id,
                content=content,
                filename=title,
                title=title,
                thread_ts=message.get("ts"),
            )
        except Exception as exc:
            self._logger.warning(SEND_WARNING, self._redact(exc))
            return False
        return True
