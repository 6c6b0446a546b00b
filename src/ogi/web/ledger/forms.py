from __future__ import annotations

import datetime as dt

from django import forms

from ogi.records.outcomes import outcomes
from ogi.records.workflow import MAX_EXTENSION

from .models import Request


class DateInput(forms.DateInput):
    input_type = "date"


class RegisterForm(forms.ModelForm):
    class Meta:
        model = Request
        fields = ["channel", "submitted_on", "received_on", "applicant_category", "applicant_name", "applicant_id_no",
                  "applicant_contact", "content"]
        widgets = {"submitted_on": DateInput(), "received_on": DateInput(), "content": forms.Textarea(attrs={"rows": 3})}


class EventForm(forms.Form):
    """The inputs a workflow event takes, built from its configuration."""

    on = forms.DateField(label="日期", widget=DateInput(), initial=dt.date.today)
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, inputs: tuple[str, ...], *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if "outcome" in inputs:
            self.fields["outcome"] = forms.ChoiceField(label="办理结果", choices=[("", "请选择"), *outcomes().items()])
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
            self.fields["correction_due"] = forms.DateField(label="补正期限（留空则为15个工作日）", required=False, widget=DateInput())
        if "note" in inputs:
            self.fields["note"] = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
