"""A government site in miniature, served on 127.0.0.1 for the collector's tests: a
政府信息公开年报 column of three pages in site chrome, report pages (one is the real page of
the development corpus, one GBK-encoded), PDF, DOCX and image attachments, a moved page
(301), a missing one (404), one that answers too late the first time, and a robots.txt
that forbids one folder. ETag and Last-Modified are sent and honoured (304).

Two more columns, each its own seed: /hz/, whose report page links its PDF by the
report's own title (附件：…年度报告.pdf), and /many/, whose first page links its nine
next pages at once. /dl/ lists files served by a download script (download.jsp?id=…) as
application/octet-stream, named only by Content-Disposition, beside the date of each
item, under a date of the column page's own. /loop/ links two reports that redirect back to
themselves, directly or through a second URL."""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections import defaultdict
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROME_TOP = """<div class="header"><a href="/index.html">首页</a> <a href="/xxgk/index.html">政府信息公开</a>
<a href="/gknb/index.html">政府信息公开年报</a> <a href="/zwdt/index.html">政务动态</a>
<a href="/about/notice.pdf">网站说明.pdf</a></div>
<div class="crumb">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>"""
CHROME_BOTTOM = """<div class="footer"><a href="/about.html">关于我们</a> 主办：某某县人民政府办公室
<img src="/images/logo.png" alt="logo"></div>"""


def _page(title: str, body: str, charset: str = "utf-8") -> str:
    return (f'<!doctype html><html><head><meta charset="{charset}"><title>{title}_某某县人民政府</title></head>'
            f"<body>{CHROME_TOP}{body}{CHROME_BOTTOM}</body></html>")


def _listing(items: list[tuple[str, str]], n: int, last: int) -> str:
    rows = "".join(f'<li><a href="{href}" title="{text}">{text[:18]}…</a><span>2024-01-1{i}</span></li>'
                   for i, (href, text) in enumerate(items))
    pager = " ".join(f'<a href="{"index" if k == 0 else f"index_{k}"}.html">{k + 1}</a>' for k in range(last + 1))
    nxt = f'<a href="index_{n + 1}.html">下一页</a>' if n < last else ""
    notice = '<li><a href="/gknb/202401/t_notice.html">关于做好2024年政务公开工作的通知</a></li>'
    return _page("政府信息公开年报", f'<ul class="list">{rows}{notice}</ul><div class="pager">{pager} {nxt}</div>')


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


