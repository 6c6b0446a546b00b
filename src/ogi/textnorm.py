"""Text helpers shared by readers, locator and checks: label normalisation, numbers as
printed in the tables, Chinese dates."""

from __future__ import annotations

import contextvars
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from .ingest.limits import current as current_limits

# Characters that are never content in a label or a figure: ASCII/CJK punctuation,
# spaces of every width, and the quotes and brackets Word likes to substitute.
_PUNCT = re.compile(r"[\s\u3000\u00a0\u200b\ufeff\W_]+", re.UNICODE)

_CN_DIGITS = "〇零一二三四五六七八九十百"
# Leading numbering of a heading or row label: 一、 （一） (一) 1. 1、 1． ① 第一部分 …
_NUMBERING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+\s*[、.．]"
    r"|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]\s*[、.．]?|\d{1,2}\s*[、.．)）](?!\d)|[①-⑳])\s*"
)
_PAREN_NUMBERING = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十\d]+\s*[)）]")

DASHES = frozenset({"—", "——", "－", "-", "–", "―", "/", "／", "\\", "无", "—/—", "--"})


@cache
def _compat_table() -> dict[int, str]:
    """Each character of the blocks Chinese text takes its compatibility forms from
    (Latin-1, general punctuation, enclosed numbers, CJK symbols, half/full-width forms)
    mapped to its NFKD decomposition."""
    blocks = [(0xA0, 0x250), (0x2000, 0x2100), (0x2150, 0x2190), (0x2460, 0x2500), (0x3000, 0x3100),
              (0x3200, 0x3400), (0xFE30, 0xFFF0)]
    out = {}
    for lo, hi in blocks:
        for cp in range(lo, hi):
            d = unicodedata.normalize("NFKD", chr(cp))
            if d != chr(cp):
                out[cp] = d
    return out


# The forms nearly every line of a Chinese report prints: replaced by str.replace, a
# fast scan, before anything slower is tried.
_FREQUENT = tuple((c, unicodedata.normalize("NFKD", c)) for c in "，（）：；\xa0\u3000！？％")


# Within `normalising_once`: each distinct text normalised so far (a document's paragraphs
# are asked for many times over, by the metadata, the sections and the locator).
_once: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("ogi_nfkc_once", default=None)


@contextmanager
def normalising_once() -> Iterator[None]:
    """Within this, nfkc normalises each distinct text once (one document's reading)."""
    token = _once.set({})
    try:
        yield
    finally:
        _once.reset(token)


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text); once per distinct text within normalising_once."""
    seen = _once.get()
    if seen is None:
        return _nfkc(text)
    out = seen.get(text)
    if out is None:
        out = seen[text] = _nfkc(text)
    return out


def _nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), about twenty times faster on Chinese text.

    NFKC is slow on CJK text (every full-width comma sends a line down the slow path).
    Replacing a character by its compatibility decomposition leaves a string's NFKC
    unchanged, so when the replaced text passes the exact `is_normalized` test it is the
    answer; otherwise the full normalisation is done."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    t = text
    for a, b in _FREQUENT:
        if a in t:
            t = t.replace(a, b)
    if unicodedata.is_normalized("NFKC", t):
        return t
    t = text.translate(_compat_table())
    if unicodedata.is_normalized("NFKC", t):
        return t
    return unicodedata.normalize("NFKC", text)


# What text pasted from Word or a web page carries unseen: zero-width characters (and the
# soft hyphen) that would be printed into the published DOCX and PDF, and no-break spaces
# that would keep words glued there. The full-width space (U+3000) is the office's
# paragraph indent and stays; so do the line breaks.
_PASTED = str.maketrans({"\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
                         "\u00ad": None, "\u00a0": " ", "\u202f": " ", "\u2007": " "})


def clean_typed(text: str) -> str:
    """Narrative text as typed or pasted, with the invisible characters of _PASTED dropped
    and no-break spaces made ordinary spaces."""
    return text.translate(_PASTED)


def strip_numbering(text: str) -> str:
    return _NUMBERING.sub("", text, count=1)


def numbering(text: str) -> str | None:
    """The numbering prefix of a label, or None."""
    m = _NUMBERING.match(text)
    return m.group(0).strip() if m else None


def is_parenthesised_numbering(text: str) -> bool:
    return bool(_PAREN_NUMBERING.match(text))


def strip_punct(text: str) -> str:
    """Punctuation and spaces removed, character by character (the last step of
    norm_label)."""
    return _PUNCT.sub("", text)


@lru_cache(maxsize=65536)
def norm_label(text: str) -> str:
    """A label reduced to what distinguishes it: numbering, punctuation, spaces and
    full/half-width differences removed."""
    t = nfkc(text)
    t = strip_numbering(t)
    return _PUNCT.sub("", t)


def squash(text: str) -> str:
    """Whitespace removed (PDF and OCR text puts spaces between CJK characters). str.split
    splits at exactly the characters the regular expression's \\s matches, and faster."""
    return "".join(text.split())


