"""The crawl itself, on Scrapy: one spider that walks each seed's 政府信息公开年报 column
(its pages one after another), the report pages the column lists and their attachments,
and stores every response in the collector's folder (ogi.corpus.store).

Politeness is Scrapy's: robots.txt obeyed, a delay and a concurrency per host (with
AutoThrottle slowing down for a slow server), retries of timeouts and 5xx — spaced out
here with an exponential backoff. A URL fetched before is asked for conditionally
(If-None-Match / If-Modified-Since), so a re-run downloads only what changed; Scrapy's job
directory keeps an unfinished crawl's queue, so a stopped run resumes.

Run as its own process (`python -m ogi.corpus.crawl CONFIG.json`, started by
ogi.corpus.collect): Twisted's reactor cannot be started twice in one process, and the
CLI, the tests and a long-running server all want to crawl more than once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from .pages import Page, disposition_filename, file_type, is_document, read_page
from .store import Row, Store, latest

_ERRORS = {"TimeoutError": "timeout", "DownloadTimeoutError": "timeout", "DNSLookupError": "dns",
           "ConnectionRefusedError": "refused", "DownloadConnectionRefusedError": "refused",
           "ConnectionLost": "connection_lost", "ResponseFailed": "connection_lost", "DownloadFailedError": "failed",
           # DOWNLOAD_MAXSIZE: a body over the cap is cancelled mid-download.
           "DownloadCancelledError": "cancelled"}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


class ReportSpider(scrapy.Spider):
    name = "ogi-collect"

    def __init__(self, out: str, seeds: list[dict[str, str]], run: str, max_pages: int = 50, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.store = Store(out)
        self.seeds = seeds
        self.run = run
        self.max_pages = max_pages
        self.known = latest(out)  # URL → its last stored response, for conditional requests

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ReportSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.dropped, signal=signals.request_dropped)
        return spider

    def dropped(self, request: scrapy.Request, spider: Any = None) -> None:
        """A redirect back to a URL of its own chain is dropped by the duplicate filter, with no
        errback: without this it would leave no row at all."""
        chain = request.meta.get("redirect_urls") or []
        if request.url in chain:
            self.store.record(self._row(request, request.url, error="redirect_loop"))

    def _column_pages(self, column: str) -> set[str]:
        """The pages of a column asked for so far. Kept in the spider's state, which Scrapy
        saves in the job directory, so a resumed crawl goes on counting."""
        state = getattr(self, "state", None)
        if state is None:
            state = self.state = {}
        return state.setdefault("column_pages", {}).setdefault(column, set())

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for seed in self.seeds:
            try:
                request = self._request(seed["url"], "column", seed.get("agency"), column=seed["url"], page_no=1)
            except ValueError:  # a URL Scrapy refuses (its port, its host): that seed fails, not the crawl
                self.store.record(Row(url=seed["url"], agency=seed.get("agency"), role="column", fetched_at=_now(),
                                      error="bad_url", run=self.run))
                continue
            self._column_pages(seed["url"]).add(seed["url"])
            yield request

    def _request(self, url: str, role: str, agency: str | None, parent: str | None = None, link_text: str | None = None,
                 column: str | None = None, page_no: int = 0, published_on: str | None = None,
                 chrome: list[str] | None = None) -> scrapy.Request:
        meta = {"role": role, "agency": agency, "parent": parent, "link_text": link_text, "column": column,
                "page_no": page_no, "published_on": published_on, "chrome": chrome or []}
        return scrapy.Request(url, callback=self.parse, errback=self.failed, meta=meta,
                              priority={"column": 0, "report": 1, "attachment": 2}[role])

    def _row(self, request: scrapy.Request, url: str, **kw: Any) -> Row:
        m = request.meta
        return Row(url=url, agency=m.get("agency"), role=m["role"], parent=m.get("parent"), link_text=m.get("link_text"),
                   fetched_at=_now(), redirects=list(m.get("redirect_urls", [])), run=self.run, **kw)

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        m = response.meta
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        row = self._row(response.request, response.url, status=response.status, headers=_headers(response))
        body: bytes | None = response.body
        if response.status == 304:
            before = self.known.get(response.url)
            body = self.store.get(before) if before else None
            if before is None or body is None:  # a 304 we cannot use: ask again without validators
                retry = response.request.replace(dont_filter=True)
                retry.meta["ogi_unconditional"] = True
                yield retry
                return
            row.headers = {**before.get("headers", {}), **row.headers}
            ctype = row.headers.get("Content-Type", ctype)
            row.sha256, row.size, row.path = before["sha256"], before["size"], before["path"]
            row.file_type = before.get("file_type")
            body_for_store = None
        else:
            disposition = response.headers.get("Content-Disposition", b"").decode("latin-1") or None
            row.file_type = file_type(response.url, ctype, disposition_filename(disposition)) or "bin"
            body_for_store = body
        page: Page | None = None
        if response.status in (200, 304) and row.file_type == "html" and m["role"] in ("column", "report"):
            try:
                text = HtmlResponse(response.url, body=body or b"", headers={"Content-Type": ctype or "text/html"}).text
                page = read_page(text, response.url, column=m.get("column") if m["role"] == "column" else None,
                                 chrome=frozenset(m.get("chrome") or ()))
            except Exception:  # a page no parser makes sense of is still recorded, just not followed
                self.logger.exception("page not readable: %s", response.url)
                page = None
            if page is not None:
                row.title = page.title
                row.published_on = page.published_on.isoformat() if page.published_on else None
        elif m["role"] == "attachment" or (m["role"] == "report" and row.file_type != "html"):
            # A report link that answers with a file (download.jsp?id=3) is that report's file.
            row.title = m.get("link_text")
            row.published_on = m.get("published_on")
        self.store.record(row, body_for_store)
        if page is None:
            return
        agency = m.get("agency")
        if m["role"] == "column":
            # --max-pages bounds the pages of a column fetched, not the depth: a first page
            # linking pages 2–10 at once would otherwise bring them all in.
            asked = self._column_pages(m["column"])
            for url in page.next_pages:
                if url in asked:
                    continue
                if len(asked) >= self.max_pages:
                    break
                asked.add(url)
                yield self._request(url, "column", agency, parent=response.url, column=m["column"], page_no=m["page_no"] + 1)
            for link in page.reports:
                role = "attachment" if is_document(link.url, link.text) else "report"
                # A file the listing links straight to has no page of its own: its date is the one
                # printed beside its link, not the column page's.
                yield self._request(link.url, role, agency, parent=response.url, link_text=link.text,
                                    published_on=link.date.isoformat() if link.date else None, chrome=page.documents)
        else:
            # A report page's link named as the report itself (附件：…2024年政府信息公开工作年度报告.pdf)
            # is read as a report link, but it is the page's file: followed as its attachment.
            files = [link for link in page.reports if is_document(link.url, link.text)]
            for link in [*page.attachments, *files]:
                yield self._request(link.url, "attachment", agency, parent=response.url, link_text=link.text or row.title,
                                    published_on=row.published_on)

    def closed(self, reason: str) -> None:
        self.close_reason = reason

    def failed(self, failure: Any) -> None:
        request = failure.request
        if failure.check(IgnoreRequest):
            message = str(failure.value).lower()
            # A chain that never ends (a new query each time) is a loop too, cut by REDIRECT_MAX_TIMES.
            code = "robots" if "robots" in message else "redirect_loop" if "max redirections" in message else "ignored"
        elif "max size" in str(failure.value):  # DOWNLOAD_MAXSIZE, whichever handler cancelled it
            code = "too_large"
        else:
            code = _ERRORS.get(type(failure.value).__name__, type(failure.value).__name__)
        self.store.record(self._row(request, request.url, error=code))


class ConditionalGet:
    """Ask for a URL fetched before only if it changed since (RFC 9110 validators)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalGet:
        return cls(crawler)

    def process_request(self, request: scrapy.Request) -> None:
        spider = self.crawler.spider
        before = getattr(spider, "known", {}).get(request.url)
        if before is None or request.method != "GET" or request.meta.get("ogi_unconditional"):
            return
        headers = {k.lower(): v for k, v in (before.get("headers") or {}).items()}
        if "etag" in headers:
            request.headers.setdefault("If-None-Match", headers["etag"])
        if "last-modified" in headers:
            request.headers.setdefault("If-Modified-Since", headers["last-modified"])


