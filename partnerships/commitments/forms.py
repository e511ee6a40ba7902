"""Forms for commitments, deliveries and the CSV upload of deliveries.

Forms check what the person typed (types, required fields, the model's own ``clean()``); the
services make the change and apply every workflow rule. The upload form reads the file — its
encoding, its columns — and hands the rows to ``services.deliveries_upload``, which checks each.
"""

import hashlib

from django import forms
from django.core.exceptions import ValidationError

from buddying.common.forms import (
    NhsFormMixin,
    OrganisationChoiceField,
    VersionedFormMixin,
    add_service_errors,
    confirm_field,
)
from partnerships.choices import DeliveryStaffGroup
from partnerships.commitments import services
from partnerships.commitments.choices import CommitmentCategory, CommitmentUnit
from partnerships.commitments.models import Commitment, Delivery
from partnerships.models import Organisation

__all__ = [
    "CommitmentForm",
    "DeliveriesUploadForm",
    "DeliveryForm",
    "add_service_errors",
]

DATE_ERRORS = {"required": "Enter a date", "invalid": "Enter a real date, for example 15 3 2026"}
QUANTITY_ERRORS = {
    "invalid": "Enter a number, like 7.5",
    "max_digits": "Enter a number with no more than 10 digits before the decimal point",
    "max_decimal_places": "Enter a number with no more than 2 decimal places",
    "max_whole_digits": "Enter a number with no more than 10 digits before the decimal point",
}
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
UNIT_WORDS = {
    CommitmentUnit.HOURS: "hours",
    CommitmentUnit.DAYS: "days",
    CommitmentUnit.FTE: "FTE",
    CommitmentUnit.GBP: "£",
}


class CommitmentForm(VersionedFormMixin, NhsFormMixin, forms.ModelForm):
    """Plan a commitment or change its plan. The organisation is chosen only when planning."""

    organisation = OrganisationChoiceField(
        queryset=None,
        label="Committing organisation",
        empty_label=None,
        error_messages={"required": "Select the committing organisation"},
    )

    class Meta:
        model = Commitment
        fields = ["organisation", *services.COMMITMENT_FIELDS]
        widgets = {
            "category": forms.RadioSelect,
            "unit": forms.RadioSelect,
            "start_date": forms.DateInput,
            "end_date": forms.DateInput,
            "description": forms.Textarea,
        }
        labels = {
            "planned_quantity": "Planned quantity",
            "start_date": "Start date",
            "end_date": "End date",
        }
        help_texts = {
            "planned_quantity": "In the unit above, for the whole period. For example, 120.",
            "start_date": "For example, 1 4 2026",
            "end_date": "For example, 31 3 2027",
        }
        error_messages = {
            "category": {"required": "Select a category"},
            "description": {"required": "Enter what will be given"},
            "unit": {"required": "Select a unit"},
            "planned_quantity": {"required": "Enter the planned quantity", **QUANTITY_ERRORS},
            "start_date": {**DATE_ERRORS, "required": "Enter the start date"},
            "end_date": {**DATE_ERRORS, "required": "Enter the end date"},
            "owner": {"required": "Enter the owner's name and job title"},
        }

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = CommitmentCategory.choices
        self.fields["unit"].choices = CommitmentUnit.choices
        if not self.instance._state.adding:  # ids are set before saving, so not ``pk``
            del self.fields["organisation"]
        else:
            organisation = self.fields["organisation"]
            organisation.queryset = Organisation.objects.filter(
                ods_code__in=[party.organisation_id for party in parties]
            ).order_by("name")
            if len(parties) == 1:
                organisation.initial = parties[0].organisation_id

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.COMMITMENT_FIELDS}


class DeliveryForm(VersionedFormMixin, NhsFormMixin, forms.ModelForm):
    """Log a delivery (the quick form on a commitment's page) or correct one."""

    confirm = confirm_field("Yes, this quantity is right")

    class Meta:
        model = Delivery
        fields = list(services.DELIVERY_FIELDS)
        widgets = {"date": forms.DateInput, "note": forms.Textarea}
        labels = {"staff_group": "Staff group (optional)", "note": "Note (optional)"}
        help_texts = {"date": "For example, 9 11 2026", "quantity": "For example, 7.5"}
        error_messages = {
            "date": DATE_ERRORS,
            "quantity": {"required": "Enter the quantity", **QUANTITY_ERRORS},
        }

    def __init__(self, *args, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_group"].choices = [("", "Not recorded"), *DeliveryStaffGroup.choices]
        if unit:
            self.fields["quantity"].label = f"Quantity ({UNIT_WORDS.get(unit, unit)})"

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.DELIVERY_FIELDS}


class DeliveriesUploadForm(forms.Form):
    """A CSV file of deliveries. ``rows`` holds ``(line, {column: text})`` once the form is valid."""

    file = forms.FileField(
        label="Upload a CSV file",
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )

    confirm_again = confirm_field("These are new deliveries: upload the file again")
    confirm_quantities = confirm_field("The quantities flagged are right")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 10MB")
        content = upload.read()
        self.file_hash = hashlib.sha256(content).hexdigest()
        self.file_name = upload.name or ""
        self.content = content
        try:
            rows = services.upload_rows(content)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None
        self.rows = rows
        return upload
