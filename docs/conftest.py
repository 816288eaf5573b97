"""Every code example of the documentation runs as a test (sybil): `hatch run docs-examples`.

What runs, per page (each page is one namespace, examples in page order):

* ```` ```python ```` blocks: executed; a block that starts with `>>>` is a doctest, so what a page shows
  as printed output is compared with the real output.
* ```` ```python ```` blocks whose first line is `# file: NAME`: written to NAME in the page's working
  directory (which is on `sys.path`), for later examples to import or run.
* ```` ```ini ```` and ```` ```toml ```` blocks: written to NAME when their first line is `# file: NAME`,
  otherwise parsed (configparser / tomllib), so a configuration shown is at least well-formed.
* ```` ```bash ```` blocks are set-up instructions (install, build) and are not run.
* ```` ```console ```` blocks: each `$ command` line runs in bash in the page's working directory; the
  lines below it are its expected standard output (`...` matches anything).
* `% invisible-code-block: python` comments: set-up a reader does not need to see.

Each page runs in a fresh temporary directory (so `./resources/` is private to it) with luigi's instance
cache, luigi's configuration and kart's per-process state reset before and after. Pages that need a
server name a fixture (`redis_url`, `s3_bucket`, `luigid_address`): real servers on 127.0.0.1 from
tests/_servers.py, started once per session, only when such a page runs.
"""

from __future__ import annotations

import configparser
import doctest
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import luigi
import luigi.configuration
import pytest
from sybil import Example, Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.myst import ClearNamespaceParser, CodeBlockParser, PythonCodeBlockParser, SkipParser
from sybil.sybil import SybilCollection

import kart_storage
import kart_task
from _servers import Server, luigid, moto_s3_server, point_boto3_at, redis_server, running

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "kart_notify"))
from slack_standin import SlackStandIn

DOCS = Path(__file__).resolve().parent
EXAMPLES = DOCS / "_examples"  # modules the pages include and the DAG pictures draw
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
_FILE_HEADER = re.compile(r"#\s*file:\s*(?P<name>[\w./-]+)\s*\n")


# --- evaluators ------------------------------------------------------------------------------------


def _write_file(example: Example, header: re.Match[str]) -> None:
    target = Path(example.namespace["workdir"]) / header["name"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(str(example.parsed)[header.end() :])
    sys.modules.pop(target.stem, None)  # a later `import` reads the new text


def _config_file(example: Example) -> None:
    """An ini/toml block: written to a file when it names one, else checked for well-formedness."""
    header = _FILE_HEADER.match(str(example.parsed))
    if header is not None:
        _write_file(example, header)
    elif example.region.lexemes.get("arguments") == "toml":
        tomllib.loads(str(example.parsed))
    else:
        configparser.ConfigParser(inline_comment_prefixes=(";", "#"), interpolation=None).read_string(
            str(example.parsed)
        )


class _PythonOrFile:
    """Runs a Python block, or writes it to a file when its first line says `# file: NAME`."""

    def __init__(self) -> None:
        self._python = PythonEvaluator()

    def __call__(self, example: Example) -> None:
        header = _FILE_HEADER.match(str(example.parsed))
        if header is None:
            self._python(example)
        else:
            _write_file(example, header)


class _PythonParser(PythonCodeBlockParser):
    """sybil's MyST Python parser (doctests included) with `_PythonOrFile` for plain blocks."""

    def __init__(self) -> None:
        super().__init__(doctest_optionflags=OPTIONS)
        self.codeblock_parser = CodeBlockParser("python", _PythonOrFile())


def _console_steps(text: str) -> list[tuple[str, str]]:
    steps: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"console block: output before the first '$ ' command: {line!r}")
    return [(command, "\n".join(lines).strip() + "\n") for command, lines in steps]


