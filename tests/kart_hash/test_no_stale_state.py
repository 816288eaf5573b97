"""kart-hash keeps no per-process cache (README: nothing to reset): every answer is computed from the
value it is given, so a change made after a first call is always seen."""

from __future__ import annotations

import kart_hash


class _Base:
    def run(self) -> int:
        return 0


def test_own_code_sees_a_method_redefined_after_a_first_call() -> None:
    class Task(_Base):
        def run(self) -> int:
            return 1

    before = kart_hash.own_code(Task(), _Base)

    def run(self: object) -> int:
        return 2

    Task.run = run  # type: ignore[method-assign]
    after = kart_hash.own_code(Task(), _Base)
    assert "return 1" in before
    assert "return 2" in after


def test_fingerprint_sees_a_value_changed_after_a_first_call() -> None:
    value = {"a": [1, 2]}
    first = kart_hash.fingerprint(value)
    value["a"].append(3)
    assert kart_hash.fingerprint(value) != first
    value["a"].pop()
    assert kart_hash.fingerprint(value) == first


def test_the_package_has_no_reset_because_it_has_no_state() -> None:
    assert not hasattr(kart_hash, "reset")
