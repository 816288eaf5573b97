"""The values of `kart-task cache gc` options: ages, sizes and root tasks written as text.

A root is written as on luigi's command line, `module:Task --param value` (or `module.Task ...`), and is
built by luigi's own `CmdlineParser`, so it is exactly the task `python -m luigi --module module Task
--param value` (or gokart) would build: same parsing, defaults, config sections and `--Task-param` flags.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import re
import shlex
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import luigi
from luigi.cmdline_parser import CmdlineParser

#: `1.5G`, `500 MB`, `2GiB`, `1024`: a number and an optional unit
_SIZE = re.compile(r"^\s*(?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>[a-z]*)\s*$", re.IGNORECASE)
_PREFIXES = "kmgtp"
#: unit (lower case) -> bytes: `kb` 1000, `k`, `ki` and `kib` 1024, ...
_UNITS = {"": 1, "b": 1} | {
    prefix + suffix: (1000 if suffix == "b" else 1024) ** power
    for power, prefix in enumerate(_PREFIXES, start=1)
    for suffix in ("", "b", "i", "ib")
}


class RootError(ValueError):
    """A `--root` text that does not name a task or whose parameters luigi refuses."""


def parse_age(text: str) -> timedelta:
    """An age as luigi's TimeDeltaParameter reads it: `7 d`, `12 hours`, `P1W`, `7d`, `12h`, `30m`."""
    try:
        age = luigi.TimeDeltaParameter().parse(text)
    except Exception as error:  # luigi raises its ParameterException (or ValueError) for any bad text
        raise argparse.ArgumentTypeError(
            f"cannot read {text!r} as an age (examples: 7d, 12h, 30m, '7 days', P1W)"
        ) from error
    if not isinstance(age, timedelta):
        raise argparse.ArgumentTypeError(f"cannot read {text!r} as an age")
    return age


def parse_size(text: str) -> int:
    """A size in bytes: `1024`, `500B`, `500KB`/`MB`/`GB`/`TB` (powers of 1000), `2KiB`/`MiB`/`GiB`/`TiB`
    and the bare `K`/`M`/`G`/`T` (powers of 1024, as `du -h` and `ls -h` print them)."""
    match = _SIZE.match(text)
    factor = _UNITS.get(match["unit"].lower()) if match else None
    if match is None or factor is None:
        raise argparse.ArgumentTypeError(
            f"cannot read {text!r} as a size (examples: 500MB, 2GiB, 1.5G, 1048576)"
        )
    return int(float(match["number"]) * factor)


def task_class(spec: str, root: str) -> type[luigi.Task]:
    """The task class `module:Task` or `module.Task` names (its module imported)."""
    module_name, separator, class_name = spec.partition(":")
    if not separator:
        module_name, _, class_name = spec.rpartition(".")
    if not module_name or not class_name:
        raise RootError(f"--root {root!r}: {spec!r} is not 'module:Task' (or 'module.Task')")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise RootError(f"--root {root!r}: cannot import {module_name!r}: {error}") from error
    found: Any = module
    for part in class_name.split("."):
        found = getattr(found, part, None)
    if not (isinstance(found, type) and issubclass(found, luigi.Task)):
        raise RootError(f"--root {root!r}: {module_name!r} has no luigi task class {class_name!r}")
    return found


@contextlib.contextmanager
def parsed_root(root: str) -> Iterator[luigi.Task]:
    """The task `root` (`module:Task --param value ...`) names, built by luigi's command-line parser.

    The parser stays luigi's current one while the context is open, as during a luigi build, so the
    dependencies a walk of the task creates see the same `--OtherTask-param` flags."""
    try:
        spec, *rest = shlex.split(root)
    except ValueError as error:  # an unclosed quote
        raise RootError(f"--root {root!r}: {error}") from error
    except TypeError:  # nothing to unpack: an empty text
        raise RootError(f"--root {root!r}: empty; give 'module:Task --param value'") from None
    cls = task_class(spec, root)
    family = cls.get_task_family()
    messages = io.StringIO()
    with contextlib.ExitStack() as stack:
        try:
            with contextlib.redirect_stderr(messages):  # argparse's complaint, to put in our error
                parser = stack.enter_context(
                    CmdlineParser.global_instance([family, *rest], allow_override=True)
                )
                task = parser.get_task_obj()
            if not isinstance(task, cls):
                raise RootError(f"--root {root!r}: luigi's task {family!r} is another class than {spec!r}")
        except RootError:
            raise
        except SystemExit:
            said = messages.getvalue().strip().splitlines()
            reason = said[-1].split("error: ", 1)[-1] if said else "luigi refused the parameters"
            raise RootError(f"--root {root!r}: {reason}") from None
        except Exception as error:  # a parameter luigi cannot parse, an ambiguous family, a bad task
            raise RootError(f"--root {root!r}: {type(error).__name__}: {error}") from error
        yield task


@contextlib.contextmanager
def parsed_roots(roots: Sequence[str]) -> Iterator[list[luigi.Task]]:
    """Every root task. A single root's parser stays current while the context is open; with several,
    each root's own flags apply while that root is built (luigi has one current parser at a time)."""
    if len(roots) == 1:
        with parsed_root(roots[0]) as task:
            yield [task]
        return
    tasks = []
    for root in roots:
        with parsed_root(root) as task:
            tasks.append(task)
    yield tasks


__all__ = ["RootError", "parse_age", "parse_size", "parsed_root", "parsed_roots", "task_class"]
