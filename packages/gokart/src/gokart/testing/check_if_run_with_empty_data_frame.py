from kart_task import test_run, try_to_run_test_for_empty_data_frame

__all__ = ["test_run", "try_to_run_test_for_empty_data_frame"]
