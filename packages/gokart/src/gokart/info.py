"""gokart.info: the legacy tree text function and the `--tree-info-*` config holder."""

from kart_task import make_tree_info, tree_info

__all__ = ["make_tree_info", "tree_info"]
