"""The ledger's tables: requests, their audit log, the letters issued. The workflow rules
live in ogi.workflow.requests; a Request has exactly the fields that module reads and writes.
Due dates are not stored: they are computed when read."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from ogi.records import validate
from ogi.records.outcomes import APPLICANT_CATEGORIES, outcomes, public_outcome
from ogi.web import clock
from ogi.web.accounts.models import Agency
from ogi.workflow.requests import STATES

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
    # The form submission that registered it (ogi.web.forms.SubmittedOnce): the same form
    # sent again finds this request instead of registering another.
    submission = models.CharField(max_length=40, null=True, blank=True, editable=False)
    # Fingerprint of the row a request was imported from (ledger_import): the same file twice adds nothing.
    import_key = models.CharField("导入标识", max_length=32, blank=True, default="", db_index=True)
    version = models.PositiveIntegerField("版本", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "政府信息公开申请"
        indexes = [models.Index(fields=["agency", "state", "received_on"]), models.Index(fields=["agency", "received_on"])]
        # A partial unique index (a plain one would make SQLite rebuild the table, and the
        # full-text triggers on it with it).
        constraints = [models.UniqueConstraint(fields=["submission"], condition=models.Q(submission__isnull=False),
                                               name="ledger_request_submission_once")]

    def __str__(self) -> str:
        return self.tracking_no

    @property
    def outcome_label(self) -> str:
        return outcomes().get(self.outcome or "", "")

    @property
    def public_outcome_label(self) -> str:
        """The answer as the applicant reads it (部分公开), not table 三's row."""
        return public_outcome(self.outcome)

    @property
    def is_open(self) -> bool:
        from ogi.workflow.requests import OPEN_STATES

        return self.state in OPEN_STATES

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    @property
    def problems(self) -> list[validate.Problem]:
        """What is wrong with the row as stored (an empty list for every row written
        through the services): shown on the row, and the row left out of the report."""
        if not hasattr(self, "_problems"):
            self._problems = validate.request_problems(self, clock.today())
        return self._problems

    def clean(self) -> None:
        # The operator's admin form: the same rules as every other write.
        self.__dict__.pop("_problems", None)
        raise_problems(validate.request_problems(self, clock.today()), self)


class Event(models.Model):
    """The audit log: every event and change, who and when, before and after, and which
    calendar counted the deadline."""

    request = models.ForeignKey(Request, verbose_name="申请", on_delete=models.CASCADE, related_name="events", null=True,
                                blank=True)
    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="+", null=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True,
                              related_name="+")
    at = models.DateTimeField("记录时间", auto_now_add=True, db_index=True)
    on = models.DateField("业务日期", null=True)
    event = models.CharField("操作", max_length=40)
    label = models.CharField("操作名称", max_length=60)
    changes = models.JSONField("变更内容", default=dict)
    calendar_version = models.CharField("日历版本", max_length=60, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = verbose_name_plural = "操作记录"

    def __str__(self) -> str:
        return f"{self.label or self.event}（{self.at:%Y-%m-%d %H:%M}）" if self.at else (self.label or self.event)


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


class RequestText(models.Model):
    """What a search reads (ledger/fulltext.py): a request's searchable text, one row per
    request, written only by the database's own triggers — never through this model."""

    request = models.OneToOneField(Request, primary_key=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    agency_id = models.BigIntegerField()
    body = models.TextField()
    name = models.TextField()

    class Meta:
        managed = False
        db_table = "ledger_requesttext"


class Correction(models.Model):
    """A correction the applicant sent on the tracking page (条例第三十条): the corrected
    description and an optional attachment, kept with the 收到补正 event it recorded. The
    request's own description stays as filed: what was asked first and what was corrected
    are both on the record."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="corrections")
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="correction")
    text = models.TextField("补正内容")
    file_name = models.CharField("附件名称", max_length=120, blank=True, default="")
    file_kind = models.CharField("附件类型", max_length=10, blank=True, default="")
    file = models.BinaryField("附件", null=True, blank=True)
    # The tracking page's form that sent it (ogi.web.forms.SubmittedOnce), as a digest: the
    # same form sent again finds this correction instead of being refused as a second one.
    submission = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = verbose_name_plural = "网上补正"
