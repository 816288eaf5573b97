"""§7 of hash.md: own code is the sorted set of method sources the task adds to its base."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

from kart_hash import own_code, unique_id

SOURCE = textwrap.dedent(
    """
    class Base:
        def inherited(self):
            return 0

        def run(self):
            pass


    def module_helper():
        return 1


    class CodeTask(Base):
        a = 1

        def run(self):
            self.dump(self.a)

        def helper(self):
            return 42
    """
)


def _load(tmp_path: Path, source: str, name: str) -> ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_own_code_of_the_spec_example(tmp_path: Path) -> None:
    module = _load(tmp_path, SOURCE, "kart_hash_owncode_example")
    text = own_code(module.CodeTask(), module.Base)
    assert text == "    def helper(self):\n        return 42\n    def run(self):\n        self.dump(self.a)\n"
    assert unique_id([], {"a": "1"}, "CodeTask", text) == "d70557d57b9279a7dbeebcaf872cc96f"


def test_a_changed_method_body_changes_the_text_and_a_module_helper_does_not(tmp_path: Path) -> None:
    original = _load(tmp_path, SOURCE, "kart_hash_owncode_a")
    edited_body = _load(tmp_path, SOURCE.replace("return 42", "return 43"), "kart_hash_owncode_b")
    edited_helper = _load(tmp_path, SOURCE.replace("return 1\n", "return 2\n"), "kart_hash_owncode_c")
    base_text = own_code(original.CodeTask(), original.Base)
    assert own_code(edited_body.CodeTask(), edited_body.Base) != base_text
    assert own_code(edited_helper.CodeTask(), edited_helper.Base) == base_text