class Backoff:
    """Scrapy retries at once; a struggling server is given time: base × 2^(n-1) seconds
    before the n-th retry, capped."""

    def __init__(self, base: float, cap: float) -> None:
        self.base, self.cap = base, cap

    @classmethod
    def from_crawler(cls, crawler: Any) -> Backoff:
        return cls(crawler.settings.getfloat("OGI_BACKOFF_BASE", 2.0), crawler.settings.getfloat("OGI_BACKOFF_MAX", 60.0))

    async def process_request(self, request: scrapy.Request) -> None:
        n = request.meta.get("retry_times", 0)
        if n:
            await asyncio.sleep(min(self.cap, self.base * 2 ** (n - 1)))


def _origin(request: scrapy.Request) -> tuple[str, str, int | None]:
    """What one robots.txt governs: scheme, host and port (RFC 9309 §2.3: http and https
    on one host:port are two sites, each with its own robots.txt)."""
    url = urlparse_cached(request)
    scheme = (url.scheme or "").lower()
    try:
        port = url.port
    except ValueError:
        port = None
    return scheme, (url.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


class Robots(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with two changes. Every request that arrives while a
    site's robots.txt is being fetched waits for it (Scrapy's own hands the parsed file to
    the first waiting request only, through a Deferred the first awaiter consumes, and lets
    the others through unchecked: two seeds on one host would ignore robots.txt). And a
    site is its scheme, host and port (Scrapy keys robots.txt by host:port alone, so an
    https seed whose robots.txt could not be fetched let an http seed on the same host:port
    through unchecked)."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._ready: dict[tuple[str, str, int | None], asyncio.Future[Any]] = {}

    async def robot_parser(self, request: scrapy.Request) -> Any:
        key = _origin(request)
        if key in self._ready:
            return await self._ready[key]  # an asyncio future: any number may await it
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._ready[key] = fut
        parser = None
        url = urlparse_cached(request)
        robots = scrapy.Request(f"{url.scheme}://{url.netloc}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
                                meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
        try:
            response = await self.crawler.engine.download_async(robots)
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            parser = build_from_crawler(self._parserimpl, self.crawler, response.body)
            await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed, robotparser=parser,
                                                            request=request)
        except Exception as e:  # no robots.txt to be had: the site is crawled as Scrapy would, unrestricted
            if not isinstance(e, IgnoreRequest):
                self._stats.inc_value(f"robotstxt/exception_count/{type(e)}")
                self.crawler.spider.logger.warning("robots.txt not fetched: %s (%s)", robots.url, e)
        finally:
            self._stats.inc_value("robotstxt/request_count")
            fut.set_result(parser)
        return parser


def settings(config: dict[str, Any]) -> dict[str, Any]:
    out = Path(config["out"])
    delay = float(config.get("delay", 1.0))
    return {
        "BOT_NAME": "ogi-collect",
        "USER_AGENT": config.get("user_agent") or "ogi-collect/0.1",
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": delay,
        "RANDOMIZE_DOWNLOAD_DELAY": delay > 0,
        "AUTOTHROTTLE_ENABLED": delay > 0,
        "AUTOTHROTTLE_START_DELAY": delay,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(config.get("per_host", 1)),
        "CONCURRENT_REQUESTS": int(config.get("concurrency", 16)),
        "CONCURRENT_REQUESTS_PER_DOMAIN": int(config.get("per_host", 1)),
        "DOWNLOAD_TIMEOUT": float(config.get("timeout", 30)),
        "DOWNLOAD_MAXSIZE": int(config.get("max_bytes", 200 * 1024 * 1024)),
        "RETRY_ENABLED": True,
        "RETRY_TIMES": int(config.get("retries", 3)),
        "OGI_BACKOFF_BASE": float(config.get("backoff", 2.0)),
        "HTTPERROR_ALLOW_ALL": True,  # 404s and 410s are recorded too
        "DOWNLOADER_MIDDLEWARES": {"ogi.corpus.crawl.Backoff": 50, "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
                                   "ogi.corpus.crawl.Robots": 100, "ogi.corpus.crawl.ConditionalGet": 560},
        "JOBDIR": str(out / "job" / "scrapy"),
        "LOG_FILE": str(out / "logs" / f"{config['run']}.log"),
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # nothing listens on a port
    }


def run(config: dict[str, Any]) -> str:
    """Crawl as `config` says (written by ogi.corpus.collect); returns why the crawl closed
    (`finished`, or `shutdown` when it was stopped)."""
    (Path(config["out"]) / "logs").mkdir(parents=True, exist_ok=True)
    process = CrawlerProcess(settings(config))
    crawler = process.create_crawler(ReportSpider)
    process.crawl(crawler, out=config["out"], seeds=config["seeds"], run=config["run"],
                  max_pages=int(config.get("max_pages", 50)))
    process.start()
    return getattr(crawler.spider, "close_reason", None) or "unknown"


def _watch_parent() -> None:
    """Stop the crawl (gracefully, as Ctrl-C does) when `ogi collect` is gone: killed with
    SIGKILL it cannot pass a signal on, and an orphaned crawl would go on appending to the
    manifest of a folder no run is reporting on."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, daemon=True, name="ogi-parent-watch").start()


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    _watch_parent()
    reason = run(config)
    Path(config["out"], "job", "closed.json").write_text(json.dumps({"run": config["run"], "reason": reason}),
                                                         encoding="utf-8")


if __name__ == "__main__":
    main()
