"""The public's forms: filing a request (条例第二十九条) and following it."""

from __future__ import annotations

from django import forms

from ogi.ingest.limits import mb
from ogi.records import validate
from ogi.web import clock
from ogi.web.forms import RulesForm, SubmittedOnce
from ogi.web.ledger.forms import id_types
from ogi.web.ledger.models import DELIVERY, Request
from ogi.web.uploads import ATTACHMENT_ZH, upload_limit


class PublicRequestForm(SubmittedOnce, RulesForm):
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
        from ogi.web.ledger.services import request_agencies

        # Validated as an online filing of today (the model's rules need the channel and dates).
        day = clock.today()
        kwargs.setdefault("instance", Request(channel="online", submitted_on=day, received_on=day))
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = request_agencies()
        id_types(self)
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


class CorrectionForm(SubmittedOnce, forms.Form):
    """The applicant's correction (条例第三十条), sent on the tracking page of a request
    waiting for one: the corrected description, and a file if the letter asks for one."""

    text = forms.CharField(label="补正后的申请内容", max_length=validate.LIMITS["content"],
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="请按补正告知书的要求，写明所申请政府信息的名称、文号或者便于查询的其他特征性描述")
    attachment = forms.FileField(label="附件（可不上传）", required=False,
                                 help_text=f"可上传一个文件：{ATTACHMENT_ZH}")

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text += f"，不超过 {mb(upload_limit())}"
        self.fields["text"].error_messages |= {
            "required": "请填写“补正后的申请内容”",
            "max_length": "“补正后的申请内容”最多 %(limit_value)d 个字（现有 %(show_value)d 个字）"}
        self.fields["attachment"].error_messages |= {
            "empty": "所选附件是空文件，请重新选择", "invalid": "附件未能上传，请重新选择文件",
            "missing": "附件未能上传，请重新选择文件", "max_length": "附件的文件名过长，请改短后重新选择"}

    def clean_text(self) -> str:
        problems: list[validate.Problem] = []
        text = validate.text(self.cleaned_data, "text", problems)
        if len(text) < 4:
            raise forms.ValidationError("请具体写明补正后的申请内容（所申请政府信息的名称、文号或其他特征）")
        return text
