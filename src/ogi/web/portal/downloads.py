"""The public report's PDF and DOCX, rendered once per published text and kept in this process.

Rendering the PDF takes about half a second of CPU (WeasyPrint), the DOCX a fifth: a public
address that rendered on every request would let anyone keep the server's cores busy with a
loop of downloads. A published report changes only by being published again, so its files
are kept, named by what they are made of (the frozen report, the date of issue, the format),
in a store bounded by bytes; requests for a file being rendered wait for that one rendering."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

# About two hundred PDFs of a typical report (300 KB each).
LIMIT_BYTES = 64 * 2**20

_kept: OrderedDict[str, bytes] = OrderedDict()
_kept_bytes = 0
_lock = threading.Lock()
_rendering: dict[str, threading.Lock] = {}


def key(frozen: Any, issued_on: Any, fmt: str, note: str = "") -> str:
    """What a file is made of, as a name: the same text, date, format and note below the
    report give the same name."""
    made_of = json.dumps([frozen, str(issued_on), fmt, note], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(made_of.encode("utf-8")).hexdigest()


def rendered(name: str, render: Callable[[], bytes]) -> bytes:
    """The file named `name`: kept, or rendered by `render()` once however many ask at once."""
    with _lock:
        data = _take(name)
        if data is not None:
            return data
        one = _rendering.setdefault(name, threading.Lock())
    try:
        with one:
            with _lock:
                data = _take(name)
            if data is not None:
                return data  # rendered by the request this one waited for
            data = render()
            _keep(name, data)
            return data
    finally:
        with _lock:
            if _rendering.get(name) is one and not one.locked():
                del _rendering[name]


def forget() -> None:
    """Empty the store (tests; a server that must let go of memory)."""
    global _kept_bytes
    with _lock:
        _kept.clear()
        _kept_bytes = 0


def _take(name: str) -> bytes | None:
    data = _kept.get(name)
    if data is not None:
        _kept.move_to_end(name)
    return data


def _keep(name: str, data: bytes) -> None:
    global _kept_bytes
    if len(data) > LIMIT_BYTES // 4:
        return  # one file must not push out everything else
    with _lock:
        if name in _kept:
            return
        _kept[name] = data
        _kept_bytes += len(data)
        while _kept_bytes > LIMIT_BYTES:
            _, old = _kept.popitem(last=False)
            _kept_bytes -= len(old)
