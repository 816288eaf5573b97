"""One definition of the integrity switch's words (kart_storage.parse_verify_integrity), the union of what
kart-storage's environment variable and kart-task's parameter accepted, each word with its old meaning."""

from __future__ import annotations

import pytest

import kart_storage
from kart_storage import _integrity

# what KART_VERIFY_INTEGRITY accepted (as modes) and what kart-task's verify_integrity accepted (as values)
_ENV_WORDS = {"": "off", "0": "off", "false": "off", "no": "off", "off": "off"} | {
    "1": "on",
    "true": "on",
    "yes": "on",
    "on": "on",
    "strict": "strict",
}
_TASK_WORDS: dict[str, bool | str] = {
    "true": True,
    "1": True,
    "yes": True,
    "strict": "strict",
    "false": False,
    "0": False,
    "no": False,
}


@pytest.mark.parametrize("word", sorted(_TASK_WORDS))
def test_kart_tasks_words_keep_their_values_in_any_case_and_spacing(word: str) -> None:
    assert kart_storage.parse_verify_integrity(word) == _TASK_WORDS[word]
    assert kart_storage.parse_verify_integrity(f"  {word.upper()} ") == _TASK_WORDS[word]


@pytest.mark.parametrize("word", sorted(_ENV_WORDS))
def test_the_environment_words_keep_their_modes(word: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KART_VERIFY_INTEGRITY", f" {word.title()} ")
    assert _integrity.resolve_verify(None) == _ENV_WORDS[word]
    mode = _integrity.resolve_verify(kart_storage.parse_verify_integrity(word))
    assert mode == _ENV_WORDS[word]


def test_values_pass_through_and_other_words_fail_naming_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    assert kart_storage.parse_verify_integrity(None) is None
    assert kart_storage.parse_verify_integrity(True) is True
    assert kart_storage.parse_verify_integrity(False) is False
    assert kart_storage.parse_verify_integrity(1) is True
    with pytest.raises(ValueError, match="must be true, strict or false, not 'maybe'") as caught:
        kart_storage.parse_verify_integrity("maybe")
    assert isinstance(caught.value, kart_storage.IntegritySettingError)
    monkeypatch.setenv("KART_VERIFY_INTEGRITY", "Maybe")
    with pytest.raises(
        kart_storage.IntegritySettingError, match=r"KART_VERIFY_INTEGRITY='maybe' is not one of"
    ):
        _integrity.resolve_verify(None)
    with pytest.raises(ValueError, match="verify_integrity must be True, False or 'strict'"):
        kart_storage.make_target("x.pkl", verify_integrity="true")  # type: ignore[arg-type]
