"""Writes to agreements, their lines, signatures and disputes: the one place pages and API call.

Who may (the access rules on the models, DESIGN §2):
- draft an agreement, change a draft and its lines, put it to signature, return it to draft,
  start a new version, raise and progress disputes: a programme manager or executive of a party,
  while the partnership is open (a dispute is raised on behalf of the person's own organisation);
- sign: an executive of a party that has not signed this version yet;
- terminate an agreement in force: an executive of a party.
Regulators and viewers write nothing.

**Immutability.** Only a *draft* is ever changed (409 otherwise). Putting a draft to signature
freezes its content. While it awaits signatures it cannot be edited directly: a party that wants
a change returns it to draft, which clears every signature already given (each kept in the
history) — so a change made after the first signature always clears the signatures, and nobody's
signature is ever left on content they did not see. Once every party has signed it is in force
and never changes again; a change is a new version (``agreement_new_version``), a draft copied
from it. At most one version of a partnership's agreement is being made at a time.

**Concurrency.** Signing locks the agreement's row (``SELECT … FOR UPDATE``) before reading its
signatures, so two executives signing at once are taken one after the other: neither signature is
lost and exactly one of them puts it in force. Putting it in force locks the partnership's version
in force and supersedes it in the same transaction; partial unique indexes (one in force, one
being made, per partnership) stand behind the locks. Creating a version locks the partnership row.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from buddying.common import writes
from buddying.common.errors import StateConflict
from partnerships import access
from partnerships.models import Organisation, Partnership, Party, ReferenceCounter
from risks.agreements import canonical
from risks.agreements.choices import (
    DISPUTE_TRANSITIONS,
    OPEN_STATUSES,
    AgreementStatus,
    DisputeStatus,
)
from risks.agreements.models import Agreement, AgreementLine, Dispute, LineShare, Signature
from risks.models import Risk

AGREEMENT_FIELDS = (
    "shared_intent",
    "scope",
    "effective_from",
    "review_date",
    "mediator_organisation",
    "dispute_process",
    "exit_terms",
)
LINE_FIELDS = ("risk", "lead_organisation", "shares", "liability_cap_gbp", "responsibilities")
DISPUTE_FIELDS = ("title", "description", "risk", "mediator_organisation")
HUNDRED = Decimal("100")


def _check_fields(fields: Mapping[str, Any], allowed: Sequence[str], kind: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {kind} fields: {sorted(unknown)}")


# --- Messages for what an agreement's state refuses ----------------------------------------------


def not_editable_message(agreement: Agreement) -> str:
    """Why this agreement cannot be changed, and what to do instead."""
    if agreement.status == AgreementStatus.AWAITING_SIGNATURES:
        return (
            f"Version {agreement.number} is awaiting signatures, so it cannot be changed. "
            "Return it to draft to change it (this clears any signatures given), "
            "or start a new version once it is in force."
        )
    return (
        f"Version {agreement.number} is {agreement.get_status_display().lower()} and signed, "
        "so it cannot be changed. Start a new version to make a change."
    )


def require_draft(agreement: Agreement) -> None:
    if agreement.status != AgreementStatus.DRAFT:
        raise StateConflict(not_editable_message(agreement))


# --- Reading rows locked -------------------------------------------------------------------------

_PARTIES = Prefetch("partnership__parties", queryset=Party.objects.select_related("organisation"))


def _locked_agreement(pk) -> Agreement:
    rows = Agreement.objects.select_related("partnership", "mediator_organisation")
    return writes.lock(rows.prefetch_related(_PARTIES), pk)


def _locked_partnership(partnership: Partnership) -> Partnership:
    rows = Partnership.objects.prefetch_related(
        Prefetch("parties", queryset=Party.objects.select_related("organisation"))
    )
    return writes.lock(rows, partnership.pk)


def line_queryset():
    """Lines with their risk, lead and shares, for reading whole agreements in few queries."""
    return AgreementLine.objects.select_related("risk", "lead_organisation").prefetch_related(
        Prefetch("shares", queryset=LineShare.objects.select_related("organisation"))
    )


def _lines(agreement: Agreement):
    return line_queryset().filter(agreement=agreement)


def current_hash(agreement: Agreement) -> str:
    """The SHA-256 of the agreement's content as it is in the database now."""
    fresh = (
        Agreement.objects.prefetch_related(
            Prefetch("lines", queryset=line_queryset()),
        )
        .only(*["id", "partnership_id", "number", *AGREEMENT_FIELDS])
        .get(pk=agreement.pk)
    )
    return canonical.content_hash(fresh)


