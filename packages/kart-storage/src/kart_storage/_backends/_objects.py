"""What the S3 and GCS backends share: bucket/key parsing, upload spooling and batched existence."""

from __future__ import annotations

import posixpath
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from kart_storage._errors import StorageArgumentError

#: A group of keys in one "directory" at least this big is checked by listing it instead of one
#: request per key.
LIST_MIN_GROUP = 16
#: Listing gives up (and falls back to one request per key) after seeing this many times more
#: names than it was asked about, so a huge unrelated prefix cannot make a check slower.
LIST_BUDGET_FACTOR = 4


class LazyClientStore:
    """One client per file system, built on first use (so importing costs nothing) and shared by all
    threads; remembers buckets known to exist so a miss costs one request after the first."""

    def __init__(self) -> None:
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._known_buckets: set[str] = set()

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    self._client = self._build_client()
        return self._client

    def _build_client(self) -> Any:
        raise NotImplementedError


def split_bucket_key(path: str, scheme: str) -> tuple[str, str]:
    """`s3://bucket/a/b` -> (`bucket`, `a/b`); query strings stay part of the key, as in gokart."""
    parts = urlsplit(path, allow_fragments=False)
    if parts.scheme != scheme or not parts.netloc:
        raise StorageArgumentError(f"not a {scheme}:// path with a bucket: {path!r}")
    key = parts.path.lstrip("/")
    if parts.query:
        key = f"{key}?{parts.query}"
    return parts.netloc, key


# list_names(bucket, prefix, first, last, budget, delimited): the names under `prefix` (only the direct
# children when `delimited`) from just before `first` up to `last`, or None once more than `budget`
# names were seen.
ListNames = Callable[[str, str, str, str, int, bool], set[str] | None]


def _common_prefix(keys: Sequence[str]) -> str:
    """The longest string every key starts with (sorted keys: the first and last decide)."""
    first, last = keys[0], keys[-1]
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[:length]


def batched_exists(
    paths: Sequence[str],
    scheme: str,
    exists_one: Callable[[str], bool],
    list_names: ListNames,
    max_workers: int,
) -> list[bool]:
    """Existence of many object paths with as few requests as possible, results in `paths` order:

    1. per bucket, one listing of the key range [smallest, largest] under the keys' common prefix;
    2. where that range holds too many other objects, one listing per crowded directory;
    3. a bounded pool of single requests for whatever is left.

    Every listing stops after `LIST_BUDGET_FACTOR` x (keys asked) + 1000 names, so a check never costs
    more than a few pages beyond what one request per key would.
    """
    if not paths:
        return []
    results: list[bool | None] = [None] * len(paths)
    keys: list[str] = []
    buckets: dict[str, list[int]] = defaultdict(list)
    directories: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, path in enumerate(paths):
        bucket, key = split_bucket_key(path, scheme)
        keys.append(key)
        buckets[bucket].append(position)
        directory = posixpath.dirname(key)
        directories[(bucket, f"{directory}/" if directory else "")].append(position)

    def settle(bucket: str, prefix: str | None, positions: list[int], delimited: bool) -> None:
        positions = [p for p in positions if results[p] is None]
        if len(positions) < LIST_MIN_GROUP:
            return
        wanted = sorted({keys[p] for p in positions})
        budget = LIST_BUDGET_FACTOR * len(wanted) + 1000
        start = _common_prefix(wanted) if prefix is None else prefix
        names = list_names(bucket, start, wanted[0], wanted[-1], budget, delimited)
        if names is not None:
            for p in positions:
                results[p] = keys[p] in names

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        for future in [pool.submit(settle, b, None, pos, False) for b, pos in buckets.items()]:
            future.result()
        for future in [pool.submit(settle, b, d, pos, True) for (b, d), pos in directories.items()]:
            future.result()
        pending = [p for p, found in enumerate(results) if found is None]
        for p, found in zip(pending, pool.map(lambda p: exists_one(paths[p]), pending), strict=True):
            results[p] = found
    return [bool(found) for found in results]


def take_until(names: Iterable[str], last: str, budget: int) -> set[str] | None:
    """Collect listed names up to `last`; None when more than `budget` were seen before reaching it."""
    seen: set[str] = set()
    for name in names:
        if name > last:
            return seen
        seen.add(name)
        if len(seen) > budget:
            return None
    return seen
