"""Logging filters the settings' ``LOGGING`` uses."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A refused or unknown request (4xx) is one line: Django logs a 403's PermissionDenied (and a
    404's Http404) with the exception's traceback, which says nothing about a fault of ours. A 5xx
    keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
