"""Errors the services raise; the API maps them to status codes and forms show their messages."""

from itertools import chain

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """A change the object's current state does not allow (the API answers 409)."""


class RowErrors(ValidationError):
    """Some entries of a batch are bad, so nothing was saved.

    ``rows`` maps each bad entry (its index in a list, or its line in a file) to its messages by
    field, so the API can answer errors by index and the upload page can list each bad line.
    """

    def __init__(
        self, rows: dict[int, dict[str, list[str]]], *, label: str = "Entry", more: int = 0
    ):
        self.rows = dict(sorted(rows.items()))
        # How many more bad entries there were beyond those listed (a report stops after a
        # hundred: enough to correct a file, and an answer in seconds however bad the file is).
        self.more = more
        messages = [
            f"{label} {number}: {' '.join(chain.from_iterable(fields.values()))}"
            for number, fields in self.rows.items()
        ]
        if more:
            messages.append(f"{more:,} more {label.lower()}s have problems too.")
        super().__init__(messages)


NEEDS_CONFIRMATION = "needs_confirmation"


def needs_confirmation(error: ValidationError) -> bool:
    """Whether the refusal is one the person may overrule by confirming (an implausible value)."""
    return any(
        getattr(item, "code", None) == NEEDS_CONFIRMATION
        for item in (error.error_list if hasattr(error, "error_list") else [])
    ) or any(
        getattr(item, "code", None) == NEEDS_CONFIRMATION
        for items in getattr(error, "error_dict", {}).values()
        for item in items
    )


class StaleVersion(StateConflict):
    """The row changed since the person read it (the API answers 412; a form comes back with the
    current values beside the person's own). Nothing was written."""

    def __init__(self, message: str, *, current):
        self.current = current
        super().__init__(message)