@lru_cache(maxsize=4096)  # the same misprinted labels recur across an agency's reports and a batch
def label_diff_zh(found: str, standard: str) -> str:
    """A short Chinese description of how a printed label differs from the standard."""
    a, b = norm_label(found), norm_label(standard)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "replace":
            parts.append(f"“{a[i1:i2]}”应为“{b[j1:j2]}”")
        elif op == "delete":
            parts.append(f"多出“{a[i1:i2]}”")
        elif op == "insert":
            parts.append(f"缺少“{b[j1:j2]}”")
    return "；".join(parts) or "标点或编号不同"


@lru_cache(maxsize=4096)
def label_diff_en(found: str, standard: str) -> str:
    a, b = norm_label(found), norm_label(standard)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "replace":
            parts.append(f"'{a[i1:i2]}' should be '{b[j1:j2]}'")
        elif op == "delete":
            parts.append(f"extra '{a[i1:i2]}'")
        elif op == "insert":
            parts.append(f"missing '{b[j1:j2]}'")
    return "; ".join(parts) or "punctuation or numbering only"


# --- figures --------------------------------------------------------------------------

_NUM = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)$")
_MONEY = re.compile(r"^([+-]?\d+(?:\.\d+)?)(万元|万|元)?$")
_COUNT_SUFFIX = re.compile(r"(件|个|项|次|人|宗|条|家)$")


class Figure:
    """What a printed cell says: one of four states and, for value/dash, a number.
    Shared between calls (parse_figure is cached): never modified."""

    __slots__ = ("number", "problem", "state")

    def __init__(self, state: str, number: int | Decimal | None = None, problem: str | None = None):
        self.state = state
        self.number = number
        self.problem = problem

    def __repr__(self) -> str:
        return f"Figure({self.state!r}, {self.number!r})"


_BLANKS = re.compile(r"[\s\u00a0\u200b\ufeff]+")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")  # (3,001件: 件 is a word character)
# A footnote mark after a figure (3119¹, 3119①, 3119*, 3119注, 3119注¹, 3119⁽¹⁾): NFKC
# would make ¹ and ① digits of it. Readers write a mark set smaller or raised (a
# superscript run) with its digits in superscript digits: 注1 printed on the line is no mark.
SUPERSCRIPT_DIGITS = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
_MARKS = "\u00b9\u00b2\u00b3\u2070\u2074-\u2079\u2460-\u249b\u24ea\u2776-\u2793*＊※#＃△▲†‡"
_MARK = rf"(?:注[{_MARKS}]*|[{_MARKS}]+)"
_MARK_OPEN, _MARK_CLOSE = "(（⁽[【", ")）⁾]】"
_OPENS_MARK = re.compile(rf"[注{_MARKS}{re.escape(_MARK_OPEN)}]")


def opens_mark(ch: str) -> bool:
    """Whether a character set small after a figure may begin its footnote mark (注, *, ①, a
    bracket), the mark's digits following it."""
    return _OPENS_MARK.fullmatch(ch) is not None


def closes_mark(ch: str) -> bool:
    """Whether a character closes a bracketed footnote mark (（注）, [1])."""
    return len(ch) == 1 and ch in _MARK_CLOSE


_FOOTNOTE_MARK = re.compile(rf"(?<=\d)\s*(?:{_MARK}|[{re.escape(_MARK_OPEN)}]{_MARK}[{re.escape(_MARK_CLOSE)}])\s*$")
# Zero written as a character (〇, ○, 零) in a cell of its own.
_ZERO_WORDS = frozenset({"〇", "○", "零"})
# A change (本年增/减) printed with a minus NFKC leaves alone (− U+2212, – en dash) or
# in words (减少9, 增加9): the sign of the figure, never a dash, since a digit follows.
_SIGN_WORDS = re.compile(r"^(?:[\u2212\u2013]|减少)(?=\d)|^增加(?=\d)")


def _clean(raw: str) -> str:
    t = _BLANKS.sub("", nfkc(_FOOTNOTE_MARK.sub("", raw)))
    if t in _ZERO_WORDS:
        return "0"
    if t[:1] in "\u2212\u2013减增":
        t = _SIGN_WORDS.sub(lambda m: "" if m.group().startswith("增") else "-", t, count=1)
    # Thousands separators only between digits.
    return _THOUSANDS.sub("", t)


@lru_cache(maxsize=65536)
def looks_like_figure(raw: str) -> bool:
    """Whether a cell reads as a figure (or a blank or dash) rather than a label."""
    t = _clean(raw)
    if not t or t in DASHES:
        return True
    t = _COUNT_SUFFIX.sub("", t)
    return bool(_NUM.match(t) or _MONEY.match(t))


