"""Demo outcome reviews and learning for the demo partnership (run after ``seed_demo``, and after
``seed_demo_secondments`` when there is one, so the recharges are pre-filled from them).

The demo users act through the services, so the history reads as it would in real use:
- the first quarterly review is filled in, submitted and signed off by both executives;
- the second quarterly review is started (a draft, its cost figures pre-filled);
- an interim review of the first six weeks was started and never finished: overdue;
- learning items in each direction, some adopted, some published to the library.

Runs only when the demo partnership has no learning items and none of its reviews has been
started, so running it again changes nothing.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partnerships.demo import demo_partnership
from partnerships.reviews import services
from partnerships.reviews.choices import ReviewKind, ReviewStatus

DEMO_USERS = ("ral-manager", "ral-executive", "bhr-manager", "bhr-executive")

# (by, title, description, direction, theme, adopted, published)
LEARNING = [
    (
        "ral-manager",
        "Board rounds twice a day in the emergency department",
        "A consultant-led board round at 8am and 4pm, with the site team present, found a next "
        "step for every patient waiting over four hours. Time to a decision fell within a month.",
        "buddy_to_supported",
        "patient_flow",
        True,
        True,
    ),
    (
        "ral-executive",
        "Executive walkabouts with a fixed set of questions",
        "Executives visit two wards a week and ask the same five questions about safety and "
        "staffing, so what they hear can be compared from week to week.",
        "buddy_to_supported",
        "leadership",
        True,
        False,
    ),
    (
        "bhr-manager",
        "A frailty team at the front door",
        "The community frailty team reviews older patients in the emergency department and takes "
        "many home the same day with support, rather than admitting them.",
        "supported_to_buddy",
        "clinical_practice",
        False,
        True,
    ),
    (
        "bhr-manager",
        "Volunteer discharge buddies",
        "Trained volunteers collect medicines and settle patients at home after discharge, which "
        "frees ward beds earlier in the day.",
        "supported_to_buddy",
        "workforce",
        False,
        False,
    ),
    (
        "ral-manager",
        "One programme board and one risk register",
        "Running the partnership through one joint board, with one shared risk register, stopped "
        "the two leadership teams giving staff conflicting priorities.",
        "mutual",
        "governance",
        True,
        True,
    ),
]


class Command(BaseCommand):
    help = "Add demo outcome reviews and learning items to the demo partnership (after seed_demo)."

    def handle(self, *args, **options):
        partnership, users, _ = demo_partnership(DEMO_USERS)
        quarterly = list(
            partnership.outcome_reviews.filter(kind=ReviewKind.QUARTERLY).order_by("period_start")
        )
        if len(quarterly) < 2:
            raise CommandError(
                f"{partnership.reference} has fewer than two quarterly reviews scheduled: "
                "is it active?"
            )
        started = partnership.outcome_reviews.exclude(status=ReviewStatus.SCHEDULED).exists()
        if started or partnership.learning_items.exists():
            self.stdout.write(
                "The demo partnership has reviews or learning already, so none were added."
            )
            return
        with transaction.atomic():
            self._signed_off(partnership, quarterly[0], users)
            self._draft(quarterly[1], users)
            self._overdue(partnership, users)
            for by, title, description, direction, theme, adopted, published in LEARNING:
                services.learning_create(
                    partnership=partnership,
                    by=users[by],
                    title=title,
                    description=description,
                    direction=direction,
                    theme=theme,
                    adopted=adopted,
                    published=published,
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added 3 reviews (signed off, draft, overdue) and {len(LEARNING)} learning items "
                f"to {partnership.reference}."
            )
        )

    def _signed_off(self, partnership, review, users) -> None:
        """The first quarter: filled in by both programme managers, signed off by both executives."""
        objectives = list(partnership.objectives.order_by("title"))
        judgements = {
            "Leave special measures": (
                "amber",
                "Requires improvement (core services re-inspected)",
            ),
            "Reduce waits in the emergency department": ("green", "84%"),
        }
        services.review_update(
            review=review,
            by=users["ral-manager"],
            benefits_supported="Twice-daily board rounds and a clear escalation route shortened "
            "waits in the emergency department.",
            benefits_buddy="Our senior nurses led change in an unfamiliar setting and brought "
            "the frailty model home.",
            development_outcomes="Two matrons from each trust completed the joint improvement "
            "coaching programme.",
            segment_before=4,
            segment_after=4,
            cqc_rating_before="inadequate",
            cqc_rating_after="requires_improvement",
            overall_rag="amber",
            assessments={
                str(objective.pk): {
                    "rag": judgements.get(objective.title, ("amber", ""))[0],
                    "measured_value": judgements.get(objective.title, ("", "Not measured"))[1],
                    "comment": "Agreed at the joint programme board.",
                }
                for objective in objectives
            },
        )
        services.review_submit(review=review, by=users["bhr-manager"])
        services.review_sign_off(review=review, by=users["ral-executive"])
        services.review_sign_off(review=review, by=users["bhr-executive"])

    def _draft(self, review, users) -> None:
        """The second quarter: started, not finished."""
        services.review_update(
            review=review,
            by=users["bhr-manager"],
            benefits_supported="Ambulance handovers are faster since the new rapid assessment area "
            "opened. (Draft: figures to follow.)",
        )

    def _overdue(self, partnership, users) -> None:
        """An interim review of the first six weeks, started and never finished: overdue."""
        start = partnership.planned_start
        services.review_create(
            partnership=partnership,
            by=users["bhr-manager"],
            kind=ReviewKind.INTERIM,
            period_start=start,
            period_end=start + timedelta(days=41),
            due_date=start + timedelta(days=55),
            benefits_supported="Diagnostic of the emergency department: first findings.",
        )
