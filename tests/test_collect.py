"""`ogi collect` against a site served on 127.0.0.1 (tests/site.py) built from the
development corpus: the column's three pages, report pages in site chrome, attachments,
a GBK page, a redirect, a 404, a timeout, robots.txt; a second run that fetches nothing
new; a stopped crawl resumed; WARC out and in."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ogi.corpus.collect import CollectError, Options, Seed, collect, read_seeds
from ogi.corpus.pages import names_report, read_page
from ogi.corpus.store import Store, read_manifest, report_files
from ogi.corpus.warc import export_warc, import_warc

from .conftest import CORPUS
from .site import Site

AGENCY = "某某县人民政府"
FAST = Options(delay=0, per_host=4, timeout=1, retries=2, backoff=0.1)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _by_url(rows: list[dict], base: str) -> dict[str, dict]:
    return {r["url"].removeprefix(base): r for r in rows}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("collected")
    with Site(CORPUS) as site:
        # A second seed that robots.txt forbids.
        seeds = [Seed(AGENCY, site.base + "/gknb/index.html"), Seed("另一机关", site.base + "/private/gknb/index.html")]
        first = collect(seeds, out, FAST)
        site.wait_idle()
        mark = len(site.log)
        hits_before = dict(site.hits)
        second = collect(seeds, out, FAST)
        site.wait_idle()
        yield {"out": out, "site": site, "first": first, "second": second, "run2_log": site.statuses(mark),
               "hits_before": hits_before}


def _rows(crawled, run: str) -> dict[str, dict]:
    return _by_url([r for r in read_manifest(crawled["out"]) if r["run"] == run], crawled["site"].base)


def test_column_pages_reports_and_attachments_are_followed(crawled):
    rows = _rows(crawled, crawled["first"].run)
    assert crawled["first"].finished
    columns = {u for u, r in rows.items() if r["role"] == "column" and r["status"] == 200}
    assert columns == {"/gknb/index.html", "/gknb/index_1.html", "/gknb/index_2.html"}
    reports = {u for u, r in rows.items() if r["role"] == "report" and r["status"] == 200}
    assert reports == {"/gknb/202401/t_fgj.html", "/gknb/202501/t_hongze.html", "/gknb/202501/t_kewei.html",
                       "/gknb/202301/t2022.html", "/gknb/202501/t_huaian.html"}
    attachments = {u: r for u, r in rows.items() if r["role"] == "attachment"}
    assert set(attachments) == {"/gknb/202501/P_shuyang.docx", "/gknb/202501/P020250120_hongze.pdf",
                                "/gknb/202501/W020250120_scan.png", "/gknb/202301/P020240118_hongze.pdf",
                                "/gknb/202501/P020250125_huaian.pdf"}
    assert attachments["/gknb/202501/P020250120_hongze.pdf"]["parent"] == crawled["site"].base + "/gknb/202501/t_hongze.html"
    # the listing linked the DOCX directly: its parent is the column page
    assert attachments["/gknb/202501/P_shuyang.docx"]["parent"] == crawled["site"].base + "/gknb/index.html"
    hits = crawled["hits_before"]
    # site chrome: the menu's PDF, the logo, a non-report item and the column's own menu link are left alone
    for path in ("/about/notice.pdf", "/images/logo.png", "/gknb/202401/t_notice.html", "/index.html", "/zwdt/index.html"):
        assert path not in hits, path
    assert all(r["agency"] == AGENCY for u, r in rows.items() if not u.startswith("/private/gknb/index"))
    assert rows["/private/gknb/index.html"]["error"] == "robots"


def test_manifest_rows_and_content_addressed_store(crawled):
    out, site = crawled["out"], crawled["site"]
    rows = _rows(crawled, crawled["first"].run)
    pdf = rows["/gknb/202501/P020250120_hongze.pdf"]
    served = (CORPUS / "pdf/hongze-gov-2024.pdf").read_bytes()
    assert pdf["sha256"] == _sha(served) and pdf["size"] == len(served) and pdf["status"] == 200
    assert (out / pdf["path"]).read_bytes() == served and Path(pdf["path"]).stem == pdf["sha256"]
    headers = {k.lower(): v for k, v in pdf["headers"].items()}  # as Scrapy spells them (Etag)
    assert headers["content-type"] == "application/pdf" and headers["etag"] and headers["last-modified"]
    assert pdf["published_on"] == "2025-01-20"  # the page's date, carried to its attachment
    assert pdf["fetched_at"] and pdf["changed"] is True
    page = rows["/gknb/202501/t_hongze.html"]
    assert page["title"].startswith("淮安市洪泽区人民政府2024年政府信息公开工作年度报告")
    assert page["published_on"] == "2025-01-20" and page["parent"] == site.base + "/gknb/index.html"
    assert rows["/gknb/202301/t2022.html"]["published_on"] == "2024-01-18"  # from <meta name="PubDate">
    # reports/ holds the report pages and attachments (by content), for ogi dataset / distribute
    names = {p.name for p in report_files(out)}
    assert f"{_sha(served)}.pdf" in names
    assert f"{_sha((CORPUS / 'docx/shuyang-fgj-2023.docx').read_bytes())}.docx" in names
    assert not any(n.startswith(rows["/gknb/index.html"]["sha256"]) for n in names)  # a column page is not a report


def test_gbk_page_is_stored_as_served_and_read_right(crawled):
    row = _rows(crawled, crawled["first"].run)["/gknb/202501/t_kewei.html"]
    body = (crawled["out"] / row["path"]).read_bytes()
    assert row["sha256"] == _sha(body) and "上海市科学技术委员会".encode("gbk") in body
    assert row["title"].startswith("上海市科学技术委员会2024年政府信息公开工作年度报告")
    assert row["published_on"] == "2025-01-22"


def test_redirect_404_timeout_and_robots(crawled):
    rows = _rows(crawled, crawled["first"].run)
    base, hits = crawled["site"].base, crawled["hits_before"]
    moved = rows["/gknb/202301/t2022.html"]
    assert moved["redirects"] == [base + "/gknb/old/t2022.html"] and moved["status"] == 200
    assert rows["/gknb/202101/t_missing.html"]["status"] == 404
    assert rows["/gknb/202501/t_huaian.html"]["status"] == 200 and hits["/gknb/202501/t_huaian.html"] == 2
    assert rows["/gknb/202501/P020250125_huaian.pdf"]["status"] == 200  # found on the page that came late
    forbidden = rows["/private/gknb/t2019.html"]
    assert forbidden["error"] == "robots" and forbidden["status"] is None
    assert not any(p.startswith("/private/") for p in hits)
    assert hits["/robots.txt"] == 1


def test_second_run_fetches_nothing_new(crawled):
    second = crawled["second"]
    assert second.finished and second.new == 0 and second.unchanged == 13 and second.duplicates == 0
    assert crawled["first"].unchanged == 0  # a first crawl has nothing unchanged
    bodies = [(p, s) for p, s in crawled["run2_log"] if s == 200 and p != "/robots.txt"]
    assert bodies == []  # every known URL answered 304
    assert {s for _, s in crawled["run2_log"]} <= {200, 301, 304, 404}
    rows = _rows(crawled, second.run)
    assert not any(r["changed"] for r in rows.values())
    assert rows["/gknb/202501/P020250120_hongze.pdf"]["status"] == 304
    assert rows["/gknb/202501/P020250120_hongze.pdf"]["sha256"] == _sha((CORPUS / "pdf/hongze-gov-2024.pdf").read_bytes())
    # the pages were read again from the store on 304, so the attachments were still asked for
    assert "/gknb/202501/P020250125_huaian.pdf" in rows


def test_warc_round_trip(crawled, tmp_path):
    out = crawled["out"]
    archive = tmp_path / "crawl.warc.gz"
    n = export_warc(out, archive)
    assert n == 16 - 2  # every response with a body (the robots.txt refusal has none), each once
    back = tmp_path / "back"
    assert import_warc([archive], back) == n

    def keyed(root: Path) -> set[tuple]:
        return {(r["url"], r["sha256"], r["status"], r["role"], r["agency"], r["parent"], r["title"], r["published_on"])
                for r in read_manifest(root) if r["status"] in (200, 404)}

    assert keyed(back) == keyed(out)
    assert {p.name for p in report_files(back)} == {p.name for p in report_files(out)}
    assert import_warc([archive], back) == 0  # brought in twice, stored once


def test_warc_of_another_tool_is_brought_in(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    base = "http://www.example.gov.cn/gknb"
    pdf = (CORPUS / "pdf/hongze-gov-2024.pdf").read_bytes()
    column = (f'<html><head><title>政府信息公开年报</title></head><body><a href="{base}/t1.html">'
              "洪泽区人民政府2024年政府信息公开工作年度报告</a></body></html>")
    report = ('<html><head><meta charset="utf-8"><title>洪泽区人民政府2024年政府信息公开工作年度报告</title></head>'
              f'<body><p>发布日期：2025年1月20日</p><a href="{base}/a.pdf">附件</a></body></html>')
    warc = tmp_path / "other.warc"
    with warc.open("wb") as fh:
        w = WARCWriter(fh, gzip=False)
        for url, body, ctype in ((f"{base}/index.html", column.encode(), "text/html"), (f"{base}/t1.html", report.encode(), "text/html"),
                                 (f"{base}/a.pdf", pdf, "application/pdf")):
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
    out = tmp_path / "in"
    assert import_warc([warc], out, {f"{base}/index.html": "淮安市洪泽区人民政府"}) == 3
    rows = {r["url"]: r for r in read_manifest(out)}
    assert rows[f"{base}/index.html"]["role"] == "column"
    assert rows[f"{base}/t1.html"]["role"] == "report" and rows[f"{base}/t1.html"]["published_on"] == "2025-01-20"
    assert rows[f"{base}/a.pdf"]["role"] == "attachment" and rows[f"{base}/a.pdf"]["parent"] == f"{base}/t1.html"
    assert {r["agency"] for r in rows.values()} == {"淮安市洪泽区人民政府"}
    assert f"{_sha(pdf)}.pdf" in {p.name for p in report_files(out)}


def _crawl_child() -> int | None:
    import psutil

    for child in psutil.Process().children(recursive=True):
        if "ogi.corpus.crawl" in " ".join(child.cmdline()):
            return child.pid
    return None


def test_stopped_crawl_resumes_without_fetching_twice(tmp_path):
    out = tmp_path / "c"
    slow = Options(delay=0.2, per_host=1, timeout=5, retries=1, backoff=0.1)
    with Site(CORPUS) as site:
        site.slow = {}
        seeds = [Seed(AGENCY, site.base + "/gknb/index.html")]
        result: dict = {}
        t = threading.Thread(target=lambda: result.update(first=collect(seeds, out, slow)))
        t.start()
        deadline = time.monotonic() + 30
        while sum(1 for _ in read_manifest(out)) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = _crawl_child()
        assert pid is not None
        os.kill(pid, signal.SIGINT)  # as Ctrl-C: Scrapy finishes what is under way and keeps its queue
        t.join(60)
        first = result["first"]
        assert not first.finished and (out / "job").is_dir()
        done_first = sum(1 for r in read_manifest(out) if r["status"] == 200)
        second = collect(seeds, out, FAST)
        assert second.finished and second.run == first.run and not (out / "job").exists()
        site.wait_idle()
    # The resumed queue's requests all reach robots.txt together: it holds for every one of them.
    assert not any(p.startswith("/private/") for p in site.hits)
    fetched = {p: n for p, n in site.hits.items() if p != "/robots.txt"}
    assert all(n == 1 for n in fetched.values()), fetched  # nothing asked for twice
    urls = [r["url"] for r in read_manifest(out) if r["status"] == 200]
    assert 0 < done_first < 13 and len(urls) == len(set(urls)) == 13, sorted(u.removeprefix(site.base) for u in urls)


def test_seed_lists(tmp_path):
    import openpyxl

    csv_file = tmp_path / "s.csv"
    csv_file.write_text("机关,网址\n甲县人民政府,http://a.gov.cn/gknb/\n乙局,https://b.gov.cn/x/index.html\n", encoding="utf-8")
    assert read_seeds(csv_file) == [Seed("甲县人民政府", "http://a.gov.cn/gknb/"), Seed("乙局", "https://b.gov.cn/x/index.html")]
    wb = openpyxl.Workbook()
    wb.active.append(["丙市商务局", "http://c.gov.cn/nb/"])  # no header row
    wb.save(tmp_path / "s.xlsx")
    assert read_seeds(tmp_path / "s.xlsx") == [Seed("丙市商务局", "http://c.gov.cn/nb/")]
    bad = tmp_path / "bad.csv"
    bad.write_text("机关,网址\n甲,http://a.gov.cn/\n乙,ftp://b/\n丙,\n", encoding="utf-8")
    with pytest.raises(CollectError) as e:
        read_seeds(bad)
    assert "第 3、4 行" in e.value.message_zh
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(CollectError):
        read_seeds(tmp_path / "empty.csv")
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(200))
    with pytest.raises(CollectError):
        read_seeds(tmp_path / "junk.xlsx")


def test_cli_bad_inputs_are_one_chinese_line(tmp_path):
    def ogi(*args: object) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ogi.cli", *map(str, args)], capture_output=True, text=True, timeout=60)

    (tmp_path / "s.csv").write_text("机关,网址\n甲,不是网址\n", encoding="utf-8")
    r = ogi("collect", tmp_path / "s.csv", "-o", tmp_path / "out")
    assert r.returncode == 2 and "第 2 行的网址不是 http(s) 地址" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "x.warc.gz").write_bytes(b"\x1f\x8b" + os.urandom(100))
    r = ogi("collect", "-o", tmp_path / "out2", "--from-warc", tmp_path / "x.warc.gz", "--json")
    assert r.returncode == 2 and "Traceback" not in r.stderr and json.loads(r.stdout)["error"]["code"]
    # Bytes that the reader takes for the older ARC format (a header line, no WARC record):
    # refused, not "0 responses imported".
    (tmp_path / "arc.warc").write_bytes(b"http://x.gov.cn/ 1.2.3.4 20200101000000 text/html 0\n\n")
    r = ogi("collect", "-o", tmp_path / "out3", "--from-warc", tmp_path / "arc.warc", "--json")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "bad_warc", (r.stdout, r.stderr)
    assert "不是 WARC 文件" in r.stderr


def test_page_reading():
    base = "http://x.gov.cn/gknb/index.html"
    page = read_page('<a href="a.html" title="某局2023年政府信息公开工作年度报告">某局2023年政府信息…</a>'
                     '<a href="/gknb/">政府信息公开年报</a><script>createPageHTML(3, 0, "index", "shtml");</script>',
                     base, column=base)
    assert [link.url for link in page.reports] == ["http://x.gov.cn/gknb/a.html"]
    assert page.next_pages[:2] == ["http://x.gov.cn/gknb/index_1.shtml", "http://x.gov.cn/gknb/index_2.shtml"]
    assert names_report("某县2024年度政府信息公开工作年度报告_某县人民政府网")
    assert not names_report("政府信息公开年报")  # the column's name in a menu, no year
    assert not names_report("关于2024年政务公开工作的通知")


def test_documents_a_report_page_shows_inside_itself_are_its_attachments():
    """A page that shows its report in a PDF viewer (an <iframe> of pdf.js naming the file
    in its query, an <embed>, an <object>) links to nothing: the report was not fetched."""
    base = "http://x.gov.cn/gknb/202401/t20240115_1.html"
    page = read_page('<h1>某局2023年政府信息公开工作年度报告</h1>'
                     '<iframe src="/module/pdfjs/web/viewer.html?file=%2Fuploads%2F2024%2Fnb2023.pdf" title="年报"></iframe>'
                     '<embed src="fj/P020240115.pdf" type="application/pdf">'
                     '<object data="/uploads/2024/tables.docx"></object>'
                     '<iframe src="/video/player.html?id=3"></iframe><embed src="flash/banner.swf">', base)
    assert [link.url for link in page.attachments] == [
        "http://x.gov.cn/uploads/2024/nb2023.pdf", "http://x.gov.cn/gknb/202401/fj/P020240115.pdf",
        "http://x.gov.cn/uploads/2024/tables.docx"]
    # On a column's page, a viewer is no report's attachment.
    assert not read_page('<iframe src="/pdfjs/viewer.html?file=/a.pdf"></iframe>', base, column=base).attachments


_AGENCY = st.text(alphabet="甲乙丙丁县市区局委办", min_size=2, max_size=8)


@settings(max_examples=60, deadline=None)
@given(reports=st.lists(st.tuples(_AGENCY, st.integers(2019, 2030)), max_size=6),
       chrome=st.lists(st.sampled_from(["首页", "政府信息公开年报", "政务动态", "网站说明.pdf", "关于印发2024年工作要点的通知"]),
                       max_size=5),
       noise=st.text(max_size=200))
@example(reports=[], chrome=[], noise="\x1f")  # a page with no text at all
def test_listing_links_are_told_apart(reports, chrome, noise):
    """Whatever the chrome and noise around them, the links naming a year's report are the
    reports, the pager's links the next pages, and nothing else is either."""
    from html import escape

    base = "http://x.gov.cn/gknb/index.html"
    links = [f'<a href="/gknb/t{i}.html">{a}{y}年政府信息公开工作年度报告</a>' for i, (a, y) in enumerate(reports)]
    links += [f'<a href="/menu/{i}.html">{c}</a>' for i, c in enumerate(chrome)]
    html = f"<html><body><p>{escape(noise)}</p>{''.join(links)}<a href=\"index_1.html\">下一页</a></body></html>"
    page = read_page(html, base, column=base)
    assert [link.url for link in page.reports] == [f"http://x.gov.cn/gknb/t{i}.html" for i in range(len(reports))]
    assert page.next_pages == ["http://x.gov.cn/gknb/index_1.html"]
    read_page(noise, base)  # any text at all: no exception


