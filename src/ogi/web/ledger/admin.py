"""The operator's view of the requests and the audit log (the audit log is never edited)."""

from __future__ import annotations

from django.contrib import admin

from ogi.web.accounts.admin import OperatorOnly

from .models import Event, Request


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
