"""Surveys on the account pages: registered with accounts in SurveysConfig.ready()."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from accounts.extensions import AccountPanel, ListColumn
from accounts.models import Account
from surveys.rollups import account_satisfaction, with_nps

PERMISSION = "surveys.view_response"


def nps_column(accounts: QuerySet[Account], today: dt.date) -> QuerySet[Account]:
    return with_nps(accounts, today=today)


def satisfaction(account: Account, today: dt.date) -> dict[str, Any]:
    found = account_satisfaction(account, today=today)
    charted = ("js/charts.js", "js/account-scores.js") if found["history"] else ()
    return {**found, "scripts": charted}


NPS_COLUMN = ListColumn(
    header_template="surveys/staff/_nps_column_header.html",
    cell_template="surveys/staff/_nps_column_cell.html",
    permission=PERMISSION,
    annotate=nps_column,
)
SATISFACTION_PANEL = AccountPanel(
    template="surveys/staff/_account_satisfaction.html",
    permission=PERMISSION,
    context=satisfaction,
)
