"""Errors the services raise; the API maps them to status codes and forms show their messages."""

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """A change the object's current state does not allow (the API answers 409)."""
