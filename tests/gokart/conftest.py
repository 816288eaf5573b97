"""Shared fixtures of the gokart meta-package tests: the Slack Web API stand-in of kart-notify's tests, and
a reset of kart's per-process state after every test.

gokart keeps no module state of its own: its `s3://`/`gs://` settings are kart-storage defaults (which a
reset keeps, and which re-read luigi's configuration when the file system is next built), the clients of
`S3Config`/`GCSConfig` live on luigi's config instances (luigi's instance cache), and the qualified names
are applied once, the same every time. So `kart_task.reset()` (kart-task's caches and kart-storage's) plus
luigi's instance cache is all there is to reset.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import luigi
import pytest

import kart_task

sys.path.insert(0, str(Path(__file__).parents[1] / "kart_notify"))

from slack_standin import serve_slack

slack = pytest.fixture(serve_slack, name="slack")


@pytest.fixture(autouse=True)
def _fresh_kart_state() -> Iterator[None]:
    yield
    kart_task.reset()
    luigi.task_register.Register.clear_instance_cache()
