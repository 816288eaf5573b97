"""`kart-task cache ls|du|gc WORKSPACE` (also `python -m kart_task cache ...`, `python -m gokart cache ...`).

WORKSPACE is a local directory, `s3://bucket/prefix`, `gs://bucket/prefix` or `memory://name` (memory only
within one process: `main([...])`).

- `ls [--json] [--no-params] [--family NAME ...]`: every cached task (family, unique id, files, size, time
  written, parameters), then the stray files (written by no task), then the total.
- `du [--json]`: tasks, files and bytes per task family; stray files; the total.
- `gc [--root 'module:Task --param value' ...] [--older-than 7d] [--max-size 10GiB] [--yes]
  [--redis-host H --redis-port P] [--json]`: what the roots do not need, what is older than the age, or
  the least recently written until the workspace fits the size. A dry run unless `--yes`.
  `--redis-host/--redis-port` (the tasks' settings) leave a task whose dump lock a writer holds.

`--progress` / `--no-progress`: a progress bar on stderr (default: only when stderr is a terminal).
Exit status: 0 done; 2 bad command line (usage, a bad age, size or root); 1 the store failed (one line
naming the workspace).

JSON (`--json`: one document on stdout; sizes in bytes, times ISO-8601 UTC):

- ls: `{"workspace", "tasks": [{"task_family", "unique_id", "size", "written", "params" (object or
  null), "outputs", "logs", "companions"}], "stray", "unfinished_uploads", "files", "size"}`; each file
  is `{"path", "size", "modified"}`, each unfinished (S3 multipart) upload
  `{"path", "upload_id", "initiated"}`.
- du: `{"workspace", "families": [{"task_family", "tasks", "files", "size"}], "stray": {"files", "size"},
  "unfinished_uploads" (a count), "total": {"tasks", "files", "size"}}`.
- gc: `{"workspace", "dry_run", "started_at", "removals": [{"task_family", "unique_id" (null for a stray
  file), "reason", "files": [path], "size"}], "too_new": [path], "abandoned_uploads": [upload], "files",
  "size", "result"}`; `result` is null on a dry run, else `{"removed": [path], "skipped": [path],
  "locked": [path], "aborted_uploads": [upload], "size"}`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from tqdm import tqdm

from kart_storage import StoredObject

from . import _cache_cli_format as fmt
from ._cache_cli_options import RootError, parse_age, parse_size, parsed_roots
from ._cache_collect import Removal, apply_collection, plan_collection
from ._cache_inventory import CachedTask, cache_inventory
from ._cache_reachability import comparable, needed_by
from ._progress import progress_wanted

PROG = "kart-task"


class _Progress:
    """tqdm bars on stderr, one per stage (objects listed, parameter logs read, units removed), made
    when the stage starts; the callbacks are None when the display is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bars: dict[str, Any] = {}

    def _tick(self, stage: str, unit: str, total: int | None = None) -> None:
        bar = self._bars.get(stage)
        if bar is None:
            for other in self._bars.values():
                other.close()  # the previous stage is over
            bar = self._bars[stage] = tqdm(desc=stage, unit=unit, total=total, file=sys.stderr, leave=True)
        bar.update()

    def on_object(self) -> Callable[[StoredObject], None] | None:
        return (lambda _found: self._tick("listing", " objects")) if self.enabled else None

    def on_task(self) -> Callable[[CachedTask], None] | None:
        return (lambda _task: self._tick("parameters", " logs")) if self.enabled else None

    def on_unit(self, total: int) -> Callable[[Removal], None] | None:
        return (lambda _unit: self._tick("removing", " units", total)) if self.enabled else None

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="kart's command line.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cache = commands.add_parser(
        "cache", help="see and clean a workspace's cache", description="See and clean a workspace's cache."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "workspace", metavar="WORKSPACE", help="a directory, s3://..., gs://... or memory://..."
    )
    common.add_argument("--json", action="store_true", help="print one JSON document")
    common.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: when stderr is a terminal)",
    )
    actions = cache.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = actions.add_parser("ls", parents=[common], help="every cached task and stray file")
    ls.add_argument("--no-params", action="store_true", help="do not read the task-parameters logs")
    ls.add_argument("--family", action="append", metavar="NAME", help="only this task family (repeatable)")
    actions.add_parser("du", parents=[common], help="tasks, files and bytes per task family")
    gc = actions.add_parser("gc", parents=[common], help="remove what is not needed (a dry run unless --yes)")
    gc.add_argument(
        "--root",
        action="append",
        default=[],
        metavar="'module:Task --param value'",
        help="keep what this task's graph needs, remove the rest (repeatable)",
    )
    gc.add_argument("--older-than", type=parse_age, metavar="AGE", help="remove what is older: 7d, 12h, P1W")
    gc.add_argument(
        "--max-size", type=parse_size, metavar="SIZE", help="remove the oldest until under: 10GiB"
    )
    gc.add_argument("--yes", action="store_true", help="remove (without it: a dry run)")
    gc.add_argument("--redis-host", metavar="HOST", help="leave tasks whose Redis dump lock is held")
    gc.add_argument("--redis-port", type=int, metavar="PORT")
    return parser


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    """Run kart's command line (`kart-task cache ls|du|gc WORKSPACE ...`) on `argv` (default: this
    process's arguments, `["cache", "ls", "s3://bucket/ws"]` for instance) and return its exit status:
    0 done, 1 the store failed, 2 a bad command line. `prog` names the command in usage and errors."""
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
        return _run(args, parser)
    except SystemExit as stop:  # argparse: --help (0) or a usage error (2, its message printed)
        return stop.code if isinstance(stop.code, int) else 2


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    usage = _action_parser(parser, args.action)
    progress = _Progress(progress_wanted(args.progress))
    try:
        if "://" not in args.workspace and not os.path.isdir(args.workspace):
            raise FileNotFoundError("no such directory")
        if args.action == "ls":
            return _ls(args, progress)
        if args.action == "du":
            return _du(args, progress)
        return _gc(args, progress, usage)
    except RootError as error:
        usage.error(str(error))
    except Exception as error:  # the store (or a task's requires()) failed: one line, naming the workspace
        text = " ".join(str(error).split())
        print(
            f"{parser.prog} cache {args.action}: {args.workspace}: {type(error).__name__}: {text}",
            file=sys.stderr,
        )
        return 1
    finally:
        progress.close()