class Site:
    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        self.files: dict[str, tuple[bytes, str]] = {}
        self.extra: dict[str, dict[str, str]] = {}  # more headers of a file (Content-Disposition)
        self.redirects = {"/gknb/old/t2022.html": "/gknb/202301/t2022.html", "/loop/self.html": "/loop/self.html",
                          "/loop/a.html": "/loop/b.html", "/loop/b.html": "/loop/a.html"}
        self.slow = {"/gknb/202501/t_huaian.html": 2.5}  # seconds, on the first request only
        self.log: list[tuple[str, int]] = []
        self.hits: dict[str, int] = defaultdict(int)
        self.inflight = 0
        self._lock = threading.Lock()
        self._build()

    def add(self, path: str, body: bytes | str, ctype: str, headers: dict[str, str] | None = None) -> None:
        """`path` may carry a query (download.jsp?id=3): then only that query serves the body."""
        self.files[path] = (body.encode("utf-8") if isinstance(body, str) else body, ctype)
        if headers:
            self.extra[path] = headers

    def _build(self) -> None:
        c = self.corpus
        html = "text/html; charset=utf-8"
        self.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
        self.add("/images/logo.png", _png(), "image/png")
        self.add("/about/notice.pdf", (c / "pdf/hongze-gov-2023.pdf").read_bytes(), "application/pdf")
        pages = [
            [("/gknb/202401/t_fgj.html", "沭阳县发展和改革局2023年政府信息公开年度报告"),
             ("/gknb/202501/t_hongze.html", "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"),
             ("/gknb/202501/P_shuyang.docx", "沭阳县发展和改革局2023年度政府信息公开工作年度报告.docx")],
            [("/gknb/202501/t_kewei.html", "上海市科学技术委员会2024年政府信息公开工作年度报告"),
             ("/gknb/old/t2022.html", "淮安市洪泽区人民政府2023年政府信息公开工作年度报告"),
             ("/gknb/202101/t_missing.html", "某某县人民政府2020年政府信息公开工作年度报告")],
            [("/gknb/202501/t_huaian.html", "淮安市人民政府2024年政府信息公开工作年度报告"),
             ("/private/gknb/t2019.html", "某某县人民政府2019年政府信息公开工作年度报告")],
        ]
        for n, items in enumerate(pages):
            self.add("/gknb/index.html" if n == 0 else f"/gknb/index_{n}.html", _listing(items, n, len(pages) - 1), html)
        self.add("/gknb/202401/t_notice.html", _page("关于做好2024年政务公开工作的通知", "<p>通知正文</p>"), html)
        # The corpus's real crawled page: its own site chrome around the report.
        self.add("/gknb/202401/t_fgj.html", (c / "html/shuyang-fgj-2023.html").read_bytes(), html)
        self.add("/gknb/202501/t_hongze.html", _page(
            "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
            '<div class="info">发布机构：淮安市洪泽区人民政府 发布日期：2025-01-20</div>'
            "<h1>淮安市洪泽区人民政府2024年政府信息公开工作年度报告</h1><p>全文见附件。</p>"
            '<p>附件：<a href="P020250120_hongze.pdf">洪泽区2024年度报告.pdf</a></p>'
            '<p><img src="W020250120_scan.png" alt="报告扫描件"></p>'), html)
        self.add("/gknb/202501/P020250120_hongze.pdf", (c / "pdf/hongze-gov-2024.pdf").read_bytes(), "application/pdf")
        self.add("/gknb/202501/W020250120_scan.png", _png() + b"\0scan", "image/png")
        self.add("/gknb/202501/P_shuyang.docx", (c / "docx/shuyang-fgj-2023.docx").read_bytes(),
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        kewei = (c / "text/shanghai-kewei-2024.md").read_text(encoding="utf-8")
        body = "".join(f"<p>{line}</p>" for line in kewei.splitlines() if line.strip())
        gbk = _page("上海市科学技术委员会2024年政府信息公开工作年度报告",
                    f'<div>发布日期：<span>2025年1月22日</span></div>{body}', charset="gbk")
        self.add("/gknb/202501/t_kewei.html", gbk.encode("gbk", errors="xmlcharrefreplace"), "text/html; charset=gbk")
        self.add("/gknb/202301/t2022.html", _page(
            "淮安市洪泽区人民政府2023年政府信息公开工作年度报告",
            '<meta name="PubDate" content="2024-01-18 09:30">'
            '<p>附件：<a href="/gknb/202301/P020240118_hongze.pdf">下载</a></p>'), html)
        self.add("/gknb/202301/P020240118_hongze.pdf", (c / "pdf/hongze-gov-2023.pdf").read_bytes(), "application/pdf")
        self.add("/gknb/202501/t_huaian.html", _page(
            "淮安市人民政府2024年政府信息公开工作年度报告",
            '<p>发布时间：2025-01-25</p><p><a href="P020250125_huaian.pdf">淮安市人民政府2024年报告.pdf</a></p>'), html)
        self.add("/gknb/202501/P020250125_huaian.pdf", (c / "pdf/huaian-gov-2024.pdf").read_bytes(), "application/pdf")
        self.add("/private/gknb/t2019.html", _page("某某县人民政府2019年政府信息公开工作年度报告", "<p>不应被抓取</p>"), html)
        hongze = "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
        self.add("/hz/index.html", _page("政府信息公开年报", f'<ul class="list"><li><a href="r3.html">{hongze}</a></li></ul>'), html)
        self.add("/hz/r3.html", _page(hongze, f'<h1>{hongze}</h1><p>附件：<a href="hz.pdf">{hongze}.pdf</a></p>'), html)
        self.add("/hz/hz.pdf", (c / "pdf/hongze-gov-2024.pdf").read_bytes(), "application/pdf")
        # /loop/: report links that redirect to themselves, directly or through another URL.
        self.add("/loop/index.html", _page("政府信息公开年报", '<ul class="list">'
                 '<li><a href="self.html">某某县人民政府2024年政府信息公开工作年度报告</a></li>'
                 '<li><a href="a.html">某某县人民政府2023年政府信息公开工作年度报告</a></li></ul>'), html)
        # /dl/: a download script sent as application/octet-stream, its type only in Content-Disposition,
        # one of its bodies the same as a .docx the column links too.
        docx = (c / "docx/shuyang-fgj-2023.docx").read_bytes()
        fgj = "沭阳县发展和改革局2023年政府信息公开工作年度报告"
        self.add("/dl/index.html", _page("政府信息公开年报", '<p>发布日期：2025-03-01</p><ul class="list">'
                 f'<li><a href="download.jsp?id=3">{fgj}</a><span>2024-01-15</span></li>'
                 f'<li><a href="P_fgj.docx">{fgj}.docx</a><span>2024-01-15</span></li>'
                 '<li><a href="download.jsp?id=4">洪泽区2024年政府信息公开工作年度报告</a><span>2025-01-20</span></li>'
                 "</ul>"), html)
        self.add("/dl/download.jsp?id=3", docx, "application/octet-stream",
                 {"Content-Disposition": "attachment; filename=report.docx"})
        self.add("/dl/P_fgj.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        self.add("/dl/download.jsp?id=4", (c / "pdf/hongze-gov-2024.pdf").read_bytes(), "application/octet-stream",
                 {"Content-Disposition": "attachment; filename=\"nb.bin\"; filename*=UTF-8''%E6%B4%AA%E6%B3%BD%E5%B9%B4%E6%8A%A5.pdf"})
        for n in range(10):
            pager = " ".join(f'<a href="{"index" if k == 0 else f"index_{k}"}.html">{k + 1}</a>' for k in range(10))
            self.add("/many/index.html" if n == 0 else f"/many/index_{n}.html",
                     _page("政府信息公开年报", f'<p>第 {n + 1} 页</p><div class="pager">{pager}</div>'), html)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
                with site._lock:
                    site.log.append((self.path, status))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                with site._lock:
                    site.inflight += 1
                try:
                    self._get()
                finally:
                    with site._lock:
                        site.inflight -= 1

            def _get(self) -> None:
                path = self.path if self.path in site.files else self.path.split("?")[0]
                with site._lock:
                    site.hits[path] += 1
                    first = site.hits[path] == 1
                if path in site.slow and first:
                    time.sleep(site.slow[path])
                if path in site.redirects:
                    self._send(301, {"Location": site.redirects[path]})
                    return
                if path not in site.files:
                    self._send(404, {"Content-Type": "text/html; charset=utf-8"}, "<h1>404 页面不存在</h1>".encode())
                    return
                body, ctype = site.files[path]
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                modified = formatdate(1_700_000_000, usegmt=True)
                if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == modified:
                    self._send(304, {"ETag": etag, "Last-Modified": modified})
                    return
                self._send(200, {"Content-Type": ctype, "ETag": etag, "Last-Modified": modified, **site.extra.get(path, {})},
                           body)

        return Handler

    def __enter__(self) -> Site:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.server.daemon_threads = True
        self.server.handle_error = lambda *a: None  # a client that gave up waiting (the timeout case)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until every request has been answered (a request the client gave up on still
        finishes here later)."""
        end = time.monotonic() + timeout
        while self.inflight and time.monotonic() < end:
            time.sleep(0.05)

    def statuses(self, since: int = 0) -> list[tuple[str, int]]:
        with self._lock:
            return list(self.log[since:])
