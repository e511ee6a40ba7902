"""Writes to partnerships: the one place the browser, the API, commands and tasks all call.

Every service is keyword-only, checks what the person may do through ``partnerships.access``,
validates with ``full_clean()`` and records who made the change in the history.
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import chain
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from partnerships import access
from partnerships.choices import (
    ClosureOutcome,
    DeliveryStaffGroup,
    PartnershipStatus,
    PartyRole,
)
from partnerships.errors import StateConflict
from partnerships.models import (
    Approval,
    Commitment,
    Delivery,
    Objective,
    Organisation,
    Partnership,
    Party,
    ReferenceCounter,
)

PARTNERSHIP_FIELDS = (
    "title",
    "kind",
    "scope_areas",
    "shared_intent",
    "planned_start",
    "planned_end",
    "remuneration_gbp",
    "funding_source",
    "consultancy_equivalent_gbp",
)
PARTY_FIELDS = ("sponsor_name", "sponsor_job_title", "deputy_name", "deputy_job_title")

# The lifecycle (DESIGN §3). A proposal or an agreed partnership may also be closed early.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    PartnershipStatus.PROPOSED: (PartnershipStatus.AGREED, PartnershipStatus.CLOSED),
    PartnershipStatus.AGREED: (PartnershipStatus.ACTIVE, PartnershipStatus.CLOSED),
    PartnershipStatus.ACTIVE: (PartnershipStatus.CLOSED,),
    PartnershipStatus.CLOSED: (),
}


def allowed_transitions(partnership: Partnership) -> tuple[str, ...]:
    return TRANSITIONS[partnership.status]


def _save(instance, *, by) -> None:
    instance._history_user = by
    instance.full_clean()
    instance.save()


def next_partnership_reference(today: date | None = None) -> str:
    year = (today or timezone.localdate()).year
    return f"BP-{year}-{ReferenceCounter.next(f'BP-{year}'):04d}"


@transaction.atomic
def partnership_create(
    *,
    by,
    buddy: Organisation,
    supported: Organisation,
    parties: dict[str, dict[str, str]] | None = None,
    **fields: Any,
) -> Partnership:
    """Propose a partnership between a buddy and a supported organisation.

    ``parties`` may give the sponsor fields for ``"buddy"`` and ``"supported"``. The proposer must
    be a programme manager or executive of one of the two organisations.
    """
    if buddy.pk == supported.pk:
        raise ValidationError(
            {"supported": "The supported organisation must be different from the buddy."}
        )
    if not access.can_propose_partnership(by, [buddy.pk, supported.pk]):
        raise PermissionDenied(
            "You can only propose a partnership that your own organisation is a party to."
        )
    unknown = set(fields) - set(PARTNERSHIP_FIELDS)
    if unknown:
        raise TypeError(f"Unknown partnership fields: {sorted(unknown)}")
    partnership = Partnership(**fields, status=PartnershipStatus.PROPOSED, reference="pending")
    partnership.full_clean(exclude=["reference"])
    partnership.reference = next_partnership_reference()
    _save(partnership, by=by)
    parties = parties or {}
    for role, organisation in ((PartyRole.BUDDY, buddy), (PartyRole.SUPPORTED, supported)):
        party = Party(
            partnership=partnership,
            organisation=organisation,
            role=role,
            **{key: value for key, value in parties.get(role, {}).items() if key in PARTY_FIELDS},
        )
        _save(party, by=by)
    return partnership


def _require_change(partnership: Partnership, by) -> None:
    if not access.can_change_partnership(by, partnership):
        if partnership.status == PartnershipStatus.CLOSED:
            raise StateConflict("A closed partnership cannot be changed.")
        raise PermissionDenied("You cannot change this partnership.")


@transaction.atomic
def partnership_update(*, partnership: Partnership, by, **fields: Any) -> Partnership:
    """Change a partnership's details (not its status: see ``partnership_transition``).

    An approval is given to the terms as they stood, so changing the terms of a proposal
    withdraws the approvals given so far: each executive approves what was finally proposed.
    """
    _require_change(partnership, by)
    unknown = set(fields) - set(PARTNERSHIP_FIELDS)
    if unknown:
        raise TypeError(f"Unknown partnership fields: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(partnership, name) != value]
    for name, value in fields.items():
        setattr(partnership, name, value)
    _save(partnership, by=by)
    if changed and partnership.status == PartnershipStatus.PROPOSED:
        for approval in partnership.approvals.all():
            approval._history_user = by  # the history shows who withdrew it, by changing terms
            approval.delete()
    return partnership


@transaction.atomic
def party_add(
    *, partnership: Partnership, by, organisation: Organisation, role: str, **fields: str
) -> Party:
    """Add a broker, mediator or funder (the buddy and supported parties are set at proposal)."""
    _require_change(partnership, by)
    if role in access.PRINCIPAL_PARTY_ROLES:
        raise ValidationError(
            {"role": "A partnership has exactly one buddy and one supported party already."}
        )
    party = Party(partnership=partnership, organisation=organisation, role=role, **fields)
    _save(party, by=by)
    return party


@transaction.atomic
def party_update(*, party: Party, by, **fields: str) -> Party:
    """Change a party's sponsor and deputy."""
    _require_change(party.partnership, by)
    for name, value in fields.items():
        if name not in PARTY_FIELDS:
            raise TypeError(f"Unknown party field: {name}")
        setattr(party, name, value)
    _save(party, by=by)
    return party


