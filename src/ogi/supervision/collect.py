"""Bringing a region's reports in: every file of a folder or ZIP read, matched to its agency
(a doubtful or unmatched one waits in the queue), the newest version of each agency's
report of a year kept and the older ones in the history, all checked together so that
continuity and 年年雷同 are judged across them."""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..checks import check_all
from ..corpus.batch import read_many
from ..ingest.errors import IngestError
from ..ingest.limits import current as current_limits
from ..report import Finding, Report
from .match import Match, Matcher
from .repetition import Repetition, highest, repetitions
from .rubric import Facts, Rubric, Score, default_rubric, score
from .timeliness import Timeliness, judge, publication_date
from .tree import Region

MAX_FILES = 5000  # in one import: a province's reports of a year
MAX_ZIP_BYTES = 2 * 1024**3
_SKIP = ("__MACOSX", ".DS_Store", "Thumbs.db")
NESTED_ZH = "压缩包中又有压缩包，未读取；请解压后分别导入，或打包成一个压缩包"


@dataclass
class Collected:
    file: str
    report: Report
    printed: str | None  # the agency's name as the report prints it
    match: Match
    agency: str | None = None  # the tree's agency, once assigned
    findings: list[Finding] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        return self.report.year


@dataclass
class Collection:
    region: Region
    current: dict[tuple[str, int], Collected] = field(default_factory=dict)
    history: list[Collected] = field(default_factory=list)  # versions a newer one replaced
    queue: list[Collected] = field(default_factory=list)
    unreadable: list[tuple[str, IngestError]] = field(default_factory=list)
    # The day timeliness is judged on: a report missing before its deadline is not yet due.
    # None judges as if every deadline had passed.
    today: dt.date | None = None

    def years(self) -> list[int]:
        return sorted({y for _, y in self.current})

    def of_year(self, year: int) -> dict[str, Report]:
        return {a: c.report for (a, y), c in self.current.items() if y == year}

    def assign(self, item: Collected, agency: str) -> None:
        """A person's decision for a queued report; the checks are run again."""
        if agency not in self.region.agencies:
            raise KeyError(agency)
        self.queue.remove(item)
        item.agency = agency
        item.match = Match("assigned", agency, "person")
        _fill_tree_facts(self.region, item)
        self._place(item)
        self.recheck()

    def _place(self, item: Collected) -> None:
        if item.year is None:
            item.match = Match("unmatched", message_zh="未能确定报告年度，请人工核对", message_en="no report year")
            item.agency = None
            self.queue.append(item)
            return
        assert item.agency is not None
        key = (item.agency, item.year)
        old = self.current.get(key)
        if old is None or _newer(item, old):
            self.current[key] = item
            if old is not None:
                self.history.append(old)
        else:
            self.history.append(item)

    def recheck(self) -> None:
        items = list(self.current.values())
        for c in items:
            # Continuity and similarity pair reports by agency: the tree's name, not the printed one.
            c.report.agency = c.agency
        for c, fs in zip(items, check_all([c.report for c in items]), strict=True):
            c.findings = fs

    def timeliness(self, year: int) -> list[Timeliness]:
        from .timeliness import timeliness

        return timeliness(self.region, year, self.of_year(year), self.today)

    def repetitions(self, agency: str, year: int) -> list[Repetition]:
        me = self.current.get((agency, year))
        if me is None:
            return []
        prev = self.current.get((agency, year - 1))
        siblings = [(s.name, self.current[(s.name, year)].report) for s in self.region.siblings(agency)
                    if (s.name, year) in self.current]
        return repetitions(me.report, (agency, prev.report) if prev else None, siblings)

    def facts(self, agency: str, year: int) -> Facts:
        me = self.current.get((agency, year))
        t = judge(self.region[agency], year, me.report if me else None, self.today)
        reps = self.repetitions(agency, year)
        return Facts(agency, year, t, me.findings if me else [],
                     {"previous": highest(reps, "previous"), "sibling": highest(reps, "sibling")})

    def scores(self, year: int, rubric: Rubric | None = None) -> list[Score]:
        rubric = rubric or default_rubric()
        return [score(rubric, self.facts(a.name, year)) for a in self.region]


def _newer(a: Collected, b: Collected) -> bool:
    """A later publication date wins; without dates, the later file of the import."""
    da, db = publication_date(a.report), publication_date(b.report)
    if da is not None and db is not None and da != db:
        return da > db
    return True


def files_in(source: Path, workdir: Path, refused: list[tuple[str, IngestError]] | None = None) -> list[Path]:
    """The files of a folder (recursively) or of a ZIP unpacked into `workdir`, in name order.
    A ZIP's member too large to be a report, or an archive itself (one level: what is read
    is what was listed), is left out and put in `refused` (its name in the archive, why),
    the rest of the archive read."""
    if source.is_dir():
        found = sorted(p for p in source.rglob("*") if p.is_file() and not _skipped(p.parts))
    elif source.is_file() and is_archive(source):  # (a pipe is not opened here: the reader refuses it)
        found = _unzip(source, workdir, refused if refused is not None else [])
    else:
        found = [source]
    if len(found) > MAX_FILES:
        raise IngestError("too_many", f"一次导入的文件超过 {MAX_FILES} 个，请分批导入", f"more than {MAX_FILES} files")
    return found


