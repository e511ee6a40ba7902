"""Choices used across the risks app."""

from django.db import models


class RiskCategory(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    REPUTATIONAL = "reputational", "Reputational"
    FINANCIAL = "financial", "Financial"
    QUALITY_SAFETY = "quality_safety", "Quality and safety"
    WORKFORCE_CAPACITY = "workforce_capacity", "Workforce and capacity"
    REGULATORY = "regulatory", "Regulatory"
    OPERATIONAL = "operational", "Operational"


class RiskBand(models.TextChoices):
    """The NPSA grading of a score (1–3 low, 4–6 moderate, 8–12 high, 15–25 extreme)."""

    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    EXTREME = "extreme", "Extreme"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ReviewFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Every 3 months"
    SIX_MONTHLY = "six_monthly", "Every 6 months"
    ANNUALLY = "annually", "Every year"


REVIEW_MONTHS = {
    ReviewFrequency.MONTHLY: 1,
    ReviewFrequency.QUARTERLY: 3,
    ReviewFrequency.SIX_MONTHLY: 6,
    ReviewFrequency.ANNUALLY: 12,
}


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class AppetiteLevel(models.TextChoices):
    """From least to most willing to take risk; the order is what "two steps apart" counts."""

    AVOID = "avoid", "Avoid"
    MINIMAL = "minimal", "Minimal"
    CAUTIOUS = "cautious", "Cautious"
    OPEN = "open", "Open"
    SEEK = "seek", "Seek"


APPETITE_LEVEL_ORDER = {level: index for index, level in enumerate(AppetiteLevel.values)}
