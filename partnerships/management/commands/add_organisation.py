"""Add one organisation by hand, e.g. a regulator: ``add_organisation X24 "NHS England" --kind regulator``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partnerships.choices import OrganisationKind
from partnerships.models import Organisation

from .import_organisations import ICBS_PATH, REGIONS_PATH, _lookup


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(message for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Add an organisation (a regulator, an ICB or another body) with its ODS code."

    def add_arguments(self, parser):
        parser.add_argument("code", help="ODS code, e.g. X24")
        parser.add_argument("name", help='Name, e.g. "NHS England"')
        parser.add_argument(
            "--kind",
            required=True,
            help=f"One of: {', '.join(OrganisationKind.values)}",
        )
        parser.add_argument("--region", default="", help="NHS England region ODS code, e.g. Y56")
        parser.add_argument(
            "--region-name", default="", help="Region name (default: looked up from the code)"
        )
        parser.add_argument("--icb", default="", help="ICB ODS code, e.g. QHL")
        parser.add_argument("--icb-name", default="", help="ICB name (default: looked up)")
        parser.add_argument("--postcode", default="")

    @transaction.atomic
    def handle(self, *args, **options):
        code = options["code"].strip().upper()
        name = options["name"].strip()
        kind = options["kind"].strip().lower()
        if kind not in OrganisationKind.values:
            raise CommandError(
                f"“{options['kind']}” is not a kind of organisation. "
                f"Use one of: {', '.join(OrganisationKind.values)}."
            )
        if Organisation.objects.filter(ods_code__iexact=code).exists():
            raise CommandError(f"An organisation with the ODS code {code} already exists.")
        region, icb = options["region"].strip().upper(), options["icb"].strip().upper()
        regions = _lookup(REGIONS_PATH, "region_ods_code", "region_name")
        if region and region not in regions:
            raise CommandError(
                f"“{region}” is not an NHS England region. Use one of: {', '.join(sorted(regions))}."
            )
        icbs = _lookup(ICBS_PATH, "icb_ods_code", "icb_name")
        organisation = Organisation(
            ods_code=code,
            name=name,
            kind=kind,
            region_code=region,
            region_name=options["region_name"].strip() or regions.get(region, ""),
            icb_code=icb,
            icb_name=options["icb_name"].strip() or icbs.get(icb, ""),
            postcode=options["postcode"].strip().upper(),
        )
        organisation._history_user = None
        try:
            organisation.full_clean()
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        organisation.save(force_insert=True)
        self.stdout.write(
            f"Added {organisation.ods_code} {organisation.display_name} "
            f"({organisation.get_kind_display()})."
        )
