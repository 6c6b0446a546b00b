"""WARC files from elsewhere are input like any other: a crafted or damaged one writes
nothing outside the collector's folder, holds no more than a crawl would, and what is
cut short is said, not stored as whole."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ogi.corpus import warc as warc_module
from ogi.corpus.collect import CollectError
from ogi.corpus.store import read_manifest
from ogi.corpus.warc import OGI_METADATA, import_warc

from .conftest import CORPUS

PDF = (CORPUS / "pdf" / "hongze-gov-2024.pdf").read_bytes()


def _write(path, records, gz: bool = True) -> None:
    """records: (url, body, ogi metadata or None)."""
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=gz)
        for url, body, meta in records:
            http = StatusAndHeaders("200 OK", [("Content-Type", "application/pdf"),
                                              ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            rec = w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            w.write_record(rec)
            if meta is not None:
                w.write_record(w.create_warc_record(
                    url, "metadata", payload=io.BytesIO(json.dumps(meta).encode()), warc_content_type=OGI_METADATA,
                    warc_headers_dict={"WARC-Concurrent-To": rec.rec_headers.get_header("WARC-Record-ID")}))


def test_a_file_type_cannot_lead_out_of_the_folder(tmp_path):
    out, outside = tmp_path / "out", tmp_path / "outside"
    escape = "d/" + "../" * 12 + str(outside / "pwned.sh").lstrip("/")
    records = [(f"http://x.gov.cn/{i}.pdf", PDF + bytes([i]), {"file_type": kind, "role": "attachment"})
               for i, kind in enumerate(["x", "d/e", escape, "pdf"])]
    _write(tmp_path / "evil.warc.gz", records)
    assert import_warc([tmp_path / "evil.warc.gz"], out) == 4
    assert not outside.exists()
    written = {p.resolve() for p in tmp_path.rglob("*") if p.is_file()}
    assert all(out.resolve() in p.parents or p.parent == tmp_path.resolve() for p in written)
    assert sorted(p.suffix for p in (out / "reports").iterdir()) == [".bin", ".bin", ".pdf", ".x"]


def test_metadata_of_other_types_is_not_carried_into_the_manifest(tmp_path):
    records = [("http://x.gov.cn/a.pdf", PDF, {"agency": {"a": 1}, "role": 5, "redirects": "abc", "title": "报告"}),
               ("http://x.gov.cn/b.pdf", PDF + b"1", ["a", "list"])]
    _write(tmp_path / "odd.warc.gz", records)
    assert import_warc([tmp_path / "odd.warc.gz"], tmp_path / "out") == 2
    rows = {r["url"]: r for r in read_manifest(tmp_path / "out")}
    a = rows["http://x.gov.cn/a.pdf"]
    assert (a["agency"], a["role"], a["redirects"], a["title"]) == (None, "page", [], "报告")


def test_a_cut_warc_is_not_imported_as_whole(tmp_path):
    _write(tmp_path / "whole.warc.gz", [("http://x.gov.cn/a.pdf", b"A" * 5000, None),
                                        ("http://x.gov.cn/b.pdf", PDF, None)])
    data = (tmp_path / "whole.warc.gz").read_bytes()
    (tmp_path / "cut.warc.gz").write_bytes(data[: len(data) - len(data) // 3])
    _write(tmp_path / "whole.warc", [("http://x.gov.cn/a.pdf", b"A" * 5000, None),
                                     ("http://x.gov.cn/b.pdf", PDF, None)], gz=False)
    plain = (tmp_path / "whole.warc").read_bytes()
    (tmp_path / "cut.warc").write_bytes(plain[: len(plain) - 100_000])
    for name in ("cut.warc.gz", "cut.warc"):
        out = tmp_path / f"out-{name}"
        with pytest.raises(CollectError) as err:
            import_warc([tmp_path / name], out)
        assert "不完整" in err.value.message_zh or "无法读取" in err.value.message_zh
        assert all(r.get("size") != len(PDF) or r["url"].endswith("b.pdf") for r in read_manifest(out))
        assert not [r for r in read_manifest(out) if r["url"].endswith("b.pdf")]


def test_a_body_over_the_cap_is_left_out(tmp_path, monkeypatch):
    monkeypatch.setattr(warc_module, "MAX_BODY", 1 << 16)
    zeros = bytes(1 << 20)
    _write(tmp_path / "bomb.warc.gz", [("http://x.gov.cn/zeros.pdf", zeros, None), ("http://x.gov.cn/b.pdf", PDF[:30000], None)])
    assert len(gzip.compress(zeros)) < 5000
    with pytest.raises(CollectError) as err:
        import_warc([tmp_path / "bomb.warc.gz"], tmp_path / "out")
    assert err.value.code == "warc_incomplete" and "超过" in err.value.message_zh
    assert [r["url"] for r in read_manifest(tmp_path / "out")] == ["http://x.gov.cn/b.pdf"]


def test_a_record_without_its_address_is_refused_in_chinese(tmp_path):
    path = tmp_path / "nourl.warc"
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        rec = w.create_warc_record("http://x.gov.cn/", "response", payload=io.BytesIO(b"<html></html>"), http_headers=http)
        rec.rec_headers.remove_header("WARC-Target-URI")
        w.write_record(rec)
    with pytest.raises(CollectError) as err:
        import_warc([path], tmp_path / "out")
    assert err.value.code == "bad_warc" and "nourl.warc 无法读取" in err.value.message_zh