def _action_parser(parser: argparse.ArgumentParser, action: str) -> argparse.ArgumentParser:
    """The `ls`/`du`/`gc` sub-parser (its usage line goes with the errors found after parsing)."""
    found: argparse.ArgumentParser = parser
    for name in ("cache", action):
        for choice in found._actions:
            if isinstance(choice, argparse._SubParsersAction) and name in choice.choices:
                found = choice.choices[name]
    return found


def _print_json(document: dict[str, Any]) -> None:
    json.dump(document, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def _print_lines(lines: list[str]) -> None:
    sys.stdout.write("".join(f"{line}\n" for line in lines))


def _ls(args: argparse.Namespace, progress: _Progress) -> int:
    found = cache_inventory(
        args.workspace,
        read_params=not args.no_params,
        on_object=progress.on_object(),
        on_task=progress.on_task(),
    )
    families = set(args.family or ())
    tasks = [task for task in found.tasks if not families or task.task_family in families]
    stray = [] if families else found.stray
    uploads = [] if families else found.unfinished_uploads
    progress.close()
    if args.json:
        _print_json(fmt.ls_document(found, tasks, stray, uploads))
    else:
        width = shutil.get_terminal_size((120, 24)).columns
        _print_lines(fmt.ls_lines(found, tasks, stray, uploads, width, params=not args.no_params))
    return 0


def _du(args: argparse.Namespace, progress: _Progress) -> int:
    found = cache_inventory(args.workspace, read_params=False, on_object=progress.on_object())
    progress.close()
    if args.json:
        _print_json(fmt.du_document(found))
    else:
        _print_lines(fmt.du_lines(found))
    return 0


def _gc(args: argparse.Namespace, progress: _Progress, usage: argparse.ArgumentParser) -> int:
    if not args.root and args.older_than is None and args.max_size is None:
        usage.error("gc needs something to go by: --root, --older-than or --max-size")
    if (args.redis_host is None) != (args.redis_port is None):
        usage.error("--redis-host and --redis-port go together")
    started_at = datetime.now(UTC)  # before the listing: whatever is written from now on stays
    with parsed_roots(args.root) as roots:
        for text, root in zip(args.root, roots, strict=True):
            _check_inside(text, root, args.workspace, usage)
        found = cache_inventory(args.workspace, read_params=False, on_object=progress.on_object())
        plan = plan_collection(
            args.workspace,
            roots=roots,
            older_than=args.older_than,
            max_size=args.max_size,
            started_at=started_at,
            listed=found,
        )
    progress.close()
    result = None
    if args.yes:
        result = apply_collection(
            plan,
            redis_host=args.redis_host,
            redis_port=args.redis_port,
            on_unit=progress.on_unit(len(plan.removals)),
        )
        progress.close()
    if args.json:
        _print_json(fmt.gc_document(plan, result))
    else:
        _print_lines(fmt.gc_lines(plan, result))
    return 0


def _check_inside(text: str, root: Any, workspace: str, usage: argparse.ArgumentParser) -> None:
    """A root none of whose outputs lies in the workspace would keep nothing there (most likely its
    `--workspace-directory` was forgotten): refuse rather than remove everything."""
    inside = comparable(workspace).rstrip("/\\") + "/"
    paths = sorted(needed_by([root]).paths)
    if not any(comparable(path).replace("\\", "/").startswith(inside.replace("\\", "/")) for path in paths):
        where = f"its outputs are like {paths[0]!r}" if paths else "it has no outputs"
        usage.error(
            f"--root {text!r}: nothing it needs is in {workspace} ({where}); "
            "give the root its --workspace-directory"
        )


__all__ = ["PROG", "build_parser", "main"]
