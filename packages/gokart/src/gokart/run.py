"""gokart.run: the command-line entry point, with gokart's Slack summary at the end of the run."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import luigi.cmdline_parser

from gokart.info import make_tree_info
from gokart.slack import EventAggregator, SlackAPI, SlackConfig
from kart_notify import TREE_INFO_PLACEHOLDER, RunEvents, RunReport, SlackSettings, TaskFailure
from kart_task import run as _kart_run
from kart_task import take_run_flags

logger = logging.getLogger(__name__)


def _slack_settings() -> SlackSettings:
    """`[SlackConfig]` of the command line being parsed, as kart-notify's settings."""
    config = SlackConfig()
    return SlackSettings(
        token_name=str(config.token_name),
        channel=str(config.channel),
        to_user=str(config.to_user),
        send_tree_info=bool(config.send_tree_info),
        send_only_on_failure=bool(config.send_only_on_failure),
    )


def _run_events(event_aggregator: EventAggregator) -> RunEvents:
    """The run's outcomes as kart-notify's events, in gokart 1.12.2's layout (its blocks run together)."""
    return RunEvents(
        successes=event_aggregator.success_events,
        failures=[TaskFailure(event.task, event.exception) for event in event_aggregator.failure_events],
        block_separator="",
    )


def _try_get_slack_api(cmdline_args: Sequence[str]) -> SlackAPI | None:
    with luigi.cmdline_parser.CmdlineParser.global_instance(list(cmdline_args)):
        settings = _slack_settings()
    token = settings.active_token(logger=logger)
    if token is None:
        return None
    return SlackAPI(token=token, channel=settings.channel, to_user=settings.to_user)


def _try_to_send_event_summary_to_slack(
    slack_api: SlackAPI | None, event_aggregator: EventAggregator, cmdline_args: Sequence[str]
) -> None:
    if slack_api is None:
        return
    events = _run_events(event_aggregator)
    with luigi.cmdline_parser.CmdlineParser.global_instance(list(cmdline_args)) as parser:
        settings = _slack_settings()
        if settings.send_only_on_failure and not events.failed:
            return
        task = parser.get_task_obj()
        tree_info = make_tree_info(task, details=True) if settings.send_tree_info else TREE_INFO_PLACEHOLDER
    report = RunReport(type(task).__name__, events, tree_info=tree_info)
    slack_api.send_snippet(comment=report.comment, title="event.txt", content=report.content)


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
