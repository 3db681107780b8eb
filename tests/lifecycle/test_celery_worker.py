"""A real `celery worker` process runs a task sent through each broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest

from lifecycle.ops.models import Heartbeat
from lifecycle.ops.tasks import heartbeat
from tests.workers import (
    REDIS_URL,
    ROOT,
    broker_connection,
    database_url_for_the_test_database,
    reachable,
)


@pytest.fixture
def start_worker():
    processes: list[subprocess.Popen] = []

    def start(broker_url: str, queue: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_the_test_database(),
            "CELERY_BROKER_URL": broker_url,
        }
        command = [sys.executable, "-m", "celery", "-A", "lifecycle", "worker", "--pool=solo"]
        command += ["--queues", queue, "--loglevel=WARNING", "--without-heartbeat"]
        process = subprocess.Popen(command, cwd=ROOT, env=env)
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


BROKERS = [
    pytest.param("filesystem://", id="filesystem"),
    pytest.param(
        REDIS_URL,
        id="redis",
        marks=pytest.mark.skipif(
            not reachable(REDIS_URL) and not os.environ.get("CI"), reason="no Redis here"
        ),
    ),
]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker_url", BROKERS)
def test_a_real_worker_runs_a_task_sent_through_the_broker(broker_url, start_worker):
    # A queue of its own, so that a developer's running worker cannot take the task.
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(broker_url, queue)

    with broker_connection(broker_url) as conn:
        heartbeat.apply_async(queue=queue, connection=conn)

    deadline = time.monotonic() + 60
    while not Heartbeat.objects.exists():
        assert worker.poll() is None, "the worker process died"
        assert time.monotonic() < deadline, "the worker did not run the task within 60 s"
        time.sleep(0.2)
