"""Forms for the records an agency administrator keeps beside the requests: the register
of regulations and normative documents, appeal cases, the year's table 二 figures.
An agency's administrator sees and edits only their own agency's records here too; the
agencies and their staff are the system operator's (superuser's)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Agency, AnnualReport, AppealCase, Event, RegulatoryDocument, Request, Staff, YearFigures
from .services import staff_of


class OperatorOnly(admin.ModelAdmin):
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

    def save_model(self, request: HttpRequest, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        if not request.user.is_superuser:
            obj.agency = self._agency(request)
        super().save_model(request, obj, form, change)


@admin.register(Agency)
class AgencyAdmin(OperatorOnly):
    list_display = ("name", "code", "kind", "level", "parent")


@admin.register(Staff)
class StaffAdmin(OperatorOnly):
    list_display = ("user", "agency", "role")
    list_filter = ("agency", "role")


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


@admin.register(YearFigures)
class YearFiguresAdmin(AgencyScoped):
    list_display = ("year", "values")


@admin.register(AnnualReport)
class AnnualReportAdmin(OperatorOnly):
    list_display = ("agency", "year", "state", "issued_on")
    readonly_fields = ("overrides", "slug")


@admin.register(Request)
class RequestAdmin(OperatorOnly):
    list_display = ("tracking_no", "agency", "received_on", "state", "outcome")
    list_filter = ("agency", "state")
    search_fields = ("tracking_no",)
    readonly_fields = ("applicant_name", "applicant_id_no", "applicant_contact", "pauses", "version")


@admin.register(Event)
class EventAdmin(OperatorOnly):
    list_display = ("at", "actor", "label", "request")
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # the audit log is never edited

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
