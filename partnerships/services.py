"""Writes to partnerships: the one place the browser, the API, commands and tasks all call.

Every service is keyword-only, checks what the person may do through ``partnerships.access``,
validates with ``full_clean()`` and records who made the change in the history.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from buddying.common import writes
from buddying.common.errors import StateConflict
from buddying.common.writes import save
from partnerships import access, signals
from partnerships.choices import (
    ClosureOutcome,
    PartnershipStatus,
    PartyRole,
)
from partnerships.models import (
    Approval,
    Membership,
    Objective,
    ObjectiveMeasurement,
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


def _touch(partnership_id) -> None:
    """Mark the partnership changed when what it shows changed (its parties, objectives or
    approvals), so ``updated_since`` finds it and its ETag changes; the change itself is in the
    party's, objective's or approval's own history."""
    writes.touch(Partnership.objects.filter(pk=partnership_id))


def allowed_transitions(partnership: Partnership) -> tuple[str, ...]:
    return TRANSITIONS[partnership.status]


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
    save(partnership, by=by)
    parties = parties or {}
    for role, organisation in ((PartyRole.BUDDY, buddy), (PartyRole.SUPPORTED, supported)):
        party = Party(
            partnership=partnership,
            organisation=organisation,
            role=role,
            **{key: value for key, value in parties.get(role, {}).items() if key in PARTY_FIELDS},
        )
        if party.sponsor_name:
            party.sponsor_since = timezone.localdate()
        save(party, by=by)
    return partnership


def _locked(partnership: Partnership) -> Partnership:
    """The partnership's row, locked for this transaction and read afresh, with its parties."""
    return writes.lock(Partnership.objects.prefetch_related("parties"), partnership.pk)


@transaction.atomic
def partnership_update(
    *, partnership: Partnership, by, version: int | None = None, **fields: Any
) -> Partnership:
    """Change a partnership's details (not its status: see ``partnership_transition``).

    ``version`` is the version the person read (refused with ``StaleVersion`` if it has moved
    on). Only the fields whose value changes are written.

    An approval is given to the terms as they stood, so changing the terms of a proposal
    withdraws the approvals given so far: each executive approves what was finally proposed.
    """
    unknown = set(fields) - set(PARTNERSHIP_FIELDS)
    if unknown:
        raise TypeError(f"Unknown partnership fields: {sorted(unknown)}")
    partnership = _locked(partnership)
    access.require(by, "change", partnership)
    writes.check_version(partnership, version)
    changed = writes.apply(partnership, fields)
    writes.save_changes(partnership, changed, by=by)
    if {"planned_start", "planned_end"} & set(changed):
        signals.partnership_dates_changed.send(Partnership, partnership=partnership, by=by)
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
    access.require(by, "change", partnership)
    if role in access.PRINCIPAL_PARTY_ROLES:
        raise ValidationError(
            {"role": "A partnership has exactly one buddy and one supported party already."}
        )
    party = Party(partnership=partnership, organisation=organisation, role=role, **fields)
    if party.sponsor_name:
        party.sponsor_since = timezone.localdate()
    save(party, by=by)
    _touch(partnership.pk)
    return party


