from __future__ import annotations

from django.urls import path, register_converter

from . import views


class FileFormat:
    """A download's extension as the site writes it: one address per file."""

    regex = "|".join(views.FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class Ordinal:
    """A version, year or letter number as the site writes it: no zeros in front."""

    regex = "[1-9][0-9]*"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class Digits:
    """A number as typed, zeros in front and all, for the address to be written again."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FileFormat, "filefmt")
register_converter(Ordinal, "ordinal")
register_converter(Digits, "digits")

urlpatterns = [
    path("public/reports/", views.published_reports, name="public_reports"),
    path("public/reports/<str:slug>/", views.public, name="public_report"),
    path("public/reports/<str:slug>/report.<filefmt:fmt>", views.public_download, name="public_report_file"),
    path("public/reports/<str:slug>/versions/<ordinal:number>/", views.public, name="public_report_version"),
    path("public/reports/<str:slug>/versions/<ordinal:number>/report.<filefmt:fmt>", views.public_download,
         name="public_report_version_file"),
    path("public/apply/", views.apply, name="public_apply"),
    path("public/receipt/", views.receipt, name="public_receipt"),
    path("public/track/", views.track, name="public_track"),
    path("public/requests/<str:tracking_no>/letter.docx", views.public_letter, name="public_letter"),
    path("public/requests/<str:tracking_no>/letter.pdf", views.public_letter, {"fmt": "pdf"}, name="public_letter_pdf"),
    path("public/requests/<str:tracking_no>/letters/<ordinal:year>-<ordinal:seq>.<filefmt:fmt>", views.public_letter,
         name="public_letter_file"),
    path("public/requests/<str:tracking_no>/correction/", views.correct, name="public_correct"),
    path("public/requests/<str:tracking_no>/withdraw/", views.withdraw, name="public_withdraw"),
    # The same files and pages written otherwise — .PDF, versions/01/ — are sent on to the one
    # address above (a link or a bookmark keeps working, and no page has two addresses).
    path("public/reports/<str:slug>/report.<str:fmt>", views.canonical, {"to": "public_report_file"}),
    path("public/reports/<str:slug>/versions/<digits:number>/", views.canonical, {"to": "public_report_version"}),
    path("public/reports/<str:slug>/versions/<digits:number>/report.<str:fmt>", views.canonical,
         {"to": "public_report_version_file"}),
    path("public/requests/<str:tracking_no>/letter.<str:fmt>", views.canonical, {"to": "public_letter"}),
    path("public/requests/<str:tracking_no>/letters/<digits:year>-<digits:seq>.<str:fmt>", views.canonical,
         {"to": "public_letter_file"}),
]
