"""gokart.task: TaskOnKart, defined in kart-task."""

from typing import TypeVar

from kart_task import EmptyDumpError, TaskOnKart

T = TypeVar("T")
K = TypeVar("K")

__all__ = ["EmptyDumpError", "K", "T", "TaskOnKart"]
