"""Numbers are accepted as the product shows them: "1,200", "£39,123.50" (issue 16)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from buddying.common.forms import without_separators
from partnerships.commitments.models import Commitment
from tests.commitments.test_pages import _commitment_form


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("1,200", "1200"),
        (" 1,200.5 ", "1200.5"),
        ("£39,123.50", "39123.50"),
        ("£75", "75"),
        ("-1,000", "-1000"),
        ("12,345,678", "12345678"),
        # Not grouped in threes: left for the field to refuse.
        ("1,2", "1,2"),
        ("1,20,0", "1,20,0"),
        ("12,34", "12,34"),
        ("seven", "seven"),
        ("", ""),
    ],
)
def test_thousands_separators_are_taken_out_only_where_they_group_threes(typed, plain):
    assert without_separators(typed) == plain


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "saved"), [("1,200", Decimal("1200")), ("1,200.5", Decimal("1200.5"))]
)
def test_a_commitment_of_1200_hours_can_be_typed_as_it_is_shown(world, as_user, typed, saved):
    response = as_user(world.buddy_pm).post(
        reverse("commitments:create", args=[world.partnership.pk]),
        _commitment_form(world, unit="hours", planned_quantity=typed),
    )
    assert response.status_code == 302
    assert Commitment.objects.get().planned_quantity == saved


@pytest.mark.django_db
def test_a_badly_grouped_number_is_refused_with_the_fields_message(world, as_user):
    response = as_user(world.buddy_pm).post(
        reverse("commitments:create", args=[world.partnership.pk]),
        _commitment_form(world, planned_quantity="1,20"),
    )
    assert response.status_code == 200
    assert "Enter a number" in response.content.decode()
    assert not Commitment.objects.exists()
