"""gokart.slack.slack_api: gokart's SlackAPI on kart-notify (chat.postMessage + files_upload_v2, since
Slack shut down the files.upload method gokart 1.12 called)."""

from __future__ import annotations

import logging

import slack_sdk

from kart_notify import ChannelNotFoundError, SlackNotifier

logger = logging.getLogger(__name__)


class ChannelListNotLoadedError(RuntimeError):
    pass


class FileNotUploadedError(RuntimeError):
    pass


class SlackAPI:
    """Posts a run summary to one channel; every failure is a logged warning, never an exception."""

    def __init__(self, token: str, channel: str, to_user: str) -> None:
        self._notifier = SlackNotifier(token, channel, to_user, logger=logger)
        self._notifier.check()

    def send_snippet(self, comment: str, title: str, content: str) -> None:
        self._notifier.send(comment, content, title=title)


__all__ = [
    "ChannelListNotLoadedError",
    "ChannelNotFoundError",
    "FileNotUploadedError",
    "SlackAPI",
    "slack_sdk",
]