def test_dataset_joins_back_to_the_manifest(crawled, tmp_path):
    """The documented query (docs/dataset.md) over a dataset made from the collected
    report files: each report with the URL, agency and date of the page it came from."""
    import re

    from ogi.corpus.batch import iter_read
    from ogi.corpus.parquet import write_dataset
    from ogi.corpus.sql import run_query

    doc = (Path(__file__).resolve().parent.parent / "docs" / "dataset.md").read_text(encoding="utf-8")
    [query] = re.findall(r"```duckdb\n(.*?)```", doc, flags=re.S)
    files = [p for p in report_files(crawled["out"]) if p.suffix in (".docx", ".html")]
    write_dataset(iter_read(files, 1), tmp_path / "ds.parquet")
    columns, rows = run_query(tmp_path / "ds.parquet", query.replace("DIR/", f"{crawled['out']}/"),
                              also=[crawled["out"] / "manifest.jsonl"])
    got = {r[columns.index("url")].removeprefix(crawled["site"].base): r for r in rows}
    docx = got["/gknb/202501/P_shuyang.docx"]
    assert docx[columns.index("采集机关")] == AGENCY and docx[columns.index("年度")] == 2023
    kewei = got["/gknb/202501/t_kewei.html"]
    assert str(kewei[columns.index("发布日期")]) == "2025-01-22" and kewei[columns.index("报告机关")].startswith("上海市")


