"""`python -m gokart cache ls|du|gc WORKSPACE ...`: kart-task's cache command line (`kart-task cache`).

gokart has no command to run tasks: a script runs them (`gokart.run()`, `gokart.build(task)`), or luigi's
command line does (`python -m luigi --module my.module MyTask --local-scheduler`). This entry point says so
for anything but `cache`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from kart_task import command_line

USAGE = """usage: python -m gokart cache {ls,du,gc} WORKSPACE ...

  python -m gokart cache ls WORKSPACE    every cached task and stray file of a workspace
  python -m gokart cache du WORKSPACE    tasks, files and bytes per task family
  python -m gokart cache gc WORKSPACE    remove what is not needed (a dry run unless --yes)

(`python -m gokart cache gc --help` for the options.) To run tasks, call gokart.run() or gokart.build()
in your script, or use luigi: python -m luigi --module my.module MyTask --local-scheduler
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch `cache ...` to kart-task's command line (`kart_task.command_line`); the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] != ["cache"]:
        wants_help = args[:1] in (["-h"], ["--help"])
        print(USAGE, end="", file=sys.stdout if wants_help else sys.stderr)
        return 0 if wants_help else 2
    return command_line(args, prog="python -m gokart")


if __name__ == "__main__":
    raise SystemExit(main())
