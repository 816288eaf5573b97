"""The pipeline's command line, as a gokart user writes it: `python -m many_workers_cli Root --tag ...`."""

from __future__ import annotations

import many_workers_pipeline  # noqa: F401 - registers the task classes with luigi

import kart_task

if __name__ == "__main__":
    kart_task.run()
