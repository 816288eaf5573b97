"""gokart.mypy, the mypy plugin, against upstream gokart 1.12.2's plugin on the same typed pipelines.

Each configuration (pyproject.toml, pyproject.toml with disallow_missing_parameters, mypy.ini) is one
mypy run per side over a few small modules: upstream's `python -m mypy` in its venv, ours through
`mypy.api.run`. Error lines must be equal, and so must the revealed types (kart's module paths spelled
as gokart's). The few places where upstream's plugin is wrong are listed in DIFFERENCES, with both
sides' exact lines: each one is checked, so a change on either side shows up.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from _upstream import upstream_python

pytestmark = pytest.mark.upstream

CALLS = """
import datetime
import enum
from typing import Optional

import luigi

import gokart


class Color(enum.Enum):
    RED = 1
    BLUE = 2


class Config:
    def gokart_serialize(self) -> str:
        return "c"

    @classmethod
    def gokart_deserialize(cls, s: str) -> "Config":
        return cls()


class Train(gokart.TaskOnKart[str]):
    n: int = luigi.IntParameter()
    rate: float = luigi.FloatParameter(default=0.1)
    name: str = luigi.Parameter(default="x")
    flag: bool = luigi.BoolParameter(default=False)
    strict: bool = gokart.ExplicitBoolParameter(default=True)
    cols: tuple[str, ...] = luigi.ListParameter(default=("a",))
    opts: dict[str, int] = luigi.DictParameter(default={"a": 1})
    day: datetime.date = luigi.DateParameter(default=datetime.date(2024, 1, 1))
    color: Color = luigi.EnumParameter(enum=Color, default=Color.RED)
    config: Config = gokart.SerializableParameter(object_type=Config)
    limit: Optional[int] = luigi.OptionalIntParameter(default=None)
    label: Optional[str] = luigi.OptionalParameter(default=None)
    bad_default: int = luigi.IntParameter(default="3")
    placeholder: int = luigi.IntParameter(default=...)


Train(n=1, config=Config())
Train(n=1, rate=0.5, name="y", flag=True, strict=False, cols=("b",), opts={"b": 2}, config=Config())
Train(n=1, day=datetime.date.today(), color=Color.BLUE, limit=3, label=None, rerun=True)
Train(n="1")
Train(n=1, rate="fast")
Train(n=1, name=2)
Train(n=1, flag="yes")
Train(n=1, opts=[1])
Train(n=1, day="2024-01-01")
Train(n=1, color="RED")
Train(n=1, config="c")
Train(n=1, limit="3")
Train(n=1, rerun="no", workspace_directory=1)
Train(n=1, unknown=3)
Train(1)
reveal_type(Train(n=1).n)
reveal_type(Train(n=1).color)
reveal_type(Train(n=1).rerun)
reveal_type(luigi.IntParameter(default=3))
reveal_type(luigi.Parameter())
reveal_type(Train.__init__)


class Positional(gokart.TaskOnKart[int]):
    a: int = luigi.IntParameter(1)
    b = luigi.Parameter("x")


class PlainLuigi(luigi.Task):
    n: int = luigi.IntParameter()


PlainLuigi(n="x")


class NotSerializable:
    pass


class WithConfig(gokart.TaskOnKart[int]):
    bad: NotSerializable = gokart.SerializableParameter(object_type=NotSerializable)
"""

BASE_TASKS = """
from typing import TypeVar

import luigi

import gokart

T = TypeVar("T")


class Base(gokart.TaskOnKart[T]):
    seed: int = luigi.IntParameter(default=0)
    name: str = luigi.Parameter()


class Mid(Base[int]):
    depth: int = luigi.IntParameter(default=1)
"""

INHERIT = """
import luigi

from base_tasks import Base, Mid


class Leaf(Mid):
    name: str = luigi.Parameter(default="leaf")
    extra: float = luigi.FloatParameter(default=1.0)


