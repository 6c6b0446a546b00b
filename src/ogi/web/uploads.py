"""A file sent with a form, under one size rule for every page that takes one (the report
workspace's uploads, the applicant's correction): judged first from the request's declared
length, then from the file itself."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

from ogi.ingest.limits import mb

# The form's other fields and the multipart boundaries, beside the file.
FORM_ALLOWANCE = 64 * 1024


def upload_limit() -> int:
    return int(settings.OGI_UPLOAD_MAX_BYTES)


def uploaded_file(request: HttpRequest, name: str = "file") -> tuple[UploadedFile | None, str]:
    """The file sent as `name` (None when none was chosen), or None and why it is refused,
    in Chinese. A request declaring more than the limit is refused before its files are
    looked at."""
    limit = upload_limit()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + FORM_ALLOWANCE:
        return None, f"文件过大（{mb(length)}），上传上限为 {mb(limit)}"
    f = request.FILES.get(name)
    if f is not None and f.size > limit:
        return None, f"文件过大（{mb(f.size)}），请选择不超过 {mb(limit)} 的文件"
    return f, ""


# What an applicant may attach to a correction — a PDF, a Word document, a scan or photo —
# told by the file's first bytes, never by its name; with the type it is served back as.
ATTACHMENT_TYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "jpg": "image/jpeg", "png": "image/png"}
ATTACHMENT_ZH = "PDF 文件、Word 文档（.docx）或 JPG、PNG 图片"


def attachment_kind(data: bytes) -> tuple[str, str]:
    """(kind, "") for a file an applicant may attach, else ("", why not in Chinese)."""
    from ogi.ingest.load import container_zh

    if not data:
        return "", "所选附件是空文件，请重新选择"
    if data.startswith(b"%PDF-"):
        return "pdf", ""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", ""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg", ""
    what = container_zh(data)
    if what == "Word 文档":
        return "docx", ""
    return "", f"附件应为{ATTACHMENT_ZH}；所选文件{f'是{what}' if what else '不是其中之一'}"


def safe_file_name(name: str, kind: str, limit: int = 100) -> str:
    """The name a file was sent with, as it may be shown: no folders, no control or
    direction characters, not too long, and ending with its real kind."""
    import re

    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200b-\u200f]", "", base).strip().strip(".")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{(stem or '附件')[:limit]}.{kind}"
