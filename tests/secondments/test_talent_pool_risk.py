"""The talent-pool warning's one step: raise a pre-filled "workforce and capacity" risk on the
partnership's register, owned by the home organisation — once per partnership, staff group and
month, also when two people click at once; in the service, the browser and the API."""

import datetime as dt
import io
import threading
from csv import DictReader
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.http import Http404
from django.urls import reverse

from buddying.common.errors import StateConflict
from partnerships import risk_raising
from partnerships.choices import PartnershipStatus
from partnerships.models import Partnership
from partnerships.secondments import services
from partnerships.secondments.models import TalentPoolRisk
from risks.models import Risk
from tests.conftest import PERSONAS
from tests.factories import PartnershipFactory
from tests.secondments.factories import SecondmentFactory, record

pytestmark = pytest.mark.django_db

D = Decimal
HOME_WRITERS = ["buddy_exec", "buddy_pm"]
RAISE = "/api/v1/capacity/raise-risk/"
CAPACITY = "/api/v1/capacity/"


@pytest.fixture
def warned(world):
    """Today (10 November 2026) the buddy has 1.1 FTE of medical and dental staff away without
    backfill (A 0.6, C 0.5) and 0.4 backfilled (B), against an establishment of 20 FTE: 5.5%
    unbackfilled, above the default 5%."""
    record(world, staff_reference="A", fte=D("0.6"))
    record(world, staff_reference="B", fte=D("0.4"), backfilled=True)
    record(world, staff_reference="C", fte=D("0.5"))
    services.establishment_set(
        organisation=world.buddy, staff_group="medical_dental", fte=D("20"), by=world.buddy_exec
    )


def _raise(world, by=None, partnership=None, group="medical_dental"):
    return services.talent_pool_risk_raise(
        by=by or world.buddy_pm,
        partnership=partnership or world.partnership,
        organisation=world.buddy,
        staff_group=group,
    )


# --- The service ---------------------------------------------------------------------------------


def test_raising_adds_a_prefilled_workforce_risk_owned_by_the_home_organisation(world, warned):
    raised = _raise(world)
    risk = Risk.objects.get()
    assert (raised.risk_id, raised.risk_reference, raised.month) == (
        risk.pk,
        "R-001",
        dt.date(2026, 11, 1),
    )
    assert risk.partnership == world.partnership
    assert risk.category == "workforce_capacity"
    assert (risk.owner_organisation_id, risk.owner) == ("RAL", world.buddy_pm)
    assert risk.title == (
        "Medical and dental staff seconded out without backfill leave gaps at "
        "Royal Free London NHS Foundation Trust"
    )
    # 5.5% is above 5% but not above twice it: likely (4) × moderate (3), aiming at unlikely.
    assert (risk.inherent_score, risk.current_score, risk.target_score) == (12, 12, 6)
    assert risk.review_frequency == "monthly"
    assert risk.next_review_date == dt.date(2026, 12, 10)
    for figure in (
        "On 10 November 2026, 1.1 FTE of Royal Free London NHS Foundation Trust's medical and "
        "dental staff were seconded out without backfill",
        "5.5% of its establishment of 20 FTE, above the 5% it accepts",
        "In all 1.5 FTE (3 people)",
        "1.1 FTE of the unbackfilled time is in this partnership (S-0001, S-0003)",
    ):
        assert figure in risk.description
    assert risk.history.get().history_user == world.buddy_pm
    assert {record.history_user for record in raised.history.all()} == {world.buddy_pm}


def test_far_above_the_threshold_the_consequence_is_major(world, warned):
    services.establishment_set(
        organisation=world.buddy, staff_group="medical_dental", fte=D("10"), by=world.buddy_exec
    )  # 11% unbackfilled: more than twice 5%
    _raise(world)
    risk = Risk.objects.get()
    assert (risk.current_likelihood, risk.current_consequence, risk.target_score) == (4, 4, 8)


def test_a_second_raise_in_the_same_month_is_refused_and_names_the_risk(world, warned):
    first = _raise(world)
    with pytest.raises(services.RiskAlreadyRaised) as excinfo:
        _raise(world, by=world.buddy_exec)
    assert excinfo.value.existing == first
    assert "already raised this month" in excinfo.value.messages[0]
    assert "R-001" in excinfo.value.messages[0]
    assert Risk.objects.count() == 1


def test_next_month_it_can_be_raised_again(world, warned):
    _raise(world)
    with time_machine.travel(dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC), tick=False):
        again = _raise(world)
    assert again.month == dt.date(2026, 12, 1)
    assert Risk.objects.count() == 2


