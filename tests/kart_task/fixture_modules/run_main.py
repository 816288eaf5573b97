"""Command-line entry of the run tests: `python run_main.py <Task> [options]` (kart_task's run()).

With KART_TEST_ON_FINISH=<path>, the on_finish callback writes what it got there as JSON;
with KART_TEST_ADD_CONFIG=<path>, that config file is added (kart_task.add_config) before the run.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import runproj.tasks  # noqa: F401  (registers the task families)

from kart_task._run import run


def _record(task: Any, code: int, events: Any) -> None:
    with open(os.environ["KART_TEST_ON_FINISH"], "w") as stream:
        json.dump(
            {
                "task": None if task is None else type(task).__name__,
                "code": code,
                "summary": events.get_summary(),
                "events": events.get_event_list(),
            },
            stream,
        )


if __name__ == "__main__":
    if "KART_TEST_ADD_CONFIG" in os.environ:
        import kart_task

        kart_task.add_config(os.environ["KART_TEST_ADD_CONFIG"])
    run(on_finish=_record if "KART_TEST_ON_FINISH" in os.environ else None)
