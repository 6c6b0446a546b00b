"""YAML files: parsed with libyaml's C parser when PyYAML was built with it (the same
data as the pure-Python safe loader, about ten times faster); and ogi's own data files
(editions, agency name forms), which every `ogi` start reads, kept as JSON in the user's
cache once parsed, so that a start needs neither PyYAML nor a parse. The JSON copy is
named by checksums of the YAML text, so an edited or upgraded file is parsed afresh (zlib's
CRC-32 and Adler-32 with the length: hashlib would load OpenSSL at every start, for a key
no one forges — who can edit the file needs no collision)."""

from __future__ import annotations

import importlib
import json
import os
import sys
import zlib
from pathlib import Path
from typing import Any

# Bump when the cached form changes.
_CACHE_FORMAT = 1


def loader() -> type:
    """libyaml's safe loader, or PyYAML's pure-Python one where it was built without libyaml."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str | bytes) -> Any:
    """Like `yaml.safe_load`: plain data only, no tags that build objects."""
    import yaml

    return yaml.load(text, Loader=loader())


def cache_dir() -> Path:
    """Where ogi keeps what it can rebuild: OGI_CACHE_DIR, else the user's cache directory (XDG)."""
    env = os.environ.get("OGI_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ogi"


def load_packaged(package: str, name: str) -> Any:
    """A YAML data file of an ogi package (`name` relative to the package's folder)."""
    return load_cached(_packaged_text(package, name))


def load_cached(text: str) -> Any:
    """YAML text parsed once and kept as JSON in the user's cache under its digest (a file
    read at every start: an edition, the agency name forms). Raises what `load` raises."""
    data = f"{_CACHE_FORMAT}\n{text}".encode()
    digest = f"{len(data):x}-{zlib.crc32(data):08x}-{zlib.adler32(data):08x}"
    cached = cache_dir() / f"{digest}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    data = load(text)
    try:
        encoded = json.dumps(data, ensure_ascii=False)
        if json.loads(encoded) == data:  # only data JSON keeps as it is (no dates, no integer keys)
            _write_atomically(cached, encoded)
    except (OSError, TypeError, ValueError):
        pass  # a read-only home, a full disk: parsed again next time
    return data


def _packaged_text(package: str, name: str) -> str:
    module = sys.modules.get(package) or importlib.import_module(package)
    where = getattr(module, "__file__", None)
    if where:
        try:
            return (Path(where).parent / name).read_text(encoding="utf-8")
        except OSError:
            pass
    from importlib import resources  # a package that is not a folder on disk

    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def _write_atomically(path: Path, text: str) -> None:
    """Another process reading the file at the same time sees the old one or the new one."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
