"""The one error every reader raises: a code, and the reason in Chinese and English."""

from __future__ import annotations


class IngestError(Exception):
    def __init__(self, code: str, message_zh: str, message_en: str, limit: str | None = None):
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        # The name of the limit (ogi.ingest.limits) the file went past, when that is the reason.
        self.limit = limit

    def __reduce__(self) -> tuple:
        return (IngestError, (self.code, self.message_zh, self.message_en, self.limit))

    def to_json(self) -> dict[str, str]:
        out = {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}
        if self.limit:
            out["limit"] = self.limit
        return out
