"""The ledger's letters: which event issues which notice, the fields it is filled from,
the agency's 文号 counter, and the stored letter as DOCX or PDF. The wording is template
data (ogi.records.letters); nothing here writes a sentence of a letter."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from ogi.records import letters as L
from ogi.render import letters as draw
from ogi.web.accounts.models import Agency
from ogi.workdays import deadline
from ogi.workflow.requests import CORRECTION_PERIOD_DAYS, Refused, due_of

from .models import CHANNELS, Event, Letter, LetterCounter, Request

# The notice each workflow event sends (条例第三十条、第三十二条、第三十三条、第四十二条), and
# the closing events whose reply letter tells the applicant why the request ends.
LETTER_OF_EVENT = {"request_correction": "correction", "extend": "extension", "fee_notice": "fee",
                   "start_consultation": "consultation", "answer": "reply", "correction_lapsed": "reply",
                   "fee_lapsed": "reply", "withdraw": "reply"}
BASIS_ZH = {"per_request": "按件计收", "per_page": "按量计收"}
# The letters whose wording takes the event's note, and as which of their fields.
NOTE_INTO = {"correction": "items", "extension": "reason"}


def note_label(event: str) -> str | None:
    """The note's label where the event's letter prints it to the applicant (a staff remark
    went out in the 补正告知书 under a field labelled 说明); None where no letter does."""
    kind = LETTER_OF_EVENT.get(event)
    if kind not in NOTE_INTO:
        return None
    return f"{L.FIELDS[NOTE_INTO[kind]]}（写入{L.templates()['letters'][kind]['label']}，申请人可见）"


def next_number(agency: Agency, year: int) -> int:
    """The agency's next 文号 number of the year. Call inside the issuing transaction: the
    row stays locked by the increment until it commits, so concurrent letters queue."""
    for _ in range(3):
        if LetterCounter.objects.filter(agency=agency, year=year).update(last=F("last") + 1):
            return LetterCounter.objects.get(agency=agency, year=year).last
        try:
            with transaction.atomic():
                LetterCounter.objects.create(agency=agency, year=year, last=0)
        except IntegrityError:
            pass  # created by a concurrent letter meanwhile: increment that one
    raise Refused("文号编号冲突，请重试", "conflict")


def _due(r: Request, on: dt.date) -> dict[str, Any]:
    """The due date as a letter states it, and whether it is an estimate (the letter then
    says so in a sentence of its own: inside the date's brackets it nested two deep)."""
    d = due_of(r, on)
    return {"due": d.due, "due_estimated": "是" if d.due is not None and d.provisional else None}


def _counted_over_unpublished(r: Request) -> bool:
    """Whether the correction period's end was counted (not given by staff) over a year whose
    holidays are not yet published."""
    asked = r.correction_requested_on
    if asked is None or r.correction_due is None:
        return False
    d = deadline(asked, CORRECTION_PERIOD_DAYS)
    return bool(d.estimated_years) and d.due == r.correction_due


def _fields(r: Request, kind: str, on: dt.date, inputs: dict[str, Any]) -> dict[str, Any]:
    from .services import RECEIPT_RULE

    f: dict[str, Any] = {"applicant": r.applicant_name, "tracking_no": r.tracking_no, "received_on": r.received_on,
                         "content": r.content}
    note = str(inputs.get("note") or "").strip()
    if kind == "receipt":
        f |= {"channel": dict(CHANNELS).get(r.channel, ""), "receipt_rule": RECEIPT_RULE.get(r.channel, ""),
              **_due(r, on), "query_code": r.query_code}
    elif kind == "correction":
        f |= {NOTE_INTO[kind]: note, "correction_due": r.correction_due,
              "correction_due_estimated": "是" if _counted_over_unpublished(r) else None}
    elif kind == "extension":
        f |= {NOTE_INTO[kind]: note, "days": r.extension_days, **_due(r, on)}
    elif kind == "fee":
        basis = BASIS_ZH.get(str(inputs.get("basis") or ""), "")
        if inputs.get("basis") == "per_page" and inputs.get("pages"):
            basis += f"（共{inputs['pages']}页）"
        f |= {"basis": basis, "amount": r.fee_amount}
    elif kind == "consultation":
        f |= {"party": inputs.get("party") or ""}
    else:
        f |= {"correction_requested_on": r.correction_requested_on, "fee_notice_on": r.fee_notice_on}
    return f


def parse_withheld(value: Any, overrides: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """The withheld parts of a 部分公开 answer: a list of (part, ground) or text, one part a
    line as “内容｜理由”, the reason by its short name (国家秘密、第三方合法权益 …)."""
    if isinstance(value, list | tuple):
        return [(str(p), str(g)) for p, g in value]
    grounds = L.templates(overrides)["grounds"]
    out = []
    for line in str(value or "").splitlines():
        if not line.strip():
            continue
        part, sep, reason = line.replace("|", "｜").rpartition("｜")
        reason = reason.strip()
        code = next((c for c, g in grounds.items() if reason in (c, g.get("short"), g["reason"], *g.get("also", ()))), None)
        if code is None and reason:
            # A reason written out ("涉及商业秘密，依据条例第十五条") names its ground: taken when it
            # names exactly one.
            named = {c for c, g in grounds.items() for w in (g.get("short"), *g.get("also", ())) if w and w in reason}
            code = named.pop() if len(named) == 1 else None
        if not sep or code is None:
            names = "、".join(g["short"] for g in grounds.values() if g.get("short"))
            raise Refused(f"“{line.strip()[:40]}”：请按“不予公开的内容｜理由”填写，理由为以下之一：{names}", "bad_input")
        out.append((part.strip(), code))
    return out


def issue(r: Request, kind: str, on: dt.date, actor, inputs: dict[str, Any] | None = None,  # type: ignore[no-untyped-def]
          event: Event | None = None) -> Letter:
    """Compose, number and store one letter. Raises Refused (with the letter's own reason)
    when it cannot be written, and the caller's transaction then issues nothing."""
    inputs = inputs or {}
    agency = r.agency
    own = agency.letter_templates or {}
    withheld = parse_withheld(inputs.get("withheld"), own) if r.outcome == "partial" and kind == "reply" else []
    try:
        draft = L.compose(kind, _fields(r, kind, on, inputs), agency=agency.name, issued_on=on, number="",
                          overrides=own, outcome=r.outcome, withheld=withheld)
    except L.LetterError as e:
        raise Refused(e.message_zh, "letter") from None
    with transaction.atomic():
        n = next_number(agency, on.year)
        number = L.format_number(L.templates(own)["number_pattern"], agency.letter_prefix or agency.name, on.year, n)
        letter = dataclasses.replace(draft, number=number)
        return Letter.objects.create(request=r, agency=agency, event=event, kind=kind, year=on.year, seq=n, number=number,
                                     issued_on=on, title=letter.title, addressee=letter.to,
                                     paragraphs=list(letter.paragraphs), issued_by=actor)


def for_event(r: Request, event: Event, inputs: dict[str, Any], actor) -> Letter | None:  # type: ignore[no-untyped-def]
    kind = LETTER_OF_EVENT.get(event.event)
    if kind is None or event.on is None:
        return None
    return issue(r, kind, event.on, actor, inputs, event)


def as_letter(row: Letter) -> L.Letter:
    return L.Letter(kind=row.kind, label=row.get_kind_display(), title=row.title, number=row.number, to=row.addressee,
                    paragraphs=tuple(row.paragraphs), agency=row.agency.name, issued_on=row.issued_on)


def docx_of(row: Letter) -> bytes:
    return draw.to_docx(as_letter(row))


def pdf_of(row: Letter) -> bytes:
    """The PDF, made once through LibreOffice and kept: what was sent stays what is shown."""
    if row.pdf:
        return bytes(row.pdf)
    try:
        pdf = draw.to_pdf(draw.to_docx(draw.printable(as_letter(row))[0]))
    except L.LetterError as e:
        raise Refused(e.message_zh, e.code) from None
    Letter.objects.filter(pk=row.pk).update(pdf=pdf)
    return pdf
