"""Demo shared-risk agreements for the demo partnership (run after ``seed_demo`` and
``seed_demo_risks``: the lines share the demo risks).

The demo users act through the services, so the history and the signatures' hashes are real:
- version 1, drafted by the buddy's programme manager, put to signature and signed by both
  executives: in force;
- version 2, a change to the exit terms, put to signature and signed by the buddy's executive
  only: awaiting the supported trust's signature;
- a dispute raised by the supported trust about one line of version 1 (who carries a cost
  overrun), gone to mediation.

Runs only when the demo partnership has no agreement yet, so running it again changes nothing.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partnerships.demo import BUDDY_CODE, SUPPORTED_CODE, demo_partnership
from partnerships.models import Organisation
from risks.agreements import services
from risks.agreements.choices import DisputeStatus

MEDIATOR_CODE = "X24"
DEMO_USERS = ("ral-manager", "ral-executive", "bhr-manager", "bhr-executive")

# (risk category, lead, buddy's share %, liability cap £, responsibilities)
LINES = [
    (
        "workforce_capacity",
        BUDDY_CODE,
        "70",
        "150000",
        "The Royal Free backfills the posts of staff it seconds; BHRUT funds the recharges.",
    ),
    (
        "financial",
        BUDDY_CODE,
        "50",
        "100000",
        "Costs above the agreed remuneration are shared equally, up to the cap, after both "
        "finance directors have agreed them.",
    ),
    (
        "quality_safety",
        SUPPORTED_CODE,
        "20",
        "250000",
        "BHRUT stays accountable for the care it gives; the Royal Free advises and reviews.",
    ),
]


class Command(BaseCommand):
    help = "Add demo shared-risk agreements and a dispute to the demo partnership (after seed_demo_risks)."

    def handle(self, *args, **options):
        partnership, users, organisations = demo_partnership(DEMO_USERS)
        risks = {}
        for risk in partnership.risks.order_by("created_at"):
            risks.setdefault(risk.category, risk)
        missing = [category for category, *_ in LINES if category not in risks]
        if missing:
            raise CommandError("Run seed_demo_risks first: the demo partnership has no risks.")
        if partnership.agreements.exists():
            self.stdout.write("The demo partnership has agreements already, so none were added.")
            return
        organisations = Organisation.objects.in_bulk([BUDDY_CODE, SUPPORTED_CODE, MEDIATOR_CODE])
        if MEDIATOR_CODE not in organisations:
            raise CommandError("Run seed_demo first: NHS England (X24) is not recorded.")
        with transaction.atomic():
            first = self._in_force(partnership, organisations, risks, users)
            self._awaiting(first, users)
            self._dispute(first, organisations, risks, users)
        self.stdout.write(
            self.style.SUCCESS(
                f"Added agreement versions 1 (in force) and 2 (awaiting a signature) and a "
                f"dispute to {partnership.reference}."
            )
        )

    def _in_force(self, partnership, organisations, risks, users):
        start = partnership.planned_start
        lines = [
            {
                "risk": risks[category],
                "lead_organisation": organisations[lead],
                "shares": {
                    BUDDY_CODE: buddy_share,
                    SUPPORTED_CODE: str(100 - int(buddy_share)),
                },
                "liability_cap_gbp": cap,
                "responsibilities": responsibilities,
            }
            for category, lead, buddy_share, cap, responsibilities in LINES
        ]
        agreement = services.agreement_create(
            partnership=partnership,
            by=users["ral-manager"],
            lines=lines,
            scope="Urgent and emergency care, maternity, and leadership and governance at "
            "Barking, Havering and Redbridge.",
            effective_from=start,
            review_date=start + timedelta(days=365),
            mediator_organisation=organisations[MEDIATOR_CODE],
            dispute_process="The two sponsors meet within 10 working days; if they cannot agree, "
            "NHS England's regional team mediates.",
            exit_terms="Either board may end the partnership on three months' notice.",
        )
        services.agreement_submit(agreement=agreement, by=users["ral-manager"])
        services.agreement_sign(agreement=agreement, by=users["ral-executive"])
        services.agreement_sign(agreement=agreement, by=users["bhr-executive"])
        return agreement

    def _awaiting(self, first, users) -> None:
        second = services.agreement_new_version(agreement=first, by=users["bhr-manager"])
        services.agreement_update(
            agreement=second,
            by=users["bhr-manager"],
            exit_terms="Either board may end the partnership on three months' notice; the last "
            "month is a handover to BHRUT's substantive leadership team.",
        )
        services.agreement_submit(agreement=second, by=users["bhr-manager"])
        services.agreement_sign(agreement=second, by=users["ral-executive"])

    def _dispute(self, first, organisations, risks, users) -> None:
        dispute = services.dispute_raise(
            agreement=first,
            by=users["bhr-manager"],
            raised_by_organisation=organisations[SUPPORTED_CODE],
            title="Who carries the agency costs above the remuneration",
            description="BHRUT reads the financial line as sharing agency costs; the Royal "
            "Free reads it as covering its own staff only.",
            risk=risks["financial"],
        )
        services.dispute_transition(
            dispute=dispute, by=users["ral-manager"], to=DisputeStatus.IN_MEDIATION
        )
