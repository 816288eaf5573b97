"""One family of errors for the task layer: `except kart_task.KartTaskError` catches everything kart-task
raises on purpose, while each subclass also inherits the standard exception gokart raised in its place
(gokart checked most of these with `assert`), so `except ValueError` / `except AssertionError` written
for gokart keep working. A leaf module: it imports nothing of kart-task."""

from __future__ import annotations

import kart_storage


class KartTaskError(Exception):
    """Base of every error kart-task raises on purpose."""


class NotATaskError(KartTaskError, ValueError, TypeError):
    """`requires()` gave something that is not a luigi task.

    A ValueError as gokart raises it (from the unique id, wherever the graph is walked); a TypeError
    too, which kart's tree walk and gokart's tree helpers raised for the same mistake."""


class TaskSettingError(KartTaskError, ValueError, AssertionError):
    """A task's parameters, or the targets and names given to load/dump, cannot work (redis settings
    missing for `should_lock_run`, a model target not ending in zip, a target that is not required...).
    An AssertionError too: gokart checked these with `assert`."""


class UnsafeTaskPathError(KartTaskError, kart_storage.UnsafePathError):
    """A task's output path leaves its workspace; kart-storage's error, with the task's name in front."""


class OptionError(KartTaskError, ValueError, AssertionError):
    """An option of run(), the tree/graph dumps or workspace cleaning has a value they cannot use."""


class ConfigFileError(KartTaskError, ValueError, AssertionError):
    """A config file cannot be applied: unknown extension, invalid TOML, an unset `${ENV}` variable,
    or luigi refusing the file (an AssertionError too: gokart asserted luigi's answer)."""


class ConfigFileNotFoundError(KartTaskError, FileNotFoundError, AssertionError):
    """The config file does not exist (an AssertionError too, as gokart's `assert` raised)."""


class EmptyDumpError(KartTaskError, AssertionError):
    """`fail_on_empty_dump` is on and the task dumped an empty pandas DataFrame."""


class FrameMismatchError(KartTaskError, AssertionError):
    """`assert_frame_contents_equal` found the two DataFrames different (a test assertion)."""


class WorkflowFailedError(KartTaskError, AssertionError):
    """`--test-run-pandas`: the real run of the workflow exited with an error code before the
    empty-data checks (a test assertion, as in gokart)."""


class UnsupportedOutputError(KartTaskError, ValueError):
    """`build()` was asked to return an output kind, or given a dump setting, it does not know."""


class BuildArgumentError(KartTaskError, TypeError):
    """`build()` got a keyword that belongs to it, not to luigi's `[core]` settings."""


class CompleteValueError(KartTaskError):
    """A task's `complete()` returned something other than a bool (luigi raises a plain Exception)."""


class CompleteCheckError(KartTaskError):
    """A task's `complete()` raised while luigi scheduled it and the exception object itself is not at
    hand (luigi keeps only its traceback text, which this message carries)."""


class ParameterTypeError(KartTaskError, TypeError):
    """A task parameter's `expected_type` / `expected_elements_type` is not a class (as gokart checks)."""


class TaskClassNotReadyError(KartTaskError, RuntimeError):
    """A module below `_task` asked for TaskOnKart before `_task` defined it: import kart_task first."""
