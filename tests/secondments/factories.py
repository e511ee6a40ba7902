"""Factories and helpers for secondments (``world`` from tests/conftest.py gives the partnership)."""

import datetime as dt
from decimal import Decimal

import factory

from partnerships.secondments import services
from partnerships.secondments.models import Secondment


class SecondmentFactory(factory.django.DjangoModelFactory):
    """A secondment straight into the table (pass ``partnership``, ``home_organisation`` and
    ``host_organisation``); use ``record`` to go through the service and its rules."""

    class Meta:
        model = Secondment

    reference = factory.Sequence(lambda n: f"S-{n + 1:04d}")
    staff_reference = factory.Sequence(lambda n: f"E{n + 1:05d}")
    role_title = "Consultant in emergency medicine"
    staff_group = "medical_dental"
    band = "medical"
    fte = Decimal("0.6")
    start_date = dt.date(2026, 4, 1)
    end_date = dt.date(2027, 3, 31)
    backfilled = False
    monthly_recharge = Decimal("4500")
    development_objectives = "Lead a team through a recovery programme."


def fields(**overrides) -> dict:
    values = {
        "staff_reference": "E12345",
        "role_title": "Consultant in emergency medicine",
        "staff_group": "medical_dental",
        "band": "medical",
        "fte": Decimal("0.6"),
        "start_date": dt.date(2026, 4, 1),
        "end_date": dt.date(2027, 3, 31),
        "backfilled": False,
        "monthly_recharge": Decimal("4500"),
        "development_objectives": "Lead a team through a recovery programme.",
    }
    values.update(overrides)
    return values


def record(world, by=None, home=None, host=None, **overrides) -> Secondment:
    """A secondment of the buddy's staff to the supported trust, through the service."""
    return services.secondment_create(
        by=by or world.buddy_pm,
        partnership=world.partnership,
        home_organisation=home or world.buddy,
        host_organisation=host or world.supported,
        **fields(**overrides),
    )
