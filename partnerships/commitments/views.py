"""Browser pages for commitments and deliveries. Thin: parse input, ask selectors, call services.

What a person may see comes from the selectors (anything else answers 404); what they may change
from ``partnerships.access`` (a visible commitment they may not change answers 403, and one of a
closed partnership 409).
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from buddying.common.errors import RowErrors
from buddying.common.formatting import date_long, quantity_text
from buddying.common.forms import add_service_errors
from partnerships import access
from partnerships import selectors as partnership_selectors
from partnerships.choices import DeliveryStaffGroup
from partnerships.commitments import selectors, services
from partnerships.commitments.forms import CommitmentForm, DeliveriesUploadForm, DeliveryForm
from partnerships.commitments.models import Commitment, Delivery, UploadStatus

DELIVERIES_PAGE_SIZE = 25


def _posted(request):
    return request.POST if request.method == "POST" else None


def _visible_partnership(request, pk):
    return get_object_or_404(partnership_selectors.partnership_list(request.user), pk=pk)


def _visible_commitment(request, pk) -> Commitment:
    """The commitment with its figures, or 404 when this person may not see it."""
    return get_object_or_404(selectors.commitment_list(request.user), pk=pk)


def _require_change(request, commitment: Commitment) -> None:
    access.require(request.user, "change", commitment)


# --- Commitments ---------------------------------------------------------------------------------


@login_required
def commitment_create(request, pk):
    partnership = _visible_partnership(request, pk)
    parties = services.committable_parties(request.user, partnership)
    if not parties:
        access.require(request.user, "upload", Commitment(partnership=partnership))
        raise PermissionDenied(
            "Only a programme manager or executive of a party can plan its commitments."
        )
    form = CommitmentForm(
        _posted(request), instance=Commitment(partnership=partnership), parties=parties
    )
    if request.method == "POST" and form.is_valid():
        try:
            commitment = services.commitment_create(
                by=request.user,
                partnership=partnership,
                organisation=form.cleaned_data["organisation"],
                **form.values(),
            )
        except PermissionDenied as error:
            form.add_error("organisation", str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Commitment {commitment.reference} added.")
            return redirect("commitments:detail", pk=commitment.pk)
    return render(
        request,
        "commitments/commitment_form.jinja",
        {"form": form, "partnership": partnership, "commitment": None},
    )


@login_required
def commitment_update(request, pk):
    commitment = _visible_commitment(request, pk)
    _require_change(request, commitment)
    form = CommitmentForm(_posted(request), instance=copy.copy(commitment))
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_update(
                commitment=commitment, by=request.user, version=form.version, **form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Commitment {commitment.reference} saved.")
            return redirect("commitments:detail", pk=commitment.pk)
    return render(
        request,
        "commitments/commitment_form.jinja",
        {"form": form, "partnership": commitment.partnership, "commitment": commitment},
    )


def _detail(request, commitment: Commitment, form=None, status=200):
    deliveries = (
        Delivery.objects.filter(commitment=commitment)
        .select_related("logged_by")
        .order_by("-date", "-created_at", "id")
    )
    page = Paginator(deliveries, DELIVERIES_PAGE_SIZE).get_page(request.GET.get("page"))
    can_change = access.allows(request.user, "change", commitment)
    if form is None and can_change:
        form = DeliveryForm(initial={"date": timezone.localdate()}, unit=commitment.unit)
    return render(
        request,
        "commitments/commitment_detail.jinja",
        {
            "commitment": commitment,
            "partnership": commitment.partnership,
            "page": page,
            "deliveries": page.object_list,
            "can_change": can_change,
            "form": form,
            "history": selectors.commitment_history(commitment),
        },
        status=status,
    )


@login_required
def commitment_detail(request, pk):
    return _detail(request, _visible_commitment(request, pk))


# --- Deliveries ----------------------------------------------------------------------------------


@login_required
def delivery_log(request, pk):
    """The quick "log a delivery" form posts here; errors show on the commitment's page."""
    commitment = _visible_commitment(request, pk)
    _require_change(request, commitment)
    if request.method != "POST":
        return redirect("commitments:detail", pk=commitment.pk)
    form = DeliveryForm(
        request.POST,
        instance=Delivery(commitment=commitment),
        unit=commitment.unit,
    )
    if form.is_valid():
        try:
            delivery = services.delivery_log(
                commitment=commitment,
                by=request.user,
                confirm=form.cleaned_data["confirm"],
                **form.values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Delivery of {quantity_text(delivery.quantity, commitment.unit)} logged for "
                f"{date_long(delivery.date)}.",
            )
            return redirect("commitments:detail", pk=commitment.pk)
    return _detail(request, commitment, form=form)


