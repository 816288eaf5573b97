"""Shared fixtures of the gokart meta-package tests: the Slack Web API stand-in of kart-notify's tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "kart_notify"))

from slack_standin import serve_slack

slack = pytest.fixture(serve_slack, name="slack")
