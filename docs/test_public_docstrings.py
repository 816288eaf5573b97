"""Every public class and function of every package (its `__init__.__all__`) has a docstring of its own,
and every public method and property of those classes has one: its own, the one of the kart method it
overrides, or the one of the public protocol it implements (the API reference shows inherited
docstrings; luigi's do not count, they describe luigi's method). The API reference is generated from
them."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

PACKAGES = ("kart_hash", "kart_storage", "kart_lock", "kart_notify", "kart_task")


def _own_doc(obj: Any) -> str:
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    return (doc or "").strip()


def _protocols(module: Any) -> list[type]:
    return [
        obj
        for obj in (getattr(module, name) for name in module.__all__)
        if inspect.isclass(obj) and getattr(obj, "_is_protocol", False)
    ]


def _method_doc(module: Any, cls: type, attr: str) -> str:
    """The method's docstring, the one of the base method it overrides (what autodoc shows), or the one
    of the same method of a public protocol that `cls` implements (has every method of)."""
    doc = ""
    for owner in cls.__mro__:  # a docstring written in kart: luigi's text does not describe kart's method
        if attr in vars(owner) and owner.__module__.split(".")[0] in PACKAGES:
            member = vars(owner)[attr]
            member = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
            doc = (getattr(member, "__doc__", None) or "").strip()
            if doc:
                break
    for protocol in _protocols(module):
        if doc:
            break
        members = [name for name in vars(protocol) if not name.startswith("_")]
        if attr in members and all(hasattr(cls, name) for name in members):
            doc = (inspect.getdoc(getattr(protocol, attr)) or "").strip()
    return doc


def _public_callables(package: str) -> list[tuple[str, str]]:
    module = importlib.import_module(package)
    found = []
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            found.append((f"{package}.{name}", _own_doc(obj)))
        if inspect.isclass(obj) and obj.__module__.startswith(package):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if inspect.isfunction(value) or isinstance(value, (property, classmethod, staticmethod)):
                    found.append((f"{package}.{name}.{attr}", _method_doc(module, obj, attr)))
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_function_and_class_has_a_docstring(package: str) -> None:
    missing = [name for name, doc in _public_callables(package) if not doc]
    assert missing == [], f"public names without a docstring: {missing}"
