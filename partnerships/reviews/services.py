"""Writes to outcome reviews and learning items: the one place the pages and the API call.

Order everywhere: visible (404) → allowed (403) → state (409) → valid (400).
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from buddying.common import writes
from buddying.common.errors import StateConflict
from partnerships import access
from partnerships.models import Objective, Partnership
from partnerships.reviews import selectors
from partnerships.reviews.choices import ReviewKind, ReviewStatus
from partnerships.reviews.models import (
    LearningItem,
    ObjectiveAssessment,
    OutcomeReview,
    ReviewSignOff,
)

REVIEW_FIELDS = (
    "period_start",
    "period_end",
    "due_date",
    "benefits_supported",
    "benefits_buddy",
    "development_outcomes",
    "cost_remuneration_gbp",
    "cost_secondments_gbp",
    "consultancy_equivalent_gbp",
    "segment_before",
    "segment_after",
    "cqc_rating_before",
    "cqc_rating_after",
    "overall_rag",
)
ASSESSMENT_FIELDS = ("rag", "measured_value", "comment")
LEARNING_FIELDS = ("title", "description", "direction", "theme", "adopted", "published")


def _check_fields(fields: Mapping[str, Any], allowed: Iterable[str], kind: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {kind} fields: {sorted(unknown)}")


def _locked_review(pk) -> OutcomeReview:
    rows = OutcomeReview.objects.select_related("partnership").prefetch_related(
        "partnership__parties__organisation"
    )
    return writes.lock(rows, pk)


# --- Figures pre-filled from the partnership's data ----------------------------------------------


def prefilled_costs(review: OutcomeReview, given: Iterable[str] = ()) -> dict[str, Decimal]:
    """The cost figures the data gives for the review's period (``selectors.cost_prefill``), for
    those still blank that the writer did not give (``given``: a figure given, even blank, is
    the writer's)."""
    prefill = selectors.cost_prefill(review.partnership, review.period_start, review.period_end)
    return {
        name: value
        for name, value in prefill.figures().items()
        if value is not None and name not in given and getattr(review, name) is None
    }


# --- Reviews -------------------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *, partnership: Partnership, by, kind: str = ReviewKind.INTERIM, **fields: Any
) -> OutcomeReview:
    """Start a review that was not scheduled (usually an interim one); it begins as a draft with
    the cost figures pre-filled."""
    _check_fields(fields, REVIEW_FIELDS, "review")
    review = OutcomeReview(partnership=partnership, kind=kind, status=ReviewStatus.DRAFT, **fields)
    access.require(by, "change", review)
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": f"“{kind}” is not a kind of review."})
    review.full_clean()
    for name, value in prefilled_costs(review, given=fields).items():
        setattr(review, name, value)
    writes.save(review, by=by)
    return review


def _refuse_if_signed_off(review: OutcomeReview) -> None:
    if review.status == ReviewStatus.SIGNED_OFF:
        raise StateConflict("This review is signed off, so it cannot be changed.")


@transaction.atomic
def review_update(
    *,
    review: OutcomeReview,
    by,
    version: int | None = None,
    assessments: Mapping[Any, Mapping[str, Any]] | None = None,
    **fields: Any,
) -> OutcomeReview:
    """Write a review (read at ``version``): its fields and, in ``assessments``, its judgement of
    each objective (``{objective id: {"rag": …, "measured_value": …, "comment": …}}``).

    Writing a scheduled review starts it (draft, with the cost figures pre-filled). Changing a
    submitted review returns it to draft and withdraws the sign-offs given so far: executives
    sign off what was finally submitted. A signed-off review never changes (409).
    """
    _check_fields(fields, REVIEW_FIELDS, "review")
    review = _locked_review(review.pk)
    access.require(by, "change", review)
    writes.check_version(review, version)
    _refuse_if_signed_off(review)
    changed = writes.apply(review, fields)
    changed += _save_assessments(review, assessments or {}, by=by)
    if review.status == ReviewStatus.SCHEDULED:
        changed += writes.apply(
            review, {"status": ReviewStatus.DRAFT, **prefilled_costs(review, given=fields)}
        )
    elif review.status == ReviewStatus.SUBMITTED and changed:
        changed += writes.apply(review, {"status": ReviewStatus.DRAFT, "submitted_at": None})
        for sign_off in review.sign_offs.all():
            sign_off._history_user = by
            sign_off.delete()
    writes.save_changes(review, changed, by=by)
    return review


