"""`run()`: the command-line entry point (`python main.py MyTask --local-scheduler ...`, gokart.run).

Before anything runs, in this order, each of these ends the process (exit 0) when asked for:
`--tree-info-mode` (simple/all text, or mermaid/dot graph files), `--explain`, the root task's
`--delete-unnecessary-output-files`, and `--test-run-pandas`. Otherwise the task runs through luigi with
kart's worker and the exit code says what happened (the highest applicable code wins; a requires()
that raises ends with 4, luigi's unhandled-exception code, as in gokart; a complete() that raises with 50).

`--explain`, `--progress` and `--no-progress` are taken out of the argument list before luigi parses it
(so they read like luigi's own flags); the same settings exist as the luigi config `[kart]` (`explain`,
`progress`), i.e. also as `--kart-explain` and `--kart-progress true|false`. A task parameter called
`explain` or `progress` therefore has to be given as `--<TaskFamily>-explain` on the command line.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import luigi
import luigi.cmdline_parser
import luigi.interface
import luigi.retcodes
from luigi.setup_logging import InterfaceLogging

from ._build import WorkerSchedulerFactory
from ._errors import OptionError, WorkflowFailedError
from ._events import EventAggregator
from ._flatten import flatten
from ._luigi import internals
from ._progress import Progress
from ._testing import _remaining_args, check_on_empty_data_frames, test_run_settings
from ._tree_legacy import tree_info

logger = logging.getLogger("gokart.run")
luigi_logger = logging.getLogger("luigi-interface")

RETCODES: dict[str, int] = {
    "already_running": 10,
    "missing_data": 20,
    "not_run": 30,
    "task_failed": 40,
    "scheduling_error": 50,
}

TEXT_MODES = ("simple", "all")
GRAPH_EXTENSIONS: dict[str, tuple[str, ...]] = {"mermaid": (".mmd", ".md"), "dot": (".dot", ".gv")}
DEFAULT_TREE_PATH = "tree.txt"

OnFinish = Callable[[luigi.Task | None, int, EventAggregator], None]
"""Called after a run with the root task (None when it could not be built), the exit code and the
successes and failures of the run; the gokart meta-package sends its Slack summary from here."""


class kart(luigi.Config):  # the `[kart]` section; flags --kart-*
    """Run options of kart that luigi and gokart do not have."""

    explain = luigi.BoolParameter(
        default=False, description="Print why each task would run, then exit 0 without running."
    )
    progress = luigi.OptionalBoolParameter(
        default=None, description="Progress display on stderr; unset: only when stderr is a terminal."
    )


@dataclass(frozen=True)
class RunFlags:
    """kart's own command-line flags of `run`, which luigi's parser must not see."""

    explain: bool = False
    progress: bool | None = None


def take_run_flags(args: Sequence[str]) -> tuple[list[str], RunFlags]:
    """Remove `--explain`, `--progress`, `--no-progress` (the last of the two progress flags wins)."""
    remaining: list[str] = []
    explain = False
    progress: bool | None = None
    for arg in args:
        if arg == "--explain":
            explain = True
        elif arg == "--progress":
            progress = True
        elif arg == "--no-progress":
            progress = False
        else:
            remaining.append(arg)
    return remaining, RunFlags(explain=explain, progress=progress)


def _set_retcodes() -> None:
    """gokart's exit codes, as luigi `retcode` class attributes (process-wide, like gokart)."""
    internals.set_retcodes(RETCODES.items())


# --- tree info ---------------------------------------------------------------------------------------


def _graph_path(config: tree_info, mode: str) -> str:
    """The graph file's path, its extension checked against the mode before any task is built."""
    allowed = GRAPH_EXTENSIONS[mode]
    relative = str(config.output_path)
    if relative == DEFAULT_TREE_PATH:
        relative = "tree" + allowed[0]
    extension = os.path.splitext(relative)[1]
    if extension not in allowed:
        raise OptionError(
            f"--tree-info-output-path {relative!r}: extension {extension!r} cannot hold a "
            f"--tree-info-mode={mode} graph; use one of {', '.join(allowed)}"
        )
    return os.path.join(str(config.workspace_directory), relative)


