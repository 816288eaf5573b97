"""gokart.tree.task_info: the task tree as text, table, pickle; plus kart's Mermaid and DOT graphs."""

from gokart.target import make_target
from kart_task import (
    dump_task_info_graph,
    dump_task_info_table,
    dump_task_info_tree,
    make_task_info_as_dot,
    make_task_info_as_mermaid,
    make_task_info_as_table,
    make_task_info_as_tree_str,
    make_task_info_tree,
    make_tree_info_table_list,
)
from kart_task import format_task_info_tree as make_tree_info

__all__ = [
    "dump_task_info_graph",
    "dump_task_info_table",
    "dump_task_info_tree",
    "make_target",
    "make_task_info_as_dot",
    "make_task_info_as_mermaid",
    "make_task_info_as_table",
    "make_task_info_as_tree_str",
    "make_task_info_tree",
    "make_tree_info",
    "make_tree_info_table_list",
]
