"""What the layers above accounts add to its pages, registered in their AppConfig.ready().

Accounts knows nothing of surveys: the surveys app adds the NPS column of the accounts list
and the "Satisfaction" section of the account page here (docs/architecture.md), and the
importer's response columns through `accounts.importer`'s own registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class ListColumn:
    """A column of the accounts list, computed in the list's own query (no query per row)."""

    header_template: str
    cell_template: str  # rendered with `account`
    permission: str
    annotate: Callable[[QuerySet, dt.date], QuerySet]


@dataclass(frozen=True)
class AccountPanel:
    """A section of the account page, rendered with `panel` = context(account, today).

    The context's "scripts", if any, are static files the page loads after Chart.js."""

    template: str
    permission: str
    context: Callable[[Any, dt.date], dict[str, Any]]
    order: int = 100  # lower first


LIST_COLUMNS: list[ListColumn] = []
ACCOUNT_PANELS: list[AccountPanel] = []


def _add(registry: list, item: object) -> None:
    if item not in registry:  # ready() may run more than once in tests
        registry.append(item)


def add_list_column(column: ListColumn) -> None:
    _add(LIST_COLUMNS, column)


def add_account_panel(panel: AccountPanel) -> None:
    _add(ACCOUNT_PANELS, panel)


def columns_for(user: Any) -> list[ListColumn]:
    return [column for column in LIST_COLUMNS if user.has_perm(column.permission)]


def panels_for(user: Any, account: Any, today: dt.date) -> list[tuple[AccountPanel, dict]]:
    return [
        (panel, panel.context(account, today))
        for panel in sorted(ACCOUNT_PANELS, key=lambda panel: panel.order)
        if user.has_perm(panel.permission)
    ]