def _touch(agreement: Agreement, by) -> None:
    """Move the agreement's version on when its lines change (ETags and ``updated_since``)."""
    agreement._history_user = by
    agreement.version += 1
    agreement.save(update_fields=["version", "updated_at"])


# --- Shares --------------------------------------------------------------------------------------


def parse_share(value) -> Decimal:
    """A share in per cent: a whole number or two decimal places, from 0 to 100."""
    try:
        share = Decimal(str(value).strip().rstrip("%").strip())
    except (InvalidOperation, ValueError):
        raise ValueError("Enter a share as a number, like 50 or 33.33") from None
    if not share.is_finite():
        raise ValueError("Enter a share as a number, like 50 or 33.33")
    if share != share.quantize(Decimal("0.01")):
        raise ValueError("A share can have at most two decimal places, like 33.33")
    if share < 0 or share > HUNDRED:
        raise ValueError("A share must be from 0 to 100")
    return share.quantize(Decimal("0.01"))


def share_errors(parties: Sequence[Party], shares: Mapping[str, Any]) -> list[str]:
    """What is wrong with a line's shares (by ODS code) for these parties: every party present,
    no other organisation, each from 0 to 100 with at most two decimals, adding up to exactly 100.
    """
    names = {party.organisation_id: party.organisation.display_name for party in parties}
    errors = []
    missing = [names[code] for code in names if code not in shares]
    if missing:
        errors.append(f"Enter a share for every party. Missing: {', '.join(missing)}.")
    others = sorted(str(code) for code in shares if code not in names)
    if others:
        errors.append(
            f"Only parties to the partnership can have a share. Not a party: {', '.join(others)}."
        )
    total = Decimal(0)
    for code, value in shares.items():
        try:
            total += parse_share(value)
        except ValueError as error:
            errors.append(f"{names.get(code, code)}: {error}.")
    if not errors and total != HUNDRED:
        errors.append(f"The shares add up to {total:f}%. They must add up to exactly 100%.")
    return errors


