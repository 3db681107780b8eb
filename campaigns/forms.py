"""The public preference page's form: one checkbox per category of email."""

from __future__ import annotations

from django import forms

from campaigns.models import Category


class PreferencesForm(forms.Form):
    """Checked means "keep sending"; a browser sends nothing for an unchecked box."""

    surveys = forms.BooleanField(label=Category.SURVEYS.label, required=False)
    lifecycle = forms.BooleanField(label=Category.LIFECYCLE.label, required=False)
    marketing = forms.BooleanField(label=Category.MARKETING.label, required=False)

    def subscribed(self) -> list[str]:
        return [category for category in Category if self.cleaned_data.get(category.value)]
