"""factory_boy factories for the core models. Feature tests add theirs beside their tests."""

import factory
from django.contrib.auth import get_user_model

from partnerships.choices import OrganisationKind, PartnershipStatus, PartyRole, Role
from partnerships.models import Membership, Organisation, Partnership, Party
from partnerships.services import next_partnership_reference


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.nhs.uk")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct-horse-battery")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("ods_code",)

    ods_code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"Test Hospitals {n} NHS Foundation Trust")
    kind = OrganisationKind.ACUTE
    region_code = "Y56"
    region_name = "London"
    icb_code = "QMJ"
    active = True


class RegulatorFactory(OrganisationFactory):
    ods_code = factory.Sequence(lambda n: f"X{n:03d}")
    name = factory.Sequence(lambda n: f"Regulator {n}")
    kind = OrganisationKind.REGULATOR


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.VIEWER


class PartnershipFactory(factory.django.DjangoModelFactory):
    """A partnership with a buddy and a supported party (pass ``buddy=``/``supported=`` orgs)."""

    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    # The same counter as the services, so a partnership proposed in a test never collides.
    reference = factory.LazyFunction(next_partnership_reference)
    title = factory.Sequence(lambda n: f"Buddying partnership {n}")
    status = PartnershipStatus.PROPOSED
    shared_intent = "Sustained improvement in the quality of care."

    @factory.post_generation
    def buddy(self, create, extracted, **kwargs):
        if create:
            Party.objects.create(
                partnership=self,
                organisation=extracted or OrganisationFactory(),
                role=PartyRole.BUDDY,
                sponsor_name="Dr Asha Patel",
                sponsor_job_title="Chief executive",
            )

    @factory.post_generation
    def supported(self, create, extracted, **kwargs):
        if create:
            Party.objects.create(
                partnership=self,
                organisation=extracted or OrganisationFactory(),
                role=PartyRole.SUPPORTED,
                sponsor_name="Mr Tom Hughes",
                sponsor_job_title="Chief executive",
            )
