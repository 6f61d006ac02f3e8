"""A bare aiohttp server: POST /api/orders parses the JSON body and answers 201. The
framework's floor for bench/throughput. Takes the kds-server flags it needs.

    python -m bench.floor_server --data-dir DIR --port PORT
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aiohttp import web

_ids = iter(range(1, 10**12))


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def create(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response({"order": {"id": next(_ids), **body}, "seq": 0}, status=201)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args, _ = parser.parse_known_args()
    (args.data_dir / "local-tokens.json").write_text(json.dumps({"admin": "-", "kitchen": "-"}))
    app = web.Application(client_max_size=1024**2)
    app.router.add_get("/api/health", health)
    app.router.add_post("/api/orders", create)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
