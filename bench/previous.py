"""Another revision of ogi beside this one, for the benches that measure the two side by side."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def previous_src(rev: str, into: Path) -> Path:
    """The src/ folder of the git revision `rev` (e.g. main), extracted under `into`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"
