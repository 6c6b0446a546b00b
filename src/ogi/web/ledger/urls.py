from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from . import import_views, public_views, report_views, staff_views, views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("oversight/", views.oversight, name="oversight"),
    path("calendar/", views.calendar, name="calendar"),
    path("login/", auth_views.LoginView.as_view(template_name="ledger/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", staff_views.password_change, name="password_change"),
    path("staff/", staff_views.staff_list, name="staff"),
    path("staff/<str:username>/<str:action>/", staff_views.staff_action, name="staff_action"),
    path("requests/<str:tracking_no>/submit/<str:kind>/", staff_views.submit, name="submit_review"),
    path("import/", import_views.upload, name="import"),
    path("import/map/", import_views.mapping, name="import_map"),
    path("import/template.xlsx", import_views.template, name="import_template"),
    path("requests/", views.request_list, name="list"),
    path("requests/export.xlsx", views.export_list, name="export_list"),
    path("requests/new/", views.register, name="register"),
    path("requests/<str:tracking_no>/", views.detail, name="detail"),
    path("requests/<str:tracking_no>/personal/", views.reveal, name="reveal"),
    path("requests/<str:tracking_no>/events/<str:name>/", views.event, name="event"),
    path("requests/<str:tracking_no>/letter.docx", views.letter, name="letter"),
    path("requests/<str:tracking_no>/letters/<int:year>-<int:seq>.<str:fmt>", views.letter_file, name="letter_file"),
    path("requests/<str:tracking_no>/receipt/", views.issue_receipt, name="issue_receipt"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:year>/", report_views.workspace, name="workspace"),
    path("reports/<int:year>/findings/", report_views.findings, name="findings"),
    path("reports/<int:year>/cells/<str:cell_id>/", report_views.cell, name="cell"),
    path("reports/<int:year>/cells/<str:cell_id>/override/", report_views.override, name="override"),
    path("reports/<int:year>/overview/redraft/", report_views.redraft, name="redraft"),
    path("reports/<int:year>/sections/<str:key>/", report_views.section, name="section"),
    path("reports/<int:year>/state/<str:event>/", report_views.state, name="report_state"),
    path("reports/<int:year>/export.<str:fmt>", report_views.export, name="export"),
    path("reports/<int:year>/previous/", report_views.upload_previous, name="upload_previous"),
    path("reports/<int:year>/figures/", report_views.import_figures, name="import_figures"),
    path("public/reports/", public_views.published_reports, name="public_reports"),
    path("public/reports/<str:slug>/", report_views.public, name="public_report"),
    path("public/reports/<str:slug>/report.<str:fmt>", report_views.public_download, name="public_report_file"),
    path("public/apply/", public_views.apply, name="public_apply"),
    path("public/receipt/", public_views.receipt, name="public_receipt"),
    path("public/track/", public_views.track, name="public_track"),
    path("public/requests/<str:tracking_no>/letter.docx", public_views.public_letter, name="public_letter"),
    path("public/requests/<str:tracking_no>/withdraw/", public_views.withdraw, name="public_withdraw"),
]
