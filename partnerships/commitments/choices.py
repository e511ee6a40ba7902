"""The choices of commitments: what kind of contribution, and in what unit."""

from django.db import models


class CommitmentCategory(models.TextChoices):
    EXECUTIVE_TIME = "executive_time", "Executive time"
    CLINICAL_TIME = "clinical_time", "Clinical time"
    QUALITY_IMPROVEMENT = "quality_improvement", "Quality improvement"
    TRAINING = "training", "Training"
    FINANCE = "finance", "Finance"
    ESTATES = "estates", "Estates"
    DIGITAL = "digital", "Digital"
    OTHER = "other", "Other"


class CommitmentUnit(models.TextChoices):
    HOURS = "hours", "Hours"
    DAYS = "days", "Days"
    FTE = "fte", "FTE"
    GBP = "gbp", "Pounds (£)"
