from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from slack_standin import serve_slack

slack = pytest.fixture(serve_slack, name="slack")
