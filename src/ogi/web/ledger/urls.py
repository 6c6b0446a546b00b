from __future__ import annotations

from django.urls import path

from . import import_views, views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("calendar/", views.calendar, name="calendar"),
    path("import/", import_views.upload, name="import"),
    path("import/map/", import_views.mapping, name="import_map"),
    path("import/template.xlsx", import_views.template, name="import_template"),
    path("requests/", views.request_list, name="list"),
    path("requests/export.xlsx", views.export_list, name="export_list"),
    path("requests/new/", views.register, name="register"),
    path("requests/<str:tracking_no>/", views.detail, name="detail"),
    path("requests/<str:tracking_no>/personal/", views.reveal, name="reveal"),
    path("requests/<str:tracking_no>/events/<str:name>/", views.event, name="event"),
    path("requests/<str:tracking_no>/submit/<str:kind>/", views.submit, name="submit_review"),
    path("requests/<str:tracking_no>/submit/<str:kind>/return/", views.send_back, name="return_review"),
    path("requests/<str:tracking_no>/letter.docx", views.letter, name="letter"),
    path("requests/<str:tracking_no>/letters/<int:year>-<int:seq>.<str:fmt>", views.letter_file, name="letter_file"),
    path("requests/<str:tracking_no>/receipt/", views.issue_receipt, name="issue_receipt"),
    path("requests/<str:tracking_no>/corrections/<int:pk>/file", views.correction_file, name="correction_file"),
]
