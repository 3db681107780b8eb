"""Upgrading a database of the previous release keeps which survey each campaign asks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("campaigns", "0003_default_campaigns"), ("surveys", "0001_initial")]
AFTER = [("campaigns", "0004_survey_moved_to_surveys"), ("surveys", "0002_campaign_survey")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_move_of_campaign_survey_keeps_every_link():
    try:
        old = migrate(BEFORE)
        survey = old.get_model("surveys", "Survey").objects.get(slug="csat")
        old.get_model("campaigns", "Campaign").objects.create(
            slug="winback", name="Winback", category="surveys", trigger="rolling", survey=survey
        )
        expected = dict(
            old.get_model("campaigns", "Campaign").objects.values_list("slug", "survey__slug")
        )

        new = migrate(AFTER)

        links = new.get_model("surveys", "CampaignSurvey").objects.values_list(
            "campaign__slug", "survey__slug"
        )
        assert dict(links) == {slug: kind for slug, kind in expected.items() if kind}
        assert expected["winback"] == "csat"
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
