"""Signals the partnerships app sends so that the apps built on it can react to a partnership's
lifecycle without this app importing them (DESIGN §5: dependencies point one way).

They are sent inside the service's transaction, after the change is saved, so what a receiver
writes is committed, or rolled back, with the change itself.

- ``partnership_status_changed``: ``partnership`` (saved, locked), ``previous`` (the old status)
  and ``by``;
- ``partnership_dates_changed``: ``partnership`` and ``by``, when its planned start or end changed.
"""

from django.dispatch import Signal

partnership_status_changed = Signal()
partnership_dates_changed = Signal()
