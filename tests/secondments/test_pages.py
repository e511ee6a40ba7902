"""Browser pages: each persona on each page, the forms (errors, stale versions), the partnership
page's section and fixed query counts."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerships.secondments import services
from partnerships.secondments.models import Secondment, StaffGroupEstablishment
from tests.conftest import PERSONAS, READERS
from tests.factories import PartnershipFactory
from tests.secondments.factories import SecondmentFactory, record

pytestmark = pytest.mark.django_db

HOME_WRITERS = ["buddy_exec", "buddy_pm"]


@pytest.fixture
def secondment(world):
    return record(world)


def _form(**overrides) -> dict:
    data = {
        "home_organisation": "RAL",
        "host_organisation": "RDD",
        "staff_reference": "E777",
        "role_title": "Matron",
        "staff_group": "nursing_midwifery",
        "band": "8a",
        "fte": "0.6",
        "start_date_day": "1",
        "start_date_month": "4",
        "start_date_year": "2026",
        "end_date_day": "31",
        "end_date_month": "3",
        "end_date_year": "2027",
        "backfilled": "on",
        "monthly_recharge": "3000",
        "development_objectives": "Lead the ward improvement plan.",
    }
    data.update(overrides)
    return data


def _read_pages(world, secondment):
    return [
        reverse("secondments:list", args=[world.partnership.pk]),
        reverse("secondments:development", args=[world.partnership.pk]),
        reverse("secondments:detail", args=[secondment.pk]),
        reverse("secondments:capacity", args=["RAL"]),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_read_pages_per_persona(world, as_user, secondment, persona):
    client = as_user(world.user(persona))
    for url in _read_pages(world, secondment):
        response = client.get(url)
        assert response.status_code == (200 if persona in READERS else 404), url


@pytest.mark.parametrize("persona", PERSONAS)
def test_write_pages_per_persona(world, as_user, secondment, persona):
    client = as_user(world.user(persona))
    urls = [
        reverse("secondments:create", args=[world.partnership.pk]),
        reverse("secondments:update", args=[secondment.pk]),
        reverse("secondments:end", args=[secondment.pk]),
        reverse("secondments:cancel", args=[secondment.pk]),
    ]
    for url in urls:
        response = client.get(url)
        if persona in HOME_WRITERS:
            expected = 200
        elif persona in ("supported_exec", "supported_pm") and url.endswith("/add/"):
            expected = 200  # they record their own trust's secondments
        elif persona in READERS:
            expected = 403
        else:
            expected = 404
        assert response.status_code == expected, url


@pytest.mark.parametrize("persona", PERSONAS)
def test_capacity_settings_per_persona(world, as_user, persona):
    response = as_user(world.user(persona)).get(
        reverse("secondments:capacity-settings", args=["RAL"])
    )
    expected = 200 if persona in HOME_WRITERS else 403 if persona in READERS else 404
    assert response.status_code == expected


def test_the_partnership_page_shows_the_secondments_section(world, as_user, secondment):
    text = (
        as_user(world.supported_viewer)
        .get(reverse("partnerships:section", args=[world.partnership.pk, "secondments"]))
        .content.decode()
    )
    assert 'id="secondments"' in text
    assert "1 person is on secondment today (0.6 FTE)" in text
    assert "Add a secondment" not in text


def test_adding_a_secondment_through_the_form(world, as_user):
    client = as_user(world.buddy_pm)
    response = client.post(reverse("secondments:create", args=[world.partnership.pk]), _form())
    secondment = Secondment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("secondments:detail", args=[secondment.pk])
    assert (secondment.band, secondment.backfilled, secondment.fte) == ("8a", True, Decimal("0.6"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"fte": ""}, "Enter the FTE"),
        ({"fte": "two"}, "Enter the FTE as a number, like 0.6"),
        ({"fte": "1.2"}, "The FTE must be more than 0 and no more than 1."),
        ({"end_date_year": "2025"}, "The end date must be the same as or after the start date."),
        ({"host_organisation": "RAL"}, "The host organisation must be different"),
        ({"start_date_day": "31", "start_date_month": "2"}, "Enter a real date"),
        ({"monthly_recharge": "-1"}, "The monthly recharge must be £0 or more."),
        ({"staff_reference": ""}, "Enter the staff reference"),
    ],
)
def test_the_form_shows_what_is_wrong_and_keeps_what_was_typed(world, as_user, overrides, message):
    response = as_user(world.buddy_pm).post(
        reverse("secondments:create", args=[world.partnership.pk]), _form(**overrides)
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text and message in text
    assert "<title>Error: " in text
    assert "Lead the ward improvement plan." in text
    assert not Secondment.objects.exists()


def test_the_form_refuses_an_over_allocation_naming_the_overlap(world, as_user):
    record(world, staff_reference="E777", fte=Decimal("0.6"))
    response = as_user(world.buddy_pm).post(
        reverse("secondments:create", args=[world.partnership.pk]), _form(fte="0.5")
    )
    assert "S-0001 (0.6 FTE, 1 April 2026 to 31 March 2027)" in response.content.decode()
    assert Secondment.objects.count() == 1


def test_a_stale_edit_shows_who_changed_it(world, as_user, secondment):
    url = reverse("secondments:update", args=[secondment.pk])
    client = as_user(world.buddy_pm)
    services.secondment_update(secondment=secondment, by=world.buddy_exec, role_title="Theirs")
    data = _form(role_title="Mine", version="1", staff_reference="E12345")
    data.pop("home_organisation")
    text = client.post(url, data).content.decode()
    assert "since you opened it" in text
    assert "Saved meanwhile: Theirs" in text
    assert Secondment.objects.get(pk=secondment.pk).role_title == "Theirs"


def test_ending_records_the_learning_outcomes_and_shows_them_with_history(
    world, as_user, secondment
):
    client = as_user(world.buddy_pm)
    response = client.post(
        reverse("secondments:end", args=[secondment.pk]),
        {
            "version": "1",
            "end_date_day": "31",
            "end_date_month": "10",
            "end_date_year": "2026",
            "learning_outcomes": "Led the flow programme.",
        },
    )
    assert response.status_code == 302
    detail = client.get(reverse("secondments:detail", args=[secondment.pk])).content.decode()
    assert "Led the flow programme." in detail
    assert "Ended" in detail
    assert "31 October 2026" in detail
    development = client.get(
        reverse("secondments:development", args=[world.partnership.pk])
    ).content.decode()
    assert "Led the flow programme." in development


def test_ending_without_outcomes_shows_the_error(world, as_user, secondment):
    response = as_user(world.buddy_pm).post(
        reverse("secondments:end", args=[secondment.pk]),
        {"version": "1", "end_date": "2026-10-31", "learning_outcomes": ""},
    )
    assert "Enter what the person learned" in response.content.decode()


def test_the_list_filters_by_organisation_staff_group_and_status(world, as_user):
    record(world, staff_reference="A", role_title="Alpha role")
    record(world, staff_reference="B", role_title="Beta role", staff_group="allied_health")
    record(world, staff_reference="C", role_title="Gamma role", start_date=dt.date(2027, 1, 1))
    client = as_user(world.buddy_viewer)
    url = reverse("secondments:list", args=[world.partnership.pk])
    text = client.get(url, {"staff_group": "allied_health"}).content.decode()
    assert "Beta role" in text and "Alpha role" not in text
    text = client.get(url, {"status": "planned"}).content.decode()
    assert "Gamma role" in text and "Alpha role" not in text
    text = client.get(url, {"organisation": "RDD"}).content.decode()
    assert "Alpha role" in text
    bad = client.get(url, {"status": "nonsense"})
    assert bad.status_code == 200
    assert "There is a problem with the filters" in bad.content.decode()


def test_the_capacity_page_warns_when_the_threshold_is_passed(world, as_user):
    record(world, staff_reference="A", fte=Decimal("1"))
    client = as_user(world.buddy_pm)
    settings_url = reverse("secondments:capacity-settings", args=["RAL"])
    response = client.post(
        settings_url,
        {
            "form": "establishment",
            "establishment-staff_group": "medical_dental",
            "establishment-fte": "10",
        },
    )
    assert response.status_code == 302
    text = client.get(reverse("secondments:capacity", args=["RAL"])).content.decode()
    assert "The talent pool at home is stretched" in text
    assert "Medical and dental: 10.0%" in text
    assert "<svg" in text and "FTE seconded out at the end of each month" in text
    response = client.post(
        settings_url,
        {"form": "threshold", "threshold-unbackfilled_percent": "12", "threshold-version": ""},
    )
    assert response.status_code == 302
    text = client.get(reverse("secondments:capacity", args=["RAL"])).content.decode()
    assert "The talent pool at home is stretched" not in text


def test_bad_threshold_shows_the_error(world, as_user):
    response = as_user(world.buddy_pm).post(
        reverse("secondments:capacity-settings", args=["RAL"]),
        {"form": "threshold", "threshold-unbackfilled_percent": "150"},
    )
    assert "Enter a threshold of 100% or less" in response.content.decode()


def test_an_unknown_organisation_or_partnership_on_the_capacity_page_is_404(world, as_user):
    client = as_user(world.regulator)
    assert client.get(reverse("secondments:capacity", args=["ZZZ"])).status_code == 404
    assert client.get(reverse("secondments:capacity", args=["R-1"])).status_code == 404
    url = reverse("secondments:capacity", args=["RAL"])
    assert client.get(url, {"partnership": "nope"}).status_code == 404


@pytest.mark.parametrize("rows", [1, 20])
def test_list_and_capacity_pages_run_a_fixed_number_of_queries(
    world, as_user, django_assert_max_num_queries, rows
):
    for n in range(rows):
        SecondmentFactory(
            partnership=world.partnership,
            home_organisation=world.buddy,
            host_organisation=world.supported,
            staff_group=["medical_dental", "allied_health"][n % 2],
        )
        SecondmentFactory(  # and one that ended, for the development page
            partnership=world.partnership,
            home_organisation=world.buddy,
            host_organisation=world.supported,
            end_date=dt.date(2026, 10, 31),
            learning_outcomes=f"Learned lesson {n}.",
        )
    client = as_user(world.buddy_pm)
    with django_assert_max_num_queries(12):
        assert (
            client.get(reverse("secondments:list", args=[world.partnership.pk])).status_code == 200
        )
    with django_assert_max_num_queries(11):
        development = client.get(reverse("secondments:development", args=[world.partnership.pk]))
    assert development.content.decode().count("Lead a team through a recovery programme.") == rows
    # (One of them is the header's unread notifications count, on every page.)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("secondments:capacity", args=["RAL"])).status_code == 200
    # The overview draws every app's section: a fixed number, whatever the rows (see the note).
    with django_assert_max_num_queries(31):
        assert (
            client.get(reverse("partnerships:detail", args=[world.partnership.pk])).status_code
            == 200
        )


def test_the_development_page_exports_what_individuals_gained(world, as_user, api_as):
    ended = record(world, staff_reference="A", end_date=dt.date(2026, 10, 31))
    services.secondment_end(
        secondment=ended, by=world.buddy_pm, learning_outcomes="=Led the flow programme."
    )
    record(world, staff_reference="B", role_title="Still running")
    cancelled = record(world, staff_reference="C", start_date=dt.date(2027, 1, 1))
    services.secondment_cancel(secondment=cancelled, by=world.buddy_pm, reason="Post filled")
    other = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    SecondmentFactory(
        partnership=other,
        home_organisation=world.buddy,
        host_organisation=world.unrelated,
        end_date=dt.date(2026, 9, 30),
        learning_outcomes="In another partnership.",
    )
    text = (
        as_user(world.supported_viewer)
        .get(reverse("secondments:development", args=[world.partnership.pk]))
        .content.decode()
    )
    assert "Ended secondments (1)" in text
    link = re.search(r'href="(/api/v1/secondments/\?format=csv[^"]*)"', text).group(1)
    response = api_as(world.supported_viewer).get(link.replace("&amp;", "&"))
    lines = b"".join(response.streaming_content).decode().splitlines()
    header = lines[0].split(",")
    assert "development_objectives" in header and "learning_outcomes" in header
    assert len(lines) == 2  # the one ended secondment of this partnership
    assert ended.reference in lines[1]
    assert "'=Led the flow programme." in lines[1]  # a formula is neutralised


@pytest.mark.parametrize(
    ("fte", "message"),
    [
        ("-1", "Enter an establishment of more than 0 FTE"),
        ("0", "Enter an establishment of more than 0 FTE"),
        ("lots", "Enter the establishment as a number, like 1250"),
        ("1.234", "Enter the establishment with no more than 2 decimal places"),
    ],
)
def test_bad_establishment_shows_the_error_and_changes_nothing(world, as_user, fte, message):
    response = as_user(world.buddy_pm).post(
        reverse("secondments:capacity-settings", args=["RAL"]),
        {
            "form": "establishment",
            "establishment-staff_group": "nursing_midwifery",
            "establishment-fte": fte,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StaffGroupEstablishment.objects.exists()


def test_removing_an_establishment_by_leaving_it_empty(world, as_user):
    services.establishment_set(
        organisation=world.buddy,
        staff_group="nursing_midwifery",
        fte=Decimal("40"),
        by=world.buddy_pm,
    )
    response = as_user(world.buddy_exec).post(
        reverse("secondments:capacity-settings", args=["RAL"]),
        {
            "form": "establishment",
            "establishment-staff_group": "nursing_midwifery",
            "establishment-fte": "",
        },
    )
    assert response.status_code == 302
    assert not StaffGroupEstablishment.objects.exists()
