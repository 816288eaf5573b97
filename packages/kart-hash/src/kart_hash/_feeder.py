"""The tagged, length-prefixed encoding that fingerprints feed into one SHA-256, and the path of the
part being fed (for error messages)."""

from __future__ import annotations

import hashlib
import struct

_FORMAT = b"kart-fingerprint-1"
_U64 = struct.Struct(">Q")


class _Path:
    """Where in the value we are, for error messages such as `value['k'][2]`."""

    __slots__ = ("parent", "step")

    def __init__(self, parent: _Path | None, step: str) -> None:
        self.parent = parent
        self.step = step

    def __str__(self) -> str:
        steps: list[str] = []
        node: _Path | None = self
        while node is not None:
            steps.append(node.step)
            node = node.parent
        return "".join(reversed(steps))


_ROOT = _Path(None, "value")


class _Feeder:
    """Writes the tagged encoding of one value into one hash object."""

    __slots__ = ("active", "digest")

    def __init__(self) -> None:
        self.digest = hashlib.sha256(_FORMAT)
        self.active: set[int] = set()

    def atom(self, tag: bytes, payload: bytes | memoryview) -> None:
        self.digest.update(tag)
        self.digest.update(_U64.pack(len(payload)))
        self.digest.update(payload)

    def count(self, tag: bytes, n: int) -> None:
        self.digest.update(tag)
        self.digest.update(_U64.pack(n))

    def text(self, tag: bytes, value: str) -> None:
        self.atom(tag, value.encode("utf-8", "surrogatepass"))