class Other(Base[str]):
    pass


reveal_type(Leaf.__init__)
Leaf(seed=1, name="a", depth=2, extra=0.5)
Leaf(seed="1")
Leaf(depth="2", extra="x")
Other(name=1)
Other(seed=None)
reveal_type(Leaf(name="x").seed)
"""

LOAD_TYPING = """
import gokart


class Numbers(gokart.TaskOnKart[list[int]]):
    def run(self) -> None:
        self.dump([1, 2])


class Text(gokart.TaskOnKart[str]):
    pass


class Consumer(gokart.TaskOnKart[int]):
    numbers: gokart.TaskOnKart[list[int]] = gokart.TaskInstanceParameter()
    text: Text = gokart.TaskInstanceParameter()
    many: list[gokart.TaskOnKart[str]] = gokart.ListTaskInstanceParameter()

    def run(self) -> None:
        reveal_type(self.load(self.numbers))
        reveal_type(self.load(self.text))
        reveal_type(self.load(self.many))
        reveal_type(self.load())
        reveal_type(self.load("numbers"))
        reveal_type(self.load_generator(self.many))
        reveal_type(self.load_generator())
        total: str = self.load(self.numbers)
        self.dump(len(total))
        reveal_type(self.dump)
        self.dump("not an int")
        self.dump("any value", "named_target")


Consumer(numbers=Numbers(), text=Text(), many=[Text()])
Consumer(numbers=Text())
Consumer(text=Numbers())
"""

LOAD_TYPED_PARAMETERS = """
import gokart


class A(gokart.TaskOnKart[int]):
    pass


class B(gokart.TaskOnKart[str]):
    a: gokart.TaskInstanceParameter[A] = gokart.TaskInstanceParameter()
    many: gokart.ListTaskInstanceParameter[A] = gokart.ListTaskInstanceParameter()
    one: A = gokart.TaskInstanceParameter()
    listed: list[A] = gokart.ListTaskInstanceParameter()

    def run(self) -> None:
        reveal_type(self.a)
        reveal_type(self.load(self.a))
        reveal_type(self.load(self.many))
        reveal_type(self.load(self.listed))
        reveal_type(self.load_generator(self.one))


B(a=A(), many=[A()], one=A(), listed=[A()])
"""

UNANNOTATED = """
import luigi

import gokart


class U(gokart.TaskOnKart[int]):
    n = luigi.IntParameter()
    m = luigi.IntParameter(default=3)
    t = gokart.TaskInstanceParameter()


U(n=1)
reveal_type(U().m)
reveal_type(U().n)
reveal_type(U.m)
reveal_type(U.n)
"""

MISSING = """
import luigi

import gokart


class Sub(gokart.TaskOnKart[int]):
    pass


class M(gokart.TaskOnKart[int]):
    required: int = luigi.IntParameter()
    task: gokart.TaskOnKart[int] = gokart.TaskInstanceParameter()
    optional: int = luigi.IntParameter(default=1)
    plain: int
    also_plain: int = 3


class M2(M):
    required: int = luigi.IntParameter(default=5)


M(plain=1, required=1, task=Sub())
M(plain=1)
M()
M2(plain=1)
M2(plain=1, task=Sub(), optional="x")
"""

INI_CASE = """
import luigi

import gokart


class Task(gokart.TaskOnKart[int]):
    n: int = luigi.IntParameter()
    text: str = luigi.Parameter(default="a")


