"""LibreOffice, run headless: how ogi converts office files (a legacy .doc or .wps to DOCX, a
letter to PDF). Each run has a profile of its own — two conversions sharing the user's profile
at once make the second fail — and runs in a process group of its own, so that a conversion
that outlasts its time is stopped whole (soffice starts soffice.bin as its child)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path


class OfficeMissing(RuntimeError):
    """LibreOffice is not installed."""


class OfficeFailed(RuntimeError):
    """The conversion failed."""


class OfficeTimeout(OfficeFailed):
    """The conversion outlasted its time, and was stopped."""


def convert(sources: Sequence[Path], to: str, outdir: Path, timeout: float = 120) -> None:
    """Convert files with LibreOffice into `outdir` (`to`: docx, pdf, …)."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise OfficeMissing("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="ogi-office-") as profile:
        cmd = [office, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", to,
               "--outdir", str(outdir), *map(str, sources)]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as e:
            raise OfficeFailed(str(e)) from None
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            raise OfficeTimeout(f"no answer within {timeout:g} s") from None
        except BaseException:
            _stop(proc)
            raise
        if proc.returncode != 0:
            raise OfficeFailed(f"exit status {proc.returncode}: {err.decode(errors='replace')[-300:].strip()}")


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
