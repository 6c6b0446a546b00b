from __future__ import annotations

import datetime as dt
import re

import yaml
from django import forms

from ogi.records.outcomes import outcomes
from ogi.web import clock
from ogi.web.forms import DateInput, RulesForm, SubmittedOnce
from ogi.workdays import FESTIVALS
from ogi.workflow.requests import MAX_EXTENSION

from .models import Request


def id_types(form: forms.ModelForm) -> None:
    from ogi.records.validate import ID_TYPES

    form.fields["applicant_id_type"].choices = [("", "居民身份证或统一社会信用代码（按号码识别）"), *ID_TYPES.items()]


class RegisterForm(SubmittedOnce, RulesForm):
    # The same request registered in the last minutes is taken for this form sent again
    # (Back and submit); a second letter with the same words is registered when this says so.
    again = forms.BooleanField(label="另行登记：与刚登记的申请内容相同，仍作为一件新的申请登记（如申请人重复提交）",
                               required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        id_types(self)
        self.fields["received_on"].required = False
        self.fields["received_on"].help_text = "按条例第三十一条确定；当面提交的，即提交之日（可留空）"

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if not data.get("received_on") and data.get("channel") == "in_person" and data.get("submitted_on"):
            data["received_on"] = data["submitted_on"]  # Art. 31(1), as the ledger's own check takes it
        return data

    class Meta:
        model = Request
        fields = ["channel", "submitted_on", "received_on", "applicant_category", "applicant_name", "applicant_id_type",
                  "applicant_id_no", "applicant_contact", "content", "delivery"]
        widgets = {"submitted_on": DateInput(), "received_on": DateInput(), "content": forms.Textarea(attrs={"rows": 3})}


class EventForm(forms.Form):
    """The inputs a workflow event takes, built from its configuration."""

    on = forms.DateField(label="日期", widget=DateInput(), initial=clock.today)
    # The version of the request the page showed: missing or garbled only when the page was
    # not ogi's own or is stale.
    version = forms.IntegerField(widget=forms.HiddenInput(), error_messages={
        "required": "页面已过期，请刷新页面后重新操作", "invalid": "页面已过期，请刷新页面后重新操作"})

    def __init__(self, inputs: tuple[str, ...], *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if "outcome" in inputs:
            self.fields["outcome"] = forms.ChoiceField(label="办理结果", choices=[("", "请选择"), *outcomes().items()])
        if "withheld" in inputs:
            from ogi.records.letters import templates

            names = "、".join(g["short"] for g in templates()["grounds"].values() if g.get("short"))
            self.fields["withheld"] = forms.CharField(
                label="不予公开的部分及理由（部分公开时填写，每行一项：内容｜理由）", required=False,
                help_text=f"理由写明以下之一：{names}", widget=forms.Textarea(
                    attrs={"rows": 2, "placeholder": "第三方企业的银行账号｜第三方合法权益"}))
        if "days" in inputs:
            self.fields["days"] = forms.IntegerField(label="延长工作日数", min_value=1, max_value=MAX_EXTENSION, initial=MAX_EXTENSION)
        if "basis" in inputs:
            self.fields["basis"] = forms.ChoiceField(label="计收方式（国办函〔2020〕109号）", choices=[
                ("per_request", "按件计收（申请人本月第11件起）"), ("per_page", "按量计收（超过30页的部分）")])
        if "pages" in inputs:
            self.fields["pages"] = forms.IntegerField(label="页数（按量计收时填写）", min_value=0, required=False)
        if "party" in inputs:
            self.fields["party"] = forms.CharField(label="征求意见对象", max_length=100)
        if "correction_due" in inputs:
            self.fields["correction_due"] = forms.DateField(label="补正期限（留空则为15个工作日）", required=False,
                                                            widget=DateInput(future=True))
        if "amount" in inputs:
            self.fields["amount"] = forms.DecimalField(label="减免后的金额（元）", min_value=0, max_digits=14, decimal_places=2)
        if "reason" in inputs:
            self.fields["reason"] = forms.CharField(label="理由（必填）", max_length=2000,
                                                    widget=forms.Textarea(attrs={"rows": 2}))
        if "note" in inputs:
            # Where the note is written into the letter the applicant receives, the field says so:
            # labelled 说明, a staff remark went out in the 补正告知书.
            from .notices import note_label
            from .review import SUBMISSIONS

            prefix = str(kwargs.get("prefix") or "")
            label = note_label(SUBMISSIONS[prefix][0] if prefix in SUBMISSIONS else prefix) or "说明"
            self.fields["note"] = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))




