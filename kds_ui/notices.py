"""The one rule both apps' notices keep: a lesser notice never takes the place of a graver
one still showing (a stream of new orders does not push an error away)."""

from __future__ import annotations

from textual.notifications import SeverityLevel

SEVERITIES: tuple[SeverityLevel, ...] = ("information", "warning", "error")
"""From the least grave to the gravest."""


def gives_way(showing: SeverityLevel | None, new: SeverityLevel) -> bool:
    """Whether a notice of ``new`` severity may replace the one ``showing`` (None: none)."""
    return showing is None or SEVERITIES.index(new) >= SEVERITIES.index(showing)
