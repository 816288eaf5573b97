"""Sphinx configuration of kart's documentation site: `hatch run docs:docs` (warnings are errors)."""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS / "_examples"))

project = "kart"
author = "the kart developers"
copyright = "the kart developers"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.graphviz",
    "kart_dag",
    "kart_refs",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "conftest.py", "_examples", "_ext"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "kart"

# Docstrings write code as `name` (Markdown habit): show it as code, not as a title reference.
default_role = "literal"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_inherit_docstrings = False

graphviz_output_format = "svg"

# Cross-references must resolve (-n -W). This build has no network (no intersphinx to python, pandas,
# luigi...), so references into those libraries cannot resolve: they are ignored here, by library, and
# nothing of kart's own is.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(luigi|pandas|pd|numpy|np|polars|pl|pyarrow|redis|boto3|botocore|google|slack_sdk)(\..*)?"),
    (r"py:.*", r"(collections\.abc|typing|types|datetime|pathlib|io|threading|logging|enum|decimal)\..*"),
    (r"py:.*", r"(abc|contextlib|concurrent\.futures|multiprocessing|queue|os|uuid|configparser)\..*"),
]
