from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.importer import HISTORY_KINDS, kinds
from accounts.models import Account, Contact, Subscription
from accounts.validation import validate_contact_email_unique


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = [
            "name",
            "industry",
            "employees",
            "country",
            "owner",
            "referenceable",
            "tags",
            "external_id",
        ]
        widgets = {"tags": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tags = self.fields["tags"]
        if not tags.queryset.exists():
            # Nothing to tick: say where tags come from instead of an empty list.
            tags.help_text = _(
                "No tags yet. An Admin creates them in Django admin (Customer accounts → Tags)."
            )


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "email",
            "birth_year",
            "birth_month",
            "birth_day",
            "language",
            "timezone",
            "is_primary",
            "email_consent",
            "external_id",
        ]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        # The account is not a form field, so Django skips the per-account unique constraint.
        validate_contact_email_unique(self.instance.account_id, email, self.instance)
        return email


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = [
            "plan",
            "mrr",
            "quantity",
            "started_on",
            "ended_on",
            "cancel_type",
            "cancel_reason",
            "external_id",
        ]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "ended_on": forms.DateInput(attrs={"type": "date"}),
        }


class ImportForm(forms.Form):
    accounts = forms.FileField(label=_("Accounts CSV"), required=False)
    contacts = forms.FileField(label=_("Contacts CSV"), required=False)
    subscriptions = forms.FileField(label=_("Subscriptions CSV"), required=False)
    dry_run = forms.BooleanField(label=_("Only check the files, import nothing"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # History kinds that upper layers register (surveys: responses), before dry_run.
        dry_run = self.fields.pop("dry_run")
        for kind in HISTORY_KINDS.values():
            self.fields[kind.kind] = forms.FileField(
                label=kind.form_label, required=False, help_text=kind.help_text
            )
        self.fields["dry_run"] = dry_run

    def clean(self) -> dict:
        cleaned = super().clean()
        if not any(cleaned.get(kind) for kind in kinds()):
            raise forms.ValidationError(_("Choose at least one CSV file."))
        return cleaned
