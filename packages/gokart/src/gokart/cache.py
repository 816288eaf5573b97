"""gokart.cache: see what a workspace (local, s3://, gs://, memory://) holds and collect its garbage.

kart-task's cache API under gokart's name; `python -m gokart cache ls|du|gc WORKSPACE` is its command line.
"""

from kart_storage import StoredObject, list_objects
from kart_task import (
    CachedTask,
    CacheInventory,
    CollectionPlan,
    CollectionResult,
    FamilyTotals,
    NeededOutputs,
    Removal,
    apply_collection,
    cache_inventory,
    needed_by,
    plan_collection,
)

__all__ = [
    "CacheInventory",
    "CachedTask",
    "CollectionPlan",
    "CollectionResult",
    "FamilyTotals",
    "NeededOutputs",
    "Removal",
    "StoredObject",
    "apply_collection",
    "cache_inventory",
    "list_objects",
    "needed_by",
    "plan_collection",
]
