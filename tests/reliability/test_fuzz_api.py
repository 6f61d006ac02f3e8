"""Schemathesis against /api/openapi.json of a live server, with all its default checks:
0 failures. A bounded number of examples per operation in CI; more with KDS_LONG=1 (or
KDS_FUZZ_EXAMPLES=N). Settings and their reasons: tests/reliability/schemathesis.toml."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.common import LONG, report, server_errors
from tests.support.server import REPO, ServerProcess

HERE = Path(__file__).parent
EXAMPLES = int(os.environ.get("KDS_FUZZ_EXAMPLES", "300" if LONG else "25"))
SEED = None if LONG else 20261126
"""CI uses one seed, so that a failure there can be replayed; long runs draw a new one."""


def schemathesis() -> str:
    found = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    if found is None:
        pytest.fail("schemathesis is not installed: pip install -e '.[dev]'")
    return found


@pytest.mark.timeout(1800 if LONG else 300)
def test_schemathesis_finds_no_failure(server: ServerProcess, tmp_path: Path) -> None:
    args = [
        schemathesis(),
        "--config-file",
        str(HERE / "schemathesis.toml"),
        "run",
        f"{server.url}/api/openapi.json",
        "--max-examples",
        str(EXAMPLES),
        "--workers",
        "2",
        "--request-timeout",
        "10",
        "--report-dir",
        str(tmp_path / "report"),
        "--report",
        "junit",
    ]
    if SEED is not None:
        args += ["--seed", str(SEED)]
    env = {
        **os.environ,
        "KDS_FUZZ_TOKEN": server.tokens["admin"],
        "PYTHONPATH": str(REPO),  # the hooks module, tests.reliability.st_hooks
        "NO_COLOR": "1",
    }
    done = subprocess.run(
        args,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1700 if LONG else 280,
        check=False,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        # Each failure's section comes before the summary; generated bodies can make the
        # whole output megabytes: the failures first, each cut at 3,000 characters.
        failures = re.findall(r"_{5,} (.+?) _{5,}\n(.*?)(?=\n_{5,} |\n={5,})", output, re.S)
        shown = "\n".join(f"{name}\n{text[:3000]}" for name, text in failures)
        pytest.fail("schemathesis found failures:\n" + shown + "\n" + output[-4000:])
    # A failed check makes schemathesis exit non-zero. Its warnings (for example "most
    # responses were 404", which depends on how its two workers interleave creates and
    # reads on a loaded machine) are not failures of the server: reported, not fatal.
    warned = "No issues found" not in output
    assert not server_errors(server.log_text()), "\n".join(server_errors(server.log_text()))
    generated = re.search(r"(\d+) generated", output)
    assert generated and int(generated.group(1)) >= 10 * EXAMPLES, output[-5000:]
    assert "Missing authentication" not in output, "the fuzzer's token was refused"
    report(
        "schemathesis",
        examples_per_operation=EXAMPLES,
        seed=SEED or "random",
        test_cases=generated.group(1) if generated else "?",
        failures=0,
        warnings="see the schemathesis output" if warned else 0,
    )
