"""kart_storage's source rules: no import cycle among its modules (even counting imports inside
functions), no module over the line limit, no `assert` statement.

See tests/_source_checks.py for the rules and tests/_import_graph.py for what counts as an import."""

from __future__ import annotations

from _import_graph import import_edges
from _source_checks import PackageSourceRules


class TestKartStorageSource(PackageSourceRules):
    PACKAGE = "kart_storage"


def test_the_pickle_reader_depends_on_a_leaf_module_only() -> None:
    """Even counting imports inside functions: _pickle needs _large_frames, which needs nothing here."""
    edges = import_edges("kart_storage", in_functions=True)
    assert edges["kart_storage._pickle"] == {"kart_storage._large_frames"}
    assert edges["kart_storage._large_frames"] == set()