def _collect_alone(site: Site, tmp_path: Path, seeds: list[Seed], options: Options = FAST) -> tuple[dict[str, dict], object]:
    out = tmp_path / "alone"
    summary = collect(seeds, out, options)
    site.wait_idle()
    return _by_url(list(read_manifest(out)), site.base), summary


def test_attachment_linked_by_the_report_title_is_fetched(tmp_path):
    """附件：<a>…年度报告.pdf</a>: the link names the report, and is the report's file."""
    with Site(CORPUS) as site:
        rows, summary = _collect_alone(site, tmp_path, [Seed(AGENCY, site.base + "/hz/index.html")])
    assert summary.finished
    pdf = rows["/hz/hz.pdf"]
    served = (CORPUS / "pdf/hongze-gov-2024.pdf").read_bytes()
    assert pdf["role"] == "attachment" and pdf["status"] == 200 and pdf["sha256"] == _sha(served)
    assert pdf["parent"] == site.base + "/hz/r3.html" and pdf["link_text"].endswith("年度报告.pdf")
    assert f"{_sha(served)}.pdf" in {p.name for p in report_files(tmp_path / "alone")}


def test_a_seed_that_cannot_be_requested_fails_alone(tmp_path):
    from ogi.corpus.collect import summary_zh

    with Site(CORPUS) as site:
        bad = "http://127.0.0.1:99999/x"
        rows, summary = _collect_alone(site, tmp_path, [Seed("甲", bad), Seed(AGENCY, site.base + "/hz/index.html")])
    assert summary.finished and summary.errors == {"bad_url": 1}
    assert rows[bad]["error"] == "bad_url" and rows[bad]["agency"] == "甲" and rows[bad]["role"] == "column"
    assert rows["/hz/hz.pdf"]["status"] == 200  # the other seed was crawled
    assert "采集完成" in summary_zh(summary, tmp_path) and "网址无效 1 个" in summary_zh(summary, tmp_path)


