"""Form pieces every app uses: the HTML date input, and the model form that shows the
model's own checks (ogi.records.validate) wherever they name a field."""

from __future__ import annotations

import secrets

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


class SubmittedOnce:
    """A form that creates something, marked with a token of its own when shown: the same
    form sent twice (a double click, Back and submit again) creates it once."""

    fields: dict[str, forms.Field]
    cleaned_data: dict

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["once"] = forms.CharField(widget=forms.HiddenInput(), required=False, max_length=40,
                                              initial=secrets.token_urlsafe(18))

    def submission(self) -> str | None:
        """The token, once the form is valid (None for a form sent without one: an API client's)."""
        return (self.cleaned_data.pop("once", "") or "").strip() or None


class RulesForm(forms.ModelForm):
    """A model form whose model checks (ogi.records.validate, run by the model's clean)
    may name a field the form does not show: that error is shown above the form instead
    of Django refusing to show it. One message a field: a field the form itself refused
    (required, too long) reaches the model empty, and the model's "请填写" would repeat it.
    The form's own messages name the field as its label does."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("label_suffix", "：")  # (Django's Chinese keeps the ASCII colon)
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            label = str(f.label or "")
            chosen = isinstance(f, forms.ChoiceField | forms.ModelChoiceField)
            f.error_messages["required"] = f"请{'选择' if chosen else '填写'}“{label}”"
            if getattr(f, "max_length", None):
                f.error_messages["max_length"] = f"“{label}”最多 {f.max_length} 个字（现有 %(show_value)d 个字）"
            # Django's blank choice is a row of dashes: say what to do.
            if isinstance(f, forms.ModelChoiceField):
                if f.empty_label is not None:
                    f.empty_label = "请选择"
            elif isinstance(f, forms.ChoiceField) and (choices := list(f.choices)) and choices[0] == ("", "---------"):
                f.choices = [("", "请选择"), *choices[1:]]

    def add_error(self, field, error):  # type: ignore[no-untyped-def]
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            moved: dict[str, list] = {}
            for name, errors in error.error_dict.items():
                if name in self.errors and name != NON_FIELD_ERRORS:
                    continue  # refused by the form already, with its own message
                key = name if name == NON_FIELD_ERRORS or name in self.fields else NON_FIELD_ERRORS
                moved.setdefault(key, []).extend(errors)
            if not moved:
                return
            error = ValidationError(moved)
        super().add_error(field, error)
