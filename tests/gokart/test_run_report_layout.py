"""gokart.run builds its Slack summary with kart-notify's RunReport/RunEvents/SlackSettings (one copy of the
text and of the activation rule) in gokart 1.12.2's layout: the event list is kart-task's EventAggregator
text, blocks run together as gokart's."""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any

import luigi
import pytest

from kart_notify import TREE_INFO_PLACEHOLDER
from kart_task import EventAggregator

gokart_run: Any = importlib.import_module("gokart.run")  # `gokart.run` is the function, as in gokart


class _Named(luigi.Task):
    name = luigi.Parameter()

    def make_unique_id(self) -> str:
        return f"uid-{self.name}"


def _aggregator(successes: list[str], failures: list[str]) -> EventAggregator:
    aggregator = EventAggregator()
    for name in successes:
        aggregator.add_success(_Named(name=name))
    for name in failures:
        aggregator.add_failure(_Named(name=name), ValueError(f"boom {name}"))
    return aggregator


@pytest.mark.parametrize(("successes", "failures"), [([], []), (["a"], []), ([], ["b"]), (["a", "c"], ["b"])])
def test_event_list_is_gokarts_text(successes: list[str], failures: list[str]) -> None:
    aggregator = _aggregator(successes, failures)
    events = gokart_run._run_events(aggregator)
    assert events.event_list() == aggregator.get_event_list()
    assert events.summary() == aggregator.get_summary()
    assert events.failed == bool(failures)


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []

    def send_snippet(self, comment: str, title: str, content: str) -> None:
        self.sent.append({"comment": comment, "title": title, "content": content})


def _send(aggregator: EventAggregator, *flags: str) -> list[dict[str, str]]:
    recorder = _Recorder()
    api: Any = recorder
    gokart_run._try_to_send_event_summary_to_slack(
        api, aggregator, ["TaskOnKart", "--local-scheduler", *flags]
    )
    return recorder.sent


def test_summary_sent_through_send_snippet_with_the_placeholder() -> None:
    aggregator = _aggregator(["a"], ["b"])
    [sent] = _send(aggregator)
    assert sent["title"] == "event.txt"
    assert sent["comment"] == f"Report of TaskOnKart{os.linesep}Success: 1; Failure: 1"
    assert sent["content"] == os.linesep.join(
        [
            "===== Event List ====",
            aggregator.get_event_list(),
            os.linesep,
            "==== Tree Info ====",
            TREE_INFO_PLACEHOLDER,
        ]
    )


def test_only_on_failure_sends_nothing_for_a_clean_run() -> None:
    assert _send(_aggregator(["a"], []), "--SlackConfig-send-only-on-failure") == []
    assert len(_send(_aggregator([], ["b"]), "--SlackConfig-send-only-on-failure")) == 1


def test_activation_is_kart_notifys_rule_logged_by_gokart_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("SLACK_TOKEN", raising=False)
    with caplog.at_level(logging.INFO, logger="gokart.run"):
        assert gokart_run._try_get_slack_api(["TaskOnKart", "--SlackConfig-channel", "general"]) is None
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("gokart.run", "Slack notification is not activated.")
    ]
