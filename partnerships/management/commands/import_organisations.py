"""Import the NHS trusts in England from NHS England's ODS "etr" file.

The file has no header and 27 columns (see ``partnerships/data`` and the shared data README). The
whole file is read and checked first; only when every row is good is anything written, in one
transaction and in bulk. Re-running it updates what changed and never duplicates.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partnerships.choices import TRUST_KINDS, OrganisationKind
from partnerships.models import Organisation

DATA_DIR = Path(settings.BASE_DIR) / "partnerships" / "data"
DEFAULT_PATH = DATA_DIR / "ods_etr_nhs_trusts_2026-07.csv"
REGIONS_PATH = DATA_DIR / "nhs_england_regions.csv"
ICBS_PATH = DATA_DIR / "icb_2026_derived.csv"

COLUMNS = 27
# Zero-based positions of the columns we use (the README numbers them from 1).
CODE, NAME, REGION, ICB = 0, 1, 2, 3
ADDRESS_LINES = slice(4, 9)
POSTCODE, OPEN_DATE, CLOSE_DATE, TELEPHONE, GOR = 9, 10, 11, 17, 23
WALES = "W"

# The fields an import sets; anything else (kind refined by hand, segment, CQC rating) is kept.
IMPORTED_FIELDS = (
    "name",
    "region_code",
    "region_name",
    "icb_code",
    "icb_name",
    "address",
    "postcode",
    "telephone",
    "open_date",
    "close_date",
    "active",
)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_welsh: int = 0

    def summary(self) -> str:
        return (
            f"Created {self.created}, updated {self.updated}, unchanged {self.unchanged} "
            f"(skipped {self.skipped_welsh} Welsh rows)"
        )


def _lookup(path: Path, code_column: str, name_column: str) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row[code_column]: row[name_column] for row in csv.DictReader(handle)}


def _parse_date(value: str, line: int, column: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise CommandError(
            f"Line {line}: the {column} “{value}” is not a date in the form YYYYMMDD."
        ) from None


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a folder, not a file.") from None
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CommandError(f"Line {line}: this is not a CSV text file (not UTF-8 text).") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise CommandError(f"Line {line}: this is not a CSV text file (it contains binary data).")
    return text


def parse_etr(path: Path) -> tuple[list[Organisation], int]:
    """Read and check the whole file. Returns the English trusts and the number of Welsh rows.

    Raises ``CommandError`` naming the line of the first problem; nothing is written here.
    """
    regions = _lookup(REGIONS_PATH, "region_ods_code", "region_name")
    icbs = _lookup(ICBS_PATH, "icb_ods_code", "icb_name")
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    organisations: list[Organisation] = []
    seen: dict[str, int] = {}
    welsh = 0
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue  # a blank line, e.g. at the end of the file
            if len(row) != COLUMNS:
                raise CommandError(
                    f"Line {line}: expected {COLUMNS} columns, found {len(row)}. "
                    "Is this the ODS trust (etr) file?"
                )
            cells = [cell.strip() for cell in row]
            code, name = cells[CODE].upper(), cells[NAME]
            if not code:
                raise CommandError(f"Line {line}: the ODS code is empty.")
            if not name:
                raise CommandError(f"Line {line}: the name of {code} is empty.")
            if code in seen:
                raise CommandError(
                    f"Line {line}: {code} appears again (first on line {seen[code]})."
                )
            seen[code] = line
            open_date = _parse_date(cells[OPEN_DATE], line, "open date")
            close_date = _parse_date(cells[CLOSE_DATE], line, "close date")
            if cells[GOR] == WALES or not cells[REGION]:
                welsh += 1  # not an English trust: no NHS England region
                continue
            organisation = Organisation(
                ods_code=code,
                name=name,
                kind=OrganisationKind.TRUST,
                region_code=cells[REGION],
                region_name=regions.get(cells[REGION], ""),
                icb_code=cells[ICB],
                icb_name=icbs.get(cells[ICB], ""),
                address=", ".join(part for part in cells[ADDRESS_LINES] if part),
                postcode=cells[POSTCODE],
                telephone=cells[TELEPHONE],
                open_date=open_date,
                close_date=close_date,
                active=close_date is None,
            )
            try:
                # Field checks only (lengths, choices): no query per row.
                organisation.clean_fields(exclude=["updated_at"])
            except ValidationError as exc:
                problems = "; ".join(
                    f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
                )
                raise CommandError(f"Line {line}: {problems}") from None
            organisations.append(organisation)
    except csv.Error as exc:
        raise CommandError(
            f"Line {reader.line_num}: this is not a valid CSV row ({exc})."
        ) from None
    if not organisations and not welsh:
        raise CommandError(f"{path} has no rows.")
    return organisations, welsh


@transaction.atomic
def import_organisations(path: Path) -> ImportResult:
    """Create or update every English trust in the file, in bulk, with history by "System"."""
    incoming, welsh = parse_etr(path)
    result = ImportResult(skipped_welsh=welsh)
    existing = Organisation.objects.in_bulk([org.ods_code for org in incoming])
    to_create: list[Organisation] = []
    to_update: list[Organisation] = []
    now = timezone.now()
    for new in incoming:
        old = existing.get(new.ods_code)
        if old is None:
            to_create.append(new)
            continue
        changed = False
        for field in IMPORTED_FIELDS:
            if getattr(old, field) != getattr(new, field):
                setattr(old, field, getattr(new, field))
                changed = True
        if old.kind not in TRUST_KINDS:
            # The file lists only trusts; a code once entered by hand as something else is a trust.
            old.kind = OrganisationKind.TRUST
            changed = True
        if changed:
            old.updated_at = now
            to_update.append(old)
        else:
            result.unchanged += 1
    if to_create:
        bulk_create_with_history(to_create, Organisation, batch_size=500, default_user=None)
    if to_update:
        bulk_update_with_history(
            to_update,
            Organisation,
            [*IMPORTED_FIELDS, "kind", "updated_at"],
            batch_size=500,
            default_user=None,
        )
    result.created, result.updated = len(to_create), len(to_update)
    return result


class Command(BaseCommand):
    help = (
        "Import the NHS trusts in England from the ODS trust (etr) file; re-running updates them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(DEFAULT_PATH),
            help=f"The ODS etr CSV file (default: {DEFAULT_PATH.relative_to(settings.BASE_DIR)}).",
        )

    def handle(self, *args, path: str, **options):
        result = import_organisations(Path(path))
        self.stdout.write(result.summary())
