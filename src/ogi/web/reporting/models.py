"""The year's records behind tables 二 and 四 — the register of regulations and normative
documents, appeal and lawsuit cases, the year's figures — and the annual report being
written from them: its text, overrides, review state and publication."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ogi.records import validate
from ogi.records.outcomes import case_kinds, case_results, document_kinds
from ogi.web import clock
from ogi.web.accounts.models import Agency
from ogi.web.ledger.models import Request, raise_problems
from ogi.workflow.reports import STATES as REPORT_MACHINE_STATES

# The current edition's rows and columns (ogi.records.outcomes), as choices.
DOCUMENT_KINDS = list(document_kinds().items())
CASE_KINDS = list(case_kinds().items())
CASE_RESULTS = list(case_results().items())
REPORT_STATES = list(REPORT_MACHINE_STATES.items())


class RegulatoryDocument(models.Model):
    """The register of 规章 and 行政规范性文件 (table 二, 第二十条第（一）项)."""

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("类别", max_length=20, choices=DOCUMENT_KINDS)
    title = models.CharField("名称", max_length=200)
    number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("制发日期")
    repealed_on = models.DateField("废止日期", null=True, blank=True)

    class Meta:
        db_table = "ledger_regulatorydocument"
        verbose_name = verbose_name_plural = "规章和行政规范性文件"

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）" if self.number else self.title

    def clean(self) -> None:
        raise_problems(validate.document_problems(self.issued_on, self.repealed_on, clock.today()), self)


class AppealCase(models.Model):
    """行政复议 and 行政诉讼 cases about the agency's OGI work (table 四)."""

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="cases")
    request = models.ForeignKey(Request, verbose_name="所涉申请", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="cases")
    kind = models.CharField("类别", max_length=30, choices=CASE_KINDS)
    filed_on = models.DateField("立案日期")
    result = models.CharField("结果", max_length=20, choices=CASE_RESULTS, null=True, blank=True)
    decided_on = models.DateField("审结日期", null=True, blank=True)

    class Meta:
        db_table = "ledger_appealcase"
        verbose_name = verbose_name_plural = "行政复议和行政诉讼案件"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.filed_on:%Y-%m-%d} 立案）"

    def clean(self) -> None:
        problems = validate.case_problems(self.filed_on, self.result, self.decided_on, clock.today())
        if self.request_id is not None and self.agency_id is not None:
            if not Request.objects.filter(pk=self.request_id, agency_id=self.agency_id).exists():
                problems.append(validate.Problem("request", "只能关联本机关的申请", "the request belongs to another agency"))
        raise_problems(problems, self)


class YearFigures(models.Model):
    """Figures of table 二 kept per year (行政许可、处罚、强制决定数，行政事业性收费 …):
    {"licensing.decisions": 12, "fees.amount": "50000"} (money in 元)."""

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="figures")
    year = models.PositiveSmallIntegerField("年度")
    values = models.JSONField("数据", default=dict)

    class Meta:
        db_table = "ledger_yearfigures"
        unique_together = [("agency", "year")]
        verbose_name = verbose_name_plural = "年度数据"

    def __str__(self) -> str:
        return f"{self.agency}{self.year}年度表二数据"

    def cells(self) -> dict[str, tuple[str, str]]:
        """The figures this year's report format keeps: key → (Chinese name, unit)."""
        from ogi.editions import edition_for_year
        from ogi.records.compile import figure_cells

        ed = edition_for_year(self.year) if self.year else None
        return figure_cells(ed) if ed else {}

    @property
    def problems(self) -> list[validate.Problem]:
        return validate.figure_problems(self.values, self.cells())

    def clean(self) -> None:
        if self.year and not 2019 <= self.year <= clock.today().year:
            from django.core.exceptions import ValidationError

            raise ValidationError({"year": f"年度应在 2019 至 {clock.today().year} 之间"})
        raise_problems(self.problems, self)


class AnnualReport(models.Model):
    """The year's report being written: its text, cell overrides (each with its reason),
    its state, and once published its public address."""

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField("年度")
    state = models.CharField("状态", max_length=20, choices=REPORT_STATES, default="draft")
    sections = models.JSONField("正文", default=dict)
    overrides = models.JSONField("改填的数字", default=dict)  # cell id → {"value", "reason", "by", "at"}
    issued_on = models.DateField("成文日期", null=True, blank=True)
    # The day it first went up on the public pages: timeliness (Art. 49) is judged on it, and
    # a correction published later leaves it as it is.
    published_on = models.DateField("发布日期", null=True, blank=True)
    # The day the latest corrected version went up, and why the report is (or was last) corrected.
    corrected_on = models.DateField("更正日期", null=True, blank=True)
    correction_reason = models.TextField("更正理由", blank=True, default="")
    slug = models.CharField("公开网址标识", max_length=40, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    # Last year's published report as uploaded (Report JSON), when the ledger did not
    # hold that year: continuity is checked against it.
    previous = models.JSONField("上一年度报告", null=True, blank=True)
    # The report as submitted for review (Report JSON): what the reviewer approves and what
    # is published, whatever the records do afterwards. Cleared when sent back to draft.
    frozen = models.JSONField("发布时的报告", null=True, blank=True)
    # Who submitted it for review: another person approves it.
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="提交审核人")
    submitted_on = models.DateField("提交审核日期", null=True, blank=True)

    class Meta:
        db_table = "ledger_annualreport"
        unique_together = [("agency", "year")]
        verbose_name = verbose_name_plural = "年度报告"

    def __str__(self) -> str:
        return f"{self.agency}{self.year}年度报告"

    @property
    def ever_published(self) -> bool:
        """Published, or published and now being corrected: the public has a version of it."""
        return self.state == "published" or self.published_on is not None

    @property
    def correcting(self) -> bool:
        return self.state != "published" and self.published_on is not None

    @property
    def state_zh(self) -> str:
        """The state as pages name it: a published report being corrected is 更正中, not a
        draft like one never published (its published version is still up)."""
        return f"更正中（{self.get_state_display()}）" if self.correcting else self.get_state_display()


class PublishedVersion(models.Model):
    """Each version of a report the public was given: the first publication, then every
    corrected one. The newest is the one the public page shows; the others stay readable."""

    report = models.ForeignKey(AnnualReport, verbose_name="年度报告", on_delete=models.PROTECT, related_name="publications")
    number = models.PositiveSmallIntegerField("版次")  # 1: the first publication; 2 and on: corrections
    frozen = models.JSONField("发布的报告")
    issued_on = models.DateField("成文日期", null=True, blank=True)
    # The day this version went up (for the first one, the report's publication date).
    published_on = models.DateField("发布日期", null=True, blank=True)
    reason = models.TextField("更正理由", blank=True, default="")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="发布人")

    class Meta:
        verbose_name = verbose_name_plural = "已发布的版本"
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="one_published_version_number")]

    def __str__(self) -> str:
        return f"{self.report}第{self.number}版"

