"""gokart.slack: Slack notifications at the end of gokart.run."""

from gokart.slack.event_aggregator import EventAggregator
from gokart.slack.slack_api import (
    ChannelListNotLoadedError,
    ChannelNotFoundError,
    FileNotUploadedError,
    SlackAPI,
)
from gokart.slack.slack_config import SlackConfig

__all__ = [  # noqa: RUF022 - gokart 1.12.2's order
    "ChannelListNotLoadedError",
    "ChannelNotFoundError",
    "FileNotUploadedError",
    "EventAggregator",
    "SlackAPI",
    "SlackConfig",
]
