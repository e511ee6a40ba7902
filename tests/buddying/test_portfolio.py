"""The portfolio (the regulator's home): delivery, risks and last activity for every partnership,
filtered by name, region, ICB, status and delivery; quiet partnerships flagged."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import Partnership
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.conftest import PERSONAS, READERS
from tests.factories import OrganisationFactory, PartnershipFactory
from tests.risks.factories import RiskAppetiteFactory, RiskFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 10, 1)


def _active(partnership):
    Partnership.objects.filter(pk=partnership.pk).update(status="active")


def _well_behind(world):
    _active(world.partnership)
    commitment = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        planned_quantity=Decimal("100"),
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 3, 31),
    )
    DeliveryFactory(commitment=commitment, date=dt.date(2026, 9, 20), quantity=Decimal("1"))
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=4)
    RiskFactory(partnership=world.partnership, category="strategic")


@time_machine.travel(TODAY, tick=False)
def test_the_regulators_home_is_the_portfolio(world, as_user):
    _well_behind(world)
    page = as_user(world.regulator).get(reverse("dashboard")).content.decode()
    assert '<h1 class="nhsuk-heading-l">Portfolio</h1>' in page
    assert world.partnership.reference in page
    assert "Well behind" in page and "0 of 1 on track" in page
    assert "Risks outside appetite" in page
    assert "Partnerships by region and status" in page


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_portfolio_shows_only_what_the_person_may_see(world, as_user, persona):
    other = PartnershipFactory(
        buddy=world.unrelated, supported=OrganisationFactory(), title="Hidden"
    )
    response = as_user(world.user(persona)).get(reverse("portfolio"))
    assert response.status_code == 200
    page = response.content.decode()
    assert (world.partnership.reference in page) is (persona in READERS)
    assert (other.reference in page) is (persona in ("regulator", "outsider"))


@time_machine.travel(TODAY, tick=False)
def test_an_active_partnership_with_no_activity_for_30_days_is_flagged(world, as_user):
    quiet = PartnershipFactory(buddy=world.unrelated, supported=world.supported, title="Quiet one")
    _active(quiet)
    with time_machine.travel(dt.date(2026, 8, 1), tick=False):
        _active(world.partnership)
    Partnership.objects.filter(pk=quiet.pk).update(
        updated_at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    )
    page = as_user(world.regulator).get(reverse("portfolio")).content.decode()
    assert "No activity for 30 days" in page
    flagged = as_user(world.regulator).get(reverse("portfolio"), {"quiet": "on"}).content.decode()
    assert quiet.reference in flagged


@time_machine.travel(TODAY, tick=False)
def test_filters_take_names_region_icb_and_delivery(world, as_user):
    _well_behind(world)
    elsewhere = OrganisationFactory(
        name="LEEDS TEACHING HOSPITALS NHS TRUST",
        region_code="Y63",
        region_name="NORTH EAST AND YORKSHIRE",
        icb_code="QWO",
        icb_name="NHS WEST YORKSHIRE INTEGRATED CARE BOARD",
    )
    other = PartnershipFactory(buddy=elsewhere, supported=world.unrelated, title="Leeds pair")
    client = as_user(world.regulator)

    def shown(**query):
        page = client.get(reverse("portfolio"), query).content.decode()
        return {p.reference for p in (world.partnership, other) if p.reference in page}

    assert shown(organisation="Royal Free") == {world.partnership.reference}
    assert shown(organisation="ral") == {world.partnership.reference}
    assert shown(organisation="leeds teaching") == {other.reference}
    assert shown(region="Y63") == {other.reference}
    assert shown(icb="QWO") == {other.reference}
    assert shown(rag="red") == {world.partnership.reference}
    assert shown(rag="grey") == {other.reference}
    page = client.get(reverse("portfolio")).content.decode()
    assert "North East and Yorkshire" in page  # regions are chosen by name
    assert "NHS West Yorkshire Integrated Care Board" in page


@time_machine.travel(TODAY, tick=False)
def test_the_partnership_list_finds_an_organisation_by_name(world, as_user):
    page = (
        as_user(world.regulator)
        .get(reverse("partnerships:list"), {"organisation": "Royal Free"})
        .content.decode()
    )
    assert world.partnership.reference in page
    page = (
        as_user(world.regulator)
        .get(reverse("partnerships:list"), {"organisation": "Nowhere General"})
        .content.decode()
    )
    assert world.partnership.reference not in page


@time_machine.travel(TODAY, tick=False)
def test_the_portfolio_runs_a_fixed_number_of_queries(world, as_user, django_assert_num_queries):
    client = as_user(world.regulator)
    _well_behind(world)
    client.get(reverse("portfolio"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("portfolio"))
    for _ in range(6):
        partnership = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
        RiskFactory(partnership=partnership)
        CommitmentFactory(partnership=partnership, organisation=world.buddy)
    with django_assert_num_queries(len(few)):
        client.get(reverse("portfolio"))


@time_machine.travel(TODAY, tick=False)
def test_a_full_page_of_the_portfolio_stays_small(world, as_user):
    """25 rows drawn with the plain table (the NHS macro's markup, without its whitespace):
    at national scale the NHS macro made the regulator's home 187 KB and most of its time."""
    for _ in range(30):
        partnership = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
        CommitmentFactory(partnership=partnership, organisation=world.buddy)
    response = as_user(world.regulator).get(reverse("portfolio"))
    page = response.content.decode()
    assert page.count('<tr class="nhsuk-table__row" role="row">') >= 26
    assert len(response.content) < 90_000  # 158 KB with the NHS macro, 65 KB plain


@time_machine.travel(TODAY, tick=False)
def test_each_row_counts_its_commitments_by_delivery_and_its_risks_outside_appetite(world, as_user):
    _active(world.partnership)
    # Half a year in, about 50 of 100 hours were expected by now.
    for delivered in ("1", "40", "50"):  # well behind, behind, on track
        commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
        DeliveryFactory(
            commitment=commitment, date=dt.date(2026, 9, 20), quantity=Decimal(delivered)
        )
    CommitmentFactory(  # not started: left out of "on track"
        partnership=world.partnership, organisation=world.buddy, start_date=dt.date(2026, 12, 1)
    )
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=4)
    RiskFactory.create_batch(2, partnership=world.partnership, category="strategic")
    RiskFactory(partnership=world.partnership, category="financial")  # no appetite set
    quiet_one = PartnershipFactory(buddy=world.unrelated, supported=world.supported)

    page = as_user(world.regulator).get(reverse("portfolio")).content.decode()
    flat = " ".join(page.split())

    assert "Well behind</strong> 1 of 3 on track" in flat
    assert (
        '<span class="nhsuk-table__heading" aria-hidden="true">Risks outside appetite </span>2</td>'
        in flat
    )
    assert quiet_one.reference in page and "No commitments recorded" in page


