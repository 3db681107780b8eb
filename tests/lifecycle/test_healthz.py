from __future__ import annotations

import pytest
from django.db import OperationalError
from django.utils import timezone

from lifecycle.ops.models import Heartbeat
from lifecycle.ops.tasks import heartbeat


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "worker_last_seen": None}


@pytest.mark.django_db
def test_healthz_reports_when_the_worker_last_ran(client):
    heartbeat()
    seen = Heartbeat.objects.get().last_seen
    assert abs((timezone.now() - seen).total_seconds()) < 60
    assert client.get("/healthz").json()["worker_last_seen"] == seen.isoformat()


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr("lifecycle.ops.views.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_beat_sends_the_heartbeat_every_minute():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="ops.heartbeat")
    assert task.enabled
    assert task.interval.every == 60 and task.interval.period == "seconds"
