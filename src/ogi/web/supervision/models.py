"""The supervising office's tables: every report collected from the region (kept with its
source file; a newer version replaces the current one, which stays as history; an
unmatched one waits in the queue) and the office's rubrics, each upload a new version."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ogi.web.accounts.models import Agency

STATES = [("current", "现行版本"), ("replaced", "已被新版本替换"), ("queued", "待指定机关")]


class CollectedReport(models.Model):
    office = models.ForeignKey(Agency, verbose_name="汇集机关", on_delete=models.CASCADE, related_name="collected")
    agency = models.ForeignKey(Agency, verbose_name="发布机关", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="collected_reports")
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    printed_agency = models.CharField("报告中的机关名称", max_length=200, blank=True, default="")
    file_name = models.CharField("文件名", max_length=255)
    content = models.BinaryField("原文件")
    sha256 = models.CharField(max_length=64, db_index=True)
    report = models.JSONField("报告数据")
    findings = models.JSONField("发现的问题", default=list)
    # Kept with the row so that lists, rankings and dashboards over thousands of agencies
    # need not rebuild each Report: the cells of tables 三 and 四 as numbers, and the share
    # of narrative repeated from last year's and from the siblings' reports.
    figures = models.JSONField("表三、表四数字", default=dict)
    repetition = models.JSONField("重复率", default=dict)
    published_on = models.DateField("发布日期", null=True, blank=True)
    state = models.CharField("状态", max_length=20, choices=STATES, db_index=True)
    match_message = models.CharField("匹配说明", max_length=500, blank=True, default="")
    candidates = models.JSONField("可能的机关", default=list, blank=True)
    uploaded_at = models.DateTimeField("导入时间", auto_now_add=True)
    # Any change of the row: region-wide figures cached for the office are keyed by it.
    updated_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "汇集的年度报告"
        # The second index answers the cache key's count and latest change without reading rows; the
        # third the time of change of each current report (kept.py), which the row keeps after its large JSON.
        indexes = [models.Index(fields=["office", "state", "year"]), models.Index(fields=["office", "updated_at"]),
                   models.Index(fields=["office", "state", "year", "updated_at"], name="supervision_current_stamps")]

    def __str__(self) -> str:
        return f"{self.agency or self.printed_agency or self.file_name} {self.year or ''}"


class Rubric(models.Model):
    office = models.ForeignKey(Agency, verbose_name="监督机关", on_delete=models.CASCADE, related_name="rubrics")
    version = models.PositiveIntegerField("版本")
    name = models.CharField("名称", max_length=200)
    text = models.TextField("评分细则（YAML）")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "评分细则"
        constraints = [models.UniqueConstraint(fields=["office", "version"], name="one_rubric_version")]


NOTICE_KINDS = [("rectify", "整改通知"), ("publish", "催报通知")]


class Rectification(models.Model):
    """整改通知: the office asks an agency to correct chosen findings of its report by a date.
    A 催报通知 (kind "publish") asks an agency that has published nothing past its deadline to
    publish: it has no report, and its one item is the missing report, corrected once a
    report of the year is filed (the same loop: explained, re-checked, closed)."""

    office = models.ForeignKey(Agency, verbose_name="监督机关", on_delete=models.CASCADE, related_name="rectifications_sent")
    agency = models.ForeignKey(Agency, verbose_name="整改机关", on_delete=models.CASCADE, related_name="rectifications")
    kind = models.CharField("类别", max_length=10, choices=NOTICE_KINDS, default="rectify")
    report = models.ForeignKey(CollectedReport, verbose_name="所涉报告", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="rectifications")
    year = models.PositiveSmallIntegerField("年度")
    due_on = models.DateField("整改期限")
    note = models.TextField("要求", blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "整改通知"


ITEM_STATES = [("open", "待整改"), ("explained", "已说明理由"), ("fixed", "复核已更正"), ("closed", "已销号")]


class RectificationItem(models.Model):
    notice = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="items")
    rule = models.CharField("规则", max_length=60)
    message_zh = models.TextField("问题")
    cells = models.JSONField(default=list, blank=True)
    state = models.CharField("状态", max_length=20, choices=ITEM_STATES, default="open")
    explanation = models.TextField("机关说明", blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "整改事项"


ACTIONS = [("sent", "发出整改通知"), ("urged", "发出催报通知"), ("explained", "机关说明理由"), ("republished", "机关重新发布"),
           ("fixed", "复核：已更正"),
           ("still_found", "复核：问题仍在"), ("closed", "监督机关销号"), ("reopened", "监督机关重新打开")]


class RectificationEvent(models.Model):
    """The audit log of the rectification loop: who did what, when, to which item."""

    notice = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")
    item = models.ForeignKey(RectificationItem, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField("操作", max_length=20, choices=ACTIONS)
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = verbose_name_plural = "整改记录"


TREE_ACTIONS = [("add", "新增机关"), ("edit", "修改机关"), ("remove", "删除机关")]


class TreeChange(models.Model):
    """The audit trail of the region's tree as edited in ogi: who changed which agency,
    when, and every field's value before and after."""

    office = models.ForeignKey(Agency, verbose_name="监督机关", on_delete=models.CASCADE, related_name="tree_changes")
    agency = models.ForeignKey(Agency, verbose_name="机关", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agency_name = models.CharField("机关名称", max_length=100)  # kept when the agency is removed or renamed
    action = models.CharField("操作", max_length=10, choices=TREE_ACTIONS)
    changes = models.JSONField("变更", default=dict)  # field label → [before, after]
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = verbose_name_plural = "机关名录修改记录"


JOB_STATES = [("queued", "排队中"), ("running", "正在读取"), ("done", "已完成"), ("failed", "失败")]


class CheckJob(models.Model):
    """A report file sent to the check API that is read off the request thread (a large
    file or a scan): its state, and when done the Report and its findings, kept for a
    limited time and shown to the office that sent it only."""

    id = models.UUIDField(primary_key=True)  # the status URL's name: not guessable, not a count of others' jobs
    office = models.ForeignKey(Agency, verbose_name="监督机关", on_delete=models.CASCADE, related_name="check_jobs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("字节数")
    state = models.CharField("状态", max_length=10, choices=JOB_STATES, default="queued")
    result = models.JSONField("结果", null=True, blank=True)  # {"report", "findings"} when done
    message_zh = models.CharField(max_length=500, blank=True, default="")
    message_en = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查任务"
