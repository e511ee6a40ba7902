"""The choices of secondments: pay band and derived status. Staff groups are the NHS ESR groups
of ``partnerships.choices.DeliveryStaffGroup``, shared with the delivery log."""

from django.db import models


class PayBand(models.TextChoices):
    """Agenda for Change bands 1–9 (band 8 in its four ranges), or a grade outside AfC."""

    BAND_1 = "1", "Band 1"
    BAND_2 = "2", "Band 2"
    BAND_3 = "3", "Band 3"
    BAND_4 = "4", "Band 4"
    BAND_5 = "5", "Band 5"
    BAND_6 = "6", "Band 6"
    BAND_7 = "7", "Band 7"
    BAND_8A = "8a", "Band 8a"
    BAND_8B = "8b", "Band 8b"
    BAND_8C = "8c", "Band 8c"
    BAND_8D = "8d", "Band 8d"
    BAND_9 = "9", "Band 9"
    MEDICAL = "medical", "Medical and dental grade"
    VSM = "vsm", "Very senior manager"


class SecondmentStatus(models.TextChoices):
    """Derived from the dates (planned, active, ended), except ``cancelled``, which is recorded."""

    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"