def _try_tree_info(args: list[str]) -> None:
    with luigi.cmdline_parser.CmdlineParser.global_instance(args) as parser:
        config = tree_info()
        mode = str(config.mode)
        if mode == "":
            return
        if mode in TEXT_MODES:
            target = config.output()  # an unsupported extension fails here, before the task is built
            task = parser.get_task_obj()
            from . import _tree_legacy

            target.dump(_tree_legacy.make_tree_info(task, details=(mode == "all")))
            path = target.path()
        elif mode in GRAPH_EXTENSIONS:
            path = _graph_path(config, mode)
            task = parser.get_task_obj()
            from ._tree_graph import dump_task_info_graph

            dump_task_info_graph(task, path)
        else:
            raise OptionError(
                f'--tree-info-mode must be "simple" or "all", but "{mode}" is passed.\n'  # gokart's text
                'kart also accepts "mermaid" and "dot" (graph files).'
            )
    logger.info("output tree info: %s", path)
    sys.exit()


# --- explain, delete, test run -------------------------------------------------------------------


def _try_explain(args: list[str], flags: RunFlags) -> None:
    with luigi.cmdline_parser.CmdlineParser.global_instance(args) as parser:
        if not (flags.explain or kart().explain):
            return
        task = parser.get_task_obj()
        from ._explain import explain, format_explanation

        text = format_explanation(explain(task))
    print(text, flush=True)
    sys.exit(0)


def _try_to_delete_unnecessary_output_file(args: list[str]) -> None:
    with luigi.cmdline_parser.CmdlineParser.global_instance(args) as parser:
        task = parser.get_task_obj()
        if not getattr(task, "delete_unnecessary_output_files", False):
            return
        workspace = str(task.workspace_directory)
        if workspace.startswith(("s3://", "gs://")):
            logger.info("delete-unnecessary-output-files is not support s3/gcs.")
        else:
            from ._workspace import delete_local_unnecessary_outputs

            delete_local_unnecessary_outputs(task)
    sys.exit()


# --- the run itself -------------------------------------------------------------------------------


def _progress_setting(args: list[str], flags: RunFlags) -> bool | None:
    if flags.progress is not None:
        return flags.progress
    with luigi.cmdline_parser.CmdlineParser.global_instance(args):
        setting: bool | None = kart().progress
    return setting


def _run_with_retcodes(
    argv: list[str], factory: Any | None = None, aggregator: EventAggregator | None = None
) -> NoReturn:
    """luigi's `run_with_retcodes` with kart's worker (and an optional progress-wrapped factory)."""
    with luigi.cmdline_parser.CmdlineParser.global_instance(argv):
        retcodes = luigi.retcodes.retcode()
    while True:
        try:
            result = luigi.interface.run(
                argv, worker_scheduler_factory=factory or WorkerSchedulerFactory(), detailed_summary=True
            )
            worker = result.worker
        except luigi.interface.PidLockAlreadyTakenExit:
            sys.exit(retcodes.already_running)
        except Exception:
            InterfaceLogging.setup(luigi.interface.core())
            luigi_logger.exception("Uncaught exception in luigi")
            sys.exit(retcodes.unhandled_exception)
        if aggregator is not None:
            aggregator.add_from_worker(worker)
        with luigi.cmdline_parser.CmdlineParser.global_instance(argv):
            task_sets = internals.summary_sets(worker)
            root_task = internals.root_task(worker)
            remote = not luigi.interface.core().local_scheduler
        if not (remote and _still_running_elsewhere(task_sets, root_task)):
            break
        # luigid gave the rest to other workers and this one ran out of work: wait as build() does, and
        # take the work over if those workers die.
        luigi_logger.info("%s is being run by other workers; waiting for it.", root_task)
        time.sleep(_REMOTE_POLL_SECONDS)
    conditions = (
        (retcodes.missing_data, "still_pending_ext"),
        (retcodes.task_failed, "failed"),
        (retcodes.already_running, "run_by_other_worker"),
        (retcodes.scheduling_error, "scheduling_error"),
        (retcodes.not_run, "not_run"),
    )
    broken = _broken_requires(task_sets["scheduling_error"])
    if broken:
        # gokart ends here with luigi's unhandled-exception code (its summary trips over the same error).
        for task, exc in broken:
            luigi_logger.error("requires() of %s raised %s: %s", task.task_id, type(exc).__name__, exc)
        sys.exit(retcodes.unhandled_exception)
    code = max(value if task_sets[category] else 0 for value, category in conditions)
    if code in (retcodes.not_run, retcodes.already_running) and _done_by_others(task_sets, root_task):
        # In a fleet on luigid other workers ran what this one was not granted: the pipeline is complete,
        # so this worker succeeded (gokart exited 30 or 10 here, which fleet scripts read as failures).
        sys.exit(0)
    if code == 0 and root_task not in task_sets["completed"] and root_task not in task_sets["already_done"]:
        sys.exit(retcodes.not_run)
    sys.exit(code)