def test_robots_txt_is_per_scheme(tmp_path):
    """An https seed whose robots.txt cannot be had says nothing about the http site on the
    same host and port: that one's robots.txt is asked for and obeyed."""
    with Site(CORPUS) as site:
        https = site.base.replace("http://", "https://")
        seeds = [Seed("甲", https + "/gknb/index.html"), Seed("乙", site.base + "/private/gknb/index.html")]
        rows, summary = _collect_alone(site, tmp_path, seeds, Options(delay=0, per_host=4, timeout=2, retries=0, backoff=0.1))
    assert summary.finished
    assert site.hits["/robots.txt"] == 1
    assert not any(p.startswith("/private/") for p in site.hits)
    assert rows["/private/gknb/index.html"]["error"] == "robots"


def test_max_pages_counts_the_column_pages_fetched(tmp_path):
    with Site(CORPUS) as site:
        rows, _ = _collect_alone(site, tmp_path, [Seed(AGENCY, site.base + "/many/index.html")],
                                 Options(delay=0, per_host=4, timeout=2, retries=0, backoff=0.1, max_pages=2))
    fetched = [u for u, r in rows.items() if r["role"] == "column" and r["status"] == 200]
    assert len(fetched) == 2 and "/many/index.html" in fetched, fetched
    assert not any(p.startswith("/many/index_") for p in site.hits if p not in fetched)


