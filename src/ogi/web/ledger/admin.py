"""The operator's view of the requests and the audit log (the audit log is never edited)."""

from __future__ import annotations

from django.contrib import admin

from ogi.web.accounts.admin import OperatorOnly

from .models import Event, Request


@admin.register(Request)
class RequestAdmin(OperatorOnly):
    """Looked up, not edited: a request changes only through the ledger's steps, each written
    to the audit log with who, when and why (a state set here had no event, and the version
    that guards against lost updates did not move)."""

    list_display = ("tracking_no", "agency", "received_on", "state", "outcome")
    list_filter = ("agency", "state")
    search_fields = ("tracking_no",)
    exclude = ("applicant_name", "applicant_id_no", "applicant_contact")  # personal data: shown, audited, in the ledger

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # registered in the ledger, with its receipt and number

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # a request's record is kept; it is withdrawn or closed through the ledger


@admin.register(Event)
class EventAdmin(OperatorOnly):
    list_display = ("at", "actor", "label", "request")
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # the audit log is written by the ledger's steps only

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # the audit log is never edited

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
