"""luigi's private names stay behind one door (`kart_task._luigi`; `gokart._luigi_compat` for gokart).

The scan reads each module's AST. A luigi private name is any `_name` (not a dunder) that luigi's own
source defines: module globals, class attributes and methods, `self._x` / `cls._x` assignments, import
aliases. A module touches one when it
- imports a private name from a luigi module;
- reads or writes `<object>._name` (also through getattr/hasattr/setattr/delattr with a literal name)
  where `_name` is a luigi private name, unless `<object>` is `self`/`cls`/`super()` of a class (or a
  class of the same module) that inherits nothing of that name from luigi (the attribute is its own);
- defines, in a class deriving from a luigi class, a method or class attribute that overrides a private
  name of its luigi bases.
A class whose bases cannot be resolved counts as inheriting every luigi private name.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import textwrap
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import luigi
import luigi.scheduler
import pytest

import kart_task
from kart_task import TaskOnKart
from kart_task._luigi import support
from kart_task._luigi.scheduler import LocalScheduler, local_scheduler

REPO = Path(__file__).resolve().parents[2]
KART_TASK_SRC = Path(kart_task.__file__).resolve().parent
GOKART_SRC = REPO / "packages" / "gokart" / "src" / "gokart"
LUIGI_SRC = Path(luigi.__file__).resolve().parent

#: what a scanned module may be imported as, to resolve base classes that live in its own package
_PACKAGE_OF = {KART_TASK_SRC: "kart_task", GOKART_SRC: "gokart"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# --- luigi's private names -----------------------------------------------------------------------


def _names_defined_in(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
    return {name for name in names if _private(name)}


@cache
def luigi_private_names() -> frozenset[str]:
    """Every private name luigi's installed source defines anywhere."""
    names: set[str] = set()
    for path in LUIGI_SRC.rglob("*.py"):
        names |= _names_defined_in(ast.parse(path.read_text(encoding="utf-8")))
    return frozenset(names)


@cache
def _luigi_class_privates(klass: type) -> frozenset[str]:
    """The private names a luigi class (or its luigi metaclass) holds or sets on its instances."""
    names = {name for name in vars(klass) if _private(name)}
    meta = type(klass)
    if meta.__module__.startswith("luigi"):
        names |= {name for name in vars(meta) if _private(name)}
    try:
        source = textwrap.dedent(inspect.getsource(klass))
    except (OSError, TypeError):
        return frozenset(names)
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
            and _private(node.attr)
        ):
            names.add(node.attr)
    return frozenset(names)


def inherited_luigi_privates(klass: type) -> frozenset[str]:
    """The luigi private names a class inherits (empty for a class with no luigi base)."""
    names: set[str] = set()
    for base in klass.__mro__:
        if base.__module__.startswith("luigi"):
            names |= _luigi_class_privates(base)
    return frozenset(names)


# --- the scan --------------------------------------------------------------------------------------

_EVERYTHING: frozenset[str] = frozenset({"*"})  # stands for "every luigi private name"


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    if isinstance(node, ast.Subscript):  # Generic[T], luigi.Parameter[T]
        return _dotted(node.value)
    return None


def _import_path(dotted: str) -> Any:
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            found = getattr(found, name)
        return found
    raise ImportError(dotted)