@transaction.atomic
def party_update(*, party: Party, by, version: int | None = None, **fields: str) -> Party:
    """Change a party's sponsor and deputy."""
    unknown = set(fields) - set(PARTY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown party fields: {sorted(unknown)}")
    party = writes.lock(Party.objects.select_related("partnership"), party.pk)
    access.require(by, "change", party)
    writes.check_version(party, version)
    changed = writes.apply(party, fields)
    if {"sponsor_name", "sponsor_job_title"} & set(changed):
        # A new sponsor (or the sponsor's new role) dates from today: agreements signed under an
        # earlier sponsor say so, and the intent they signed stands.
        party.sponsor_since = timezone.localdate() if party.sponsor_name else None
        changed.append("sponsor_since")
    if writes.save_changes(party, changed, by=by):
        _touch(party.partnership_id)
    return party


def _party_in_use(party: Party):
    """What the party's organisation owns in this partnership, by kind ("commitments"), found
    through every model that belongs to a partnership and names an organisation — so an app that
    adds such a model needs no change here."""
    for relation in Organisation._meta.related_objects:
        model = relation.related_model
        route = getattr(model, "access_route", None)
        if not route or relation.many_to_many or model in (Party,):
            continue
        rows = model._default_manager.filter(
            **{f"{route}_id": party.partnership_id, relation.field.name: party.organisation_id}
        )
        if rows.exists():
            yield model._meta.verbose_name_plural


@transaction.atomic
def party_remove(*, party: Party, by) -> None:
    """Remove a broker, mediator or funder; the buddy and supported parties stay."""
    party = writes.lock(Party.objects.select_related("partnership", "organisation"), party.pk)
    access.require(by, "change", party)
    if party.role in access.PRINCIPAL_PARTY_ROLES:
        raise StateConflict("The buddy and the supported party cannot be removed.")
    for what in _party_in_use(party):
        raise StateConflict(
            f"{party.organisation} has {what} in this partnership, so it cannot be removed."
        )
    party._history_user = by
    party.delete()
    _touch(party.partnership_id)


@transaction.atomic
def objective_save(
    *,
    partnership: Partnership,
    by,
    objective: Objective | None = None,
    version: int | None = None,
    **fields: Any,
) -> Objective:
    """Add an objective to a partnership, or change one (read at ``version``)."""
    if objective is None:
        objective = Objective(partnership=partnership, **fields)
        access.require(by, "change", objective)
        save(objective, by=by)
        _touch(objective.partnership_id)
        return objective
    objective = writes.lock(Objective.objects.select_related("partnership"), objective.pk)
    access.require(by, "change", objective)
    writes.check_version(objective, version)
    if writes.save_changes(objective, writes.apply(objective, fields), by=by):
        _touch(objective.partnership_id)
    return objective


@transaction.atomic
def objective_measurement_record(
    *, objective: Objective, by, measured_on: date, value, note: str = ""
) -> ObjectiveMeasurement:
    """Record the objective's measured value on a date. Refused for a date still to come: a
    measurement is of what has happened."""
    objective = writes.lock(Objective.objects.select_related("partnership"), objective.pk)
    measurement = ObjectiveMeasurement(
        objective=objective, measured_on=measured_on, value=value, note=note, recorded_by=by
    )
    access.require(by, "change", measurement)
    _measured_in_the_past(measured_on)
    save(measurement, by=by)
    _touch(objective.partnership_id)  # the partnership's objectives show it (a mirror re-reads)
    return measurement


def _measured_in_the_past(measured_on) -> None:
    if measured_on and measured_on > timezone.localdate():
        raise ValidationError({"measured_on": "The date measured must be today or in the past"})


@transaction.atomic
def objective_measurement_change(
    *, measurement: ObjectiveMeasurement, by, version: int | None = None, **fields: Any
) -> ObjectiveMeasurement:
    """Correct a measurement (its date, value or note), read at ``version``."""
    measurement = writes.lock(
        ObjectiveMeasurement.objects.select_related("objective__partnership"), measurement.pk
    )
    access.require(by, "change", measurement)
    writes.check_version(measurement, version)
    _measured_in_the_past(fields.get("measured_on"))
    if writes.save_changes(measurement, writes.apply(measurement, fields), by=by):
        _touch(measurement.objective.partnership_id)
    return measurement


@transaction.atomic
def objective_measurement_delete(*, measurement: ObjectiveMeasurement, by) -> None:
    """Delete a measurement recorded by mistake; the partnership's history keeps it."""
    measurement = writes.lock(
        ObjectiveMeasurement.objects.select_related("objective__partnership"), measurement.pk
    )
    access.require(by, "change", measurement)
    measurement._history_user = by
    measurement.delete()
    _touch(measurement.objective.partnership_id)


@transaction.atomic
def objective_delete(*, objective: Objective, by) -> None:
    objective = writes.lock(Objective.objects.select_related("partnership"), objective.pk)
    access.require(by, "change", objective)
    objective._history_user = by
    objective.delete()
    _touch(objective.partnership_id)


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
    partnership = _locked(partnership)
    access.require(by, "approve", partnership)
    parties = access.approvable_parties(by, partnership)
    if partnership.status != PartnershipStatus.PROPOSED:
        raise StateConflict(
            f"Only a proposed partnership can be approved; this one is {partnership.get_status_display().lower()}."
        )
    already = {approval.party_id for approval in partnership.approvals.all()}
    new = []
    for party in parties:
        if party.pk not in already:
            approval = Approval(partnership=partnership, party=party, approved_by=by)
            save(approval, by=by)
            new.append(approval)
    if not new:
        raise StateConflict("Your organisation has already approved this partnership.")
    if not missing_approvals(partnership):
        _set_status(partnership, PartnershipStatus.AGREED, by=by)
    else:
        _touch(partnership.pk)
    return new


def _set_status(partnership: Partnership, status: str, *, by, **fields: Any) -> None:
    """Write the status (and what a closure records) of the locked row, and nothing else; then
    tell the apps built on partnerships (``signals.partnership_status_changed``)."""
    previous = partnership.status
    changed = writes.apply(partnership, {"status": status, **fields})
    writes.save_changes(partnership, changed, by=by)
    if previous != status:
        signals.partnership_status_changed.send(
            Partnership, partnership=partnership, previous=previous, by=by
        )


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
    partnership = _locked(partnership)
    access.require(by, "transition", partnership)
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


# --- Organisations and memberships (reference data and who may act) ---------------------------


@transaction.atomic
def membership_save(*, membership: Membership, by=None) -> Membership:
    """Grant (or change) a person's role in an organisation: the one way memberships are made,
    by ``add_member``, the admin and the demo data alike. The model's rules run here — a
    ``regulator`` membership only in a regulator organisation — so no path can skip them."""
    save(membership, by=by)
    access.forget_memberships(membership.user)
    return membership


@transaction.atomic
def organisation_save(*, organisation: Organisation, by=None) -> Organisation:
    """Save an organisation's details (imported from ODS, refined by hand in the admin)."""
    save(organisation, by=by)
    return organisation
