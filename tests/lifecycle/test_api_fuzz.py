"""Schemathesis over the API's own OpenAPI document (/api/schema/), as an Admin with a token:
every operation, with generated parameters and bodies (schemathesis's coverage cases, valid
and invalid, then MAX_EXAMPLES fuzzed ones), answers without a 5xx, with a status code the
document declares, a content type it declares and a body that matches it.

Bounded for SQLite: about 4,800 requests over the 26 operations, 1.5 minutes on 2 cores,
through the WSGI application in the test's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lifecycle.staff.roles import ADMIN
from lifecycle.wsgi import application
from tests.factories import (
    AccountFactory,
    CustomerContactFactory,
    ResponseFactory,
    SubscriptionFactory,
    UserFactory,
    api_token,
)

MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def generated_document() -> dict:
    """The document /api/schema/ serves, generated as it does (the same for every role)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


# Loaded when the module is collected, so it cannot ask the server (that needs a user in the
# test database): test_the_fuzzed_document_is_the_one_served proves it is the same.
schema = schemathesis.openapi.from_dict(generated_document())
schema.app = application  # calls go through the WSGI application, in the test's transaction


@pytest.fixture
def connection_kept_open(db):
    """The WSGI handler closes the database connection after each request; Django's test
    client unhooks that for its requests, and so must a test calling the application."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def admin_token(db) -> str:
    return api_token(UserFactory(username="fuzzer", email="fuzzer@example.com", role=ADMIN))


@pytest.fixture
def records(db) -> None:
    """A few rows of each kind, so that lists, filters and the metrics have data to read."""
    account = AccountFactory(external_id="a1", industry="Software", country="ES")
    SubscriptionFactory(account=account, mrr=Decimal("90"), started_on=dt.date(2023, 1, 1))
    ResponseFactory(contact=CustomerContactFactory(account=account), comment="Great")


def test_the_fuzzed_document_is_the_one_served(admin_client_) -> None:
    served = admin_client_.get("/api/schema/", {"format": "json"})

    assert served.json() == generated_document()


def test_every_operation_declares_its_error_answers() -> None:
    document = generated_document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            expected = {"401", "403", "429"}
            if method in ("post", "put", "patch"):
                expected |= {"400", "415"}
            if query:  # filters, periods: a bad value is a 400
                expected.add("400")
            if "{id}" in path or "page" in query:
                expected.add("404")
            assert expected <= set(operation["responses"]), (method, path)
    bad_request = document["components"]["responses"]["BadRequest"]
    assert "ValidationErrors" in str(bad_request) and "ErrorDetail" in str(bad_request)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_schema_says(
    case, connection_kept_open: None, admin_token: str, records: None
) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {admin_token}"}, checks=CHECKS)
