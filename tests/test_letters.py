"""The notices an office sends: each names its legal basis, the reply letter for every
outcome of table 三 names the ground, its article and the remedies, and no letter goes
out with a gap or a placeholder in it."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from ogi.records.letters import KINDS, LetterError, artefacts, check_templates, clean_content, compose
from ogi.records.outcomes import outcomes
from ogi.render.letters import to_docx, to_pdf, to_pdfs

DAY = dt.date(2026, 3, 20)
BASE = {"applicant": "张小明", "tracking_no": "SWJ-2026-00012", "received_on": dt.date(2026, 3, 2),
        "content": "2025年某地块征收补偿款发放明细。"}

# The article of the Regulation (国务院令第711号) each outcome rests on — written out here
# independently of letters.yaml, so that a wrong article in the template fails.
ARTICLE = {
    "granted": "第三十六条第（二）项", "partial": "第三十七条",
    "withheld.state_secret": "第十四条", "withheld.law_prohibited": "第十四条", "withheld.security_stability": "第十四条",
    "withheld.third_party": "第十五条", "withheld.internal_affairs": "第十六条第一款",
    "withheld.process_info": "第十六条第二款", "withheld.enforcement_file": "第十六条第二款",
    "withheld.query_matter": "第三十六条第（七）项", "unavailable.not_held": "第三十六条第（四）项",
    "unavailable.needs_creation": "第三十八条", "unavailable.unclear": "第三十条",
    "not_processed.petition": "第三十九条第一款", "not_processed.duplicate": "第三十六条第（六）项",
    "not_processed.publication": "第三十九条第二款", "not_processed.excessive": "第三十五条",
    "not_processed.confirm_or_reissue": "第三十九条第一款", "other.no_correction": "第三十条",
    "other.unpaid_fee": "第四十二条", "other.other": "撤回",
}
GROUND_WORDS = {"withheld.state_secret": "国家秘密", "withheld.law_prohibited": "法律、行政法规禁止公开",
                "withheld.security_stability": "社会稳定", "withheld.third_party": "第三方合法权益",
                "withheld.internal_affairs": "内部事务信息", "withheld.process_info": "过程性信息",
                "withheld.enforcement_file": "行政执法案卷", "withheld.query_matter": "特别规定"}


def reply(outcome: str, **kw):  # type: ignore[no-untyped-def]
    fields = {**BASE, "correction_requested_on": dt.date(2026, 3, 5), "fee_notice_on": dt.date(2026, 3, 6)}
    withheld = [("第三方企业的银行账号", "withheld.third_party"), ("内部讨论记录", "withheld.process_info")] \
        if outcome == "partial" else []
    return compose("reply", fields, agency="某市商务局", issued_on=DAY, number="市商务公开〔2026〕第12号",
                   outcome=outcome, withheld=withheld, **kw)


def test_every_outcome_of_table_three_has_a_reply_letter():
    assert set(ARTICLE) == set(outcomes())


@pytest.mark.parametrize("outcome", list(outcomes()))
def test_reply_letter_names_ground_basis_and_remedies(outcome):
    letter = reply(outcome)
    text = letter.text
    assert ARTICLE[outcome] in text
    if outcome in GROUND_WORDS:
        assert (GROUND_WORDS[outcome] in text and "不予公开" in text) or outcome == "withheld.query_matter"
    for remedy in ("60日内", "行政复议", "6个月内", "行政诉讼"):
        assert remedy in text
    assert artefacts(text) == [] and "{" not in text and "}" not in text
    assert "明细。”" not in text and "明细”。" in text
    assert letter.number == "市商务公开〔2026〕第12号" and letter.number in text


def test_partial_letter_lists_each_withheld_part_with_its_reason_and_article():
    text = reply("partial").text
    assert "不予公开的部分及理由如下：\n1.“第三方企业的银行账号”" in text
    assert "第十五条" in text and "2.“内部讨论记录”，属于行政机关在履行行政管理职能过程中形成的" in text
    assert "第十六条第二款" in text
    with pytest.raises(LetterError) as e:
        compose("reply", BASE, agency="某市商务局", issued_on=DAY, number="1", outcome="partial")
    assert "不予公开的部分" in e.value.message_zh


def test_a_letter_with_a_missing_field_is_refused_naming_it():
    with pytest.raises(LetterError) as e:
        compose("extension", BASE, agency="某市商务局", issued_on=DAY, number="1")
    assert "延长的工作日数" in e.value.message_zh and "答复期限" in e.value.message_zh
    assert e.value.message_en


def notice(kind: str):  # type: ignore[no-untyped-def]
    extra = {"receipt": {"channel": "当面提交", "receipt_rule": "当面提交的，以提交之日为收到申请之日",
                         "due": dt.date(2026, 3, 30), "query_code": "ABCD2345"},
             "correction": {"items": "请写明所需信息的文号或形成时间。", "correction_due": dt.date(2026, 3, 25)},
             "extension": {"reason": "需要调取多个年度的档案", "days": 20, "due": dt.date(2026, 4, 28)},
             "fee": {"basis": "按件计收", "amount": 100},
             "consultation": {"party": "某某置业有限公司"},
             "reply": {}}[kind]
    if kind == "reply":
        return reply("granted")
    return compose(kind, {**BASE, **extra}, agency="某市商务局", issued_on=DAY, number="市商务公开〔2026〕第3号")


@pytest.mark.parametrize(("kind", "article"), [("receipt", "第三十一条"), ("correction", "第三十条"),
                                               ("extension", "第三十三条第二款"), ("fee", "第四十二条"),
                                               ("consultation", "第三十二条")])
def test_each_notice_names_its_article_and_has_no_gaps(kind, article):
    letter = notice(kind)
    assert article in letter.text
    assert artefacts(letter.text) == []


def test_the_consultation_letter_does_not_name_the_applicant():
    letter = notice("consultation")
    assert letter.to == "某某置业有限公司：" and "张小明" not in letter.text and "15个工作日" in letter.text


def test_a_correction_without_items_asks_for_what_article_29_requires():
    letter = compose("correction", {**BASE, "correction_due": DAY}, agency="某市商务局", issued_on=DAY, number="1")
    assert "需要补正的事项：请写明所申请政府信息的名称、文号或者便于查询的其他特征性描述。" in letter.text


def test_extension_and_fee_figures_are_printed():
    assert "延长20个工作日" in notice("extension").text and "2026年4月28日前" in notice("extension").text
    assert "人民币100元" in notice("fee").text
    assert "需要补正的事项：请写明所需信息的文号或形成时间。\n" in notice("correction").text


def test_agency_wording_replaces_the_default_and_bad_edits_are_caught():
    own = {"letters": {"correction": {"title": "补正申请通知书"}},
           "remedy": "如不服本答复，可在60日内申请行政复议，或在6个月内提起行政诉讼。"}
    assert check_templates(own) == []
    letter = compose("correction", {**BASE, "items": "文号", "correction_due": DAY}, agency="某市商务局", issued_on=DAY,
                     number="1", overrides=own)
    assert letter.title == "补正申请通知书" and letter.paragraphs[0].startswith("本机关于")
    assert "如不服本答复" in reply("granted", overrides=own).text
    bad = check_templates({"letters": {"correction": {"paragraphs": ["请于{deadline}前补正"]}}, "number_pattern": "〔{year}〕"})
    assert any("{deadline}" in p for p in bad) and any("{n}" in p for p in bad)


def test_docx_holds_the_letter_text():
    letter = reply("partial")
    doc = Document(io.BytesIO(to_docx(letter)))
    paras = [p.text for p in doc.paragraphs if p.text]
    assert paras[0] == "政府信息公开申请答复书" and paras[1] == "市商务公开〔2026〕第12号"
    assert paras[-2:] == ["某市商务局", "2026年3月20日"]
    assert all(p in paras for p in letter.paragraphs)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_every_letter_converts_to_pdf_through_libreoffice():
    from pypdf import PdfReader

    letters = [notice(kind) for kind in KINDS] + [reply("partial")]
    pdfs = to_pdfs([to_docx(letter) for letter in letters])
    assert to_pdf(to_docx(letters[0])).startswith(b"%PDF")
    for letter, pdf in zip(letters, pdfs, strict=True):
        assert pdf.startswith(b"%PDF")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert letter.number in text.replace(" ", "").replace("\n", "")


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("fc-list") is None, reason="LibreOffice not installed")
def test_a_character_no_font_has_leaves_the_rest_of_the_pdf_letter_whole():
    """A rare character (𪚥, Extension B) in what the applicant wrote made LibreOffice lose its
    font fallback for the whole letter: every 年月日 printed as a box. It is printed as 〓;
    the DOCX keeps it."""
    import pdfplumber

    from ogi.render.letters import MISSING_GLYPH, printable

    letter = compose("receipt", {**BASE, "content": "请公开\U0002a6a5字号文件", "channel": "网上申请", "due": dt.date(2026, 3, 30),
                                 "receipt_rule": "网上提交的，以系统确认之日为收到申请之日", "query_code": "ABCD1234"},
                     agency="某市商务局", issued_on=DAY, number="1")
    shown, missing = printable(letter)
    assert missing == ["\U0002a6a5"] and f"请公开{MISSING_GLYPH}字号文件" in shown.text
    assert "\U0002a6a5" in "".join(p.text for p in Document(io.BytesIO(to_docx(letter))).paragraphs)
    with pdfplumber.open(io.BytesIO(to_pdf(to_docx(shown)))) as pdf:
        fonts = {c["fontname"] for c in pdf.pages[0].chars if c["text"] in "年月日"}
    # Drawn in a CJK font: with the rare character left in, a Latin font without them, as boxes.
    assert fonts and all("CJK" in f for f in fonts), fonts


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_the_signature_never_stands_alone_on_a_page():
    """A receipt whose date fell alone on a second page: the signature goes with the last paragraph."""
    import pdfplumber

    # (Contents of these lengths put the date, or the agency and the date, alone on the last page.)
    letters = [compose("receipt", {**BASE, "content": "文" * n, "channel": "网上申请", "due": dt.date(2026, 3, 30),
                                   "receipt_rule": "网上提交的，以系统确认之日为收到申请之日", "query_code": "ABCD1234"},
                       agency="某市商务局", issued_on=DAY, number="1") for n in (300, 706, 717, 728, 772)]
    signature = {"某市商务局", f"{DAY.year}年{DAY.month}月{DAY.day}日"}
    for n, pdf in enumerate(to_pdfs([to_docx(letter) for letter in letters])):
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            lines = {line.replace(" ", "") for line in (doc.pages[-1].extract_text() or "").splitlines() if line.strip()}
        assert not lines <= signature, (n, lines)


@given(st.text(alphabet="明细表。，；.,  \n的X", max_size=30))
def test_quoted_content_never_doubles_punctuation(raw):
    cleaned = clean_content(raw)
    if not raw.strip():
        return
    letter = compose("reply", {**BASE, "content": raw}, agency="某局", issued_on=DAY, number="1", outcome="granted") \
        if cleaned.rstrip("。，；., ") else None
    if letter is not None:
        assert not any(p in letter.text for p in ("。”。", "，”。", "；”。"))


def test_what_the_records_supply_is_not_taken_for_a_placeholder():
    """A random query code may read XX…, an applicant may be called XX公司: the letter is
    written (about one receipt in 140 was refused as 留有空白或占位符). The template's own
    wording is still checked: an agency's edit that leaves XX in it is refused."""
    fields = {**BASE, "applicant": "XX科技有限公司", "channel": "当面提交", "due": dt.date(2026, 3, 30),
              "receipt_rule": "当面提交的，以提交之日为收到申请之日", "query_code": "XXTGKBZB"}
    letter = compose("receipt", fields, agency="某市商务局", issued_on=DAY, number="市商务公开〔2026〕第3号")
    assert "XXTGKBZB" in letter.text and letter.to.startswith("XX科技有限公司")
    own = {"letters": {"receipt": {"paragraphs": ["本机关于{received_on}收到XX提交的申请（申请编号：{tracking_no}）。"]}}}
    with pytest.raises(LetterError) as e:
        compose("receipt", fields, agency="某市商务局", issued_on=DAY, number="1", overrides=own)
    assert "占位符" in e.value.message_zh


