"""gokart.testing: the empty-DataFrame test run and a row/column-order-blind DataFrame assertion."""

from gokart.testing.check_if_run_with_empty_data_frame import test_run, try_to_run_test_for_empty_data_frame
from gokart.testing.pandas_assert import assert_frame_contents_equal

__all__ = [  # noqa: RUF022 - gokart 1.12.2's order
    "test_run",
    "try_to_run_test_for_empty_data_frame",
    "assert_frame_contents_equal",
]
