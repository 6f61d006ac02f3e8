"""Schemathesis hooks for fuzzing the API (loaded through schemathesis.toml).

Schemathesis draws an ``Idempotency-Key`` at random, so two different orders often share a
key ("0"); the server then rightly answers 422 (same key, other body), which the fuzzer
would count as a valid request refused. A real client makes one key per order: so do we,
for every key the server would accept. Keys the server must refuse are left as drawn.
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis

from server.web.orders import IDEMPOTENCY_KEY_PATTERN, MAX_IDEMPOTENCY_KEY


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    # before_call runs in every phase (map_headers does not reach the coverage phase).
    key = (case.headers or {}).get("Idempotency-Key")
    if (
        isinstance(key, str)
        and len(key) <= MAX_IDEMPOTENCY_KEY
        and IDEMPOTENCY_KEY_PATTERN.fullmatch(key)
    ):
        case.headers["Idempotency-Key"] = f"fuzz-{uuid.uuid4().hex}"
