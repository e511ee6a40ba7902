"""Demo commitments of both parties, with weekly deliveries at different paces (green to red).

Run after ``seed_demo``. The demo users act through the services, so the history reads as it would
in real use. Runs only when the demo partnership has no commitments yet, so running it again
changes nothing.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from partnerships.commitments import services
from partnerships.demo import BUDDY_CODE, SUPPORTED_CODE, demo_partnership

DEMO_USERS = ("ral-manager", "bhr-manager")


class Command(BaseCommand):
    help = "Add demo commitments and deliveries to the demo partnership (after seed_demo)."

    def handle(self, *args, **options):
        partnership, users, organisations = demo_partnership(DEMO_USERS)
        if partnership.commitments.exists():
            self.stdout.write("The demo partnership has commitments already, so none were added.")
            return
        with transaction.atomic():
            self._demo_commitments(partnership, organisations, users, partnership.planned_start)
        self.stdout.write(f"Added demo commitments and deliveries to {partnership.reference}.")

    def _demo_commitments(self, partnership, organisations, users, start: date) -> None:
        """Commitments of both parties, with weekly deliveries at different paces (green to red)."""
        today = timezone.localdate()
        end = start.replace(year=start.year + 1) - timedelta(days=1)
        plans = (
            # (organisation, by, category, description, unit, planned, per week, staff group)
            (
                BUDDY_CODE,
                "ral-manager",
                "executive_time",
                "Chief nurse mentoring the director of nursing",
                "days",
                40,
                0.8,
                "senior_managers",
            ),
            (
                BUDDY_CODE,
                "ral-manager",
                "clinical_time",
                "Emergency medicine consultant sessions",
                "hours",
                1200,
                17,
                "medical_dental",
            ),
            (
                BUDDY_CODE,
                "ral-manager",
                "quality_improvement",
                "Quality improvement coaching for ward teams",
                "days",
                120,
                1,
                "nursing_midwifery",
            ),
            (
                SUPPORTED_CODE,
                "bhr-manager",
                "finance",
                "Backfill of released staff",
                "gbp",
                120000,
                2300,
                "admin_clerical",
            ),
        )
        for code, by, category, description, unit, planned, per_week, staff_group in plans:
            commitment = services.commitment_create(
                by=users[by],
                partnership=partnership,
                organisation=organisations[code],
                category=category,
                description=description,
                unit=unit,
                planned_quantity=Decimal(planned),
                start_date=start,
                end_date=end,
                owner=f"{users[by].get_full_name()}, programme manager",
            )
            day = start + timedelta(days=6)
            entries = []
            while day < today:
                entries.append(
                    {
                        "date": day,
                        "quantity": Decimal(str(per_week)),
                        "staff_group": staff_group,
                        "note": "",
                    }
                )
                day += timedelta(days=7)
            if entries:
                services.deliveries_log(commitment=commitment, by=users[by], entries=entries)
