"""Who is asking and how often: the client's address behind a trusted reverse proxy, the
public forms' limits as atomic counters in the database, the login lockout page, and the
headers that keep personal data out of caches."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Callable
from functools import cache

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


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


def client_address(request: HttpRequest) -> str:
    """The address of the client: the peer, unless the peer is a trusted proxy — then the
    right-most address in X-Forwarded-For that is not itself a trusted proxy. Addresses a
    client writes into the header beyond the trusted hops are never believed."""
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
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


def take(key: str, limit: int, window: dt.timedelta) -> bool:
    """One more use of `key` within its window, if fewer than `limit` were taken: atomic
    across threads, processes and servers sharing the database (the row is locked)."""
    from .models import RateCounter

    now = timezone.now()
    for _ in range(3):
        try:
            with transaction.atomic():
                row = RateCounter.objects.select_for_update().filter(key=key).first()
                if row is None:
                    RateCounter.objects.create(key=key, count=1, expires=now + window)
                    return True
                if row.expires <= now:
                    row.count, row.expires = 1, now + window
                    row.save(update_fields=["count", "expires"])
                    return True
                if row.count >= limit:
                    return False
                RateCounter.objects.filter(pk=row.pk).update(count=F("count") + 1)
                return True
        except IntegrityError:
            continue  # another request created the row first: count again with it
    return False


def give_back(key: str) -> None:
    """A use taken for an attempt that turned out not to count (a correct query code)."""
    from .models import RateCounter

    RateCounter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def purge_counters() -> int:
    from .models import RateCounter

    return RateCounter.objects.filter(expires__lte=timezone.now()).delete()[0]


def locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    """The login page after too many wrong passwords for this account from this address."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "ledger/login.html", {"locked": True, "minutes": minutes, "form": None}, status=429)


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
