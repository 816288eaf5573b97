"""gokart.worker: the luigi worker gokart runs tasks with, defined in kart-task."""

from kart_task import Worker, gokart_worker
from kart_task._worker import TaskProcess, logger

__all__ = ["TaskProcess", "Worker", "gokart_worker", "logger"]
