"""The notifications page, mark as read, the unread count in the header, and preferences."""

import datetime as dt

import pytest

from buddying.notifications.choices import Delivery
from buddying.notifications.models import Reminder, ReminderPreference
from tests.factories import PartnershipFactory
from tests.notifications.conftest import TODAY
from tests.reviews.factories import ReviewFactory
from tests.risks.factories import RiskFactory

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def reminders(world, run_job):
    second = PartnershipFactory(buddy=world.buddy, title="Midlands")
    RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        next_review_date=TODAY - dt.timedelta(days=1),
    )
    ReviewFactory(partnership=second, due_date=TODAY + dt.timedelta(days=2))
    run_job()
    return Reminder.objects.filter(user=world.buddy_pm)


def test_the_page_groups_reminders_by_partnership_with_links(world, as_user, reminders):
    response = as_user(world.buddy_pm).get("/notifications/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Basildon recovery" in page and "Midlands" in page
    for reminder in reminders:
        assert f'href="{reminder.url}"' in page
    assert page.count("Mark as read") >= 2


def test_the_header_shows_the_unread_count(world, as_user, reminders):
    page = as_user(world.buddy_pm).get("/").content.decode()
    assert "Notifications (2 unread)" in page


def test_marking_one_read_lowers_the_count(world, as_user, reminders):
    client = as_user(world.buddy_pm)
    reminder = reminders.first()
    response = client.post(f"/notifications/{reminder.pk}/read/")
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    assert "Notifications (1 unread)" in client.get("/").content.decode()


def test_no_one_else_can_mark_my_notification_read(world, as_user, reminders):
    reminder = reminders.first()
    response = as_user(world.buddy_exec).post(f"/notifications/{reminder.pk}/read/")
    assert response.status_code == 404
    reminder.refresh_from_db()
    assert reminder.read_at is None


def test_mark_all_read(world, as_user, reminders):
    client = as_user(world.buddy_pm)
    assert client.post("/notifications/read-all/").status_code == 302
    assert not reminders.filter(read_at__isnull=True).exists()
    page = client.get("/").content.decode()
    assert "unread)" not in page


def test_a_person_does_not_see_reminders_about_a_partnership_they_can_no_longer_see(
    world, as_user, reminders
):
    world.buddy_pm.memberships.all().delete()
    page = as_user(world.buddy_pm).get("/notifications/").content.decode()
    assert "You have no notifications." in page


def test_the_page_runs_a_fixed_number_of_queries(
    world, as_user, reminders, run_job, django_assert_max_num_queries
):
    client = as_user(world.buddy_pm)
    with django_assert_max_num_queries(12) as few:
        client.get("/notifications/")
    for day in range(1, 6):
        ReviewFactory(partnership=world.partnership, due_date=TODAY + dt.timedelta(days=day))
    run_job()
    with django_assert_max_num_queries(len(few)):
        client.get("/notifications/")


def test_preferences_turn_a_rule_off_or_to_the_app_only(world, as_user):
    client = as_user(world.buddy_pm)
    page = client.get("/notifications/preferences/").content.decode()
    assert "Risk review overdue" in page and "In the app only (no email)" in page

    data = {
        "review_due_soon": "email",
        "review_overdue": "app_only",
        "risk_review_overdue": "off",
        "risk_action_overdue": "email",
        "commitment_under_delivering": "email",
        "commitment_no_recent_delivery": "email",
    }
    response = client.post("/notifications/preferences/", data)
    assert response.status_code == 302
    chosen = dict(
        ReminderPreference.objects.filter(user=world.buddy_pm).values_list("rule", "delivery")
    )
    assert chosen["review_overdue"] == Delivery.APP_ONLY
    assert chosen["risk_review_overdue"] == Delivery.OFF


def test_a_preference_that_is_not_a_choice_is_a_field_error_not_a_500(world, as_user):
    response = as_user(world.buddy_pm).post(
        "/notifications/preferences/", {"review_due_soon": "sms"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not ReminderPreference.objects.exists()
