"""Real `celery worker` and `celery beat` processes against the test database, a broker and a
real SMTP server; a private `redis-server` for the tests that kill their broker."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from kombu import Connection, Exchange, Queue

from tests.smtp import free_port, smtp_environment
from tests.workers import (
    QUEUE_ENV,
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
    logs: Path | None = None
    environment: dict[str, str] = field(default_factory=dict)
    log_files: dict[int, Path | None] = field(default_factory=dict)  # by process id

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": database_url_for_the_test_database(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # As in production: no query log kept in memory; the same key signs the links.
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "CAMPAIGN_SEND_CHUNK": str(SEND_CHUNK),
            **smtp_environment(self.smtp_port),
            # What the processes send (beat's ticks, a tick's chunks) stays on this queue.
            QUEUE_ENV: self.queue,
            **self.environment,
        }

    def start(self) -> subprocess.Popen:
        arguments = ["worker", "--pool=solo", "--queues", self.queue]
        arguments += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        return self.launch(arguments, kind="worker")

    def start_beat(self) -> subprocess.Popen:
        """A `celery beat` on the DatabaseScheduler (`tick_every_second` sets its schedule)."""
        arguments = ["beat", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"]
        return self.launch([*arguments, "--max-interval", "1"], kind="beat")

    def launch(self, arguments: list[str], *, kind: str) -> subprocess.Popen:
        """Warnings go to the test's output; with `logs`, each process logs every task to a
        file of its own, for the test to count (`sent_by`, `results_of`)."""
        command = [sys.executable, "-m", "tests.workers", *arguments]
        log = None
        if self.logs is None:
            command.append("--loglevel=WARNING")
        else:
            log = self.logs / f"{kind}-{len(self.processes)}.log"
            command += ["--loglevel=INFO", "--logfile", str(log)]
        process = subprocess.Popen(command, cwd=ROOT, env=self.env())
        self.processes.append(process)
        self.log_files[process.pid] = log
        return process

    def sent_by(self, beat: subprocess.Popen, task: str) -> int:
        """How many times a beat process has sent `task` so far."""
        log = self.log_files[beat.pid]
        assert log is not None, "workers(..., logs=tmp_path) to count"
        return log.read_text(errors="replace").count(f"({task})") if log.exists() else 0

    def worker_logs(self) -> str:
        assert self.logs is not None, "workers(..., logs=tmp_path) to read them"
        return "".join(log.read_text(errors="replace") for log in self.logs.glob("worker-*.log"))

    def results_of(self, task: str) -> list[int]:
        """What each run of `task` returned, in the workers' logs (a tick: how many messages
        it handed out)."""
        pattern = re.compile(rf"Task {re.escape(task)}\[[^\]]+\] succeeded in [\d.]+s: (\d+)")
        return [int(n) for n in pattern.findall(self.worker_logs())]

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
    try:
        unacked = client.hgetall("unacked")
    except redis.ConnectionError:
        return  # a private server the test killed: nothing of it is left
    for tag, payload in unacked.items():
        _message, _exchange, routing_key = json.loads(payload)
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.fixture
def workers() -> Iterator[Callable[..., Workers]]:
    made: list[Workers] = []

    def make(
        broker_url: str, smtp_port: int, *, logs: Path | None = None, **environment: str
    ) -> Workers:
        # A queue of its own, so that a developer's running worker cannot take the tasks.
        queue = f"test-{uuid.uuid4().hex[:8]}"
        group = Workers(broker_url, queue, smtp_port, [], logs, environment)
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


def tick_every_second() -> PeriodicTask:
    """Beat's schedule for a fault test: only `campaigns.tick`, every second instead of every
    minute (a transactional test's database has the default campaigns' hourly entries too;
    they would plan emails of their own)."""
    PeriodicTask.objects.exclude(task="campaigns.tick").update(enabled=False)
    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    tick, _ = PeriodicTask.objects.update_or_create(
        task="campaigns.tick",
        defaults={"name": "Send due messages", "interval": every_second, "enabled": True},
    )
    return tick


@dataclass
class PrivateRedis:
    """A `redis-server` of the test's own, with nothing on disk: killing it loses every task
    it held, as a crashed or restarted Redis without persistence does."""

    port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_until(lambda: reachable(self.url), timeout=10, what="redis-server listens")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    """Request it before `workers`, so that it outlives the test's processes."""
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server binary here (apt-get install redis-server)")
    server = PrivateRedis(free_port(), tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.kill()
