"""The operator's pages for agencies and staff, and the two kinds of admin page every app
uses: the operator's only, and those scoped to the user's own agency (an agency
administrator edits only their agency's records; the agency is set, not chosen)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from ogi.web.forms import RulesForm

from .access import staff_of
from .models import Agency, Staff


class OperatorOnly(admin.ModelAdmin):
    form = RulesForm

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return request.user.is_superuser


class AgencyScoped(admin.ModelAdmin):
    """Records of the user's own agency only; the agency field is set, not chosen."""

    form = RulesForm

    def _agency(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        s = staff_of(request.user)
        return s.agency if s and s.role == "admin" else None

    def _allowed(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or self._agency(request) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return self._allowed(request) and (obj is None or request.user.is_superuser or obj.agency == self._agency(request))

    has_change_permission = has_view_permission

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(agency=self._agency(request))

    def get_exclude(self, request: HttpRequest, obj=None):  # type: ignore[no-untyped-def]
        return () if request.user.is_superuser else ("agency",)

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change, **kwargs)
        agency = None if request.user.is_superuser else self._agency(request)
        if agency is None:
            return form

        class Scoped(form):  # type: ignore[misc, valid-type]
            def _post_clean(self) -> None:
                # The model's own checks (a case's request of the same agency …) see the agency.
                self.instance.agency = agency
                super()._post_clean()

        return Scoped

    def save_model(self, request: HttpRequest, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        if not request.user.is_superuser:
            obj.agency = self._agency(request)
        super().save_model(request, obj, form, change)


class NamesField(forms.CharField):
    """A list of names typed one per line (the model keeps a JSON list): the operator is not
    asked to write JSON, and a blank line or a repeated name is dropped, not refused."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40})

    def prepare_value(self, value):  # type: ignore[no-untyped-def]
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):  # type: ignore[no-untyped-def]
        names = [line.strip() for line in (super().to_python(value) or "").splitlines()]
        return list(dict.fromkeys(n for n in names if n))


class TemplatesField(forms.JSONField):
    """JSON whose mistakes are said where they are, in Chinese (Django says only that it is not JSON)."""

    def to_python(self, value):  # type: ignore[no-untyped-def]
        if isinstance(value, str) and value.strip():
            try:
                json.loads(value)
            except json.JSONDecodeError as e:
                raise ValidationError(f"“文书模板”不是有效的 JSON：第 {e.lineno} 行第 {e.colno} 列附近有误"
                                      "（键和文字须用英文双引号，项与项之间用英文逗号）；不修改模板时填 {}",
                                      code="invalid") from None
        return super().to_python(value)


class AgencyForm(RulesForm):
    aliases = NamesField(label="其他名称", required=False, initial=list, help_text="报告中印出的其他名称，每行一个（如“市商务局”）")
    letter_templates = TemplatesField(
        label="文书模板（本机关修改部分）", required=False, initial=dict,
        help_text="只写要改的部分，键与系统模板相同：letters（各类文书）、decisions（答复意见）、remedy（救济途径）、"
                  "number_pattern（文号格式，须含 {n}）。保存前会检查每个字段名。")

    class Meta:
        model = Agency
        fields = "__all__"

    def clean_letter_templates(self):  # type: ignore[no-untyped-def]
        return self.cleaned_data.get("letter_templates") or {}


@admin.register(Agency)
class AgencyAdmin(OperatorOnly):
    form = AgencyForm
    list_display = ("name", "code", "kind", "level", "parent")


@admin.register(Staff)
class StaffAdmin(OperatorOnly):
    list_display = ("user", "agency", "role")
    list_filter = ("agency", "role")