Task(n="1", text=2)
reveal_type(Task(n=1).text)
"""

# A luigi without types and without dataclass_transform (as luigi < 3.8): the plugin writes __init__.
OLD_LUIGI_STUBS = {
    "stubs/luigi/__init__.pyi": """
        from typing import Any

        from luigi import parameter as parameter
        from luigi.parameter import (
            BoolParameter as BoolParameter,
            DateParameter as DateParameter,
            DictParameter as DictParameter,
            EnumParameter as EnumParameter,
            FloatParameter as FloatParameter,
            IntParameter as IntParameter,
            ListParameter as ListParameter,
            OptionalParameter as OptionalParameter,
            Parameter as Parameter,
        )

        class Task:
            def __init__(self, *args: Any, **kwargs: Any) -> None: ...
            def __getattr__(self, name: str) -> Any: ...

        class Config(Task): ...

        def __getattr__(name: str) -> Any: ...
    """,
    "stubs/luigi/parameter.pyi": """
        from typing import Any

        class Parameter:
            def __init__(self, default: Any = ..., **kwargs: Any) -> None: ...
            def __getattr__(self, name: str) -> Any: ...

        class IntParameter(Parameter): ...
        class FloatParameter(Parameter): ...
        class BoolParameter(Parameter): ...
        class ListParameter(Parameter): ...
        class DictParameter(Parameter): ...
        class DateParameter(Parameter): ...
        class EnumParameter(Parameter): ...
        class OptionalParameter(Parameter): ...

        def __getattr__(name: str) -> Any: ...
    """,
}

OLD_LUIGI = """
import enum

import luigi

import gokart


class Color(enum.Enum):
    RED = 1


class Sub(gokart.TaskOnKart[int]):
    pass


class Model(gokart.TaskOnKart[int]):
    required: int = luigi.IntParameter()
    rate: float = luigi.FloatParameter(default=0.5)
    task: gokart.TaskOnKart[int] = gokart.TaskInstanceParameter()
    n = luigi.IntParameter()
    flag = luigi.BoolParameter(default=False)
    cols = luigi.ListParameter(default=("a",))
    opts = luigi.DictParameter(default={})
    day = luigi.DateParameter()
    color = luigi.EnumParameter(enum=Color, default=Color.RED)
    text = luigi.Parameter(default="x")
    plain: int = 3


class Child(Model):
    required: int = luigi.IntParameter(default=1)
    extra = luigi.FloatParameter(default=1.0)


