from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from .ledger.api import api
from .supervision.api import router as supervision_api

api.add_router("/supervision/", supervision_api)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("supervision/", include("ogi.web.supervision.urls")),
    path("", include("ogi.web.ledger.urls")),
]

handler400 = "ogi.web.errors.bad_request"
handler403 = "ogi.web.errors.permission_denied"
handler404 = "ogi.web.errors.page_not_found"
handler500 = "ogi.web.errors.server_error"
