"""Real `celery worker` processes against the test database, a broker and a real SMTP server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from kombu import Connection, Exchange, Queue

from tests.smtp import smtp_environment
from tests.workers import (
    REDIS_URL,
    ROOT,
    broker_connection,
    database_url_for_the_test_database,
    reachable,
)

SEND_CHUNK = 50


def redis_or_skip() -> pytest.MarkDecorator:
    """CI has Redis; a developer's machine may not."""
    return pytest.mark.skipif(
        not reachable(REDIS_URL) and not os.environ.get("CI"), reason="no Redis here"
    )


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, worker=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker is not None:
            assert worker.poll() is None, "the worker process died"
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(0.1)


@dataclass
class Workers:
    broker_url: str
    queue: str
    smtp_port: int
    processes: list[subprocess.Popen]

    def start(self) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_the_test_database(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # As in production: no query log kept in memory; the same key signs the links.
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "CAMPAIGN_SEND_CHUNK": str(SEND_CHUNK),
            **smtp_environment(self.smtp_port),
        }
        command = [sys.executable, "-m", "celery", "-A", "lifecycle", "worker", "--pool=solo"]
        command += ["--queues", self.queue, "--loglevel=WARNING"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        process = subprocess.Popen(command, cwd=ROOT, env=env)
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def enqueue(self, conn: Connection) -> Callable[[list[int]], None]:
        """An `enqueue` for pipeline.dispatch_due: the real task, on this test's own queue."""
        from campaigns.tasks import send_messages

        def send(ids: list[int]) -> None:
            send_messages.apply_async(args=[ids], queue=self.queue, connection=conn)

        return send


def declare_queue(broker_url: str, queue: str) -> None:
    """Bind the test's queue before any worker starts. kombu's filesystem transport creates
    a binding file before it locks it: two workers binding a new queue at once can read it
    empty and die. Once the file exists, its lock keeps them apart."""
    if not broker_url.startswith("filesystem://"):
        return
    with broker_connection(broker_url) as conn:
        Queue(queue, Exchange(queue), routing_key=queue).maybe_bind(conn.default_channel).declare()


def forget_queue(broker_url: str, queue: str) -> None:
    """Leave nothing of a test's queue in Redis: a killed worker's reserved task stays in
    kombu's `unacked` hash, to be restored an hour later into a queue nobody reads."""
    if not broker_url.startswith("redis://"):
        return
    import redis

    client = redis.Redis.from_url(broker_url)
    for tag, payload in client.hgetall("unacked").items():
        _message, _exchange, routing_key = json.loads(payload)
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.fixture
def workers() -> Iterator[Callable[[str, int], Workers]]:
    made: list[Workers] = []

    def make(broker_url: str, smtp_port: int) -> Workers:
        # A queue of its own, so that a developer's running worker cannot take the tasks.
        group = Workers(broker_url, f"test-{uuid.uuid4().hex[:8]}", smtp_port, [])
        declare_queue(broker_url, group.queue)
        made.append(group)
        return group

    yield make
    for group in made:
        for process in group.processes:
            if process.poll() is None:
                # The test is over and so is its work: nothing to shut down gracefully (the
                # filesystem broker takes seconds to).
                process.kill()
                process.wait(timeout=30)
        forget_queue(group.broker_url, group.queue)
