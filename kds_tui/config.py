"""The kitchen display's settings: flags, then ``KDS_*`` variables, then config file and defaults.

The config file is TOML::

    [keys]                 # binding id = "key[,key...]"  (see ``kds-kitchen --help``)
    next = "enter,space,b"
    bump_1 = "f1"

    [age]                  # minutes after creation when a ticket turns amber, then red
    warn_minutes = 5
    late_minutes = 10

    [display]
    station = "grill"      # the same as --station
    bell = true            # false is the same as --no-bell
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kds_tui.model import AgeThresholds


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Settings:
    """Everything the display needs to start, whatever started it (command line or tests)."""

    urls: tuple[str, ...] = ()
    token: str = ""
    station: str | None = None
    bell: bool = True
    pickup: bool = False
    keymap: Mapping[str, str] = field(default_factory=dict)
    thresholds: AgeThresholds = field(default_factory=AgeThresholds)


def _table(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return value


def load_config(path: Path, known_keys: set[str]) -> dict[str, Any]:
    """Read a config file into ``Settings`` fields (only the ones the file sets).

    Args:
        path: the TOML file.
        known_keys: the binding ids that may be remapped; others are refused by name.
    """
    try:
        data = tomllib.loads(path.read_text())
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from error

    out: dict[str, Any] = {}
    keys = _table(data, "keys", path)
    unknown = sorted(set(keys) - known_keys)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key binding(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known_keys))}"
        )
    for name, value in keys.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f'{path}: [keys] {name} must be a key name such as "enter" or "f1,b"')
    if keys:
        out["keymap"] = {name: value.replace(" ", "") for name, value in keys.items()}

    age = _table(data, "age", path)
    defaults = AgeThresholds()
    try:
        warn = float(age.get("warn_minutes", defaults.warn / 60)) * 60
        late = float(age.get("late_minutes", defaults.late / 60)) * 60
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{path}: [age] warn_minutes and late_minutes must be numbers") from error
    if not 0 < warn < late:
        raise ConfigError(f"{path}: [age] needs 0 < warn_minutes < late_minutes")
    out["thresholds"] = AgeThresholds(warn=warn, late=late)

    display = _table(data, "display", path)
    if "station" in display:
        out["station"] = str(display["station"]) or None
    if "bell" in display:
        if not isinstance(display["bell"], bool):
            raise ConfigError(f"{path}: [display] bell must be true or false")
        out["bell"] = display["bell"]
    return out
