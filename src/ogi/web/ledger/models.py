"""The ledger's tables. The workflow rules live in ogi.workflow.requests; a Request has
exactly the fields that module reads and writes. Due dates are not stored: they are
computed when read."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models

from ogi.records import validate
from ogi.records.outcomes import APPLICANT_CATEGORIES, outcomes
from ogi.workflow.reports import STATES as REPORT_MACHINE_STATES
from ogi.workflow.requests import ROLES, STATES


class Agency(models.Model):
    name = models.CharField("机关名称", max_length=100, unique=True)
    code = models.CharField("编号", max_length=20, unique=True, help_text="用于申请编号，如 SWJ")
    kind = models.CharField("类别", max_length=20, choices=[("department", "部门"), ("government", "人民政府")],
                            default="department")
    parent = models.ForeignKey("self", verbose_name="上级（监督）机关", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    # Level decides a government's publication deadline (rules.md metadata.date); the
    # aliases are the names an agency prints, so a collected report finds its agency.
    level = models.CharField("层级", max_length=20, blank=True, default="",
                             choices=[("province", "省级"), ("city", "市级"), ("county", "县级"), ("township", "乡镇级")])
    aliases = models.JSONField("其他名称", default=list, blank=True, help_text="报告中印出的其他名称")
    letter_prefix = models.CharField("文号机关代字", max_length=20, blank=True, default="",
                                     help_text="如“市商务”，文书编号为 市商务公开〔2026〕第1号；留空则用机关名称")
    # The agency's own wording laid over ogi.records.letters.yaml (same keys).
    letter_templates = models.JSONField("文书模板（本机关修改部分）", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "机关"

    def __str__(self) -> str:
        return self.name

    def subtree_ids(self) -> list[int]:
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids += frontier
        return ids


class Staff(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    agency = models.ForeignKey(Agency, verbose_name="所属机关", on_delete=models.PROTECT, related_name="staff")
    role = models.CharField("角色", max_length=20, choices=list(ROLES.items()))
    # Set when an operator or administrator chose the password: the user picks their own at first login.
    must_change_password = models.BooleanField("须修改密码", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.agency}·{self.get_role_display()}）"


CHANNELS = list(validate.CHANNELS.items())
DELIVERY = list(validate.DELIVERY.items())


class LenientDecimalField(models.DecimalField):
    """Money as a DecimalField that still loads a value written past its digits (SQLite
    does not enforce them): the row then shows what is wrong with it instead of every page
    that lists it failing with InvalidOperation. New writes are checked by ogi.records.validate."""

    @property
    def context(self):  # type: ignore[no-untyped-def]
        import decimal

        # A REAL in SQLite is below 1.8e308: 400 digits hold any of them with the decimals.
        return decimal.Context(prec=400)


class Request(models.Model):
    agency = models.ForeignKey(Agency, verbose_name="受理机关", on_delete=models.PROTECT, related_name="requests")
    tracking_no = models.CharField("申请编号", max_length=40, unique=True)
    query_code = models.CharField("查询码", max_length=12, default="", blank=True)
    channel = models.CharField("提交方式", max_length=20, choices=CHANNELS)
    submitted_on = models.DateField("提交日期")
    received_on = models.DateField("收到申请之日", help_text="按条例第三十一条确定")
    applicant_category = models.CharField("申请人类别", max_length=20, choices=list(APPLICANT_CATEGORIES.items()))
    applicant_name = models.CharField("申请人姓名/名称", max_length=100)
    applicant_id_type = models.CharField("证件类型", max_length=20, blank=True, default="",
                                         choices=list(validate.ID_TYPES.items()))
    applicant_id_no = models.CharField("证件号码", max_length=40, blank=True)
    applicant_contact = models.CharField("联系方式", max_length=100, blank=True)
    content = models.TextField("申请公开的政府信息")
    delivery = models.CharField("获取信息的方式", max_length=20, choices=DELIVERY, blank=True, default="")
    state = models.CharField("状态", max_length=20, choices=list(STATES.items()), default="registered", db_index=True)
    outcome = models.CharField("办理结果", max_length=40, choices=list(outcomes().items()), null=True, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    closed_on = models.DateField("终止日期", null=True, blank=True)
    correction_requested_on = models.DateField("通知补正日期", null=True, blank=True)
    correction_due = models.DateField("补正期限", null=True, blank=True)
    corrected_on = models.DateField("收到补正日期", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("延长工作日数", default=0)
    fee_notice_on = models.DateField("收费通知日期", null=True, blank=True)
    fee_amount = LenientDecimalField("收费金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    pauses = models.JSONField("暂停计算期间", default=list, blank=True)
    # Fingerprint of the row a request was imported from (ledger_import): the same file twice adds nothing.
    import_key = models.CharField(max_length=32, blank=True, default="", db_index=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "政府信息公开申请"
        indexes = [models.Index(fields=["agency", "state", "received_on"]), models.Index(fields=["agency", "received_on"])]

    def __str__(self) -> str:
        return self.tracking_no

    @property
    def outcome_label(self) -> str:
        return outcomes().get(self.outcome or "", "")

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    @property
    def problems(self) -> list[validate.Problem]:
        """What is wrong with the row as stored (an empty list for every row written
        through the services): shown on the row, and the row left out of the report."""
        if not hasattr(self, "_problems"):
            self._problems = validate.request_problems(self, today())
        return self._problems

    def clean(self) -> None:
        # The operator's admin form: the same rules as every other write.
        self.__dict__.pop("_problems", None)
        raise_problems(validate.request_problems(self, today()), self)


class Event(models.Model):
    """The audit log: every event and change, who and when, before and after, and which
    calendar counted the deadline."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events", null=True, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", null=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    on = models.DateField("业务日期", null=True)
    event = models.CharField(max_length=40)
    label = models.CharField(max_length=60)
    changes = models.JSONField(default=dict)
    calendar_version = models.CharField(max_length=60, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = verbose_name_plural = "操作记录"


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60, default="")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str = "") -> str:  # type: ignore[no-untyped-def]
        key = "ogi_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, name=name, key_hash=cls.digest(key))
        return key


