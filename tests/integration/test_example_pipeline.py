"""The README's example pipeline builds, produces a sensible model, and is fully cached afterwards."""

from __future__ import annotations

import sys
from pathlib import Path

import luigi

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

from pipeline import LoadData, pipeline


def test_example_pipeline_builds_once_and_then_only_loads(tmp_path: Path) -> None:
    workspace = f"{tmp_path}/resources/"
    task = pipeline(rows=100, workspace=workspace)
    assert luigi.build([task], local_scheduler=True, log_level="ERROR")
    result = task.output().load()
    assert abs(result["slope"] - 3.0) < 0.2
    assert result["rmse"] < 1.0
    resources = tmp_path / "resources"
    outputs = sorted(
        p.name for p in resources.rglob("*") if p.is_file() and "log" not in p.relative_to(resources).parts
    )
    assert len(outputs) == 4
    assert len(list((resources / "log" / "task_params").iterdir())) == 4
    luigi.task_register.Register.clear_instance_cache()
    again = pipeline(rows=100, workspace=workspace)
    assert again.complete()
    assert LoadData(rows=100, workspace_directory=workspace).complete()
    assert not LoadData(rows=101, workspace_directory=workspace).complete()
