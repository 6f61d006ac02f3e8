"""``python -m bench [names...] [--full] [--runs N] [--baseline DIR]``.

Names: fanout, throughput, memory, display, catchup, browser, metrics, outbox, scheduling,
figures (all by default). Results go to bench/results/<time>-<name>.json with the machine's
description; a table is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench import (
    browser,
    catchup,
    display,
    fanout,
    figures,
    metrics_cost,
    outbox,
    scheduling,
    throughput,
)
from bench.common import machine, save

BENCHMARKS = {
    "fanout": fanout.fanout,
    "throughput": throughput.throughput,
    "memory": fanout.memory,
    "display": display.display,
    "catchup": catchup.catchup,
    "browser": browser.browser,
    "metrics": metrics_cost.metrics_cost,
    "outbox": outbox.outbox,
    "scheduling": scheduling.scheduling,
    "figures": figures.figures,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--full", action="store_true", help="the long versions")
    parser.add_argument("--runs", type=int, default=None, help="measurement windows per variant")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout of the project (e.g. a git worktree of an older commit) whose "
        "server runs side by side with this one",
    )
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")
    for name in names:
        about = machine()
        print(f"== {name}  (load {os.getloadavg()[0]:.2f}, {about['nproc']} cpus)", flush=True)
        started = time.monotonic()
        result = BENCHMARKS[name](full=args.full, runs=args.runs, baseline=args.baseline)
        result = {
            "benchmark": name,
            "command": " ".join(["python -m bench", *sys.argv[1:]]),
            "full": args.full,
            "baseline": str(args.baseline) if args.baseline else None,
            "machine": about,
            "load_avg_after": list(os.getloadavg()),
            "elapsed_s": round(time.monotonic() - started, 1),
            **result,
        }
        print(f"-> {save(name, result)}  ({result['elapsed_s']} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
