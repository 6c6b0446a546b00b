from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("public/reports/", views.published_reports, name="public_reports"),
    path("public/reports/<str:slug>/", views.public, name="public_report"),
    path("public/reports/<str:slug>/report.<str:fmt>", views.public_download, name="public_report_file"),
    path("public/reports/<str:slug>/versions/<int:number>/", views.public, name="public_report_version"),
    path("public/reports/<str:slug>/versions/<int:number>/report.<str:fmt>", views.public_download,
         name="public_report_version_file"),
    path("public/apply/", views.apply, name="public_apply"),
    path("public/receipt/", views.receipt, name="public_receipt"),
    path("public/track/", views.track, name="public_track"),
    path("public/requests/<str:tracking_no>/letter.docx", views.public_letter, name="public_letter"),
    path("public/requests/<str:tracking_no>/letter.pdf", views.public_letter, {"fmt": "pdf"}, name="public_letter_pdf"),
    path("public/requests/<str:tracking_no>/letters/<int:year>-<int:seq>.<str:fmt>", views.public_letter, name="public_letter_file"),
    path("public/requests/<str:tracking_no>/correction/", views.correct, name="public_correct"),
    path("public/requests/<str:tracking_no>/withdraw/", views.withdraw, name="public_withdraw"),
]
