"""WARC (ISO 28500) in and out, with warcio: a crawl made by another tool (Heritrix,
wget --warc-file, browsertrix…) is brought into a collector's folder, and a folder is
archived as one WARC file.

Going out, each stored response becomes a `response` record, followed by a `metadata`
record (JSON, `WARC-Concurrent-To` the response) with what ogi knows beside HTTP: the
agency, the role (column page, report page, attachment), the parent page, the title and
publication date. Coming in, those metadata records are used when present; otherwise
the roles are read from the pages themselves: a page whose title names a report is a
report page, a document it links to is an attachment, and a column page is one that
links to reports (ogi.corpus.pages)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .pages import Link, disposition_filename, file_type, is_document, names_report, read_page
from .store import Row, Store, read_manifest

OGI_METADATA = "application/vnd.ogi.collect+json"
_DROP = {"content-encoding", "transfer-encoding", "content-length"}  # the body is stored decoded and whole


@dataclass
class _Response:
    url: str
    date: str | None
    status: int
    headers: dict[str, str]
    body: bytes
    record_id: str | None


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def export_warc(root: Path | str, target: Path | str) -> int:
    """Write the folder's responses to `target` (gzipped per record when it ends in .gz);
    each URL's each distinct body once. Returns the number of responses written."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    store = Store(root)
    seen: set[tuple[str, str]] = set()
    n = 0
    with open(target, "wb") as fh:
        writer = WARCWriter(fh, gzip=str(target).endswith(".gz"))
        writer.write_record(writer.create_warcinfo_record(Path(target).name, {"software": "ogi collect",
                                                                               "format": "WARC File Format 1.1"}))
        for row in read_manifest(root):
            if row.get("status") is None or not row.get("sha256") or row.get("status") == 304:
                continue
            key = (row["url"], row["sha256"])
            body = store.get(row)
            if key in seen or body is None:
                continue
            seen.add(key)
            headers = [(k, v) for k, v in (row.get("headers") or {}).items() if k.lower() not in _DROP]
            headers.append(("Content-Length", str(len(body))))
            http = StatusAndHeaders(f"{row['status']} {_reason(row['status'])}", headers, protocol="HTTP/1.1")
            date = row.get("fetched_at")
            warc_headers = {"WARC-Date": _warc_date(date)} if date else {}
            response = writer.create_warc_record(row["url"], "response", payload=io.BytesIO(body), http_headers=http,
                                                 warc_headers_dict=warc_headers)
            writer.write_record(response)
            meta = {k: row.get(k) for k in ("agency", "role", "parent", "link_text", "title", "published_on", "redirects",
                                            "fetched_at", "file_type")}
            writer.write_record(writer.create_warc_record(
                row["url"], "metadata", payload=io.BytesIO(json.dumps(meta, ensure_ascii=False).encode()),
                warc_content_type=OGI_METADATA,
                warc_headers_dict={"WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"), **warc_headers}))
            n += 1
    return n


def _warc_date(iso: str) -> str:
    d = dt.datetime.fromisoformat(iso)
    return d.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _records(paths: list[Path]) -> Iterator[tuple[str, Any]]:
    """Each WARC record of the files in turn; a file with none, or that cannot be read on,
    is refused (CollectError)."""
    from warcio.archiveiterator import ArchiveIterator

    from .collect import CollectError

    for p in paths:
        warc = False
        try:
            with open(p, "rb") as fh:
                for rec in ArchiveIterator(fh):
                    # warcio also reads the older ARC format, and so finds "records" in some
                    # random bytes; a WARC record always carries its id.
                    if rec.rec_headers.get_header("WARC-Record-ID") is None:
                        continue
                    warc = True
                    yield rec.rec_type, rec
        except CollectError:
            raise
        except Exception as e:  # warcio raises many kinds on a damaged archive
            raise CollectError("bad_warc", f"{p.name} 无法读取：文件已损坏，或不是 WARC 文件（{type(e).__name__}）",
                               f"cannot read {p.name}: damaged or not a WARC file ({e})") from None
        if not warc:
            raise CollectError("bad_warc", f"{p.name} 不是 WARC 文件：其中没有任何 WARC 记录",
                               f"{p.name} is not a WARC file: it holds no WARC record")


