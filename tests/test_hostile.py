"""No file takes ogi down: hostile files answered within their limits, bounded workers
that survive crashes, kills and hangs, limits as data."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ogi.ingest.bounded import read_bounded, read_many
from ogi.ingest.limits import Limits, parse_assignments
from ogi.ingest.load import decode_text, json_depth, wide_encoding

from . import hostile
from .conftest import CORPUS, SEED_2019, SEED_2020, interruptible
from .test_cli import ogi


@pytest.fixture(scope="module")
def hostile_results(shared, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    cases = hostile.cases()
    paths = hostile.write(cases, folder)
    started = time.monotonic()
    results = {r.index: r for r in read_many(paths, hostile.TEST_LIMITS, jobs=2)}
    return cases, results, time.monotonic() - started


def test_every_hostile_file_gets_its_answer(hostile_results):
    cases, results, _ = hostile_results
    assert sorted(results) == list(range(len(cases)))
    wrong = []
    for i, case in enumerate(cases):
        r = results[i]
        code = "ok" if r.ok else r.error.code
        if case.code is None:
            if code != "ok" and code not in hostile.REFUSALS:
                wrong.append((case.name, code, r.error.message_en))
        elif code != case.code:
            wrong.append((case.name, code, r.error.message_en if r.error else None))
        elif r.error is not None:
            # The limit is named as the error's `limit` (the command line shows it; web pages do not).
            missing = [s for s in case.says if s not in r.error.message_zh and s != r.error.limit]
            if missing:
                wrong.append((case.name, r.error.message_zh, missing))
    assert not wrong


def test_hostile_messages_are_chinese_and_honest(hostile_results):
    cases, results, _ = hostile_results
    for i, case in enumerate(cases):
        r = results[i]
        if r.error is None:
            continue
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.error.message_zh), case.name
        assert r.error.code != "internal", (case.name, r.error.message_en)
        # The container check's old figure was the declared size: "异常巨大（0 MB）".
        assert "0 MB）" not in r.error.message_zh, case.name


def test_hostile_files_stay_within_memory_and_time(hostile_results):
    cases, results, _ = hostile_results
    cap = hostile.TEST_LIMITS.memory_mb
    for i, case in enumerate(cases):
        r = results[i]
        assert r.peak_rss_mb is None or r.peak_rss_mb < cap, case.name
        assert r.seconds < hostile.TEST_LIMITS.timeout_s + 5, case.name
    # Every case trips its limit before the work, not after it.
    limited = [results[i].seconds for i, c in enumerate(cases) if c.code == "too_large"]
    assert max(limited) < 10


def test_xxe_reads_no_local_file(hostile_results):
    cases, results, _ = hostile_results
    [i] = [i for i, c in enumerate(cases) if c.name == "xxe.docx"]
    r = results[i]
    text = json.dumps(r.report.to_json(), ensure_ascii=False) if r.report else r.error.message_zh
    assert "root:" not in text


def test_wide_and_cut_text_read_as_the_original(hostile_results, shared):
    cases, results, _ = hostile_results
    for i, case in enumerate(cases):
        if case.name.startswith(("utf16", "utf32", "cut.")):
            r = results[i]
            assert r.ok, (case.name, r.error and r.error.message_zh)
            assert r.report.agency in ("绿园区商务局", "沭阳县发展和改革局"), case.name
            if case.name.startswith("cut."):
                [notice] = r.report.notices
                assert notice["code"] == "truncated" and "截断" in notice["message_zh"]
            else:
                assert r.report.notices == []


def test_huge_numbers_are_value_type_findings_on_their_cell(tmp_path):
    files = []
    for name, value in (("e30.txt", "1" + "0" * 30), ("d5000.txt", "9" * 5000)):
        f = tmp_path / name
        f.write_bytes(hostile.seed_with(value))
        files.append(f)
    money = tmp_path / "money.txt"
    money.write_text(SEED_2020.read_text(encoding="utf-8").replace("21738元", "1" + "0" * 30 + "元"), encoding="utf-8")
    files.append(money)
    p = ogi("check", "--json", *files)
    assert p.returncode == 1, p.stderr
    for entry in json.loads(p.stdout):
        assert entry["ok"], entry["error"]
        long = [f for f in entry["findings"] if f["rule"] == "value.type" and "位数过多" in f["message_zh"]]
        assert len(long) == 1, entry["file"]
        cell = long[0]["culprit"]
        # The same cell is not also reported lost, and no identity was computed with it.
        assert not any(cell in f["cells"] for f in entry["findings"] if f["rule"] == "cell.missing")
        assert entry["report"]["cells"][cell]["state"] == "missing"


def test_report_json_validated_with_the_path_of_the_error(tmp_path):
    p = ogi("parse", "--json", SEED_2019)
    data = json.loads(p.stdout)[0]["report"]
    data["cells"]["requests.carried_in.natural"]["state"] = "guessed"
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    q = ogi("check", "--json", f)
    assert q.returncode == 2
    err = json.loads(q.stdout)[0]["error"]
    assert err["code"] == "bad_report"
    assert "cells/requests.carried_in.natural/state" in err["message_zh"]
    assert "cells/requests.carried_in.natural/state" in err["message_en"]
    # At the top level: said in each language (the English carried （顶层）).
    f.write_text('{"edition": "2021"}', encoding="utf-8")
    err = json.loads(ogi("check", "--json", f).stdout)[0]["error"]
    assert "最外层" in err["message_zh"] and "at the top level" in err["message_en"]
    assert not re.search(r"[\u4e00-\u9fff（）]", err["message_en"])


def test_report_json_is_told_by_its_content_and_json_lines_are_not_one_report(tmp_path):
    """Report JSON saved under another name (.txt, as a download may be) is read as JSON, not as
    text; a JSON Lines file of reports (what ogi synth writes beside its corpus) is refused as
    such: it was read as one text report, with three errors and exit status 1."""
    data = json.loads(ogi("parse", "--json", SEED_2019).stdout)[0]["report"]
    named = tmp_path / "报告.txt"
    named.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    lines = tmp_path / "many.jsonl"
    lines.write_text("\n".join(json.dumps(data, ensure_ascii=False) for _ in range(3)), encoding="utf-8")
    crawled = tmp_path / "crawled.txt"  # text opening with [ is text
    crawled.write_text("[首页] [打印]\n" + SEED_2019.read_text(encoding="utf-8"), encoding="utf-8")
    out = json.loads(ogi("check", "--json", named, lines, crawled).stdout)
    assert out[0]["ok"] and out[0]["report"]["sections"] == data["sections"]
    assert not out[1]["ok"] and "JSON Lines" in out[1]["error"]["message_zh"]
    assert out[2]["ok"] and out[2]["report"]["agency"] == data["agency"]
    # A text whose first line happens to be JSON ([1], {}) is text; Report JSON in UTF-16, or
    # holding a figure of 5000 digits, named .txt, is JSON.
    from ogi.ingest.load import report_from_bytes

    text = SEED_2019.read_text(encoding="utf-8")
    for first in ("[1]", "{}", "[2024]", '["首页", "政务公开"]'):
        assert report_from_bytes(f"{first}\n{text}".encode(), "crawled.txt").agency == data["agency"], first
    as_json = json.dumps(data, ensure_ascii=False)
    assert report_from_bytes(b"\xff\xfe" + as_json.encode("utf-16-le"), "r.txt").sections == data["sections"]
    cell = next(k for k, v in data["cells"].items() if v.get("value") == 0 and v.get("raw") == "0")
    huge = json.dumps({**data["cells"][cell], "raw": None}, ensure_ascii=False).replace('"value": 0', '"value": ' + "9" * 5000)
    big = as_json.replace(json.dumps(data["cells"][cell], ensure_ascii=False), huge, 1)
    assert big != as_json and report_from_bytes(big.encode(), "r.txt").sections == data["sections"]


def test_cli_limits_and_streamed_lines(tmp_path):
    big = tmp_path / "many-pages.pdf"
    big.write_bytes(hostile._pdf(12))
    p = ogi("check", "--jsonl", "-j", "2", "--limit", "pdf_pages=10", big, SEED_2019, SEED_2020)
    assert p.returncode == 2, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    # One line per file, whichever finished first; the cross-year line (if any) after them.
    per_file = [x for x in lines if not x.get("continuity")]
    assert sorted(x["file"] for x in per_file) == sorted(map(str, (big, SEED_2019, SEED_2020)))
    [bad] = [x for x in per_file if x["file"] == str(big)]
    assert bad["error"]["limit"] == "pdf_pages" and "12 页" in bad["error"]["message_zh"]
    assert all(x["ok"] for x in per_file if x["file"] != str(big))
    q = ogi("check", "--limit", "pdf_pages=lots", SEED_2019)
    assert q.returncode == 2 and "pdf_pages" in q.stderr and "Traceback" not in q.stderr


def test_limits_from_environment_and_overrides():
    lim = Limits.from_env({"OGI_LIMIT_PDF_PAGES": "7", "OGI_LIMIT_TIMEOUT_S": "1.5", "OGI_MAX_BYTES": "1000"})
    assert (lim.pdf_pages, lim.timeout_s, lim.file_bytes) == (7, 1.5, 1000)
    assert lim.with_overrides(parse_assignments(["pdf-pages=9"])).pdf_pages == 9
    for bad in (["nope=1"], ["pdf_pages=0"], ["pdf_pages"], ["pdf_pages=x"], ["timeout_s=nan"], ["timeout_s=inf"],
                ["timeout_s=99999999999999999999999"], ["memory_mb=99999999999"], ["pdf_pages=1e30"],
                ["memory_mb=1"]):  # (a GBK file then failed as an internal error: no memory to load its codec)
        with pytest.raises(ValueError, match="限额"):
            Limits().with_overrides(parse_assignments(bad))


def test_memory_cap_stops_a_file_and_the_next_is_read(tmp_path):
    from PIL import Image

    # 9000 × 9000 pixels really decoded (the pixel limit raised), under a cap that cannot hold
    # them: 150 MB above what a reading process holds once the OCR reader is loaded. Run in a
    # small interpreter of its own, so the cap does not depend on what this test session loaded.
    img = tmp_path / "big.png"
    Image.new("L", (9000, 9000)).save(img)
    script = f"""
