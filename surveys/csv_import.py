"""Survey history from another tool as a CSV kind of the importer (`--responses`).

Registered with accounts.importer in SurveysConfig.ready(). Rows are written as they are,
with source=import and no invitation: they count in the metrics but open no follow-up and
alert no owner. The survey is the default one of the row's kind (its slug is the kind).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.csv_rows import (
    CONTACT_REF,
    EXTERNAL_ID,
    CellError,
    Column,
    Schema,
    Values,
    column,
    score,
    submitted_at,
    text,
)
from accounts.importer import ContactRef, HistoryKind
from surveys import scoring
from surveys.models import Response, ResponseSource, Survey

SURVEY_KINDS = tuple(scoring.SCALES)


def survey_kind(value: str) -> str:
    word = value.lower()
    if word not in SURVEY_KINDS:
        raise CellError(f"must be {', '.join(SURVEY_KINDS[:-1])} or {SURVEY_KINDS[-1]}")
    return word


def score_in_scale(values: Values, failed: set[str]) -> list[tuple[str, str]]:
    """The score must fit its survey's scale: 0-10 for NPS (0 is a real answer), 1-5, 1-7."""
    kind, value = values.get("kind"), values.get("score")
    if not isinstance(kind, str) or not isinstance(value, int) or scoring.in_scale(kind, value):
        return []
    low, high = scoring.scale(kind)[0], scoring.scale(kind)[-1]
    return [("score", f"must be between {low} and {high} for {kind}")]


RESPONSES = Schema(
    columns={
        "external_id": EXTERNAL_ID,
        "contact_external_id": CONTACT_REF,
        "survey_kind": Column(parse=survey_kind, keys=("kind",), model_fields=("kind", "survey")),
        "score": column(score, "score"),
        "comment": column(text(None, multiline=True), "comment"),
        "submitted_at": column(submitted_at, "submitted_at"),
    },
    required=("external_id", "contact_external_id", "survey_kind", "score", "submitted_at"),
    check=score_in_scale,
)


def default_surveys() -> dict[str, Any]:
    return dict(Survey.objects.filter(slug__in=SURVEY_KINDS).values_list("slug", "pk"))


def survey_exists(values: Values, surveys: dict[str, Any]) -> list[tuple[str, str]]:
    kind = values.get("kind")
    if isinstance(kind, str) and kind not in surveys:
        return [("survey_kind", f"there is no survey with the slug {kind}")]
    return []


def response_values(values: Values, contact: ContactRef, surveys: dict[str, Any]) -> Values:
    fields = {name: value for name, value in values.items() if name != "contact_external_id"}
    return {
        **fields,
        "contact_id": contact.pk,
        "account_id": contact.account_id,
        "language": response_language(contact.language),
        "survey_id": surveys[values["kind"]],
        "source": ResponseSource.IMPORT,
    }


def response_language(tag: str) -> str:
    # Response.language is shorter than a contact's tag: zh-Hant-TW is kept as zh.
    limit = Response._meta.get_field("language").max_length or len(tag)
    return tag if len(tag) <= limit else tag.split("-")[0][:limit]


RESPONSES_KIND = HistoryKind(
    kind="responses",
    label=_("Survey responses"),
    form_label=_("Survey responses CSV"),
    help_text=_("Answers from another survey tool: they count in the metrics as history."),
    model=Response,
    schema=RESPONSES,
    lookups=default_surveys,
    check_row=survey_exists,
    values=response_values,
)