@transaction.atomic
def party_remove(*, party: Party, by) -> None:
    """Remove a broker, mediator or funder; the buddy and supported parties stay."""
    _require_change(party.partnership, by)
    if party.role in access.PRINCIPAL_PARTY_ROLES:
        raise StateConflict("The buddy and the supported party cannot be removed.")
    if Commitment.objects.filter(
        partnership_id=party.partnership_id, organisation_id=party.organisation_id
    ).exists():
        raise StateConflict(
            f"{party.organisation} has commitments in this partnership, so it cannot be removed."
        )
    party._history_user = by
    party.delete()


@transaction.atomic
def objective_save(
    *, partnership: Partnership, by, objective: Objective | None = None, **fields: Any
) -> Objective:
    """Add an objective to a partnership, or change one."""
    _require_change(partnership, by)
    objective = objective or Objective(partnership=partnership)
    for name, value in fields.items():
        setattr(objective, name, value)
    _save(objective, by=by)
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective, by) -> None:
    _require_change(objective.partnership, by)
    objective._history_user = by
    objective.delete()


def missing_approvals(partnership: Partnership) -> list[Party]:
    """The buddy and supported parties that have not yet approved."""
    approved = {approval.party_id for approval in partnership.approvals.all()}
    return [
        party
        for party in partnership.parties.all()
        if party.role in access.PRINCIPAL_PARTY_ROLES and party.pk not in approved
    ]


@transaction.atomic
def partnership_approve(*, partnership: Partnership, by) -> list[Approval]:
    """Record an executive's approval for each principal party they are an executive of.

    When both the buddy and the supported party have approved, the partnership becomes agreed.
    """
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    parties = access.approvable_parties(by, partnership)
    if not parties:
        raise PermissionDenied(
            "Only an executive of the buddy or the supported organisation can approve."
        )
    if partnership.status != PartnershipStatus.PROPOSED:
        raise StateConflict(
            f"Only a proposed partnership can be approved; this one is {partnership.get_status_display().lower()}."
        )
    already = {approval.party_id for approval in partnership.approvals.all()}
    new = []
    for party in parties:
        if party.pk not in already:
            approval = Approval(partnership=partnership, party=party, approved_by=by)
            _save(approval, by=by)
            new.append(approval)
    if not new:
        raise StateConflict("Your organisation has already approved this partnership.")
    if not missing_approvals(partnership):
        _set_status(partnership, PartnershipStatus.AGREED, by=by)
    return new


def _set_status(partnership: Partnership, status: str, *, by, **fields: Any) -> None:
    partnership.status = status
    for name, value in fields.items():
        setattr(partnership, name, value)
    _save(partnership, by=by)


def _a(word: str) -> str:
    """The word with its indefinite article, capitalised: "An agreed", "A proposed"."""
    return f"{'An' if word[:1] in 'aeiou' else 'A'} {word}"


def _status_label(status: str) -> str:
    return PartnershipStatus(status).label.lower()


