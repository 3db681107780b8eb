"""The embedded broker (kombu's filesystem transport, lifecycle/lib/brokers.py) never hands a
reader a file its writer has not finished, with the project's own options."""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection, Exchange, Queue

from lifecycle.celery import app as celery_app
from lifecycle.lib.brokers import FilesystemTransport, filesystem_broker_options

MESSAGES = 500
PADDING = "x" * 500_000  # big enough that stock kombu lets a reader in mid-write most runs


@pytest.fixture
def options(tmp_path: Path) -> Iterator[dict[str, Any]]:
    yield filesystem_broker_options(tmp_path / "celery")
    shutil.rmtree(tmp_path / "celery")  # the processed folder keeps every message: 250 MB


def connect(options: dict[str, Any]) -> Connection:
    return Connection("filesystem://", transport_options=options)


def test_the_embedded_broker_url_gets_the_fixed_transport(options):
    with celery_app.connection_for_write(url="filesystem://", transport_options=options) as conn:
        assert isinstance(conn.transport, FilesystemTransport)


def test_a_reader_polling_while_a_writer_writes_gets_every_message_whole(options):
    with connect(options) as conn:
        conn.SimpleQueue("race").close()  # bound before either side starts
    received: list[int] = []
    errors: list[Exception] = []

    def write() -> None:
        with connect(options) as conn, conn.SimpleQueue("race") as queue:
            for n in range(MESSAGES):
                queue.put({"n": n, "padding": PADDING})

    def read() -> None:
        deadline = time.monotonic() + 60
        with connect(options) as conn, conn.SimpleQueue("race") as queue:
            # A message read broken is gone from the queue: stop waiting for it.
            while len(received) + len(errors) < MESSAGES and time.monotonic() < deadline:
                try:
                    message = queue.get(timeout=0.05)
                except queue.Empty:
                    continue
                except Exception as error:  # a half-written file: stock kombu's JSONDecodeError
                    errors.append(error)
                    continue
                message.ack()
                if message.payload["padding"] != PADDING:
                    errors.append(ValueError(f"message {message.payload['n']} cut short"))
                received.append(message.payload["n"])

    threads = [threading.Thread(target=read), threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(received) == list(range(MESSAGES))  # none lost, none twice


def bind_at_once(options: dict[str, Any], exchange: Exchange, queues: list[str]) -> list[Exception]:
    """Each queue bound to `exchange` by a connection of its own, all released together."""
    start = threading.Barrier(len(queues))
    errors: list[Exception] = []

    def bind(name: str) -> None:
        with connect(options) as conn:
            channel = conn.channel()
            start.wait()
            try:
                Queue(name, exchange, routing_key=name).maybe_bind(channel).declare()
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=bind, args=(name,)) for name in queues]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_workers_binding_queues_to_a_new_exchange_at_once_all_get_bound(options):
    # Stock kombu creates the binding file empty, then fills it: about one round in two, a
    # second binder reads it empty (JSONDecodeError) or overwrites the first one's binding.
    queues = [f"q{n}" for n in range(8)]
    for round_ in range(20):
        exchange = Exchange(f"shared-{round_}", "direct")  # new: bindings are cached per process

        errors = bind_at_once(options, exchange, queues)
        with connect(options) as conn:
            bound = {binding.queue for binding in conn.channel().get_table(exchange.name)}

        assert errors == [] and bound == set(queues), f"round {round_}"


def test_a_task_sent_through_the_embedded_broker_arrives_as_sent(options):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with connect(options) as conn:
        celery_app.send_task("ops.heartbeat", args=[7], queue=queue, connection=conn)
        with conn.SimpleQueue(queue) as received:
            message = received.get(timeout=5)
            message.ack()

    assert message.headers["task"] == "ops.heartbeat"
    assert message.payload[0] == [7]
    assert list(Path(options["data_folder_in"]).iterdir()) == []  # taken, no leftovers
