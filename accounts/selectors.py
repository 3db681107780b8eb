"""The accounts list as the page, its sortable columns and its CSV download read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, QuerySet
from django.http import QueryDict

from accounts.filters import AccountFilter
from accounts.models import Account
from lifecycle.lib import sorting
from lifecycle.lib.spreadsheet import text_cell

SORTS = {
    "name": ("name",),
    "status": ("status",),
    "mrr": ("mrr",),
    "industry": ("industry",),
    "employees": ("employees",),
    "country": ("country",),
    "owner": ("owner__first_name", "owner__last_name", "owner__username"),
    "contacts": ("contact_count",),
}
LARGEST_FIRST = ("mrr", "employees", "contacts")
CSV_HEADER = [
    "external_id",
    "name",
    "status",
    "mrr",
    "industry",
    "employees",
    "country",
    "owner",
    "owner_email",
    "contacts",
    "referenceable",
]


def account_rows(query: QueryDict, today: dt.date, columns: list[Any]) -> AccountFilter:
    """The filtered accounts with their status, MRR, band, owner and contact count (and the
    extension columns' annotations), in the order `?o=` asks for (name by default)."""
    accounts = (
        Account.objects.with_status(today)
        .with_employee_band()
        .select_related("owner")
        .annotate(contact_count=Count("contacts", distinct=True))
    )
    for column in columns:
        accounts = column.annotate(accounts, today)
    found = AccountFilter(query, queryset=accounts)
    # Meta.ordering is dropped from a GROUP BY query: always order explicitly.
    found.ordered = sorting.ordered(
        found.qs, query.get(sorting.PARAM, ""), SORTS, tie_break=("name", "pk")
    )
    return found


def csv_rows(accounts: QuerySet[Account]) -> Iterator[list[Any]]:
    for account in accounts.iterator(chunk_size=2000):
        yield [
            text_cell(account.external_id),
            text_cell(account.name),
            account.status,
            f"{account.mrr:.2f}",
            text_cell(account.industry),
            "" if account.employees is None else account.employees,
            text_cell(account.country),
            text_cell(account.owner_name),
            text_cell(account.owner.email if account.owner else ""),
            account.contact_count,
            "true" if account.referenceable else "false",
        ]