def parse_figure(raw: str | None, unit: str = "count", printed_in: str | None = None) -> Figure:
    """Read a printed cell. `unit` is count, signed_count or yuan; `printed_in` says in
    which unit a money cell is printed ("万元", or "cell" when the cell says it).
    A number longer than the number_digits limit is not read (no arithmetic on it):
    the cell is missing and value.type reports it."""
    return _parse_figure(raw, unit, printed_in, current_limits().number_digits)


def too_long(raw: str | None, max_digits: int | None = None) -> int | None:
    """The count of digits of a printed figure when it is longer than the limit, else None."""
    if not raw:
        return None
    if max_digits is None:
        max_digits = current_limits().number_digits
    # Cheap before normalising: a short cell cannot hold too many digits.
    if len(raw) <= max_digits:
        return None
    digits = sum(ch.isdigit() for ch in _clean(raw))
    return digits if digits > max_digits and looks_like_figure(raw) else None


@lru_cache(maxsize=65536)
def _parse_figure(raw: str | None, unit: str, printed_in: str | None, max_digits: int) -> Figure:
    if raw is None:
        return Figure("missing", problem="无内容")
    t = _clean(raw)
    if not t:
        return Figure("blank")
    if t in DASHES:
        return Figure("dash", 0)
    digits = sum(ch.isdigit() for ch in t)
    if digits > max_digits and looks_like_figure(raw):
        return Figure("missing", problem=f"数字位数过多（{digits} 位，上限 {max_digits} 位）")
    if unit == "yuan":
        m = _MONEY.match(t)
        if not m:
            return Figure("missing", problem="无法识别为金额")
        try:
            amount = Decimal(m.group(1))
        except InvalidOperation:
            return Figure("missing", problem="无法识别为金额")
        written = m.group(2)
        if printed_in == "万元":
            factor = 1 if written == "元" else 10000
        else:
            factor = 10000 if written in ("万元", "万") else 1
        return Figure("value", normalize_decimal(amount * factor))
    t = _COUNT_SUFFIX.sub("", t)
    m = _NUM.match(t)
    if not m:
        return Figure("missing", problem="无法识别为数字")
    sign, digits = m.groups()
    d = Decimal(digits)
    if sign == "-":
        d = -d
    if d == d.to_integral_value():
        return Figure("value", int(d))
    return Figure("value", d)


def normalize_decimal(d: Decimal) -> Decimal:
    n = d.normalize()
    # normalize() writes 21000 as 2.1E+4; quantize back to a plain integer when whole.
    if n == n.to_integral_value():
        return n.quantize(Decimal(1))
    return n


def decimal_text(d: Decimal | int) -> str:
    return format(normalize_decimal(Decimal(d)), "f")


def money_text(yuan: Decimal | int, printed_in: str | None) -> str:
    """An amount in 元 as a table prints it: in 万元 where the column says so, with its
    unit where the cell carries it."""
    if printed_in == "万元":
        return decimal_text(Decimal(yuan) / 10000)
    if printed_in == "cell":
        return f"{decimal_text(yuan)}元"
    return decimal_text(yuan)


# --- dates -----------------------------------------------------------------------------

_CN_NUM = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_CN_NUM["零"] = 0
_CN_NUM["○"] = 0
_CN_NUM["Ｏ"] = 0
_CN_NUM["O"] = 0


def cn_number(text: str) -> int | None:
    """二〇二一 → 2021, 十二 → 12, 二十一 → 21, 12 → 12."""
    t = text.strip()
    if t.isdigit():
        return int(t)
    if not t:
        return None
    if "十" in t:
        left, _, right = t.partition("十")
        tens = _CN_NUM.get(left, None) if left else 1
        ones = _CN_NUM.get(right, None) if right else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    digits = [_CN_NUM.get(c) for c in t]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


_CN_CHARS = "〇零○Ｏ一二三四五六七八九十"
DATE_RE = re.compile(
    rf"(?P<y>\d{{4}}|[{_CN_CHARS}]{{4}})\s*年\s*(?P<m>\d{{1,2}}|[{_CN_CHARS}]{{1,2}})\s*月"
    rf"\s*(?P<d>\d{{1,2}}|[{_CN_CHARS}]{{1,3}})\s*日"
)
_ISO_RE = re.compile(r"(?<!\d)(20\d\d)[-./](\d{1,2})[-./](\d{1,2})(?!\d)")


def parse_date(text: str) -> dt.date | None:
    m = DATE_RE.search(text)
    if m:
        y, mo, d = (cn_number(m.group(k)) for k in ("y", "m", "d"))
    else:
        m2 = _ISO_RE.search(text)
        if not m2:
            return None
        y, mo, d = (int(g) for g in m2.groups())
    if y is None or mo is None or d is None:
        return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def is_date_line(text: str) -> bool:
    """A line that is nothing but a date (a signature date), perhaps in brackets."""
    t = squash(nfkc(text)).strip("()（）[]【】")
    m = DATE_RE.fullmatch(t) or _ISO_RE.fullmatch(t)
    return bool(m)
