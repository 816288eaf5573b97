"""Exceptions sent from a forked task process to the process that builds, as faithfully as possible.

An exception whose class pickles by name arrives as an equal exception of that class. One whose class
cannot be pickled by name (defined inside a function, say) still arrives as an instance of its own class
when the building process holds that class too, which is the usual case after a fork: the class travels
by identity (module, qualified name and object id, checked against the live exception classes of the
receiving process). Only when that fails too does an `ExceptionStandIn` carry the type name, text and
traceback.
"""

from __future__ import annotations

import pickle
import traceback
from dataclasses import dataclass
from typing import Any

from ._errors import KartTaskError


class ExceptionStandIn(KartTaskError, RuntimeError):
    """Stands in for an exception that could not cross from a task process to the building one.

    `str()` is the original's text, `type_name` its class as `module.qualname`, `traceback` the
    formatted traceback from the task process.
    """

    def __init__(self, type_name: str, message: str, traceback: str = "") -> None:
        super().__init__(message)
        self.type_name = type_name
        self.traceback = traceback

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.type_name, str(self), self.traceback))

    def __repr__(self) -> str:
        return f"ExceptionStandIn({self.type_name}: {str(self)!r})"


@dataclass(frozen=True)
class _ByIdentity:
    """An exception whose class travels by identity; rebuilt from `args` and `state` on arrival."""

    module: str
    qualname: str
    class_id: int
    args: tuple[Any, ...]
    state: dict[str, Any]
    stand_in: ExceptionStandIn


Packed = BaseException | _ByIdentity


def _survives_pickling(value: object) -> bool:
    try:
        pickle.loads(pickle.dumps(value))
    except Exception:
        return False
    return True


def pack(exception: BaseException) -> Packed:
    """What to put on the queue for `exception` (called in the task process)."""
    if _survives_pickling(exception):
        return exception
    cls = type(exception)
    stand_in = ExceptionStandIn(
        f"{cls.__module__}.{cls.__qualname__}",
        str(exception),
        "".join(traceback.format_exception(exception)),
    )
    by_identity = _ByIdentity(
        module=cls.__module__,
        qualname=cls.__qualname__,
        class_id=id(cls),
        args=tuple(exception.args),
        state=dict(getattr(exception, "__dict__", {})),
        stand_in=stand_in,
    )
    return by_identity if _survives_pickling(by_identity) else stand_in


def _live_exception_class(packed: _ByIdentity) -> type[BaseException] | None:
    pending: list[type[BaseException]] = [BaseException]
    seen: set[int] = set()
    while pending:
        cls = pending.pop()
        if id(cls) in seen:
            continue
        seen.add(id(cls))
        same_name = (cls.__module__, cls.__qualname__) == (packed.module, packed.qualname)
        if same_name and id(cls) == packed.class_id:
            return cls
        pending.extend(cls.__subclasses__())
    return None


def unpack(packed: Packed) -> BaseException:
    """The exception (called in the building process)."""
    if isinstance(packed, BaseException):
        return packed
    cls = _live_exception_class(packed)
    if cls is None:
        return packed.stand_in
    try:
        exception = cls.__new__(cls, *packed.args)
        exception.args = packed.args
        exception.__dict__.update(packed.state)
    except Exception:
        return packed.stand_in
    return exception


__all__ = ["ExceptionStandIn", "Packed", "pack", "unpack"]
