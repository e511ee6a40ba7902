"""Divergence between the parties' appetites and the "outside appetite" flags, on crafted cases."""

import pytest
from django.urls import reverse

from partnerships.models import Party
from risks import selectors
from risks.filtersets import RiskFilterSet
from tests.factories import OrganisationFactory, PartnershipFactory
from tests.risks.factories import RiskAppetiteFactory, RiskFactory

pytestmark = pytest.mark.django_db


def _appetite(organisation, level, tolerance, category="financial"):
    return RiskAppetiteFactory(
        organisation=organisation, category=category, level=level, tolerance=tolerance
    )


def _row(world, category="financial"):
    partnership = world.partnership
    comparison = selectors.appetite_comparison(world.buddy_exec, partnership)
    return next(row for row in comparison.categories if row.category == category)


@pytest.mark.parametrize(
    ("buddy_level", "supported_level", "divergent"),
    [
        ("cautious", "cautious", False),
        ("cautious", "open", False),  # one step apart
        ("cautious", "seek", True),  # two steps apart
        ("avoid", "seek", True),
        ("open", "minimal", True),
        ("seek", "open", False),
    ],
)
def test_levels_two_or_more_steps_apart_are_divergent(
    world, buddy_level, supported_level, divergent
):
    _appetite(world.buddy, buddy_level, 12)
    _appetite(world.supported, supported_level, 12)
    row = _row(world)
    assert row.divergent is divergent
    assert bool(row.reasons) is divergent


def test_different_tolerances_are_divergent_even_at_the_same_level(world):
    _appetite(world.buddy, "cautious", 8)
    _appetite(world.supported, "cautious", 12)
    row = _row(world)
    assert row.divergent is True
    assert row.reasons == [
        "Tolerances differ: 8 for Royal Free London NHS Foundation Trust, 12 for "
        "Basildon and Thurrock University Hospitals NHS Foundation Trust."
    ]


def test_a_missing_appetite_is_not_known_rather_than_guessed(world):
    _appetite(world.buddy, "cautious", 8)
    row = _row(world)
    assert row.divergent is None
    assert [organisation.pk for organisation in row.not_set_by] == [world.supported.pk]
    assert [appetite is None for _, appetite in row.appetites] == [False, True]


def test_divergence_among_the_set_appetites_stands_when_another_party_has_none(world):
    broker = OrganisationFactory(ods_code="RBK", name="Broker Trust")
    Party.objects.create(partnership=world.partnership, organisation=broker, role="broker")
    _appetite(world.buddy, "avoid", 4)
    _appetite(world.supported, "open", 4)
    row = _row(world)
    assert row.divergent is True
    assert [organisation.pk for organisation in row.not_set_by] == ["RBK"]


def test_comparison_page_says_not_set_and_flags_divergence(world, as_user):
    _appetite(world.buddy, "avoid", 4)
    _appetite(world.supported, "seek", 20)
    response = as_user(world.supported_viewer).get(
        reverse("risks:comparison", args=[world.partnership.pk])
    )
    text = response.content.decode()
    assert "Divergent" in text
    assert "Levels are two or more steps apart" in text
    assert (
        "Not set by Royal Free London NHS Foundation Trust or Basildon" in text
    )  # other categories
    assert "(1 divergent)" in text


# --- Outside appetite --------------------------------------------------------------------------


def _risk(world, likelihood, consequence, category="financial", **extra):
    return RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        category=category,
        inherent_likelihood=5,
        inherent_consequence=5,
        current_likelihood=likelihood,
        current_consequence=consequence,
        target_likelihood=1,
        target_consequence=1,
        **extra,
    )


def _flags(world):
    risks = selectors.attach_outside_appetite(
        list(selectors.risk_list(world.regulator).order_by("number"))
    )
    return {
        risk.title: (risk.outside_appetite, [o.ods_code for o in risk.outside_appetite_for])
        for risk in risks
    }


