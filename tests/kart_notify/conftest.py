from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from slack_standin import SlackStandIn


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    standin = SlackStandIn().start()
    try:
        yield standin
    finally:
        standin.stop()
