"""The choices of agreements and disputes."""

from django.db import models


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_SIGNATURES = "awaiting_signatures", "Awaiting signatures"
    IN_FORCE = "in_force", "In force"
    SUPERSEDED = "superseded", "Superseded"
    TERMINATED = "terminated", "Terminated"


# An agreement that is still being made (at most one per partnership at a time).
OPEN_STATUSES = (AgreementStatus.DRAFT, AgreementStatus.AWAITING_SIGNATURES)
# An agreement that was signed by every party: it never changes again.
SIGNED_STATUSES = (
    AgreementStatus.IN_FORCE,
    AgreementStatus.SUPERSEDED,
    AgreementStatus.TERMINATED,
)


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_MEDIATION = "in_mediation", "In mediation"
    RESOLVED = "resolved", "Resolved"


# Which status a dispute may move to from each status.
DISPUTE_TRANSITIONS = {
    DisputeStatus.OPEN: (DisputeStatus.IN_MEDIATION, DisputeStatus.RESOLVED),
    DisputeStatus.IN_MEDIATION: (DisputeStatus.RESOLVED,),
    DisputeStatus.RESOLVED: (),
}