def raise_problems(problems: list[validate.Problem], obj: models.Model) -> None:
    """Problems as Django's ValidationError, each on its field where the form shows one."""
    if not problems:
        return
    from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

    names = {f.name for f in obj._meta.fields}
    errors: dict[str, list[str]] = {}
    for p in problems:
        errors.setdefault(p.field if p.field in names else NON_FIELD_ERRORS, []).append(p.message_zh)
    raise ValidationError(errors)


def new_tracking_no(agency: Agency, year: int) -> str:
    prefix = f"{agency.code}-{year}-"
    last = (Request.objects.filter(tracking_no__startswith=prefix).order_by("-tracking_no")
            .values_list("tracking_no", flat=True).first())
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:05d}"


# No 0/O or 1/I/L: the code is read off a screen or a letter and typed back in.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_query_code() -> str:
    """The applicant's secret for following a request: 8 characters, about 40 bits."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


DOCUMENT_KINDS = [("regulations", "规章"), ("normative", "行政规范性文件")]
CASE_KINDS = [("review", "行政复议"), ("litigation_direct", "行政诉讼（未经复议直接起诉）"),
              ("litigation_after_review", "行政诉讼（复议后起诉）")]
CASE_RESULTS = [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果")]
REPORT_STATES = list(REPORT_MACHINE_STATES.items())


class RegulatoryDocument(models.Model):
    """The register of 规章 and 行政规范性文件 (table 二, 第二十条第（一）项)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("类别", max_length=20, choices=DOCUMENT_KINDS)
    title = models.CharField("名称", max_length=200)
    number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("制发日期")
    repealed_on = models.DateField("废止日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "规章和行政规范性文件"

    def clean(self) -> None:
        raise_problems(validate.document_problems(self.issued_on, self.repealed_on, today()), self)


class AppealCase(models.Model):
    """行政复议 and 行政诉讼 cases about the agency's OGI work (table 四)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    request = models.ForeignKey(Request, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases")
    kind = models.CharField("类别", max_length=30, choices=CASE_KINDS)
    filed_on = models.DateField("立案日期")
    result = models.CharField("结果", max_length=20, choices=CASE_RESULTS, null=True, blank=True)
    decided_on = models.DateField("审结日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政复议和行政诉讼案件"

    def clean(self) -> None:
        problems = validate.case_problems(self.filed_on, self.result, self.decided_on, today())
        if self.request_id is not None and self.agency_id is not None:
            if not Request.objects.filter(pk=self.request_id, agency_id=self.agency_id).exists():
                problems.append(validate.Problem("request", "只能关联本机关的申请", "the request belongs to another agency"))
        raise_problems(problems, self)


class YearFigures(models.Model):
    """Figures of table 二 kept per year (行政许可、处罚、强制决定数，行政事业性收费 …):
    {"licensing.decisions": 12, "fees.amount": "50000"} (money in 元)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="figures")
    year = models.PositiveSmallIntegerField()
    values = models.JSONField(default=dict)

    class Meta:
        unique_together = [("agency", "year")]
        verbose_name = verbose_name_plural = "年度数据"

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
        if self.year and not 2019 <= self.year <= today().year:
            from django.core.exceptions import ValidationError

            raise ValidationError({"year": f"年度应在 2019 至 {today().year} 之间"})
        raise_problems(self.problems, self)


