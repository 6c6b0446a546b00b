"""Forms for the records an agency administrator keeps beside the requests: the register
of regulations and normative documents, appeal cases, the year's table 二 figures; and the
operator's view of the annual reports."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from ogi.records import validate
from ogi.web import clock
from ogi.web.accounts.admin import AgencyScoped, OperatorOnly
from ogi.web.forms import RulesForm
from ogi.web.ledger.models import Request
from ogi.web.params import is_report_year, query_year, report_years_zh

from .models import AnnualReport, AppealCase, RegulatoryDocument, YearFigures


@admin.register(RegulatoryDocument)
class RegulatoryDocumentAdmin(AgencyScoped):
    list_display = ("title", "number", "kind", "issued_on", "repealed_on")
    list_filter = ("kind",)
    search_fields = ("title", "number")


@admin.register(AppealCase)
class AppealCaseAdmin(AgencyScoped):
    list_display = ("pk", "kind", "filed_on", "result", "decided_on", "request")
    list_filter = ("kind", "result")
    raw_id_fields = ("request",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        # A case may concern only the agency's own requests (checked again in the model).
        if db_field.name == "request" and not request.user.is_superuser:
            kwargs["queryset"] = Request.objects.filter(agency=self._agency(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class YearFiguresForm(RulesForm):
    """Table 二's yearly figures, one typed field per cell of the year's report format, with
    the cell's name as the template prints it — never a raw JSON box."""

    class Meta:
        model = YearFigures
        fields = ["year"]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        year = self.instance.year or query_year(str(self.initial.get("year") or ""), None) or clock.today().year
        probe = YearFigures(year=year)
        self.cells = probe.cells()
        stored = self.instance.values if isinstance(self.instance.values, dict) else {}
        self.fields["year"].help_text = "先选定年度并保存，表中的项目按该年度的报告格式列出"
        for key, (name, unit) in self.cells.items():
            # 表二「行政许可」行「本年处理决定数量」列 → 行政许可·本年处理决定数量
            label = "·".join(re.findall(r"「([^」]+)」", name)) or name
            if unit == "yuan":
                label = re.sub(r"（单位：万元）", "", label) + "（按元填写，报告中换算为万元）"
                field: forms.Field = forms.DecimalField(label=label, min_value=0, max_digits=14, decimal_places=2,
                                                        required=False)
            else:
                low = -validate.MAX_COUNT if unit == "signed_count" else 0
                field = forms.IntegerField(label=label, min_value=low, max_value=validate.MAX_COUNT, required=False)
            self.fields[f"f_{key}"] = field
            if key in stored and validate.clean_figure(stored[key], unit) is not None:
                self.initial[f"f_{key}"] = stored[key]

    def clean(self) -> dict:
        data = super().clean()
        year = data.get("year")
        if year is not None and not is_report_year(year):
            raise forms.ValidationError(report_years_zh())
        values = {}
        for key, (_, unit) in self.cells.items():
            v = data.get(f"f_{key}")
            if v is not None:
                values[key] = str(v) if unit == "yuan" else int(v)
        self.instance.values = values
        return data


@admin.register(YearFigures)
class YearFiguresAdmin(AgencyScoped):
    form = YearFiguresForm
    list_display = ("year", "summary")

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["fields"] = ["year"]  # the cells are the form's own fields, added for the year's format
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj=None):  # type: ignore[no-untyped-def]
        year = (obj.year if obj else None) or query_year(request.GET.get("year"), None) or clock.today().year
        keys = [f"f_{k}" for k in YearFigures(year=year).cells()]
        return [(None, {"fields": ["year"]}), (f"{year}年度报告表二的年度数据", {"fields": keys})]

    @admin.display(description="已填写的项目")
    def summary(self, obj: YearFigures) -> str:
        problems = obj.problems
        if problems:
            return "数据有误：" + validate.problems_zh(problems)
        return f"{len(obj.values)} 项" if isinstance(obj.values, dict) else "—"


@admin.register(AnnualReport)
class AnnualReportAdmin(OperatorOnly):
    """Looked up, not edited: a report moves through review and publication in its workspace,
    each step recorded; its published text is what the public was given."""

    list_display = ("agency", "year", "state", "issued_on")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # a published report is what the public was given; a draft goes with its workspace