class _ModuleScan(ast.NodeVisitor):
    def __init__(self, path: Path, tree: ast.Module, package: str | None) -> None:
        self.path = path
        self.package = package
        self.names = luigi_private_names()
        self.found: list[str] = []
        self.imports: dict[str, str] = {}  # local name -> dotted path
        self.classes: dict[str, ast.ClassDef] = {}
        for statement in tree.body:
            if isinstance(statement, ast.ClassDef):
                self.classes[statement.name] = statement
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    self.imports[local] = alias.name if alias.asname else local
            elif isinstance(node, ast.ImportFrom):
                module = self._absolute(node)
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = f"{module}.{alias.name}"
        self._class_stack: list[frozenset[str]] = []
        self._inherited_cache: dict[str, frozenset[str]] = {}

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        if self.package is None:
            return "?"
        relative = self.path.parent.relative_to(self._root()).parts
        base = [self.package, *relative][: len(relative) + 2 - node.level]
        return ".".join([*base, *([node.module] if node.module else [])])

    def _root(self) -> Path:
        for root, _package in _PACKAGE_OF.items():
            if self.path.is_relative_to(root):
                return root
        raise ValueError(self.path)

    # which luigi private names a class inherits

    def _inherited_by_base(self, base: ast.expr) -> frozenset[str]:
        dotted = _dotted(base)
        if dotted is None:
            return _EVERYTHING
        head, _, rest = dotted.partition(".")
        if head in self.classes and not rest:
            return self._inherited_by_node(self.classes[head])
        if head in self.imports:
            dotted = self.imports[head] + (f".{rest}" if rest else "")
        elif hasattr(builtins, head):
            dotted = f"builtins.{dotted}"
        try:
            klass = _import_path(dotted)
        except (ImportError, AttributeError):
            return _EVERYTHING
        if klass is Any or not isinstance(klass, type):
            return frozenset() if dotted.startswith("typing.") else _EVERYTHING
        return inherited_luigi_privates(klass)

    def _inherited_by_node(self, node: ast.ClassDef) -> frozenset[str]:
        names: set[str] = set()
        for base in node.bases:
            inherited = self._inherited_by_base(base)
            if inherited is _EVERYTHING:
                return _EVERYTHING
            names |= inherited
        return frozenset(names)

    def _touches(self, inherited: frozenset[str], name: str) -> bool:
        if name not in self.names:
            return False
        return inherited is _EVERYTHING or name in inherited

    def _report(self, node: ast.AST, what: str) -> None:
        self.found.append(f"{self.path.name}:{getattr(node, 'lineno', '?')}: {what}")

    # visiting

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        inherited = self._inherited_by_node(node)
        for item in node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and self._touches(
                inherited, item.name
            ):
                self._report(item, f"overrides luigi's {item.name}")
            targets: list[ast.expr] = []
            if isinstance(item, ast.Assign):
                targets = item.targets
            elif isinstance(item, ast.AnnAssign):
                targets = [item.target]
            for target in targets:
                if isinstance(target, ast.Name) and self._touches(inherited, target.id):
                    self._report(item, f"overrides luigi's {target.id}")
        self._class_stack.append(inherited)
        self.generic_visit(node)
        self._class_stack.pop()

    def _own_receiver(self, receiver: ast.expr) -> bool:
        if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
            return True
        return (
            isinstance(receiver, ast.Call)
            and isinstance(receiver.func, ast.Name)
            and receiver.func.id == "super"
        )

    def _check_access(self, node: ast.AST, receiver: ast.expr, name: str) -> None:
        if name not in self.names:
            return
        inherited: frozenset[str] | None = None  # None: any object, whose class is not known here
        if self._own_receiver(receiver) and self._class_stack:
            inherited = self._class_stack[-1]
        elif isinstance(receiver, ast.Name) and receiver.id in self.classes:  # a class of this module
            inherited = self._inherited_by_node(self.classes[receiver.id])
        if inherited is not None and not self._touches(inherited, name):
            return
        self._report(node, f"uses luigi's {name} on {ast.unparse(receiver)}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self._check_access(node, node.value, node.attr)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            self._check_access(node, node.args[0], node.args[1].value)
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if self._absolute(node).split(".")[0] == "luigi":
            for alias in node.names:
                if _private(alias.name):
                    self._report(node, f"imports luigi's {alias.name}")
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] == "luigi" and any(_private(part) for part in alias.name.split(".")):
                self._report(node, f"imports {alias.name}")


def scan_source(text: str, path: Path, package: str | None = None) -> list[str]:
    tree = ast.parse(text)
    scan = _ModuleScan(path, tree, package)
    scan.visit(tree)
    return scan.found


