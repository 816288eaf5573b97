"""kart-hash on its own: a gokart-compatible task id, a value fingerprint and a file digest."""

from __future__ import annotations

import tempfile
from pathlib import Path

from kart_hash import file_digest, fingerprint, task_parameter_text, unique_id


def main() -> None:
    leaf = unique_id([], {"n": "1"}, "Leaf")
    uses = unique_id([leaf], {"upstream": task_parameter_text("Leaf", {"n": "1"})}, "UsesTIP")
    print(f"Leaf(n=1)                      -> {leaf}   (gokart 1.12.2 gives the same)")
    print(f"UsesTIP(upstream=Leaf(n=1))    -> {uses}")
    config = {"learning_rate": 0.1, "layers": [64, 32], "features": {"age", "income"}}
    print(f"fingerprint of a config dict   -> {fingerprint(config)}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.bin"
        path.write_bytes(b"\x00" * 1_000_000)
        print(f"sha256 of a 1 MB file          -> {file_digest(path)}")


if __name__ == "__main__":
    main()
