"""Keep personal data out of the log: a failed request is recorded by method, path and
traceback; the query string (a tracking number and code may ride in it) and the request
object (form data, cookies) are dropped from the record."""

from __future__ import annotations

import logging


class NoPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None:
            record.request = None  # type: ignore[attr-defined]
        if record.exc_info and _sent_too_much(record.exc_info[1]):
            # A post over the size limits is the sender's doing, refused with a page that
            # says so: one line in the log, not a traceback read as a fault of the server.
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        if isinstance(record.args, tuple):
            record.args = tuple(a.split("?", 1)[0] if isinstance(a, str) and "?" in a else a for a in record.args)
        return True


def _sent_too_much(exc: BaseException | None) -> bool:
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    return isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)
