"""gokart.run sends gokart's run summary to Slack (a local stand-in for the Web API) at the end of a run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "kart_notify"))

from slack_standin import VALID_TOKEN, SlackStandIn

SCRIPT = """
import functools, os, sys
import luigi
import slack_sdk
import gokart

# the patch target gokart's own tests use: point slack-sdk at the local stand-in
slack_sdk.WebClient = functools.partial(slack_sdk.WebClient, base_url=os.environ["STANDIN_URL"])


class Fine(gokart.TaskOnKart):
    def run(self):
        self.dump("fine")


class Broken(gokart.TaskOnKart):
    def run(self):
        raise ValueError("boom in run")


if __name__ == "__main__":
    gokart.run()
"""


def _run(
    tmp_path: Path, slack: SlackStandIn, *args: str, token: str | None = VALID_TOKEN
) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "main.py"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "SLACK_TOKEN"}
    env["STANDIN_URL"] = slack.base_url
    if token is not None:
        env["SLACK_TOKEN"] = token
    return subprocess.run(
        [sys.executable, str(script), *args, "--local-scheduler", "--SlackConfig-channel", "ml-alerts"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_success_summary_is_posted_with_the_event_list(tmp_path: Path, slack: SlackStandIn) -> None:
    done = _run(tmp_path, slack, "Fine")
    assert done.returncode == 0, done.stderr[-2000:]
    [message] = slack.calls("chat.postMessage")
    assert message.form["channel"] == "C0000000003"
    assert message.form["text"] == f"Report of Fine{os.linesep}Success: 1; Failure: 0"
    [upload] = slack.calls("files.getUploadURLExternal")
    assert upload.form["filename"] == "event.txt"
    uploaded = [r for r in slack.requests if r.path.startswith("/upload/")]
    content = uploaded[0].body.decode()
    assert "===== Event List ====" in content
    assert "---- Success Tasks ----" in content
    assert "Fine:[" in content
    assert "Please add SlackConfig.send_tree_info to include tree-info" in content
    assert VALID_TOKEN not in done.stderr


def test_failure_summary_names_the_exception_and_keeps_the_exit_code(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    done = _run(tmp_path, slack, "Broken")
    assert done.returncode == 40
    [message] = slack.calls("chat.postMessage")
    assert message.form["text"].endswith("Success: 0; Failure: 1")
    content = next(r for r in slack.requests if r.path.startswith("/upload/")).body.decode()
    assert "---- Failure Tasks ----" in content
    assert "Exception: boom in run" in content


def test_tree_info_is_attached_when_asked(tmp_path: Path, slack: SlackStandIn) -> None:
    done = _run(tmp_path, slack, "Fine", "--SlackConfig-send-tree-info")
    assert done.returncode == 0, done.stderr[-2000:]
    content = next(r for r in slack.requests if r.path.startswith("/upload/")).body.decode()
    assert "==== Tree Info ====" in content
    assert "(COMPLETE) Fine[" in content


def test_invalid_token_warns_and_the_pipeline_goes_on(tmp_path: Path, slack: SlackStandIn) -> None:
    done = _run(tmp_path, slack, "Fine", token="xoxb-wrong-token")
    assert done.returncode == 0
    assert "invalid_auth" in done.stderr
    assert "xoxb-wrong-token" not in done.stderr
    assert slack.calls("conversations.list")  # it tried, was refused, and sent nothing
    assert slack.calls("chat.postMessage") == []
    assert (tmp_path / "resources").exists()


def test_without_token_nothing_is_sent(tmp_path: Path, slack: SlackStandIn) -> None:
    done = _run(tmp_path, slack, "Fine", token=None)
    assert done.returncode == 0, done.stderr[-2000:]
    assert slack.requests == []


def test_only_on_failure_skips_successful_runs(tmp_path: Path, slack: SlackStandIn) -> None:
    done = _run(tmp_path, slack, "Fine", "--SlackConfig-send-only-on-failure")
    assert done.returncode == 0, done.stderr[-2000:]
    assert slack.calls("chat.postMessage") == []
    failed = _run(tmp_path, slack, "Broken", "--SlackConfig-send-only-on-failure")
    assert failed.returncode == 40
    assert len(slack.calls("chat.postMessage")) == 1
