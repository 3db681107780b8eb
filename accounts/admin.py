from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.bands import EMPLOYEE_BAND_CHOICES
from accounts.models import Account, AccountStatus, Contact, Lead, Subscription, Tag


class EmployeeBandFilter(admin.SimpleListFilter):
    title = _("employees")
    parameter_name = "band"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return EMPLOYEE_BAND_CHOICES

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.in_employee_band(self.value()) if self.value() else queryset


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return AccountStatus.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(status=self.value()) if self.value() else queryset


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["first_name", "last_name", "email", "language", "timezone", "is_primary"]
    show_change_link = True


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    fields = ["plan", "mrr", "quantity", "started_on", "ended_on", "cancel_type", "cancel_reason"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row's title is str(subscription), which names the account.
        return super().get_queryset(request).select_related("account")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "status_display",
        "mrr_display",
        "industry",
        "employees",
        "country",
        "owner",
        "referenceable",
    ]
    list_filter = [
        StatusFilter,
        "industry",
        EmployeeBandFilter,
        "owner",
        "country",
        "referenceable",
    ]
    search_fields = ["name", "external_id", "contacts__email"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    readonly_fields = [
        "status_display",
        "mrr_display",
        "first_customer_day",
        "created_at",
        "updated_at",
    ]
    inlines = [ContactInline, SubscriptionInline]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_status()

    @admin.display(description=_("MRR today"), ordering="mrr")
    def mrr_display(self, account: Account) -> str:
        return f"{account.mrr:,.2f}"

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, account: Account) -> str:
        return AccountStatus(account.status).label

    @admin.display(description=_("first customer day"))
    def first_customer_day(self, account: Account) -> object:
        return account.first_customer_day or "—"


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "first_name",
        "last_name",
        "account",
        "language",
        "timezone",
        "is_primary",
        "email_consent",
    ]
    list_filter = ["language", "is_primary", "email_consent"]
    search_fields = ["email", "first_name", "last_name", "external_id", "account__name"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["account", "plan", "mrr", "quantity", "started_on", "ended_on", "cancel_type"]
    list_filter = ["plan", "cancel_type", "started_on"]
    search_fields = ["account__name", "plan", "external_id"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    date_hierarchy = "started_on"


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "company", "source", "status", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["email", "first_name", "last_name", "company"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
