"""The admin site: reference data and memberships through the services; the domain's rows
(status, approvals, figures) are shown but never changed there."""

import pytest
from django.core.exceptions import ValidationError

from partnerships import access, services
from partnerships.choices import Role
from partnerships.models import Membership, Partnership
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, world):
    superuser = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return client


def test_a_partnership_is_view_only_in_the_admin(admin_client, world):
    url = f"/admin/partnerships/partnership/{world.partnership.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(url, {"title": "Changed", "status": "closed"})
    assert response.status_code == 403
    assert Partnership.objects.get(pk=world.partnership.pk).status == world.partnership.status
    assert admin_client.get("/admin/partnerships/approval/add/").status_code == 403
    assert admin_client.get("/admin/commitments/commitment/add/").status_code == 403


def test_the_admin_grants_memberships_through_the_service_and_its_rules(admin_client, world):
    person = UserFactory(username="new-person")
    response = admin_client.post(
        "/admin/partnerships/membership/add/",
        {"user": person.pk, "organisation": world.buddy.pk, "role": Role.REGULATOR},
    )
    # A trust is not a regulator: the form says so and nothing is saved.
    assert response.status_code == 200
    assert "only for members of a regulator organisation" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()
    admin_client.post(
        "/admin/partnerships/membership/add/",
        {"user": person.pk, "organisation": world.buddy.pk, "role": Role.VIEWER},
    )
    membership = Membership.objects.get(user=person)
    assert membership.history.first().history_user.username == "admin"


def test_a_regulator_membership_of_a_trust_is_refused_and_never_counts(world):
    person = UserFactory(username="not-a-regulator")
    with pytest.raises(ValidationError):
        services.membership_save(
            membership=Membership(user=person, organisation=world.buddy, role=Role.REGULATOR)
        )
    # Even a row written around the service gives no regulator's reach.
    Membership.objects.create(user=person, organisation=world.buddy, role=Role.REGULATOR)
    access.forget_memberships(person)
    assert not access.is_regulator(person)
    assert access.is_regulator(world.regulator)
