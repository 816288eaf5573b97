"""gokart.testing.check_if_run_with_empty_data_frame: the `--test-run-pandas` run (kart-task's)."""

import logging

from kart_task import EmptyDataFrameTestStatus as _TestStatus
from kart_task import all_required_tasks as _get_all_tasks
from kart_task import run_empty_data_frame_test as _test_run_with_empty_data_frame
from kart_task import run_on_empty_data_frames as _run_with_test_status
from kart_task import test_run, try_to_run_test_for_empty_data_frame

test_logger = logging.getLogger(__name__)  # the logger the results are written to

__all__ = [
    "_TestStatus",
    "_get_all_tasks",
    "_run_with_test_status",
    "_test_run_with_empty_data_frame",
    "test_logger",
    "test_run",
    "try_to_run_test_for_empty_data_frame",
]
