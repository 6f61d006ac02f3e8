"""How one attempt at a delivery ended."""

from __future__ import annotations

from dataclasses import dataclass

ATTEMPT_TIMEOUT_S = 15.0
"""No attempt takes longer: a receiver that answers slowly, or never, is a failed attempt."""
MAX_ERROR = 500


@dataclass(frozen=True)
class Outcome:
    """``ok``: delivered. Otherwise ``error`` says why; ``permanent`` stops the retries,
    ``gone`` also disables the endpoint (410), ``retry_after`` replaces the schedule's
    next delay (429 or 503 with Retry-After)."""

    ok: bool
    error: str | None = None
    permanent: bool = False
    gone: bool = False
    retry_after: float | None = None


DELIVERED = Outcome(ok=True)


def failed(error: str, **kwargs: object) -> Outcome:
    return Outcome(ok=False, error=printable(error)[:MAX_ERROR], **kwargs)  # type: ignore[arg-type]


def printable(text: str) -> str:
    """One line of text a terminal may show: control characters become spaces."""
    return "".join(c if c.isprintable() else " " for c in text).strip()