def _console(example: Example) -> str | None:
    """Run each `$ command` of a console block; compare its standard output with the lines shown."""
    workdir = Path(example.namespace["workdir"])
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join([str(workdir), str(EXAMPLES), env.get("PYTHONPATH", "")])
    env["COLUMNS"] = "100"
    checker = doctest.OutputChecker()
    for command, expected in _console_steps(str(example.parsed)):
        done = subprocess.run(
            ["bash", "-c", command], cwd=workdir, env=env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            return f"$ {command}\nexited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        got = done.stdout.strip() + "\n"
        if expected.strip() and not checker.check_output(expected, got, OPTIONS):
            return f"$ {command}\nexpected:\n{expected}got:\n{got}"
    return None


class _ConsoleParser(CodeBlockParser):
    def __init__(self) -> None:
        super().__init__("console", _console)


# --- per-page isolation ----------------------------------------------------------------------------


def _fresh_state() -> None:
    luigi.task_register.Register.clear_instance_cache()
    luigi.configuration.LuigiConfigParser._instance = None  # re-read on next use
    kart_task.reset()


def _setup(namespace: dict[str, Any]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="kart-docs-"))
    namespace["workdir"] = str(workdir)
    namespace["_kart_docs_restore"] = (
        os.getcwd(),
        list(sys.path),
        set(sys.modules),
        list(luigi.task_register.Register._reg),  # type: ignore[attr-defined]
    )
    os.chdir(workdir)
    sys.path.insert(0, str(EXAMPLES))
    sys.path.insert(0, str(workdir))
    _fresh_state()


def _teardown(namespace: dict[str, Any]) -> None:
    cwd, path, modules, registered = namespace["_kart_docs_restore"]
    os.chdir(cwd)
    sys.path[:] = path
    own_dirs = (str(namespace["workdir"]), str(EXAMPLES))
    for name in set(sys.modules) - modules:
        if str(getattr(sys.modules[name], "__file__", None) or "").startswith(own_dirs):
            del sys.modules[name]  # the page's own modules: the next page may reuse a name
    luigi.task_register.Register._reg = registered  # type: ignore[attr-defined]
    _fresh_state()
    shutil.rmtree(namespace["workdir"], ignore_errors=True)


# --- servers ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A redis-server of the docs' own on 127.0.0.1, as a `redis://` URL."""
    with running(redis_server()) as server:
        yield f"redis://{server.address}/0"
        server.stop()


@pytest.fixture(scope="session")
def s3_bucket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 server with a bucket named `kart-docs`; AWS_* variables point boto3 at it."""
    empty: Path = tmp_path_factory.mktemp("aws") / "none"
    with running(moto_s3_server()) as server, pytest.MonkeyPatch.context() as patch:
        point_boto3_at(patch, server, empty)
        kart_storage.configure_s3()
        filesystem = kart_storage.filesystem_for("s3://kart-docs/")
        if not isinstance(filesystem, kart_storage.S3FileSystem):
            raise TypeError(f"s3:// resolved to {filesystem!r}")
        filesystem.client.create_bucket(Bucket="kart-docs")
        yield "kart-docs"
        kart_storage.configure_s3()
        server.stop()


@pytest.fixture(scope="session")
def luigid_address() -> Iterator[Server]:
    """luigi's central scheduler on 127.0.0.1."""
    with running(luigid()) as server:
        yield server
        server.stop()


@pytest.fixture(scope="session")
def slack() -> Iterator[SlackStandIn]:
    """A local stand-in for the Slack Web API (tests/kart_notify/slack_standin.py)."""
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


# --- collection ------------------------------------------------------------------------------------

PARSERS = [
    _PythonParser(),
    _ConsoleParser(),
    CodeBlockParser("ini", _config_file),
    CodeBlockParser("toml", _config_file),
    SkipParser(),
    ClearNamespaceParser(),
]
SERVER_PAGES = {
    "libraries/kart-lock.md": ["redis_url"],
    "guide/using_task_task_conflict_prevention_lock.md": ["redis_url"],
    "libraries/kart-storage.md": ["s3_bucket"],
    "guide/many_machines.md": ["redis_url", "s3_bucket", "luigid_address"],
    "guide/slack_notification.md": ["slack"],
    "libraries/kart-notify.md": ["slack"],
}
collect_ignore_glob = ["_build/*"]


def _sybil(patterns: list[str], fixtures: list[str], excludes: list[str]) -> Sybil:
    return Sybil(
        parsers=PARSERS,
        patterns=patterns,
        excludes=excludes,
        fixtures=fixtures,
        setup=_setup,
        teardown=_teardown,
        name="-".join(fixtures) or "plain",
    )


pytest_collect_file = SybilCollection(
    [
        _sybil(["*.md"], [], excludes=list(SERVER_PAGES)),
        *(_sybil([page], fixtures, []) for page, fixtures in SERVER_PAGES.items()),
    ]
).pytest()
