"""Demo data for an empty database: demo sign-ins and the real, publicly reported buddy pairs.

Runs only when there are no partnerships, so running it again changes nothing. It needs the NHS
trusts imported first (``import_organisations``).

The demo users belong to two London trusts open today (``partnerships.demo``): Barking, Havering
and Redbridge (RF4), supported, and the Royal Free London (RAL), its buddy. Their partnership is
proposed, approved by both executives and started through the services, so its history reads as it
would in real use. The publicly reported pairs are historical records on the trusts of their time
(the 2013 ones closed), written with the same model rules (``full_clean``) by the system, since no
demo user acts for those trusts.
"""

import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from partnerships import services
from partnerships.choices import (
    ClosureOutcome,
    OrganisationKind,
    PartnershipKind,
    PartnershipStatus,
    PartyRole,
    Role,
)
from partnerships.demo import BUDDY_CODE, SUPPORTED_CODE
from partnerships.models import Membership, Organisation, Partnership, Party

PAIRS_PATH = Path(settings.BASE_DIR) / "partnerships" / "data" / "buddying_pairs_public.csv"
DEMO_PASSWORD = "buddying-demo"  # noqa: S105 - a published demo password, for the demo only
REGULATOR_CODE, REGULATOR_NAME = "X24", "NHS England"
# An unrelated trust for the outsider: any open trust that is in none of the pairs.
OUTSIDER_PREFERRED = "RHM"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    organisation: str
    role: str
    job_title: str


DEMO_USERS = [
    DemoUser("bhr-executive", "Helen", "Ward", SUPPORTED_CODE, Role.EXECUTIVE, "Chief executive"),
    DemoUser(
        "bhr-manager",
        "Priya",
        "Shah",
        SUPPORTED_CODE,
        Role.PROGRAMME_MANAGER,
        "Improvement programme manager",
    ),
    DemoUser("ral-executive", "David", "Okoro", BUDDY_CODE, Role.EXECUTIVE, "Chief executive"),
    DemoUser(
        "ral-manager",
        "Megan",
        "Lloyd",
        BUDDY_CODE,
        Role.PROGRAMME_MANAGER,
        "Partnership programme manager",
    ),
    DemoUser("bhr-viewer", "Tom", "Baker", SUPPORTED_CODE, Role.VIEWER, "Ward manager"),
    DemoUser("ral-viewer", "Aisha", "Khan", BUDDY_CODE, Role.VIEWER, "Deputy director of nursing"),
    DemoUser("regulator", "Ruth", "Evans", REGULATOR_CODE, Role.REGULATOR, "Regional director"),
    DemoUser("outsider", "Sam", "Green", "", Role.PROGRAMME_MANAGER, "Programme manager"),
]


@dataclass(frozen=True)
class Pair:
    line: int
    supported: str
    buddy: str
    year: int
    arrangement: str
    confidence: str
    sources: str


def read_pairs(path: Path = PAIRS_PATH) -> list[Pair]:
    pairs = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            match = re.search(r"\d{4}", row["year"])
            pairs.append(
                Pair(
                    line=reader.line_num,
                    supported=row["supported_ods_code"].strip().upper(),
                    buddy=row["partner_ods_code"].strip().upper(),
                    year=int(match.group()) if match else 2013,
                    arrangement=row["arrangement"].strip(),
                    confidence=row["confidence"].strip(),
                    sources=row["sources"].strip(),
                )
            )
    return pairs


def _kind(arrangement: str) -> str:
    return (
        PartnershipKind.COLLABORATION
        if "partnership" in arrangement.lower()
        else PartnershipKind.BUDDYING
    )


def _title(pair: Pair, supported: Organisation) -> str:
    arrangement = pair.arrangement[:1].upper() + pair.arrangement[1:]
    return f"{arrangement} – {supported.display_name}"[:200]


def _intent(pair: Pair, buddy: Organisation, supported: Organisation) -> str:
    return (
        f"{buddy.display_name} supports {supported.display_name} to make lasting improvements "
        "in the quality of care and leave special measures.\n\n"
        f"Publicly reported in {pair.year} ({pair.confidence}). Sources: {pair.sources}."
    )


def _status_for(pair: Pair) -> str:
    """Historical pairs: the 2013 ones have ended; later ones are still running."""
    if pair.year <= 2013:
        return PartnershipStatus.CLOSED
    return PartnershipStatus.ACTIVE


