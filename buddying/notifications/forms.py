"""The preferences form: for each rule, by email and in the app, in the app only, or not at all."""

from django import forms

from buddying.notifications import registry
from buddying.notifications.choices import Delivery


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for rule in registry.rules():
            self.fields[rule.name] = forms.ChoiceField(
                label=rule.label,
                choices=Delivery.choices,
                initial=current.get(rule.name, Delivery.EMAIL),
                widget=forms.RadioSelect,
                help_text=rule.hint,
                error_messages={"required": f"Choose how you hear of: {rule.label.lower()}"},
            )
