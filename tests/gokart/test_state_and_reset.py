"""State the meta-package leaves behind: its S3/GCS settings are kart-storage defaults (an explicit
`configure_s3(...)` wins, made before `import gokart` or after), survive `kart_task.reset()` (which resets
kart-storage too), and the file system built from them notices a changed luigi configuration after it."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def _run(script: str) -> Any:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: Any = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_configure_s3_before_import_gokart_survives_the_import() -> None:
    script = """
import json
import kart_storage
kart_storage.configure_s3(kart_storage.S3Config(endpoint_url="http://explicit.invalid:1"))
import gokart
print(json.dumps({"endpoint": kart_storage.filesystem_for("s3://bucket/key").config.endpoint_url}))
"""
    assert _run(script) == {"endpoint": "http://explicit.invalid:1"}


def test_gokart_settings_apply_without_explicit_configuration_and_after_reset() -> None:
    script = """
import json
import luigi
import kart_storage
import kart_task
import gokart
config = luigi.configuration.get_config()
config.set("s3", "endpoint_url", "http://from-luigi-a.invalid:1")
first = kart_storage.filesystem_for("s3://bucket/key").config.endpoint_url
config.set("s3", "endpoint_url", "http://from-luigi-b.invalid:1")
cached = kart_storage.filesystem_for("s3://bucket/key").config.endpoint_url
kart_task.reset()
after_reset = kart_storage.filesystem_for("s3://bucket/key").config.endpoint_url
kart_storage.configure_s3(kart_storage.S3Config(endpoint_url="http://explicit.invalid:1"))
explicit = kart_storage.filesystem_for("s3://bucket/key").config.endpoint_url
print(json.dumps([first, cached, after_reset, explicit]))
"""
    assert _run(script) == [
        "http://from-luigi-a.invalid:1",
        "http://from-luigi-a.invalid:1",  # built once, kept until a reset
        "http://from-luigi-b.invalid:1",
        "http://explicit.invalid:1",
    ]


def test_configure_gcs_before_import_gokart_survives_the_import() -> None:
    script = """
import json
import kart_storage
kart_storage.configure_gcs(kart_storage.GCSConfig(gcs_credential_name="MY_EXPLICIT_CREDENTIAL"))
import gokart
print(json.dumps({"name": kart_storage.filesystem_for("gs://bucket/key").config.gcs_credential_name}))
"""
    assert _run(script) == {"name": "MY_EXPLICIT_CREDENTIAL"}
