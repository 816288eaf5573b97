"""How exists_many on object stores decides between listings and single requests (no server needed)."""

from __future__ import annotations

import threading

import pytest

from kart_storage._backends._objects import LIST_MIN_GROUP, batched_exists, split_bucket_key


class _FakeStore:
    """Object names per bucket; records every listing and single request."""

    def __init__(self, names: dict[str, set[str]]) -> None:
        self.names = names
        self.listings: list[tuple[str, str, bool]] = []
        self.singles: list[str] = []
        self._lock = threading.Lock()

    def exists_one(self, path: str) -> bool:
        with self._lock:
            self.singles.append(path)
        bucket, key = split_bucket_key(path, "s3")
        return key in self.names.get(bucket, set())

    def list_names(
        self, bucket: str, prefix: str, first: str, last: str, budget: int, delimited: bool
    ) -> set[str] | None:
        with self._lock:
            self.listings.append((bucket, prefix, delimited))
        seen: set[str] = set()
        for name in sorted(self.names.get(bucket, set())):
            if not name.startswith(prefix) or name < first[:-1]:
                continue
            if delimited and "/" in name[len(prefix) :]:
                continue
            if name > last:
                break
            seen.add(name)
            if len(seen) > budget:
                return None
        return seen

    def check(self, paths: list[str]) -> list[bool]:
        return batched_exists(paths, "s3", self.exists_one, self.list_names, max_workers=4)


def test_keys_sharing_a_range_cost_one_listing() -> None:
    store = _FakeStore({"b": {f"out/t{index}/x.pkl" for index in range(0, 100, 2)}})
    paths = [f"s3://b/out/t{index}/x.pkl" for index in range(100)]
    assert store.check(paths) == [index % 2 == 0 for index in range(100)]
    assert store.listings == [("b", "out/t", False)]
    assert store.singles == []


def test_a_crowded_range_falls_back_to_directory_listings_then_single_requests() -> None:
    noise = {f"big/noise/{index:06d}" for index in range(20_000)}
    wanted = {f"big/a/{index:03d}.pkl" for index in range(0, 40, 2)}
    lonely = "big/z/only.pkl"
    store = _FakeStore({"b": noise | wanted | {lonely}})
    paths = [f"s3://b/big/a/{index:03d}.pkl" for index in range(40)] + [f"s3://b/{lonely}", "s3://b/big/y/no"]
    assert store.check(paths) == [index % 2 == 0 for index in range(40)] + [True, False]
    # the bucket-wide range listing gave up (noise), big/a/ was listed, the two stragglers asked singly
    assert store.listings == [("b", "big/", False), ("b", "big/a/", True)]
    assert sorted(store.singles) == ["s3://b/big/y/no", f"s3://b/{lonely}"]


def test_few_keys_use_single_requests_only() -> None:
    store = _FakeStore({"b": {"k1"}})
    paths = [f"s3://b/k{index}" for index in range(LIST_MIN_GROUP - 1)]
    assert store.check(paths) == [index == 1 for index in range(LIST_MIN_GROUP - 1)]
    assert store.listings == []
    assert len(store.singles) == LIST_MIN_GROUP - 1


def test_buckets_are_listed_separately_and_order_is_kept() -> None:
    store = _FakeStore({"a": {f"k{index:02d}" for index in range(20)}, "b": set()})
    paths = [f"s3://{'a' if index % 2 else 'b'}/k{index // 2:02d}" for index in range(40)]
    assert store.check(paths) == [index % 2 == 1 for index in range(40)]
    assert sorted(bucket for bucket, _, _ in store.listings) == ["a", "b"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [("s3://b/a/b.pkl", ("b", "a/b.pkl")), ("s3://b/x?v=1", ("b", "x?v=1")), ("s3://b/", ("b", ""))],
)
def test_split_bucket_key(path: str, expected: tuple[str, str]) -> None:
    assert split_bucket_key(path, "s3") == expected


def test_split_bucket_key_rejects_other_schemes() -> None:
    with pytest.raises(ValueError, match="gs://"):
        split_bucket_key("s3://b/k", "gs")
