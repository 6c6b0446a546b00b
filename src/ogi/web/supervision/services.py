"""Between the tables and the supervision library: the office's subtree as a Region, the
stored reports as a Collection, an upload read, matched, versioned and re-checked."""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q

from ogi.ingest.errors import IngestError
from ogi.report import Finding, Report
from ogi.supervision.benchmarks import MEASURES, PeerGroup, benchmark_values, default_benchmarks, peer_groups
from ogi.supervision.collect import Collected, Collection, _newer, collect, files_in
from ogi.supervision.match import Match
from ogi.supervision.repetition import Repetition
from ogi.supervision.rubric import Facts, Score, default_rubric_text, parse_rubric, score
from ogi.supervision.rubric import Rubric as RubricData
from ogi.supervision.timeliness import Timeliness, judge_date, publication_date
from ogi.supervision.tree import LEVEL_ORDER, Region
from ogi.supervision.tree import Agency as TreeAgency
from ogi.web import clock
from ogi.web.accounts.models import Agency, inherited_level

from . import kept, stored
from .models import CollectedReport, Rubric, TreeChange

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


# Said on every page of the office's work to a user of another role (its administrator included).
SUPERVISORS_ONLY = "只有“监督”角色的用户可以查看本页"


def generation(office: Agency) -> str:
    """What changes whenever the office's collected reports change (a row added, or any
    row saved) or the tree changes: the key under which region-wide figures (scores,
    dashboard sums) are cached. Read from the database, so every server process and every
    test database agrees."""
    g = CollectedReport.objects.filter(office=office).aggregate(n=Count("pk"), last=Max("pk"), at=Max("updated_at"))
    return f"{g['n']}:{g['last']}:{g['at'].isoformat() if g['at'] else ''}:{tree_generation()}"


def tree_generation() -> str:
    """What changes when agencies are added or removed anywhere (by any process), when the
    tree is edited in ogi (an office below may edit part of this one's region), or when an
    agency is saved in this process (the admin pages, say)."""
    a = Agency.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return f"{a['n']}:{a['last']}:{TreeChange.objects.aggregate(last=Max('pk'))['last']}:{_agency_saves}"


_agency_saves = 0


def agency_saved(sender: Any, **kw: Any) -> None:
    """post_save/post_delete of an Agency (connected in apps.py)."""
    global _agency_saves
    with _CACHE_LOCK:
        _agency_saves += 1


_CACHE: OrderedDict[str, Any] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()