def test_download_over_the_size_cap_is_too_large(tmp_path):
    from ogi.corpus.collect import summary_zh

    with Site(CORPUS) as site:
        rows, summary = _collect_alone(site, tmp_path, [Seed(AGENCY, site.base + "/hz/index.html")],
                                       Options(delay=0, per_host=4, timeout=2, retries=0, backoff=0.1, max_bytes=20_000))
    assert rows["/hz/hz.pdf"]["error"] == "too_large" and rows["/hz/hz.pdf"]["status"] is None
    assert summary.errors == {"too_large": 1}
    assert "未取得：文件超过大小上限 1 个" in summary_zh(summary, tmp_path)


def test_seed_urls_are_checked_with_their_line_in_the_file(tmp_path):
    seeds = tmp_path / "s.csv"
    seeds.write_text("机关,网址\n\n甲,http://a.gov.cn/gknb/\n\n乙,http://127.0.0.1:99999/x\n丙,http://[::1/x\n"
                     "丁,http:///gknb/\n戊,http://a.gov.cn/" + "a" * 100_000 + "\n己,http://a.gov.cn/" + "b" * 2100 + "\n"
                     '庚,"http://c.gov.cn/\n"\n辛,ftp://d.gov.cn/\n', encoding="utf-8")
    with pytest.raises(CollectError) as e:
        read_seeds(seeds)
    message = e.value.message_zh
    assert "第 5 行的网址端口无效" in message
    assert "第 6 行的网址格式无效" in message
    assert "第 7 行的网址缺少主机名" in message
    assert "第 8、9 行的网址超过 2048 个字符" in message
    assert "第 12 行的网址不是 http(s) 地址" in message  # the quoted field over two lines counts them both
    assert e.value.code == "bad_seeds" and "line(s) [5]" in e.value.message_en
    headless = tmp_path / "h.csv"
    headless.write_text("甲,http://a.gov.cn/\n\n\n乙,http://[::1/x\n", encoding="utf-8")
    with pytest.raises(CollectError) as e:
        read_seeds(headless)
    assert "第 4 行的网址格式无效" in e.value.message_zh
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet["A3"], sheet["B3"], sheet["A4"], sheet["B4"] = "机关", "网址", "甲", "http://a.gov.cn/"
    sheet["A6"], sheet["B6"] = "乙", "http://a.gov.cn:70000/"
    wb.save(tmp_path / "s.xlsx")
    with pytest.raises(CollectError) as e:
        read_seeds(tmp_path / "s.xlsx")
    assert "第 6 行的网址端口无效" in e.value.message_zh  # the sheet's row number


def _ogi(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ogi.cli", *map(str, args)], capture_output=True, text=True, timeout=60)


def test_cli_hostile_seed_lists_are_refused_plainly(tmp_path):
    huge = tmp_path / "huge.csv"
    huge.write_text("机关,网址\n甲," + "x" * 140_000 + "\n", encoding="utf-8")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(bytes(range(256)) * 8)
    word = tmp_path / "seeds.docx"
    word.write_bytes((CORPUS / "docx/shuyang-fgj-2023.docx").read_bytes())
    expected = {huge: "第 2 行有超过", junk: "不是有效的 Excel 工作簿", word: "是 Word 文档"}
    for path, words in expected.items():
        r = _ogi("collect", path, "-o", tmp_path / "out", "--json")
        assert r.returncode == 2, (path, r.stderr)
        assert words in r.stderr and "内部错误" not in r.stderr and "OSError" not in r.stderr, r.stderr
        error = json.loads(r.stdout)["error"]
        assert error["code"] == "bad_seeds" and words in error["message_zh"] and error["message_en"]
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "s.csv").write_text("机关,网址\n甲,http://a.gov.cn/\n", encoding="utf-8")
    r = _ogi("collect", tmp_path / "s.csv", "-o", tmp_path / "file", "--json")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "not_a_directory" and "不是目录" in r.stderr
    r = _ogi("collect", "-o", tmp_path / "out", "--json")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "no_input" and "请给出种子列表" in r.stderr


