"""Check (and with ``--fix`` repair) the delivered totals stored on commitments.

The delivery services keep ``delivered_total`` and ``last_delivery_on`` exact in the same
transaction as every delivery write; this reports any commitment whose stored values differ from
its deliveries (after a bulk load, a restore or a manual edit in the database) and fixes them,
with the first day each is red (``red_from``), kept with them.
"""

from django.core.management import BaseCommand

from partnerships.commitments import selectors, services


class Command(BaseCommand):
    help = "Report commitments whose stored delivered totals drifted; --fix sets them right."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="recompute the ones that differ")

    def handle(self, *args, fix: bool = False, **options):
        drift = selectors.stored_totals_drift()
        if fix:
            fixed = services.commitment_totals_fix()
            self.stdout.write(f"Fixed {fixed} commitment(s) whose stored totals had drifted.")
            return
        wrong = list(drift.values_list("reference", "delivered_total", "actual_total")[:20])
        for reference, stored, actual in wrong:
            self.stdout.write(f"{reference}: stored {stored}, deliveries add up to {actual}")
        red = {pk for pk, _right in selectors.red_from_drift()}
        if red:
            self.stdout.write(f"{len(red)} commitment(s) with a wrong first red day (red_from).")
        count = len(set(drift.values_list("pk", flat=True)) | red)
        self.stdout.write(f"{count} commitment(s) drifted.")
        if count:
            raise SystemExit(1)
