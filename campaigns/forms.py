"""The public pages' forms: email preferences, and the referral page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.validation import validate_plain_text
from campaigns.models import Category


class PreferencesForm(forms.Form):
    """Checked means "keep sending"; a browser sends nothing for an unchecked box."""

    surveys = forms.BooleanField(label=Category.SURVEYS.label, required=False)
    lifecycle = forms.BooleanField(label=Category.LIFECYCLE.label, required=False)
    marketing = forms.BooleanField(label=Category.MARKETING.label, required=False)

    def subscribed(self) -> list[str]:
        return [category for category in Category if self.cleaned_data.get(category.value)]


class ReferralForm(forms.Form):
    """What the referred person leaves on the public referral page."""

    first_name = forms.CharField(
        label=_("First name"), max_length=100, validators=[validate_plain_text]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, required=False, validators=[validate_plain_text]
    )
    email = forms.EmailField(label=_("Work email"), max_length=254)
    company = forms.CharField(
        label=_("Company"), max_length=200, required=False, validators=[validate_plain_text]
    )
    consent = forms.BooleanField(
        label=_("I agree to be contacted about this by email."),
        error_messages={"required": _("We can only contact you with your agreement.")},
    )
    # Left empty by people (it is hidden); bots fill every field.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