_REMOTE_POLL_SECONDS = 2.0


def _nothing_failed(task_sets: dict[str, Any]) -> bool:
    return not any(task_sets[category] for category in ("failed", "scheduling_error", "still_pending_ext"))


def _root_complete(root_task: luigi.Task | None) -> bool | None:
    """Whether the root is complete now; None when that cannot be told (no root, complete() raised)."""
    if root_task is None:
        return None
    try:
        return root_task.complete() is True
    except Exception:
        return None


def _still_running_elsewhere(task_sets: dict[str, Any], root_task: luigi.Task | None) -> bool:
    handed_over = bool(task_sets["run_by_other_worker"] or task_sets["not_run"])
    return handed_over and _nothing_failed(task_sets) and _root_complete(root_task) is False


def _done_by_others(task_sets: dict[str, Any], root_task: luigi.Task | None) -> bool:
    return _nothing_failed(task_sets) and _root_complete(root_task) is True


def _broken_requires(tasks: Iterable[luigi.Task]) -> list[tuple[luigi.Task, Exception]]:
    """Tasks whose scheduling failed because their requires() raises (asked again: requires() is pure)."""
    broken: list[tuple[luigi.Task, Exception]] = []
    for task in tasks:
        try:
            flatten(task.requires())
        except Exception as exc:
            broken.append((task, exc))
    return broken


def _root_task_or_none(args: list[str]) -> luigi.Task | None:
    try:
        with luigi.cmdline_parser.CmdlineParser.global_instance(args) as parser:
            task: luigi.Task = parser.get_task_obj()
    except (Exception, SystemExit):
        return None
    return task


def _exit_code(exit_: SystemExit) -> int:
    code = exit_.code
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _test_run_with_empty_data_frame(cmdline_args: list[str], namespace: str | None) -> None:
    """Run the workflow (run() again, without the test flags), then every task (of `namespace`) on empty
    inputs; log the results and exit 0 or 1. Here, not in `_testing`, because it re-enters run()."""
    try:
        run(cmdline_args)
    except SystemExit as exit_:
        code = exit_.code
        if code not in (0, None):  # raised, not asserted: `python -O` must not skip it
            raise WorkflowFailedError(
                f"original workflow does not run properly. It exited with error code {code}."
            ) from None
    check_on_empty_data_frames(cmdline_args, namespace)


def try_to_run_test_for_empty_data_frame(cmdline_args: list[str]) -> None:
    """With `--test-run-pandas`: run the workflow, then every task's run() on empty inputs; exit 0 or 1.

    Without it: return and let the caller go on."""
    wanted, namespace = test_run_settings(cmdline_args)
    if wanted:
        _test_run_with_empty_data_frame(_remaining_args(cmdline_args), namespace)


def run(
    cmdline_args: Sequence[str] | None = None, set_retcode: bool = True, *, on_finish: OnFinish | None = None
) -> NoReturn:
    """Run the task named on the command line (`sys.argv[1:]` when `cmdline_args` is empty); always exits.

    `on_finish(root_task_or_None, exit_code, events)` is called once the run is over (not after the
    tree-info, explain, delete and test-run modes, which run nothing)."""
    args, flags = take_run_flags(list(cmdline_args or sys.argv[1:]))
    if set_retcode:
        _set_retcodes()
    _try_tree_info(args)
    _try_explain(args, flags)
    _try_to_delete_unnecessary_output_file(args)
    try_to_run_test_for_empty_data_frame(args)

    progress = Progress.create(_progress_setting(args, flags))
    aggregator = EventAggregator()
    aggregator.set_handlers()
    code = 0
    try:
        with progress:
            _run_with_retcodes(args, progress.wrap(WorkerSchedulerFactory()), aggregator)
    except SystemExit as exit_:
        code = _exit_code(exit_)
    finally:
        aggregator.remove_handlers()
    if on_finish is not None:
        on_finish(_root_task_or_none(args), code, aggregator)
    sys.exit(code)


__all__ = [
    "RETCODES",
    "EventAggregator",
    "OnFinish",
    "kart",
    "run",
    "take_run_flags",
    "tree_info",
    "try_to_run_test_for_empty_data_frame",
]
