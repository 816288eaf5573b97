"""The plugin's settings: the `[tool.gokart-mypy]` table of pyproject.toml."""

from __future__ import annotations

import tomllib
import warnings
from dataclasses import dataclass
from enum import Enum
from typing import Final

_CONFIG_SECTION: Final = "gokart-mypy"


class PluginOptions(Enum):
    """Keys of the `[tool.gokart-mypy]` table."""

    DISALLOW_MISSING_PARAMETERS = "disallow_missing_parameters"


@dataclass
class TaskOnKartPluginOptions:
    """The plugin's settings, read from the `[tool.gokart-mypy]` table of pyproject.toml."""

    disallow_missing_parameters: bool = False

    @classmethod
    def _parse_toml(cls, config_file: str) -> TaskOnKartPluginOptions:
        with open(config_file, "rb") as handle:
            table = tomllib.load(handle).get("tool", {}).get(_CONFIG_SECTION, {})
        key = PluginOptions.DISALLOW_MISSING_PARAMETERS.value
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise ValueError(
                f"{config_file}: [tool.{_CONFIG_SECTION}] {key} must be true or false, got {value!r}"
            )
        return cls(disallow_missing_parameters=value)

    @classmethod
    def parse_config_file(cls, config_file: str | None) -> TaskOnKartPluginOptions:
        if not config_file:
            return cls()
        if not config_file.endswith(".toml"):
            warnings.warn("gokart mypy plugin can be configured by pyproject.toml", stacklevel=1)
            return cls()
        return cls._parse_toml(config_file)
