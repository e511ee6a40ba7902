"""Choices used across the partnerships app."""

from django.db import models


class OrganisationKind(models.TextChoices):
    TRUST = "trust", "NHS trust"
    ACUTE = "acute", "Acute trust"
    MENTAL_HEALTH = "mental_health", "Mental health trust"
    COMMUNITY = "community", "Community trust"
    AMBULANCE = "ambulance", "Ambulance trust"
    ICB = "icb", "Integrated care board"
    REGULATOR = "regulator", "Regulator"
    OTHER = "other", "Other"


TRUST_KINDS = {
    OrganisationKind.TRUST,
    OrganisationKind.ACUTE,
    OrganisationKind.MENTAL_HEALTH,
    OrganisationKind.COMMUNITY,
    OrganisationKind.AMBULANCE,
}


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    PROGRAMME_MANAGER = "programme_manager", "Programme manager"
    EXECUTIVE = "executive", "Executive"
    REGULATOR = "regulator", "Regulator"


class CqcRating(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class PartnershipKind(models.TextChoices):
    BUDDYING = "buddying", "Buddying"
    MENTORING = "mentoring", "Mentoring"
    COLLABORATION = "collaboration", "Collaboration"
    GROUP = "group", "Group or chain"
    MANAGEMENT_CONTRACT = "management_contract", "Management contract"


class PartnershipStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class ClosureOutcome(models.TextChoices):
    COMPLETED = "completed", "Completed"
    TERMINATED_EARLY = "terminated_early", "Terminated early"


class PartyRole(models.TextChoices):
    BUDDY = "buddy", "Buddy"
    SUPPORTED = "supported", "Supported"
    BROKER = "broker", "Broker"
    MEDIATOR = "mediator", "Mediator"
    FUNDER = "funder", "Funder"


class FundingSource(models.TextChoices):
    NHS_ENGLAND = "nhs_england", "NHS England"
    ICB = "icb", "Integrated care board"
    SUPPORTED_TRUST = "supported_trust", "Supported trust"
    BUDDY_TRUST = "buddy_trust", "Buddy trust"
    NONE = "none", "No remuneration"
    OTHER = "other", "Other"


class Rag(models.TextChoices):
    """Delivery against what was expected by now; ``grey`` means not started yet."""

    GREEN = "green", "On track"
    AMBER = "amber", "Behind"
    RED = "red", "Well behind"
    GREY = "grey", "Not started"


class DeliveryStaffGroup(models.TextChoices):
    """The staff groups of the NHS Electronic Staff Record, as NHS workforce statistics use them."""

    MEDICAL_DENTAL = "medical_dental", "Medical and dental"
    NURSING_MIDWIFERY = "nursing_midwifery", "Nursing and midwifery registered"
    ALLIED_HEALTH = "allied_health", "Allied health professionals"
    SCIENTIFIC_TECHNICAL = (
        "scientific_technical",
        "Additional professional scientific and technical",
    )
    HEALTHCARE_SCIENTISTS = "healthcare_scientists", "Healthcare scientists"
    ADDITIONAL_CLINICAL = "additional_clinical", "Additional clinical services"
    ADMIN_CLERICAL = "admin_clerical", "Administrative and clerical"
    ESTATES_ANCILLARY = "estates_ancillary", "Estates and ancillary"
    SENIOR_MANAGERS = "senior_managers", "Senior managers and executives"