def _line_errors(
    agreement: Agreement,
    parties: Sequence[Party],
    line: AgreementLine | None,
    *,
    check_taken: bool = True,
    **fields: Any,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    risk = fields.get("risk")
    party_codes = {party.organisation_id for party in parties}
    if risk is None:
        errors["risk"] = ["Choose a risk from the partnership's register."]
    elif risk.partnership_id != agreement.partnership_id:
        errors["risk"] = ["Choose a risk from this partnership's register."]
    elif check_taken:
        taken = agreement.lines.filter(risk=risk)
        if line is not None:
            taken = taken.exclude(pk=line.pk)
        if taken.exists():
            errors["risk"] = [
                f"{risk.reference} is already in this agreement. A risk appears once: "
                "change its line instead."
            ]
    lead = fields.get("lead_organisation")
    if lead is None:
        errors["lead_organisation"] = ["Choose the party that leads on this risk."]
    elif lead.pk not in party_codes:
        errors["lead_organisation"] = ["The lead must be a party to the partnership."]
    shares = fields.get("shares") or {}
    messages = share_errors(parties, shares)
    if messages:
        errors["shares"] = messages
    cap = fields.get("liability_cap_gbp")
    if cap is None:
        errors["liability_cap_gbp"] = ["Enter the liability cap in pounds (0 or more)."]
    else:
        try:
            cap = Decimal(str(cap))
        except InvalidOperation:
            cap = None
        if cap is None or not cap.is_finite():
            errors["liability_cap_gbp"] = ["Enter the liability cap as an amount in pounds."]
        elif cap < 0:
            errors["liability_cap_gbp"] = ["The liability cap must be £0 or more."]
    return errors


def _write_line(
    agreement: Agreement, line: AgreementLine | None, *, by, **fields: Any
) -> AgreementLine:
    shares = {code: parse_share(value) for code, value in fields.pop("shares").items()}
    if line is None:
        line = AgreementLine(agreement=agreement, **fields)
        writes.save(line, by=by)
    else:
        writes.save_changes(line, writes.apply(line, fields), by=by)
    existing = {share.organisation_id: share for share in line.shares.all()}
    for code, share in existing.items():
        if code not in shares:
            share._history_user = by
            share.delete()
    for code, percent in shares.items():
        if code in existing:
            writes.save_changes(
                existing[code], writes.apply(existing[code], {"percent": percent}), by=by
            )
        else:
            writes.save(LineShare(line=line, organisation_id=code, percent=percent), by=by)
    return line


def _replace_lines(agreement: Agreement, lines: Sequence[Mapping[str, Any]], *, by) -> None:
    """Replace every line of a draft with ``lines`` (all of them or, if any is bad, none)."""
    parties = list(agreement.partnership.parties.all())
    problems = []
    risks_seen: dict = {}
    for index, fields in enumerate(lines, start=1):
        _check_fields(fields, LINE_FIELDS, "line")
        errors = _line_errors(agreement, parties, None, check_taken=False, **fields)
        risk = fields.get("risk")
        if risk is not None and risk.pk in risks_seen:
            errors["risk"] = [
                f"{risk.reference} is already on line {risks_seen[risk.pk]}. A risk appears once."
            ]
        elif risk is not None:
            risks_seen[risk.pk] = index
        for field, messages in errors.items():
            problems.extend(f"Line {index}, {field.replace('_', ' ')}: {m}" for m in messages)
    if problems:
        raise ValidationError({"lines": problems})
    for line in agreement.lines.all():
        line._history_user = by
        line.delete()
    for fields in lines:
        _write_line(agreement, None, by=by, **dict(fields))


# --- Agreements ----------------------------------------------------------------------------------


def refuse_second_open(partnership: Partnership) -> None:
    """409 while another version of the partnership's agreement is being made."""
    open_one = partnership.agreements.filter(status__in=OPEN_STATUSES).first()
    if open_one is not None:
        raise StateConflict(
            f"Version {open_one.number} of this partnership's agreement is "
            f"{open_one.get_status_display().lower()}. Finish or change that version first."
        )


def _next_number(partnership: Partnership) -> int:
    return ReferenceCounter.next(f"agreements:{partnership.pk}")


@transaction.atomic
def agreement_create(
    *,
    partnership: Partnership,
    by,
    lines: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Agreement:
    """Draft a partnership's agreement (the next version number). The shared intent starts as
    the partnership's own unless given."""
    _check_fields(fields, AGREEMENT_FIELDS, "agreement")
    partnership = _locked_partnership(partnership)
    access.require(by, "change", Agreement(partnership=partnership))
    refuse_second_open(partnership)
    fields.setdefault("shared_intent", partnership.shared_intent)
    agreement = Agreement(partnership=partnership, number=0, **fields)
    agreement.full_clean(exclude=["number"])
    agreement.number = _next_number(partnership)
    writes.save(agreement, by=by)
    if lines:
        _replace_lines(agreement, lines, by=by)
        _touch(agreement, by)
    return agreement


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    by,
    version: int | None = None,
    lines: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Agreement:
    """Change a draft (read at ``version``); ``lines``, when given, replace all its lines."""
    _check_fields(fields, AGREEMENT_FIELDS, "agreement")
    agreement = _locked_agreement(agreement.pk)
    access.require(by, "change", agreement)
    writes.check_version(agreement, version)
    require_draft(agreement)
    changed = writes.apply(agreement, fields)
    writes.save_changes(agreement, changed, by=by)
    if lines is not None:
        _replace_lines(agreement, lines, by=by)
        _touch(agreement, by)
    return agreement


@transaction.atomic
def line_save(
    *,
    agreement: Agreement,
    by,
    line: AgreementLine | None = None,
    version: int | None = None,
    **fields: Any,
) -> AgreementLine:
    """Add a line to a draft, or change one (``line`` read at ``version``). The shares (by ODS
    code) must name every party and add up to exactly 100."""
    _check_fields(fields, LINE_FIELDS, "line")
    agreement = _locked_agreement(agreement.pk)
    if line is not None:
        line = writes.lock(AgreementLine.objects.filter(agreement=agreement), line.pk)
    access.require(by, "change", agreement)
    if line is not None:
        writes.check_version(line, version)
    require_draft(agreement)
    errors = _line_errors(agreement, list(agreement.partnership.parties.all()), line, **fields)
    if errors:
        raise ValidationError(errors)
    line = _write_line(agreement, line, by=by, **fields)
    _touch(agreement, by)
    return line


@transaction.atomic
def line_delete(*, line: AgreementLine, by) -> None:
    """Remove a line from a draft."""
    agreement = _locked_agreement(line.agreement_id)
    access.require(by, "change", agreement)
    require_draft(agreement)
    line = AgreementLine.objects.get(pk=line.pk, agreement=agreement)
    line._history_user = by
    line.delete()
    _touch(agreement, by)


def submission_problems(agreement: Agreement) -> list[str]:
    """What a draft still needs before it can be put to signature (empty when ready)."""
    problems = []
    required = (
        ("shared_intent", "Enter the shared intent."),
        ("scope", "Enter the scope."),
        ("effective_from", "Enter the date it takes effect."),
        ("review_date", "Enter the review date."),
        ("mediator_organisation", "Name the mediator organisation for disputes."),
        ("dispute_process", "Describe the dispute-resolution process."),
        ("exit_terms", "Enter the exit terms."),
    )
    for name, message in required:
        value = getattr(agreement, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(message)
    lines = list(_lines(agreement))
    if not lines:
        problems.append("Add at least one shared risk.")
    parties = list(agreement.partnership.parties.all())
    party_codes = {party.organisation_id for party in parties}
    for line in lines:
        shares = {share.organisation_id: share.percent for share in line.shares.all()}
        for message in share_errors(parties, shares):
            problems.append(f"{line.risk.reference}: {message}")
        if line.lead_organisation_id not in party_codes:
            problems.append(f"{line.risk.reference}: the lead is no longer a party.")
    return problems


@transaction.atomic
def agreement_submit(*, agreement: Agreement, by, version: int | None = None) -> Agreement:
    """Put a complete draft to signature: its content is frozen from now on."""
    agreement = _locked_agreement(agreement.pk)
    access.require(by, "change", agreement)
    writes.check_version(agreement, version)
    if agreement.status != AgreementStatus.DRAFT:
        raise StateConflict(
            f"Only a draft can be put to signature. {not_editable_message(agreement)}"
        )
    problems = submission_problems(agreement)
    if problems:
        raise ValidationError(problems)
    agreement.status = AgreementStatus.AWAITING_SIGNATURES
    agreement.submitted_at = timezone.now()
    writes.save_changes(agreement, ["status", "submitted_at"], by=by)
    return agreement


@transaction.atomic
def agreement_return_to_draft(*, agreement: Agreement, by, version: int | None = None) -> Agreement:
    """Take an agreement awaiting signatures back to draft so it can be changed. Every signature
    already given is cleared (the history keeps who signed and when)."""
    agreement = _locked_agreement(agreement.pk)
    access.require(by, "change", agreement)
    writes.check_version(agreement, version)
    if agreement.status != AgreementStatus.AWAITING_SIGNATURES:
        raise StateConflict(
            "Only an agreement awaiting signatures can be returned to draft. "
            + ("" if agreement.is_draft else not_editable_message(agreement))
        )
    for signature in agreement.signatures.all():
        signature._history_user = by
        signature.delete()
    agreement.status = AgreementStatus.DRAFT
    agreement.submitted_at = None
    writes.save_changes(agreement, ["status", "submitted_at"], by=by)
    return agreement


def signable_parties(user, agreement: Agreement) -> list[Party]:
    """The parties for which this person (an executive of them) may still sign this version
    (parties prefetched, signatures read once)."""
    if agreement.status != AgreementStatus.AWAITING_SIGNATURES or not access.allows(
        user, "sign", agreement
    ):
        return []
    signed = {signature.organisation_id for signature in agreement.signatures.all()}
    return [
        party
        for party in agreement.partnership.parties.all()
        if party.organisation_id not in signed
        and access.can_act_for(user, party.organisation_id, access.EXECUTIVE_ROLES)
    ]


@transaction.atomic
def agreement_sign(
    *,
    agreement: Agreement,
    by,
    organisation: Organisation | None = None,
    content_hash: str | None = None,
) -> Signature:
    """Sign for one's organisation (the one party the person is an executive of that has not
    signed, or ``organisation``). When every party has signed, the agreement comes into force and
    the version in force before it is superseded, in this transaction.

    ``content_hash``, when given, is the hash the signer was shown: a different current hash
    refuses the signature (409), so nobody signs content they did not see.
    """
    agreement = _locked_agreement(agreement.pk)
    access.require(by, "sign", agreement)
    if agreement.status != AgreementStatus.AWAITING_SIGNATURES:
        if agreement.status == AgreementStatus.DRAFT:
            raise StateConflict(
                f"Version {agreement.number} is a draft. It can be signed once it is put to signature."
            )
        raise StateConflict(
            f"Version {agreement.number} is {agreement.get_status_display().lower()}, "
            "so it cannot be signed."
        )
    parties = {party.organisation_id: party for party in agreement.partnership.parties.all()}
    signed = set(agreement.signatures.values_list("organisation_id", flat=True))
    if organisation is not None:
        party = parties.get(organisation.pk)
        if party is None or not access.can_act_for(by, organisation.pk, access.EXECUTIVE_ROLES):
            raise PermissionDenied(
                f"Only an executive of {organisation.display_name} can sign for it."
            )
        if organisation.pk in signed:
            raise StateConflict(
                f"{organisation.display_name} has already signed version {agreement.number}."
            )
    else:
        mine = [
            party
            for code, party in parties.items()
            if access.can_act_for(by, code, access.EXECUTIVE_ROLES)
        ]
        unsigned = [party for party in mine if party.organisation_id not in signed]
        if not unsigned:
            names = " and ".join(party.organisation.display_name for party in mine)
            raise StateConflict(f"{names} has already signed version {agreement.number}.")
        if len(unsigned) > 1:
            raise ValidationError({"organisation": "Choose the organisation you are signing for."})
        party = unsigned[0]
    digest = current_hash(agreement)
    if content_hash is not None and content_hash.strip().lower() != digest:
        raise StateConflict(
            "The agreement is not the one you read: its content has changed. "
            "Read it again before signing."
        )
    signature = Signature(
        agreement=agreement,
        organisation_id=party.organisation_id,
        signed_by=by,
        signer_name=by.get_full_name() or by.get_username(),
        signed_at=timezone.now(),
        content_hash=digest,
        sponsor_name=party.sponsor_name,
        sponsor_job_title=party.sponsor_job_title,
        sponsor_since=party.sponsor_since,
        deputy_name=party.deputy_name,
        deputy_job_title=party.deputy_job_title,
    )
    writes.save(signature, by=by)
    if signed | {party.organisation_id} >= set(parties):
        _bring_into_force(agreement, by=by)
    else:
        _touch(agreement, by)
    return signature


def _bring_into_force(agreement: Agreement, *, by) -> None:
    now = timezone.now()
    in_force = Agreement.objects.select_for_update().filter(
        partnership_id=agreement.partnership_id, status=AgreementStatus.IN_FORCE
    )
    for earlier in in_force:
        earlier.status = AgreementStatus.SUPERSEDED
        earlier.ended_at = now
        writes.save_changes(earlier, ["status", "ended_at"], by=by)
    agreement.status = AgreementStatus.IN_FORCE
    agreement.in_force_at = now
    writes.save_changes(agreement, ["status", "in_force_at"], by=by)


@transaction.atomic
def agreement_new_version(*, agreement: Agreement, by) -> Agreement:
    """Start a new version: a draft copied from this signed one (fields, lines and shares)."""
    source = Agreement.objects.select_related("partnership").get(pk=agreement.pk)
    access.require(by, "change", source)
    if source.status in OPEN_STATUSES:
        raise StateConflict(
            f"Version {source.number} is {source.get_status_display().lower()}: "
            "change it rather than starting a new version."
        )
    partnership = _locked_partnership(source.partnership)
    refuse_second_open(partnership)
    copy = Agreement(
        partnership=partnership,
        number=_next_number(partnership),
        previous=source,
        **{name: getattr(source, name) for name in AGREEMENT_FIELDS},
    )
    writes.save(copy, by=by)
    for line in _lines(source):
        _write_line(
            copy,
            None,
            by=by,
            risk=line.risk,
            lead_organisation=line.lead_organisation,
            liability_cap_gbp=line.liability_cap_gbp,
            responsibilities=line.responsibilities,
            shares={share.organisation_id: share.percent for share in line.shares.all()},
        )
    return copy


@transaction.atomic
def agreement_terminate(
    *, agreement: Agreement, by, reason: str, version: int | None = None
) -> Agreement:
    """End an agreement in force early, with the reason; no version is in force afterwards."""
    agreement = _locked_agreement(agreement.pk)
    access.require(by, "terminate", agreement)
    writes.check_version(agreement, version)
    if agreement.status != AgreementStatus.IN_FORCE:
        raise StateConflict("Only an agreement in force can be terminated.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the agreement is terminated."})
    agreement.status = AgreementStatus.TERMINATED
    agreement.ended_at = timezone.now()
    agreement.termination_reason = reason.strip()
    writes.save_changes(agreement, ["status", "ended_at", "termination_reason"], by=by)
    return agreement


# --- Disputes ------------------------------------------------------------------------------------


def raising_parties(user, agreement: Agreement) -> list[Party]:
    """The parties on whose behalf this person may raise a dispute about the agreement."""
    return [
        party
        for party in agreement.partnership.parties.all()
        if access.allows(
            user,
            "raise",
            Dispute(agreement=agreement, raised_by_organisation_id=party.organisation_id),
        )
    ]


def _dispute_errors(dispute: Dispute) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    partnership = dispute.agreement.partnership
    if dispute.risk_id and dispute.risk.partnership_id != partnership.pk:
        errors["risk"] = ["Choose a risk from this partnership's register."]
    codes = {party.organisation_id for party in partnership.parties.all()}
    if dispute.raised_by_organisation_id not in codes:
        errors["raised_by_organisation"] = ["A dispute is raised by a party to the partnership."]
    return errors


@transaction.atomic
def dispute_raise(
    *,
    agreement: Agreement,
    by,
    raised_by_organisation: Organisation,
    title: str,
    description: str = "",
    risk: Risk | None = None,
    mediator_organisation: Organisation | None = None,
) -> Dispute:
    """Record a dispute about an agreement, raised on behalf of a party. The mediator is the
    agreement's unless another is named."""
    dispute = Dispute(
        agreement=agreement,
        raised_by_organisation=raised_by_organisation,
        raised_by=by,
        title=title,
        description=description,
        risk=risk,
        mediator_organisation=mediator_organisation or agreement.mediator_organisation,
    )
    access.require(by, "raise", dispute)
    errors = _dispute_errors(dispute)
    if errors:
        raise ValidationError(errors)
    writes.save(dispute, by=by)
    _touch_for_dispute(dispute)
    return dispute


def _touch_for_dispute(dispute: Dispute) -> None:
    """Mark the agreement changed when its disputes change (its list row counts the open ones,
    its detail lists them), so ``updated_since`` finds it; the dispute keeps its own history."""
    writes.touch(Agreement.objects.filter(pk=dispute.agreement_id))


def _locked_dispute(pk) -> Dispute:
    rows = Dispute.objects.select_related(
        "agreement__partnership", "raised_by_organisation", "mediator_organisation", "risk"
    ).prefetch_related(
        Prefetch(
            "agreement__partnership__parties",
            queryset=Party.objects.select_related("organisation"),
        )
    )
    return writes.lock(rows, pk)


@transaction.atomic
def dispute_update(*, dispute: Dispute, by, version: int | None = None, **fields: Any) -> Dispute:
    """Change a dispute's title, description, risk or mediator (not once it is resolved)."""
    _check_fields(fields, DISPUTE_FIELDS, "dispute")
    dispute = _locked_dispute(dispute.pk)
    access.require(by, "change", dispute)
    writes.check_version(dispute, version)
    if dispute.status == DisputeStatus.RESOLVED:
        raise StateConflict("The dispute is resolved, so it cannot be changed.")
    changed = writes.apply(dispute, fields)
    errors = _dispute_errors(dispute)
    if errors:
        raise ValidationError(errors)
    if writes.save_changes(dispute, changed, by=by):
        _touch_for_dispute(dispute)
    return dispute


@transaction.atomic
def dispute_transition(
    *,
    dispute: Dispute,
    by,
    to: str,
    resolution: str = "",
    mediator_organisation: Organisation | None = None,
    version: int | None = None,
) -> Dispute:
    """Move a dispute ``open → in_mediation → resolved`` (or straight from open to resolved,
    when the parties settle it themselves). Mediation needs a mediator; resolving, the resolution."""
    dispute = _locked_dispute(dispute.pk)
    access.require(by, "change", dispute)
    writes.check_version(dispute, version)
    if to not in DisputeStatus.values:
        raise ValidationError({"to": "Choose open, in mediation or resolved."})
    if to not in DISPUTE_TRANSITIONS[dispute.status]:
        raise StateConflict(
            f"A dispute that is {dispute.get_status_display().lower()} cannot become "
            f"{DisputeStatus(to).label.lower()}."
        )
    changed = ["status"]
    today = timezone.localdate()
    if mediator_organisation is not None:
        dispute.mediator_organisation = mediator_organisation
        changed.append("mediator_organisation")
    if to == DisputeStatus.IN_MEDIATION:
        if dispute.mediator_organisation_id is None:
            raise ValidationError(
                {"mediator_organisation": "Name the mediator organisation to go to mediation."}
            )
        dispute.mediation_started_on = today
        changed.append("mediation_started_on")
    if to == DisputeStatus.RESOLVED:
        if not (resolution or "").strip():
            raise ValidationError({"resolution": "Enter how the dispute was resolved."})
        dispute.resolution = resolution.strip()
        dispute.resolved_on = today
        changed += ["resolution", "resolved_on"]
    dispute.status = to
    writes.save_changes(dispute, changed, by=by)
    _touch_for_dispute(dispute)
    return dispute