def _remember(key: str, compute: Callable[[], Any]) -> Any:
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = compute()
    with _CACHE_LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def cached(office: Agency, name: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per change of the office's reports. Kept in this process as the
    objects themselves: a shared cache would pickle and unpickle thousands of scores on
    every page, costing more than it saves; the key, read from the database, keeps every
    process right."""
    return _remember(f"{office.pk}:{generation(office)}:{name}", compute)


def region_cached(office: Agency) -> tuple[Region, dict[str, int]]:
    """region_of(office), once per change of the tree (not of the reports). Not to be
    changed by the caller."""
    return _remember(f"{office.pk}:{tree_generation()}:region", lambda: region_of(office))


def listed(office: Agency) -> list[TreeAgency]:
    """The region's agencies in the order of the lists: province → township, governments
    first, then by name (once per change of the tree)."""
    region, _ = region_cached(office)
    return _remember(f"{office.pk}:{tree_generation()}:listed",
                     lambda: sorted(region, key=lambda a: (LEVEL_ORDER.index(a.level), a.kind != "government", a.name)))


_FINDING_FIELDS = {f.name for f in fields(Finding)}


def region_of(office: Agency) -> tuple[Region, dict[str, int]]:
    """The office and every agency below it (and each agency's id by name). An agency
    without a level takes its parent's (a department of a city is a city-level
    department), the top one 市级."""
    agencies = list(Agency.objects.filter(pk__in=office.subtree_ids()).values("pk", "name", "kind", "level", "parent_id", "aliases"))
    by_pk = {a["pk"]: a for a in agencies}
    region = Region()

    def level(a: dict[str, Any] | None) -> str:
        chain, seen = [], set()
        while a is not None and a["pk"] not in seen:
            seen.add(a["pk"])
            chain.append(a["level"])
            a = by_pk.get(a["parent_id"])
        return inherited_level(chain)

    # Parents before children, so a Region keeps the tree's order.
    for a in sorted(agencies, key=lambda a: (a["pk"] != office.pk, a["name"])):
        parent = by_pk.get(a["parent_id"]) if a["pk"] != office.pk else None
        region.add(TreeAgency(a["name"], a["kind"], level(a), parent["name"] if parent else None, tuple(a["aliases"] or ())))
    return region, {a["name"]: a["pk"] for a in agencies}


def finding_from_json(d: dict[str, Any]) -> Finding:
    """A stored finding (as stored.findings lets it through: rule, severity and Chinese
    message at least) as a Finding."""
    return Finding(**{"message_en": "", **{k: v for k, v in d.items() if k in _FINDING_FIELDS}})


def collection_of(office: Agency) -> tuple[Collection, dict[str, int], dict[tuple[str, int], CollectedReport]]:
    region, by_name = region_of(office)
    c = Collection(region)
    rows: dict[tuple[str, int], CollectedReport] = {}
    for row in (CollectedReport.objects.filter(office=office, state="current").select_related("agency")
                .defer("content")):
        if row.agency is None or row.agency.name not in region.agencies or row.year is None:
            continue
        report = stored.report(row.report, file=row.file_name)
        if report is None:
            continue  # unreadable as stored: shown as such on its own page, left out of the comparisons
        item = Collected(row.file_name, report, row.printed_agency or None, Match("assigned", row.agency.name),
                         row.agency.name, [finding_from_json(f) for f in stored.findings(row.findings)])
        c.current[(row.agency.name, row.year)] = item
        rows[(row.agency.name, row.year)] = row
    return c, by_name, rows


TABLE_PREFIXES = ("requests.", "appeals.")  # tables 三 and 四


def table_figures(report: Report) -> dict[str, int]:
    """The known figures of tables 三 and 四 (counts only; a missing cell is left out)."""
    out = {}
    for cid, v in report.cells.items():
        n = v.number
        if cid.startswith(TABLE_PREFIXES) and n is not None and n == int(n):
            out[cid] = int(n)
    return out


def recheck(office: Agency) -> None:
    """Every current report of the office checked again together (continuity and 年年雷同
    pair them across years and agencies), with the shares of repeated text."""
    from ogi.supervision.repetition import highest

    c, _, rows = collection_of(office)
    c.recheck()
    for (agency, year), item in c.current.items():
        row = rows[(agency, year)]
        reps = c.repetitions(agency, year)
        # As stored (JSON), so that an unchanged row is seen as such and left alone: its
        # time of change is what the pages' kept figures go by (kept.py).
        findings = json.loads(json.dumps([f.to_json() for f in item.findings]))
        repetition = {"previous": round(highest(reps, "previous"), 4), "sibling": round(highest(reps, "sibling"), 4)}
        if findings != row.findings or repetition != row.repetition:
            row.findings, row.repetition = findings, repetition
            row.save(update_fields=["findings", "repetition", "updated_at"])


def repetitions_of(office: Agency, row: CollectedReport) -> list[Repetition]:
    """The 年年雷同 passages of one current report: against the agency's report of the year
    before and its siblings' of the same year (only those reports are read)."""
    from ogi.supervision.repetition import repetitions

    region, by_name = region_cached(office)
    me = stored.report(row.report)
    if row.agency is None or row.year is None or me is None or row.agency.name not in region.agencies:
        return []
    name = row.agency.name
    siblings = {by_name[a.name]: a.name for a in region.siblings(name)}
    others = (CollectedReport.objects.filter(office=office, state="current")
              .filter(Q(agency_id=by_name[name], year=row.year - 1) | Q(agency_id__in=list(siblings), year=row.year))
              .values_list("agency_id", "year", "report"))
    previous, same_year = None, []
    for agency_id, year, data in others:
        other = stored.report(data)
        if other is None:
            continue
        if year == row.year - 1 and agency_id == row.agency_id:
            previous = (name, other)
        else:
            same_year.append((siblings[agency_id], other))
    return repetitions(me, previous, sorted(same_year, key=lambda x: x[0]))


def _store(office: Agency, user: Any, item: Collected, data: bytes, state: str, by_name: dict[str, int]) -> CollectedReport:
    return CollectedReport.objects.create(
        office=office, agency_id=by_name.get(item.agency) if item.agency else None, year=item.year,
        printed_agency=(item.printed or "")[:200], file_name=item.file[-255:], content=data,
        sha256=hashlib.sha256(data).hexdigest(), report=item.report.to_json(),
        findings=[f.to_json() for f in item.findings], figures=table_figures(item.report),
        published_on=publication_date(item.report), state=state,
        match_message=item.match.message_zh[:500], candidates=item.match.candidates, uploaded_by=user)


def import_uploads(office: Agency, user: Any, uploads: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
    """Files (reports or ZIPs of reports) read, matched, stored and the region re-checked.
    Returns counts, the rows filed (ids) and the unreadable files with their reasons."""
    region, by_name = region_of(office)
    unreadable: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="ogi-upload-") as tmp:
        root = Path(tmp)
        files: list[Path] = []
        names: dict[str, str] = {}
        for i, (name, data) in enumerate(uploads):
            d = root / f"u{i}"
            d.mkdir()
            src = d / (Path(name).name or "file")
            src.write_bytes(data)
            refused: list[tuple[str, IngestError]] = []
            try:
                found = files_in(src, root / f"z{i}", refused)
            except IngestError as e:
                unreadable.append((name, e.message_zh))
                continue
            unreadable += [(f"{name}/{member}", err.message_zh) for member, err in refused]
            for f in found:
                names[str(f)] = name if f == src else f"{name}/{f.name}"
            files += found
        batch = collect(region, files, jobs=1)
        for file, err in batch.unreadable:
            unreadable.append((names.get(file, Path(file).name), err.message_zh))
        with transaction.atomic():
            filed: list[int] = []
            already: list[str] = []
            for item in [*batch.history, *batch.current.values()]:  # older first: the newest ends current
                data = Path(item.file).read_bytes()  # one file at a time in memory
                item.file = names[item.file]
                row = file_version(office, user, item, data, by_name)
                if row is not None:
                    filed.append(row.pk)
                else:
                    already.append(item.file)
            queued = 0
            for item in batch.queue:
                data = Path(item.file).read_bytes()
                item.file = names[item.file]
                if item.report.year is None:
                    # Nothing a person could decide: it cannot be filed under any agency's year.
                    unreadable.append((item.file, "未能识别报告的年度，无法归入机关：请核对文件（是否为空白模板）"))
                    continue
                if CollectedReport.objects.filter(office=office, sha256=hashlib.sha256(data).hexdigest()).exists():
                    already.append(item.file)  # (uploaded again, the same file was queued once more each time)
                    continue
                filed.append(_store(office, user, item, data, "queued", by_name).pk)
                queued += 1
            recheck(office)
    return {"added": len(filed) - queued, "queued": queued, "unreadable": unreadable, "rows": filed,
            "already": already}


def file_version(office: Agency, user: Any, item: Collected, data: bytes, by_name: dict[str, int],
                 newest: bool = False) -> CollectedReport | None:
    """A matched report filed as its agency's version of its year: current when it is the
    newer one (the current one then kept as history), else history; None when the same
    file is there already. `newest`: the agency says it is its latest version (a corrected
    one keeps the first publication date, so the dates cannot tell)."""
    mine = CollectedReport.objects.filter(office=office, agency_id=by_name[item.agency], year=item.year)  # type: ignore[index]
    if mine.filter(sha256=hashlib.sha256(data).hexdigest()).exists():
        return None  # the same file is there already, current or as an older version
    old = mine.filter(state="current").first()
    kept = _as_collected(old) if old is not None else None
    newer = newest or kept is None or _newer(item, kept)
    if newer and old is not None:
        old.state = "replaced"
        old.save(update_fields=["state", "updated_at"])
    return _store(office, user, item, data, "current" if newer else "replaced", by_name)


def _as_collected(row: CollectedReport) -> Collected | None:
    report = stored.report(row.report)
    return Collected(row.file_name, report, row.printed_agency, Match("assigned"), None) if report else None


@transaction.atomic
def assign(office: Agency, row: CollectedReport, agency: Agency) -> str:
    """A person's decision for a queued report: it becomes the agency's current report of
    its year unless a newer one is there already (then it is kept as history)."""
    report = stored.report(row.report)
    if report is None or report.year is None:
        raise ValueError("no year")
    item = Collected(row.file_name, report, row.printed_agency, Match("assigned", agency.name), agency.name)
    old = CollectedReport.objects.filter(office=office, agency=agency, year=report.year, state="current").first()
    kept = _as_collected(old) if old is not None else None
    newer = kept is None or _newer(item, kept)
    if newer and old is not None:
        old.state = "replaced"
        old.save(update_fields=["state", "updated_at"])
    row.agency, row.year = agency, report.year
    row.state = "current" if newer else "replaced"
    row.match_message, row.candidates = "", []
    row.save()
    recheck(office)
    return row.state


def rubric_of(office: Agency) -> tuple[RubricData, Rubric | None]:
    """The office's latest rubric version, else the default one."""
    latest = Rubric.objects.filter(office=office).order_by("-version").first()
    if latest is None:
        return _parsed(default_rubric_text()), None
    return _parsed(latest.text), latest


@lru_cache(maxsize=32)
def _parsed(text: str) -> RubricData:
    # Rubrics are immutable (frozen dataclasses): one parse per text is enough.
    return parse_rubric(text)


def save_rubric(office: Agency, user: Any, text: str) -> Rubric:
    """A new version (RubricError when the text is not a valid rubric)."""
    parsed = parse_rubric(text)
    last = Rubric.objects.filter(office=office).order_by("-version").first()
    return Rubric.objects.create(office=office, version=(last.version + 1) if last else 1, name=parsed.name[:200], text=text,
                                 created_by=user)


def rubric_text(office: Agency) -> str:
    latest = Rubric.objects.filter(office=office).order_by("-version").first()
    return latest.text if latest else default_rubric_text()


def import_file_for(office: Agency, agency: Agency, user: Any, name: str, data: bytes, year: int | None = None) -> dict[str, Any]:
    """An agency's own report (a republished version) filed for the office, with no
    matching: who uploads it says whose it is. The newest version becomes current."""
    from ogi.corpus.batch import read_many

    with tempfile.TemporaryDirectory(prefix="ogi-upload-") as tmp:
        f = Path(tmp) / (Path(name).name or "file")
        f.write_bytes(data)
        [(_, report, err)] = read_many([f], jobs=1)
    if err is not None or report is None:
        return {"error": err.message_zh if err else "无法读取", "row": None}
    if year is not None and report.year != year:
        return {"error": f"这份报告是 {report.year or '未知'} 年度的，不是 {year} 年度的", "row": None}
    if report.year is None:
        return {"error": "未能确定报告年度，请核对文件", "row": None}
    region, by_name = region_of(office)
    if agency.name not in region.agencies:
        return {"error": "该机关不在监督机关的所辖范围内", "row": None}
    a = region[agency.name]
    report.kind, report.level = a.kind, a.level
    item = Collected(name, report, report.agency, Match("assigned", agency.name, "person"), agency.name)
    with transaction.atomic():
        old = CollectedReport.objects.filter(office=office, agency=agency, year=report.year, state="current").first()
        if old is not None:
            old.state = "replaced"
            old.save(update_fields=["state", "updated_at"])
        row = _store(office, user, item, data, "current", by_name)
        recheck(office)
    row.refresh_from_db()
    return {"error": None, "row": row}


def standing(office: Agency, year: int) -> tuple[Region, list[Timeliness], dict[str, dict[str, Any]]]:
    """Timeliness of every agency for `year` from the stored fields alone (no Report is
    rebuilt), and each agency's current report of the year ({"pk", "kept"}): what the
    lists, the ranking and the dashboard need at region scale."""
    # The day is part of the key: a report missing today may be not yet due, and tomorrow late.
    return cached(office, f"standing:{year}:{clock.today()}", lambda: _standing(office, year))


def _standing(office: Agency, year: int) -> tuple[Region, list[Timeliness], dict[str, dict[str, Any]]]:
    region, by_name = region_cached(office)
    name_of = {pk: name for name, pk in by_name.items()}
    rows = {name_of[k.agency_id]: {"pk": k.pk, "kept": k} for k in kept.rows(office, year) if k.agency_id in name_of}
    day = clock.today()
    times = [judge_date(a, year, a.name in rows, rows[a.name]["kept"].published_on if a.name in rows else None, day)
             for a in listed(office)]
    return region, times, rows


def scores_of(office: Agency, year: int, rubric: RubricData, version: int = 0) -> tuple[Region, list[Score], dict[str, dict[str, Any]]]:
    """Every agency's score of `year` (`version`: the rubric's, part of the cache key)."""
    return cached(office, f"scores:{year}:{version}:{clock.today()}", lambda: _scores(office, year, rubric, version))


# Each agency's last score per (office, year, rubric version), with the rubric and what
# each score was computed from: after a change of the region only the agencies whose report
# or timeliness changed are scored again (and only their findings read).
_SCORES: OrderedDict[tuple[int, int, int], tuple[RubricData, dict[str, tuple[Any, Score]]]] = OrderedDict()
_SCORES_KEPT = 8


def _scores(office: Agency, year: int, rubric: RubricData, version: int) -> tuple[Region, list[Score], dict[str, dict[str, Any]]]:
    region, times, rows = standing(office, year)
    key = (office.pk, year, version)
    with _CACHE_LOCK:
        kept_rubric, before = _SCORES.get(key, (None, {}))
    if kept_rubric != rubric:  # the built-in rubric may change with ogi while its version stays 0
        before = {}
    basis = {t.agency: (t, rows[t.agency]["pk"], rows[t.agency]["kept"].stamp) if t.agency in rows else (t, None, None)
             for t in times}
    stale = [t.agency for t in times if t.agency not in before or before[t.agency][0] != basis[t.agency]]
    found: dict[int, tuple[Any, Any]] = {}
    pks = [rows[a]["pk"] for a in stale if a in rows]
    for i in range(0, len(pks), 500):
        found.update((pk, (f, r)) for pk, f, r in CollectedReport.objects.filter(pk__in=pks[i:i + 500])
                     .values_list("pk", "findings", "repetition"))
    now = dict(before)
    for a in stale:
        t = basis[a][0]
        f, rep = found.get(rows[a]["pk"], ([], {})) if a in rows else ([], {})
        findings = [finding_from_json(x) for x in stored.findings(f)]
        now[a] = (basis[a], score(rubric, Facts(a, year, t, findings, dict(stored.mapping(rep)))))
    now = {t.agency: now[t.agency] for t in times}
    with _CACHE_LOCK:
        _SCORES[key] = (rubric, now)
        _SCORES.move_to_end(key)
        while len(_SCORES) > _SCORES_KEPT:
            _SCORES.popitem(last=False)
    return region, [now[t.agency][1] for t in times], rows


def benchmarks_of(office: Agency, year: int) -> tuple[Region, list[PeerGroup]]:
    """The peer benchmarks of `year` (benchmarks.yaml) from the stored figures alone."""
    return cached(office, f"benchmarks:{year}", lambda: _benchmarks(office, year))


def _benchmarks(office: Agency, year: int) -> tuple[Region, list[PeerGroup]]:
    region, _, rows = standing(office, year)
    values = {name: dict(zip(MEASURES, r["kept"].measures, strict=True)) for name, r in rows.items()}
    config = default_benchmarks()
    return region, peer_groups(region, benchmark_values(region, values, config), config)
