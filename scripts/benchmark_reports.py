"""Time the system-wide monthly report over national-scale data (run by hand, not by the tests).

    DEBUG=true .venv/bin/python scripts/benchmark_reports.py --existing [--runs 3]
    DEBUG=true .venv/bin/python scripts/benchmark_reports.py [--partnerships 400] [--runs 3]

With ``--existing`` it uses the configured database as it is, filled by ``manage.py
generate_scale_data`` (national scale: 2,000 partnerships, 20,000 commitments, a million
deliveries, 100,000 risks), and times last month's system-wide report as a regulator of that
data asked for it. Without it, it builds a throwaway test database for the configured ``DATABASE_URL`` (``test_<name>`` on
PostgreSQL), fills it in bulk with every NHS trust in England paired into partnerships, each with
commitments and two years of deliveries, risks with appetites, secondments and reviews, then times
the figures (``build``) and every file (HTML, PDF, XLSX, CSV) of the system-wide monthly report as
a regulator asked for it. Issue 13's target: under 10 seconds.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buddying.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

TARGET_SECONDS = 10.0
TODAY = dt.date(2026, 6, 10)


def fill(partnership_count: int, commitments_each: int, deliveries_each: int) -> dict:
    from partnerships.choices import OrganisationKind, PartnershipStatus, PartyRole, Role
    from partnerships.commitments.models import Commitment, Delivery
    from partnerships.models import Membership, Organisation, Partnership, Party
    from partnerships.reviews.models import OutcomeReview
    from partnerships.secondments.models import Secondment
    from risks.models import Risk, RiskAppetite
    from tests.factories import UserFactory

    rng = random.Random(13)
    regions = [
        "London",
        "South East",
        "South West",
        "Midlands",
        "East of England",
        "North West",
        "North East and Yorkshire",
    ]
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                ods_code=f"Z{i:04d}",
                name=f"BENCHMARK TRUST {i} NHS FOUNDATION TRUST",
                kind=OrganisationKind.ACUTE,
                region_name=regions[i % len(regions)],
            )
            for i in range(partnership_count * 2)
        ]
    )
    regulator_org = Organisation.objects.create(
        ods_code="ZREG", name="NHS England", kind=OrganisationKind.REGULATOR
    )
    regulator = UserFactory(username="benchmark-regulator")
    Membership.objects.create(user=regulator, organisation=regulator_org, role=Role.REGULATOR)
    owner = UserFactory(username="benchmark-owner")
    statuses = [PartnershipStatus.ACTIVE] * 6 + [PartnershipStatus.AGREED, PartnershipStatus.CLOSED]
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(
                reference=f"BP-BENCH-{i:05d}",
                title=f"Benchmark partnership {i}",
                status=statuses[i % len(statuses)],
                closure_outcome="completed"
                if statuses[i % len(statuses)] == PartnershipStatus.CLOSED
                else "",
                closure_reason="Done"
                if statuses[i % len(statuses)] == PartnershipStatus.CLOSED
                else "",
                remuneration_gbp=Decimal(rng.randint(20, 400) * 1000),
                consultancy_equivalent_gbp=Decimal(rng.randint(100, 900) * 1000),
            )
            for i in range(partnership_count)
        ]
    )
    parties = []
    for i, p in enumerate(partnerships):
        parties.append(
            Party(partnership=p, organisation=organisations[2 * i], role=PartyRole.BUDDY)
        )
        parties.append(
            Party(partnership=p, organisation=organisations[2 * i + 1], role=PartyRole.SUPPORTED)
        )
    Party.objects.bulk_create(parties)
    commitments = Commitment.objects.bulk_create(
        [
            Commitment(
                reference=f"C-{n:04d}",
                partnership=p,
                organisation=organisations[2 * i],
                category="clinical_time",
                description="Benchmark",
                unit=["hours", "days", "gbp"][n % 3],
                planned_quantity=Decimal(rng.randint(100, 5000)),
                start_date=dt.date(2024, 7, 1),
                end_date=dt.date(2027, 6, 30),
                owner="Benchmark owner",
            )
            for i, p in enumerate(partnerships)
            for n in range(commitments_each)
        ],
        batch_size=5000,
    )
    start = dt.date(2024, 7, 1)
    span = (TODAY - start).days
    deliveries = [
        Delivery(
            commitment=c,
            date=start + dt.timedelta(days=rng.randrange(span)),
            quantity=Decimal(rng.randint(1, 40)),
        )
        for c in commitments
        for _ in range(deliveries_each)
    ]
    Delivery.objects.bulk_create(deliveries, batch_size=10000)
    Risk.objects.bulk_create(
        [
            Risk(
                partnership=p,
                number=n + 1,
                reference=f"R-{n + 1:03d}",
                title="Benchmark risk",
                category=["strategic", "financial", "workforce_capacity"][n % 3],
                owner_organisation=organisations[2 * i],
                owner=owner,
                inherent_likelihood=5,
                inherent_consequence=5,
                current_likelihood=rng.randint(1, 5),
                current_consequence=rng.randint(1, 5),
                target_likelihood=1,
                target_consequence=1,
                next_review_date=TODAY - dt.timedelta(days=rng.randint(-60, 60)),
            )
            for i, p in enumerate(partnerships)
            for n in range(20)
        ],
        batch_size=5000,
    )
    RiskAppetite.objects.bulk_create(
        [
            RiskAppetite(
                organisation=o, category=cat, level="cautious", tolerance=rng.randint(4, 15)
            )
            for o in organisations
            for cat in ("strategic", "financial", "workforce_capacity")
        ],
        batch_size=5000,
    )
    Secondment.objects.bulk_create(
        [
            Secondment(
                reference=f"S-{n:04d}",
                partnership=p,
                staff_reference=f"E{i:05d}{n:02d}",
                role_title="Benchmark",
                staff_group="nursing_midwifery",
                band="band_7",
                home_organisation=organisations[2 * i],
                host_organisation=organisations[2 * i + 1],
                fte=Decimal("0.5"),
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2026, 12, 31),
                backfilled=n % 2 == 0,
                development_objectives="Benchmark",
            )
            for i, p in enumerate(partnerships)
            for n in range(5)
        ],
        batch_size=5000,
    )
    OutcomeReview.objects.bulk_create(
        [
            OutcomeReview(
                partnership=p,
                kind="quarterly",
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 3, 31),
                due_date=dt.date(2026, 4, 14),
                status=["scheduled", "submitted", "signed_off"][i % 3],
                cost_remuneration_gbp=Decimal(10000),
                consultancy_equivalent_gbp=Decimal(30000),
            )
            for i, p in enumerate(partnerships)
        ],
        batch_size=5000,
    )
    return {"regulator": regulator, "deliveries": len(deliveries), "commitments": len(commitments)}


def _quiet() -> None:
    """WeasyPrint and fontTools log every step and glyph at INFO: keep the timings readable."""
    import logging

    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _time_report(request, today: dt.date, runs: int) -> bool:
    """Build the report ``runs`` times: the figures, then each file on its own. True if the
    median of the whole (figures and every file) is under the target."""
    from buddying.reports import build, render

    _quiet()
    steps = ("figures", "HTML", "PDF", "XLSX", "CSV", "total")
    timings: dict[str, list[float]] = {step: [] for step in steps}
    cpu: dict[str, list[float]] = {step: [] for step in steps}
    for run in range(runs):
        marks = [(time.perf_counter(), time.process_time())]
        report = build.build(request, today)
        marks.append((time.perf_counter(), time.process_time()))
        document = render.document_html(report)
        render.body_html(report)
        marks.append((time.perf_counter(), time.process_time()))
        pdf = render.pdf(document)
        marks.append((time.perf_counter(), time.process_time()))
        xlsx = render.xlsx(report)
        marks.append((time.perf_counter(), time.process_time()))
        csv = render.csv_bytes(report)
        marks.append((time.perf_counter(), time.process_time()))
        for i, step in enumerate(steps[:-1]):
            timings[step].append(marks[i + 1][0] - marks[i][0])
            cpu[step].append(marks[i + 1][1] - marks[i][1])
        timings["total"].append(marks[-1][0] - marks[0][0])
        cpu["total"].append(marks[-1][1] - marks[0][1])
        print(
            f"run {run + 1}: "
            + ", ".join(
                f"{step} {timings[step][-1]:.2f} s (CPU here {cpu[step][-1]:.2f} s)"
                for step in steps
            )
            + f" (PDF {len(pdf) / 1024:.0f} KB, XLSX {len(xlsx) / 1024:.0f} KB, "
            f"CSV {len(csv) / 1024:.0f} KB)"
        )
    median = statistics.median(timings["total"])
    print(
        "median: "
        + ", ".join(f"{step} {statistics.median(timings[step]):.2f} s" for step in steps)
        + f" (target under {TARGET_SECONDS:.0f} s): {'PASS' if median < TARGET_SECONDS else 'FAIL'}"
    )
    return median < TARGET_SECONDS


def existing(runs: int) -> int:
    """Last month's system-wide report over the data already in the configured database."""
    from django.utils import timezone

    from buddying.reports import services
    from buddying.reports.choices import ReportKind
    from buddying.reports.models import ReportRequest
    from partnerships.choices import Role
    from partnerships.commitments.models import Delivery
    from partnerships.models import Membership, Partnership

    regulator = (
        Membership.objects.filter(role=Role.REGULATOR, user__is_active=True)
        .select_related("user")
        .first()
    )
    if regulator is None:
        print("No regulator in the database: run manage.py generate_scale_data first.")
        return 2
    today = timezone.localdate()
    start, end = services.last_month(today)
    print(
        f"{Partnership.objects.count():,} partnerships, {Delivery.objects.count():,} deliveries; "
        f"system-wide report for {start} to {end} as {regulator.user.username}"
    )
    request = ReportRequest(
        kind=ReportKind.SYSTEM_MONTHLY,
        period_start=start,
        period_end=end,
        requested_by=regulator.user,
    )
    return 0 if _time_report(request, today, runs) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=400)
    parser.add_argument("--commitments", type=int, default=25, help="per partnership")
    parser.add_argument("--deliveries", type=int, default=40, help="per commitment")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--existing",
        action="store_true",
        help="time the data already in the database (manage.py generate_scale_data)",
    )
    args = parser.parse_args()
    if args.existing:
        return existing(args.runs)

    import time_machine

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from buddying.reports import build, render
        from buddying.reports.choices import ReportKind
        from buddying.reports.models import ReportRequest

        started = time.perf_counter()
        made = fill(args.partnerships, args.commitments, args.deliveries)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"Filled {args.partnerships} partnerships, {made['commitments']:,} commitments, "
            f"{made['deliveries']:,} deliveries in {time.perf_counter() - started:.1f} s"
        )
        request = ReportRequest.objects.create(
            kind=ReportKind.SYSTEM_MONTHLY,
            period_start=dt.date(2026, 5, 1),
            period_end=dt.date(2026, 5, 31),
            requested_by=made["regulator"],
        )
        figures, totals = [], []
        with time_machine.travel(dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC), tick=True):
            for run in range(args.runs):
                t0 = time.perf_counter()
                report = build.build(request, TODAY)
                t1 = time.perf_counter()
                document = render.document_html(report)
                render.pdf(document)
                render.xlsx(report)
                render.csv_bytes(report)
                t2 = time.perf_counter()
                figures.append(t1 - t0)
                totals.append(t2 - t0)
                print(f"run {run + 1}: figures {t1 - t0:.2f} s, with every file {t2 - t0:.2f} s")
        median = statistics.median(totals)
        print(
            f"median: figures {statistics.median(figures):.2f} s, with every file {median:.2f} s "
            f"(target under {TARGET_SECONDS:.0f} s): {'PASS' if median < TARGET_SECONDS else 'FAIL'}"
        )
        return 0 if median < TARGET_SECONDS else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    raise SystemExit(main())
