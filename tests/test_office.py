"""LibreOffice conversions: two at once both succeed (each has a profile of its own), and one
that outlasts its time is stopped whole, soffice.bin with it."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ogi import office
from ogi.ingest.docx import convert_legacy
from ogi.ingest.load import load_report, read_bytes
from ogi.ingest.locate import locate
from ogi.render import render

from .conftest import CORPUS

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                                reason="LibreOffice not installed")


@pytest.fixture(scope="module")
def legacy_doc(tmp_path_factory) -> bytes:
    tmp = tmp_path_factory.mktemp("doc")
    (tmp / "report.docx").write_bytes(render(load_report(CORPUS / "docx" / "shuyang-fgj-2023.docx"), "docx"))
    office.convert([tmp / "report.docx"], "doc", tmp)
    return (tmp / "report.doc").read_bytes()


def test_legacy_documents_converted_at_once_are_all_read(legacy_doc):
    """Two readers converting a .doc at the same moment (a batch, two uploads): with the
    user's one profile, the second conversion failed."""
    with ThreadPoolExecutor(3) as pool:
        converted = list(pool.map(lambda _: convert_legacy(legacy_doc, ".doc"), range(3)))
    agencies = {locate(read_bytes(d, "report.docx")).agency for d in converted}
    assert agencies == {"沭阳县发展和改革局"}


def test_a_conversion_past_its_time_is_stopped_with_all_its_processes(tmp_path, monkeypatch):
    started: list[subprocess.Popen] = []
    real = subprocess.Popen

    def recording(*a, **kw):
        proc = real(*a, **kw)
        started.append(proc)
        return proc

    monkeypatch.setattr(office.subprocess, "Popen", recording)
    src = tmp_path / "slow.docx"
    src.write_bytes(render(load_report(CORPUS / "docx" / "shuyang-fgj-2023.docx"), "docx"))
    t = time.monotonic()
    with pytest.raises(office.OfficeFailed):
        office.convert([src], "pdf", tmp_path, timeout=0.3)
    assert time.monotonic() - t < 10
    [proc] = started
    assert _running_in_group(proc.pid) == []  # soffice.bin too (killed, at most not yet reaped)


def _running_in_group(pgid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()  # state, ppid, pgrp, …
            if int(fields[2]) == pgid and fields[0] != "Z":
                out.append(int(entry))
    return out


def test_a_legacy_conversion_keeps_within_the_readings_time_limit(legacy_doc):
    """Stopped by LibreOffice's own limit, within the reader's: killed at the reader's limit, the
    reading process would leave LibreOffice (a process group of its own) running on."""
    from ogi.ingest.errors import IngestError
    from ogi.ingest.limits import Limits, using

    with using(Limits(timeout_s=0.5)), pytest.raises(IngestError) as e:
        convert_legacy(legacy_doc, ".doc")
    assert e.value.code == "timeout" and e.value.limit == "timeout_s" and "LibreOffice" in e.value.message_zh