def test_risks_above_a_partys_tolerance_are_flagged_for_that_party(world):
    _appetite(world.buddy, "cautious", 8)
    _appetite(world.supported, "open", 12)
    _risk(world, 2, 4, title="at buddy tolerance")  # 8: not above 8
    _risk(world, 3, 3, title="above buddy only")  # 9
    _risk(world, 4, 4, title="above both")  # 16
    _risk(world, 4, 4, category="strategic", title="no appetite set")
    assert _flags(world) == {
        "at buddy tolerance": (False, []),
        "above buddy only": (True, ["RAL"]),
        "above both": (True, ["RDD", "RAL"]),  # ordered by organisation name
        "no appetite set": (False, []),
    }


def test_closed_risks_are_not_flagged(world):
    _appetite(world.buddy, "cautious", 4)
    _risk(world, 5, 5, title="closed", status="closed", closing_reason="Resolved.")
    assert _flags(world) == {"closed": (False, [])}


def test_an_appetite_only_counts_in_partnerships_the_organisation_is_a_party_to(world):
    _appetite(world.unrelated, "avoid", 1)
    other = PartnershipFactory(buddy=world.unrelated, supported=world.supported)
    RiskFactory(
        partnership=other,
        owner=world.supported_pm,
        owner_organisation=world.supported,
        category="financial",
        title="other partnership",
        current_likelihood=2,
        current_consequence=2,
        target_likelihood=1,
        target_consequence=1,
    )
    _risk(world, 2, 2, title="ours")
    assert _flags(world) == {"ours": (False, []), "other partnership": (True, ["RRK"])}


def test_outside_appetite_filter_is_sql_and_matches_the_flags(world):
    _appetite(world.buddy, "cautious", 8)
    _risk(world, 3, 3, title="outside")
    _risk(world, 2, 2, title="inside")
    base = selectors.risk_list(world.buddy_viewer)
    inside = RiskFilterSet({"outside_appetite": "false"}, queryset=base).qs
    outside = RiskFilterSet({"outside_appetite": "true"}, queryset=base).qs
    assert [r.title for r in outside] == ["outside"]
    assert [r.title for r in inside] == ["inside"]


def test_risk_page_shows_each_partys_position_including_not_set(world, as_user):
    _appetite(world.buddy, "cautious", 8)
    risk = _risk(world, 3, 3, title="outside")
    text = as_user(world.buddy_viewer).get(reverse("risks:detail", args=[risk.pk])).content.decode()
    assert "Outside appetite for Royal Free London NHS Foundation Trust" in text
    assert "Not set" in text
    assert "Outside appetite for Basildon" not in text


def test_comparison_page_shows_the_highest_risks_outside_and_links_to_all(
    world, as_user, monkeypatch
):
    monkeypatch.setattr(selectors, "COMPARISON_RISKS", 2)
    _appetite(world.buddy, "cautious", 4)
    _risk(world, 3, 3, title="Scores nine")
    _risk(world, 5, 5, title="Scores twenty-five")
    _risk(world, 4, 4, title="Scores sixteen")
    page = (
        as_user(world.buddy_pm)
        .get(reverse("risks:comparison", args=[world.partnership.pk]))
        .content.decode()
    )
    assert "Open risks outside a party&#39;s appetite (3)" in page
    assert "Scores twenty-five" in page
    assert "Scores sixteen" in page
    assert "Scores nine" not in page
    register = reverse("risks:register", args=[world.partnership.pk])
    assert f'href="{register}?outside_appetite=true">See all 3 in the risk register' in page


def test_comparison_endpoint_lists_the_highest_risks_outside_with_the_count_and_a_link_to_all(
    world, api_as, monkeypatch
):
    monkeypatch.setattr(selectors, "COMPARISON_RISKS", 2)
    _appetite(world.buddy, "cautious", 4)
    _risk(world, 3, 3, title="Scores nine")
    _risk(world, 5, 5, title="Scores twenty-five")
    _risk(world, 4, 4, title="Scores sixteen")
    client = api_as(world.buddy_viewer)
    data = client.get(f"/api/v1/risk-appetite-comparisons/{world.partnership.pk}/").json()
    assert [r["title"] for r in data["risks_outside_appetite"]] == [
        "Scores twenty-five",
        "Scores sixteen",
    ]
    assert data["risks_outside_appetite_count"] == 3
    # The link lists all of them, highest first.
    every = client.get(data["risks_outside_appetite_url"]).json()
    assert [r["title"] for r in every["results"]] == [
        "Scores twenty-five",
        "Scores sixteen",
        "Scores nine",
    ]
