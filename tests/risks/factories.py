"""Factories for the risks app (risks, actions, appetites)."""

from datetime import date

import factory

from partnerships.models import ReferenceCounter
from risks.choices import AppetiteLevel, ReviewFrequency, RiskCategory
from risks.models import Risk, RiskAction, RiskAppetite
from tests.factories import OrganisationFactory, PartnershipFactory, UserFactory


class RiskFactory(factory.django.DjangoModelFactory):
    """A risk saved straight to the database (tests of services call the services instead).

    Pass ``owner_organisation`` (a party) and ``owner``; by default the partnership's buddy is the
    owner organisation and a fresh user the owner.
    """

    class Meta:
        model = Risk

    partnership = factory.SubFactory(PartnershipFactory)
    number = factory.LazyAttribute(lambda o: ReferenceCounter.next(f"risks:{o.partnership.pk}"))
    reference = factory.LazyAttribute(lambda o: f"R-{o.number:03d}")
    title = factory.Sequence(lambda n: f"Risk {n}")
    description = "Described in plain English."
    category = RiskCategory.STRATEGIC
    owner_organisation = factory.LazyAttribute(lambda o: o.partnership.buddy.organisation)
    owner = factory.SubFactory(UserFactory)
    inherent_likelihood = 4
    inherent_consequence = 4
    current_likelihood = 3
    current_consequence = 3
    target_likelihood = 2
    target_consequence = 2
    controls = "Monthly joint board."
    review_frequency = ReviewFrequency.QUARTERLY
    next_review_date = date(2026, 9, 1)


class RiskActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAction

    risk = factory.SubFactory(RiskFactory)
    partnership = factory.SelfAttribute("risk.partnership")
    description = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due_date = date(2026, 7, 1)


class RiskAppetiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAppetite
        django_get_or_create = ("organisation", "category")

    organisation = factory.SubFactory(OrganisationFactory)
    category = RiskCategory.STRATEGIC
    level = AppetiteLevel.CAUTIOUS
    tolerance = 12