@transaction.atomic
def partnership_transition(
    *,
    partnership: Partnership,
    to: str,
    by,
    outcome: str = "",
    reason: str = "",
    actual_end: date | None = None,
) -> Partnership:
    """Move a partnership along its lifecycle: proposed → agreed → active → closed.

    ``agreed`` needs an executive approval from the buddy and from the supported party (given
    with ``partnership_approve``, which agrees the partnership once both are in). ``closed`` needs an outcome and
    a reason. Anything else is refused with a message naming the moves that are allowed.
    """
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if not access.can_change_status(by, partnership):
        raise PermissionDenied(
            "Only a programme manager or executive of the buddy or the supported organisation "
            "can change the status."
        )
    if to not in PartnershipStatus.values:
        raise ValidationError({"to": f"“{to}” is not a status."})
    allowed = allowed_transitions(partnership)
    if to not in allowed:
        current = _status_label(partnership.status)
        if allowed:
            names = " or ".join(_status_label(status) for status in allowed)
            raise StateConflict(
                f"{_a(current)} partnership cannot become {_status_label(to)}. "
                f"It can become {names}."
            )
        raise StateConflict(f"{_a(current)} partnership cannot change status.")

    if to == PartnershipStatus.AGREED:
        missing = missing_approvals(partnership)
        if missing:
            names = " and ".join(str(party.organisation) for party in missing)
            raise StateConflict(
                f"The partnership needs an executive approval from {names} before it is agreed."
            )
        _set_status(partnership, to, by=by)
    elif to == PartnershipStatus.CLOSED:
        errors = {}
        if outcome not in ClosureOutcome.values:
            errors["outcome"] = "Choose whether the partnership was completed or terminated early."
        elif outcome == ClosureOutcome.COMPLETED and partnership.status != PartnershipStatus.ACTIVE:
            errors["outcome"] = (
                "Only an active partnership can be completed; close this one as terminated early."
            )
        if not (reason or "").strip():
            errors["reason"] = "Enter the reason the partnership is closing."
        if errors:
            raise ValidationError(errors)
        _set_status(
            partnership,
            to,
            by=by,
            closure_outcome=outcome,
            closure_reason=reason.strip(),
            actual_end=actual_end or timezone.localdate(),
        )
    else:
        _set_status(partnership, to, by=by)
    return partnership


# --- Commitments and deliveries ---
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


class RowErrors(ValidationError):
    """Some entries of a batch are bad, so nothing was saved.

    ``rows`` maps each bad entry (its index in a list, or its line in a file) to its messages by
    field, so the API can answer errors by index and the upload page can list each bad line.
    """

    def __init__(self, rows: dict[int, dict[str, list[str]]], *, label: str = "Entry"):
        self.rows = dict(sorted(rows.items()))
        super().__init__(
            [
                f"{label} {number}: {' '.join(chain.from_iterable(fields.values()))}"
                for number, fields in self.rows.items()
            ]
        )


def _require_commitment_write(*, partnership: Partnership, organisation: Organisation, by) -> None:
    if not access.can_write_for_organisation(by, organisation.pk):
        raise PermissionDenied(
            f"Only a programme manager or executive of {organisation} can change its "
            "commitments and deliveries."
        )
    if partnership.status == PartnershipStatus.CLOSED:
        raise StateConflict("The partnership is closed, so its commitments cannot change.")


