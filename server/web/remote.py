"""Who is calling: the client's address, through the proxies ``--trusted-proxy`` names.

A request from a trusted proxy (nginx on the same host, say) is taken to be from the
address that proxy says in ``X-Forwarded-For``: the last one there that is not itself a
trusted proxy. A request from anyone else is from its own address, whatever it claims in
that header (it could claim anything). Handlers see the result as ``request.remote``; the
access log prints it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from aiohttp import web
from aiohttp.typedefs import Middleware

from server.web.errors import Handler

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Parse ``--trusted-proxy`` values (addresses or networks); ValueError names a bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"--trusted-proxy: '{value}' is not an IP address or network "
                "(such as 127.0.0.1 or 10.0.0.0/24)"
            ) from None
    return tuple(networks)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: web.BaseRequest, networks: tuple[Network, ...]) -> str | None:
    """The client's address: the peer's, or (from a trusted proxy) the one it forwards."""
    peer = request.transport.get_extra_info("peername") if request.transport else None
    address = peer[0] if isinstance(peer, tuple | list) and peer else request.remote
    if not networks or address is None or not _trusted(address, networks):
        return address
    hops = [
        hop.strip()
        for header in request.headers.getall("X-Forwarded-For", [])
        for hop in header.split(",")
    ]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a malformed list says nothing to be trusted
        if not _trusted(hop, networks):
            return hop
        address = hop
    return address


def remote_middleware(networks: tuple[Network, ...]) -> Middleware:
    """Give handlers the client's address as ``request.remote``."""

    @web.middleware
    async def remote(request: web.Request, handler: Handler) -> web.StreamResponse:
        address = client_address(request, networks) if networks else None
        if address is None or address == request.remote:
            return await handler(request)
        return await handler(request.clone(remote=address))

    return remote
