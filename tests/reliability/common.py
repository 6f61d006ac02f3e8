"""Shared by the reliability tests: the switch for long variants, and how figures are shown."""

from __future__ import annotations

import os

import pytest

LONG = os.environ.get("KDS_LONG") == "1"

long_only = pytest.mark.skipif(
    not LONG, reason="long variant: run with KDS_LONG=1 (see docs/RELIABILITY.md)"
)
"""Marks a test (or a parameter) that takes minutes: skipped unless ``KDS_LONG=1``."""


def report(name: str, **figures: object) -> None:
    """Print a test's figures on one line (``pytest -s`` shows them; docs/RELIABILITY.md
    quotes them)."""
    text = " ".join(f"{key}={value}" for key, value in figures.items())
    print(f"\n[reliability] {name}: {text}")


def server_errors(log: str) -> list[str]:
    """The ERROR entries of a server log, but for aiohttp refusing a request it could not
    parse (it answers 400 before any of our code runs, and logs a traceback)."""
    entries: list[str] = []
    for line in log.splitlines():
        if " ERROR " in line or " CRITICAL " in line:
            entries.append(line)
        elif entries and not line[:4].isdigit():
            entries[-1] += "\n" + line
    return [e for e in entries if "BadHttpMessage" not in e]
