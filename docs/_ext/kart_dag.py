"""The `kart-dag` directive: a picture of a task graph drawn by kart itself when the site is built.

The directive's content is Python that binds `root` to a task; it runs in a fresh temporary directory
(so `./resources/` starts empty and every task is pending, unless the code builds some first), with
docs/_examples on `sys.path`. kart's `make_task_info_as_dot` turns the graph into Graphviz DOT, which
sphinx.ext.graphviz renders: the picture cannot drift from what kart draws.

    ```{kart-dag}
    :caption: The tutorial's pipeline
    from shop import pipeline
    root = pipeline()
    ```
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, ClassVar

import luigi
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.ext.graphviz import graphviz
from sphinx.util.docutils import SphinxDirective

import kart_task


def _draw(source: str, with_params: bool) -> str:
    """Run `source` in an empty temporary directory and return the DOT text of its `root` task."""
    before = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="kart-dag-") as workdir:
        os.chdir(workdir)
        try:
            luigi.task_register.Register.clear_instance_cache()
            namespace: dict[str, Any] = {}
            exec(compile(source, "<kart-dag>", "exec"), namespace)
            root = namespace.get("root")
            if not isinstance(root, luigi.Task):
                raise ValueError(f"kart-dag: the code must bind `root` to a task, got {root!r}")
            return kart_task.make_task_info_as_dot(root, with_params=with_params)
        finally:
            os.chdir(before)
            kart_task.reset()


class KartDag(SphinxDirective):
    """`kart-dag`: Python content binding `root`; options `caption` and `params` (show parameters)."""

    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {"caption": directives.unchanged, "params": directives.flag}

    def run(self) -> list[nodes.Node]:
        try:
            dot = _draw("\n".join(self.content), with_params="params" in self.options)
        except Exception as error:  # the build must fail with the page and line that broke
            raise self.error(f"kart-dag: {type(error).__name__}: {error}") from error
        node = graphviz()
        node["code"] = dot
        node["options"] = {"docname": self.env.docname}
        node["alt"] = self.options.get("caption", "task graph drawn by kart")
        if "caption" not in self.options:
            return [node]
        figure = nodes.figure("", node)
        figure += nodes.caption(self.options["caption"], self.options["caption"])
        return [figure]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive (sphinx.ext.graphviz renders its node)."""
    app.setup_extension("sphinx.ext.graphviz")
    app.add_directive("kart-dag", KartDag)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
