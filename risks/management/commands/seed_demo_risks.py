"""Demo risks, actions and appetites for the demo partnership (run after ``seed_demo``).

The demo users act through the services, so the history reads as it would in real use. Runs only
when the demo partnership has no risks yet, so running it again changes nothing.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from partnerships.demo import BUDDY_CODE, SUPPORTED_CODE, demo_partnership, demo_username
from risks import services

DEMO_USERS = ("ral-manager", "ral-executive", "bhr-manager", "bhr-executive")

# (title, category, owner username, owner organisation, inherent L×C, current L×C, target L×C)
RISKS = [
    (
        "Senior clinicians seconded to BHRUT leave gaps at home",
        "workforce_capacity",
        "ral-manager",
        BUDDY_CODE,
        (4, 4),
        (4, 3),
        (2, 3),
    ),
    (
        "Reputational harm to the Royal Free if improvement stalls",
        "reputational",
        "ral-executive",
        BUDDY_CODE,
        (3, 4),
        (3, 4),
        (2, 3),
    ),
    (
        "Support costs exceed the agreed remuneration",
        "financial",
        "ral-manager",
        BUDDY_CODE,
        (4, 3),
        (3, 3),
        (2, 2),
    ),
    (
        "Emergency department four-hour performance does not improve",
        "quality_safety",
        "bhr-manager",
        SUPPORTED_CODE,
        (5, 4),
        (4, 4),
        (3, 3),
    ),
    (
        "CQC re-inspection before the improvements are embedded",
        "regulatory",
        "bhr-executive",
        SUPPORTED_CODE,
        (4, 5),
        (3, 5),
        (2, 4),
    ),
    (
        "Two leadership teams give staff conflicting priorities",
        "strategic",
        "bhr-manager",
        SUPPORTED_CODE,
        (3, 3),
        (2, 3),
        (1, 3),
    ),
]

# Appetites: the buddy is cautious where the supported trust must be bolder; one left unset.
APPETITES = {
    BUDDY_CODE: [
        ("workforce_capacity", "cautious", 8),
        ("reputational", "minimal", 6),
        ("financial", "cautious", 9),
        ("quality_safety", "minimal", 8),
        ("regulatory", "cautious", 12),
        ("strategic", "open", 12),
    ],
    SUPPORTED_CODE: [
        ("workforce_capacity", "open", 12),
        ("reputational", "cautious", 12),
        ("financial", "cautious", 9),
        ("quality_safety", "cautious", 12),
        ("strategic", "open", 12),
    ],
}


class Command(BaseCommand):
    help = "Add demo risks, actions and risk appetites to the demo partnership (after seed_demo)."

    def handle(self, *args, **options):
        partnership, users, organisations = demo_partnership(DEMO_USERS)
        if partnership.risks.exists():
            self.stdout.write("The demo partnership has risks already, so none were added.")
            return
        today = timezone.localdate()
        with transaction.atomic():
            for code, rows in APPETITES.items():
                executive = users[demo_username(code, "executive")]
                for category, level, tolerance in rows:
                    services.risk_appetite_set(
                        organisation=organisations[code],
                        category=category,
                        level=level,
                        tolerance=tolerance,
                        by=executive,
                    )
            for index, (title, category, owner, code, inherent, current, target) in enumerate(
                RISKS
            ):
                by = users[demo_username(code, "manager")]
                risk = services.risk_create(
                    partnership=partnership,
                    by=by,
                    title=title,
                    category=category,
                    owner_organisation=organisations[code],
                    owner=users[owner],
                    inherent_likelihood=inherent[0],
                    inherent_consequence=inherent[1],
                    current_likelihood=current[0],
                    current_consequence=current[1],
                    target_likelihood=target[0],
                    target_consequence=target[1],
                    controls="Fortnightly joint programme board; escalation to both executives.",
                    review_frequency="monthly",
                    confirm=True,  # some demo reviews are overdue on purpose
                    next_review_date=today
                    + timedelta(days=30 - 20 * (index % 2))
                    - timedelta(days=15),
                )
                services.action_create(
                    risk=risk,
                    by=by,
                    description="Agree the mitigation plan at the programme board",
                    owner=users[owner],
                    confirm=True,  # and some actions
                    due_date=today - timedelta(days=7 * (index % 3 - 1)),
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {len(RISKS)} risks and {sum(map(len, APPETITES.values()))} appetites to "
                f"{partnership.reference}."
            )
        )
