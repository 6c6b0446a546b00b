"""The demo region: the demo's supervising office gets districts and departments named as
the agencies of the development corpus, and their real published reports imported through
the ordinary upload path (matching, queue, versions). For the demo only:

- the official PDFs print no date; they get the publication dates below, as if read off
  the portals, one of them after its deadline (the late agency);
- 沭阳县发展和改革局's 2024 report is its 2023 report carried over with the year changed
  (the 年年雷同 case);
- the demo's two ledger departments have no collected report (the missing agencies), and
  the OCR reading of 沭阳县人民政府 (printed 沐阳) waits in the queue for a person."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from ogi.ingest.load import load_report
from ogi.render import render
from ogi.web.accounts.models import Agency
from ogi.web.demo.ledger import SUPERVISOR
from ogi.web.supervision import services
from ogi.web.supervision.models import CollectedReport

# (name, code, kind, level, parent or None for the office, aliases)
TREE = [
    ("淮安市人民政府", "HAS", "government", "city", None, ()),
    ("淮安市洪泽区人民政府", "HZQ", "government", "county", None, ()),
    ("沭阳县人民政府", "SYX", "government", "county", None, ()),
    ("沭阳县发展和改革局", "SYFG", "department", "county", "沭阳县人民政府", ("沭阳县发改局",)),
    ("长春市绿园区商务局", "LYSW", "department", "county", None, ()),
    ("开封市商务局", "KFSW", "department", "city", None, ()),
    ("上海市科学技术委员会", "SHKW", "department", "province", None, ("上海市科委",)),
    ("上海市人民政府办公厅", "SHBGT", "department", "province", None, ()),
]
SAMPLES = ["kaifeng-swj-2019.txt", "lvyuan-swj-2020.txt"]
CORPUS = ["pdf/huaian-gov-2024.pdf", "pdf/hongze-gov-2023.pdf", "pdf/hongze-gov-2024.pdf", "html/shuyang-fgj-2023.html",
          "docx/shuyang-fgj-2023.docx", "text/shanghai-kewei-2024.md", "text/shanghai-office-2025.md",
          "text/shuyang-gov-2025.txt"]
# Demo publication dates of the PDFs (which print none): 洪泽区 2024 is 13 days late (20 February).
PUBLISHED = {("淮安市人民政府", 2024): dt.date(2025, 3, 6), ("淮安市洪泽区人民政府", 2023): dt.date(2024, 2, 8),
             ("淮安市洪泽区人民政府", 2024): dt.date(2025, 3, 5)}


def corpus_dir() -> Path | None:
    """The development corpus: OGI_SHARED, else shared/ beside the repository."""
    env = os.environ.get("OGI_SHARED")
    base = Path(env) if env else Path(__file__).resolve().parents[5] / "shared"
    return base / "corpus" if (base / "corpus").is_dir() else None


def _carried_over(html: Path) -> bytes:
    """The 2023 report as a 2024 one with nothing but the year changed."""
    r = load_report(html)
    r.year, r.issued_on = 2024, dt.date(2025, 1, 20)
    r.title = (r.title or "").replace("2023", "2024")
    r.year_evidence = {"title": 2024}
    return render(r, "md")


def create_demo_region() -> dict[str, Any]:
    office = Agency.objects.get(code=SUPERVISOR[1])
    if CollectedReport.objects.filter(office=office).exists():
        return region_summary(office)
    with transaction.atomic():
        if not office.level:
            office.level = "city"
            office.save(update_fields=["level"])
        made: dict[str, Agency] = {}
        for name, code, kind, level, parent, aliases in TREE:
            made[name], _ = Agency.objects.get_or_create(
                name=name, defaults={"code": code, "kind": kind, "level": level, "aliases": list(aliases),
                                     "parent": made[parent] if parent else office})
    samples = Path(__file__).resolve().parents[2] / "data" / "samples"
    uploads = [(f, (samples / f).read_bytes()) for f in SAMPLES]
    corpus = corpus_dir()
    if corpus is not None:
        uploads += [(Path(f).name, (corpus / f).read_bytes()) for f in CORPUS if (corpus / f).exists()]
        html = corpus / "html" / "shuyang-fgj-2023.html"
        if html.exists():
            uploads.append(("沭阳县发改局-2024.md", _carried_over(html)))
    services.import_uploads(office, None, uploads)
    for (name, year), on in PUBLISHED.items():
        CollectedReport.objects.filter(office=office, agency__name=name, year=year, state="current").update(
            published_on=on, updated_at=timezone.now())
    return region_summary(office)


def region_summary(office: Agency) -> dict[str, Any]:
    rows = CollectedReport.objects.filter(office=office)
    return {"office": office.name, "current": rows.filter(state="current").count(),
            "queued": rows.filter(state="queued").count(), "replaced": rows.filter(state="replaced").count()}