def test_no_stray_space_between_chinese_words_in_any_wording():
    """A YAML folded scalar joins its lines with a space: “第二十条）， 或者” in every reply."""
    import re
    from importlib import resources

    import yaml

    texts: list[str] = []

    def walk(x: object) -> None:
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, str):
            texts.append(x)

    walk(yaml.safe_load(resources.files("ogi").joinpath("records/letters.yaml").read_text(encoding="utf-8")))
    assert len(texts) > 20
    assert [t for t in texts if re.search(r"[\u3000-\u9fff\uff00-\uffef] +[\u3000-\u9fff\uff00-\uffef]", t)] == []


def test_an_estimated_due_date_is_said_in_an_agencys_own_wording_too():
    """The estimate's sentence is a paragraph of the default receipt: an agency that had its own
    wording of the receipt's paragraphs would have lost it."""
    import datetime as dt

    from ogi.records import letters as L

    own = [p for p in L.templates()["letters"]["receipt"]["paragraphs"]
           if not (isinstance(p, dict) and p.get("when") == "due_estimated")]
    custom = {"letters": {"receipt": {"paragraphs": own}}}
    assert L.check_templates(custom) == []
    fields = {"applicant": "张三", "received_on": dt.date(2027, 1, 4), "channel": "网上", "tracking_no": "SWJ-2027-00001",
              "content": "某文件", "receipt_rule": "以提交之日为收到申请之日", "due": dt.date(2027, 2, 1), "query_code": "ABCD"}
    for overrides in (None, custom):
        estimated = L.compose("receipt", {**fields, "due_estimated": "是"}, agency="某局", issued_on=dt.date(2027, 1, 4),
                              number="1", overrides=overrides)
        assert sum("系按周末和法定节假日推定" in p for p in estimated.paragraphs) == 1
        final = L.compose("receipt", fields, agency="某局", issued_on=dt.date(2027, 1, 4), number="1", overrides=overrides)
        assert not any("推定" in p for p in final.paragraphs)


def test_a_template_name_that_does_not_exist_is_refused_not_saved_unused():
    """lettrs, a letter kind of none, a misspelt title: saved, then never used (the admin said 成功修改)."""
    from ogi.records.letters import check_templates

    assert "lettrs" in " ".join(check_templates({"lettrs": {"answer": "x"}}))
    assert "nosuch" in " ".join(check_templates({"letters": {"nosuch": "x"}}))
    assert "titel" in " ".join(check_templates({"letters": {"receipt": {"titel": "x"}}}))
    assert check_templates({"letters": {"receipt": {"title": "政府信息公开申请登记回执"}}}) == []
    # A ground of the agency's own is not a misspelling: it worked before and must stay editable.
    own = {"short": "商业秘密", "reason": "涉及商业秘密", "basis": "第十五条", "quote": "涉及商业秘密……不得公开。"}
    assert check_templates({"grounds": {"withheld.trade_secret": own}}) == []
