"""What every benchmark shares: the machine's description, percentiles, process figures,
and starting the servers under test as child processes."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from tests.support.server import free_port, wait_healthy

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
NODE_DIR = REPO / "bench" / "node"
CLK_TCK = os.sysconf("SC_CLK_TCK")
LIBRARIES = (
    "aiohttp",
    "python-socketio",
    "python-engineio",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "pydantic",
    "textual",
    "redis",
)


# --- the machine ------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """nproc, CPU model, memory, load, Python and library versions: quoted with every figure."""
    model = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        mem_kb = int(info.readline().split()[1])
    libs = {}
    for name in LIBRARIES:
        try:
            libs[name] = version(name)
        except PackageNotFoundError:
            libs[name] = None
    node = shutil.which("node")
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "load_avg": list(os.getloadavg()),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "libraries": libs,
        "node": subprocess.run([node, "-v"], capture_output=True, text=True).stdout.strip()
        if node
        else None,
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
        ).stdout.strip(),
    }


# --- figures ----------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank) of ``values``, or None if there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def latency_summary(seconds: list[float]) -> dict[str, float | int | None]:
    """p50, p99 and max in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": _r(percentile(ms, 50)),
        "p99_ms": _r(percentile(ms, 99)),
        "max_ms": _r(max(ms) if ms else None),
    }


def median_of(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return _r(statistics.median(values)) if values else None


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children_cpu_seconds(pid: int) -> dict[int, float]:
    """User + system CPU time so far of each child process of ``pid``, by child pid."""
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        kids += [int(k) for k in task.read_text().split()]
    cpu = {}
    for kid in kids:
        try:
            cpu[kid] = cpu_seconds(kid)
        except OSError:  # ended meanwhile
            pass
    return cpu


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def save(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}.json"
    path.write_text(json.dumps(result, indent=2))
    return path


def print_table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    print(f"\n{title}")
    widths = {c: max(len(c), *(len(_cell(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.rjust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(_cell(row.get(c)).rjust(widths[c]) for c in columns))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


# --- servers under test -----------------------------------------------------------------


@dataclass
class Server:
    """One server under test, in its own process."""

    name: str
    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)
    workdir: Path | None = None
    on_stop: list[Any] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for action in self.on_stop:
            action()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def start_kds(
    name: str = "kds",
    *,
    db_url: str | None = None,
    source: Path = REPO,
    module: str = "server",
    rate_limit: float | None = None,
    env: dict[str, str] | None = None,
    extra_args: tuple[str, ...] = (),
) -> Server:
    """``python -m server`` (or a variant module) from ``source`` on a fresh data folder."""
    workdir = Path(tempfile.mkdtemp(prefix=f"kds-bench-{name}-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / "server.log"
    db = db_url or f"sqlite+aiosqlite:///{workdir / 'kds.db'}"
    args = [sys.executable, "-m", module, "--data-dir", str(workdir), "--db", db]
    args += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "WARNING"]
    if rate_limit is not None:
        args += ["--rate-limit", str(rate_limit)]
    args += list(extra_args)
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join([str(source), str(REPO)])
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, cwd=source, env=full_env
        )
    server = Server(name, url, proc, log, workdir=workdir)
    try:
        wait_healthy(url, proc, lambda: log.read_text()[-3000:], 60)
    except Exception:
        server.stop()
        raise
    local = json.loads((workdir / "local-tokens.json").read_text())
    server.tokens = {"admin": local["admin"], "kitchen": local["kitchen"]}
    return server


def ensure_node_modules() -> None:
    """Install socket.io for the Node.js reference server (``npm install`` in bench/node)."""
    if (NODE_DIR / "node_modules" / "socket.io").exists():
        return
    print("installing socket.io for the Node.js reference (npm install in bench/node) ...")
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR, check=True
    )


def start_node() -> Server:
    """The stock Node.js socket.io 4.8 server of bench/node/server.js."""
    ensure_node_modules()
    workdir = Path(tempfile.mkdtemp(prefix="kds-bench-node-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / "node.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            ["node", str(NODE_DIR / "server.js"), str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=NODE_DIR,
        )
    server = Server("node", url, proc, log, workdir=workdir)
    wait_healthy(url, proc, lambda: log.read_text()[-3000:], 60)
    server.tokens = {"admin": "node", "kitchen": "node"}
    return server


def start_python(name: str, module: str, **kwargs: Any) -> Server:
    """A small Python server of bench/ (``python -m bench.<module>``) on a free port."""
    return start_kds(name, module=module, **kwargs)
