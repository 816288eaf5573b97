"""kart-notify's package rules: one error family (each error also the standard type it stands for), no
per-process state to reset. The source rules (no `assert`, no import cycle) are in test_module_graph.py."""

from __future__ import annotations

import inspect

import kart_notify


def test_every_exported_exception_derives_from_kart_notify_error() -> None:
    exported = [getattr(kart_notify, name) for name in kart_notify.__all__]
    errors = [obj for obj in exported if inspect.isclass(obj) and issubclass(obj, BaseException)]
    assert kart_notify.ChannelNotFoundError in errors
    assert [cls.__name__ for cls in errors if not issubclass(cls, kart_notify.KartNotifyError)] == []
    assert issubclass(kart_notify.ChannelNotFoundError, RuntimeError)


def test_the_package_keeps_no_module_state_so_has_no_reset() -> None:
    assert not hasattr(kart_notify, "reset")