def scan_package(root: Path, door: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if path == door or path.is_relative_to(door):
            continue
        found += scan_source(path.read_text(encoding="utf-8"), path, _PACKAGE_OF[root])
    return found


# --- (1) no luigi private name outside the door -----------------------------------------------------


def test_no_kart_task_module_outside_the_door_touches_a_luigi_private_name() -> None:
    assert scan_package(KART_TASK_SRC, KART_TASK_SRC / "_luigi") == []


def test_no_gokart_module_outside_its_compat_module_touches_a_luigi_private_name() -> None:
    assert GOKART_SRC.is_dir()
    assert scan_package(GOKART_SRC, GOKART_SRC / "_luigi_compat.py") == []


def test_the_scan_finds_each_kind_of_touch_and_only_those() -> None:
    touching = """
import luigi
import luigi.worker
from luigi.parameter import _no_value

def tasks():
    return luigi.task_register.Register._reg

def history(worker):
    return getattr(worker, "_add_task_history", None)

class Process(luigi.worker.TaskProcess):
    def _run_get_new_deps(self):
        return self._run_get_new_deps_of_mine()

class Sched(luigi.scheduler.Scheduler):
    def step(self):
        return self._state
"""
    found = scan_source(touching, KART_TASK_SRC / "example.py", "kart_task")
    assert [line.split(": ", 1)[1] for line in found] == [
        "imports luigi's _no_value",
        "uses luigi's _reg on luigi.task_register.Register",
        "uses luigi's _add_task_history on worker",
        "overrides luigi's _run_get_new_deps",
        "uses luigi's _state on self",
    ]
    own = """
import io

class Stream(io.RawIOBase):
    def __init__(self, inner):
        self._stream = inner
        self._scheduler = None

class Plain:
    def __init__(self):
        self._config = {}
"""
    assert "_stream" in luigi_private_names()
    assert "_config" in luigi_private_names()
    assert scan_source(own, KART_TASK_SRC / "example.py", "kart_task") == []


# --- (2) what the door relies on exists -------------------------------------------------------------


def test_every_relied_upon_name_exists_in_the_installed_luigi() -> None:
    assert support.missing_names() == []


def test_a_missing_name_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = ("luigi.worker.Worker", "_kart_no_such_name")
    monkeypatch.setattr(support, "RELIED_UPON", (*support.RELIED_UPON, fake, ("luigi.no_such_module", "_x")))
    assert support.missing_names() == [fake, ("luigi.no_such_module", "_x")]


def test_the_list_names_every_luigi_private_the_door_uses() -> None:
    """Whatever `_luigi/` touches (by the same scan) is in RELIED_UPON or is a typing-only import."""
    door = KART_TASK_SRC / "_luigi"
    used = set()
    for path in sorted(door.glob("*.py")):
        for line in scan_source(path.read_text(encoding="utf-8"), path, "kart_task"):
            what = line.split(": ", 1)[1]
            used.add(
                what.split()[2]
            )  # "uses luigi's _x on ...", "overrides luigi's _x", "imports luigi's _x"
    listed = {name for _owner, name in (*support.RELIED_UPON, *support.TYPING_ONLY)}
    assert used - listed == set()
    assert {"_reg", "_state", "_run_get_new_deps", "_no_value"} <= used


def test_the_installed_luigi_is_in_the_tested_range() -> None:
    assert support.version_tested()
    assert support.version_tested((3, 6, 0))
    assert support.version_tested((3, 8, 1))
    assert not support.version_tested((3, 5, 2))
    assert not support.version_tested((3, 9, 0))


# --- (3) the fallback to plain luigi ----------------------------------------------------------------


class _Seed(TaskOnKart[int]):
    value = luigi.IntParameter(default=3)

    def run(self) -> None:
        self.dump(self.value)


class _Double(TaskOnKart[int]):
    seed = kart_task.TaskInstanceParameter()

    def run(self) -> None:
        self.dump(self.load("seed") * 2)


class _Fails(TaskOnKart[int]):
    def run(self) -> None:
        raise ValueError("no luck")


@pytest.fixture
def fresh_support() -> Iterator[None]:
    support.reset()
    yield
    support.reset()


def _fallback_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, support.LuigiVersionWarning)]


@pytest.mark.parametrize("how", ["unknown version", "missing name"])
def test_an_unsupported_luigi_builds_on_plain_luigi_and_warns_once(
    how: str, workspace: Path, monkeypatch: pytest.MonkeyPatch, fresh_support: None
) -> None:
    if how == "unknown version":
        monkeypatch.setattr(luigi, "__version__", "9.1.0")
    else:
        fake = ("luigi.scheduler.Scheduler", "_kart_gone")
        monkeypatch.setattr(support, "RELIED_UPON", (*support.RELIED_UPON, fake))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler = local_scheduler()
        worker = kart_task.Worker(scheduler=scheduler)
        assert kart_task.build(_Double(seed=_Seed(value=4))) == 8
        assert kart_task.build(_Double(seed=_Seed(value=5))) == 10
        with pytest.raises(kart_task.GokartBuildError):
            kart_task.build(_Fails())
    assert type(scheduler) is luigi.scheduler.Scheduler
    assert worker._kart_specialised is False
    messages = _fallback_warnings(caught)
    assert len(messages) == 1
    assert ("9.1.0" if how == "unknown version" else "_kart_gone") in messages[0]
    assert "falls back to plain luigi" in messages[0]


def test_a_supported_luigi_uses_the_specialisations_without_a_warning(
    workspace: Path, fresh_support: None
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert isinstance(local_scheduler(), LocalScheduler)
        assert kart_task.build(_Double(seed=_Seed(value=4))) == 8
    assert _fallback_warnings(caught) == []


# --- the register table, read through a cache ---------------------------------------------------------


def test_pandas_type_configs_are_rescanned_only_when_the_register_table_changes() -> None:
    from kart_task import _pandas_type
    from kart_task._luigi import internals

    scans: list[int] = []

    def scan() -> int:
        scans.append(1)
        return len(scans)

    view = internals.RegisterView(scan)
    assert view.get() == 1
    assert view.get() == 1  # nothing registered in between: no new scan

    class _Later(kart_task.PandasTypeConfig):
        task_namespace = "seam_test_later"

        @classmethod
        def type_dict(cls) -> dict[str, Any]:
            return {"x": int}

    assert view.get() == 2  # a class registered: scanned again
    assert _pandas_type._configs_by_namespace()["seam_test_later"] is _Later

    kart_task.reset_task_register(keep={"gokart", "luigi"})  # the table is replaced (same length or not)
    assert view.get() == 3
    assert _pandas_type._configs_by_namespace()["seam_test_later"] is _Later  # configs are kept