def _check_fields(fields: Mapping[str, Any], allowed: tuple[str, ...], kind: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {kind} fields: {sorted(unknown)}")


def _touch(commitment_ids) -> None:
    """Mark commitments changed when their deliveries change, so ``updated_since`` finds their
    new figures. A queryset update, so the commitment's own history records no change."""
    Commitment.objects.filter(pk__in=commitment_ids).update(updated_at=timezone.now())


@transaction.atomic
def commitment_create(
    *, by, partnership: Partnership, organisation: Organisation, **fields: Any
) -> Commitment:
    """Plan a commitment for a party of the partnership, with the next reference (C-0001…)."""
    _check_fields(fields, COMMITMENT_FIELDS, "commitment")
    _require_commitment_write(partnership=partnership, organisation=organisation, by=by)
    commitment = Commitment(
        partnership=partnership, organisation=organisation, reference="pending", **fields
    )
    commitment.full_clean(exclude=["reference"])
    number = ReferenceCounter.next(f"C-{partnership.reference}")
    commitment.reference = f"C-{number:04d}"
    _save(commitment, by=by)
    return commitment


@transaction.atomic
def commitment_update(*, commitment: Commitment, by, **fields: Any) -> Commitment:
    """Change a commitment's plan. Its partnership and organisation stay as they are."""
    _check_fields(fields, COMMITMENT_FIELDS, "commitment")
    _require_commitment_write(
        partnership=commitment.partnership, organisation=commitment.organisation, by=by
    )
    for name, value in fields.items():
        setattr(commitment, name, value)
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
    _save(commitment, by=by)
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


def _bulk_save_deliveries(deliveries: list[Delivery], *, by) -> list[Delivery]:
    # One moment for the whole batch: it is one change, and the clock is read once, not per row.
    created = bulk_create_with_history(
        deliveries, Delivery, batch_size=2000, default_user=by, default_date=timezone.now()
    )
    _touch({delivery.commitment_id for delivery in deliveries})
    return created


@transaction.atomic
def delivery_log(*, commitment: Commitment, by, **fields: Any) -> Delivery:
    """Log one delivery against a commitment; the server records who logged it."""
    _check_fields(fields, DELIVERY_FIELDS, "delivery")
    _require_commitment_write(
        partnership=commitment.partnership, organisation=commitment.organisation, by=by
    )
    delivery = Delivery(commitment=commitment, logged_by=by, **fields)
    _save(delivery, by=by)
    _touch([commitment.pk])
    return delivery


@transaction.atomic
def deliveries_log(
    *, commitment: Commitment, by, entries: Sequence[Mapping[str, Any]]
) -> list[Delivery]:
    """Log several deliveries against one commitment: all of them, or none if any is bad.

    Raises ``RowErrors`` keyed by each bad entry's index in ``entries``.
    """
    _require_commitment_write(
        partnership=commitment.partnership, organisation=commitment.organisation, by=by
    )
    if not entries:
        raise ValidationError({"non_field_errors": "Send at least one delivery."})
    deliveries, errors, today = [], {}, timezone.localdate()
    for index, fields in enumerate(entries):
        _check_fields(fields, DELIVERY_FIELDS, "delivery")
        delivery = Delivery(commitment=commitment, logged_by=by, **fields)
        problems = _delivery_errors(delivery, today)
        if problems:
            errors[index] = problems
        deliveries.append(delivery)
    if errors:
        raise RowErrors(errors, label="Entry")
    return _bulk_save_deliveries(deliveries, by=by)


@transaction.atomic
def delivery_update(*, delivery: Delivery, by, **fields: Any) -> Delivery:
    """Correct a logged delivery; the history keeps what it said before."""
    _check_fields(fields, DELIVERY_FIELDS, "delivery")
    commitment = delivery.commitment
    _require_commitment_write(
        partnership=commitment.partnership, organisation=commitment.organisation, by=by
    )
    for name, value in fields.items():
        setattr(delivery, name, value)
    _save(delivery, by=by)
    _touch([commitment.pk])
    return delivery


@transaction.atomic
def delivery_delete(*, delivery: Delivery, by) -> None:
    """Remove a delivery logged in error; the history keeps it and who removed it."""
    commitment = delivery.commitment
    _require_commitment_write(
        partnership=commitment.partnership, organisation=commitment.organisation, by=by
    )
    delivery._history_user = by
    delivery.delete()
    _touch([commitment.pk])


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


def uploadable_partnership(partnership: Partnership, by) -> None:
    """Refuse the upload page to anyone who may not log deliveries for any party."""
    if not access.committable_parties(by, partnership):
        if partnership.status == PartnershipStatus.CLOSED:
            raise StateConflict("The partnership is closed, so its commitments cannot change.")
        raise PermissionDenied(
            "Only a programme manager or executive of a party can upload deliveries."
        )


@transaction.atomic
def deliveries_upload(
    *, partnership: Partnership, by, rows: Sequence[tuple[int, Mapping[str, str]]]
) -> list[Delivery]:
    """Save deliveries read from a CSV file for a partnership: every row, or none.

    ``rows`` are ``(line number, {column: text})`` with the columns of ``UPLOAD_COLUMNS``. Every
    row is checked before anything is saved; if any is bad, ``RowErrors`` lists each bad line
    with its reasons. The commitments are looked up in one query and the rows saved in bulk.
    """
    uploadable_partnership(partnership, by)
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
    writable = {party.organisation_id for party in access.committable_parties(by, partnership)}
    staff_groups = _staff_groups()
    deliveries, errors, today = [], {}, timezone.localdate()
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
            deliveries.append(delivery)
        if problems:
            errors[line] = problems
    if errors:
        raise RowErrors(errors, label="Line")
    return _bulk_save_deliveries(deliveries, by=by)
