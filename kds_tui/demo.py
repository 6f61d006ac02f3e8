"""``kds-demo``: the whole system in one command.

Starts the server (SQLite in a demo data folder) on a free port, waits until it is healthy,
feeds it a stream of realistic orders (``python -m kds_client demo``) and opens the kitchen
display. Quitting the display stops everything this command started.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from kds_client import KdsError, KdsRest
from kds_contract.local import default_data_dir, read_local_tokens
from kds_tui.config import Settings

HEALTH_TIMEOUT = 60.0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kds-demo",
        description="Start a server, feed it demo orders and open the kitchen display.",
    )
    p.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="demo data folder (default: 'demo' in the KDS data folder)",
    )
    p.add_argument("--fresh", action="store_true", help="start from an empty demo database")
    p.add_argument("--rate", type=float, default=8.0, help="new orders per minute (default 8)")
    p.add_argument("--seed-orders", type=int, default=8, help="orders made before the display")
    p.add_argument("--advance", action="store_true", help="also move older orders along")
    p.add_argument("--station", help="open the display for one station")
    p.add_argument("--no-bell", action="store_true", help="do not ring the terminal bell")
    p.add_argument("--pickup", action="store_true", help="open the pickup board instead")
    p.add_argument(
        "--outbox",
        action="store_true",
        help="also start a local mail sink and webhook receiver, and send to them",
    )
    return p


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something already listens on (or holds) ``127.0.0.1:port``."""
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def where_it_runs(url: str, data_dir: Path) -> str:
    """What the terminal is told before the board opens: where the demo's server is and how
    the other commands find it."""
    return (
        f"kds-demo: the server is at {url}, its data and tokens in {data_dir}\n"
        f"kds-demo: the other commands find it with --data-dir, in another terminal:\n"
        f"    kds-kitchen --data-dir {data_dir} --station grill\n"
        f"    kds-admin --data-dir {data_dir}\n"
        f"    kds-order --data-dir {data_dir} list\n"
        f"  (or with KDS_URL={url} and a token from {data_dir / 'local-tokens.json'})"
    )


class Child:
    """A child process this command started, stopped (SIGTERM, then SIGKILL) on the way out."""

    def __init__(self, name: str, args: list[str], log: Path, env: dict[str, str]) -> None:
        self.name = name
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


async def wait_healthy(url: str, server: Child, within: float = HEALTH_TIMEOUT) -> None:
    """Wait until the server answers its health check (through the shared client)."""
    deadline = time.monotonic() + within
    async with KdsRest(url, "", timeout=2.0) as rest:
        while True:
            if not server.running():
                raise RuntimeError(f"the server exited with {server.proc.returncode}")
            try:
                await rest.health()
                return
            except KdsError:
                if time.monotonic() > deadline:
                    raise
            await asyncio.sleep(0.1)


async def seed(url: str, token: str, count: int) -> None:
    """A few orders at once, so the board is not empty when it opens."""
    from kds_client.demo import run_demo

    async with KdsRest(url, token) as rest:
        await run_demo(rest, rate=0, count=count)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    data_dir: Path = args.data_dir or default_data_dir() / "demo"
    if args.fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    if args.port and port_in_use(args.port):
        print(
            f"kds-demo: port {args.port} is in use (another server, or another demo?); "
            "pick another with --port, or leave --port out for a free one",
            file=sys.stderr,
        )
        return 1
    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KDS_DATA_DIR": str(data_dir)}
    log = data_dir / "demo.log"
    print(f"kds-demo: starting the server on {url} (data in {data_dir}, log in {log})")
    children: list[Child] = []
    sinks = None
    try:
        server_args = [
            sys.executable,
            "-m",
            "server",
            "--data-dir",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        if args.outbox:
            from kds_tui.demo_outbox import start_sinks

            sinks = start_sinks(data_dir, log, env, children.append, Child, free_port)
            server_args += sinks.server_args
        server = Child("server", server_args, log, env)
        children.append(server)
        asyncio.run(wait_healthy(url, server))
        if not server.running():  # another server answered on the port ours could not take
            code = server.proc.returncode
            raise RuntimeError(f"the server exited with {code}: is port {port} in use?")
        tokens = read_local_tokens(data_dir)
        if not tokens.get("admin") or not tokens.get("kitchen"):
            print(f"kds-demo: the server wrote no local tokens in {data_dir}", file=sys.stderr)
            return 1
        if sinks is not None:
            asyncio.run(sinks.register(url, tokens["admin"]))
            print(sinks.where_to_look())
        if args.seed_orders:
            asyncio.run(seed(url, tokens["admin"], args.seed_orders))
        feeder = [
            sys.executable,
            "-m",
            "kds_client",
            "demo",
            "--url",
            url,
            "--rate",
            str(args.rate),
        ]
        if args.advance:
            feeder.append("--advance")
        children.append(Child("orders", feeder, log, {**env, "KDS_TOKEN": tokens["admin"]}))

        from kds_tui.app import make_app

        settings = Settings(
            urls=(url,),
            token=tokens["kitchen"],
            station=args.station,
            bell=not args.no_bell,
            pickup=args.pickup,
        )
        app = make_app(settings)
        print(where_it_runs(url, data_dir), flush=True)
        # Closing the terminal or a plain kill ends the display, so the finally below runs.
        before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}
        for sig in before:
            signal.signal(sig, lambda *_: app.exit())
        try:
            app.run()
        finally:
            for sig, handler in before.items():
                signal.signal(sig, handler)
    except (RuntimeError, KdsError, TimeoutError) as error:
        print(f"kds-demo: {error} (see {log})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        for child in reversed(children):
            child.stop()
        if sinks is not None:
            print(sinks.where_to_look())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
