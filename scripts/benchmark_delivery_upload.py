"""Time the CSV upload of 10,000 deliveries through the real page (run by hand, not by the tests).

    .venv/bin/python scripts/benchmark_delivery_upload.py [--rows 10000] [--runs 3]

It builds a throwaway test database for the configured ``DATABASE_URL`` (SQLite in memory by
default; ``test_<name>`` on PostgreSQL), signs in a programme manager of the buddy trust, posts a
CSV file of valid rows to the upload page and reports how long each upload took. The target in
issue 3 is under 5 seconds for 10,000 rows. Every run's deliveries are deleted before the next.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buddying.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

TARGET_SECONDS = 5.0


def build_world():
    from partnerships.choices import Role
    from partnerships.models import Commitment, Delivery, Membership
    from tests.factories import OrganisationFactory, PartnershipFactory, UserFactory

    buddy = OrganisationFactory(ods_code="RAL", name="ROYAL FREE LONDON NHS FOUNDATION TRUST")
    supported = OrganisationFactory(ods_code="RDD", name="BASILDON AND THURROCK UNIVERSITY")
    partnership = PartnershipFactory(buddy=buddy, supported=supported)
    user = UserFactory(username="benchmark_pm")
    Membership.objects.create(user=user, organisation=buddy, role=Role.PROGRAMME_MANAGER)
    start = dt.date.today() - dt.timedelta(days=400)
    for number in range(1, 21):
        Commitment.objects.create(
            partnership=partnership,
            organisation=buddy,
            reference=f"C-{number:04d}",
            category="clinical_time",
            description="Benchmark",
            unit="hours",
            planned_quantity=1000,
            start_date=start,
            end_date=start + dt.timedelta(days=730),
            owner="Benchmark owner",
        )
    return partnership, user, Delivery


def csv_file(rows: int) -> bytes:
    today = dt.date.today()
    lines = ["commitment reference,date,quantity,staff group,note"]
    for n in range(rows):
        day = today - dt.timedelta(days=n % 365)
        lines.append(
            f"C-{n % 20 + 1:04d},{day:%Y-%m-%d},{(n % 8) + 0.5},Medical and dental,Row {n}"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        partnership, user, Delivery = build_world()
        client = Client()
        client.force_login(user)
        url = reverse("commitments:upload", args=[partnership.pk])
        content = csv_file(args.rows)
        timings = []
        for run in range(args.runs):
            upload = SimpleUploadedFile("deliveries.csv", content, content_type="text/csv")
            started = time.perf_counter()
            response = client.post(url, {"file": upload})
            elapsed = time.perf_counter() - started
            saved = Delivery.objects.count()
            if response.status_code != 302 or saved != args.rows:
                print(f"Run {run + 1}: upload failed ({response.status_code}, {saved} saved)")
                return 1
            timings.append(elapsed)
            print(f"Run {run + 1}: {args.rows:,} rows in {elapsed:.2f} s")
            Delivery.objects.all().delete()
            Delivery.history.all().delete()
        vendor = connection.vendor
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    median = statistics.median(timings)
    verdict = "within" if median < TARGET_SECONDS else "OVER"
    print(
        f"{vendor}: median {median:.2f} s for {args.rows:,} rows, {verdict} the {TARGET_SECONDS:.0f} s target"
    )
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
