from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from ogi.records.outcomes import outcomes
from ogi.workflow.requests import MAX_EXTENSION

from .models import DELIVERY, Request, today


class DateInput(forms.DateInput):
    """An HTML date input: browsers take only an ISO value (2026-12-02), whatever the
    language of the page; one in the future is refused by the browser too."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None, future: bool = False):
        super().__init__(attrs={**({} if future else {"max": "today"}), **(attrs or {})}, format="%Y-%m-%d")

    def get_context(self, name, value, attrs):  # type: ignore[no-untyped-def]
        ctx = super().get_context(name, value, attrs)
        if ctx["widget"]["attrs"].get("max") == "today":
            ctx["widget"]["attrs"]["max"] = today().isoformat()
        return ctx


class RulesForm(forms.ModelForm):
    """A model form whose model checks (ogi.records.validate, run by the model's clean)
    may name a field the form does not show: that error is shown above the form instead
    of Django refusing to show it."""

    def add_error(self, field, error):  # type: ignore[no-untyped-def]
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            moved: dict[str, list] = {}
            for name, errors in error.error_dict.items():
                key = name if name == NON_FIELD_ERRORS or name in self.fields else NON_FIELD_ERRORS
                moved.setdefault(key, []).extend(errors)
            error = ValidationError(moved)
        super().add_error(field, error)


def _id_types(form: forms.ModelForm) -> None:
    from ogi.records.validate import ID_TYPES

    form.fields["applicant_id_type"].choices = [("", "居民身份证或统一社会信用代码（按申请人类别）"), *ID_TYPES.items()]


class RegisterForm(RulesForm):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        _id_types(self)

    class Meta:
        model = Request
        fields = ["channel", "submitted_on", "received_on", "applicant_category", "applicant_name", "applicant_id_type",
                  "applicant_id_no", "applicant_contact", "content"]
        widgets = {"submitted_on": DateInput(), "received_on": DateInput(), "content": forms.Textarea(attrs={"rows": 3})}


class EventForm(forms.Form):
    """The inputs a workflow event takes, built from its configuration."""

    on = forms.DateField(label="日期", widget=DateInput(), initial=today)
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


class PublicRequestForm(RulesForm):
    """The form a member of the public fills in (条例第二十九条: who asks, for what, in which form)."""

    class Meta:
        model = Request
        fields = ["agency", "applicant_category", "applicant_name", "applicant_id_type", "applicant_id_no", "applicant_contact",
                  "content", "delivery"]
        labels = {"agency": "向哪个机关申请", "applicant_name": "姓名或名称", "applicant_id_no": "身份证件号码或统一社会信用代码",
                  "applicant_contact": "联系电话、通信地址或电子邮箱",
                  "content": "申请公开的政府信息的名称、文号或者便于查询的其他特征性描述"}
        widgets = {"content": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from .services import request_agencies

        # Validated as an online filing of today (the model's rules need the channel and dates).
        day = today()
        kwargs.setdefault("instance", Request(channel="online", submitted_on=day, received_on=day))
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = request_agencies()
        _id_types(self)
        self.fields["agency"].empty_label = "请选择机关"
        for name in ("applicant_id_no", "applicant_contact", "delivery"):
            self.fields[name].required = True
        self.fields["delivery"].choices = [("", "请选择"), *DELIVERY]
        self.fields["applicant_category"].choices = [("", "请选择"), *self.fields["applicant_category"].choices[1:]]

    def clean_content(self) -> str:
        text = self.cleaned_data["content"].strip()
        if len(text) < 4:
            raise forms.ValidationError("请具体描述所申请的政府信息（名称、文号或其他特征）")
        return text


class TrackForm(forms.Form):
    tracking_no = forms.CharField(label="申请编号", max_length=40)
    query_code = forms.CharField(label="查询码", max_length=12)


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
