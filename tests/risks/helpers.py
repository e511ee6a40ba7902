"""Shared helpers for the risks tests."""

from datetime import timedelta

from django.utils import timezone

from risks import services


def days_ahead(days: int = 60) -> str:
    """A date that many days after today (ISO 8601): due dates must not be in the past."""
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def risk_fields(world, **overrides) -> dict:
    """Valid fields for a new risk owned by the buddy's programme manager."""
    fields = {
        "title": "Loss of key clinical leaders",
        "description": "Senior clinicians seconded to the supported trust may leave.",
        "category": "workforce_capacity",
        "owner_organisation": world.buddy,
        "owner": world.buddy_pm,
        "inherent_likelihood": 4,
        "inherent_consequence": 4,
        "current_likelihood": 3,
        "current_consequence": 4,
        "target_likelihood": 2,
        "target_consequence": 3,
        "controls": "Backfill plan agreed by both boards.",
        "review_frequency": "quarterly",
    }
    fields.update(overrides)
    return fields


def make_risk(world, by=None, **overrides):
    return services.risk_create(
        partnership=world.partnership, by=by or world.buddy_pm, **risk_fields(world, **overrides)
    )


def api_risk_payload(world, **overrides) -> dict:
    payload = {
        "partnership": str(world.partnership.pk),
        "title": "Reputational damage from a serious incident",
        "category": "reputational",
        "owner_organisation": world.buddy.ods_code,
        "owner": world.buddy_pm.username,
        "inherent_likelihood": 4,
        "inherent_consequence": 5,
        "current_likelihood": 3,
        "current_consequence": 4,
        "target_likelihood": 2,
        "target_consequence": 4,
    }
    payload.update(overrides)
    return payload