def test_cli_refuses_nan_and_lists_collect(tmp_path):
    (tmp_path / "s.csv").write_text("机关,网址\n甲,http://127.0.0.1:9/\n", encoding="utf-8")
    for option in ("--timeout", "--delay"):
        for value in ("nan", "inf"):
            r = _ogi("collect", tmp_path / "s.csv", "-o", tmp_path / "out", option, value)
            assert r.returncode == 2 and "用法错误" in r.stderr and "有限" in r.stderr, (option, value, r.stderr)
    for agent in ("", "  ", "ogi\r\nX-Injected: 1"):  # empty sent the default unsaid
        r = _ogi("collect", tmp_path / "s.csv", "-o", tmp_path / "out", "--user-agent", agent)
        assert r.returncode == 2 and "不能为空" in r.stderr, (agent, r.stderr)
    assert not (tmp_path / "out").exists()
    r = _ogi("--help")
    [line] = [x for x in r.stdout.splitlines() if x.strip().startswith("collect ")]
    assert "..." not in line and "采集" in line, line
    r = _ogi("collect", "--help")
    assert "栏目页数" in r.stdout


def test_download_script_typed_by_content_disposition_and_stored_once(tmp_path):
    """download.jsp?id=3 sent as application/octet-stream with Content-Disposition's file name
    (filename=, and RFC 5987 filename*=UTF-8''…) is of that type; a body two URLs serve is one
    object and one file of reports/, whatever extension each URL's response gave it."""
    with Site(CORPUS) as site:
        rows, summary = _collect_alone(site, tmp_path, [Seed(AGENCY, site.base + "/dl/index.html")])
    assert summary.finished
    docx = (CORPUS / "docx/shuyang-fgj-2023.docx").read_bytes()
    script, direct = rows["/dl/download.jsp?id=3"], rows["/dl/P_fgj.docx"]
    assert script["status"] == direct["status"] == 200
    assert script["file_type"] == direct["file_type"] == "docx"
    assert script["sha256"] == direct["sha256"] == _sha(docx) and script["path"] == direct["path"]
    assert rows["/dl/download.jsp?id=4"]["file_type"] == "pdf"
    out = tmp_path / "alone"
    names = sorted(p.name for p in report_files(out))
    stems = [n.split(".")[0] for n in names]
    assert len(stems) == len(set(stems)), names
    assert f"{_sha(docx)}.docx" in names
    assert f"{_sha((CORPUS / 'pdf/hongze-gov-2024.pdf').read_bytes())}.pdf" in names
    assert list((out / "objects").rglob(f"{_sha(docx)}.*")) == [out / direct["path"]]


def test_reports_hold_each_body_once_whatever_its_extension(tmp_path):
    from ogi.corpus.store import Row, Store

    store = Store(tmp_path)
    body = b"%PDF-1.4 same bytes"
    store.record(Row(url="http://x/download.jsp?id=3", role="attachment", status=200, file_type="bin"), body)
    store.record(Row(url="http://x/a.pdf", role="attachment", status=200, file_type="pdf"), body)
    assert [p.name for p in report_files(tmp_path)] == [f"{_sha(body)}.bin"]
    assert len(list((tmp_path / "objects").rglob("*.*"))) == 1


def test_file_linked_from_the_listing_has_the_date_beside_its_link(tmp_path):
    """A listing's file (no page of its own) is dated by the listing, not by the column page."""
    with Site(CORPUS) as site:
        rows, _ = _collect_alone(site, tmp_path, [Seed(AGENCY, site.base + "/dl/index.html")])
    assert rows["/dl/index.html"]["published_on"] == "2025-03-01"
    assert rows["/dl/P_fgj.docx"]["role"] == "attachment" and rows["/dl/P_fgj.docx"]["published_on"] == "2024-01-15"
    assert rows["/dl/download.jsp?id=4"]["published_on"] == "2025-01-20"
    assert rows["/dl/download.jsp?id=4"]["title"] == "洪泽区2024年政府信息公开工作年度报告"


def test_listing_dates_beside_links():
    base = "http://x.gov.cn/gknb/index.html"
    page = read_page('<ul><li><a href="a.pdf">某局2023年政府信息公开工作年度报告.pdf</a><span>2024-01-15</span></li>'
                     '<li><a href="b.html">某局2022年政府信息公开工作年度报告</a></li></ul>'
                     '<table><tr><td><a href="c.doc">某局2021年政府信息公开工作年度报告</a></td><td>2022年3月1日</td></tr></table>',
                     base, column=base)
    assert [(link.url.rsplit("/", 1)[-1], link.date and link.date.isoformat()) for link in page.reports] == [
        ("a.pdf", "2024-01-15"), ("b.html", None), ("c.doc", "2022-03-01")]


