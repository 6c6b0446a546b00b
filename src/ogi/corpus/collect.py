"""`ogi collect`: from a seed list (each agency and the URL of its 政府信息公开年报 column)
to a folder of every report page and attachment, stored by content with a manifest row
per response (ogi.corpus.store); a crawl made by other tools comes in as WARC, and a
folder goes out as WARC (ogi.corpus.warc).

The crawl runs in a child process (ogi.corpus.crawl, on Scrapy), so it can be started
any number of times from one program. Its queue is kept in the folder until the crawl
finishes: the same command run again after a stop resumes it; run after a finished
crawl, it asks each known URL only whether it changed."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import fcntl
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..fileio import os_reason, read_input
from .store import Store, read_manifest

MAX_SEEDS = 200_000  # a seed list is one line per agency; a longer one is refused, not read
SCAN_COLUMNS = 256  # a workbook's first row (header or first seed) is looked for in these columns
AGENCY_COLUMNS = ("机关", "机关名称", "单位", "单位名称", "名称", "agency", "name")
URL_COLUMNS = ("网址", "栏目网址", "栏目地址", "年报栏目", "地址", "链接", "url", "column", "link")


class CollectError(Exception):
    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


@dataclass(frozen=True)
class Seed:
    agency: str | None
    url: str


@dataclass
class Options:
    delay: float = 1.0  # seconds between two requests to one host (AutoThrottle raises it for a slow host)
    per_host: int = 1  # requests at once to one host
    concurrency: int = 16  # requests at once in all
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0  # seconds before the first retry, doubled for each next one
    max_pages: int = 50  # pages of one column fetched at most (its first page included)
    max_bytes: int = 200 * 1024 * 1024  # a larger response is cancelled and recorded as too_large
    user_agent: str = "ogi-collect/0.1 (+政府信息公开年报采集)"


@dataclass
class Summary:
    run: str
    finished: bool
    seeds: int = 0
    responses: int = 0
    new: int = 0  # bodies this folder did not hold
    unchanged: int = 0  # 304, or the same body again at the same address
    duplicates: int = 0  # a body already stored from another address (a report page reached twice)
    by_role: Counter = field(default_factory=Counter)  # new report pages and attachments
    by_status: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    stopped_by: str | None = None  # SIGINT, SIGTERM or SIGHUP, when a signal stopped the crawl

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run, "finished": self.finished, "stopped_by": self.stopped_by, "seeds": self.seeds,
                "responses": self.responses,
                "new": self.new, "unchanged": self.unchanged, "duplicates": self.duplicates, "new_by_role": dict(self.by_role),
                "by_status": {str(k): v for k, v in self.by_status.items()}, "errors": dict(self.errors)}


def _cell(v: object) -> str:
    return "" if v is None else " ".join(str(v).split())


def _unusable(p: Path, zh: str, en: str) -> CollectError:
    return CollectError("bad_seeds", f"种子列表 {p} {zh}", f"the seed list {p} {en}")


def _workbook_rows(data: bytes, p: Path) -> list[tuple[int, list[str]]]:
    import openpyxl

    from ..ingest.docx import check_zip
    from ..ingest.errors import IngestError

    try:
        names = check_zip(data).namelist()  # a decompression bomb is refused before openpyxl unpacks it
    except IngestError as e:
        raise _unusable(p, f"无法打开：{e.message_zh}", f"cannot be opened: {e.message_en}") from None
    # A Word or other Office file given by mistake would only meet openpyxl's bare OSError.
    if any(n.startswith("word/") for n in names):
        raise _unusable(p, "是 Word 文档，不是种子列表：请用 Excel 工作簿（.xlsx）或 CSV 文件",
                        "is a Word document, not a workbook or CSV file")
    if "xl/workbook.xml" not in names:
        raise _unusable(p, "不是 Excel 工作簿（.xlsx）：请用 Excel 工作簿或 CSV 文件", "is a ZIP file but not an XLSX workbook")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = wb.worksheets[0]
        # Each row comes padded to max_col (the sheet's widest, 16 384 for one cell in XFD):
        # only the columns the seed list uses are read.
        first: list[str] = []
        for values in sheet.iter_rows(min_row=1, max_col=SCAN_COLUMNS, values_only=True):
            first = [_cell(v) for v in values]
            if any(first):
                break
        a, u = _columns(first)
        width = max(i for i in (a, u) if i is not None) + 1 if u is not None else SCAN_COLUMNS
        out: list[tuple[int, list[str]]] = []
        for n, values in enumerate(sheet.iter_rows(min_row=1, max_col=width, values_only=True), start=1):
            row = [_cell(v) for v in values]
            if any(row):
                out.append((n, row))
                if len(out) > MAX_SEEDS + 1:
                    break
        wb.close()
    except Exception as e:  # openpyxl raises many kinds for a damaged workbook
        raise _unusable(p, f"（Excel 工作簿）已损坏，无法读取（{type(e).__name__}）", f"is a damaged workbook: {e}") from None
    return out


def _sheet_rows(data: bytes, p: Path) -> list[tuple[int, list[str]]]:
    """Each row of the seed list with its line (CSV) or row (XLSX) number in the file."""
    if data.startswith(b"PK\x03\x04"):
        return _workbook_rows(data, p)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _unusable(p, "是旧版 Office 文件（.xls 或 .doc），不能读取：请另存为 Excel 工作簿（.xlsx）或 CSV",
                        "is an old binary Office file (.xls/.doc): save it as XLSX or CSV")
    if data.startswith(b"%PDF"):
        raise _unusable(p, "是 PDF 文件，不是种子列表：请用 Excel 工作簿（.xlsx）或 CSV 文件", "is a PDF file, not a seed list")
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        raise _unusable(p, "不是有效的 Excel 工作簿（.xlsx），文件可能已损坏", "is not a valid XLSX workbook")
    from ..ingest.errors import IngestError
    from ..ingest.load import decode_text

    try:
        text = decode_text(data)
    except IngestError as e:
        raise _unusable(p, f"不是文本文件（{e.message_zh}）：请用 CSV 或 Excel 工作簿（.xlsx）", f"is not text: {e.message_en}") from None
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    out = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    line = 1  # a quoted field may span lines: a row is numbered by the line it starts on
    try:
        for row in reader:
            cells = [_cell(v) for v in row]
            if any(cells):  # empty lines do not count toward the bound
                out.append((line, cells))
            line = reader.line_num + 1
            if len(out) > MAX_SEEDS + 1:
                break
    except csv.Error as e:
        if "field larger" in str(e):
            zh, en = f"有超过 {csv.field_size_limit()} 个字符的字段", f"has a field over {csv.field_size_limit()} characters"
        else:
            zh, en = "不是 CSV 文件（含有无法作为表格读取的内容）", f"is not a CSV file: {e}"
        raise _unusable(p, f"第 {reader.line_num or line} 行{zh}，不是种子列表", f"line {reader.line_num or line} {en}") from None
    return out


MAX_URL = 2048  # what browsers and servers accept; Scrapy would drop a longer one without a word


def url_problem(text: str) -> tuple[str, str] | None:
    """Why a seed's URL cannot be crawled (Chinese, English), or None when it can."""
    if len(text) > MAX_URL:
        return f"超过 {MAX_URL} 个字符", f"longer than {MAX_URL} characters"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as e:
        if "port" in str(e).lower():
            return "端口无效（应为 1–65535）", "port out of range"
        return "格式无效（如 IPv6 地址的方括号不完整）", f"malformed: {e}"
    if parts.scheme not in ("http", "https"):
        return "不是 http(s) 地址", "no http(s) URL"
    if not parts.hostname:
        return "缺少主机名", "no host"
    if port == 0:
        return "端口无效（应为 1–65535）", "port out of range"
    if any(c.isspace() or ord(c) < 32 for c in parts.netloc):
        return "主机名中有空白或控制字符", "whitespace in the host"
    return None


