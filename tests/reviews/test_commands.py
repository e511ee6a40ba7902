"""The demo commands of reviews and agreements: run after the demo partnership and its risks,
they add what the demo shows, through the services, and running them again adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from partnerships.reviews import selectors
from partnerships.reviews.models import LearningItem, OutcomeReview, ReviewSignOff
from risks.agreements.models import Agreement, Dispute, Signature

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_demo_commands_need_the_demo_partnership():
    for command in ("seed_demo_reviews", "seed_demo_agreements"):
        with pytest.raises(CommandError, match="seed_demo"):
            run(command)


def test_demo_agreements_and_reviews_are_added_once():
    run("import_organisations")
    run("seed_demo")
    with pytest.raises(CommandError, match="seed_demo_risks"):
        run("seed_demo_agreements")
    run("seed_demo_risks")

    assert "Added agreement versions 1 (in force) and 2" in run("seed_demo_agreements")
    assert "none were added" in run("seed_demo_agreements")
    statuses = dict(Agreement.objects.values_list("number", "status"))
    assert statuses == {1: "in_force", 2: "awaiting_signatures"}
    assert Signature.objects.filter(agreement__number=1).count() == 2
    assert list(
        Signature.objects.filter(agreement__number=2).values_list("organisation_id", flat=True)
    ) == ["RAL"]
    dispute = Dispute.objects.get()
    assert (dispute.status, dispute.risk.category, dispute.raised_by_organisation_id) == (
        "in_mediation",
        "financial",
        "RF4",
    )

    assert "Added 3 reviews" in run("seed_demo_reviews")
    assert "none were added" in run("seed_demo_reviews")
    reviews = OutcomeReview.objects.exclude(status="scheduled").order_by("period_start", "kind")
    partnership = reviews[0].partnership
    assert partnership.reference == "BP-2026-0001"
    by_state = {(r.kind, r.status) for r in reviews}
    assert by_state == {
        ("quarterly", "signed_off"),
        ("quarterly", "draft"),
        ("interim", "draft"),
    }
    signed = reviews.get(status="signed_off")
    assert set(
        ReviewSignOff.objects.filter(review=signed).values_list("signed_by__username", flat=True)
    ) == {
        "ral-executive",
        "bhr-executive",
    }
    assert signed.assessments.count() == partnership.objectives.count() == 2
    assert signed.cost_remuneration_gbp is not None  # pre-filled from the partnership's figures
    overdue = [r for r in reviews if selectors.is_overdue(r)]
    assert [r.kind for r in overdue] == ["interim"]

    balance = {row.direction: row.items for row in selectors.learning_balance(partnership)}
    assert balance == {"buddy_to_supported": 2, "supported_to_buddy": 2, "mutual": 1}
    assert LearningItem.objects.filter(published=True).count() == 3
    assert LearningItem.objects.count() == 5
