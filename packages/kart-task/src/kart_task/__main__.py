"""`python -m kart_task cache ls|du|gc WORKSPACE ...` (the `kart-task` command)."""

from __future__ import annotations

from ._cache_cli import PROG, main

#: the command's name in usage and error lines; `python -m gokart` runs this module with its own name
#: (runpy's `init_globals`)
COMMAND: str = globals().get("COMMAND") or PROG

if __name__ == "__main__":
    raise SystemExit(main(prog=COMMAND))