def _is_url(text: str) -> bool:
    return url_problem(text) is None


def _columns(first: list[str]) -> tuple[int | None, int | None]:
    """The agency's and the URL's column, from the first row: a header naming them, or no
    header and the URL the column that holds one (the agency then the first other column)."""
    header = [h.lower() for h in first]
    a = next((i for i, h in enumerate(header) if h in AGENCY_COLUMNS), None)
    u = next((i for i, h in enumerate(header) if h in URL_COLUMNS), None)
    if u is not None:
        return a, u
    u = next((i for i, v in enumerate(first) if _is_url(v)), None)
    if u is None:
        u = next((i for i, v in enumerate(first) if v.lower().startswith(("http://", "https://"))), None)
    if u is None:
        return None, None
    return next((i for i in range(len(first)) if i != u), None), u


MAX_SEED_FILE = 100 * 1024**2  # 200 000 seeds of a long URL each


def read_seeds(path: Path | str) -> list[Seed]:
    """A seed list: CSV (comma or tab) or XLSX, a header row naming the agency and URL
    columns (机关 / 网址 …), or no header and the agency then the URL in each row.
    A row whose URL cannot be crawled is refused with its line number in the file."""
    p = Path(path)
    try:
        data = read_input(p, MAX_SEED_FILE)
    except OSError as e:
        raise CollectError("bad_seeds", f"无法读取种子列表 {p}：{os_reason(e)}", f"cannot read {p}: {e}") from None
    rows = [(n, r) for n, r in _sheet_rows(data, p) if any(r)]
    if not rows:
        raise CollectError("bad_seeds", f"种子列表 {p} 是空的", f"the seed list {p} is empty")
    if len(rows) > MAX_SEEDS + 1:
        raise CollectError("bad_seeds", f"种子列表 {p} 超过 {MAX_SEEDS} 行（上限 {MAX_SEEDS} 个种子），请分成几个文件分别采集",
                           f"the seed list {p} has more than {MAX_SEEDS} seeds: split it")
    first = rows[0][1]
    a, u = _columns(first)
    if u is None:
        raise CollectError("bad_seeds", "种子列表应有“机关”和“网址”两列（第一行为列名），或每行为机关名称和年报栏目网址",
                           "the seed list needs an agency and a URL column")
    header = [h.lower() for h in first]
    body = rows[1:] if any(h in URL_COLUMNS for h in header) else rows
    seeds: list[Seed] = []
    bad: dict[tuple[str, str], list[int]] = {}
    for n, r in body:
        url = r[u] if u < len(r) else ""
        problem = url_problem(url)
        if problem:
            bad.setdefault(problem, []).append(n)
            continue
        seeds.append(Seed(r[a] if a is not None and a < len(r) and r[a] else None, url))
    if bad:
        def lines(ns: list[int]) -> str:
            return "、".join(map(str, ns[:10])) + ("等" if len(ns) > 10 else "")

        zh = "；".join(f"第 {lines(ns)} 行的网址{why}" for (why, _), ns in bad.items())
        en = "; ".join(f"line(s) {ns[:10]}: {why}" for (_, why), ns in bad.items())
        raise CollectError("bad_seeds", f"种子列表{zh}", f"seed list {en}")
    return list(dict.fromkeys(seeds))


