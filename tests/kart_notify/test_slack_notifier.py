"""SlackNotifier against a local stand-in for the Slack Web API (slack-sdk pointed at it by base_url)."""

from __future__ import annotations

import json
import logging
import time
import warnings

import pytest
from slack_standin import VALID_TOKEN, SlackStandIn

from kart_notify import Notifier, RunEvents, RunReport, SlackNotifier, SlackSettings


def _report(failed: bool = False) -> RunReport:
    events = RunEvents()
    events.success("Ok:[3b7374f824d9b4dd51623369277cc37c]")
    if failed:
        events.failure("Child:[0e28aa]", ValueError("boom"))
    return RunReport("Root", events, tree_info="tree text")


def test_report_goes_out_as_message_plus_file_in_its_thread(slack: SlackStandIn) -> None:
    notifier = SlackNotifier(VALID_TOKEN, "#ml-alerts", to_user="alice", base_url=slack.base_url)
    assert isinstance(notifier, Notifier)
    assert notifier.notify(_report(failed=True)) is True

    apis = [r.api for r in slack.requests if not r.path.startswith("/upload/")]
    assert apis == [
        "conversations.list",
        "conversations.list",
        "chat.postMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    lookup = slack.calls("conversations.list")[0].form
    assert lookup["exclude_archived"] in {"1", "true", "True"}
    assert lookup["types"] == "public_channel,private_channel"
    message = slack.calls("chat.postMessage")[0].form
    assert message["channel"] == "C0000000003"
    assert message["text"] == "<@alice> Report of Root\nSuccess: 1; Failure: 1"
    uploads = [r for r in slack.requests if r.path.startswith("/upload/")]
    assert len(uploads) == 1
    assert uploads[0].body.decode() == _report(failed=True).content
    complete = slack.calls("files.completeUploadExternal")[0].form
    assert complete["channel_id"] == "C0000000003"
    assert complete["thread_ts"] == "1700000000.000100"
    assert json.loads(complete["files"]) == [{"id": "F0001", "title": "event.txt"}]


def test_a_channel_id_needs_no_lookup_and_is_reused(slack: SlackStandIn) -> None:
    notifier = SlackNotifier(VALID_TOKEN, "C0000000002", base_url=slack.base_url)
    assert notifier.notify(_report())
    assert notifier.notify(_report())
    assert slack.calls("conversations.list") == []
    assert [r.form["channel"] for r in slack.calls("chat.postMessage")] == ["C0000000002", "C0000000002"]


def test_rate_limit_is_retried_after_retry_after(slack: SlackStandIn) -> None:
    slack.rate_limit_next["chat.postMessage"] = 1
    notifier = SlackNotifier(VALID_TOKEN, "general", base_url=slack.base_url)
    started = time.monotonic()
    assert notifier.notify(_report())
    waited = time.monotonic() - started
    posts = slack.calls("chat.postMessage")
    assert len(posts) == 2, "the 429 answer must be followed by exactly one retry"
    assert waited >= 1.0, "Retry-After: 1 must be honoured before retrying"


def test_invalid_token_warns_without_raising_or_leaking_the_token(
    slack: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "xoxb-wrong-secret-987654"
    notifier = SlackNotifier(secret, "general", base_url=slack.base_url)
    with caplog.at_level(logging.WARNING):
        assert notifier.check() is False
        assert notifier.notify(_report()) is False
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert warnings[0].startswith("The job will start without slack notification: ")
    assert "invalid_auth" in warnings[0]
    assert warnings[1].startswith("Failed to send slack notification: ")
    assert all(secret not in w for w in caplog.text.splitlines())
    assert slack.calls("chat.postMessage") == []


def test_unknown_channel_warns_with_upstreams_text(
    slack: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = SlackNotifier(VALID_TOKEN, "invalid_channel", base_url=slack.base_url)
    with caplog.at_level(logging.WARNING):
        assert notifier.check() is False
    assert caplog.messages == [
        "The job will start without slack notification: "
        "Channel invalid_channel is not found in public channels."
    ]


def test_only_on_failure_skips_successful_runs(slack: SlackStandIn) -> None:
    notifier = SlackNotifier(VALID_TOKEN, "general", base_url=slack.base_url, only_on_failure=True)
    assert notifier.notify(_report(failed=False))
    assert slack.requests == []
    assert notifier.notify(_report(failed=True))
    assert len(slack.calls("chat.postMessage")) == 1


def test_unreachable_slack_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    notifier = SlackNotifier(VALID_TOKEN, "general", base_url="http://127.0.0.1:9/api/", timeout=2)
    with caplog.at_level(logging.WARNING):
        assert notifier.notify(_report()) is False
    assert caplog.messages[-1].startswith("Failed to send slack notification: ")


def test_missing_token_or_channel_means_no_notifier(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="kart_notify"):
        assert SlackSettings(channel="general").notifier({}) is None
        assert SlackSettings(channel="general").notifier({"SLACK_TOKEN": ""}) is None
        assert SlackSettings(channel="").notifier({"SLACK_TOKEN": VALID_TOKEN}) is None
    assert caplog.messages == ["Slack notification is not activated."] * 3


def test_settings_read_the_named_variable_and_build_a_working_notifier(
    slack: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    settings = SlackSettings(token_name="MY_BOT_TOKEN", channel="ml-alerts", to_user="@bob")
    with caplog.at_level(logging.INFO, logger="kart_notify"):
        notifier = settings.notifier({"MY_BOT_TOKEN": VALID_TOKEN}, base_url=slack.base_url)
    assert caplog.messages == ["Slack notification is activated."]
    assert notifier is not None
    assert notifier.notify(_report())
    message = slack.calls("chat.postMessage")[0]
    assert message.form["channel"] == "C0000000003"
    assert message.form["text"].startswith("<@bob> Report of Root")
    assert message.headers["authorization"] == f"Bearer {VALID_TOKEN}"


def test_token_never_appears_in_logs_warnings_or_errors(
    slack: SlackStandIn, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "xoxb-wrong-secret-555"
    notifier = SlackNotifier(secret, "general", base_url=slack.base_url)
    with caplog.at_level(logging.DEBUG), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        notifier.check()
        notifier.notify(_report(failed=True))
    out, err = capsys.readouterr()
    assert caplog.records, "the failures must have been logged"
    assert secret not in caplog.text
    assert all(secret not in str(w.message) for w in caught)
    assert secret not in out + err
    assert secret not in repr(notifier)
    assert secret not in str(notifier)