def _visible_delivery(request, pk) -> Delivery:
    return get_object_or_404(selectors.delivery_list(request.user), pk=pk)


@login_required
def delivery_update(request, pk):
    delivery = _visible_delivery(request, pk)
    commitment = delivery.commitment
    _require_change(request, commitment)
    form = DeliveryForm(_posted(request), instance=copy.copy(delivery), unit=commitment.unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.delivery_update(
                delivery=delivery,
                by=request.user,
                version=form.version,
                confirm=form.cleaned_data["confirm"],
                **form.values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Delivery saved.")
            return redirect("commitments:detail", pk=commitment.pk)
    return render(
        request,
        "commitments/delivery_form.jinja",
        {"form": form, "delivery": delivery, "commitment": commitment},
    )


@login_required
def delivery_delete(request, pk):
    delivery = _visible_delivery(request, pk)
    commitment = delivery.commitment
    _require_change(request, commitment)
    if request.method == "POST":
        services.delivery_delete(delivery=delivery, by=request.user)
        messages.success(request, "Delivery deleted. The history keeps a record of it.")
        return redirect("commitments:detail", pk=commitment.pk)
    return render(
        request,
        "commitments/delivery_delete.jinja",
        {"delivery": delivery, "commitment": commitment},
    )


# --- Upload --------------------------------------------------------------------------------------


@login_required
def deliveries_upload(request, pk):
    """Upload a CSV file of deliveries for the partnership: every row is saved, or none."""
    partnership = _visible_partnership(request, pk)
    services.uploadable_partnership(partnership, request.user)
    form = DeliveriesUploadForm(_posted(request), request.FILES or None)
    row_errors: dict = {}
    more_row_errors = 0
    if (
        request.method == "POST"
        and form.is_valid()
        and len(form.rows) > services.UPLOAD_ROWS_CHECKED_WHILE_WAITING
    ):
        upload = services.delivery_upload_queue(
            partnership=partnership,
            by=request.user,
            content=form.content,
            file_name=form.file_name,
            confirm_again=form.cleaned_data["confirm_again"],
            confirm_quantities=form.cleaned_data["confirm_quantities"],
        )
        return redirect("commitments:upload-status", pk=partnership.pk, upload_pk=upload.pk)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.deliveries_upload(
                partnership=partnership,
                by=request.user,
                rows=form.rows,
                file_hash=form.file_hash,
                file_name=form.file_name,
                confirm_again=form.cleaned_data["confirm_again"],
                confirm_quantities=form.cleaned_data["confirm_quantities"],
            )
        except RowErrors as error:
            row_errors, more_row_errors = error.rows, error.more
            count = len(row_errors) + error.more
            form.add_error(
                "file",
                f"{count:,} {'row has a problem' if count == 1 else 'rows have problems'}. "
                "Nothing was saved. Correct the file and upload it again.",
            )
            form.asks_to_confirm_quantities = any(
                "confirm it" in message
                for problems in row_errors.values()
                for message in problems.get("quantity", [])
            )
        except ValidationError as error:
            add_service_errors(form, error, field="file")
        else:
            messages.success(
                request,
                f"{len(saved):,} {'delivery' if len(saved) == 1 else 'deliveries'} uploaded.",
            )
            return redirect("partnerships:detail", pk=partnership.pk)
    return render(
        request,
        "commitments/upload.jinja",
        {
            "form": form,
            "partnership": partnership,
            "row_errors": row_errors,
            "more_row_errors": more_row_errors,
            "columns": services.UPLOAD_COLUMNS,
            "required_columns": services.UPLOAD_REQUIRED_COLUMNS,
            "staff_groups": DeliveryStaffGroup.choices,
        },
    )


@login_required
def upload_status(request, pk, upload_pk):
    """Where a large file is: waiting, being checked, saved, or the rows with problems. The page
    refreshes itself (a meta refresh: no script) until the file is saved or refused."""
    partnership = _visible_partnership(request, pk)
    upload = get_object_or_404(
        selectors.uploads_visible_to(request.user).filter(partnership=partnership), pk=upload_pk
    )
    return render(
        request,
        "commitments/upload_status.jinja",
        {
            "partnership": partnership,
            "upload": upload,
            "finished": upload.status in (UploadStatus.DONE, UploadStatus.FAILED),
            "row_errors": {int(line): problems for line, problems in upload.row_errors.items()},
        },
    )
