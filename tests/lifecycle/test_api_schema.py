from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

SCHEMA = "/api/schema/"
DOCS = "/api/docs/"
ASSET_RE = re.compile(r"<(?:script|link)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.IGNORECASE)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_schema_is_an_openapi_3_document_listing_the_three_endpoints(viewer):
    response = api_as(viewer).get(SCHEMA, {"format": "json"})

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/accounts/", "/api/v1/contacts/", "/api/v1/subscriptions/"} <= set(
        document["paths"]
    )
    assert "delete" not in document["paths"]["/api/v1/accounts/{id}/"]


def test_schema_types_the_derived_account_fields(viewer):
    document = yaml.safe_load(api_as(viewer).get(SCHEMA).content)
    account = document["components"]["schemas"]["Account"]["properties"]

    assert (account["mrr"]["type"], account["mrr"]["format"]) == ("string", "decimal")
    assert account["first_customer_day"]["format"] == "date"
    assert account["owner"]["format"] == "email"
    assert all(account[name]["readOnly"] for name in ("mrr", "status", "employee_band"))


def test_schema_documents_the_query_parameters_of_the_metrics(viewer: object) -> None:
    paths = api_as(viewer).get(SCHEMA, {"format": "json"}).json()["paths"]

    def parameters(path: str) -> dict:
        return {p["name"]: p for p in paths[path]["get"]["parameters"]}

    metrics, series, cohorts = (
        parameters(f"/api/v1/metrics/{tail}") for tail in ("", "series/", "cohorts/")
    )
    segment = {"industry", "band", "country", "owner"}
    assert set(metrics) == {"start", "end", "cohort"} | segment  # no preset: dates instead
    assert set(series) == set(metrics) | {"granularity"}
    assert set(cohorts) == {"start", "end"} | segment
    assert metrics["start"]["schema"] == {"type": "string", "format": "date"}
    assert metrics["start"]["required"] and cohorts["end"]["required"]
    assert cohorts["start"]["schema"]["pattern"] == r"^\d{4}-(0[1-9]|1[0-2])$"
    assert metrics["band"]["schema"]["enum"] == ["1-10", "11-50", "51-200", "201-1000", "1001+", ""]
    assert series["granularity"]["schema"]["default"] == "month"
    assert metrics["owner"]["description"] == "The account owner's email, or their user id."
    by_email_or_id = metrics["owner"]["schema"]["oneOf"][0]["oneOf"]
    assert by_email_or_id == [
        {"type": "string", "format": "email"},
        {"type": "string", "pattern": "^[0-9]+$"},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [SCHEMA, DOCS])
def test_schema_and_docs_need_a_signed_in_user(url):
    assert APIClient().get(url).status_code == 401


@pytest.mark.parametrize("url", [SCHEMA, DOCS])
def test_schema_and_docs_are_hidden_from_a_user_without_a_role(outsider, url):
    assert api_as(outsider).get(url).status_code == 403


def test_docs_page_loads_swagger_ui_only_from_our_own_static_files(viewer_client):
    response = viewer_client.get(DOCS)

    assert response.status_code == 200
    html = response.content.decode()
    assets = ASSET_RE.findall(html)
    assert len(assets) >= 3  # the stylesheet and the two Swagger UI scripts, at least
    # Its start-up script is served by the docs view itself, so that no script is inline (CSP).
    start_up = [url for url in assets if url.replace("&amp;", "&").startswith(f"{DOCS}?script")]
    assert len(start_up) == 1
    assert viewer_client.get(start_up[0].replace("&amp;", "&")).status_code == 200
    for url in set(assets) - set(start_up):
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file"
    assert not re.search(r"https?://", " ".join(assets))


@pytest.mark.django_db
def test_schema_generates_without_warnings_and_validates(tmp_path):
    # Raises when drf-spectacular guesses any type or the document breaks OpenAPI 3.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
