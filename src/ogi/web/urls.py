"""The site's addresses, one include per app: accounts (login, password, staff), the
ledger, the report workspace, the public's pages, the supervising office's, the API."""

from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from .supervision.oversight import oversight

admin.site.site_header = "ogi 政府信息公开 · 管理"
admin.site.site_title = "ogi 管理"
admin.site.index_title = "台账记录与机关"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("ogi.web.api.urls")),
    path("supervision/", include("ogi.web.supervision.urls")),
    path("oversight/", oversight, name="oversight"),
    # Browsers ask for it on every page that names no icon (the public report page, as a document, names none).
    path("favicon.ico", RedirectView.as_view(url=static("ogi/favicon.svg"), permanent=True)),
    path("", include("ogi.web.accounts.urls")),
    path("", include("ogi.web.reporting.urls")),
    path("", include("ogi.web.portal.urls")),
    path("", include("ogi.web.ledger.urls")),
]

handler400 = "ogi.web.errors.bad_request"
handler403 = "ogi.web.errors.permission_denied"
handler404 = "ogi.web.errors.page_not_found"
handler500 = "ogi.web.errors.server_error"
