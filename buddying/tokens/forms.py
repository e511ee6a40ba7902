from django import forms

from buddying.common.forms import NhsFormMixin
from buddying.tokens.services import MAX_DAYS


class TokenForm(NhsFormMixin, forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What it is for. For example, Nightly mirror.",
        error_messages={"required": "Enter a name for the token"},
    )
    days = forms.IntegerField(
        label="Days until it expires",
        min_value=1,
        max_value=MAX_DAYS,
        initial=90,
        help_text=f"From 1 to {MAX_DAYS}.",
        error_messages={
            "required": "Enter the number of days until it expires",
            "invalid": "Enter the number of days as a whole number, such as 90",
            "min_value": f"Enter a number of days from 1 to {MAX_DAYS}",
            "max_value": f"Enter a number of days from 1 to {MAX_DAYS}",
        },
    )
    read_only = forms.BooleanField(
        label="Read only: this token can read but never change anything",
        required=False,
    )
