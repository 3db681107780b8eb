"""SQL composed around compiled querysets: concatenation only, every value a parameter."""

from __future__ import annotations

import pytest

from accounts.models import Account
from lifecycle.lib.sql import SQL, compiled, fetch_all, with_queries

ODD = "{x} 100% %s"


def test_pieces_join_by_concatenation_with_their_parameters_in_order():
    piece = SQL("SELECT %s", (1,)) + ", " + SQL("%s", (2,))
    assert piece == SQL("SELECT %s, %s", (1, 2))
    assert SQL(" UNION ALL ").join([SQL("a", (1,)), SQL("b"), SQL("c", (3,))]) == SQL(
        "a UNION ALL b UNION ALL c", (1, 3)
    )
    assert SQL(", ").join([]) == SQL("")
    # Text is never read as a format string: braces stay as they are.
    assert (SQL("{x}") + "{}").text == "{x}{}"


def test_named_queries_precede_the_body():
    got = with_queries([("a (n)", SQL("SELECT %s", (1,))), ("b", SQL("SELECT n FROM a"))], SQL("x"))
    assert got == SQL("WITH a (n) AS (SELECT %s), b AS (SELECT n FROM a) x", (1,))


@pytest.mark.django_db
def test_a_value_like_sql_syntax_stays_a_parameter():
    Account.objects.create(name="A", industry=ODD)
    Account.objects.create(name="B", industry="plain")
    accounts = compiled(Account.objects.filter(industry=ODD).values("industry"))
    assert ODD not in accounts.text and accounts.params == (ODD,)

    body = SQL("SELECT industry, %s FROM accounts", (ODD,))
    assert fetch_all(with_queries([("accounts", accounts)], body)) == [(ODD, ODD)]


@pytest.mark.django_db
def test_a_queryset_that_can_match_nothing_compiles_to_no_rows():
    nothing = compiled(Account.objects.filter(pk__in=Account.objects.none()).values("pk"))
    Account.objects.create(name="A")
    assert fetch_all(nothing) == []