def test_redirect_loop_leaves_a_row(tmp_path):
    with Site(CORPUS) as site:
        rows, summary = _collect_alone(site, tmp_path, [Seed(AGENCY, site.base + "/loop/index.html")])
    assert summary.finished and summary.errors == {"redirect_loop": 2}
    itself = rows["/loop/self.html"]
    assert itself["error"] == "redirect_loop" and itself["status"] is None and itself["role"] == "report"
    assert itself["redirects"] == [site.base + "/loop/self.html"] and itself["agency"] == AGENCY
    assert rows["/loop/a.html"]["error"] == "redirect_loop"
    assert rows["/loop/a.html"]["redirects"] == [site.base + "/loop/a.html", site.base + "/loop/b.html"]
    from ogi.corpus.collect import summary_zh

    assert "重定向循环 2 个" in summary_zh(summary, tmp_path)


def _wide_workbook(path: Path, rows: int) -> None:
    """A seed list with one cell in column XFD on every row: each row of the sheet is 16 384 wide."""
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    for n in range(1, rows + 1):
        sheet[f"A{n}"], sheet[f"B{n}"], sheet[f"XFD{n}"] = f"机关{n}", f"http://a{n}.gov.cn/gknb/", 1
    wb.save(path)


def test_wide_workbook_reads_only_the_seed_columns(tmp_path):
    import tracemalloc

    path = tmp_path / "wide.xlsx"
    _wide_workbook(path, 3000)
    tracemalloc.start()
    started = time.monotonic()
    seeds = read_seeds(path)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(seeds) == 3000 and seeds[0] == Seed("机关1", "http://a1.gov.cn/gknb/")
    assert peak < 100 * 1024 * 1024 and elapsed < 20, (peak, elapsed)  # padded to XFD: ~400 MB


def test_seed_list_over_the_bound_is_refused(tmp_path, monkeypatch):
    import ogi.corpus.collect as collect_module

    monkeypatch.setattr(collect_module, "MAX_SEEDS", 5)
    many = tmp_path / "many.csv"
    many.write_text("机关,网址\n" + "".join(f"甲{i},http://a{i}.gov.cn/\n\n" for i in range(6)), encoding="utf-8")
    with pytest.raises(CollectError) as e:
        read_seeds(many)
    assert "超过 5 行" in e.value.message_zh and str(many) in e.value.message_zh
    few = tmp_path / "few.csv"  # empty lines do not count
    few.write_text("机关,网址\n" + "".join(f"甲{i},http://a{i}.gov.cn/\n\n\n" for i in range(5)), encoding="utf-8")
    assert len(read_seeds(few)) == 5


def test_cli_names_the_warc_path_at_fault_in_chinese(tmp_path):
    folder = tmp_path / "warcs"
    folder.mkdir()
    r = _ogi("collect", "-o", tmp_path / "c0", "--from-warc", folder, "--json")
    assert r.returncode == 2 and f"{folder} 是目录，不是 WARC 文件" in r.stderr and "不存在" not in r.stderr, r.stderr
    assert json.loads(r.stdout)["error"]["code"] == "bad_warc"
    collection = tmp_path / "c1"
    Store(collection)
    (collection / "manifest.jsonl").write_text("", encoding="utf-8")
    for target, words in ((Path("/nonexistent/x.warc.gz"), "所在目录 /nonexistent 不存在"), (folder, "是目录")):
        r = _ogi("collect", "-o", collection, "--warc", target, "--json")
        assert r.returncode == 2, r.stderr
        assert f"无法写入 WARC 文件 {target}：{words}" in r.stderr, r.stderr
        assert "No such file" not in r.stderr and "Is a directory" not in r.stderr and str(collection) not in r.stderr
        error = json.loads(r.stdout)["error"]
        assert error["code"] == "cannot_write_warc" and str(target) in error["message_en"]
    (tmp_path / "s.csv").write_text("机关,网址\n甲,http://127.0.0.1:9/\n", encoding="utf-8")
    r = _ogi("collect", tmp_path / "s.csv", "-o", tmp_path / "c2", "--warc", folder)
    assert r.returncode == 2 and "是目录" in r.stderr and not (tmp_path / "c2").exists()  # refused before crawling


def _crawl_children(parent: int) -> list[int]:
    import psutil

    try:
        return [c.pid for c in psutil.Process(parent).children(recursive=True) if "ogi.corpus.crawl" in " ".join(c.cmdline())]
    except psutil.NoSuchProcess:
        return []


