"""Every CSV download is safe to open in a spreadsheet: text that would run as a formula
(OWASP "CSV Injection": a leading = + - @, tab or carriage return, or a full-width = + - @)
gets a leading apostrophe through lifecycle/lib/spreadsheet.py's text_cell, the one guard."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

import pytest
from django.test import Client

from lifecycle.lib.spreadsheet import FORMULA_STARTS, text_cell
from surveys.models import Survey
from tests.factories import (
    AccountFactory,
    CustomerContactFactory,
    ResponseFactory,
    SubscriptionFactory,
    UserFactory,
)

D = dt.date
OWASP_STARTS = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]
IN_2024 = {"period": "custom", "start": "2024-01-01", "end": "2025-01-01"}
CHURN_TABLES = ["accounts", "reasons", "industry", "band", "cohort", "series"]


@pytest.mark.parametrize("start", OWASP_STARTS)
def test_text_starting_like_a_formula_is_made_text(start: str) -> None:
    assert text_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("value", ["Acme", "", " =not first", "ana@example.com", "50%", None])
def test_other_text_is_left_as_it_is(value: str | None) -> None:
    assert text_cell(value) == ("" if value is None else value)


def test_the_guard_covers_every_owasp_start() -> None:
    assert set(OWASP_STARTS) == set(FORMULA_STARTS)


@pytest.fixture
def hostile(db) -> None:
    """Names and text people typed, each starting like a formula, in every CSV's columns."""
    owner = UserFactory(username="olga", first_name="-Olga", last_name="Ivanova")
    account = AccountFactory(
        name="=cmd|' /C calc'!A0", industry="＠Risk", external_id="@a1", owner=owner
    )
    SubscriptionFactory(
        account=account,
        mrr=Decimal("50"),
        started_on=D(2023, 1, 1),
        ended_on=D(2024, 6, 1),
        cancel_type="voluntary",
        cancel_reason="\r=1+1",
    )
    contact = CustomerContactFactory(
        account=account, first_name="＋Ana", last_name="Ruiz", paying=False
    )
    answer = ResponseFactory(contact=contact, account=account, comment="\t=HYPERLINK(evil)")
    Survey.objects.filter(pk=answer.survey_id).update(name="－NPS")


def _cells(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(body.decode())) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except InvalidOperation:
        return False
    return True


def _downloads(client: Client) -> dict[str, list[str]]:
    found = {
        "accounts": _cells(client.get("/accounts/export.csv")),
        "responses": _cells(client.get("/surveys/responses.csv")),
        "series": _cells(client.get("/dashboard/series.csv", IN_2024)),
        "cohorts": _cells(
            client.get("/dashboard/cohorts.csv", {"start": "2023-01", "end": "2024-12"})
        ),
    }
    for table in CHURN_TABLES:
        found[f"churn {table}"] = _cells(
            client.get("/dashboard/churn.csv", {**IN_2024, "table": table})
        )
    return found


def test_no_cell_of_any_download_starts_like_a_formula(viewer_client: Client, hostile) -> None:
    for name, cells in _downloads(viewer_client).items():
        risky = [cell for cell in cells if cell.startswith(FORMULA_STARTS) and not _is_number(cell)]
        assert not risky, name


def test_the_hostile_text_is_kept_behind_an_apostrophe(viewer_client: Client, hostile) -> None:
    found = _downloads(viewer_client)

    assert {"'=cmd|' /C calc'!A0", "'＠Risk", "'@a1", "'-Olga Ivanova"} <= set(found["accounts"])
    assert {"'－NPS", "'\t=HYPERLINK(evil)", "'＋Ana Ruiz"} <= set(found["responses"])
    # The list of churned accounts shows the reason stripped, as the page does.
    assert {"'=cmd|' /C calc'!A0", "'＠Risk", "'=1+1"} <= set(found["churn accounts"])
    assert "'\r=1+1" in found["churn reasons"]
    assert "'＠Risk" in found["churn industry"]