def _skipped(parts: Sequence[str]) -> bool:
    """Hidden files and folders (.DS_Store, __MACOSX): not the reports. A name climbing out
    (../x.txt) is read under its own last part, like any member."""
    return any((p.startswith(".") and p not in (".", "..")) or p in _SKIP for p in parts)


def _is_office(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
    return "word/document.xml" in names or "xl/workbook.xml" in names


def _unzip(source: Path, workdir: Path, refused: list[tuple[str, IngestError]]) -> list[Path]:
    try:
        z = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as e:
        raise IngestError("broken_file", "压缩包已损坏，无法打开", f"broken ZIP: {e}") from None
    with z:
        infos = [i for i in z.infolist() if not i.is_dir() and not _skipped(PurePosixPath(_zip_name(i)).parts)]
        if len(infos) > MAX_FILES:
            raise IngestError("too_many", f"压缩包中的文件超过 {MAX_FILES} 个，请分批导入", f"more than {MAX_FILES} files")
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise IngestError("zip_bomb", "压缩包解压后过大，已拒绝", "the ZIP would expand beyond the limit")
        out = []
        # A member's declared size may lie: each is copied in pieces and cut at the limit
        # of a file, as is the whole archive at its own.
        per_file, left = current_limits().file_bytes, MAX_ZIP_BYTES
        for n, info in enumerate(infos):
            # Names are untrusted (../, absolute paths, legacy GBK names): each file gets a
            # safe name of its own and keeps the printed one for people.
            name = _zip_name(info)
            base = PurePosixPath(name).name
            if base in ("", ".", ".."):  # no file name at all (“a/..”): nothing to call it by
                refused.append((name, IngestError("bad_name", "压缩包中的这一项没有文件名，未读取", "a ZIP member without a file name")))
                continue
            target = workdir / f"{n:05d}" / base
            target.parent.mkdir(parents=True)
            size = 0
            with z.open(info) as src, open(target, "wb") as dst:
                while chunk := src.read(_CHUNK):
                    size += len(chunk)
                    if size > left:  # the archive as a whole: nothing more of it is read
                        raise IngestError("zip_bomb", "压缩包解压后过大，已拒绝", "the ZIP expands beyond the limit")
                    if size > per_file:
                        break
                    dst.write(chunk)
            left -= size
            if size > per_file:  # this member alone: left out, the others read
                target.unlink()
                refused.append((PurePosixPath(name).name, IngestError(
                    "too_large", f"解压后超过 {per_file / 1024**2:.0f} MB，不像是一份年度报告，未读取",
                    "a member of the ZIP expands beyond the file limit")))
                continue
            if is_archive(target):
                target.unlink()
                refused.append((PurePosixPath(name).name, IngestError(
                    "nested_archive", NESTED_ZH, "an archive inside the archive is not opened")))
                continue
            out.append(target)
    return out


_CHUNK = 1024 * 1024


def is_archive(path: Path) -> bool:
    """A ZIP of files (not a Word or Excel file, which are ZIPs too)."""
    return zipfile.is_zipfile(path) and not _is_office(path)


def _zip_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # no UTF-8 flag: Chinese Windows wrote the name in GBK
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/").rstrip("/") or "file"


def collect(region: Region, sources: Sequence[Path], jobs: int | None = None) -> Collection:
    """Read, match and check every file of the sources (files, folders, ZIPs)."""
    out = Collection(region)
    matcher = Matcher(region)
    with tempfile.TemporaryDirectory(prefix="ogi-import-") as tmp:
        files: list[Path] = []
        shown: dict[str, str] = {}
        for i, src in enumerate(sources):
            refused: list[tuple[str, IngestError]] = []
            try:
                found = files_in(src, Path(tmp) / str(i), refused)
            except IngestError as e:
                out.unreadable.append((str(src), e))
                continue
            out.unreadable += [(f"{src.name}/{name}", err) for name, err in refused]
            for f in found:
                shown[str(f)] = f"{src.name}/{f.name}" if f.is_relative_to(tmp) else str(f)
            files += found
        for file, report, err in read_many(files, jobs):
            if err is not None or report is None:
                out.unreadable.append((shown[file], err or IngestError("internal", "读取失败", "read failed")))
                continue
            m = matcher.match(report.agency)
            item = Collected(shown[file], report, report.agency, m, m.agency)
            if m.assigned:
                _fill_tree_facts(region, item)
                out._place(item)
            else:
                out.queue.append(item)
    out.recheck()
    return out


def _fill_tree_facts(region: Region, item: Collected) -> None:
    # The tree knows kind and level better than the report's wording does: the deadline
    # check (metadata.date) must use the agency's.
    a = region[item.agency]  # type: ignore[index]
    item.report.kind, item.report.level = a.kind, a.level
