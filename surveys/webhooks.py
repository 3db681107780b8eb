"""Outbound webhooks: each new response POSTed as signed JSON, retried with backoff.

Delivery is at least once. A worker claims a delivery with a conditional UPDATE
(PENDING -> DELIVERING) and only the claimer sends it; but a worker that dies after the
receiver answered, or a receiver slower than our timeout that still processed the request,
means the same delivery can arrive again. Receivers must deduplicate by the
`X-Lifecycle-Delivery` header (also the body's `id`), which never changes between attempts.

Each request carries `X-Lifecycle-Signature: t=<unix seconds>,v1=<hex>`, where the hex is
HMAC-SHA256 of `"<t>.<raw body>"` keyed with the endpoint's secret; `verify_signature()`
is the receiver's side of it.

While a delivery is DELIVERING, its `next_attempt_at` is the end of the claim: a claim
older than CLAIM_TIMEOUT belonged to a worker that died, and the delivery goes back to
PENDING for another attempt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone
from rest_framework import serializers

from lifecycle.lib import claims
from surveys.models import DeliveryStatus, WebhookDelivery
from surveys.serializers import ResponseSerializer

logger = logging.getLogger(__name__)

EVENT_TYPE = "response.created"
TIMEOUT_SECONDS = 10
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 8
MAX_BACKOFF = dt.timedelta(hours=6)
BATCH = 100  # deliveries per call; the next tick or task takes the rest
SIGNATURE_TOLERANCE_SECONDS = 300
ALLOWED_SCHEMES = ("http", "https")
ERROR_EXCERPT = 500  # characters of a failed answer's body kept in last_error


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    permanent: bool = False  # retrying cannot help

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def deliver_due(*, now: dt.datetime) -> int:
    """Deliver every pending delivery whose time has come; returns how many were delivered."""
    release_stuck(now=now)
    delivered = 0
    for pk in due_ids(now=now):
        delivered += deliver_one(pk, now=now)
    return delivered


def release_stuck(*, now: dt.datetime) -> int:
    """Deliveries whose claimer died go back to PENDING (they count as an attempt made)."""
    return WebhookDelivery.objects.filter(
        status=DeliveryStatus.DELIVERING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.PENDING)


def due_ids(*, now: dt.datetime) -> list[int]:
    # An inactive endpoint's deliveries wait: switching it back on sends them.
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )


def claim(pk: int, *, now: dt.datetime) -> bool:
    """Take one delivery; only the caller whose UPDATE changed the row may send it."""
    return claims.claim(
        WebhookDelivery.objects.filter(
            pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ),
        status=DeliveryStatus.DELIVERING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + CLAIM_TIMEOUT,
    )


def deliver_one(pk: int, *, now: dt.datetime) -> int:
    """Claim, send and record one delivery; 1 if it was delivered now, else 0."""
    if not claim(pk, now=now):
        return 0
    delivery = (
        WebhookDelivery.objects.select_related(
            "endpoint", "response__survey", "response__contact", "response__account"
        )
        .filter(pk=pk)
        .first()
    )
    if delivery is None:  # its response was deleted just now
        return 0
    outcome = send(delivery)
    record(delivery, outcome, now=now)
    return int(outcome.ok)


def payload(delivery: WebhookDelivery) -> bytes:
    body = {
        "id": str(delivery.public_id),
        "type": EVENT_TYPE,
        "created_at": serializers.DateTimeField().to_representation(delivery.created_at),
        "response": ResponseSerializer(delivery.response).data,
    }
    return json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def signature(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_signature(
    *,
    secret: str,
    body: bytes,
    header: str,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """The receiver's check: the header signs this exact body with `secret`, recently.

    The timestamp check stops a captured request from being replayed later."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _sep, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp).rpartition("v1=")[2]
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a bodiless GET, and could point inside our
    # network: a 3xx is an unsuccessful answer like any other.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def send(delivery: WebhookDelivery) -> Outcome:
    url = delivery.endpoint.url
    if urlsplit(url).scheme.lower() not in ALLOWED_SCHEMES:
        return Outcome(None, "Only http and https URLs receive webhooks.", permanent=True)
    body = payload(delivery)
    request = urllib.request.Request(
        url, data=body, method="POST", headers=_headers(delivery, body)
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            return Outcome(answer.status, "")
    except urllib.error.HTTPError as exc:
        return Outcome(exc.code, _excerpt(exc))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # URLError, timeouts, refused connections, malformed answers and URLs.
        return Outcome(None, f"{type(exc).__name__}: {exc}".replace("\x00", "")[:ERROR_EXCERPT])


def _headers(delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Lifecycle-CRM-Webhooks/1",
        "X-Lifecycle-Delivery": str(delivery.public_id),
        # The clock at sending time, not `now`: a long batch must not send stale stamps.
        "X-Lifecycle-Signature": signature(delivery.endpoint.secret, body, int(time.time())),
    }


def _excerpt(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(ERROR_EXCERPT).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        text = ""
    finally:
        error.close()
    # PostgreSQL text cannot hold NUL characters.
    return f"HTTP {error.code}: {text}".replace("\x00", "").strip()


def record(delivery: WebhookDelivery, outcome: Outcome, *, now: dt.datetime) -> None:
    changes: dict[str, object] = {
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
    }
    if outcome.ok:
        changes.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
    elif outcome.permanent or delivery.attempts >= MAX_ATTEMPTS:
        changes.update(status=DeliveryStatus.FAILED)
    else:
        changes.update(status=DeliveryStatus.PENDING, next_attempt_at=now + backoff(delivery))
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.DELIVERING).update(
        **changes
    )
    if not outcome.ok:
        detail = outcome.error or outcome.status_code
        logger.warning(
            "Webhook %s to %s failed: %s", delivery.public_id, delivery.endpoint.url, detail
        )


def backoff(delivery: WebhookDelivery) -> dt.timedelta:
    """1, 2, 4, ... minutes after the 1st, 2nd, 3rd... failed attempt, at most MAX_BACKOFF."""
    return claims.backoff(delivery.attempts, cap=MAX_BACKOFF)
