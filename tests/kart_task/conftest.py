from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import luigi
import pytest

import kart_task
from _servers import Server, gcs_emulator, moto_s3_server, point_boto3_at, running

sys.path.insert(0, str(Path(__file__).parent / "fixture_modules"))


@pytest.fixture(autouse=True)
def _fresh_luigi_instances() -> Iterator[None]:
    """luigi caches instances by parameters (hash.md §11.1), kart its per-process caches (kart_task.reset,
    which resets kart-storage's too): every test starts without them."""
    luigi.task_register.Register.clear_instance_cache()
    kart_task.reset()
    yield
    luigi.task_register.Register.clear_instance_cache()
    kart_task.reset()


@pytest.fixture(autouse=True)
def _restore_task_register() -> Iterator[None]:
    """build() prunes luigi's class registry (gokart's reset_register); put it back after each test so
    later tests still find their task classes by family name."""
    register = luigi.task_register.Register
    saved = list(register._reg)  # type: ignore[attr-defined]
    yield
    register._reg = saved  # type: ignore[attr-defined]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a temporary directory so the default ./resources/ workspace is private to the test."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """moto's S3 server on 127.0.0.1 for one test module, with AWS_* variables pointing at it."""
    empty = tmp_path_factory.mktemp("aws") / "none"
    with running(moto_s3_server()) as server, pytest.MonkeyPatch.context() as patch:
        point_boto3_at(patch, server, empty)
        yield server


@pytest.fixture(scope="module")
def gcs_server() -> Iterator[Server]:
    """The GCS emulator on 127.0.0.1 for one test module, with STORAGE_EMULATOR_HOST pointing at it."""
    with running(gcs_emulator()) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORAGE_EMULATOR_HOST", f"http://{server.address}")
        patch.setenv("GOOGLE_CLOUD_PROJECT", "kart-test")
        patch.delenv("GCS_CREDENTIAL", raising=False)
        yield server