class CalendarForm(forms.Form):
    """One year's holiday notice, pasted or uploaded, in the format of data/calendar.yaml."""

    text = forms.CharField(label="粘贴节假日安排（YAML）", required=False, max_length=64 * 1024,
                           widget=forms.Textarea(attrs={"rows": 14, "cols": 80, "spellcheck": "false"}))
    file = forms.FileField(label="或上传文件（.yaml）", required=False)

    def clean(self) -> dict:
        data = super().clean()
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if bool(upload) == bool(text):
            raise forms.ValidationError("请粘贴或上传一年的节假日安排（二者选一）")
        if upload:
            if upload.size > 64 * 1024:
                raise forms.ValidationError("文件过大：一年的节假日安排不超过 64 KB")
            data["raw"] = upload.read()
        else:
            data["raw"] = text.encode("utf-8")
        return data


class HolidayNoticeForm(forms.Form):
    """One year's notice typed as the notice reads — each festival's days off, the make-up
    working days — for an administrator who does not write YAML. It becomes the same file
    as a pasted one and passes the same checks."""

    year = forms.IntegerField(label="年份", min_value=2008, max_value=2100)
    notice = forms.CharField(label="通知名称或文号", max_length=200, required=False,
                             widget=forms.TextInput(attrs={"size": 50}))
    workdays = forms.CharField(label="调休上班日（周六、周日上班的日期，用顿号或逗号分隔；没有则留空）", required=False,
                               max_length=1000, widget=forms.TextInput(attrs={"placeholder": "例如 2027-02-14、2027-02-20", "size": 50}))

    def __init__(self, *args, year: int | None = None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if year is not None:
            self.fields["year"].initial = year
            self.fields["notice"].initial = f"国务院办公厅关于{year}年部分节假日安排的通知"
        for i, name in enumerate(FESTIVALS):
            self.fields[f"from_{i}"] = forms.DateField(label=f"{name} 放假自", required=False, widget=DateInput(future=True))
            self.fields[f"to_{i}"] = forms.DateField(label="至", required=False, widget=DateInput(future=True))

    def festivals(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(name, self[f"from_{i}"], self[f"to_{i}"]) for i, name in enumerate(FESTIVALS)]

    def clean(self) -> dict:
        data = super().clean()
        holidays = []
        for i, name in enumerate(FESTIVALS):
            start, end = data.get(f"from_{i}"), data.get(f"to_{i}")
            if start is None and end is None:
                continue
            if start is None or end is None:
                raise forms.ValidationError(f"请填写{name}放假的起止两个日期")
            holidays.append({"name": name, "from": start.isoformat(), "to": end.isoformat()})
        days = []
        for part in re.split(r"[、,，;；\s]+", data.get("workdays") or ""):
            if not part:
                continue
            try:
                days.append(dt.date.fromisoformat(part).isoformat())
            except ValueError:
                raise forms.ValidationError(f"调休上班日“{part[:20]}”不是日期（应为 2027-02-14 这样的写法）") from None
        year = data.get("year")
        if year is None:
            return data
        spec: dict = {"holidays": holidays, "workdays": days}
        if data.get("notice"):
            spec["notice"] = data["notice"]
        # The calendar file's own format, so the one parser and its checks judge it.
        data["raw"] = yaml.safe_dump({"years": {year: spec}}, allow_unicode=True, sort_keys=False).encode("utf-8")
        return data
