"""The one error every reader raises: a code, and the reason in Chinese and English."""

from __future__ import annotations


class IngestError(Exception):
    def __init__(self, code: str, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}
