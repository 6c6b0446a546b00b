"""Figures and dates as Chinese reports print them."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ogi.textnorm import (
    cn_number,
    label_diff_zh,
    looks_like_figure,
    nfkc,
    norm_label,
    parse_date,
    parse_figure,
    squash,
)


@pytest.mark.parametrize(("raw", "state", "number"), [
    ("0", "value", 0), (" 12 ", "value", 12), ("１２", "value", 12), ("1,234", "value", 1234), ("3件", "value", 3),
    ("", "blank", None), ("\u3000", "blank", None), ("—", "dash", 0), ("/", "dash", 0), ("无", "dash", 0),
    ("-", "dash", 0), ("2.5", "value", Decimal("2.5")), ("-3", "value", -3), ("+2", "value", 2),
    ("十二", "missing", None), ("见附表", "missing", None),
    # Zero as a character; a thousands separator before 件; footnote marks after the figure.
    ("〇", "value", 0), ("零", "value", 0), ("3,001件", "value", 3001), ("1,2345", "missing", None),
    ("3119¹", "value", 3119), ("3119①", "value", 3119), ("3119 *", "value", 3119), ("34²³", "value", 34),
])
def test_counts(raw, state, number):
    fig = parse_figure(raw)
    assert (fig.state, fig.number) == (state, number)


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["", "件", "¹", "②", "*"]))
def test_any_printed_count_reads_back(n, after):
    assert parse_figure(str(n) + after).number == n
    assert parse_figure(f"{n:,}" + after).number == n


@given(st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False))
def test_wan_yuan_amounts_convert_exactly(d):
    fig = parse_figure(format(d, "f"), "yuan", "万元")
    assert fig.number == d * 10000


def test_dates():
    assert parse_date("2021年1月21日") == dt.date(2021, 1, 21)
    assert parse_date("二〇二一年一月二十一日") == dt.date(2021, 1, 21)
    assert parse_date("二○二四年十二月三十一日") == dt.date(2024, 12, 31)
    assert parse_date("2026 年 1 月 23 日") == dt.date(2026, 1, 23)
    assert parse_date("2021-02-30") is None
    assert cn_number("二十") == 20 and cn_number("十一") == 11 and cn_number("2021") == 2021


def test_labels():
    assert norm_label("（二）部分公开（区分处理的，只计这一情形，不计其他情形）") == "部分公开区分处理的只计这一情形不计其他情形"
    assert norm_label("5.要求行政机关确认") == norm_label("5．要求行政机关确认") == "要求行政机关确认"
    assert norm_label("三、本年度办理结果") == "本年度办理结果"
    assert norm_label("第二十条第（一）项") == "第二十条第一项"
    assert label_diff_zh("第一项家第二项", "第一项加第二项") == "“家”应为“加”"
    assert label_diff_zh("上年政府", "上年结转政府") == "缺少“结转”"


# Text as reports print it, plus what makes NFKC hard: combining marks after a full-width
# letter, Hangul jamo, ligatures, enclosed numbers, and any other code point.
_TRICKY = st.sampled_from([*"，（）：；！？％\xa0\u3000ＡＢａ１２３＿－．／「」“”、。·…①⑩㈠㎡ﬁ",
                           "\u0301", "\u0308", "\u0327", "\u1100", "\u1161", "\u11a8", "\u3099", "\uff9e", "か"])
_TEXT = st.lists(st.one_of(_TRICKY, st.characters(), st.sampled_from(list("报告政府信息公开2021年")))).map("".join)


@given(_TEXT)
def test_nfkc_is_unicode_nfkc(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_of_report_lines():
    line = "（一）主动公开政府信息情况：２０２１年，本机关共发布信息１２条；\u3000其中ｶﾞ、ﬁ、①"
    assert nfkc(line) == unicodedata.normalize("NFKC", line)
    assert nfkc("A\u0301") == "\u00c1" and nfkc("Ａ\u0301") == "\u00c1"


@given(_TEXT)
def test_squash_drops_exactly_the_unicode_spaces(text):
    assert squash(text) == re.sub(r"[\s\u3000\u00a0]+", "", text)
    assert squash(f" \u3000{text}\u00a0\t\u2003") == squash(text)


@pytest.mark.parametrize(("raw", "number"), [
    ("−9", -9), ("–9", -9), ("减少9", -9), ("增加9", 9), ("− 12", -12), ("减少1,204", -1204),
])
def test_a_change_printed_with_another_minus_or_in_words_keeps_its_sign(raw, number):
    fig = parse_figure(raw, "signed_count")
    assert (fig.state, fig.number) == ("value", number)
    assert looks_like_figure(raw)


@pytest.mark.parametrize("raw", ["−", "减少", "增加工作", "减少了九件"])
def test_a_sign_or_word_without_digits_is_not_a_figure(raw):
    assert parse_figure(raw, "signed_count").state == "missing"
    assert not looks_like_figure(raw)


@given(st.integers(min_value=-10**6, max_value=10**6), st.sampled_from(["\u2212", "\u2013", "-", "减少"]))
def test_any_decrease_reads_back_negative(n, minus):
    raw = f"{minus}{abs(n)}" if n < 0 else f"增加{n}"
    assert parse_figure(raw, "signed_count").number == n
