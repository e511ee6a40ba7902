"""Demo secondments for the demo partnership (run after ``seed_demo``).

The Royal Free seconds senior managers, clinicians and nurses to BHRUT — some planned, most
running, two ended with what the people learned, one cancelled — and BHRUT seconds its head of
patient flow the other way. Both trusts record their establishment per staff group, and the Royal
Free's senior managers away without backfill come to more than 5% of the group, so the capacity
page shows the talent-pool warning and offers to raise the risk.

The demo users act through the services, so the history reads as it would in real use. Runs only
when the demo partnership has no secondments yet, so running it again changes nothing.
"""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from partnerships.demo import BUDDY_CODE, SUPPORTED_CODE, demo_partnership, demo_username
from partnerships.secondments import services

DEMO_USERS = ("ral-manager", "ral-executive", "bhr-manager", "bhr-executive")

# FTE employed per staff group (the capacity page's denominators).
ESTABLISHMENTS = {
    BUDDY_CODE: {
        "senior_managers": "28",
        "medical_dental": "1850",
        "nursing_midwifery": "4920",
        "allied_health": "610",
    },
    SUPPORTED_CODE: {"admin_clerical": "1180", "senior_managers": "24"},
}


def _months_later(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _secondments(start: date, today: date) -> list[dict]:
    """What each one is: home, the fields, and what happens to it (``ended``/``cancelled``)."""
    year_end = _months_later(start, 12) - timedelta(days=1)
    return [
        {
            "home": BUDDY_CODE,
            "staff_reference": "RAL-ESR-204417",
            "role_title": "Interim director of operations",
            "staff_group": "senior_managers",
            "band": "vsm",
            "fte": "1",
            "start_date": start,
            "end_date": year_end,
            "backfilled": False,
            "monthly_recharge": "11500",
            "development_objectives": "Run a trust's operations through a recovery programme; "
            "build the operational grip of the emergency pathway at BHRUT.",
        },
        {
            "home": BUDDY_CODE,
            "staff_reference": "RAL-ESR-198230",
            "role_title": "Associate director of quality governance",
            "staff_group": "senior_managers",
            "band": "8d",
            "fte": "0.6",
            "start_date": _months_later(start, 1),
            "end_date": _months_later(start, 10),
            "backfilled": False,
            "monthly_recharge": "4200",
            "development_objectives": "Lead a quality governance framework from design to CQC "
            "re-inspection; experience of board reporting in a trust in special measures.",
        },
        {
            "home": BUDDY_CODE,
            "staff_reference": "RAL-ESR-311052",
            "role_title": "Consultant in emergency medicine",
            "staff_group": "medical_dental",
            "band": "medical",
            "fte": "0.6",
            "start_date": start,
            "end_date": year_end,
            "backfilled": False,
            "monthly_recharge": "5200",
            "development_objectives": "Clinical leadership of an emergency department's flow "
            "improvement; mentor BHRUT's emergency department consultants.",
        },
        {
            "home": BUDDY_CODE,
            "staff_reference": "RAL-ESR-287764",
            "role_title": "Deputy chief nurse",
            "staff_group": "nursing_midwifery",
            "band": "8c",
            "fte": "1",
            "start_date": start,
            "end_date": _months_later(start, 6) - timedelta(days=1),
            "backfilled": True,
            "monthly_recharge": "6800",
            "development_objectives": "Act up to executive nurse responsibilities; lead the "
            "nursing workforce plan and safer staffing reviews.",
        },
        {
            "home": BUDDY_CODE,
            "staff_reference": "RAL-ESR-305119",
            "role_title": "Consultant physiotherapist, urgent care",
            "staff_group": "allied_health",
            "band": "8b",
            "fte": "0.8",
            "start_date": start,
            "end_date": today - timedelta(days=14),
            "backfilled": True,
            "monthly_recharge": "3900",
            "development_objectives": "Set up a frailty front door with therapy-led discharge.",
            "ended": "Set up a same-day frailty service that now sees 30 patients a week; "
            "learned to make the case for investment to another trust's board.",
        },
        {
            "home": BUDDY_CODE,
            "staff_reference": "RAL-ESR-276301",
            "role_title": "Clinical director for urgent and emergency care",
            "staff_group": "medical_dental",
            "band": "medical",
            "fte": "0.5",
            "start_date": start,
            "end_date": today - timedelta(days=30),
            "backfilled": False,
            "monthly_recharge": "6100",
            "development_objectives": "Lead clinical governance of urgent care across two "
            "trusts; prepare for a medical director role.",
            "ended": "Chaired the joint urgent care board and the mortality reviews; brought "
            "back BHRUT's ambulance handover protocol, now used at the Royal Free.",
        },
        {
            "home": BUDDY_CODE,
            "staff_reference": "RAL-ESR-322948",
            "role_title": "Emergency department matron",
            "staff_group": "nursing_midwifery",
            "band": "8a",
            "fte": "1",
            "start_date": today + timedelta(days=45),
            "end_date": _months_later(today + timedelta(days=45), 6),
            "backfilled": True,
            "monthly_recharge": "4100",
            "development_objectives": "Lead nursing in an emergency department under improvement.",
            "cancelled": "BHRUT appointed a substantive matron, so the post is filled.",
        },
        {
            "home": BUDDY_CODE,
            "staff_reference": "RAL-ESR-330417",
            "role_title": "Head of midwifery",
            "staff_group": "nursing_midwifery",
            "band": "8c",
            "fte": "0.5",
            "start_date": today + timedelta(days=30),
            "end_date": _months_later(today + timedelta(days=30), 6),
            "backfilled": False,
            "monthly_recharge": "3100",
            "development_objectives": "Support BHRUT's maternity improvement plan; "
            "experience of a maternity service under regulatory scrutiny.",
        },
        {
            "home": SUPPORTED_CODE,
            "staff_reference": "RF4-ESR-118245",
            "role_title": "Head of patient flow",
            "staff_group": "admin_clerical",
            "band": "8a",
            "fte": "0.4",
            "start_date": start + timedelta(days=14),
            "end_date": today - timedelta(days=7),
            "backfilled": False,
            "monthly_recharge": "0",
            "development_objectives": "Learn the Royal Free's operational command centre and "
            "bring its daily discharge huddles home.",
            "ended": "Ran the Royal Free's discharge huddles for six weeks; BHRUT now holds "
            "them twice a day and has cut medically fit patients waiting by a quarter.",
        },
    ]


class Command(BaseCommand):
    help = "Add demo secondments and establishments to the demo partnership (after seed_demo)."

    def handle(self, *args, **options):
        partnership, users, organisations = demo_partnership(DEMO_USERS)
        if partnership.secondments.exists():
            self.stdout.write("The demo partnership has secondments already, so none were added.")
            return
        today = timezone.localdate()
        # The partnership started at least a quarter ago; the ended ones need some past.
        start = min(partnership.planned_start, today - timedelta(days=90))
        rows = _secondments(start, today)
        with transaction.atomic():
            for code, groups in ESTABLISHMENTS.items():
                for staff_group, fte in groups.items():
                    services.establishment_set(
                        organisation=organisations[code],
                        staff_group=staff_group,
                        fte=Decimal(fte),
                        by=users[demo_username(code, "executive")],
                    )
            for row in rows:
                row = dict(row)
                home = row.pop("home")
                ended, cancelled = row.pop("ended", None), row.pop("cancelled", None)
                by = users[demo_username(home, "manager")]
                other = SUPPORTED_CODE if home == BUDDY_CODE else BUDDY_CODE
                for name in ("fte", "monthly_recharge"):
                    row[name] = Decimal(row[name])
                secondment = services.secondment_create(
                    by=by,
                    partnership=partnership,
                    home_organisation=organisations[home],
                    host_organisation=organisations[other],
                    **row,
                )
                if ended:
                    services.secondment_end(secondment=secondment, by=by, learning_outcomes=ended)
                if cancelled:
                    services.secondment_cancel(secondment=secondment, by=by, reason=cancelled)
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {len(rows)} secondments and "
                f"{sum(map(len, ESTABLISHMENTS.values()))} establishments to "
                f"{partnership.reference}."
            )
        )
