"""Slack notifications and run summaries for pipelines (slack-sdk only)."""

from ._errors import ChannelNotFoundError, KartNotifyError
from ._notifier import Notifier, WebhookNotifier
from ._report import TREE_INFO_PLACEHOLDER, RunEvents, RunReport, TaskFailure
from ._slack import SlackNotifier, SlackSettings

__version__ = "0.1.0"

__all__ = [
    "TREE_INFO_PLACEHOLDER",
    "ChannelNotFoundError",
    "KartNotifyError",
    "Notifier",
    "RunEvents",
    "RunReport",
    "SlackNotifier",
    "SlackSettings",
    "TaskFailure",
    "WebhookNotifier",
    "__version__",
]
