"""The soak (tests/reliability/soak.py) as a test: on demand only, for KDS_SOAK_MINUTES
(default 60) minutes. RSS growth under 10% after warm-up, no file descriptor growth, no
lost change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.reliability.common import long_only, report
from tests.reliability.soak import parse, soak

MINUTES = os.environ.get("KDS_SOAK_MINUTES", "60")


@long_only
@pytest.mark.timeout(float(MINUTES) * 60 + 600)
def test_soak(tmp_path: Path) -> None:
    minutes = MINUTES
    result = soak(parse(["--minutes", minutes, "--out", str(tmp_path)]))
    report("soak", **result)
    assert result["lost_changes"] == 0
    assert result["rss_growth_pct_after_warm_up"] < 10  # type: ignore[operator]
    assert result["fds_end"] <= result["fds_after_warm_up"]  # type: ignore[operator]