class AnnualReport(models.Model):
    """The year's report being written: its text, cell overrides (each with its reason),
    its state, and once published its public address."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField()
    state = models.CharField("状态", max_length=20, choices=REPORT_STATES, default="draft")
    sections = models.JSONField(default=dict)
    overrides = models.JSONField(default=dict)  # cell id → {"value", "reason", "by", "at"}
    issued_on = models.DateField("成文日期", null=True, blank=True)
    # The day it went up on the public pages: timeliness (Art. 49) is judged on it.
    published_on = models.DateField("发布日期", null=True, blank=True)
    slug = models.CharField(max_length=40, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    # Last year's published report as uploaded (Report JSON), when the ledger did not
    # hold that year: continuity is checked against it.
    previous = models.JSONField(null=True, blank=True)
    # The report as submitted for review (Report JSON): what the reviewer approves and what
    # is published, whatever the records do afterwards. Cleared when sent back to draft.
    frozen = models.JSONField(null=True, blank=True)

    class Meta:
        unique_together = [("agency", "year")]
        verbose_name = verbose_name_plural = "年度报告"


class LetterCounter(models.Model):
    """The last 文号 number an agency used in a year. Only ever incremented in place, inside
    the transaction that issues the letter: two letters never share a number."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        unique_together = [("agency", "year")]


LETTER_KINDS = [("receipt", "受理回执"), ("correction", "补正告知书"), ("extension", "延期答复告知书"), ("fee", "收费通知书"),
                ("consultation", "征求意见函"), ("reply", "答复书")]


class Letter(models.Model):
    """A notice as issued: its number and its text as sent, kept with the request and the
    event that issued it. DOCX is drawn from the text when asked for; the PDF is kept once made."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="letters")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="letters")
    kind = models.CharField("文书", max_length=20, choices=LETTER_KINDS)
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField("文号", max_length=60)
    issued_on = models.DateField("成文日期")
    title = models.CharField(max_length=100)
    addressee = models.CharField(max_length=120)
    paragraphs = models.JSONField(default=list)
    pdf = models.BinaryField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        unique_together = [("agency", "year", "seq")]
        verbose_name = verbose_name_plural = "文书"


class RateCounter(models.Model):
    """Uses of a public form by one address (or on one tracking number) within a window:
    a row per key, incremented under a row lock, so concurrent requests never exceed the
    limit and every server process sees the same count."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)
