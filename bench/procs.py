"""Starting and driving the load generator processes."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import NODE_DIR, REPO, ensure_node_modules


class ClientGroup:
    """``count`` live clients spread over ``processes`` processes of bench/node/clients.js."""

    def __init__(self, url: str, token: str, count: int, processes: int = 1) -> None:
        ensure_node_modules()
        self.count = count
        self.tmp = Path(tempfile.mkdtemp(prefix="kds-bench-clients-"))
        share = [count // processes + (1 if i < count % processes else 0) for i in range(processes)]
        self.procs = [
            subprocess.Popen(
                ["node", str(NODE_DIR / "clients.js"), url, token, str(n)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=REPO,
            )
            for n in share
            if n
        ]
        self.connected = 0
        for proc in self.procs:
            line = proc.stdout.readline().split()  # type: ignore[union-attr]
            if not line or line[0] != "ready":
                raise RuntimeError(f"clients failed to start: {line}")
            self.connected += int(line[1])

    def collect(self) -> list[tuple[int, float]]:
        records: list[tuple[int, float]] = []
        for n, proc in enumerate(self.procs):
            path = self.tmp / f"collect-{n}.json"
            proc.stdin.write(f"collect {path}\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
            assert proc.stdout.readline().strip() == "done"  # type: ignore[union-attr]
            records += [tuple(r) for r in json.loads(path.read_text())["records"]]
        return records

    def close(self) -> None:
        for proc in self.procs:
            try:
                proc.stdin.write("quit\n")  # type: ignore[union-attr]
                proc.stdin.flush()  # type: ignore[union-attr]
            except BrokenPipeError:
                pass
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def load(url: str, token: str, **options: Any) -> dict[str, Any]:
    """Run bench.loadgen to the end and return its figures."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        args = [sys.executable, "-m", "bench.loadgen", url, token, out.name]
        for key, value in options.items():
            args += [f"--{key}", str(value)]
        subprocess.run(args, check=True, cwd=REPO)
        return json.loads(Path(out.name).read_text())