reveal_type(Model.__init__)
reveal_type(Child.__init__)
Model(required=1, task=Sub(), n=2, day=None)
Model()
Model(required="1", task=Sub(), n=2, day=None, rate="x", flag=1, color="RED", text=3, cols=[1])
Model(required=1, task=Sub(), n=2, day=None, plain=4)
Child(task=Sub(), n=1, day=None, extra="e")
Child(task=Sub())
"""

PYPROJECT = '[tool.mypy]\nplugins = ["gokart.mypy"]\n'
DISALLOW = "\n[tool.gokart-mypy]\ndisallow_missing_parameters = true\n"
CONFIGS: dict[str, tuple[str, str, dict[str, str]]] = {
    "pyproject": (
        "pyproject.toml",
        PYPROJECT,
        {
            "calls.py": CALLS,
            "base_tasks.py": BASE_TASKS,
            "inherit.py": INHERIT,
            "load_typing.py": LOAD_TYPING,
            "load_typed_parameters.py": LOAD_TYPED_PARAMETERS,
            "unannotated.py": UNANNOTATED,
            "missing.py": MISSING,
        },
    ),
    "pyproject-disallow": (
        "pyproject.toml",
        PYPROJECT + DISALLOW,
        {"missing.py": MISSING},
    ),
    "mypy-ini": ("mypy.ini", "[mypy]\nplugins = gokart.mypy:plugin\n", {"ini_case.py": INI_CASE}),
    "old-luigi": (
        "pyproject.toml",
        PYPROJECT + 'mypy_path = "stubs"\n' + DISALLOW,
        {"old_luigi.py": OLD_LUIGI, **OLD_LUIGI_STUBS},
    ),
}

# Where upstream's plugin is wrong, kart's is right: (config, file, line) -> (upstream's lines, ours).
# Lines are "severity: message" as mypy prints them after "file:line: ".
_DISALLOWED = "Missing named argument"
DIFFERENCES: dict[tuple[str, str, int], tuple[list[str], list[str]]] = {
    # Upstream marks a parameter declared without a default "implicit" (instance-only), so reading it
    # on the class is an error there, though luigi parameters live on the class.
    ("pyproject", "unannotated.py", 16): (
        [
            'error: Cannot access instance-only attribute "n" on class object  [misc]',
            'note: Revealed type is "Any"',
        ],
        ['note: Revealed type is "Any"'],
    ),
    # The same marking switches off luigi's descriptor types for `x: TaskInstanceParameter[A]`:
    # upstream types `self.a` as the parameter object, so loading it fails and a correct
    # constructor call is rejected. Ours: `self.a` is an `A`, loading it gives an int.
    ("pyproject", "load_typed_parameters.py", 15): (
        ['note: Revealed type is "gokart.parameter.TaskInstanceParameter[load_typed_parameters.A]"'],
        ['note: Revealed type is "load_typed_parameters.A"'],
    ),
    ("pyproject", "load_typed_parameters.py", 16): (
        [
            'error: No overload variant of "load" of "TaskOnKart" matches argument type'
            ' "TaskInstanceParameter[A]"  [call-overload]',
            "note: Possible overload variants:",
            "note:     def load(self, target: str | TargetOnKart | None = ...) -> Any",
            "note:     def [K] load(self, target: TaskOnKart[K]) -> K",
            "note:     def [K] load(self, target: list[TaskOnKart[K]]) -> list[K]",
            'note: Revealed type is "Any"',
        ],
        ['note: Revealed type is "int"'],
    ),
    ("pyproject", "load_typed_parameters.py", 17): (
        [
            'error: No overload variant of "load" of "TaskOnKart" matches argument type'
            ' "ListTaskInstanceParameter[A]"  [call-overload]',
            "note: Possible overload variants:",
            "note:     def load(self, target: str | TargetOnKart | None = ...) -> Any",
            "note:     def [K] load(self, target: TaskOnKart[K]) -> K",
            "note:     def [K] load(self, target: list[TaskOnKart[K]]) -> list[K]",
            'note: Revealed type is "Any"',
        ],
        ['note: Revealed type is "list[int]"'],
    ),
    # Upstream's load takes list[TaskOnKart[K]] (invariant), so a list[A] is refused; ours takes a
    # Sequence (ListTaskInstanceParameter holds a tuple at run time anyway).
    ("pyproject", "load_typed_parameters.py", 18): (
        [
            'note: Revealed type is "list[int]"',
            'error: Argument 1 to "load" of "TaskOnKart" has incompatible type "list[A]";'
            ' expected "list[TaskOnKart[int]]"  [arg-type]',
            'note: "list" is invariant -- see https://mypy.readthedocs.io/en/stable/common_issues.html#variance',
            'note: Consider using "Sequence" instead, which is covariant',
        ],
        ['note: Revealed type is "list[int]"'],
    ),
    # Upstream's load_generator has no overload for one task (at run time it yields its output).
    ("pyproject", "load_typed_parameters.py", 19): (
        [
            'error: No overload variant of "load_generator" of "TaskOnKart" matches argument type "A"'
            "  [call-overload]",
            "note: Possible overload variants:",
            "note:     def load_generator(self, target: str | TargetOnKart | None = ...)"
            " -> Generator[Any, None, None]",
            "note:     def [K] load_generator(self, target: list[TaskOnKart[K]]) -> Generator[K, None, None]",
            'note: Revealed type is "Any"',
        ],
        ['note: Revealed type is "typing.Generator[int, None, None]"'],
    ),
    ("pyproject", "load_typed_parameters.py", 22): (
        [
            'error: Argument "a" to "B" has incompatible type "A"; expected "TaskInstanceParameter[A]"'
            "  [arg-type]",
            'error: Argument "many" to "B" has incompatible type "list[A]";'
            ' expected "ListTaskInstanceParameter[A]"  [arg-type]',
        ],
        [],
    ),
    # disallow_missing_parameters does nothing upstream with luigi 3.8's dataclass_transform (luigi's
    # __init__ replaces the plugin's); ours requires every parameter declared without a default.
    ("pyproject-disallow", "missing.py", 23): (
        [],
        [
            f'error: {_DISALLOWED} "required" for "M"  [call-arg]',
            f'error: {_DISALLOWED} "task" for "M"  [call-arg]',
        ],
    ),
    ("pyproject-disallow", "missing.py", 24): (
        [f'error: {_DISALLOWED} "plain" for "M"  [call-arg]'],
        [
            f'error: {_DISALLOWED} "required" for "M"  [call-arg]',
            f'error: {_DISALLOWED} "task" for "M"  [call-arg]',
            f'error: {_DISALLOWED} "plain" for "M"  [call-arg]',
        ],
    ),
    ("pyproject-disallow", "missing.py", 25): ([], [f'error: {_DISALLOWED} "task" for "M2"  [call-arg]']),
}

# kart's classes live in kart's modules; mypy prints those paths where upstream prints gokart's.
_PATHS = [
    ("kart_task._task.TaskOnKart", "gokart.task.TaskOnKart"),
    ("kart_task._parameters.", "gokart.parameter."),
    ("kart_storage._targets.TargetOnKart", "gokart.target.TargetOnKart"),
    # kart's extra insignificant parameters (README: differences from gokart 1.12.2)
    ("verify_integrity: builtins.str | None =, create_only: builtins.bool =, ", ""),
    ("verify_integrity: str | None =, create_only: bool =, ", ""),
    ("cache_expiration: datetime.timedelta | None =, ", ""),
]
_LINE = re.compile(r"^(?P<file>[\w.]+\.py):(?P<line>\d+): (?P<rest>(error|note): .*)$")


@dataclass
class Run:
    stdout: str
    stderr: str

    def lines(self) -> dict[tuple[str, int], list[str]]:
        found: dict[tuple[str, int], list[str]] = {}
        for raw in self.stdout.splitlines():
            match = _LINE.match(raw)
            if match:
                text = match["rest"]
                for kart, gokart in _PATHS:
                    text = text.replace(kart, gokart)
                found.setdefault((match["file"], int(match["line"])), []).append(text)
        return found


def _write_case(root: Path, name: str) -> list[str]:
    config_name, config_text, files = CONFIGS[name]
    root.mkdir(parents=True)
    (root / config_name).write_text(config_text)
    for file_name, source in files.items():
        (root / file_name).parent.mkdir(parents=True, exist_ok=True)
        (root / file_name).write_text(textwrap.dedent(source).lstrip("\n"))
    modules = [file_name for file_name in files if file_name.endswith(".py") and "/" not in file_name]
    return ["--no-incremental", "--config-file", config_name, *modules]


def _run_ours(root: Path, args: list[str]) -> Run:
    from mypy import api

    previous = os.getcwd()
    os.chdir(root)
    try:
        # in-process, the plugin's warnings go to the warnings machinery, not to stderr
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            stdout, stderr, _ = api.run(args)
    finally:
        os.chdir(previous)
    return Run(stdout, stderr + "".join(f"{w.category.__name__}: {w.message}\n" for w in caught))


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, Run]]:
    """Both sides for every configuration, once per session (upstream's runs in parallel with ours)."""
    python = str(upstream_python())
    base = tmp_path_factory.mktemp("mypy-plugin")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "MYPYPATH", "VIRTUAL_ENV"}}
    pending: dict[str, subprocess.Popen[str]] = {}
    for name in CONFIGS:
        args = _write_case(base / "upstream" / name, name)
        pending[name] = subprocess.Popen(
            [python, "-m", "mypy", *args],
            cwd=base / "upstream" / name,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    ours = {
        name: _run_ours(base / "ours" / name, _write_case(base / "ours" / name, name)) for name in CONFIGS
    }
    results: dict[str, tuple[Run, Run]] = {}
    for name, process in pending.items():
        stdout, stderr = process.communicate(timeout=570)
        results[name] = (Run(stdout, stderr), ours[name])
    return results


def _case_lines(run: Run, file_name: str) -> dict[int, list[str]]:
    return {line: texts for (name, line), texts in run.lines().items() if name == file_name}


def _compare(runs: dict[str, tuple[Run, Run]], config: str, file_name: str) -> None:
    upstream, ours = runs[config]
    assert "INTERNAL ERROR" not in ours.stdout + ours.stderr, ours.stdout + ours.stderr
    theirs_by_line = _case_lines(upstream, file_name)
    ours_by_line = _case_lines(ours, file_name)
    assert theirs_by_line or ours_by_line, f"no output for {file_name}:\n{upstream.stdout}\n{ours.stdout}"
    for line in sorted(set(theirs_by_line) | set(ours_by_line)):
        theirs_here = theirs_by_line.get(line, [])
        ours_here = ours_by_line.get(line, [])
        expected = DIFFERENCES.get((config, file_name, line))
        if expected is None:
            assert ours_here == theirs_here, f"{config} {file_name}:{line}"
        else:
            assert (theirs_here, ours_here) == expected, (
                f"{config} {file_name}:{line} (documented difference)"
            )


@pytest.mark.parametrize(
    "file_name", ["calls.py", "inherit.py", "load_typing.py", "unannotated.py", "missing.py"]
)
def test_same_errors_and_types_as_upstream(runs: dict[str, tuple[Run, Run]], file_name: str) -> None:
    """Correct calls, wrong types, positional parameters, inheritance (across modules, generic bases),
    load/load_generator typed from TaskOnKart[T], unannotated parameters, missing arguments."""
    _compare(runs, "pyproject", file_name)


def test_task_instance_parameter_types_load(runs: dict[str, tuple[Run, Run]]) -> None:
    """`a: TaskInstanceParameter[A]` / `ListTaskInstanceParameter[A]`: self.load(self.a) is A's output
    type (upstream's plugin gets these wrong: see DIFFERENCES)."""
    _compare(runs, "pyproject", "load_typed_parameters.py")


def test_disallow_missing_parameters(runs: dict[str, tuple[Run, Run]]) -> None:
    """`[tool.gokart-mypy] disallow_missing_parameters = true`: a parameter without a default is required."""
    _compare(runs, "pyproject-disallow", "missing.py")
    _, ours = runs["pyproject-disallow"]
    missing = [t for texts in _case_lines(ours, "missing.py").values() for t in texts if _DISALLOWED in t]
    assert len(missing) == 6


def test_init_written_by_the_plugin_without_dataclass_transform(runs: dict[str, tuple[Run, Run]]) -> None:
    """With a luigi that has no dataclass_transform (luigi < 3.8) the plugin itself turns parameters into
    a keyword-only __init__: annotated ones as declared, unannotated ones typed from their class
    (IntParameter -> int, ListParameter -> tuple, EnumParameter(enum=X) -> X ...), inherited ones
    first; with disallow_missing_parameters a parameter without default is required."""
    _compare(runs, "old-luigi", "old_luigi.py")


def test_mypy_ini_configuration(runs: dict[str, tuple[Run, Run]]) -> None:
    """`plugins = gokart.mypy:plugin` in mypy.ini loads the plugin; the option table is pyproject-only,
    which both plugins say on stderr."""
    _compare(runs, "mypy-ini", "ini_case.py")
    upstream, ours = runs["mypy-ini"]
    assert "gokart mypy plugin can be configured by pyproject.toml" in upstream.stderr
    assert "gokart mypy plugin can be configured by pyproject.toml" in ours.stderr
    assert 'Argument "n" to "Task" has incompatible type "str"; expected "int"' in ours.stdout


def test_public_names_match_upstream() -> None:
    import gokart.mypy as plugin_module

    script = textwrap.dedent(
        """
        import json, mypy.plugin, gokart.mypy as m
        print(json.dumps([m.METADATA_TAG, m.PARAMETER_TMP_MATCHER.pattern,
                          [(o.name, o.value) for o in m.PluginOptions],
                          m.plugin("2.4.1").__name__]))
        """
    )
    python = str(upstream_python())
    result = subprocess.run([python, "-c", script], capture_output=True, text=True, check=True)
    tag, tmp_pattern, options, plugin_name = __import__("json").loads(result.stdout.splitlines()[-1])
    assert tag == plugin_module.METADATA_TAG
    assert plugin_module.PARAMETER_TMP_MATCHER.pattern == tmp_pattern
    assert [[o.name, o.value] for o in plugin_module.PluginOptions] == options
    assert plugin_module.plugin("2.4.1").__name__ == plugin_name
    assert plugin_module.plugin("2.4.1") is plugin_module.TaskOnKartPlugin
    for name in ("luigi.parameter.IntParameter", "gokart.parameter.TaskInstanceParameter"):
        assert plugin_module.PARAMETER_FULLNAME_MATCHER.match(name)
    assert plugin_module.PARAMETER_FULLNAME_MATCHER.match("kart_task._parameters.TaskInstanceParameter")
    assert not plugin_module.PARAMETER_FULLNAME_MATCHER.match("mymodule.MyParameter")


def test_options_read_from_pyproject(tmp_path: Path) -> None:
    from gokart.mypy import TaskOnKartPluginOptions

    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.gokart-mypy]\ndisallow_missing_parameters = true\n")
    assert TaskOnKartPluginOptions.parse_config_file(str(config)).disallow_missing_parameters
    config.write_text("[tool.mypy]\n")
    assert not TaskOnKartPluginOptions.parse_config_file(str(config)).disallow_missing_parameters
    config.write_text('[tool.gokart-mypy]\ndisallow_missing_parameters = "yes"\n')
    with pytest.raises(ValueError, match="disallow_missing_parameters must be true or false"):
        TaskOnKartPluginOptions.parse_config_file(str(config))


