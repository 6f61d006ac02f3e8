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

    [allergens]            # added to the 14 EU allergens' words (kds_contract.allergens)
    peanuts = ["花生", "cacahuète"]
    chilli = ["chilli", "chili"]   # a new name: a new allergen
    ignore = ["oats"]      # words no longer recognised
    defaults = true        # false: only the words given here
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.keys import Keys

from kds_contract.allergens import DEFAULT_ALLERGENS, Allergens
from kds_contract.allergens import ConfigError as WordListError
from kds_tui.model import AgeThresholds
from kds_ui.compat.textual import key_name


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
    screen_name: str | None = None
    """This screen's name in the server's list of screens (default: the host name)."""
    keymap: Mapping[str, str] = field(default_factory=dict)
    thresholds: AgeThresholds = field(default_factory=AgeThresholds)
    allergens: Allergens = DEFAULT_ALLERGENS
    """The words the display marks as allergens (config file: ``[allergens]``)."""


# The config file's tables and the settings each may hold; [keys] holds binding ids.
TABLES = {
    "keys": (),
    "age": ("warn_minutes", "late_minutes"),
    "display": ("station", "bell"),
    "allergens": (),
}

_MODIFIERS = {"alt", "ctrl", "hyper", "meta", "shift", "super"}
# The key names Textual reports (textual.keys): its special keys without their modifiers (f1,
# enter, pagedown, ...; isidentifier drops markers such as "<any>") and the names it gives the
# printable ASCII characters (a, A, 1, question_mark, slash, ...).
_KEY_NAMES = frozenset(
    name for name in (key.value.rpartition("+")[2] for key in Keys) if name.isidentifier()
) | {key_name(chr(code)) for code in range(ord("!"), ord("~") + 1)}
_KEY_NAME_HINT = "key names such as f1, enter, space, pagedown, a, 1, question_mark, ctrl+x"


def _is_key(key: str) -> bool:
    """Whether Textual can report ``key``: one printable character, or a key name after
    modifiers in the order Textual writes them (``ctrl+shift+f1``, not ``shift+ctrl+f1``)."""
    if len(key) == 1:
        return key.isprintable()
    *modifiers, name = key.split("+")
    return (
        name in _KEY_NAMES and set(modifiers) <= _MODIFIERS and modifiers == sorted(set(modifiers))
    )


def _refuse_unknown(path: Path, given: Iterable[str], known: Iterable[str], what: str) -> None:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ConfigError(
            f"{path}: unknown {what}: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )


def _table(data: dict[str, Any], name: str, path: Path, known: Iterable[str]) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    _refuse_unknown(path, value, known, f"name(s) in [{name}]")
    return value


def _check_keymap(path: Path, keymap: Mapping[str, str], defaults: Mapping[str, str]) -> None:
    """Refuse a key Textual does not know, or one key given to two bindings."""
    for name, keys in keymap.items():
        for key in keys.split(","):
            if not _is_key(key):
                raise ConfigError(
                    f'{path}: [keys] {name} = "{keys}": "{key}" is not a key name Textual '
                    f"knows; use {_KEY_NAME_HINT} (comma-separated)"
                )
    owners: dict[str, tuple[str, str]] = {}  # Textual's key name: (binding, key as written)
    # Remapped bindings first, so that a clash names the remapped binding and its spelling.
    for name in [*keymap, *(n for n in defaults if n not in keymap)]:
        for key in keymap.get(name, defaults[name]).replace(" ", "").split(","):
            # Textual's own rule: one character stands for its name ("?" is question_mark).
            other, written = owners.setdefault(key_name(key) if len(key) == 1 else key, (name, key))
            if other == name:
                continue
            if name in keymap:
                raise ConfigError(
                    f'{path}: [keys] "{written}" is given to both {other} and {name}; '
                    "a key can do one thing only: pick another key for one of them"
                )
            raise ConfigError(
                f'{path}: [keys] "{written}" is given to {other} but is also {name}\'s default '
                f'key; pick another key for {other}, or remap {name} too ({name} = "...")'
            )


def load_config(path: Path, default_keys: Mapping[str, str]) -> dict[str, Any]:
    """Read a config file into ``Settings`` fields (only the ones the file sets).

    Args:
        path: the TOML file.
        default_keys: every binding id that may be remapped, with its default keys
            (``"enter,space"``); unknown ids, unknown key names and clashes are refused.
    """
    try:
        data = tomllib.loads(path.read_text())
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from error
    _refuse_unknown(path, data, TABLES, "table(s)")

    out: dict[str, Any] = {}
    keys = _table(data, "keys", path, default_keys)
    for name, value in keys.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f'{path}: [keys] {name} must be a key name such as "enter" or "f1,b"')
    keymap = {name: value.replace(" ", "") for name, value in keys.items()}
    _check_keymap(path, keymap, default_keys)
    if keymap:
        out["keymap"] = keymap

    age = _table(data, "age", path, TABLES["age"])
    defaults = AgeThresholds()
    try:
        warn = float(age.get("warn_minutes", defaults.warn / 60)) * 60
        late = float(age.get("late_minutes", defaults.late / 60)) * 60
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{path}: [age] warn_minutes and late_minutes must be numbers") from error
    if not 0 < warn < late:
        raise ConfigError(f"{path}: [age] needs 0 < warn_minutes < late_minutes")
    out["thresholds"] = AgeThresholds(warn=warn, late=late)

    display = _table(data, "display", path, TABLES["display"])
    if "station" in display:
        out["station"] = str(display["station"]) or None
    if "bell" in display:
        if not isinstance(display["bell"], bool):
            raise ConfigError(f"{path}: [display] bell must be true or false")
        out["bell"] = display["bell"]
    if "allergens" in data:
        out["allergens"] = _allergens(data["allergens"], path)
    return out


def _allergens(table: Any, path: Path) -> Allergens:
    """``[allergens]``: words added by allergen name, ``ignore`` and ``defaults``."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [allergens] must be a table")
    add = {k: v for k, v in table.items() if k not in ("ignore", "defaults")}
    ignore, keep = table.get("ignore", []), table.get("defaults", True)
    if not isinstance(keep, bool):
        raise ConfigError(f"{path}: [allergens] defaults must be true or false")
    for name, words in [*add.items(), ("ignore", ignore)]:
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ConfigError(
                f'{path}: [allergens] {name} must be a list of words, such as ["peanut", "花生"]'
            )
    try:
        return DEFAULT_ALLERGENS.changed(add, ignore, keep=keep)
    except WordListError as error:
        raise ConfigError(f"{path}: [allergens] {error}") from error
