"""Time the daily reminders job over national-scale data (run by hand, not by the tests).

    DEBUG=true .venv/bin/python scripts/benchmark_reminders.py [--partnerships 2000] [--runs 3]

It builds a throwaway test database for the configured ``DATABASE_URL`` (``test_<name>`` on
PostgreSQL), fills it with 2,000 partnerships between 220 trusts (each trust with two programme
managers, two executives and two viewers), and per partnership 5 commitments with deliveries,
10 risks with 2 actions each and 4 outcome reviews, dated so that a good share of every rule is
due. Then it times the daily job's work (``raise_reminders``: every rule, recording each reminder
once), a second run (which finds everything already recorded), and sending every person's digest
in this process (the worker's share, spread over many tasks in production). The target in issue 12
is under 10 seconds for the daily job.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buddying.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from buddying.notifications import selectors, services  # noqa: E402
from buddying.notifications.models import Reminder  # noqa: E402
from partnerships.choices import OrganisationKind, PartnershipStatus, PartyRole, Role  # noqa: E402
from partnerships.commitments.models import Commitment, Delivery  # noqa: E402
from partnerships.models import Membership, Organisation, Partnership, Party  # noqa: E402
from partnerships.reviews.models import OutcomeReview  # noqa: E402
from risks.models import Risk, RiskAction  # noqa: E402

TRUSTS = 220
BATCH = 5000


def build(partnerships: int, today: dt.date) -> None:
    rng = random.Random(12)
    User = get_user_model()
    orgs = Organisation.objects.bulk_create(
        Organisation(
            ods_code=f"B{i:03d}", name=f"Bench Hospitals {i} NHS Trust", kind=OrganisationKind.ACUTE
        )
        for i in range(TRUSTS)
    )
    users, memberships = [], []
    roles = [Role.PROGRAMME_MANAGER] * 2 + [Role.EXECUTIVE] * 2 + [Role.VIEWER] * 2
    for org in orgs:
        for n, role in enumerate(roles):
            user = User(username=f"{org.ods_code}-{n}", email=f"{org.ods_code}-{n}@example.nhs.uk")
            users.append(user)
            memberships.append(Membership(user=user, organisation=org, role=role))
    User.objects.bulk_create(users, batch_size=BATCH)
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    pms = {m.organisation_id: m.user for m in memberships if m.role == Role.PROGRAMME_MANAGER}

    ships, parties, commitments, deliveries, risks, actions, reviews = [], [], [], [], [], [], []
    for i in range(partnerships):
        buddy, supported = rng.sample(orgs, 2)
        ship = Partnership(
            id=uuid.uuid4(),
            reference=f"BM-{i:05d}",
            title=f"Partnership {i}",
            status=PartnershipStatus.ACTIVE,
            shared_intent="Benchmark",
        )
        ships.append(ship)
        parties += [
            Party(partnership=ship, organisation=buddy, role=PartyRole.BUDDY),
            Party(partnership=ship, organisation=supported, role=PartyRole.SUPPORTED),
        ]
        for c in range(5):
            commitment = Commitment(
                id=uuid.uuid4(),
                reference=f"C-{c:04d}",
                partnership=ship,
                organisation=buddy,
                category="clinical_time",
                description="Consultant sessions",
                unit="hours",
                planned_quantity=Decimal(200),
                start_date=today - dt.timedelta(days=rng.randint(20, 120)),
                end_date=today + dt.timedelta(days=rng.randint(10, 200)),
                owner="Dr Bench",
            )
            commitments.append(commitment)
            for d in range(rng.randint(0, 6)):
                deliveries.append(
                    Delivery(
                        commitment=commitment,
                        date=today - dt.timedelta(days=rng.randint(1, 19) + d),
                        quantity=Decimal(rng.randint(1, 20)),
                    )
                )
        for r in range(10):
            risk = Risk(
                id=uuid.uuid4(),
                partnership=ship,
                number=r + 1,
                reference=f"R-{r + 1:03d}",
                title=f"Risk {r}",
                category="strategic",
                owner_organisation=buddy,
                owner=pms[buddy.pk],
                inherent_likelihood=4,
                inherent_consequence=4,
                current_likelihood=3,
                current_consequence=3,
                target_likelihood=2,
                target_consequence=2,
                next_review_date=today + dt.timedelta(days=rng.randint(-30, 60)),
            )
            risks.append(risk)
            for _ in range(2):
                actions.append(
                    RiskAction(
                        risk=risk,
                        partnership=ship,
                        description="Do something",
                        owner=pms[supported.pk],
                        due_date=today + dt.timedelta(days=rng.randint(-30, 60)),
                    )
                )
        for q in range(4):
            due = today + dt.timedelta(days=rng.randint(-20, 90))
            reviews.append(
                OutcomeReview(
                    partnership=ship,
                    kind="quarterly" if q < 3 else "final",
                    period_start=due - dt.timedelta(days=90),
                    period_end=due - dt.timedelta(days=14),
                    due_date=due,
                )
            )
    for model, rows in (
        (Partnership, ships),
        (Party, parties),
        (Commitment, commitments),
        (Delivery, deliveries),
        (Risk, risks),
        (RiskAction, actions),
        (OutcomeReview, reviews),
    ):
        model.objects.bulk_create(rows, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None


def _forget_reminders() -> None:
    """Start each run from no reminders (a truncate: deleting rows would log each deletion)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'TRUNCATE "{Reminder._meta.db_table}"')
    else:
        Reminder.objects.all().delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    setup_test_environment()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        today = timezone.localdate()
        started = time.perf_counter()
        build(args.partnerships, today)
        print(f"Built {args.partnerships} partnerships in {time.perf_counter() - started:.1f} s")
        for run in range(args.runs):
            _forget_reminders()
            started = time.perf_counter()
            result = services.raise_reminders(today=today)
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = services.raise_reminders(today=today)
            second = time.perf_counter() - started
            people = list(selectors.people_to_email(today))
            print(
                f"Run {run + 1}: daily job {first:.2f} s ({result.claimed} reminders recorded, "
                f"{len(people)} people to email); run again {second:.2f} s "
                f"({again.claimed} new)"
            )
        started = time.perf_counter()
        sent = sum(1 for user_id in people if services.send_digest(user_id=user_id, day=today))
        print(f"Digests: {sent} sent in {time.perf_counter() - started:.1f} s (one process)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
