from __future__ import annotations

from django import forms

from ogi.records.outcomes import outcomes
from ogi.web import clock
from ogi.web.forms import DateInput, RulesForm
from ogi.workflow.requests import MAX_EXTENSION

from .models import Request


def id_types(form: forms.ModelForm) -> None:
    from ogi.records.validate import ID_TYPES

    form.fields["applicant_id_type"].choices = [("", "居民身份证或统一社会信用代码（按号码识别）"), *ID_TYPES.items()]


class RegisterForm(RulesForm):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        id_types(self)

    class Meta:
        model = Request
        fields = ["channel", "submitted_on", "received_on", "applicant_category", "applicant_name", "applicant_id_type",
                  "applicant_id_no", "applicant_contact", "content"]
        widgets = {"submitted_on": DateInput(), "received_on": DateInput(), "content": forms.Textarea(attrs={"rows": 3})}


class EventForm(forms.Form):
    """The inputs a workflow event takes, built from its configuration."""

    on = forms.DateField(label="日期", widget=DateInput(), initial=clock.today)
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, inputs: tuple[str, ...], *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if "outcome" in inputs:
            self.fields["outcome"] = forms.ChoiceField(label="办理结果", choices=[("", "请选择"), *outcomes().items()])
        if "withheld" in inputs:
            self.fields["withheld"] = forms.CharField(
                label="不予公开的部分及理由（部分公开时填写，每行一项：内容｜理由）", required=False,
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": "第三方企业的银行账号｜第三方合法权益"}))
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
            self.fields["note"] = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))




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
