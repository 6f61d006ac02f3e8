"""The pages served to browsers: the tracking page, the pickup board, the kitchen board,
and their static files (server/static). No build step, nothing from another origin.

Every page and file is sent with a Content-Security-Policy that allows this origin only
(and no inline script), no framing, and no referrer. A page names its files with their
content hash (``?v=``), so they may be cached for good; without it they are revalidated.
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from kds_contract import OPEN_STATUSES, Status, forward, undo
from kds_contract.allergens import DEFAULT_ALLERGENS
from kds_contract.statuses import UPCOMING_STATUSES, fire
from server.web.errors import ApiError
from server.web.keys import SETTINGS
from server.web.orders import VERSION
from server.web.public import track_lookup

STATIC = Path(__file__).resolve().parent.parent / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
WARN_AFTER_S = 5 * 60
LATE_AFTER_S = 10 * 60
"""A ticket's age turns it to warning, then late: the terminal display's defaults
(kds_tui.model.AgeThresholds)."""
FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    content_type: str
    etag: str


def _load_static() -> dict[str, StaticFile]:
    files: dict[str, StaticFile] = {}
    for path in sorted(STATIC.rglob("*")):
        if not path.is_file() or path.suffix in (".html", ".md"):
            continue
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix in (".js", ".mjs"):
            kind = "text/javascript"
        name = path.relative_to(STATIC).as_posix()
        files[name] = StaticFile(body, kind, hashlib.sha256(body).hexdigest()[:16])
    return files


FILES = _load_static()


def _secure(response: web.StreamResponse) -> web.StreamResponse:
    response.headers.update(SECURITY_HEADERS)
    return response


def asset(name: str) -> str:
    """The URL of a static file, with its content hash."""
    return f"/static/{name}?v={FILES[name].etag}"


def render(template: str, **values: Any) -> str:
    """A page from server/static/<template>: ``{{name}}`` is replaced by a value, HTML-
    escaped; ``{{asset:file}}`` by the file's URL; ``{{config}}`` by JSON for the page's
    script (escaped so that it cannot end its script element)."""
    text = (STATIC / template).read_text(encoding="utf-8")
    for name in [part.split("}}", 1)[0] for part in text.split("{{")[1:]]:
        if name.startswith("asset:"):
            value = asset(name.removeprefix("asset:"))
        elif name == "config":
            value = json.dumps(values["config"], ensure_ascii=False)
            value = value.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        else:
            value = html.escape(str(values[name]))
        text = text.replace("{{" + name + "}}", value)
    return text


def page(text: str, status: int = 200) -> web.StreamResponse:
    response = web.Response(text=text, status=status, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    return _secure(response)


def _restaurant(request: web.Request) -> str:
    return request.app[SETTINGS].restaurant_name


async def static_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    found = FILES.get(name)
    if found is None:
        return page(render("missing.html", title="Not found", restaurant=""), 404)
    cache = FOREVER if request.query.get("v") == found.etag else REVALIDATE
    etag = f'"{found.etag}"'
    if request.headers.get("If-None-Match") == etag:
        response: web.StreamResponse = web.Response(status=304)
    else:
        response = web.Response(body=found.body, content_type=found.content_type)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = cache
    return _secure(response)


async def track_page(request: web.Request) -> web.StreamResponse:
    code = request.match_info["code"]
    restaurant = _restaurant(request)
    try:
        order, _seq = await track_lookup(request, code)
    except ApiError as exc:
        if exc.status == 429:
            text = render("toomany.html", title="Please wait", restaurant=restaurant)
            response = page(text, 429)
            response.headers.update(exc.headers or {})
            return response
        if exc.status == 404:
            return page(render("missing.html", title="Order not found", restaurant=restaurant), 404)
        raise
    config = {"code": code, "restaurant": restaurant, "order": order}
    title = f"Order {order['id']}"
    return page(render("track.html", title=title, restaurant=restaurant, config=config))


async def pickup_page(request: web.Request) -> web.StreamResponse:
    restaurant = _restaurant(request)
    config = {"restaurant": restaurant, "version": VERSION}
    return page(render("pickup.html", title="Pickup", restaurant=restaurant, config=config))


async def kitchen_page(request: web.Request) -> web.StreamResponse:
    station = (request.query.get("station") or "").strip() or None
    config = {
        "station": station,
        "open": [str(s) for s in OPEN_STATUSES],
        "upcoming": [str(s) for s in UPCOMING_STATUSES],
        "fire": {str(s): str(fire(s)) for s in Status if fire(s) is not None},
        "forward": {str(s): str(forward(s)) for s in Status if forward(s) is not None},
        "undo": {str(s): str(undo(s)) for s in Status if undo(s) is not None},
        "allergens": DEFAULT_ALLERGENS.wire(),
        "thresholds": {"warn": WARN_AFTER_S, "late": LATE_AFTER_S},
        "version": VERSION,
    }
    return page(
        render("kitchen.html", title="Kitchen", restaurant=_restaurant(request), config=config)
    )


def setup_pages(app: web.Application) -> None:
    app.router.add_get("/track/{code}", track_page)
    app.router.add_get("/board/pickup", pickup_page)
    app.router.add_get("/board/kitchen", kitchen_page)
    app.router.add_get("/static/{name:.+}", static_file)