def _job(out: Path) -> Path:
    return out / "job"


def _run_id(out: Path) -> tuple[str, bool]:
    """The run to continue (an unfinished crawl's), or a new one."""
    state = _job(out) / "run.json"
    if state.exists():
        try:
            return json.loads(state.read_text(encoding="utf-8"))["run"], True
        except (ValueError, KeyError):
            pass
    run = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    _job(out).mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps({"run": run}), encoding="utf-8")
    return run, False


LOCK = ".ogi-collect.lock"
_held: dict[Path, tuple[int, int]] = {}  # folder → (its lock's descriptor, the thread holding it)


@contextmanager
def locked(out: Path | str) -> Iterator[int]:
    """Hold the folder's advisory lock (flock on DIR/.ogi-collect.lock) for the block, or refuse
    at once when another run holds it: two crawls of one folder would share one run and job
    folder and fetch every URL twice. The kernel drops the lock when its last holder ends,
    killed or not. Yields the lock's descriptor, for a child process to hold it too."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    key = out.resolve()
    if key in _held and _held[key][1] == threading.get_ident():  # the same run, one level down
        yield _held[key][0]
        return
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
            raise
        raise CollectError("busy", f"采集目录 {out} 正由另一次 ogi collect 使用{f'（进程 {holder}）' if holder else ''}，"
                           "本次运行未开始；请等它结束（或停止它）后再运行",
                           f"the folder {out} is in use by another ogi collect run"
                           + (f" (process {holder})" if holder else "")) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)  # for the message of a run refused meanwhile
    _held[key] = (fd, threading.get_ident())
    try:
        yield fd
    finally:
        del _held[key]
        os.close(fd)



def _passed_on(signum: int) -> int:
    return signal.SIGTERM if signum == signal.SIGHUP else signum

def collect(seeds: list[Seed], out: Path | str, options: Options | None = None) -> Summary:
    """Crawl the seeds' columns into `out` (created if need be). Returns what this run did;
    `finished` is false when it was stopped (run again to resume). Refused (CollectError
    `busy`) while another run uses the folder."""
    out = Path(out)
    with locked(out) as lock:
        return _collect(seeds, out, options or Options(), lock)


def _collect(seeds: list[Seed], out: Path, opts: Options, lock: int) -> Summary:
    Store(out)
    run, _resumed = _run_id(out)
    config = {"out": str(out), "run": run, "seeds": [{"agency": s.agency, "url": s.url} for s in seeds],
              **{k: getattr(opts, k) for k in Options.__dataclass_fields__}}
    config_path = _job(out) / "config.json"
    config_path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    closed = _job(out) / "closed.json"
    closed.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
    (out / "logs").mkdir(exist_ok=True)
    received: list[int] = []
    child: subprocess.Popen | None = None

    def stop(signum: int, _frame: object) -> None:
        # Scrapy stops gracefully on the first SIGINT or SIGTERM (keeping its queue), at once on a
        # second. It has no handler for SIGHUP (the terminal closed): that one is passed on as SIGTERM.
        received.append(signum)
        if child is not None and child.poll() is None:
            child.send_signal(_passed_on(signum))

    # Python lets only the main thread set handlers; elsewhere the caller stops the child itself.
    handle = threading.current_thread() is threading.main_thread()
    before = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)} if handle else {}
    try:
        with (out / "logs" / f"{run}.stderr").open("wb") as err:
            # A session of its own: a terminal's Ctrl-C reaches the parent only, which passes it on
            # once (Scrapy takes a second one as "stop at once"). The lock is passed on too, so the
            # folder stays locked while the crawl runs, even if this process is killed.
            child = subprocess.Popen([sys.executable, "-m", "ogi.corpus.crawl", str(config_path)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=err, start_new_session=True, pass_fds=(lock,))
        if received and child.poll() is None:
            child.send_signal(_passed_on(received[0]))
        child.wait()
    finally:
        if child is not None and child.poll() is None:  # an exception here: the crawl must not outlive it
            child.send_signal(signal.SIGTERM)
            child.wait()
        for s, h in before.items():
            signal.signal(s, h)
    reason = None
    if closed.exists():
        try:
            reason = json.loads(closed.read_text(encoding="utf-8")).get("reason")
        except ValueError:
            reason = None
    finished = child.returncode == 0 and reason == "finished"
    stopped_by = signal.Signals(received[0]).name if received and not finished else None
    if child.returncode == 0 and reason not in ("finished", "shutdown") and not stopped_by:
        # Closed for another reason (start_error …): a run again would fail the same way, so it is
        # no interruption to resume.
        raise CollectError("crawl_failed", f"采集未能完成（{reason}），详见 {out / 'logs' / (run + '.log')}",
                           f"the crawl closed with reason {reason}")
    if finished:
        shutil.rmtree(_job(out), ignore_errors=True)  # the next run is a new crawl, asking only what changed
    elif child.returncode != 0 and reason is None and not stopped_by:
        log = out / "logs" / f"{run}.stderr"
        last = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:] if log.exists() else []
        raise CollectError("crawl_failed", f"采集进程异常退出（退出码 {child.returncode}）：{last[0] if last else '见 logs 目录'}",
                           f"the crawl process exited with {child.returncode}")
    summary = summarize(out, run, finished, len(seeds))
    summary.stopped_by = stopped_by
    return summary


def summarize(out: Path | str, run: str, finished: bool, seeds: int = 0) -> Summary:
    s = Summary(run, finished, seeds)
    seen: set[tuple[Any, Any]] = set()  # (address, body) fetched by an earlier run, or earlier in this one
    for row in read_manifest(out):
        key = (row.get("url"), row.get("sha256"))
        if row.get("run") != run:
            seen.add(key)
            continue
        before = key in seen
        seen.add(key)
        s.responses += 1
        if row.get("error"):
            s.errors[row["error"]] += 1
            continue
        s.by_status[row.get("status")] += 1
        if row.get("changed") and row.get("status") == 200:
            s.new += 1
            s.by_role[row.get("role")] += 1
        elif row.get("status") == 304 or (row.get("status") == 200 and before):
            s.unchanged += 1
        elif row.get("status") == 200:
            s.duplicates += 1  # (counted as unchanged, a first crawl said 13 pages 未变化)
    return s


_ROLE_ZH = {"report": "报告页面", "attachment": "附件", "column": "栏目页", "page": "其他页面"}
_ERROR_ZH = {"robots": "robots.txt 不允许", "timeout": "超时", "dns": "域名无法解析", "refused": "连接被拒绝",
             "connection_lost": "连接中断", "failed": "下载失败", "ignored": "已忽略", "bad_url": "网址无效",
             "too_large": "文件超过大小上限", "cancelled": "下载被取消",
             "redirect_loop": "重定向循环"}


def summary_zh(s: Summary, out: Path | str) -> str:
    parts = [f"{'采集完成' if s.finished else '采集已中止（再次运行同一命令即可从中断处继续）'}：{out}",
             f"本次 {s.responses} 个响应，新内容 {s.new} 个，未变化 {s.unchanged} 个"
             + (f"，与其他网址内容相同 {s.duplicates} 个" if s.duplicates else "")]
    if s.by_role:
        parts.append("新内容中：" + "，".join(f"{_ROLE_ZH.get(k, k)} {v} 个" for k, v in sorted(s.by_role.items())))
    failed = {k: v for k, v in s.by_status.items() if k not in (200, 304)}
    if failed:
        parts.append("HTTP 错误：" + "，".join(f"{k} 共 {v} 个" for k, v in sorted(failed.items(), key=lambda x: str(x[0]))))
    if s.errors:
        parts.append("未取得：" + "，".join(f"{_ERROR_ZH.get(k, k)} {v} 个" for k, v in sorted(s.errors.items())))
    return "；".join(parts) + "\n"
