"""Factories for commitments and deliveries (``world`` from tests/conftest.py gives the partnership)."""

import datetime as dt
from decimal import Decimal

import factory

from partnerships.commitments import services
from partnerships.commitments.choices import CommitmentCategory, CommitmentUnit
from partnerships.commitments.models import Commitment, Delivery


class CommitmentFactory(factory.django.DjangoModelFactory):
    """A commitment of the partnership's buddy (pass ``partnership=`` and ``organisation=``)."""

    class Meta:
        model = Commitment

    reference = factory.Sequence(lambda n: f"C-{n + 1:04d}")
    category = CommitmentCategory.CLINICAL_TIME
    description = "Consultant sessions in the emergency department"
    unit = CommitmentUnit.HOURS
    planned_quantity = Decimal("100")
    start_date = dt.date(2026, 4, 1)
    end_date = dt.date(2027, 3, 31)
    owner = "Dr Priya Shah, Clinical director"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the commitment services do: its first red day, kept with its plan.
        commitment = super()._create(model_class, *args, **kwargs)
        services.store_red_from(Commitment.objects.filter(pk=commitment.pk))
        commitment.refresh_from_db(fields=["red_from"])
        return commitment


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    commitment = factory.SubFactory(CommitmentFactory)
    date = dt.date(2026, 4, 10)
    quantity = Decimal("7.5")
    staff_group = "medical_dental"
    note = "Ward round"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the delivery services do in the same transaction: the commitment's stored totals.
        delivery = super()._create(model_class, *args, **kwargs)
        services.recompute_totals(Commitment.objects.filter(pk=delivery.commitment_id))
        return delivery
