"""gokart.run: the command-line entry point, with gokart's Slack summary at the end of the run."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import luigi.cmdline_parser

import gokart
from gokart.slack import EventAggregator, SlackAPI, SlackConfig
from kart_task import run as _kart_run
from kart_task._run import take_run_flags

logger = logging.getLogger(__name__)


def _try_get_slack_api(cmdline_args: Sequence[str]) -> SlackAPI | None:
    with luigi.cmdline_parser.CmdlineParser.global_instance(list(cmdline_args)):
        config = SlackConfig()
        token = os.getenv(str(config.token_name), "")
        channel, to_user = str(config.channel), str(config.to_user)
    if token and channel:
        logger.info("Slack notification is activated.")
        return SlackAPI(token=token, channel=channel, to_user=to_user)
    logger.info("Slack notification is not activated.")
    return None


def _try_to_send_event_summary_to_slack(
    slack_api: SlackAPI | None, event_aggregator: EventAggregator, cmdline_args: Sequence[str]
) -> None:
    if slack_api is None:
        return
    with luigi.cmdline_parser.CmdlineParser.global_instance(list(cmdline_args)) as parser:
        if SlackConfig().send_only_on_failure and not event_aggregator.failure_events:
            return
        task = parser.get_task_obj()
        tree_info = (
            gokart.make_tree_info(task, details=True)
            if SlackConfig().send_tree_info
            else "Please add SlackConfig.send_tree_info to include tree-info"
        )
        name = type(task).__name__
    comment = f"Report of {name}" + os.linesep + event_aggregator.get_summary()
    content = os.linesep.join(
        [
            "===== Event List ====",
            event_aggregator.get_event_list(),
            os.linesep,
            "==== Tree Info ====",
            tree_info,
        ]
    )
    slack_api.send_snippet(comment=comment, title="event.txt", content=content)


def run(cmdline_args: Sequence[str] | None = None, set_retcode: bool = True) -> NoReturn:
    """`python main.py <Task> [options]`: kart_task.run, then the Slack summary of `[SlackConfig]`."""
    args = list(cmdline_args or sys.argv[1:])
    slack_api: SlackAPI | None = None

    def on_finish(root: Any, code: int, events: EventAggregator) -> None:
        if root is not None:
            _try_to_send_event_summary_to_slack(slack_api, events, take_run_flags(args)[0])

    try:
        slack_api = _try_get_slack_api(take_run_flags(args)[0])
    except Exception:  # a bad task name or option: let the run report it with its exit code
        slack_api = None
    _kart_run(args, set_retcode, on_finish=on_finish)


__all__ = ["run"]