import json
import re
import ogi.ingest.load, ogi.ingest.ocr  # what a worker holds when it reads an image
from ogi.ingest.bounded import read_many
from ogi.ingest.limits import Limits
with open("/proc/self/status", encoding="ascii") as f:
    vm = next(int(line.split()[1]) for line in f if line.startswith("VmSize")) // 1024
lim = Limits(image_pixels=10**9, memory_mb=vm + 150, timeout_s=120)
out = {{}}
for r in read_many([{str(img)!r}, {str(SEED_2020)!r}], lim, jobs=1):
    out[r.index] = {{"code": r.error.code if r.error else None, "zh": r.error.message_zh if r.error else "",
                     "peak": r.peak_rss_mb, "cap": lim.memory_mb}}
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results["0"]["code"] in ("memory", "worker_killed"), results
    assert "内存" in results["0"]["zh"]
    assert results["1"]["code"] is None and results["1"]["peak"] < results["1"]["cap"]


def _hanging_scan(path) -> None:  # type: ignore[no-untyped-def]
    """A scan of every page of a real report, in one PDF: its OCR takes several seconds a
    page on any machine, so it stands for a file that hangs (one page alone may finish
    within a short timeout on a fast, idle machine)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(CORPUS / "pdf" / "hongze-gov-2023.pdf"))
    pages = [pdf[i].render(scale=2).to_pil().convert("RGB") for i in range(len(pdf))]
    pdf.close()
    pages[0].save(path, save_all=True, append_images=pages[1:])


def test_batch_keeps_every_good_result_when_workers_hang_or_are_killed(shared, tmp_path):
    hang, killed = tmp_path / "hang.pdf", tmp_path / "killed.pdf"
    _hanging_scan(hang)
    killed.write_bytes(hang.read_bytes())
    good = [SEED_2019, SEED_2020, CORPUS / "html" / "shuyang-fgj-2023.html", CORPUS / "docx" / "shuyang-fgj-2023.docx"]
    files = [hang, killed, *good]

    def on_start(index: int, file: str, pid: int) -> None:
        if file == str(killed):  # as the OOM killer would
            threading.Timer(0.5, os.kill, (pid, signal.SIGKILL)).start()

    lim = Limits(timeout_s=4)
    results = {r.index: r for r in read_many(files, lim, jobs=2, on_start=on_start)}
    assert sorted(results) == list(range(len(files)))
    assert results[0].error.code == "timeout" and "超时" in results[0].error.message_zh
    assert results[1].error.code == "worker_killed" and "SIGKILL" in results[1].error.message_zh
    for i in range(2, len(files)):
        assert results[i].ok, (files[i], results[i].error and results[i].error.message_zh)


def test_cli_json_stays_valid_when_a_file_times_out(shared, tmp_path):
    scan = tmp_path / "slow.pdf"
    _hanging_scan(scan)
    p = ogi("parse", "--json", "-j", "2", "--limit", "timeout_s=3", scan, SEED_2019)
    assert p.returncode == 2
    out = json.loads(p.stdout)
    assert [o["file"] for o in out] == [str(scan), str(SEED_2019)]
    assert out[0]["error"]["code"] == "timeout" and out[1]["ok"]


def test_one_upload_read_bounded_from_bytes():
    r = read_bounded(SEED_2020.read_bytes(), Limits(timeout_s=60), name="上传.txt")
    assert r.ok and r.report.agency == "绿园区商务局" and r.file == "上传.txt"
    r = read_bounded(b"%PDF-1.4 garbage", Limits(timeout_s=60), name="x.pdf")
    assert r.error.code == "broken_pdf"


_CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=8)
_PUNCT = st.sampled_from(["，", "。", "、", "（", "）", "：", "\t", " ", ""])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_CJK, _PUNCT, st.integers(0, 10**6)), min_size=2, max_size=40),
       st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]))
def test_wide_encodings_decode_to_the_text(pieces, enc):
    # Text as reports are: words, punctuation, figures and line ends.
    text = "".join(f"{w}{p}{n}\n" for w, p, n in pieces)
    data = text.encode(enc)
    assert decode_text(data) == text
    assert wide_encoding(data) is not None


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.integers() | st.text(max_size=5), lambda kids: st.lists(kids, max_size=3)
                    | st.dictionaries(st.text(max_size=3), kids, max_size=3), max_leaves=30))
def test_json_depth_counts_nesting_without_parsing(value):
    def depth(v: object) -> int:
        if isinstance(v, list):
            return 1 + max((depth(x) for x in v), default=0)
        if isinstance(v, dict):
            return 1 + max((depth(x) for x in v.values()), default=0)
        return 0

    text = json.dumps(value, ensure_ascii=False)
    assert json_depth(text, 1000) == depth(value)


def _slow_scan(tmp_path):  # type: ignore[no-untyped-def]
    """A scanned report of four pages (images only): reading it is OCR, tens of seconds, so a
    test interrupting it finds it still reading even on a machine busy with other tests (one
    page, under three seconds, was sometimes read before the interruption arrived)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(CORPUS / "pdf" / "hongze-gov-2023.pdf"))
    pages = [pdf[i].render(scale=2).to_pil().convert("RGB") for i in range(min(4, len(pdf)))]
    pdf.close()
    scan = tmp_path / "scan.pdf"
    pages[0].save(scan, save_all=True, append_images=pages[1:], resolution=144)
    return scan


@pytest.mark.parametrize("fmt", ["--jsonl", "--json"])
def test_ctrl_c_leaves_valid_output_for_what_finished(shared, tmp_path, fmt):
    import subprocess
    import sys

    scan = _slow_scan(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "ogi.cli", "parse", fmt, "-j", "1", SEED_2019, scan],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    if fmt == "--jsonl":
        first = proc.stdout.readline()  # the seed is read; the scan is being read
        assert json.loads(first)["ok"]
    else:
        # Nothing is written before the end: wait until the batch runs (its worker exists).
        children = f"/proc/{proc.pid}/task/{proc.pid}/children"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not open(children, encoding="ascii").read().strip():
            time.sleep(0.1)
        time.sleep(1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "已中止" in err and "Traceback" not in err
    if fmt == "--jsonl":
        assert all(json.loads(x) for x in out.splitlines())
    else:
        entries = json.loads(out)
        assert isinstance(entries, list) and all(e["ok"] for e in entries)
        assert [e["file"] for e in entries] in ([], [str(SEED_2019)])
