"""Writes to commitments and deliveries: the one place the browser, the API and the upload call.

A party plans a commitment; its programme managers and executives log what was delivered. The
figures (delivered, expected, variance, RAG) are computed in the database by the selectors.
"""

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from buddying.common import writes
from buddying.common.errors import NEEDS_CONFIRMATION, RowErrors
from buddying.common.formatting import datetime_long, quantity_text
from buddying.common.writes import save
from partnerships import access
from partnerships.choices import DeliveryStaffGroup
from partnerships.commitments.choices import CommitmentUnit
from partnerships.commitments.models import Commitment, Delivery, DeliveryUpload, UploadStatus
from partnerships.commitments.selectors import red_from, red_from_drift, stored_totals_drift
from partnerships.models import Organisation, Partnership, ReferenceCounter

# A party plans a commitment; its programme managers and executives log what was delivered. The
# figures (delivered, expected, variance, RAG) are computed in the database by the selectors.

COMMITMENT_FIELDS = (
    "category",
    "description",
    "unit",
    "planned_quantity",
    "start_date",
    "end_date",
    "owner",
)
DELIVERY_FIELDS = ("date", "quantity", "staff_group", "note")
UPLOAD_MAX_ROWS = 50_000
ROW_ERRORS_LISTED = 100


def committable_parties(user, partnership: Partnership) -> list:
    """The parties of the partnership for which this person may plan and log commitments."""
    return access.acting_parties(user, partnership, "change", Commitment)


