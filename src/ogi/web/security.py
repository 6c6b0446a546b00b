"""Who is asking: the client's address behind a trusted reverse proxy; and the header that
keeps pages with personal data out of caches."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse


@cache
def trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """OGI_TRUSTED_PROXIES: the reverse proxies (addresses or networks, comma-separated)
    whose X-Forwarded-For is believed. Empty: the peer's address is the client's."""
    out = []
    for part in os.environ.get("OGI_TRUSTED_PROXIES", "").split(","):
        part = part.strip()
        if part:
            out.append(ipaddress.ip_network(part, strict=False))
    return tuple(out)


def _trusted(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in trusted_proxies())


def client_address(request: HttpRequest) -> str | None:
    """The address of the client: the peer, unless the peer is a trusted proxy — then the
    right-most address in X-Forwarded-For that is not itself a trusted proxy. Addresses a
    client writes into the header beyond the trusted hops are never believed."""
    # None when the server was not told (a request built in code): the login throttle then
    # stores no address, which a database's address column would refuse as text.
    peer = request.META.get("REMOTE_ADDR") or None
    try:
        peer = str(ipaddress.ip_address(peer)) if peer else None
    except ValueError:
        peer = None
    if peer is None:
        return None
    if not _trusted(peer):
        return peer
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return peer


class NoStore:
    """Pages may hold personal data or a query code: no shared or browser cache keeps them.
    Static files and the published reports (public documents) are cacheable."""

    PUBLIC_PREFIXES = ("/static/", "/public/reports/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(self.PUBLIC_PREFIXES) and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
