from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact, Subscription


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
            "external_id",
        ]


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
        duplicates = Contact.objects.filter(
            account_id=self.instance.account_id, email__iexact=email
        ).exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise forms.ValidationError(_("This account already has a contact with this email."))
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
    responses = forms.FileField(
        label=_("Survey responses CSV"),
        required=False,
        help_text=_("Answers from another survey tool: they count in the metrics as history."),
    )
    dry_run = forms.BooleanField(label=_("Only check the files, import nothing"), required=False)

    KINDS = ("accounts", "contacts", "subscriptions", "responses")

    def clean(self) -> dict:
        cleaned = super().clean()
        if not any(cleaned.get(kind) for kind in self.KINDS):
            raise forms.ValidationError(_("Choose at least one CSV file."))
        return cleaned