def test_another_partnership_holding_unbackfilled_staff_has_its_own_risk(world, warned):
    other = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    SecondmentFactory(
        partnership=other,
        home_organisation=world.buddy,
        host_organisation=world.unrelated,
        staff_reference="D",
        fte=D("0.3"),
    )
    _raise(world)
    _raise(world, partnership=other)
    assert sorted(Risk.objects.values_list("partnership_id", flat=True)) == sorted(
        [world.partnership.pk, other.pk]
    )


def test_without_a_warning_nothing_is_raised(world, warned):
    services.capacity_threshold_set(
        organisation=world.buddy, unbackfilled_percent=D("6"), by=world.buddy_exec
    )
    with pytest.raises(StateConflict, match="not above its threshold"):
        _raise(world)
    with pytest.raises(StateConflict, match="not above its threshold"):
        _raise(world, group="nursing_midwifery")  # nobody of the group away at all
    assert not Risk.objects.exists() and not TalentPoolRisk.objects.exists()


def test_only_a_partnership_holding_unbackfilled_staff_of_the_group(world, warned):
    other = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    SecondmentFactory(
        partnership=other,
        home_organisation=world.buddy,
        host_organisation=world.unrelated,
        staff_reference="D",
        backfilled=True,
    )
    with pytest.raises(StateConflict, match="raise the risk in the partnership they are in"):
        _raise(world, partnership=other)
    assert not Risk.objects.exists()


def test_a_closed_partnership_takes_no_new_risk(world, warned):
    Partnership.objects.filter(pk=world.partnership.pk).update(
        status=PartnershipStatus.CLOSED, closure_outcome="completed", closure_reason="Done"
    )
    world.partnership.refresh_from_db()
    with pytest.raises(StateConflict, match="closed"):
        _raise(world)
    assert not TalentPoolRisk.objects.exists()


