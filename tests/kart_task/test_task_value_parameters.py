"""SerializableParameter and ZonedDateSecondParameter: text forms that feed unique ids."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Self

import pytest

from kart_task import SerializableParameter, ZonedDateSecondParameter


@dataclass(frozen=True)
class Config:
    name: str
    cache_irrelevant: int = 0

    def gokart_serialize(self) -> str:
        return json.dumps({"name": self.name})

    @classmethod
    def gokart_deserialize(cls, s: str) -> Self:
        return cls(name=json.loads(s)["name"])


def test_serializable_parameter_uses_the_objects_own_text() -> None:
    param = SerializableParameter(object_type=Config)
    assert param.serialize(Config("a", cache_irrelevant=5)) == '{"name": "a"}'
    assert param.parse('{"name": "b"}') == Config("b")


def test_serializable_parameter_propagates_invalid_text() -> None:
    param = SerializableParameter(object_type=Config)
    with pytest.raises(ValueError, match="Expecting value"):
        param.parse("Foo")


def test_zoned_date_second_serialises_with_offset_and_drops_microseconds() -> None:
    param = ZonedDateSecondParameter()
    tz = datetime.timezone(datetime.timedelta(hours=9))
    value = param.normalize(datetime.datetime(2025, 2, 21, 12, 0, 0, 999, tzinfo=tz))
    assert param.serialize(value) == "2025-02-21T12:00:00+09:00"
    utc = param.normalize(datetime.datetime(2024, 5, 6, 7, 8, 9, 999, tzinfo=datetime.UTC))
    assert param.serialize(utc) == "2024-05-06T07:08:09+00:00"


def test_zoned_date_second_parses_z_and_warns_on_naive() -> None:
    param = ZonedDateSecondParameter()
    assert param.parse("2024-01-02T03:04:05Z") == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    with pytest.warns(UserWarning, match="luigi.DateSecondParameter"):
        naive = param.parse("2024-01-02T03:04:05")
    assert naive.tzinfo is None
    assert param.serialize(naive) == "2024-01-02T03:04:05"
