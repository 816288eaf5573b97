from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import luigi
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixture_modules"))


@pytest.fixture(autouse=True)
def _fresh_luigi_instances() -> Iterator[None]:
    """luigi caches instances by parameters (hash.md §11.1); every test starts without that cache."""
    luigi.task_register.Register.clear_instance_cache()
    yield
    luigi.task_register.Register.clear_instance_cache()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a temporary directory so the default ./resources/ workspace is private to the test."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