def test_import_gokart_does_not_import_mypy_and_plugin_needs_mypy() -> None:
    script = textwrap.dedent(
        """
        import sys
        import gokart
        assert not [m for m in sys.modules if m == "mypy" or m.startswith("mypy.")], "mypy imported"
        sys.modules["mypy"] = None  # as if mypy were not installed
        try:
            import gokart.mypy
        except ImportError as exc:
            print(exc)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "needs mypy installed" in result.stdout


def test_metadata_survives_mypy_cache(tmp_path: Path) -> None:
    """A base task read back from mypy's cache still tells subclasses which parameters lack a default,
    and flipping disallow_missing_parameters re-checks (the option is part of the cache key)."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT + DISALLOW)
    (tmp_path / "base_task.py").write_text(
        "import luigi\nimport gokart\n\n\nclass Base(gokart.TaskOnKart[int]):\n"
        "    required: int = luigi.IntParameter()\n    optional: int = luigi.IntParameter(default=1)\n"
    )
    child = tmp_path / "child.py"
    child.write_text("from base_task import Base\n\n\nclass Child(Base):\n    pass\n\n\nChild()\n")
    args = ["--cache-dir", str(tmp_path / "cache"), "--config-file", "pyproject.toml", "child.py"]
    missing = 'child.py:8: error: Missing named argument "required" for "Child"  [call-arg]'

    assert missing in _run_ours(tmp_path, args).stdout
    child.write_text(child.read_text() + "Child(required=2)\n")  # base_task now comes from the cache
    warm = _run_ours(tmp_path, args).stdout
    assert missing in warm
    assert "child.py:9" not in warm
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    assert missing not in _run_ours(tmp_path, args).stdout