# A response body larger than this is not brought in (the crawler's own cap): a small
# compressed WARC can hold gigabytes of zeros.
MAX_BODY = 200 * 1024 * 1024
_CHUNK = 1 << 20


class _Cut(Exception):
    """A record whose body is not whole: the file ends inside it, or it is over MAX_BODY."""


def _body(rec: Any) -> bytes:
    stream = rec.content_stream()
    parts: list[bytes] = []
    size = 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > MAX_BODY:
            raise _Cut("too_large")
        parts.append(chunk)
    if getattr(rec.raw_stream, "limit", 0) > 0:
        raise _Cut("truncated")  # the record says it is longer than what the file holds
    return b"".join(parts)


def _responses(paths: list[Path], cut: list[tuple[str, str]] | None = None
               ) -> Iterator[_Response | tuple[str, dict[str, Any]]]:
    """Each response, and each of ogi's metadata records as (the response's record id, data).
    A response whose body is not whole is left out, and named in `cut` (URL, why)."""
    for kind, rec in _records(paths):
        url = rec.rec_headers.get_header("WARC-Target-URI")
        if kind == "response" and rec.http_headers is not None and isinstance(url, str) and url.strip():
            try:
                status = int(rec.http_headers.get_statuscode())
            except (TypeError, ValueError):
                continue
            try:
                body = _body(rec)
            except _Cut as why:
                if cut is not None:
                    cut.append((url, str(why)))
                continue
            yield _Response(url, rec.rec_headers.get_header("WARC-Date"), status,
                            {k: v for k, v in rec.http_headers.headers}, body,
                            rec.rec_headers.get_header("WARC-Record-ID"))
        elif kind == "metadata" and rec.rec_headers.get_header("Content-Type") == OGI_METADATA:
            try:
                data = json.loads(_body(rec))
            except (ValueError, _Cut):
                continue
            if isinstance(data, dict):
                yield rec.rec_headers.get_header("WARC-Concurrent-To"), _checked_meta(data)


_ROLES = ("column", "report", "attachment", "page")


def _checked_meta(data: dict[str, Any]) -> dict[str, Any]:
    """ogi's metadata of a record as this version would write it: a value of another type
    (a foreign or crafted WARC) is dropped, not carried into the manifest."""
    out: dict[str, Any] = {}
    for key in ("agency", "parent", "link_text", "title", "published_on", "fetched_at", "file_type"):
        value = data.get(key)
        if isinstance(value, str) and len(value) <= 4096:
            out[key] = value
    if data.get("role") in _ROLES:
        out["role"] = data["role"]
    redirects = data.get("redirects")
    if isinstance(redirects, list) and all(isinstance(u, str) for u in redirects):
        out["redirects"] = redirects[:50]
    return out


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _ctype(headers: dict[str, str]) -> str | None:
    return _header(headers, "content-type")


def _decoded(r: _Response) -> str:
    from scrapy.http import HtmlResponse

    return HtmlResponse(r.url, body=r.body, headers={"Content-Type": _ctype(r.headers) or "text/html"}).text


def _column_of(url: str, seeds: dict[str, str | None]) -> str | None:
    return next((c for c in seeds if url.startswith(c.rsplit("/", 1)[0] + "/")), None)