@time_machine.travel(TODAY, tick=False)
def test_partnerships_by_region_count_the_supported_organisations_region_only(world, as_user):
    from buddying.dashboard import selectors

    elsewhere = OrganisationFactory(region_code="Y63", region_name="NORTH EAST AND YORKSHIRE")
    PartnershipFactory(buddy=world.buddy, supported=elsewhere)  # a London buddy

    regions = selectors.portfolio_by_region(selectors.portfolio(world.regulator))

    assert regions == [
        {"region": "London", "total": 1, "proposed": 1},
        {"region": "North East and Yorkshire", "total": 1, "proposed": 1},
    ]


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("recent", ["nothing", "commitment", "risk"])
def test_a_partnership_is_quiet_only_with_no_recent_change_to_it_its_commitments_or_risks(
    world, as_user, recent
):
    from partnerships.commitments.models import Commitment
    from risks.models import Risk

    long_ago = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    risk = RiskFactory(partnership=world.partnership)
    Commitment.objects.filter(pk=commitment.pk).update(updated_at=long_ago)
    Risk.objects.filter(pk=risk.pk).update(updated_at=long_ago)
    if recent == "commitment":
        Commitment.objects.filter(pk=commitment.pk).update(updated_at=dt.datetime.now(dt.UTC))
    if recent == "risk":
        Risk.objects.filter(pk=risk.pk).update(updated_at=dt.datetime.now(dt.UTC))
    Partnership.objects.filter(pk=world.partnership.pk).update(status="active", updated_at=long_ago)

    page = as_user(world.regulator).get(reverse("portfolio"), {"quiet": "on"}).content.decode()

    assert (world.partnership.reference in page) is (recent == "nothing")
