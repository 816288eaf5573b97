"""gokart.tree.task_info_formatter: the tree data model and its text rendering."""

from kart_task._tree_formatter import (
    RequiredTask,
    TaskInfo,
    _make_requires_info,
    make_task_info_tree,
    make_tree_info,
    make_tree_info_table_list,
)

__all__ = [
    "RequiredTask",
    "TaskInfo",
    "_make_requires_info",
    "make_task_info_tree",
    "make_tree_info",
    "make_tree_info_table_list",
]
