"""gokart.tree.task_info_formatter: the tree data model and its text rendering."""

from kart_task import RequiredTask, TaskInfo, make_task_info_tree, make_tree_info_table_list
from kart_task import format_task_info_tree as make_tree_info
from kart_task import requires_info as _make_requires_info

__all__ = [
    "RequiredTask",
    "TaskInfo",
    "_make_requires_info",
    "make_task_info_tree",
    "make_tree_info",
    "make_tree_info_table_list",
]
