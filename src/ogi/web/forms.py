"""Form pieces every app uses: the HTML date input, and the model form that shows the
model's own checks (ogi.records.validate) wherever they name a field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from ogi.web import clock


class DateInput(forms.DateInput):
    """An HTML date input: browsers take only an ISO value (2026-12-02), whatever the
    language of the page; one in the future is refused by the browser too."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None, future: bool = False):
        super().__init__(attrs={**({} if future else {"max": "today"}), **(attrs or {})}, format="%Y-%m-%d")

    def get_context(self, name, value, attrs):  # type: ignore[no-untyped-def]
        ctx = super().get_context(name, value, attrs)
        if ctx["widget"]["attrs"].get("max") == "today":
            ctx["widget"]["attrs"]["max"] = clock.today().isoformat()
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
