"""Choices of outcome reviews and learning items."""

from django.db import models


class ReviewKind(models.TextChoices):
    QUARTERLY = "quarterly", "Quarterly"
    INTERIM = "interim", "Interim"
    FINAL = "final", "Final"


class ReviewStatus(models.TextChoices):
    """``scheduled`` (not started) → ``draft`` → ``submitted`` → ``signed_off`` (read only)."""

    SCHEDULED = "scheduled", "Scheduled"
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for sign-off"
    SIGNED_OFF = "signed_off", "Signed off"


class ReviewRag(models.TextChoices):
    """A reviewer's judgement of progress (not the computed delivery RAG of commitments)."""

    GREEN = "green", "Green – achieved or on track"
    AMBER = "amber", "Amber – some progress, at risk"
    RED = "red", "Red – not achieved or off track"


class LearningDirection(models.TextChoices):
    BUDDY_TO_SUPPORTED = "buddy_to_supported", "Buddy to supported"
    SUPPORTED_TO_BUDDY = "supported_to_buddy", "Supported to buddy"
    MUTUAL = "mutual", "Mutual"


class LearningTheme(models.TextChoices):
    LEADERSHIP = "leadership", "Leadership and culture"
    GOVERNANCE = "governance", "Governance"
    QUALITY_IMPROVEMENT = "quality_improvement", "Quality improvement"
    CLINICAL_PRACTICE = "clinical_practice", "Clinical practice"
    PATIENT_FLOW = "patient_flow", "Patient flow and operations"
    WORKFORCE = "workforce", "Workforce"
    FINANCE = "finance", "Finance"
    DIGITAL = "digital", "Digital and data"
    OTHER = "other", "Other"
