"""The meta-package is a thin face over the kart libraries' public APIs: no import of a private kart module
(`kart_task._build`) or of a private name (`from kart_task import _build`), so the libraries can move their
internals without breaking gokart. Each library's public API is its `__init__.__all__`."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "packages" / "gokart" / "src" / "gokart"
KART_PACKAGES = ("kart_hash", "kart_storage", "kart_lock", "kart_notify", "kart_task")


def _is_kart(module: str) -> bool:
    return module.split(".")[0] in KART_PACKAGES


def _is_private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def private_kart_imports(source: str, filename: str = "<src>") -> list[str]:
    """Every import in `source` that reaches past a kart library's public API, as `line: text`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_kart(alias.name) and _is_private(alias.name):
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and _is_kart(node.module):
            if _is_private(node.module):
                found.append(f"{node.lineno}: from {node.module} import ...")
            for alias in node.names:
                if alias.name.startswith("_") or alias.name == "*":
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
    return found


def test_the_check_recognises_private_imports() -> None:
    source = (
        "import kart_task._build\n"
        "from kart_task._run import take_run_flags\n"
        "from kart_task import _worker\n"
        "from kart_storage import *\n"
        "import kart_task\n"
        "from kart_task import take_run_flags as _take\n"
        "from gokart import _cloud\n"
        "from luigi.worker import _is_external\n"
    )
    assert private_kart_imports(source) == [
        "1: import kart_task._build",
        "2: from kart_task._run import ...",
        "3: from kart_task import _worker",
        "4: from kart_storage import *",
    ]


def test_gokart_imports_only_public_kart_names() -> None:
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 40  # the whole meta-package was read
    offending = {
        str(path.relative_to(SRC)): found
        for path in files
        if (found := private_kart_imports(path.read_text(), str(path)))
    }
    assert offending == {}


def _imported_kart_names() -> set[tuple[str, str]]:
    names: set[tuple[str, str]] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in KART_PACKAGES:
                names.update((node.module, alias.name) for alias in node.names)
    return names


@pytest.mark.parametrize(("package", "name"), sorted(_imported_kart_names()))
def test_every_kart_name_gokart_imports_is_in_its_all(package: str, name: str) -> None:
    module = importlib.import_module(package)
    assert name in module.__all__
    assert hasattr(module, name)


# made public for the meta-package (issue #15): each says what it is for
NEWLY_PUBLIC = {
    "kart_task": [
        "EmptyDataFrameTestStatus",
        "RequiredTask",
        "RunFlags",
        "TaskInfo",
        "TaskLockExceptionRaisedFlag",
        "TaskProcess",
        "all_required_tasks",
        "format_task_info_tree",
        "load_task_output",
        "make_task_info_tree",
        "make_tree_info_table_list",
        "requires_info",
        "reset_task_register",
        "run_empty_data_frame_test",
        "run_on_empty_data_frames",
        "take_run_flags",
    ],
}


@pytest.mark.parametrize(("package", "name"), [(p, n) for p, names in NEWLY_PUBLIC.items() for n in names])
def test_newly_public_names_are_documented(package: str, name: str) -> None:
    module = importlib.import_module(package)
    assert name in module.__all__
    doc = getattr(module, name).__doc__ or ""
    assert doc.strip(), f"{package}.{name} has no docstring"
    assert not doc.startswith(name + "("), f"{package}.{name}: only the docstring dataclass writes"