def _gone(pid: int, timeout: float) -> bool:
    import psutil

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def _start_slow_run(site: Site, tmp_path: Path, out: Path, delay: float = 0.5) -> tuple[subprocess.Popen, int]:
    seeds = tmp_path / "s.csv"
    seeds.write_text(f"机关,网址\n{AGENCY},{site.base}/gknb/index.html\n", encoding="utf-8")
    parent = subprocess.Popen([sys.executable, "-m", "ogi.cli", "collect", str(seeds), "-o", str(out), "--delay", str(delay),
                               "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while sum(1 for _ in read_manifest(out)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    [child] = _crawl_children(parent.pid)
    return parent, child


def test_sigterm_stops_the_crawl_and_a_folder_in_use_is_refused(tmp_path):
    """kill -TERM (timeout, cron, systemd) stops the crawl process too, resumably, exit 143;
    while a run uses the folder, another is refused at once."""
    out = tmp_path / "c1"
    with Site(CORPUS) as site:
        site.slow = {}
        parent, child = _start_slow_run(site, tmp_path, out)
        started = time.monotonic()
        second = _ogi("collect", tmp_path / "s.csv", "-o", out, "--json")
        assert second.returncode == 2 and time.monotonic() - started < 30, second.stderr
        assert f"采集目录 {out} 正由另一次 ogi collect 使用" in second.stderr
        assert json.loads(second.stdout)["error"]["code"] == "busy"
        os.kill(parent.pid, signal.SIGTERM)
        stdout, stderr = parent.communicate(timeout=60)
        assert parent.returncode == 143, stderr
        assert "采集已中止" in stderr and json.loads(stdout)["crawl"]["stopped_by"] == "SIGTERM"
        assert _gone(child, 10)  # the requests already queued for the host are still fetched, at the pace
        rows = sum(1 for _ in read_manifest(out))
        time.sleep(1.5)
        assert sum(1 for _ in read_manifest(out)) == rows  # nothing appended after the run ended
        assert (out / "job").is_dir()
        again = _ogi("collect", tmp_path / "s.csv", "-o", out, "--delay", "0", "--json")
        assert again.returncode == 0, again.stderr
        crawl = json.loads(again.stdout)["crawl"]
        assert crawl["finished"] and crawl["run"] == json.loads(stdout)["crawl"]["run"]  # resumed
        site.wait_idle()
    assert all(n == 1 for p, n in site.hits.items() if p != "/robots.txt"), dict(site.hits)


def test_a_closed_terminal_stops_the_crawl_too(tmp_path):
    """SIGHUP (an SSH session or terminal closed) reaches the parent only, the crawl being in
    a session of its own: it is passed on, and the run stops resumably, exit 129."""
    out = tmp_path / "c1"
    with Site(CORPUS) as site:
        site.slow = {}
        parent, child = _start_slow_run(site, tmp_path, out)
        os.kill(parent.pid, signal.SIGHUP)
        stdout, stderr = parent.communicate(timeout=60)
        assert parent.returncode == 129, stderr
        assert json.loads(stdout)["crawl"]["stopped_by"] == "SIGHUP"
        assert _gone(child, 10)  # the requests already queued for the host are still fetched, at the pace
        assert (out / "job").is_dir()


def test_a_killed_run_leaves_no_crawl_and_no_lock_behind(tmp_path):
    """SIGKILL cannot be passed on: the crawl notices its parent is gone and stops; the folder's
    lock goes with the last of them."""
    out = tmp_path / "c1"
    with Site(CORPUS) as site:
        site.slow = {}
        parent, child = _start_slow_run(site, tmp_path, out, delay=1.0)
        parent.kill()
        parent.communicate(timeout=30)
        # Noticing takes 0.5 s; the requests already queued for the host are then still fetched
        # at 0.5–1.5 s each (6–7 s measured under load). The whole crawl would take 13 s and more.
        assert _gone(child, 20)
        assert sum(1 for r in read_manifest(out) if r["status"] == 200) < 13
        again = _ogi("collect", tmp_path / "s.csv", "-o", out, "--delay", "0", "--json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["crawl"]["finished"]
        site.wait_idle()


def test_a_body_stored_from_another_address_is_a_duplicate_not_unchanged(tmp_path):
    """A first crawl said 13 pages were 未变化: one report page linked twice, and pages served
    under two addresses, are the same content reached again, not a page unchanged since."""
    import json

    from ogi.corpus.collect import summarize, summary_zh
    from ogi.corpus.store import MANIFEST

    rows = [{"run": "1", "url": "http://a/r1", "sha256": "x", "status": 200, "changed": True, "role": "report"},
            {"run": "2", "url": "http://a/r1", "sha256": "x", "status": 200, "changed": False},  # again, same address
            {"run": "2", "url": "http://a/r1?from=list", "sha256": "x", "status": 200, "changed": False},
            {"run": "2", "url": "http://a/r2", "sha256": "y", "status": 304, "changed": False}]
    (tmp_path / MANIFEST).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    s = summarize(tmp_path, "2", True)
    assert (s.new, s.unchanged, s.duplicates) == (0, 2, 1)
    assert "与其他网址内容相同 1 个" in summary_zh(s, tmp_path)


@pytest.mark.parametrize(("url", "content_type", "kind"), [
    ("http://x/gk/2023年报.rtf", None, "rtf"), ("http://x/a.odt", None, "odt"), ("http://x/nb.mht", None, "mht"),
    ("http://x/download.jsp?id=9", "text/rtf", "rtf"), ("http://x/download.jsp?id=9", "multipart/related", "mht"),
    ("http://x/download.jsp?id=9", "application/vnd.oasis.opendocument.text", "odt"),
])
def test_the_other_containers_a_report_is_published_in_are_attachments(url, content_type, kind):
    """RTF, OpenDocument text and a page saved as one file are read, so they are fetched."""
    from ogi.corpus.pages import file_type, is_document

    assert file_type(url, content_type) == kind
    assert content_type is not None or is_document(url)
