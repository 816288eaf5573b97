"""`python -m kart_task cache ls|du|gc WORKSPACE ...` (the `kart-task` command)."""

from __future__ import annotations

from ._cache_cli import PROG, main

if __name__ == "__main__":
    raise SystemExit(main(prog=PROG))
