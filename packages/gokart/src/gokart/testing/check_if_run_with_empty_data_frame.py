from kart_task import test_run, try_to_run_test_for_empty_data_frame
from kart_task._testing import (
    _get_all_tasks,
    _run_with_test_status,
    _test_run_with_empty_data_frame,
    _TestStatus,
    test_logger,
)

__all__ = [
    "_TestStatus",
    "_get_all_tasks",
    "_run_with_test_status",
    "_test_run_with_empty_data_frame",
    "test_logger",
    "test_run",
    "try_to_run_test_for_empty_data_frame",
]