def test_a_staff_group_not_in_the_list_is_a_field_error(world, warned):
    with pytest.raises(ValidationError) as excinfo:
        _raise(world, group="wizards")
    assert "staff_group" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("persona", "refusal"),
    [
        ("buddy_viewer", PermissionDenied),
        ("supported_exec", PermissionDenied),  # a party, but the staff are not theirs
        ("supported_pm", PermissionDenied),
        ("regulator", PermissionDenied),
        ("outsider", Http404),
        ("nobody", Http404),
    ],
)
def test_only_the_home_organisations_managers_raise(world, warned, persona, refusal):
    with pytest.raises(refusal):
        _raise(world, by=world.user(persona))
    assert not Risk.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_raises_make_one_risk(world, warned):
    for attempt in range(3):
        month = dt.datetime(2027, 1 + attempt, 10, 12, 0, tzinfo=dt.UTC)
        barrier = threading.Barrier(2)
        outcomes = []

        def click(by, barrier=barrier, outcomes=outcomes, month=month):
            try:
                with time_machine.travel(month, tick=False):
                    barrier.wait()
                    _raise(world, by=by)
                outcomes.append("raised")
            except services.RiskAlreadyRaised as error:
                outcomes.append(("refused", error.existing.risk_reference))
            finally:
                close_old_connections()
                connection.close()

        threads = [
            threading.Thread(target=click, args=(user,))
            for user in (world.buddy_pm, world.buddy_exec)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        reference = f"R-{attempt + 1:03d}"
        assert sorted(outcomes, key=str) == sorted(["raised", ("refused", reference)], key=str)
        assert Risk.objects.count() == attempt + 1
        assert TalentPoolRisk.objects.get(month=month.date().replace(day=1)).risk_reference == (
            reference
        )


def test_without_a_risk_register_the_warning_offers_nothing(world, as_user, warned, monkeypatch):
    monkeypatch.setattr(risk_raising, "_REGISTER", None)
    text = _page(as_user(world.buddy_pm))
    assert "The talent pool at home is stretched" in text
    assert BUTTON not in text
    with pytest.raises(StateConflict, match="no risk register"):
        _raise(world)
    assert not TalentPoolRisk.objects.exists()


# --- The capacity page ---------------------------------------------------------------------------


def _page(client, code="RAL", **params) -> str:
    return client.get(reverse("secondments:capacity", args=[code]), params).content.decode()


BUTTON = "Raise a workforce and capacity risk in "


def test_the_warning_offers_one_button_per_partnership_holding_the_staff(world, as_user, warned):
    other = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    SecondmentFactory(
        partnership=other,
        home_organisation=world.buddy,
        host_organisation=world.unrelated,
        staff_reference="D",
        fte=D("0.3"),
    )
    text = _page(as_user(world.buddy_pm))
    assert f"{BUTTON}{world.partnership.reference}" in text
    assert f"{BUTTON}{other.reference}" in text
    assert f'value="{world.partnership.pk}"' in text
    # Scoped to one partnership, only its button.
    text = _page(as_user(world.buddy_pm), partnership=world.partnership.pk)
    assert f"{BUTTON}{world.partnership.reference}" in text
    assert f"{BUTTON}{other.reference}" not in text


@pytest.mark.parametrize("persona", ["buddy_viewer", "supported_exec", "regulator"])
def test_readers_see_the_warning_but_no_button(world, as_user, warned, persona):
    text = _page(as_user(world.user(persona)))
    assert "The talent pool at home is stretched" in text
    assert BUTTON not in text


def test_no_warning_no_button(world, as_user):
    record(world, staff_reference="A", fte=D("0.6"))  # no establishment: no share, no warning
    text = _page(as_user(world.buddy_pm))
    assert "The talent pool at home is stretched" not in text
    assert BUTTON not in text and "raise-risk" not in text


def test_the_button_raises_the_risk_and_shows_it(world, as_user, warned):
    client = as_user(world.buddy_pm)
    url = reverse("secondments:capacity-raise-risk", args=["RAL"])
    response = client.post(
        url, {"partnership": str(world.partnership.pk), "staff_group": "medical_dental"}
    )
    risk = Risk.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:detail", args=[risk.pk])
    shown = client.get(response["Location"]).content.decode()
    assert "Risk R-001 added to" in shown
    assert "Workforce and capacity" in shown
    # The page now links to the risk instead of offering the button.
    text = _page(client)
    assert BUTTON not in text
    assert reverse("risks:detail", args=[risk.pk]) in text
    # A second click (a page opened before) says so and links to it.
    again = client.post(
        url, {"partnership": str(world.partnership.pk), "staff_group": "medical_dental"}
    )
    assert again.status_code == 302
    text = client.get(again["Location"]).content.decode()
    assert "already raised this month" in text
    assert f'<a href="{reverse("risks:detail", args=[risk.pk])}">See risk R-001</a>' in text
    assert Risk.objects.count() == 1


def test_the_button_without_a_warning_says_why(world, as_user, warned):
    services.capacity_threshold_set(
        organisation=world.buddy, unbackfilled_percent=D("50"), by=world.buddy_exec
    )
    client = as_user(world.buddy_pm)
    response = client.post(
        reverse("secondments:capacity-raise-risk", args=["RAL"]),
        {"partnership": str(world.partnership.pk), "staff_group": "medical_dental"},
        follow=True,
    )
    assert "not above its threshold" in response.content.decode()
    assert not Risk.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"staff_group": "medical_dental"}, "Choose the partnership to raise the risk in"),
        ({"partnership": "nope", "staff_group": "medical_dental"}, "Choose the partnership"),
        ({"partnership": "PK", "staff_group": "wizards"}, "Choose a staff group from the list"),
    ],
)
def test_bad_input_to_the_button_shows_the_problem(world, as_user, warned, data, message):
    data = {k: str(world.partnership.pk) if v == "PK" else v for k, v in data.items()}
    response = as_user(world.buddy_pm).post(
        reverse("secondments:capacity-raise-risk", args=["RAL"]), data
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text and message in text
    assert "<title>Error: " in text
    assert not Risk.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_button_per_persona(world, as_user, warned, persona):
    response = as_user(world.user(persona)).post(
        reverse("secondments:capacity-raise-risk", args=["RAL"]),
        {"partnership": str(world.partnership.pk), "staff_group": "medical_dental"},
    )
    if persona in HOME_WRITERS:
        expected = 302
    elif persona in ("outsider", "nobody"):
        expected = 404
    else:
        expected = 403
    assert response.status_code == expected
    assert Risk.objects.count() == (1 if persona in HOME_WRITERS else 0)


def test_a_partnership_the_person_cannot_see_is_404(world, as_user, warned):
    hidden = PartnershipFactory(supported=world.unrelated)
    response = as_user(world.buddy_pm).post(
        reverse("secondments:capacity-raise-risk", args=["RAL"]),
        {"partnership": str(hidden.pk), "staff_group": "medical_dental"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("partnerships", [1, 8])
def test_the_capacity_page_with_warnings_runs_a_fixed_number_of_queries(
    world, as_user, django_assert_max_num_queries, partnerships
):
    groups = ["medical_dental", "nursing_midwifery"]
    for group in groups:
        services.establishment_set(
            organisation=world.buddy, staff_group=group, fte=D("10"), by=world.buddy_exec
        )
    for n in range(partnerships):
        partnership = (
            world.partnership if n == 0 else PartnershipFactory(buddy=world.buddy, supported=None)
        )
        host = partnership.parties.exclude(organisation=world.buddy).first().organisation
        for group in groups:
            SecondmentFactory(
                partnership=partnership,
                home_organisation=world.buddy,
                host_organisation=host,
                staff_group=group,
            )
    _raise(world)
    client = as_user(world.buddy_pm)
    with django_assert_max_num_queries(19):
        text = client.get(reverse("secondments:capacity", args=["RAL"])).content.decode()
    assert text.count(BUTTON) == 2 * partnerships - 1


# --- The API -------------------------------------------------------------------------------------


def _body(world, **overrides) -> dict:
    return {
        "partnership": str(world.partnership.pk),
        "organisation": "RAL",
        "staff_group": "medical_dental",
        **overrides,
    }


def test_the_api_raises_once_then_answers_409_with_the_risk(world, api_as, warned):
    client = api_as(world.buddy_pm)
    response = client.post(RAISE, _body(world), format="json")
    assert response.status_code == 201, response.json()
    risk = Risk.objects.get()
    assert response.json() == {
        "partnership": {
            "id": str(world.partnership.pk),
            "reference": world.partnership.reference,
            "title": world.partnership.title,
        },
        "organisation": "RAL",
        "staff_group": "medical_dental",
        "month": "2026-11-01",
        "risk": {
            "id": str(risk.pk),
            "reference": "R-001",
            "url": reverse("risks:detail", args=[risk.pk]),
        },
        "created_at": response.json()["created_at"],
    }
    again = api_as(world.buddy_exec).post(RAISE, _body(world), format="json")
    assert again.status_code == 409
    assert "already raised this month" in again.json()["detail"]
    assert again.json()["risk"]["id"] == str(risk.pk)
    assert Risk.objects.count() == 1


def test_capacity_rows_say_whether_and_which_risk_was_raised(world, api_as, warned):
    client = api_as(world.supported_viewer)
    [row] = client.get(CAPACITY, {"organisation": "RAL"}).json()["results"]
    assert (row["warning"], row["risk_raised_this_month"], row["risks_raised_this_month"]) == (
        True,
        False,
        [],
    )
    raised = _raise(world)
    [row] = client.get(CAPACITY, {"organisation": "RAL"}).json()["results"]
    assert row["risk_raised_this_month"] is True
    assert row["risks_raised_this_month"] == [
        {
            "partnership": {
                "id": str(world.partnership.pk),
                "reference": world.partnership.reference,
                "title": world.partnership.title,
            },
            "risk": {
                "id": str(raised.risk_id),
                "reference": "R-001",
                "url": reverse("risks:detail", args=[raised.risk_id]),
            },
        }
    ]
    csv = b"".join(client.get(CAPACITY, {"format": "csv"}).streaming_content).decode()
    assert csv.splitlines()[0].endswith(",warning,risk_raised_this_month")
    rows = list(DictReader(io.StringIO(csv)))
    assert len(rows) == client.get(CAPACITY).json()["count"]  # one row per group, as in JSON
    warned_rows = [(r["organisation"], r["staff_group"]) for r in rows if r["warning"] == "True"]
    raised_rows = [
        (r["organisation"], r["staff_group"]) for r in rows if r["risk_raised_this_month"] == "True"
    ]
    assert warned_rows == raised_rows == [("RAL", row["staff_group"])]
    # An outsider sees neither the figures nor the risk.
    assert api_as(world.outsider).get(CAPACITY).json()["results"] == []
    # Next month the flag is clear again: the offer is monthly.
    with time_machine.travel(dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC), tick=False):
        client = api_as(world.supported_viewer)
        [row] = client.get(CAPACITY, {"organisation": "RAL"}).json()["results"]
    assert (row["risk_raised_this_month"], row["risks_raised_this_month"]) == (False, [])


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_raise_per_persona(world, api_as, warned, persona):
    response = api_as(world.user(persona)).post(RAISE, _body(world), format="json")
    if persona in HOME_WRITERS:
        expected = 201
    elif persona == "outsider":
        expected = 404  # it may not see the partnership
    else:
        expected = 403
    assert response.status_code == expected
    assert Risk.objects.count() == (1 if persona in HOME_WRITERS else 0)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"staff_group": "wizards"}, "staff_group"),
        ({"organisation": "ZZZ"}, "organisation"),
        ({"partnership": "nope"}, "partnership"),
        ({"partnership": None}, "partnership"),
    ],
)
def test_the_api_raise_with_bad_input_is_a_400(world, api_as, warned, overrides, field):
    response = api_as(world.buddy_pm).post(RAISE, _body(world, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Risk.objects.exists()


def test_the_api_raise_without_a_warning_is_a_409(world, api_as, warned):
    services.capacity_threshold_set(
        organisation=world.buddy, unbackfilled_percent=D("50"), by=world.buddy_exec
    )
    response = api_as(world.buddy_pm).post(RAISE, _body(world), format="json")
    assert response.status_code == 409
    assert "not above its threshold" in response.json()["detail"]