def _save_assessments(review: OutcomeReview, assessments: Mapping, *, by) -> list[str]:
    """Create or change the review's objective assessments; ``["assessments"]`` if any changed."""
    if not assessments:
        return []
    objectives = {
        str(objective.pk): objective
        for objective in Objective.objects.filter(partnership_id=review.partnership_id)
    }
    existing = {str(a.objective_id): a for a in review.assessments.all()}
    errors, changed = {}, False
    for key, values in assessments.items():
        _check_fields(values, ASSESSMENT_FIELDS, "assessment")
        objective = objectives.get(str(key))
        if objective is None:
            errors[f"assessments.{key}"] = "This objective is not one of the partnership's."
            continue
        assessment = existing.get(str(key))
        if assessment is None:
            assessment = ObjectiveAssessment(review=review, objective=objective, **values)
            if any(values.values()):
                writes.save(assessment, by=by)
                changed = True
        elif writes.save_changes(assessment, writes.apply(assessment, values), by=by):
            changed = True
    if errors:
        raise ValidationError(errors)
    return ["updated_at"] if changed else []


@transaction.atomic
def review_submit(*, review: OutcomeReview, by, version: int | None = None) -> OutcomeReview:
    """Submit a draft review for sign-off. It needs an overall assessment and a RAG for each of
    the partnership's objectives."""
    review = _locked_review(review.pk)
    access.require(by, "change", review)
    writes.check_version(review, version)
    if review.status != ReviewStatus.DRAFT:
        if review.status == ReviewStatus.SCHEDULED:
            raise StateConflict("Start the review and fill it in before submitting it.")
        raise StateConflict(
            f"Only a draft review can be submitted; this one is "
            f"{review.get_status_display().lower()}."
        )
    errors = {}
    if not review.overall_rag:
        errors["overall_rag"] = "Give the overall assessment before submitting."
    assessed = {a.objective_id for a in review.assessments.all() if a.rag}
    missing = [
        objective.title
        for objective in Objective.objects.filter(partnership_id=review.partnership_id)
        if objective.pk not in assessed
    ]
    if missing:
        errors["assessments"] = "Give a RAG for each objective: " + ", ".join(missing) + "."
    if errors:
        raise ValidationError(errors)
    changed = writes.apply(
        review, {"status": ReviewStatus.SUBMITTED, "submitted_at": timezone.now()}
    )
    writes.save_changes(review, changed, by=by)
    return review


def missing_sign_offs(review: OutcomeReview) -> list:
    """The buddy and supported parties that have not signed off the review yet."""
    signed = {sign_off.party_id for sign_off in review.sign_offs.all()}
    return [
        party
        for party in review.partnership.parties.all()
        if party.role in access.PRINCIPAL_PARTY_ROLES and party.pk not in signed
    ]


@transaction.atomic
def review_sign_off(*, review: OutcomeReview, by) -> list[ReviewSignOff]:
    """Record an executive's sign-off for each principal party they are an executive of; when the
    buddy and the supported party have both signed, the review is signed off and read only."""
    review = _locked_review(review.pk)
    access.require(by, "sign_off", review)
    if review.status != ReviewStatus.SUBMITTED:
        if review.status == ReviewStatus.SIGNED_OFF:
            raise StateConflict("This review is already signed off.")
        raise StateConflict("Only a submitted review can be signed off. Submit it first.")
    already = {sign_off.party_id for sign_off in review.sign_offs.all()}
    new = []
    for party in access.approvable_parties(by, review.partnership):
        if party.pk not in already:
            sign_off = ReviewSignOff(review=review, party=party, signed_by=by)
            writes.save(sign_off, by=by)
            new.append(sign_off)
    if not new:
        raise StateConflict("Your organisation has already signed off this review.")
    if not missing_sign_offs(review):
        changed = writes.apply(
            review, {"status": ReviewStatus.SIGNED_OFF, "signed_off_at": timezone.now()}
        )
    else:
        changed = ["updated_at"]
    writes.save_changes(review, changed, by=by)
    return new


# --- Learning ------------------------------------------------------------------------------------


@transaction.atomic
def learning_create(*, partnership: Partnership, by, **fields: Any) -> LearningItem:
    """Record something one side learned from the other, or both together."""
    _check_fields(fields, LEARNING_FIELDS, "learning")
    item = LearningItem(partnership=partnership, **fields)
    access.require(by, "change", item)
    writes.save(item, by=by)
    return item


def require_change_learning(by, item: LearningItem) -> None:
    """As ``access.require``, except that a published item is visible to every member, so
    someone outside the partnership who may read it is refused with 403, not 404."""
    try:
        access.require(by, "change", item)
    except Http404:
        if item.published and access.memberships_of(by):
            raise PermissionDenied(item.access_rules["change"].message) from None
        raise


@transaction.atomic
def learning_update(
    *, item: LearningItem, by, version: int | None = None, **fields: Any
) -> LearningItem:
    """Change a learning item (read at ``version``), including publishing it to the library."""
    _check_fields(fields, LEARNING_FIELDS, "learning")
    rows = LearningItem.objects.select_related("partnership").prefetch_related(
        "partnership__parties"
    )
    item = writes.lock(rows, item.pk)
    require_change_learning(by, item)
    writes.check_version(item, version)
    writes.save_changes(item, writes.apply(item, fields), by=by)
    return item