class Command(BaseCommand):
    help = "Add demo users and the real, publicly reported buddy pairs to an empty database."

    def handle(self, *args, **options):
        if Partnership.objects.exists():
            self.stdout.write("There are partnerships already, so no demo data was added.")
            self._print_sign_ins()
            return
        pairs = read_pairs()
        organisations = self._organisations(pairs)
        with transaction.atomic():
            users = self._users(organisations)
            self._demo_pair(organisations, users)
            for index, pair in enumerate(pairs):
                newest = index == len(pairs) - 1
                status = PartnershipStatus.PROPOSED if newest else _status_for(pair)
                self._historical_pair(pair, organisations, status)
        self.stdout.write(
            f"Added the demo partnership and {len(pairs)} partnerships from {PAIRS_PATH.name}."
        )
        self._print_sign_ins()

    def _print_sign_ins(self) -> None:
        """List the demo sign-ins that exist (on a re-run too, so ``make run`` always shows them)."""
        memberships = (
            Membership.objects.filter(user__username__in=[demo.username for demo in DEMO_USERS])
            .select_related("user", "organisation")
            .order_by("pk")
        )
        if not memberships:
            return
        self.stdout.write(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for membership in memberships:
            organisation = membership.organisation
            self.stdout.write(
                f"  {membership.user.username:<15} {membership.get_role_display().lower()} at "
                f"{organisation.display_name} ({organisation.ods_code})"
            )

    # --- organisations --------------------------------------------------------------------------

    def _organisations(self, pairs: list[Pair]) -> dict[str, Organisation]:
        codes = {code for pair in pairs for code in (pair.supported, pair.buddy)}
        codes |= {SUPPORTED_CODE, BUDDY_CODE}
        found = Organisation.objects.in_bulk(codes | {OUTSIDER_PREFERRED, REGULATOR_CODE})
        if not any(code in found for code in codes):
            raise CommandError(
                "There are no NHS trusts yet. Import them first: python manage.py import_organisations"
            )
        missing = sorted(codes - set(found))
        if missing:
            raise CommandError(
                f"These trusts are missing: {', '.join(missing)}. "
                "Import them first: python manage.py import_organisations"
            )
        regulator = found.get(REGULATOR_CODE)
        if regulator is None:
            regulator = Organisation(
                ods_code=REGULATOR_CODE, name=REGULATOR_NAME, kind=OrganisationKind.REGULATOR
            )
            regulator._history_user = None
            regulator.full_clean()
            regulator.save(force_insert=True)
        elif regulator.kind != OrganisationKind.REGULATOR:
            raise CommandError(
                f"{REGULATOR_CODE} exists but is not a regulator, so the demo regulator cannot join it."
            )
        outsider = found.get(OUTSIDER_PREFERRED)
        if outsider is None or outsider.pk in codes:
            outsider = (
                Organisation.objects.filter(active=True, kind=OrganisationKind.TRUST)
                .exclude(pk__in=codes)
                .order_by("ods_code")
                .first()
            )
            if outsider is None:
                raise CommandError("There is no trust outside the demo pairs for the outsider.")
        return {**found, REGULATOR_CODE: regulator, "outsider": outsider}

    # --- people ---------------------------------------------------------------------------------

    def _users(self, organisations: dict[str, Organisation]) -> dict[str, object]:
        User = get_user_model()
        users = {}
        for demo in DEMO_USERS:
            user, _ = User.objects.get_or_create(
                username=demo.username,
                defaults={
                    "first_name": demo.first_name,
                    "last_name": demo.last_name,
                    "email": f"{demo.username}@example.nhs.uk",
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            organisation = organisations[demo.organisation or "outsider"]
            if not Membership.objects.filter(user=user, organisation=organisation).exists():
                membership = Membership(user=user, organisation=organisation, role=demo.role)
                services.membership_save(membership=membership, by=None)
            users[demo.username] = user
        return users

    # --- partnerships ---------------------------------------------------------------------------

    def _demo_pair(self, organisations: dict[str, Organisation], users: dict) -> None:
        """The demo users' own partnership, taken through the lifecycle by the demo users."""
        supported, buddy = organisations[SUPPORTED_CODE], organisations[BUDDY_CODE]
        sponsors = {demo.organisation: demo for demo in DEMO_USERS if demo.role == Role.EXECUTIVE}
        deputies = {
            demo.organisation: demo for demo in DEMO_USERS if demo.role == Role.PROGRAMME_MANAGER
        }

        def sponsor(code: str) -> dict[str, str]:
            lead, deputy = sponsors[code], deputies[code]
            return {
                "sponsor_name": f"{lead.first_name} {lead.last_name}",
                "sponsor_job_title": lead.job_title,
                "deputy_name": f"{deputy.first_name} {deputy.last_name}",
                "deputy_job_title": deputy.job_title,
            }

        start = (timezone.localdate() - timedelta(days=90)).replace(day=1)
        partnership = services.partnership_create(
            by=users["bhr-manager"],
            buddy=buddy,
            supported=supported,
            parties={
                PartyRole.BUDDY: sponsor(BUDDY_CODE),
                PartyRole.SUPPORTED: sponsor(SUPPORTED_CODE),
            },
            title=f"Urgent care and maternity recovery – {supported.display_name}"[:200],
            kind=PartnershipKind.BUDDYING,
            scope_areas="Urgent and emergency care\nMaternity\nLeadership and governance",
            shared_intent=(
                f"{buddy.display_name} supports {supported.display_name}, its neighbour in "
                "London, to bring emergency department waits back towards the four-hour "
                "standard, make maternity care safer and leave the Recovery Support Programme "
                "with a leadership team that keeps the improvement going.\n\n"
                "Both trusts learn: the Royal Free from BHRUT's frailty service and community "
                "links, BHRUT from the Royal Free's patient flow and clinical governance."
            ),
            planned_start=start,
            planned_end=start.replace(year=start.year + 2) - timedelta(days=1),
            funding_source="nhs_england",
            remuneration_gbp=250000,
            consultancy_equivalent_gbp=900000,
        )
        for title, measure, baseline, target in (
            (
                "Leave the Recovery Support Programme",
                "NHS Oversight Framework segment",
                "Segment 5 (Recovery Support Programme)",
                "Segment 3 or better",
            ),
            (
                "Reduce waits in the emergency department",
                "Patients seen within 4 hours",
                "78%",
                "95%",
            ),
        ):
            objective = services.objective_save(
                partnership=partnership,
                by=users["bhr-manager"],
                title=title,
                measure=measure,
                baseline=baseline,
                target=target,
                target_date=start.replace(year=start.year + 1),
            )
        services.partnership_approve(partnership=partnership, by=users["ral-executive"])
        services.partnership_approve(partnership=partnership, by=users["bhr-executive"])
        services.partnership_transition(
            partnership=partnership, to=PartnershipStatus.ACTIVE, by=users["ral-manager"]
        )
        # The 4-hour measure, month by month (the last objective above): progress to chart.
        month = timezone.localdate().replace(day=1)
        for months_ago, value in ((4, "79.2"), (3, "81.5"), (2, "80.9"), (1, "84.3")):
            year, index = divmod(month.year * 12 + month.month - 1 - months_ago, 12)
            services.objective_measurement_record(
                objective=objective,
                by=users["bhr-manager"],
                measured_on=date(year, index + 1, 1),
                value=Decimal(value),
                note="Monthly ED performance return",
            )

    def _historical_pair(
        self, pair: Pair, organisations: dict[str, Organisation], status: str
    ) -> None:
        """A reported pair as a record made by the system (no demo user acts for these trusts)."""
        supported, buddy = organisations[pair.supported], organisations[pair.buddy]
        start = date(pair.year, 9, 1)
        closed = status == PartnershipStatus.CLOSED
        partnership = Partnership(
            reference=services.next_partnership_reference(start),
            title=_title(pair, supported),
            kind=_kind(pair.arrangement),
            shared_intent=_intent(pair, buddy, supported),
            planned_start=start,
            # A closed pair ran its planned two years; a running one has no end set yet.
            planned_end=start.replace(year=start.year + 2) - timedelta(days=1) if closed else None,
            status=status,
        )
        if closed:
            partnership.actual_end = partnership.planned_end
            partnership.closure_outcome = ClosureOutcome.COMPLETED
            partnership.closure_reason = (
                f"{supported.display_name} made the improvements agreed and the support came "
                "to its planned end."
            )
        partnership._history_user = None
        partnership.full_clean()
        partnership.save()
        for role, organisation in ((PartyRole.BUDDY, buddy), (PartyRole.SUPPORTED, supported)):
            party = Party(partnership=partnership, organisation=organisation, role=role)
            party._history_user = None
            party.full_clean()
            party.save()