def _check_fields(fields: Mapping[str, Any], allowed: tuple[str, ...], kind: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {kind} fields: {sorted(unknown)}")


def _locked_commitment(pk) -> Commitment:
    rows = Commitment.objects.select_related("partnership", "organisation")
    return writes.lock(rows.prefetch_related("partnership__parties"), pk)


def _locked_delivery(pk) -> Delivery:
    rows = Delivery.objects.select_related("commitment__partnership", "commitment__organisation")
    return writes.lock(rows.prefetch_related("commitment__partnership__parties"), pk)


def _touch(commitment_ids) -> None:
    """After deliveries change: recompute the commitments' stored ``delivered_total`` and
    ``last_delivery_on`` from their deliveries, and mark them changed so ``updated_since`` finds
    their new figures. A queryset update, so the commitment's own history records no change.

    Called in the transaction of every delivery write. The rows are locked first (in a fixed
    order), so a concurrent write to the same commitment waits, and the recomputation then reads
    the other's committed deliveries too: the totals never drift.
    """
    ids = sorted(set(commitment_ids))
    list(Commitment.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    writes.touch(Commitment.objects.filter(pk__in=ids))
    recompute_totals(Commitment.objects.filter(pk__in=ids))


def recompute_totals(commitments) -> int:
    """Set the stored ``delivered_total`` and ``last_delivery_on`` of ``commitments`` (a queryset)
    from their deliveries, and ``red_from`` from them. The services call it in every delivery
    write; tests and loaders too."""
    deliveries = Delivery.objects.filter(commitment_id=OuterRef("pk")).order_by()
    updated = commitments.update(
        delivered_total=Coalesce(
            Subquery(
                deliveries.values("commitment_id").annotate(total=Sum("quantity")).values("total")
            ),
            Value(Decimal(0)),
        ),
        last_delivery_on=Subquery(deliveries.order_by("-date").values("date")[:1]),
    )
    store_red_from(commitments)
    return updated


def store_red_from(commitments) -> int:
    """Set ``red_from`` (``selectors.red_from``) on ``commitments`` (a queryset) where it
    differs, after their plan or their totals changed; returns how many changed."""
    changed = [
        Commitment(pk=pk, red_from=new) for pk, new in red_from_drift(commitments.order_by("pk"))
    ]
    Commitment.objects.bulk_update(changed, ["red_from"], batch_size=1000)
    return len(changed)


def commitment_totals_fix() -> int:
    """Set every commitment's stored totals from its deliveries where they differ (after a bulk
    load or a manual repair), marking them changed so ``updated_since`` finds the new figures;
    returns how many were wrong."""
    ids = list(stored_totals_drift().values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        with transaction.atomic():
            wrong = Commitment.objects.filter(pk__in=ids[start : start + 1000])
            writes.touch(wrong)
            recompute_totals(wrong)
    # The others' red_from too: after a bulk load it is not set at all.
    with transaction.atomic():
        red = store_red_from(Commitment.objects.exclude(pk__in=ids))
    return len(ids) + red


@transaction.atomic
def commitment_create(
    *, by, partnership: Partnership, organisation: Organisation, **fields: Any
) -> Commitment:
    """Plan a commitment for a party of the partnership, with the next reference (C-0001…)."""
    _check_fields(fields, COMMITMENT_FIELDS, "commitment")
    commitment = Commitment(
        partnership=partnership, organisation=organisation, reference="pending", **fields
    )
    access.require(by, "change", commitment)
    commitment.full_clean(exclude=["reference"])
    number = ReferenceCounter.next(f"C-{partnership.reference}")
    commitment.reference = f"C-{number:04d}"
    commitment.red_from = red_from(
        commitment.start_date,
        commitment.end_date,
        commitment.planned_quantity,
        commitment.delivered_total,
    )
    save(commitment, by=by)
    return commitment


@transaction.atomic
def commitment_update(
    *, commitment: Commitment, by, version: int | None = None, **fields: Any
) -> Commitment:
    """Change a commitment's plan (read at ``version``). Its partnership and organisation stay."""
    _check_fields(fields, COMMITMENT_FIELDS, "commitment")
    commitment = _locked_commitment(commitment.pk)
    access.require(by, "change", commitment)
    writes.check_version(commitment, version)
    changed = writes.apply(commitment, fields)
    if (
        commitment.start_date
        and commitment.deliveries.filter(date__lt=commitment.start_date).exists()
    ):
        raise ValidationError(
            {
                "start_date": "Deliveries are logged before this date. "
                "Change or delete them first, or choose an earlier start date."
            }
        )
    writes.save_changes(commitment, changed, by=by)
    if changed:
        store_red_from(Commitment.objects.filter(pk=commitment.pk))
    return commitment


# In a batch the values are already parsed (by the serializer or the upload), so per row only the
# quantity's digits and the model's rules run: ``Delivery.rule_errors`` is what ``clean()`` runs, and
# it repeats the check constraints, so no query is made per row.
_BATCH_CHECKED_FIELDS = {"quantity"}
_BATCH_SKIPPED_FIELDS = [
    field.name
    for field in Delivery._meta.concrete_fields
    if field.name not in _BATCH_CHECKED_FIELDS
]


def _delivery_errors(delivery: Delivery, today: date) -> dict[str, list[str]]:
    """The rules for one entry of a batch, without a query per row."""
    errors: dict[str, list[str]] = {}
    try:
        delivery.clean_fields(exclude=_BATCH_SKIPPED_FIELDS)
    except ValidationError as error:
        errors = error.message_dict
    for field, messages in delivery.rule_errors(today).items():
        if field not in errors:
            errors[field] = messages
    return errors


# --- Implausible quantities ---
# A quantity that is allowed but unlikely (a slip of the keyboard turns "well behind" into "on
# track") needs the person to confirm it: in the browser a tick box, in the API ``"confirm": true``.
HOURS_IN_A_DAY = Decimal(24)
ONE_FTE = Decimal(1)


def _delivered_so_far(commitment_ids, *, excluding=None) -> dict:
    """What is logged against each commitment, in one query."""
    rows = Delivery.objects.filter(commitment_id__in=commitment_ids)
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    totals = rows.values("commitment_id").annotate(total=Sum("quantity")).order_by()
    return {row["commitment_id"]: row["total"] for row in totals}


def _implausible(commitment: Commitment, quantity: Decimal, before: Decimal) -> str | None:
    """Why a quantity needs confirming, or ``None``: more than a day holds, or past the plan."""
    unit = commitment.unit
    if unit == CommitmentUnit.HOURS and quantity > HOURS_IN_A_DAY:
        return f"{quantity_text(quantity, unit)} is more than a day holds (24 hours)."
    if unit == CommitmentUnit.FTE and quantity > ONE_FTE:
        return f"{quantity_text(quantity, unit)} is more than one person full time (1 FTE)."
    if before + quantity > commitment.planned_quantity:
        remaining = max(commitment.planned_quantity - before, Decimal(0))
        return (
            f"This takes {commitment.reference} past its whole plan: "
            f"{quantity_text(remaining, unit)} of {quantity_text(commitment.planned_quantity, unit)} "
            "is left to deliver."
        )
    return None


def _confirmation_error(message: str) -> ValidationError:
    return ValidationError(
        f"{message} Check the quantity. If it is right, confirm it and save again.",
        code=NEEDS_CONFIRMATION,
    )


def _bulk_save_deliveries(deliveries: list[Delivery], *, by) -> list[Delivery]:
    # One moment for the whole batch: it is one change, and the clock is read once, not per row.
    created = bulk_create_with_history(
        deliveries, Delivery, batch_size=2000, default_user=by, default_date=timezone.now()
    )
    _touch({delivery.commitment_id for delivery in deliveries})
    return created


@transaction.atomic
def delivery_log(*, commitment: Commitment, by, confirm: bool = False, **fields: Any) -> Delivery:
    """Log one delivery against a commitment; the server records who logged it. An implausible
    quantity (see ``_implausible``) is refused unless ``confirm``."""
    _check_fields(fields, DELIVERY_FIELDS, "delivery")
    commitment = _locked_commitment(commitment.pk)  # so two loggers cannot both pass the plan
    access.require(by, "change", commitment)
    delivery = Delivery(commitment=commitment, logged_by=by, **fields)
    delivery.full_clean()
    if not confirm:
        before = _delivered_so_far([commitment.pk]).get(commitment.pk) or Decimal(0)
        problem = _implausible(commitment, delivery.quantity, before)
        if problem:
            raise ValidationError({"quantity": _confirmation_error(problem)})
    save(delivery, by=by)
    _touch([commitment.pk])
    return delivery


@transaction.atomic
def deliveries_log(
    *, commitment: Commitment, by, entries: Sequence[Mapping[str, Any]]
) -> list[Delivery]:
    """Log several deliveries against one commitment: all of them, or none if any is bad.

    An entry with an implausible quantity needs ``"confirm": True``. Raises ``RowErrors`` keyed
    by each bad entry's index in ``entries`` (the first hundred, and how many more).
    """
    commitment = _locked_commitment(commitment.pk)
    access.require(by, "change", commitment)
    if not entries:
        raise ValidationError({"non_field_errors": "Send at least one delivery."})
    deliveries, errors, today, bad = [], {}, timezone.localdate(), 0
    running = _delivered_so_far([commitment.pk]).get(commitment.pk) or Decimal(0)
    for index, entry in enumerate(entries):
        fields = dict(entry)
        confirm = bool(fields.pop("confirm", False))
        _check_fields(fields, DELIVERY_FIELDS, "delivery")
        delivery = Delivery(commitment=commitment, logged_by=by, **fields)
        problems = _delivery_errors(delivery, today)
        if not problems and not confirm:
            problem = _implausible(commitment, delivery.quantity, running)
            if problem:
                problems = {"quantity": [_confirmation_error(problem).messages[0]]}
        if not problems:
            running += delivery.quantity
        if problems:
            bad += 1
            if len(errors) < ROW_ERRORS_LISTED:
                errors[index] = problems
        deliveries.append(delivery)
    if errors:
        raise RowErrors(errors, label="Entry", more=bad - len(errors))
    return _bulk_save_deliveries(deliveries, by=by)


@transaction.atomic
def delivery_update(
    *, delivery: Delivery, by, version: int | None = None, confirm: bool = False, **fields: Any
) -> Delivery:
    """Correct a logged delivery (read at ``version``); the history keeps what it said before.
    An implausible new quantity is refused unless ``confirm``."""
    _check_fields(fields, DELIVERY_FIELDS, "delivery")
    delivery = _locked_delivery(delivery.pk)
    access.require(by, "change", delivery)
    writes.check_version(delivery, version)
    quantity = fields.get("quantity")
    if quantity is not None and quantity != delivery.quantity and not confirm:
        commitment = delivery.commitment
        before = _delivered_so_far([commitment.pk], excluding=delivery.pk).get(commitment.pk)
        problem = _implausible(commitment, quantity, before or Decimal(0))
        if problem:
            raise ValidationError({"quantity": _confirmation_error(problem)})
    if writes.save_changes(delivery, writes.apply(delivery, fields), by=by):
        _touch([delivery.commitment_id])
    return delivery


@transaction.atomic
def delivery_delete(*, delivery: Delivery, by) -> None:
    """Remove a delivery logged in error; the history keeps it and who removed it."""
    delivery = _locked_delivery(delivery.pk)
    access.require(by, "change", delivery)
    delivery._history_user = by
    delivery.delete()
    _touch([delivery.commitment_id])


UPLOAD_COLUMNS = ("commitment reference", "date", "quantity", "staff group", "note")
UPLOAD_REQUIRED_COLUMNS = ("commitment reference", "date", "quantity")
_UPLOAD_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _parse_upload_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None  # the usual case, fast
    except ValueError:
        pass
    for pattern in _UPLOAD_DATE_FORMATS[1:]:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _staff_groups() -> dict[str, str]:
    """Staff groups by their value and by their label, in lower case."""
    lookup = {}
    for value, label in DeliveryStaffGroup.choices:
        lookup[value.lower()] = value
        lookup[label.lower()] = value
    return lookup


def upload_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file of deliveries: ``(line number, {column: text})``, blank lines left
    out; ``ValidationError`` with one message if the file itself is not usable."""
    if not content.strip():
        raise ValidationError("The selected file is empty")
    not_csv = ValidationError(
        "The selected file must be a CSV file (in Excel, save it as ‘CSV UTF-8’)"
    )
    if b"\x00" in content:
        raise not_csv
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_csv from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise not_csv from None
    header = [_column(name) for name in records[0]]
    missing = [name for name in UPLOAD_REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name and name not in UPLOAD_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise ValidationError(
            "The selected file must have the columns "
            + ", ".join(f"‘{name}’" for name in UPLOAD_COLUMNS)
            + " in its first row. It has "
            + (", ".join(f"‘{name}’" for name in header if name) or "none")
            + "."
        )
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines, often at the end of a spreadsheet's export
        row = {
            name: (record[index] if index < len(record) else "")
            for index, name in enumerate(header)
        }
        rows.append((number, row))
    if not rows:
        raise ValidationError("The selected file has no deliveries in it")
    if len(rows) > UPLOAD_MAX_ROWS:
        raise ValidationError(f"The selected file must have {UPLOAD_MAX_ROWS:,} rows or fewer")
    return rows


def _column(name: str) -> str:
    """Column names as people write them: any case, underscores or spaces."""
    return " ".join(name.replace("_", " ").strip().lower().split())


def uploadable_partnership(partnership: Partnership, by) -> None:
    """Refuse the upload page to anyone who may not log deliveries for any party."""
    access.require(by, "upload", Commitment(partnership=partnership))


@transaction.atomic
def deliveries_upload(
    *,
    partnership: Partnership,
    by,
    rows: Sequence[tuple[int, Mapping[str, str]]],
    file_hash: str = "",
    file_name: str = "",
    confirm_again: bool = False,
    confirm_quantities: bool = False,
    upload: DeliveryUpload | None = None,
) -> list[Delivery]:
    """Save deliveries read from a CSV file for a partnership: every row, or none.

    ``rows`` are ``(line number, {column: text})`` with the columns of ``UPLOAD_COLUMNS``. Every
    row is checked before anything is saved; if any is bad, ``RowErrors`` lists the first hundred
    bad lines with their reasons, and how many more. The commitments are looked up in one query
    and the rows saved in bulk.

    The same file (by its SHA-256, ``file_hash``) uploaded again to the partnership is refused
    unless ``confirm_again``; implausible quantities unless ``confirm_quantities``. Each upload is
    recorded: the file's hash, name, rows and who sent it.
    """
    uploadable_partnership(partnership, by)
    if file_hash and not confirm_again:
        earlier = (
            DeliveryUpload.objects.filter(
                partnership=partnership, sha256=file_hash, status=UploadStatus.DONE
            )
            .select_related("uploaded_by")
            .order_by("-created_at")
            .first()
        )
        if earlier is not None:
            who = earlier.uploaded_by.get_full_name() if earlier.uploaded_by else "someone"
            raise ValidationError(
                {
                    "file": ValidationError(
                        f"This file was already uploaded to this partnership by {who} on "
                        f"{datetime_long(earlier.created_at)} ({earlier.rows:,} rows). If these "
                        "are new deliveries, confirm that and upload it again.",
                        code=NEEDS_CONFIRMATION,
                    )
                }
            )
    if not rows:
        raise ValidationError({"file": "The selected file has no deliveries in it."})
    if len(rows) > UPLOAD_MAX_ROWS:
        raise ValidationError(
            {"file": f"The selected file must have {UPLOAD_MAX_ROWS:,} rows or fewer."}
        )
    references = {(row.get("commitment reference") or "").strip().upper() for _, row in rows}
    commitments = {
        commitment.reference.upper(): commitment
        for commitment in partnership.commitments.filter(reference__in=references).select_related(
            "organisation"
        )
    }
    writable = {party.organisation_id for party in committable_parties(by, partnership)}
    staff_groups = _staff_groups()
    deliveries, errors, today, bad = [], {}, timezone.localdate(), 0
    running = _delivered_so_far([c.pk for c in commitments.values()])
    for line, row in rows:
        problems: dict[str, list[str]] = {}
        reference = (row.get("commitment reference") or "").strip().upper()
        commitment = commitments.get(reference)
        if not reference:
            problems["commitment reference"] = ["Enter the commitment reference, like C-0001."]
        elif commitment is None:
            problems["commitment reference"] = [
                f"There is no commitment {reference} in this partnership."
            ]
        elif commitment.organisation_id not in writable:
            problems["commitment reference"] = [
                f"You cannot log deliveries for {commitment.organisation}'s commitments."
            ]
        date_text = (row.get("date") or "").strip()
        day = _parse_upload_date(date_text)
        if not date_text:
            problems["date"] = ["Enter the date."]
        elif day is None:
            problems["date"] = [
                f"“{date_text}” is not a date. Use YYYY-MM-DD or DD/MM/YYYY, like 2026-04-01."
            ]
        quantity_text = (row.get("quantity") or "").strip().replace(",", "")
        try:
            quantity = Decimal(quantity_text)
            if not quantity.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            quantity = None
            problems["quantity"] = [
                "Enter the quantity."
                if not quantity_text
                else f"“{quantity_text}” is not a number. Enter a number, like 7.5."
            ]
        group_text = (row.get("staff group") or "").strip()
        staff_group = staff_groups.get(group_text.lower(), None) if group_text else ""
        if staff_group is None:
            problems["staff group"] = [
                f"“{group_text}” is not a staff group. Leave it blank or use one of: "
                + ", ".join(label for _, label in DeliveryStaffGroup.choices)
                + "."
            ]
        if commitment is not None and day is not None and quantity is not None:
            delivery = Delivery(
                commitment=commitment,
                logged_by=by,
                date=day,
                quantity=quantity,
                staff_group=staff_group or "",
                note=(row.get("note") or "").strip(),
            )
            for field, messages in _delivery_errors(delivery, today).items():
                problems.setdefault(field.replace("_", " "), []).extend(messages)
            if not problems:
                before = running.get(commitment.pk) or Decimal(0)
                problem = None if confirm_quantities else _implausible(commitment, quantity, before)
                if problem:
                    problems["quantity"] = [_confirmation_error(problem).messages[0]]
                else:
                    running[commitment.pk] = before + quantity
            deliveries.append(delivery)
        if problems:
            bad += 1
            if len(errors) < ROW_ERRORS_LISTED:
                errors[line] = problems
    if errors:
        raise RowErrors(errors, label="Line", more=bad - len(errors))
    saved = _bulk_save_deliveries(deliveries, by=by)
    upload = upload or DeliveryUpload(partnership=partnership, uploaded_by=by)
    upload.sha256, upload.file_name, upload.rows = file_hash, file_name[:255], len(saved)
    upload.status, upload.finished_at = UploadStatus.DONE, timezone.now()
    upload.save()
    return saved


# --- Large files: checked and saved by a Celery task ---
# A file with more rows than a page checks in a few seconds is kept and checked by a task; its
# page shows where it is (waiting, being checked, saved, or the rows with problems).
UPLOAD_ROWS_CHECKED_WHILE_WAITING = 10_000  # checked in under 5 s: benchmark_delivery_upload.py


@transaction.atomic
def delivery_upload_queue(
    *,
    partnership: Partnership,
    by,
    content: bytes,
    file_name: str,
    confirm_again: bool = False,
    confirm_quantities: bool = False,
) -> DeliveryUpload:
    """Keep a large file to be checked and saved by ``process_delivery_upload`` (queued once the
    transaction commits)."""
    from django.core.files.base import ContentFile

    from partnerships.commitments.tasks import process_delivery_upload

    uploadable_partnership(partnership, by)
    upload = DeliveryUpload(
        partnership=partnership,
        uploaded_by=by,
        status=UploadStatus.QUEUED,
        sha256=hashlib.sha256(content).hexdigest(),
        file_name=file_name[:255],
        confirm_again=confirm_again,
        confirm_quantities=confirm_quantities,
    )
    upload.file.save(f"{upload.pk}.csv", ContentFile(content), save=False)
    upload.save()
    transaction.on_commit(lambda: process_delivery_upload.delay(str(upload.pk)))
    return upload


def delivery_upload_process(*, upload_id) -> DeliveryUpload | None:
    """Check and save a kept file, as its sender: every row or none. Claimed with a conditional
    UPDATE, so a duplicated message does nothing and a retried one (after a crash) starts again;
    the outcome — saved, or the rows with problems — is recorded on the upload."""
    claimed = DeliveryUpload.objects.filter(
        pk=upload_id, status__in=[UploadStatus.QUEUED, UploadStatus.RUNNING]
    ).update(status=UploadStatus.RUNNING)
    if not claimed:
        return None
    upload = DeliveryUpload.objects.select_related("partnership", "uploaded_by").get(pk=upload_id)
    try:
        with upload.file.open("rb") as stored:
            rows = upload_rows(stored.read())
        deliveries_upload(
            partnership=upload.partnership,
            by=upload.uploaded_by,
            rows=rows,
            file_hash=upload.sha256,
            file_name=upload.file_name,
            confirm_again=upload.confirm_again,
            confirm_quantities=upload.confirm_quantities,
            upload=upload,
        )
    except RowErrors as error:
        upload.row_errors = {str(line): problems for line, problems in error.rows.items()}
        upload.more_row_errors = error.more
        _upload_failed(upload, f"{len(error.rows) + error.more:,} rows have problems.")
    except (ValidationError, PermissionDenied, Http404) as error:
        messages = getattr(error, "messages", None) or [str(error) or "You cannot do this."]
        _upload_failed(upload, " ".join(messages))
    return upload


def _upload_failed(upload: DeliveryUpload, reason: str) -> None:
    upload.status, upload.failure_reason, upload.finished_at = (
        UploadStatus.FAILED,
        reason,
        timezone.now(),
    )
    upload.save()
