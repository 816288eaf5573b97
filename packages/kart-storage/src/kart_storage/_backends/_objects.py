"""What the S3 and GCS backends share: bucket/key parsing, upload spooling and batched existence."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

#: A group of keys in one "directory" at least this big is checked by listing it instead of one
#: request per key.
LIST_MIN_GROUP = 16
#: Listing gives up (and falls back to one request per key) after seeing this many times more
#: names than it was asked about, so a huge unrelated prefix cannot make a check slower.
LIST_BUDGET_FACTOR = 4


def split_bucket_key(path: str, scheme: str) -> tuple[str, str]:
    """`s3://bucket/a/b` -> (`bucket`, `a/b`); query strings stay part of the key, as in gokart."""
    parts = urlsplit(path, allow_fragments=False)
    if parts.scheme != scheme or not parts.netloc:
        raise ValueError(f"not a {scheme}:// path with a bucket: {path!r}")
    key = parts.path.lstrip("/")
    if parts.query:
        key = f"{key}?{parts.query}"
    return parts.netloc, key


# Lists the names directly under `prefix` in [first, last] order, or None when over `budget`.
ListNames = Callable[[str, str, str, str, int], set[str] | None]


def batched_exists(
    paths: Sequence[str],
    scheme: str,
    exists_one: Callable[[str], bool],
    list_names: ListNames,
    max_workers: int,
) -> list[bool]:
    """Existence of many object paths: one listing per crowded directory, a bounded pool of single
    requests for the rest. Results keep the order of `paths`."""
    if not paths:
        return []
    results: list[bool | None] = [None] * len(paths)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    keys: list[str] = []
    for position, path in enumerate(paths):
        bucket, key = split_bucket_key(path, scheme)
        keys.append(key)
        directory = posixpath.dirname(key)
        groups[(bucket, f"{directory}/" if directory else "")].append(position)

    def settle_group(bucket: str, prefix: str, positions: list[int]) -> None:
        wanted = sorted({keys[p] for p in positions})
        budget = LIST_BUDGET_FACTOR * len(wanted) + 1000
        names = list_names(bucket, prefix, wanted[0], wanted[-1], budget)
        if names is not None:
            for p in positions:
                results[p] = keys[p] in names

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        crowded = [
            (group, positions) for group, positions in groups.items() if len(positions) >= LIST_MIN_GROUP
        ]
        for future in [pool.submit(settle_group, b, prefix, pos) for (b, prefix), pos in crowded]:
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
