"""The rules of commitments and deliveries, and the figures computed in the database."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from buddying.common.errors import StateConflict
from buddying.common.formatting import quantity_text
from partnerships import access
from partnerships.commitments import selectors, services
from partnerships.commitments.models import Commitment, Delivery
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.factories import OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def _plan(world, by=None, **overrides):
    fields = {
        "category": "quality_improvement",
        "description": "Quality improvement coaching",
        "unit": "days",
        "planned_quantity": Decimal("10"),
        "start_date": dt.date(2026, 4, 1),
        "end_date": dt.date(2026, 9, 30),
        "owner": "Mr Sam Okafor, Director of quality",
    }
    fields.update(overrides)
    organisation = fields.pop("organisation", world.buddy)
    return services.commitment_create(
        by=by or world.buddy_pm, partnership=world.partnership, organisation=organisation, **fields
    )


# --- Commitment rules ----------------------------------------------------------------------------


def test_commitments_are_numbered_per_partnership(world):
    first, second = (
        _plan(world),
        _plan(world, by=world.supported_exec, organisation=world.supported),
    )
    other = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    third = services.commitment_create(
        by=world.buddy_pm,
        partnership=other,
        organisation=world.buddy,
        **{name: getattr(first, name) for name in services.COMMITMENT_FIELDS},
    )
    assert (first.reference, second.reference, third.reference) == ("C-0001", "C-0002", "C-0001")
    assert first.history.get().history_user == world.buddy_pm


@pytest.mark.parametrize(
    ("planned", "ok"), [(Decimal("0.01"), True), (Decimal("0"), False), (Decimal("-5"), False)]
)
def test_planned_quantity_must_be_more_than_zero(world, planned, ok):
    if ok:
        assert _plan(world, planned_quantity=planned).planned_quantity == planned
    else:
        with pytest.raises(ValidationError) as raised:
            _plan(world, planned_quantity=planned)
        assert raised.value.message_dict == {
            "planned_quantity": ["The planned quantity must be more than 0."]
        }


@pytest.mark.parametrize(
    ("end", "ok"), [(dt.date(2026, 4, 1), True), (dt.date(2026, 3, 31), False)]
)
def test_end_date_must_be_on_or_after_start(world, end, ok):
    if ok:
        assert _plan(world, end_date=end).end_date == end
    else:
        with pytest.raises(ValidationError) as raised:
            _plan(world, end_date=end)
        assert "end_date" in raised.value.message_dict


def test_the_database_refuses_what_clean_refuses(world):
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Commitment.objects.filter(pk=commitment.pk).update(planned_quantity=0)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Commitment.objects.filter(pk=commitment.pk).update(end_date=dt.date(2020, 1, 1))
    delivery = DeliveryFactory(commitment=commitment)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Delivery.objects.filter(pk=delivery.pk).update(quantity=-1)


def test_the_committing_organisation_must_be_a_party(world):
    from partnerships.choices import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.buddy_pm, organisation=world.unrelated, role=Role.EXECUTIVE)
    with pytest.raises(ValidationError) as raised:
        _plan(world, organisation=world.unrelated)
    assert raised.value.message_dict == {
        "organisation": ["The committing organisation must be a party to the partnership."]
    }


@pytest.mark.parametrize("persona", ["buddy_viewer", "supported_pm", "regulator", "outsider"])
def test_only_the_organisations_programme_managers_and_executives_plan_for_it(world, persona):
    # Someone who cannot see the partnership is told it does not exist (404), not "not allowed".
    with pytest.raises(Http404 if persona == "outsider" else PermissionDenied):
        _plan(world, by=world.user(persona))
    assert not Commitment.objects.exists()


def test_changes_are_kept_in_the_history_with_who_made_them(world):
    commitment = _plan(world)
    services.commitment_update(commitment=commitment, by=world.buddy_exec, owner="Dr New Owner")
    entries = selectors.commitment_history(commitment)
    assert [entry.action for entry in entries] == ["Changed", "Created"]
    assert entries[0].changes == (("Owner", "Mr Sam Okafor, Director of quality", "Dr New Owner"),)
    assert entries[0].who == world.buddy_exec.get_full_name()


def test_closed_partnership_refuses_new_commitments(world):
    world.partnership.status = "closed"
    world.partnership.closure_outcome = "completed"
    world.partnership.closure_reason = "Done."
    world.partnership.save()
    with pytest.raises(StateConflict):
        _plan(world)


# --- Delivery rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "error"),
    [
        (dt.date(2026, 11, 10), None),  # today
        (dt.date(2026, 4, 1), None),  # the day the commitment starts
        (dt.date(2026, 11, 11), "The date must be today or in the past."),
        (
            dt.date(2026, 3, 31),
            "The date must be on or after the commitment starts (1 April 2026).",
        ),
    ],
)
def test_delivery_date_rules(world, commitment, day, error):
    if error is None:
        delivery = services.delivery_log(
            commitment=commitment, by=world.buddy_pm, date=day, quantity=Decimal("1")
        )
        assert delivery.logged_by == world.buddy_pm
    else:
        with pytest.raises(ValidationError) as raised:
            services.delivery_log(
                commitment=commitment, by=world.buddy_pm, date=day, quantity=Decimal("1")
            )
        assert raised.value.message_dict == {"date": [error]}


@pytest.mark.parametrize(("quantity", "ok"), [("0.01", True), ("0", False), ("-1", False)])
def test_delivery_quantity_must_be_more_than_zero(world, commitment, quantity, ok):
    log = lambda: services.delivery_log(  # noqa: E731
        commitment=commitment,
        by=world.buddy_pm,
        date=dt.date(2026, 11, 1),
        quantity=Decimal(quantity),
    )
    if ok:
        assert log().quantity == Decimal(quantity)
    else:
        with pytest.raises(ValidationError) as raised:
            log()
        assert raised.value.message_dict == {"quantity": ["The quantity must be more than 0."]}


def test_today_is_the_day_in_london(world, commitment):
    # 00:30 on 1 July in London is still 30 June in UTC: 1 July is today, not the future.
    with time_machine.travel(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC), tick=False):
        delivery = services.delivery_log(
            commitment=commitment, by=world.buddy_pm, date=dt.date(2026, 7, 1), quantity=1
        )
    assert delivery.date == dt.date(2026, 7, 1)


@pytest.mark.parametrize("persona", ["buddy_viewer", "supported_exec", "regulator", "outsider"])
def test_only_the_organisations_writers_log_change_and_delete(world, commitment, persona):
    user = world.user(persona)
    delivery = DeliveryFactory(commitment=commitment)
    refused = Http404 if persona in {"outsider", "nobody"} else PermissionDenied
    with pytest.raises(refused):
        services.delivery_log(commitment=commitment, by=user, date=dt.date(2026, 11, 1), quantity=1)
    with pytest.raises(refused):
        services.delivery_update(delivery=delivery, by=user, quantity=Decimal("9"))
    with pytest.raises(refused):
        services.delivery_delete(delivery=delivery, by=user)
    assert Delivery.objects.get().quantity == Decimal("7.5")


def test_logging_a_delivery_marks_the_commitment_changed_for_incremental_sync(world, commitment):
    before = Commitment.objects.get(pk=commitment.pk).updated_at
    records = commitment.history.count()
    with time_machine.travel(dt.datetime(2026, 11, 10, 15, 0, tzinfo=dt.UTC), tick=False):
        services.delivery_log(
            commitment=commitment, by=world.buddy_pm, date=dt.date(2026, 11, 10), quantity=1
        )
    assert Commitment.objects.get(pk=commitment.pk).updated_at > before
    assert commitment.history.count() == records  # no noise in the commitment's own history


# --- Figures -------------------------------------------------------------------------------------


def _figures(commitment):
    return selectors.with_figures(Commitment.objects.filter(pk=commitment.pk)).get()


@pytest.fixture
def fully_due(world):
    """100 hours from 1 to 9 November 2026: on 10 November all 100 are expected."""
    return CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        start_date=dt.date(2026, 11, 1),
        end_date=dt.date(2026, 11, 9),
        planned_quantity=Decimal("100"),
    )


@pytest.mark.parametrize(
    ("delivered", "rag"),
    [
        ("100", "green"),
        ("90", "green"),  # exactly 90% of expected
        ("89.99", "amber"),
        ("70", "amber"),  # exactly 70%
        ("69.99", "red"),
        ("0", "red"),
        ("150", "green"),
    ],
)
def test_rag_boundaries(fully_due, delivered, rag):
    if Decimal(delivered):
        DeliveryFactory(
            commitment=fully_due, quantity=Decimal(delivered), date=dt.date(2026, 11, 5)
        )
    figures = _figures(fully_due)
    assert figures.expected == Decimal("100")
    assert figures.delivered == Decimal(delivered)
    assert figures.variance == Decimal(delivered) - 100
    assert figures.rag == rag
    # The same rule in Python, for figures already summed (the roll-ups), from the same table.
    assert selectors.rag_of(figures.delivered, figures.expected, started=True) == rag
    assert selectors.percent_of(figures.delivered, figures.expected) == figures.percent_of_expected


@pytest.mark.parametrize(
    ("planned", "delivered", "rag"),
    [
        # 10 of 30 days gone by: 1/3 of the plan is expected.
        ("30", "9", "green"),  # expected 10, 90%
        ("30", "8.99", "amber"),
        ("30", "7", "amber"),  # 70%
        ("30", "6.99", "red"),
        ("1000", "300", "green"),  # expected 333.33; 300 is 90.0009% of it
        ("1000", "299.99", "amber"),
    ],
)
def test_rag_boundaries_part_way_through(world, planned, delivered, rag):
    commitment = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        start_date=dt.date(2026, 10, 31),
        end_date=dt.date(2026, 11, 29),
        planned_quantity=Decimal(planned),
    )
    DeliveryFactory(commitment=commitment, quantity=Decimal(delivered), date=dt.date(2026, 11, 2))
    figures = _figures(commitment)
    assert figures.expected == (Decimal(planned) / 3).quantize(Decimal("0.01"))
    assert figures.rag == rag


def test_not_started_is_grey_with_nothing_expected(world):
    commitment = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        start_date=dt.date(2026, 11, 11),
        end_date=dt.date(2027, 11, 10),
    )
    figures = _figures(commitment)
    assert (figures.expected, figures.delivered, figures.rag) == (0, 0, "grey")
    assert figures.percent_of_expected is None
    assert figures.rag_label == "Not started"


def test_on_the_first_day_nothing_is_expected_yet_so_it_is_on_track(world):
    commitment = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        start_date=dt.date(2026, 11, 10),
        end_date=dt.date(2026, 11, 19),
    )
    figures = _figures(commitment)
    assert figures.expected == 0
    assert figures.rag == "green"
    assert figures.percent_of_expected is None  # no division by zero
    with time_machine.travel(dt.datetime(2026, 11, 11, 9, 0, tzinfo=dt.UTC), tick=False):
        figures = _figures(commitment)
    assert figures.expected == 10  # one of ten days gone by
    assert figures.rag == "red"


def test_after_the_end_the_whole_plan_is_expected(world):
    commitment = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 12, 31),
        planned_quantity=Decimal("40"),
    )
    assert _figures(commitment).expected == 40


def test_pro_rata_over_the_period(commitment):
    # 1 April 2026 to 31 March 2027 is 365 days; 223 have gone by before 10 November.
    DeliveryFactory(commitment=commitment, quantity=Decimal("30"), date=dt.date(2026, 5, 1))
    figures = _figures(commitment)
    assert figures.expected == Decimal("61.10")
    assert figures.variance == Decimal("-31.10")
    assert figures.percent_of_expected == Decimal("49.1")
    assert figures.percent_of_plan == 30


def test_delivered_to_date_counts_today_and_no_delivery_can_be_dated_later(world, commitment):
    # The stored total is "to date" because no delivery is ever dated after today.
    services.delivery_log(
        commitment=commitment, by=world.buddy_pm, quantity=Decimal("5"), date=dt.date(2026, 11, 10)
    )
    with pytest.raises(ValidationError):
        services.delivery_log(
            commitment=commitment, by=world.buddy_pm, quantity=Decimal("50"), date=TODAY_PLUS_ONE
        )
    assert _figures(commitment).delivered == 5
    assert _figures(commitment).last_delivery_on == dt.date(2026, 11, 10)


TODAY_PLUS_ONE = dt.date(2026, 11, 11)


def test_the_stored_totals_follow_every_delivery_write(world, commitment):
    first = services.delivery_log(
        commitment=commitment, by=world.buddy_pm, quantity=Decimal("5"), date=dt.date(2026, 5, 1)
    )
    services.deliveries_log(
        commitment=commitment,
        by=world.buddy_pm,
        entries=[
            {"quantity": Decimal("2"), "date": dt.date(2026, 6, 1)},
            {"quantity": Decimal("3"), "date": dt.date(2026, 7, 1)},
        ],
    )
    assert _figures(commitment).delivered == 10
    services.delivery_update(delivery=first, by=world.buddy_pm, quantity=Decimal("1"))
    assert _figures(commitment).delivered == 6
    last = Delivery.objects.get(date=dt.date(2026, 7, 1))
    services.delivery_delete(delivery=last, by=world.buddy_pm)
    figures = _figures(commitment)
    assert (figures.delivered, figures.last_delivery_on) == (3, dt.date(2026, 6, 1))
    assert not selectors.stored_totals_drift().exists()


def test_recompute_command_reports_and_fixes_drift(world, commitment, capsys):
    from django.core.management import call_command

    DeliveryFactory(commitment=commitment, quantity=Decimal("4"))
    Commitment.objects.filter(pk=commitment.pk).update(delivered_total=99)
    with pytest.raises(SystemExit):
        call_command("recompute_commitment_totals")
    assert "1 commitment(s) drifted" in capsys.readouterr().out
    call_command("recompute_commitment_totals", "--fix")
    assert _figures(commitment).delivered == 4
    call_command("recompute_commitment_totals")


def test_rollups_by_party_and_category_keep_units_apart(world, commitment):
    DeliveryFactory(commitment=commitment, quantity=Decimal("61.10"), date=dt.date(2026, 5, 1))
    second_hours = CommitmentFactory(
        partnership=world.partnership, organisation=world.buddy, category="training"
    )
    DeliveryFactory(commitment=second_hours, quantity=Decimal("10"), date=dt.date(2026, 5, 1))
    money = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        category="finance",
        unit="gbp",
        planned_quantity=Decimal("365000"),
    )
    DeliveryFactory(commitment=money, quantity=Decimal("223000"), date=dt.date(2026, 5, 1))
    CommitmentFactory(
        partnership=world.partnership,
        organisation=world.supported,
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 2, 1),
    )
    rollups = selectors.commitment_rollups(Commitment.objects.filter(partnership=world.partnership))
    by_party = {(row.label, row.unit): row for row in rollups["by_party"]}
    hours = by_party[("Royal Free London NHS Foundation Trust", "hours")]
    assert (hours.commitments, hours.planned, hours.expected, hours.delivered) == (
        2,
        200,
        Decimal("122.20"),
        Decimal("71.10"),
    )
    assert hours.rag == "red"
    pounds = by_party[("Royal Free London NHS Foundation Trust", "gbp")]
    assert (pounds.planned, pounds.expected, pounds.delivered, pounds.rag) == (
        365000,
        223000,
        223000,
        "green",
    )
    supported = by_party[
        ("Basildon and Thurrock University Hospitals NHS Foundation Trust", "hours")
    ]
    assert (supported.rag, supported.rag_label) == ("grey", "Not started")
    by_category = {(row.label, row.unit): row for row in rollups["by_category"]}
    assert set(by_category) == {
        ("Clinical time", "hours"),
        ("Training", "hours"),
        ("Finance", "gbp"),
    }
    assert by_category[("Clinical time", "hours")].commitments == 2
    assert by_category[("Clinical time", "hours")].rag == "green"  # 61.10 of 61.10


def test_the_rollups_added_up_from_one_grouped_read_match_summing_each_in_the_database(world):
    """The section and the overview sum the figures once, per organisation, category and unit,
    and add those groups up: the same rows, RAG and percentages as summing each roll-up in SQL
    (``_rollup``, as the reports do), at the RAG boundaries and with rounding."""
    from partnerships.commitments.choices import CommitmentCategory, CommitmentUnit
    from partnerships.models.organisations import title_case_nhs

    due = {"start_date": dt.date(2026, 11, 1), "end_date": dt.date(2026, 11, 9)}  # all expected
    for organisation, category, unit, planned, delivered in [
        (world.buddy, "clinical_time", "hours", "100", "90"),  # exactly 90%: green
        (world.buddy, "clinical_time", "hours", "100", "49.99"),  # together 69.995%: red
        (world.buddy, "training", "hours", "30", "10"),  # 33.3%
        (world.buddy, "finance", "gbp", "3", "2"),  # 66.7% (rounded up)
        (world.supported, "training", "days", "10", "7"),  # exactly 70%: amber
        (world.supported, "digital", "days", "10", "0"),
        (world.supported, "quality_improvement", "days", "10", "9.5"),
    ]:
        item = CommitmentFactory(
            partnership=world.partnership,
            organisation=organisation,
            category=category,
            unit=unit,
            planned_quantity=Decimal(planned),
            **due,
        )
        if Decimal(delivered):
            DeliveryFactory(commitment=item, quantity=Decimal(delivered), date=dt.date(2026, 11, 5))
    CommitmentFactory(  # not started: grey on its own
        partnership=world.partnership,
        organisation=world.supported,
        category="estates",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 2, 1),
    )
    queryset = Commitment.objects.filter(partnership=world.partnership)
    today = dt.date(2026, 11, 10)

    fields = ("unit", "commitments", "planned", "expected_total", "delivered_total")
    fields += ("variance_total", "rag", "percent_of_expected", "percent_of_plan")

    def in_sql(label, *group_by):
        return [
            (*(row[name] for name in fields), label(row))
            for row in selectors._rollup(queryset, today, *group_by)
        ]

    def added_up(rows):
        return [
            (
                *(row.unit, row.commitments, row.planned, row.expected, row.delivered),
                *(row.variance, row.rag, row.percent_of_expected, row.percent_of_plan, row.label),
            )
            for row in rows
        ]

    section = selectors.commitment_summary(world.partnership)
    by_party = in_sql(
        lambda row: title_case_nhs(row["organisation__name"]),
        "organisation__name",
        "organisation_id",
    )
    assert added_up(section.by_party) == by_party and len(by_party) == 4
    by_category = in_sql(lambda row: CommitmentCategory(row["category"]).label, "category")
    assert added_up(section.by_category) == by_category
    totals = in_sql(lambda row: CommitmentUnit(row["unit"]).label)
    assert added_up(section.totals) == totals
    assert added_up(selectors.commitment_headline(world.partnership).totals) == totals
    assert [(row.label, row.rag, row.percent_of_expected) for row in section.by_category] == [
        ("Clinical time", "red", Decimal("70.0")),  # 69.995%: red, shown rounded
        ("Digital", "red", Decimal("0.0")),
        ("Estates", "grey", None),
        ("Finance", "red", Decimal("66.7")),
        ("Quality improvement", "green", Decimal("95.0")),
        ("Training", "amber", Decimal("70.0")),
        ("Training", "red", Decimal("33.3")),
    ]
    assert section.headline == "2 of 7 commitments under way are on track"
    assert section.page.paginator.count == 8


def test_summary_runs_a_fixed_number_of_queries_whatever_the_size(
    world, commitment, django_assert_num_queries
):
    from partnerships.models import Partnership

    def summary():
        partnership = Partnership.objects.prefetch_related("parties").get(pk=world.partnership.pk)
        access.forget_memberships(world.buddy_pm)
        # The person's memberships, the page of commitments, and the figures grouped by
        # organisation, category and unit (every roll-up, the headline and the count add them up).
        with django_assert_num_queries(3):
            return selectors.commitment_summary(partnership, user=world.buddy_pm)

    assert len(summary().commitments) == 1
    for number in range(12):
        item = CommitmentFactory(
            partnership=world.partnership,
            organisation=world.supported,
            reference=f"C-{number + 2:04d}",
            category=["training", "digital"][number % 2],
        )
        DeliveryFactory.create_batch(3, commitment=item)
    result = summary()
    assert len(result.commitments) == 13
    assert result.can_add
    assert result.headline == "0 of 13 commitments under way are on track"


def test_the_section_lists_its_commitments_a_page_at_a_time_with_figures_of_them_all(
    world, commitment, as_user, monkeypatch
):
    monkeypatch.setattr(selectors, "SECTION_PAGE_SIZE", 2)
    for number in range(4):
        CommitmentFactory(
            partnership=world.partnership,
            organisation=world.buddy,
            reference=f"C-{number + 2:04d}",
        )
    first = selectors.commitment_summary(world.partnership, page="1")
    last = selectors.commitment_summary(world.partnership, page="3")
    listed = [c.reference for c in first.commitments + last.commitments]
    assert listed == ["C-0001", "C-0002", "C-0005"]
    # The headline and roll-ups are of every commitment, whichever page is shown.
    assert (
        first.headline == last.headline == selectors.commitment_headline(world.partnership).headline
    )
    assert first.by_party == last.by_party and sum(row.commitments for row in first.by_party) == 5
    # Not a number, or past the end: a page that exists.
    assert selectors.commitment_summary(world.partnership, page="x").page.number == 1
    assert selectors.commitment_summary(world.partnership, page="99").page.number == 3

    url = f"/partnerships/{world.partnership.pk}/sections/commitments/"
    page = as_user(world.buddy_viewer).get(url, {"page": 2}).content.decode()
    assert "Each commitment (5), 3 to 4 shown" in page
    assert 'href="?page=1"' in page and 'href="?page=3"' in page
    assert "C-0003" in page and "C-0001" not in page


def test_the_overview_headline_counts_in_the_database_what_the_section_lists(
    world, commitment, django_assert_num_queries
):
    DeliveryFactory(commitment=commitment, quantity=Decimal("61.10"), date=dt.date(2026, 5, 1))
    for number in range(4):
        CommitmentFactory(
            partnership=world.partnership,
            organisation=world.supported,
            reference=f"C-{number + 2:04d}",
            # Two not started yet (grey), two under way with nothing delivered (red).
            start_date=dt.date(2027, 1, 1) if number % 2 else dt.date(2026, 4, 1),
            end_date=dt.date(2027, 3, 31),
        )
    section = selectors.commitment_summary(world.partnership)
    with django_assert_num_queries(1):  # the figures grouped, added up to counts and totals
        headline = selectors.commitment_headline(world.partnership)
    assert headline.headline == section.headline == "1 of 3 commitments under way are on track"
    assert headline.totals == section.totals
    assert headline.commitments == []


def test_the_same_figures_feed_the_page_and_the_api(world, commitment, api_as):
    DeliveryFactory(commitment=commitment, quantity=Decimal("30"), date=dt.date(2026, 5, 1))
    api = api_as(world.regulator).get(f"/api/v1/commitments/{commitment.pk}/").json()
    page = selectors.commitment_summary(world.partnership).commitments[0]
    assert api["expected_to_date"] == f"{page.expected:.2f}" == "61.10"
    assert api["rag"] == page.rag == "red"


def test_last_delivery_date_is_the_latest_up_to_today(world, commitment, api_as):
    assert _figures(commitment).last_delivery_on is None
    DeliveryFactory(commitment=commitment, date=dt.date(2026, 10, 1))
    DeliveryFactory(commitment=commitment, date=dt.date(2026, 10, 20))
    DeliveryFactory(commitment=commitment, date=dt.date(2026, 5, 1))
    assert _figures(commitment).last_delivery_on == dt.date(2026, 10, 20)
    data = api_as(world.buddy_viewer).get(f"/api/v1/commitments/{commitment.pk}/").json()
    assert data["last_delivery_date"] == "2026-10-20"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("7.5"), "hours", "7.50 hours"),
        (Decimal("1"), "days", "1 day"),
        (Decimal("1200"), "gbp", "£1,200"),
        (Decimal("0.4"), "fte", "0.40 FTE"),
        (Decimal("-1336.99"), "gbp", "−£1,336.99"),
        (Decimal("-22.14"), "days", "−22.14 days"),
        (None, "hours", "Not recorded"),
    ],
)
def test_quantities_are_written_with_their_unit(value, unit, text):
    assert quantity_text(value, unit) == text


def test_a_party_with_commitments_cannot_be_removed(world, as_user):
    funder = OrganisationFactory(ods_code="QMJ", name="NHS NORTH CENTRAL LONDON ICB", kind="icb")
    party = world.partnership.parties.create(organisation=funder, role="funder")
    CommitmentFactory(partnership=world.partnership, organisation=funder, unit="gbp")
    url = reverse("partnerships:party-remove", args=[world.partnership.pk, party.pk])

    response = as_user(world.buddy_pm).post(url)

    assert "has commitments in this partnership, so it cannot be removed" in (
        response.content.decode()
    )
    assert world.partnership.parties.filter(organisation=funder).exists()


# --- Implausible quantities need confirming ----------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "planned", "quantity", "why"),
    [
        ("hours", "1000", "25", "more than a day holds"),
        ("fte", "100", "1.5", "more than one person full time"),
        ("days", "120", "121", "past its whole plan"),
    ],
)
def test_an_implausible_delivery_needs_confirming(world, unit, planned, quantity, why):
    from buddying.common.errors import needs_confirmation

    commitment = services.commitment_create(
        by=world.buddy_pm,
        partnership=world.partnership,
        organisation=world.buddy,
        category="clinical_time",
        description="Sessions",
        unit=unit,
        planned_quantity=Decimal(planned),
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        owner="Dr A",
    )
    fields = {"date": dt.date(2026, 3, 1), "quantity": Decimal(quantity)}
    with pytest.raises(ValidationError) as refused:
        services.delivery_log(commitment=commitment, by=world.buddy_pm, **fields)
    assert needs_confirmation(refused.value)
    assert why in str(refused.value)
    assert not Delivery.objects.exists()
    services.delivery_log(commitment=commitment, by=world.buddy_pm, confirm=True, **fields)
    assert Delivery.objects.count() == 1
