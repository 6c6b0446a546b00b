"""A user whose password was set by someone else sees only the password page until they
have chosen their own."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .models import Staff


class ForcePasswordChange:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(("/static/", "/public/", "/api/")):
            allowed = (reverse("password_change"), reverse("logout"))
            if request.path not in allowed and Staff.objects.filter(user=user, must_change_password=True).exists():
                return redirect("password_change")
        return self.get_response(request)
