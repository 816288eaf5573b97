"""`add_config`: read an .ini/.cfg or .toml file into luigi's configuration, `${ENV}` expanded in both."""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import luigi.configuration

from ._errors import ConfigFileError, ConfigFileNotFoundError

_INI_SUFFIXES = {".ini", ".cfg", ".conf"}


_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _expand(text: str, file_path: str, where: str) -> str:
    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigFileError(
                f"{file_path}: {where} refers to the environment variable {name!r}, not set"
            )
        return os.environ[name]

    return _ENV_REFERENCE.sub(value_of, text)


def _as_config_text(value: Any, file_path: str, where: str) -> str:
    """TOML values become the text luigi's parameters parse: JSON for lists/tables, lower-case booleans."""
    if isinstance(value, str):
        return _expand(value, file_path, where)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return _expand(json.dumps(value), file_path, where)
    return str(value)


def _add_toml(file_path: str) -> None:
    with open(file_path, "rb") as stream:
        try:
            document = tomllib.load(stream)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigFileError(f"{file_path}: not valid TOML: {exc}") from exc
    config = luigi.configuration.get_config()
    for section, options in document.items():
        if not isinstance(options, dict):
            raise ConfigFileError(f"{file_path}: top-level key {section!r} must be a table ([{section}])")
        if not config.has_section(section):
            config.add_section(section)
        for key, value in options.items():
            text = _as_config_text(value, file_path, f"[{section}] {key}")
            # luigi's INI parser interpolates '%'; store literally what the TOML file says
            config.set(section, key, text.replace("%", "%%"))


def add_config(file_path: str) -> None:
    """Add a configuration file. INI files behave exactly as in luigi/gokart (`${ENV}` and `%(x)s`
    interpolation, read when a value is used); TOML files are applied now, `${ENV}` expanded, whatever
    `LUIGI_CONFIG_PARSER` says, so `[TaskOnKart]` and task sections in TOML reach every task."""
    path = Path(file_path)
    if not path.is_file():
        raise ConfigFileNotFoundError(f"config file not found: {file_path}")
    suffix = path.suffix.lower()
    if suffix == ".toml" and luigi.configuration.get_config().__class__.__name__ != "LuigiTomlParser":
        _add_toml(file_path)
        return
    if suffix not in _INI_SUFFIXES | {".toml"}:
        raise ConfigFileError(
            f"{file_path}: unsupported config file extension {suffix!r}; use .ini, .cfg, .conf or .toml"
        )
    # not inside an `assert`: under `python -O` the call itself would be stripped and the file never read
    if not luigi.configuration.add_config_path(file_path):
        raise ConfigFileError(f"luigi could not add the config file {file_path}")
