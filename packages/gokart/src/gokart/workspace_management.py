"""gokart.workspace_management: remove cache files the given task no longer needs (local workspaces)."""

from kart_task import delete_local_unnecessary_outputs

__all__ = ["delete_local_unnecessary_outputs"]