def _roles(paths: list[Path], seeds: dict[str, str | None]) -> dict[str, dict[str, Any]]:
    """For a WARC without ogi's metadata: each URL's role, parent, link text and agency,
    read from the pages it holds. `seeds` maps column URLs to agencies."""
    listings: dict[str, tuple[list[Link], str | None]] = {}
    reports: dict[str, list[Link]] = {}
    for item in _responses(paths):
        if not isinstance(item, _Response) or item.status != 200 or file_type(item.url, _ctype(item.headers)) != "html":
            continue
        page = read_page(_decoded(item), item.url)
        if names_report(page.title or ""):
            reports[item.url] = page.attachments
        elif page.reports:
            column = _column_of(item.url, seeds)
            listings[item.url] = (page.reports, seeds.get(column) if column else None)
    out: dict[str, dict[str, Any]] = {}
    for url, (links, agency) in listings.items():
        out[url] = {"role": "column", "agency": agency}
        for link in links:
            role = "attachment" if is_document(link.url, link.text) else "report"
            out.setdefault(link.url, {"role": role, "parent": url, "link_text": link.text, "agency": agency})
    for url, attachments in reports.items():
        entry = out.setdefault(url, {"role": "report"})
        entry["role"] = "report"
        for link in attachments:
            out.setdefault(link.url, {"role": "attachment", "parent": url, "link_text": link.text,
                                      "agency": entry.get("agency")})
    return out


def import_warc(paths: list[Path | str], root: Path | str, seeds: dict[str, str | None] | None = None,
                run: str | None = None) -> int:
    """Bring WARC files' responses into the folder `root`; returns the number stored.
    `seeds` (column URL → agency) names the agencies of a foreign crawl."""
    files = [Path(p) for p in paths]
    store = Store(root)
    run = run or "warc-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    ogi_meta: dict[str, dict[str, Any]] = {}
    for item in _responses(files):
        if isinstance(item, tuple) and item[0]:
            ogi_meta[item[0]] = item[1]
    roles = {} if ogi_meta else _roles(files, seeds or {})
    known = {(r["url"], r.get("sha256")) for r in read_manifest(root)}
    n = 0
    cut: list[tuple[str, str]] = []
    for item in _responses(files, cut):
        if not isinstance(item, _Response):
            continue
        meta = ogi_meta.get(item.record_id or "") or roles.get(item.url) or {}
        kind = (meta.get("file_type") or file_type(item.url, _ctype(item.headers),
                                                   disposition_filename(_header(item.headers, "content-disposition")))
                or "bin")
        title = meta.get("title")
        published = meta.get("published_on")
        if kind == "html" and item.status == 200 and not ogi_meta:
            page = read_page(_decoded(item), item.url)
            title = page.title
            published = page.published_on.isoformat() if page.published_on else None
        row = Row(url=item.url, agency=meta.get("agency"), role=meta.get("role") or "page", parent=meta.get("parent"),
                  link_text=meta.get("link_text"), status=item.status,
                  fetched_at=meta.get("fetched_at") or _iso(item.date), headers=item.headers, file_type=kind,
                  title=title, published_on=published, redirects=meta.get("redirects") or [], run=run)
        if (item.url, hashlib.sha256(item.body).hexdigest()) in known:
            continue  # the same response brought in before
        store.record(row, item.body)
        n += 1
    if cut:
        from .collect import CollectError

        truncated = sum(1 for _, why in cut if why == "truncated")
        why_zh = "；".join(part for part in (f"{truncated} 个在文件中不完整（文件被截断）" if truncated else "",
                                             f"{len(cut) - truncated} 个超过 {MAX_BODY >> 20} MB"
                                             if len(cut) > truncated else "") if part)
        raise CollectError("warc_incomplete", f"已导入 {n} 个完整的响应；另有 {len(cut)} 个响应未导入：{why_zh}，"
                           f"首个为 {cut[0][0][:200]}",
                           f"imported {n} whole responses; {len(cut)} left out (cut short or over the size cap), "
                           f"first {cut[0][0][:200]}")
    return n


def _iso(warc_date: str | None) -> str | None:
    if not warc_date:
        return None
    try:
        return dt.datetime.fromisoformat(warc_date.replace("Z", "+00:00")).isoformat(timespec="seconds")
    except ValueError:
        return None
