"""gokart's source rules: no import cycle among its modules (even counting imports inside
functions), no module over the line limit, no `assert` statement.

See tests/_source_checks.py for the rules and tests/_import_graph.py for what counts as an import."""

from __future__ import annotations

from _source_checks import PackageSourceRules


class TestGokartSource(PackageSourceRules):
    PACKAGE = "gokart"
