"""The collector's folder: every response body stored once under its SHA-256, and a
manifest with one row per response (JSON Lines, appended as the crawl goes, so a stopped
crawl loses nothing it fetched).

    OUT/
      objects/ab/abcd….pdf     each body, named by its SHA-256 (the type as extension)
      reports/abcd….pdf        hard links to the report pages and attachments: the input of
                               `ogi dataset OUT/reports/* -o …` and `ogi distribute OUT`
      manifest.jsonl           one row per response (columns in docs/dataset.md)
      job/                     the state of an unfinished crawl (removed when it finishes)
      logs/                    the crawl's log, one file per run
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.jsonl"
_KIND = re.compile(r"[a-z0-9]{1,10}")
REPORT_ROLES = ("report", "attachment")  # what `reports/` holds


@dataclass
class Row:
    """One response as the manifest records it."""

    url: str  # the URL answered (after redirects)
    agency: str | None = None  # of the seed the crawl came from
    role: str = "page"  # column | report | attachment | page
    parent: str | None = None  # the page that linked here
    link_text: str | None = None  # the text of that link
    status: int | None = None  # HTTP status; None when no response came (timeout, refused, robots.txt)
    fetched_at: str | None = None  # ISO 8601, UTC
    headers: dict[str, str] = field(default_factory=dict)
    sha256: str | None = None
    size: int | None = None
    path: str | None = None  # of the stored body, relative to the folder
    file_type: str | None = None
    title: str | None = None  # the page's title
    published_on: str | None = None  # the publication date the page prints (ISO)
    redirects: list[str] = field(default_factory=list)  # URLs requested before `url`, in order
    changed: bool = False  # a body this folder did not hold before
    error: str | None = None  # why there is no response (code: timeout, robots, dns, …)
    run: str | None = None  # the crawl (or WARC import) that recorded it

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Store:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        (self.root / "objects").mkdir(parents=True, exist_ok=True)
        (self.root / "reports").mkdir(exist_ok=True)

    def object_path(self, sha: str, kind: str | None) -> Path:
        # The type becomes the extension: only a plain word (a foreign WARC may say anything, ../../x).
        ext = kind if kind and _KIND.fullmatch(kind) else "bin"
        return self.root / "objects" / sha[:2] / f"{sha}.{ext}"

    def put(self, body: bytes, kind: str | None) -> tuple[str, Path, bool]:
        """Store a body; returns its SHA-256, its path and whether it is new here."""
        sha = hashlib.sha256(body).hexdigest()
        path = self.object_path(sha, kind)
        if path.exists():
            return sha, path, False
        # The same bytes under another type (a download script's .bin, a .docx link): one copy.
        stored = _stored(path.parent, sha)
        if stored is not None:
            return sha, stored, False
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, path)  # never a half-written object under its final name
        return sha, path, True

    def get(self, row: dict[str, Any]) -> bytes | None:
        if not row.get("path"):
            return None
        try:
            return (self.root / row["path"]).read_bytes()
        except OSError:
            return None

    def link_report(self, path: Path) -> None:
        target = self.root / "reports" / path.name
        # One file per body whatever its extension: `ogi dataset DIR/reports/*` would read it twice.
        if _stored(target.parent, path.name.split(".", 1)[0]) is None:
            try:
                os.link(path, target)
            except OSError:  # a file system without hard links
                target.write_bytes(path.read_bytes())

    def record(self, row: Row, body: bytes | None = None) -> Row:
        """Store the body (if any), fill the row's sha256, size, path and changed, append it."""
        if body is not None:
            sha, path, new = self.put(body, row.file_type)
            row.sha256, row.size, row.path, row.changed = sha, len(body), str(path.relative_to(self.root)), new
            if row.role in REPORT_ROLES and row.status == 200:
                self.link_report(path)
        with (self.root / MANIFEST).open("a", encoding="utf-8") as f:
            f.write(json.dumps(row.to_json(), ensure_ascii=False) + "\n")
        return row


def _stored(folder: Path, sha: str) -> Path | None:
    """A file of `folder` named by this SHA-256, whatever its extension (a temporary file,
    named with a leading dot, is not one)."""
    return next(iter(sorted(folder.glob(f"{sha}.*"))), None) if folder.is_dir() else None


def read_manifest(root: Path | str) -> Iterator[dict[str, Any]]:
    """The manifest's rows in the order written; a line cut by a crash is skipped."""
    path = Path(root) / MANIFEST
    if not path.exists():
        return
    with path.open(encoding="utf-8") as f:
        for line in f:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def latest(root: Path | str) -> dict[str, dict[str, Any]]:
    """Each URL's last response that had a body (200 or 304), for conditional requests."""
    out: dict[str, dict[str, Any]] = {}
    for row in read_manifest(root):
        if row.get("sha256") and row.get("status") in (200, 304):
            out[row["url"]] = row
    return out


def is_collection(root: Path | str) -> bool:
    return (Path(root) / MANIFEST).is_file() and (Path(root) / "objects").is_dir()


def report_files(root: Path | str) -> list[Path]:
    """The report pages and attachments a collection holds, once each (by content)."""
    folder = Path(root) / "reports"
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
