"""API representations of accounts, contacts and subscriptions.

Every write runs the model's own validation (field validators, `clean()`, unique fields and
constraints) so that a request gets a 400 naming the field instead of an IntegrityError.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from accounts.bands import EMPLOYEE_BAND_CHOICES
from accounts.models import Account, AccountStatus, Contact, Subscription
from accounts.validation import (
    BIRTHDAY_FORMAT,
    NO_BIRTHDAY,
    parse_birthday,
    validate_contact_email_unique,
)

BIRTH_FIELDS = ("birth_year", "birth_month", "birth_day")


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": r"^(\d{4}|-)-\d{2}-\d{2}$",
        "example": "--04-23",
        "description": "YYYY-MM-DD, or --MM-DD when the year is unknown; null when unknown.",
    }
)
class BirthdayField(serializers.Field):
    """The three birth_* columns as one CSV-style string; null or "" clears them."""

    default_error_messages = {"invalid": BIRTHDAY_FORMAT}  # for any unreadable or unreal date

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", required=False, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if data is None:
            return dict(zip(BIRTH_FIELDS, NO_BIRTHDAY, strict=True))
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> dict[str, int | None]:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            birthday = parse_birthday(data.strip())
        except DjangoValidationError:
            self.fail("invalid")
        return dict(zip(BIRTH_FIELDS, birthday, strict=True))

    def to_representation(self, contact: Contact) -> str | None:
        return contact.birthday or None


class OwnerEmailField(serializers.SlugRelatedField):
    """A staff user named by email. Django does not make emails unique, so say so if two match."""

    default_error_messages = {
        "does_not_exist": _("No staff user has the email {value}."),
        "ambiguous": _("Several staff users have the email {value}; ask an admin to fix them."),
        "invalid": _("Enter an email address."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            slug_field="email",
            queryset=get_user_model().objects.filter(is_active=True),
            allow_null=True,
            required=False,
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        matches = list(self.get_queryset().filter(email__iexact=data.strip())[:2])
        if not matches:
            self.fail("does_not_exist", value=data)
        if len(matches) > 1:
            self.fail("ambiguous", value=data)
        return matches[0]


class ModelValidatedSerializer(serializers.ModelSerializer):
    # Runs Model.full_clean() on the instance as it would be saved. (A comment, not a
    # docstring: the schema would show a docstring as every subclass's description.)

    # Model field -> API field, for model errors about columns the API names differently.
    model_error_fields: dict[str, str] = {}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        candidate = self._candidate(attrs)
        try:
            candidate.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(self._api_errors(exc)) from exc
        return attrs

    def _candidate(self, attrs: dict[str, Any]) -> models.Model:
        # A copy, so that a rejected PATCH leaves the loaded instance untouched.
        candidate = copy.copy(self.instance) if self.instance else self.Meta.model()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        return candidate

    def _api_errors(self, exc: DjangoValidationError) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            if name == NON_FIELD_ERRORS:
                key = api_settings.NON_FIELD_ERRORS_KEY
            else:
                key = self.model_error_fields.get(name, name)
            errors.setdefault(key, []).extend(messages)
        return errors


class AccountSerializer(ModelValidatedSerializer):
    """A customer account, with its MRR and status today."""

    # Reads need Account.objects.with_status().with_employee_band() for the derived fields.

    owner = OwnerEmailField(help_text=_("Email of the staff user who owns the account."))
    mrr = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text=_("MRR today: the sum of the MRR of the subscriptions active today."),
    )
    status = serializers.ChoiceField(
        choices=AccountStatus.choices,
        read_only=True,
        help_text=_(
            "customer when today's MRR is above zero, churned when it was once, else prospect."
        ),
    )
    first_customer_day = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("Start of the first paying subscription; null if it never paid."),
    )
    employee_band = serializers.SerializerMethodField(
        help_text=_("Employee size band; null when the head count is unknown.")
    )

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "industry",
            "employees",
            "country",
            "owner",
            "referenceable",
            "external_id",
            "mrr",
            "status",
            "first_customer_day",
            "employee_band",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(
        serializers.ChoiceField(choices=EMPLOYEE_BAND_CHOICES, allow_null=True, read_only=True)
    )
    def get_employee_band(self, account: Account) -> str | None:
        return account.employee_band or None

    def validate_external_id(self, value: str | None) -> str | None:
        return value or None  # "" would collide with the next blank one


class ContactSerializer(ModelValidatedSerializer):
    """A person at a customer account whom we may email."""

    birthday = BirthdayField()
    model_error_fields = dict.fromkeys(BIRTH_FIELDS, "birthday")

    class Meta:
        model = Contact
        fields = [
            "id",
            "account",
            "first_name",
            "last_name",
            "email",
            "birthday",
            "language",
            "timezone",
            "is_primary",
            "email_consent",
            "unsubscribed_surveys_at",
            "unsubscribed_lifecycle_at",
            "unsubscribed_marketing_at",
            "external_id",
            "created_at",
            "updated_at",
        ]
        # Unsubscribes are recorded only by the contact's own one-click links.
        read_only_fields = [
            "unsubscribed_surveys_at",
            "unsubscribed_lifecycle_at",
            "unsubscribed_marketing_at",
            "created_at",
            "updated_at",
        ]

    def validate_external_id(self, value: str | None) -> str | None:
        return value or None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        account = attrs.get("account", getattr(self.instance, "account", None))
        email = attrs.get("email", getattr(self.instance, "email", ""))
        try:
            validate_contact_email_unique(account.pk if account else None, email, self.instance)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"email": exc.messages}) from exc
        return super().validate(attrs)


class SubscriptionSerializer(ModelValidatedSerializer):
    """A paid plan of an account from `started_on` up to, not including, `ended_on`."""

    class Meta:
        model = Subscription
        fields = [
            "id",
            "account",
            "plan",
            "mrr",
            "quantity",
            "started_on",
            "ended_on",
            "cancel_type",
            "cancel_reason",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"ended_on": {"help_text": _("Exclusive: the first day without service.")}}

    def validate_external_id(self, value: str | None) -> str | None:
        return value or None
