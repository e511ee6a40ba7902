import pytest
from django.urls import reverse

from tests.conftest import PERSONAS, READERS


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_partnership_detail_visible_only_to_parties_and_regulators(world, as_user, persona):
    client = as_user(world.user(persona))
    response = client.get(reverse("partnerships:detail", args=[world.partnership.pk]))
    assert response.status_code == (200 if persona in READERS else 404)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_partnership_api_detail_visible_only_to_parties_and_regulators(world, api_as, persona):
    client = api_as(world.user(persona))
    response = client.get(f"/api/v1/partnerships/{world.partnership.pk}/")
    assert response.status_code == (200 if persona in READERS else 404)
