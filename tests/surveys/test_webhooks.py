"""Outbound webhooks against a real HTTP server on 127.0.0.1: signed, retried, at least once."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from surveys import webhooks
from surveys.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from surveys.services import record_answer
from tests.factories import InvitationFactory

SECRET = "whsec_test_0123456789"
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the fake receiver answers (one status per request, the last one repeats)."""

    url: str
    statuses: list[int] = field(default_factory=lambda: [200])
    requests: list[Received] = field(default_factory=list)
    location: str = ""

    def next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(Received(dict(self.headers.items()), body))
            status = state.next_status()
            self.send_response(status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"receiver says no")

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            """Quiet: http.server logs every request to stderr."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/lifecycle"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(db, receiver: Receiver) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url=receiver.url, secret=SECRET)


def new_response(score: int = 9, comment: str | None = "Great support"):
    """A first answer through the real service, which queues one delivery per endpoint."""
    return record_answer(InvitationFactory(), score=score, comment=comment, now=NOW)


def delivery() -> WebhookDelivery:
    return WebhookDelivery.objects.get()


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


# --- Delivering ------------------------------------------------------------------------------


def test_a_new_response_is_posted_as_json_signed_with_the_endpoint_secret(endpoint, receiver):
    response = new_response(score=0, comment="Too slow")

    delivered = webhooks.deliver_due(now=NOW)

    assert delivered == 1
    [request] = receiver.requests
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Lifecycle-Delivery"] == str(delivery().public_id)
    assert webhooks.verify_signature(
        secret=SECRET, body=request.body, header=request.headers["X-Lifecycle-Signature"]
    )
    body = json.loads(request.body)
    assert body["id"] == str(delivery().public_id)
    assert body["type"] == "response.created"
    assert body["created_at"]
    assert body["response"]["id"] == response.pk
    assert (body["response"]["score"], body["response"]["comment"]) == (0, "Too slow")
    assert body["response"]["survey"] == "nps"
    assert body["response"]["contact"]["external_id"] == response.contact.external_id


def test_a_delivered_webhook_is_marked_and_never_sent_again(endpoint, receiver):
    new_response()

    webhooks.deliver_due(now=NOW)
    webhooks.deliver_due(now=NOW + minutes(30))

    sent = delivery()
    assert sent.status == DeliveryStatus.DELIVERED
    assert sent.delivered_at is not None
    assert (sent.attempts, sent.last_status_code, sent.last_error) == (1, 200, "")
    assert len(receiver.requests) == 1


def test_a_500_then_a_200_retries_after_a_minute_and_delivers_once(endpoint, receiver):
    receiver.statuses = [500, 200]
    new_response()

    assert webhooks.deliver_due(now=NOW) == 0
    failed = delivery()
    assert (failed.status, failed.attempts, failed.last_status_code) == ("pending", 1, 500)
    assert "receiver says no" in failed.last_error
    assert failed.next_attempt_at == NOW + minutes(1)
    assert webhooks.deliver_due(now=NOW + minutes(0.5)) == 0  # not due yet

    assert webhooks.deliver_due(now=NOW + minutes(1)) == 1
    assert webhooks.deliver_due(now=NOW + minutes(10)) == 0

    assert delivery().status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 2
    ids = {request.headers["X-Lifecycle-Delivery"] for request in receiver.requests}
    assert ids == {str(delivery().public_id)}  # the receiver can deduplicate by it


def test_retries_back_off_exponentially_and_fail_after_8_attempts(endpoint, receiver):
    receiver.statuses = [503]
    new_response()
    now, waits = NOW, []

    for _attempt in range(8):
        assert webhooks.deliver_due(now=now) == 0
        waits.append(delivery().next_attempt_at - now)
        now = delivery().next_attempt_at

    gave_up = delivery()
    assert gave_up.status == DeliveryStatus.FAILED
    assert gave_up.attempts == 8
    assert waits[:7] == [minutes(2**n) for n in range(7)]
    webhooks.deliver_due(now=now + dt.timedelta(days=1))
    assert len(receiver.requests) == 8


def test_the_backoff_is_capped_at_six_hours():
    late = WebhookDelivery(attempts=20)

    assert webhooks.backoff(late) == dt.timedelta(hours=6)
    assert webhooks.backoff(WebhookDelivery(attempts=1)) == minutes(1)
    assert webhooks.backoff(WebhookDelivery(attempts=3)) == minutes(4)


def test_an_unreachable_receiver_is_retried_later_with_the_error_kept(db, receiver):
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/nobody-listens", secret=SECRET)
    new_response()

    assert webhooks.deliver_due(now=NOW) == 0

    waiting = delivery()
    assert waiting.status == DeliveryStatus.PENDING
    assert waiting.last_status_code is None
    assert waiting.last_error
    assert waiting.next_attempt_at == NOW + minutes(1)


def test_a_redirect_is_not_followed_and_counts_as_a_failure(endpoint, receiver):
    receiver.statuses = [302]
    receiver.location = "http://127.0.0.1:9/elsewhere"
    new_response()

    assert webhooks.deliver_due(now=NOW) == 0

    assert len(receiver.requests) == 1
    assert (delivery().status, delivery().last_status_code) == ("pending", 302)


def test_a_url_that_is_not_http_fails_without_any_request(db, receiver):
    WebhookEndpoint.objects.create(url="file:///etc/passwd", secret=SECRET)
    new_response()

    assert webhooks.deliver_due(now=NOW) == 0

    refused = delivery()
    assert refused.status == DeliveryStatus.FAILED
    assert "http" in refused.last_error
    assert receiver.requests == []


# --- Nothing to send -------------------------------------------------------------------------


def test_without_an_endpoint_nothing_is_queued_or_sent(db, receiver):
    new_response()

    assert webhooks.deliver_due(now=NOW) == 0
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_an_updated_answer_is_not_posted_again(endpoint, receiver):
    response = new_response(score=9)
    webhooks.deliver_due(now=NOW)

    record_answer(response.invitation, score=3, comment="Changed my mind", now=NOW + minutes(2))
    webhooks.deliver_due(now=NOW + minutes(5))

    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_an_inactive_endpoints_deliveries_wait_until_it_is_switched_back_on(endpoint, receiver):
    new_response()
    endpoint.is_active = False
    endpoint.save(update_fields=["is_active"])

    assert webhooks.deliver_due(now=NOW) == 0
    assert receiver.requests == []

    endpoint.is_active = True
    endpoint.save(update_fields=["is_active"])
    assert webhooks.deliver_due(now=NOW + minutes(1)) == 1


# --- Claims ----------------------------------------------------------------------------------


def test_only_the_worker_whose_claim_changed_the_row_sends(endpoint, receiver):
    new_response()
    pk = delivery().pk

    assert webhooks.claim(pk, now=NOW) is True
    assert webhooks.claim(pk, now=NOW) is False
    assert webhooks.deliver_one(pk, now=NOW) == 0  # already claimed by the first
    assert webhooks.deliver_due(now=NOW + minutes(5)) == 0
    assert receiver.requests == []


def test_a_delivery_stuck_in_delivering_for_10_minutes_goes_back_and_is_sent(endpoint, receiver):
    new_response()
    webhooks.claim(delivery().pk, now=NOW)  # a worker that died right after claiming

    assert webhooks.deliver_due(now=NOW + minutes(9)) == 0
    assert delivery().status == DeliveryStatus.DELIVERING

    assert webhooks.deliver_due(now=NOW + minutes(10)) == 1
    assert (delivery().status, delivery().attempts) == ("delivered", 2)
    assert len(receiver.requests) == 1


def test_the_celery_tick_delivers_due_webhooks(endpoint, receiver):
    from surveys.tasks import deliver_webhooks

    new_response()
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - minutes(1))

    assert deliver_webhooks() == 1


# --- Signatures ------------------------------------------------------------------------------


def test_a_signature_fails_for_another_body_secret_or_an_old_timestamp():
    body = b'{"id":"x"}'
    header = webhooks.signature(SECRET, body, timestamp=1_700_000_000)

    def verify(**changes: object) -> bool:
        given = {"secret": SECRET, "body": body, "header": header, "now": 1_700_000_010}
        return webhooks.verify_signature(**(given | changes))

    assert verify()
    assert not verify(body=b'{"id":"y"}')
    assert not verify(secret="another")
    assert not verify(now=1_700_000_000 + 301)
    assert not verify(header="t=abc,v1=00")
    assert not verify(header="")
    assert not verify(header=header.replace("v1=", "v0="))


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    import hashlib
    import hmac

    body = b"{}"
    expected = hmac.new(SECRET.encode(), b"42.{}", hashlib.sha256).hexdigest()

    assert webhooks.signature(SECRET, body, timestamp=42) == f"t=42,v1={expected}"
