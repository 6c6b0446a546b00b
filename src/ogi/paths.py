"""Where ogi keeps its data: OGI_DATA_DIR, else the user's data directory (XDG)."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    env = os.environ.get("OGI_DATA_DIR")
    if env:
        path = Path(env)
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        path = base / "ogi"
    path.mkdir(parents=True, exist_ok=True)
    return path
