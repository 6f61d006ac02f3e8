"""What the pages send and allow: one origin, no framing, no referrer, cached files."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp

from tests.browser.conftest import create
from tests.support.server import REPO, ServerProcess

EXPECTED_SOCKET_IO = "4.8.4"
VENDOR = REPO / "server" / "static" / "vendor"


async def test_pages_and_files_forbid_other_origins_framing_and_referrers(
    server: ServerProcess,
) -> None:
    order = create(server)
    paths = [
        f"/track/{order['tracking_code']}",
        "/board/pickup",
        "/board/kitchen",
        f"/track/{'Q' * 22}",
        "/static/live.js",
        "/static/vendor/socket.io.esm.min.js",
    ]
    async with aiohttp.ClientSession() as session:
        for path in paths:
            async with session.get(server.url + path) as answer:
                headers = answer.headers
                body = await answer.text()
            csp = headers["Content-Security-Policy"]
            assert "default-src 'self'" in csp and "script-src 'self'" in csp, path
            assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, path
            assert headers["X-Frame-Options"] == "DENY", path
            assert headers["Referrer-Policy"] == "no-referrer", path
            assert headers["X-Content-Type-Options"] == "nosniff", path
            if path.startswith(("/track", "/board")):
                assert not re.search(r"(src|href)=\"(https?:)?//", body), (
                    f"{path} loads another origin"
                )
                assert "<script>" not in body, f"{path} has an inline script"


async def test_files_named_with_their_hash_are_cached_for_good_others_revalidated(
    server: ServerProcess,
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url + "/board/pickup") as answer:
            page = await answer.text()
        versioned = re.search(r'src="(/static/pickup\.js\?v=[0-9a-f]+)"', page)
        assert versioned, page
        async with session.get(server.url + versioned.group(1)) as answer:
            assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert answer.content_type == "text/javascript"
            etag = answer.headers["ETag"]
        async with session.get(server.url + "/static/pickup.js") as answer:
            assert answer.headers["Cache-Control"] == "no-cache"
        async with session.get(
            server.url + "/static/pickup.js", headers={"If-None-Match": etag}
        ) as answer:
            assert answer.status == 304
        async with session.get(server.url + "/static/../server/app.py") as answer:
            assert answer.status == 404
        async with session.get(server.url + "/board/pickup") as answer:
            assert answer.headers["Cache-Control"] == "no-store"


def test_the_vendored_socketio_client_is_the_version_noted_with_its_licence() -> None:
    code = (VENDOR / "socket.io.esm.min.js").read_text()
    assert f"Socket.IO v{EXPECTED_SOCKET_IO}" in code[:200]
    assert "sourceMappingURL" not in code, "no browser should ask for a map the server lacks"
    assert "MIT" in (VENDOR / "socket.io-client.LICENSE").read_text()
    assert f"| {EXPECTED_SOCKET_IO} |" in (VENDOR / "README.md").read_text()
    assert Path(VENDOR / "README.md").exists()
